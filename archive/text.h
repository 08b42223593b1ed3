/*
 * text: the UTF-8 text of a decrypted post, as the archive extracts
 * indicators from it and stores it.
 *
 * What is taken, in tree order, each piece separated by a blank line:
 *  - every text part that is not an attachment: text/plain, and text/html
 *    only when no text/plain alternative sits next to it in the same
 *    multipart/alternative.  HTML is stripped crudely: tag names go,
 *    attribute values stay (the indicator of a phish is usually in an
 *    href=), entities are decoded, block tags become line breaks and
 *    <style> bodies are dropped.
 *  - text attachments, by type (text/plain, text/csv, application/json)
 *    or by file name (.txt .csv .json .log .ioc, any case), introduced by
 *    a line "[attachment NAME]".  One whose decoded content holds a NUL
 *    byte is binary whatever its name says, and is skipped.
 *  - message/rfc822 parts are descended into: a forwarded phish is
 *    exactly where the indicators are.  Its From, Subject and Reply-To
 *    come first as text lines (RFC 2047 encoded words decoded), after a
 *    line "[forwarded message]".
 * Skipped: application/pgp-signature, application/pgp-keys, anything else
 * (images, archives, office documents, encrypted blobs).
 *
 * Each part goes through mime_part_text_utf8() (transfer decoding, then
 * the declared charset to UTF-8), so ISO-2022-JP, Shift_JIS, EUC-JP,
 * ISO-8859-x and UTF-8 all come out as UTF-8; CRLF becomes LF.  A part
 * whose transfer encoding is broken is skipped, not fatal.
 *
 * Bounded: at most TEXT_MAX_PARTS parts are taken and TEXT_MAX octets
 * appended (cut at a UTF-8 boundary); when anything is left out,
 * *truncated is set.
 */
#ifndef ARCHIVE_TEXT_H
#define ARCHIVE_TEXT_H

#include <stddef.h>

#define TEXT_MAX_PARTS	64
#define TEXT_MAX	(4UL * 1024 * 1024)

struct buf;
struct mime_part;

/*
 * Append the text of the post rooted at root to out, which must have
 * been made with BUF_SENSITIVE (it holds plaintext).  *truncated (may be
 * NULL) is set to 1 when a bound cut something, else 0.  Returns 0, or
 * -1 when root or out is NULL or out is not sensitive (nothing appended).
 */
int text_of_post(const struct mime_part *root, struct buf *out,
    int *truncated);

/*
 * The same walk for reading a post's TLP marking, wider: every
 * alternative (the HTML beside a text/plain too: a label may be in
 * either) and every leaf that decodes to text without a NUL, whatever
 * its type or name (a .md, a text/x-diff, a PGP/MIME post re-wrapped as
 * an octet-stream); bounded only by the MIME limits (MIME_MAX_SIZE
 * octets, MIME_MAX_PARTS parts), which the decrypted content already
 * met.  *truncated means the content could not be read whole: a bound
 * was hit, or a part declared or named as text did not decode.
 */
int text_readable(const struct mime_part *root, struct buf *out,
    int *truncated);

/* s[0, n) appended to out as one line a person reads: valid UTF-8 kept,
 * the rest U+FFFD; controls (C0, DEL, C1) become spaces; characters that
 * reorder what is shown (bidi overrides and isolates, U+2028/9) become
 * U+FFFD. */
void text_clean(struct buf *out, const char *s, size_t n);

/* A header value (Subject) with its RFC 2047 encoded words decoded to
 * UTF-8, as one line without control characters, appended to out. */
void text_header_utf8(const char *value, struct buf *out);

/*
 * The line of text[0, len) around the span [start, end), for showing an
 * indicator in context: at most max - 1 octets plus a NUL into dst, cut
 * at UTF-8 character boundaries with "..." where the line was cut, and
 * every control character (CR, LF, TAB included) turned into a space.
 * max == 0 writes nothing.
 */
void text_context(const char *text, size_t len, size_t start, size_t end,
    char *dst, size_t max);

#endif
