/* placeholder: being written (issue 5) */
#include "config.h"
int relay_nodelay_linked;
int relay_nodelay_linked = 1;
