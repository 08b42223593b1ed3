/*
 * kvlines: "key value" lines after a magic (see base/kvlines.h).
 */
#include "config.h"

#include <string.h>

#include "base/kvlines.h"

int
kvlines_open(const char *data, size_t len, const char *magic, size_t *pos)
{
	size_t mlen = strlen(magic);

	if (len < mlen || memcmp(data, magic, mlen) != 0 ||
	    data[len - 1] != '\n' || memchr(data, '\0', len) != NULL)
		return -1;
	*pos = mlen;
	return 0;
}

int
kvlines_next(char *data, size_t len, size_t *pos, char **key, char **val)
{
	char *line, *nl, *sp;

	if (*pos >= len)
		return 0;
	line = data + *pos;
	/* kvlines_open() saw the final LF */
	nl = memchr(line, '\n', len - *pos);
	*nl = '\0';
	*pos = (size_t)(nl - data) + 1;
	if ((sp = strchr(line, ' ')) == NULL)
		return -1;
	*sp++ = '\0';
	*key = line;
	*val = sp;
	return 1;
}
