#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sqlcipher/sqlite3.h>

#include "lists/store.h"
#include "lists/store_impl.h"

int
store_parse_bool(const char *v, bool *out)
{
	if (strcasecmp(v, "yes") == 0 || strcasecmp(v, "true") == 0 ||
	    strcmp(v, "1") == 0 || strcasecmp(v, "on") == 0)
		*out = true;
	else if (strcasecmp(v, "no") == 0 || strcasecmp(v, "false") == 0 ||
	    strcmp(v, "0") == 0 || strcasecmp(v, "off") == 0)
		*out = false;
	else
		return -1;
	return 0;
}

/* "3600", "90m", "48h", "2d": seconds, at most ten years. */
int
store_parse_duration(const char *v, long long *out)
{
	unsigned long long n, unit = 1;
	char *end;

	if (*v < '0' || *v > '9')
		return -1;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno != 0)
		return -1;
	if (*end != '\0') {
		if (end[1] != '\0')
			return -1;
		switch (*end) {
		case 's':
			break;
		case 'm':
			unit = 60;
			break;
		case 'h':
			unit = 3600;
			break;
		case 'd':
			unit = 86400;
			break;
		default:
			return -1;
		}
	}
	if (n > 3650ULL * 86400 / unit)
		return -1;
	*out = (long long)(n * unit);
	return 0;
}

int
store_parse_size(const char *v, size_t *out)
{
	unsigned long long n;
	char *end;

	if (*v < '0' || *v > '9')
		return -1;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno != 0 || *end != '\0' || n > (unsigned long long)LLONG_MAX)
		return -1;
	*out = (size_t)n;
	return 0;
}
