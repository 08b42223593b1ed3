/*
 * extract: pure extraction of indicators (IPs, CIDRs, domains, URLs,
 * e-mail addresses, hashes, CVE ids, AS numbers) from UTF-8 text that the
 * caller has already decoded.  No I/O besides libpsl's built-in list.
 *
 * The text is refanged first into a private copy that remembers, for every
 * byte, which bytes of the input produced it; matching runs on the copy and
 * spans are mapped back, so start/end always index the caller's input.
 *
 * Refanged forms: hxxp/hXXp(s) -> http(s); [.] (.) {.} [dot] (dot) {dot}
 * -> "."; [:] -> ":"; [://] -> "://"; [/] -> "/"; [@] (@) [at] (at) {at}
 * -> "@" (case-insensitive, spaces around the bracket are swallowed:
 * "evil [.] com"); full-width U+FF0E U+FF1A U+FF0F U+FF20 -> . : / @;
 * the other full-width forms U+FF01-U+FF5E and the mathematical
 * alphanumerics U+1D400-U+1D7FF -> their NFKC ASCII character
 * ("ｌｏｇｉｎ．ｅｘａｍｐｌｅ．ｊｐ" -> login.example.jp; not superscripts or
 * circled digits: "evil.com¹" stays evil.com).  All of these set
 * IND_DEFANGED: full-width forms in an indicator are how Japanese
 * advisories neutralise links, so they are treated as a deliberate
 * defang.  Bare " dot " / " at " are NOT refanged: in English
 * prose they produce more false indicators than they recover.
 * Japanese brackets 「」『』（） and 、。 are never part of an indicator
 * (indicators are ASCII after refanging), so they end one.
 *
 * Decisions (each pinned by a row in tests/unit/test_extract.c):
 *  - A domain's last label must be a TLD known to libpsl's built-in list
 *    (no "*" rule), or one of the reserved example/test/invalid/localhost
 *    (then IND_DOC).  A name that is itself an ICANN public suffix
 *    ("co.jp") is not an indicator.
 *  - File names: a bare domain whose last label is a common file
 *    extension (zip exe py js doc docx xls xlsx pdf txt csv json sh ps1
 *    bat dll jpg png gif html htm php) is taken as a file name and dropped,
 *    unless it was written defanged (nobody defangs a file name) or it is
 *    the host of a URL or the domain of an e-mail address.  .zip, .py, .sh
 *    are real TLDs, but in incident mail "invoice.zip", "run.py" are
 *    overwhelmingly attachments (REFERENCE.md false positives).
 *  - A URL (http, https, ftp; host must be a valid domain or IP) is
 *    emitted, then its host again as a domain/ipv4/ipv6 indicator.  Nothing
 *    else inside a URL is extracted (IPs in paths are not indicators).
 *  - An e-mail address is emitted alone; its domain is not emitted
 *    separately (the address already carries it; searching the archive by
 *    domain should match e-mail values by suffix instead).
 *  - Dotted numbers with more than four parts, octets > 255 and octets
 *    with leading zeros (octal ambiguity) are not IPv4.
 *  - Hashes are whole hex runs with no letter, digit or "_" on either side,
 *    of exactly 32/40/64/128 digits, containing at least one a-f (a long
 *    decimal number is not an MD5).  A 96-digit run is nothing.
 *  - ASN: "AS64500", "AS 64500", "ASN64500" (upper-case "AS" only: "as 5"
 *    is English).  Documentation (RFC 5398), private (RFC 6996), AS0 and
 *    AS_TRANS 23456 get IND_DOC.
 *  - IND_DOC: RFC 5737, RFC 1918, 127/8, RFC 3849 2001:db8::/32, ::1,
 *    fc00::/7 (RFC 4193, the IPv6 RFC 1918), example.com/.net/.org and
 *    subdomains, *.example *.test *.invalid *.localhost (RFC 2606/6761).
 *    A CIDR is DOC when it lies inside such a range.
 *  - Identical (type, value) pairs are reported once, with the first span.
 *
 * Known limits: no IDN/U-label domains, no IPv6 zone ids (fe80::1%eth0
 * gives fe80::1), URL schemes other than http/https/ftp, no
 * URL-encoded/base64 refanging, no h00p / "http__" forms; hex-only
 * C++-like "dead::beef" is a valid IPv6 literal and is reported; file
 * names on real TLDs outside the list above (README.md, script.pl) are
 * reported as domains.
 */
#ifndef ARCHIVE_EXTRACT_H
#define ARCHIVE_EXTRACT_H

#include <stddef.h>

enum ind_type {
	IND_IPV4,
	IND_IPV6,
	IND_CIDR,
	IND_DOMAIN,
	IND_URL,
	IND_EMAIL,
	IND_MD5,
	IND_SHA1,
	IND_SHA256,
	IND_SHA512,
	IND_CVE,
	IND_ASN
};

#define IND_DOC		0x1u	/* documentation / reserved / private */
#define IND_DEFANGED	0x2u	/* written defanged in the input */

struct indicator {
	enum ind_type	 type;
	char		*value;		/* normalised, NUL-terminated */
	size_t		 start, end;	/* byte span [start, end) in the input */
	unsigned	 flags;
};

/* "ipv4", "ipv6", "cidr", "domain", "url", "email", "md5", "sha1",
 * "sha256", "sha512", "cve", "asn". */
const char *ind_type_str(enum ind_type t);

/* Indicators of text[0, len) in input order; *out is NULL when none. */
size_t extract_indicators(const char *text, size_t len,
    struct indicator **out);
void indicators_free(struct indicator *v, size_t n);

#endif
