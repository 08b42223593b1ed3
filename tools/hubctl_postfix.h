/*
 * hubctl postfix-map: DATA_DIR/postfix-recipients, the addresses hubd
 * serves, for Postfix's relay_recipient_maps (csirt-hub-postfix(7)).
 * Its own header rather than tools/hubctl.h: the list commands and the
 * command table are its only users.
 */
#ifndef TOOLS_HUBCTL_POSTFIX_H
#define TOOLS_HUBCTL_POSTFIX_H

#include <stddef.h>

struct hubctl;

/*
 * Write the map from names (the store's lists, just read under the
 * listnames lock): 1 written, 0 unchanged, -1 with the failure said on
 * stderr.  The store's change stands either way.
 */
int hubctl_postfix_write(struct hubctl *h, char *const *names, size_t n);

int cmd_postfix_map(struct hubctl *, int, char **);

#endif
