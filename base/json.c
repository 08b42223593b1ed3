#include "config.h"

#include "base/buf.h"
#include "base/json.h"
#include "base/utf8.h"

#include <stdint.h>
#include <string.h>

static void
put_u(struct buf *b, uint32_t c)
{
	static const char hex[] = "0123456789abcdef";
	char e[6] = { '\\', 'u', hex[(c >> 12) & 15], hex[(c >> 8) & 15],
	    hex[(c >> 4) & 15], hex[c & 15] };

	buf_append(b, e, sizeof e);
}

void
json_append_raw(struct buf *b, const unsigned char *p, size_t n)
{
	size_t i = 0, k, run;
	uint32_t c;

	while (i < n) {
		/* the common case: a run of printable ASCII as it is */
		for (run = 0; i + run < n && p[i + run] >= 0x20 &&
		    p[i + run] < 0x7f && p[i + run] != '"' &&
		    p[i + run] != '\\'; run++)
			;
		if (run > 0) {
			buf_append(b, p + i, run);
			i += run;
			continue;
		}
		if ((k = hub_utf8_dec(p + i, n - i, &c)) == 0) {
			buf_append(b, "\\ufffd", 6);
			i++;
			continue;
		}
		if (c == '"' || c == '\\') {
			buf_append(b, "\\", 1);
			buf_append(b, p + i, 1);
		} else if (c == '\n')
			buf_append(b, "\\n", 2);
		else if (c == '\r')
			buf_append(b, "\\r", 2);
		else if (c == '\t')
			buf_append(b, "\\t", 2);
		else if (hub_cp_control(c) || hub_cp_format(c))
			put_u(b, c);	/* all of them are in the BMP */
		else
			buf_append(b, p + i, k);
		i += k;
	}
}

void
json_append_str(struct buf *b, const char *s)
{
	if (s == NULL) {
		buf_append_str(b, "null");
		return;
	}
	buf_append(b, "\"", 1);
	json_append_raw(b, (const unsigned char *)s, strlen(s));
	buf_append(b, "\"", 1);
}

void
json_fput_str(FILE *fp, const char *s)
{
	/* values may be a decrypted report's text: wiped when freed */
	struct buf *b = buf_new(BUF_SENSITIVE);

	json_append_str(b, s);
	fwrite(buf_data(b), 1, buf_len(b), fp);
	buf_free(b);
}
