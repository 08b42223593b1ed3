/*
 * Unit tests for archive/extract: one row per input, the expected result
 * rendered as "type:value:flags;..." (flags "-", "doc", "def", "doc,def"),
 * in input order.  Every false positive of REFERENCE.md §5 has a row.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "archive/extract.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MD5	"d41d8cd98f00b204e9800998ecf8427e"
#define SHA1	"da39a3ee5e6b4b0d3255bfef95601890afd80709"
#define SHA256	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define SHA512	"cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce" \
		"47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"
#define MD5_UP	"D41D8CD98F00B204E9800998ECF8427E"

struct row {
	const char *in;
	const char *want;
};

static const struct row rows[] = {
	/* --- IPv4 -------------------------------------------------------- */
	{ "C2 at 45.33.32.156 today", "ipv4:45.33.32.156:-" },
	{ "45.33.32.156", "ipv4:45.33.32.156:-" },
	{ "seen from 8.8.8.8.", "ipv4:8.8.8.8:-" },
	{ "(8.8.4.4)", "ipv4:8.8.4.4:-" },
	{ "ip=1.1.1.1,2.2.2.2", "ipv4:1.1.1.1:-;ipv4:2.2.2.2:-" },
	{ "1.1.1.1:443", "ipv4:1.1.1.1:-" },
	{ "192.0.2.1", "ipv4:192.0.2.1:doc" },
	{ "198.51.100.200", "ipv4:198.51.100.200:doc" },
	{ "203.0.113.9", "ipv4:203.0.113.9:doc" },
	{ "10.1.2.3", "ipv4:10.1.2.3:doc" },
	{ "172.16.0.1 172.31.255.255", "ipv4:172.16.0.1:doc;ipv4:172.31.255.255:doc" },
	{ "172.32.0.1", "ipv4:172.32.0.1:-" },
	{ "192.168.1.1", "ipv4:192.168.1.1:doc" },
	{ "127.0.0.1", "ipv4:127.0.0.1:doc" },
	{ "192.0.3.1", "ipv4:192.0.3.1:-" },
	{ "255.255.255.255", "ipv4:255.255.255.255:-" },
	{ "0.0.0.0", "ipv4:0.0.0.0:-" },
	{ "a 1.2.3.4 and 1.2.3.4 again", "ipv4:1.2.3.4:-" },
	{ "range 10.0.0.1-10.0.0.5", "ipv4:10.0.0.1:doc;ipv4:10.0.0.5:doc" },
	{ "host-1.2.3.4", "" },
	{ "-1.2.3.4", "ipv4:1.2.3.4:-" },
	/* false positives: versions, long dotted runs, big octets */
	{ "version v2.12.2.1 released", "" },
	{ "1.2.3.4.5", "" },
	{ "OID 121.234.121.241.168", "" },
	{ "256.1.1.1", "" },
	{ "1.2.3.256", "" },
	{ "1.2.3", "" },
	{ "01.02.03.04", "" },
	{ "1.2.3.4a", "" },
	{ "x1.2.3.4", "" },
	{ "release 10.0.19041.1", "" },
	{ "build_1.2.3.4", "" },
	/* defanged IPv4 */
	{ "1.2.3[.]4", "ipv4:1.2.3.4:def" },
	{ "8[.]8[.]8[.]8", "ipv4:8.8.8.8:def" },
	{ "8(.)8(.)4(.)4", "ipv4:8.8.4.4:def" },
	{ "9{.}9{.}9{.}9", "ipv4:9.9.9.9:def" },
	{ "1[dot]1[dot]1[dot]1", "ipv4:1.1.1.1:def" },
	{ "203.0.113[.]5", "ipv4:203.0.113.5:doc,def" },
	{ "1.2.3[.]4 1.2.3.4", "ipv4:1.2.3.4:def" },
	/* --- CIDR -------------------------------------------------------- */
	{ "block 45.33.32.0/24 now", "cidr:45.33.32.0/24:-" },
	{ "45.33.32.156/24", "cidr:45.33.32.0/24:-" },
	{ "10.0.0.0/8", "cidr:10.0.0.0/8:doc" },
	{ "10.0.0.0/7", "cidr:10.0.0.0/7:-" },
	{ "192.0.2.128/25", "cidr:192.0.2.128/25:doc" },
	{ "1.2.3.4/32", "cidr:1.2.3.4/32:-" },
	{ "1.2.3.4/0", "cidr:0.0.0.0/0:-" },
	{ "1.2.3.4/33", "ipv4:1.2.3.4:-" },
	{ "2001:db8::/32", "cidr:2001:db8::/32:doc" },
	{ "2001:db8:1234::1/48", "cidr:2001:db8:1234::/48:doc" },
	{ "2a00:1450:4001::/36", "cidr:2a00:1450:4000::/36:-" },
	{ "fd00::/8", "cidr:fd00::/8:doc" },
	/* --- IPv6 -------------------------------------------------------- */
	{ "2a00:1450:4001:82b::200e", "ipv6:2a00:1450:4001:82b::200e:-" },
	{ "2A00:1450:4001:082B:0000:0000:0000:200E", "ipv6:2a00:1450:4001:82b::200e:-" },
	{ "2001:0db8:0000:0000:0000:ff00:0042:8329", "ipv6:2001:db8::ff00:42:8329:doc" },
	{ "2001:db8::1", "ipv6:2001:db8::1:doc" },
	{ "::1", "ipv6:::1:doc" },
	{ "fe80::1", "ipv6:fe80::1:-" },
	{ "fd12:3456::1", "ipv6:fd12:3456::1:doc" },
	{ "::ffff:1.2.3.4", "ipv6:::ffff:1.2.3.4:-" },
	{ "host [2606:4700::1111]:53", "ipv6:2606:4700::1111:-" },
	{ "addr 2606:4700::1111.", "ipv6:2606:4700::1111:-" },
	{ "addr 2606:4700::1111:", "ipv6:2606:4700::1111:-" },
	{ "2606:4700::1111 and 2606:4700:0::1111", "ipv6:2606:4700::1111:-" },
	{ "at 12:30:45 UTC", "" },
	{ "mac 00:1a:2b:3c:4d:5e", "" },
	{ "std::vector", "" },
	{ "2001:db8::zz", "" },
	{ "1:2:3:4:5:6:7:8:9", "" },
	{ "fe80::1%eth0", "ipv6:fe80::1:-" },
	{ "::", "" },
	/* --- domains ----------------------------------------------------- */
	{ "evil.com", "domain:evil.com:-" },
	{ "visit evil.com.", "domain:evil.com:-" },
	{ "EVIL.COM", "domain:evil.com:-" },
	{ "Mail.Evil-Corp.CO.UK is bad", "domain:mail.evil-corp.co.uk:-" },
	{ "evil.com. is the fqdn", "domain:evil.com:-" },
	{ "a.b.c.evil.net", "domain:a.b.c.evil.net:-" },
	{ "x-1.evil.org", "domain:x-1.evil.org:-" },
	{ "evil.co.jp", "domain:evil.co.jp:-" },
	{ "evil.com evil.com EVIL.com", "domain:evil.com:-" },
	{ "(evil.com)", "domain:evil.com:-" },
	{ "'evil.com'", "domain:evil.com:-" },
	{ "evil.com, evil.net", "domain:evil.com:-;domain:evil.net:-" },
	{ "evil.notatld", "" },
	{ "co.jp", "" },
	{ "co.uk alone", "" },
	{ "-evil.com", "domain:evil.com:-" },
	{ "evil-.com", "" },
	{ "a..com", "" },
	{ "my_host.evil.com", "" },
	{ "example.com", "domain:example.com:doc" },
	{ "www.example.org", "domain:www.example.org:doc" },
	{ "mail.example.net", "domain:mail.example.net:doc" },
	{ "notexample.com", "domain:notexample.com:-" },
	{ "host.example", "domain:host.example:doc" },
	{ "foo.test", "domain:foo.test:doc" },
	{ "bar.invalid", "domain:bar.invalid:doc" },
	{ "app.localhost", "domain:app.localhost:doc" },
	{ "localhost", "" },
	{ "evil.github.io", "domain:evil.github.io:-" },
	{ "evil.com:8080", "domain:evil.com:-" },
	{ "www.evil.com/login?x=1", "domain:www.evil.com:-" },
	{ "foo-evil.com", "domain:foo-evil.com:-" },
	{ "e.g. i.e. U.S.A. Mr.Smith", "" },
	{ "node.js and main.go", "" },
	/* file names that look like domains */
	{ "open invoice.zip now", "" },
	{ "setup.exe", "" },
	{ "run.py", "" },
	{ "report.pdf and data.csv", "" },
	{ "install.sh; payload.ps1", "" },
	{ "index.html", "" },
	{ "invoice[.]zip", "domain:invoice.zip:def" },
	{ "evil.com/invoice.zip", "domain:evil.com:-" },
	{ "evil[.]com", "domain:evil.com:def" },
	{ "evil(.)com", "domain:evil.com:def" },
	{ "evil{.}com", "domain:evil.com:def" },
	{ "evil[dot]com", "domain:evil.com:def" },
	{ "evil(dot)com", "domain:evil.com:def" },
	{ "evil[DOT]com", "domain:evil.com:def" },
	{ "evil [.] com", "domain:evil.com:def" },
	{ "evil [dot] co [dot] uk", "domain:evil.co.uk:def" },
	{ "sub.evil[.]com", "domain:sub.evil.com:def" },
	{ "evil[.]com evil.com", "domain:evil.com:def" },
	/* --- URLs -------------------------------------------------------- */
	{ "http://evil.com/", "url:http://evil.com/:-;domain:evil.com:-" },
	{ "https://evil.com", "url:https://evil.com:-;domain:evil.com:-" },
	{ "HTTPS://EVIL.COM/Path", "url:https://evil.com/Path:-;domain:evil.com:-" },
	{ "https://evil.com:8443/a/b?x=1&y=2#frag",
	    "url:https://evil.com:8443/a/b?x=1&y=2#frag:-;domain:evil.com:-" },
	{ "go to https://evil.com/a.", "url:https://evil.com/a:-;domain:evil.com:-" },
	{ "(see https://evil.com/a)", "url:https://evil.com/a:-;domain:evil.com:-" },
	{ "https://en.wikipedia.org/wiki/Foo_(bar)",
	    "url:https://en.wikipedia.org/wiki/Foo_(bar):-;domain:en.wikipedia.org:-" },
	{ "(https://en.wikipedia.org/wiki/Foo_(bar))",
	    "url:https://en.wikipedia.org/wiki/Foo_(bar):-;domain:en.wikipedia.org:-" },
	{ "https://evil.com/a, next", "url:https://evil.com/a:-;domain:evil.com:-" },
	{ "'https://evil.com/a'", "url:https://evil.com/a:-;domain:evil.com:-" },
	{ "\"https://evil.com/a\"", "url:https://evil.com/a:-;domain:evil.com:-" },
	{ "<https://evil.com/a>", "url:https://evil.com/a:-;domain:evil.com:-" },
	{ "https://evil.com/a;", "url:https://evil.com/a:-;domain:evil.com:-" },
	{ "http://45.33.32.156/x.sh", "url:http://45.33.32.156/x.sh:-;ipv4:45.33.32.156:-" },
	{ "http://192.0.2.1:8080/", "url:http://192.0.2.1:8080/:doc;ipv4:192.0.2.1:doc" },
	{ "http://[2606:4700::1111]:80/a", "url:http://[2606:4700::1111]:80/a:-;ipv6:2606:4700::1111:-" },
	{ "https://example.com/x", "url:https://example.com/x:doc;domain:example.com:doc" },
	{ "https://evil.com/setup.exe", "url:https://evil.com/setup.exe:-;domain:evil.com:-" },
	{ "https://files.zip/a", "url:https://files.zip/a:-;domain:files.zip:-" },
	{ "http://evil.com/4.3.0.0/x", "url:http://evil.com/4.3.0.0/x:-;domain:evil.com:-" },
	{ "http://user:pw@evil.com/x", "url:http://user:pw@evil.com/x:-;domain:evil.com:-" },
	{ "HTTP://Admin:PW@EVIL.com:8080/X", "url:http://Admin:PW@evil.com:8080/X:-;domain:evil.com:-" },
	{ "ftp://files.evil.com/pub", "url:ftp://files.evil.com/pub:-;domain:files.evil.com:-" },
	{ "http://evil.com/a http://evil.com/b",
	    "url:http://evil.com/a:-;domain:evil.com:-;url:http://evil.com/b:-" },
	{ "http://localhost:8080/", "" },
	{ "http://intranet/x", "" },
	{ "hxxp://evil.com/a", "url:http://evil.com/a:def;domain:evil.com:-" },
	{ "hxxps://evil[.]com/a", "url:https://evil.com/a:def;domain:evil.com:def" },
	{ "hXXps://evil[.]com[:]8443/a", "url:https://evil.com:8443/a:def;domain:evil.com:def" },
	{ "HXXP://EVIL[.]COM", "url:http://evil.com:def;domain:evil.com:def" },
	{ "hxxps[://]evil[.]com/x", "url:https://evil.com/x:def;domain:evil.com:def" },
	{ "hxxp://evil[.]com[/]x", "url:http://evil.com/x:def;domain:evil.com:def" },
	{ "hxxp://1.2.3[.]4/p", "url:http://1.2.3.4/p:def;ipv4:1.2.3.4:def" },
	{ "hxxp[:]//evil[.]com", "url:http://evil.com:def;domain:evil.com:def" },
	{ "http://evil.com)", "url:http://evil.com:-;domain:evil.com:-" },
	{ "https://evil.com/?a=(b)", "url:https://evil.com/?a=(b):-;domain:evil.com:-" },
	{ "https://evil.com/#/route", "url:https://evil.com/#/route:-;domain:evil.com:-" },
	{ "hxxp://evil", "" },
	/* --- e-mail ------------------------------------------------------ */
	{ "from attacker@evil.com", "email:attacker@evil.com:-" },
	{ "Attacker@Evil.COM", "email:attacker@evil.com:-" },
	{ "first.last+tag@mail.evil.co.uk.", "email:first.last+tag@mail.evil.co.uk:-" },
	{ "<a_b-c@evil.com>", "email:a_b-c@evil.com:-" },
	{ "user[@]evil[.]com", "email:user@evil.com:def" },
	{ "user[at]evil[dot]com", "email:user@evil.com:def" },
	{ "user (at) evil (dot) com", "email:user@evil.com:def" },
	{ "mail foo [at] bar [dot] com now", "email:foo@bar.com:def" },
	{ "user@evil.com:25", "email:user@evil.com:-" },
	{ "user(@)evil.com", "email:user@evil.com:def" },
	{ "abuse@example.com", "email:abuse@example.com:doc" },
	{ "user@evil.notatld", "" },
	{ "user@localhost", "" },
	{ "mailto:user@evil.com", "email:user@evil.com:-" },
	{ "user@evil.com user@evil.com", "email:user@evil.com:-" },
	{ "send invoice.zip to a@evil.zip", "email:a@evil.zip:-" },
	/* --- hashes ------------------------------------------------------ */
	{ MD5, "md5:" MD5 ":-" },
	{ MD5_UP, "md5:" MD5 ":-" },
	{ "md5=" MD5 ".", "md5:" MD5 ":-" },
	{ SHA1, "sha1:" SHA1 ":-" },
	{ SHA256, "sha256:" SHA256 ":-" },
	{ "sha256:" SHA256 "\n", "sha256:" SHA256 ":-" },
	{ SHA512, "sha512:" SHA512 ":-" },
	{ MD5 " " SHA1, "md5:" MD5 ":-;sha1:" SHA1 ":-" },
	{ MD5 " " MD5, "md5:" MD5 ":-" },
	{ SHA256 "cafe", "" },
	{ SHA256 MD5, "" },
	{ "x" MD5, "" },
	{ MD5 "g", "" },
	{ MD5 "_", "" },
	{ "12345678901234567890123456789012", "" },
	{ "d41d8cd98f00b204e9800998ecf8427", "" },
	/* --- CVE --------------------------------------------------------- */
	{ "CVE-2024-12345", "cve:CVE-2024-12345:-" },
	{ "cve-2021-44228 (log4shell)", "cve:CVE-2021-44228:-" },
	{ "Cve-2014-0160.", "cve:CVE-2014-0160:-" },
	{ "CVE-2024-123", "" },
	{ "CVE-24-1234", "" },
	{ "XCVE-2024-1234", "" },
	{ "CVE-2024-1234,CVE-2024-1235", "cve:CVE-2024-1234:-;cve:CVE-2024-1235:-" },
	/* --- ASN --------------------------------------------------------- */
	{ "AS64500", "asn:AS64500:doc" },
	{ "AS 64500", "asn:AS64500:doc" },
	{ "ASN64500", "asn:AS64500:doc" },
	{ "AS13335 (Cloudflare)", "asn:AS13335:-" },
	{ "AS4200000001", "asn:AS4200000001:doc" },
	{ "AS4294967296", "" },
	{ "as 5 people", "" },
	{ "HAS123", "" },
	{ "AS13335 and AS 13335", "asn:AS13335:-" },
	/* --- Japanese text ----------------------------------------------- */
	{ "不審なドメイン「evil．example．co．jp」へ",
	    "domain:evil.example.co.jp:def" },
	{ "ＩＰは198.51.100.7、", "ipv4:198.51.100.7:doc" },
	{ "接続先は45.33.32.156。", "ipv4:45.33.32.156:-" },
	{ "『evil.com』", "domain:evil.com:-" },
	{ "（evil.com）", "domain:evil.com:-" },
	{ "URLは「https://evil.com/a」です", "url:https://evil.com/a:-;domain:evil.com:-" },
	{ "URLは『https://evil.com/a』", "url:https://evil.com/a:-;domain:evil.com:-" },
	{ "https://evil.com/a。次", "url:https://evil.com/a:-;domain:evil.com:-" },
	{ "https：／／evil．com／a", "url:https://evil.com/a:def;domain:evil.com:def" },
	{ "連絡先user＠evil．com、", "email:user@evil.com:def" },
	{ "1．2．3．4", "ipv4:1.2.3.4:def" },
	{ "ハッシュ" MD5 "を確認", "md5:" MD5 ":-" },
	{ "CVE-2024-12345の脆弱性", "cve:CVE-2024-12345:-" },
	/* full-width letters and digits: NFKC to ASCII, a defang */
	{ "ｌｏｇｉｎ．ｅｘａｍｐｌｅ．ｊｐへ誘導", "domain:login.example.jp:def" },
	{ "偽サイトｌｏｇｉｎ.ｅｘａｍｐｌｅ.ｊｐ", "domain:login.example.jp:def" },
	{ "ｈｔｔｐｓ：／／ｅｖｉｌ．ｃｏｍ／ａ", "url:https://evil.com/a:def;domain:evil.com:def" },
	{ "１９２．０．２．１から", "ipv4:192.0.2.1:doc,def" },
	{ "ＣＶＥ－２０２４－１２３４５", "cve:CVE-2024-12345:def" },
	{ "\xf0\x9d\x90\x9e\xf0\x9d\x90\xaf\xf0\x9d\x90\xa2\xf0\x9d\x90\xa5.com",
	    "domain:evil.com:def" },
	/* not every NFKC fold: a footnote mark is not a digit */
	{ "evil.com\xc2\xb9 and \xe2\x91\xa0.com", "domain:evil.com:-" },
	/* half-width katakana and the ideographic full stop stay text */
	{ "ｱｸｾｽevil.com。", "domain:evil.com:-" },
	/* --- mixed ------------------------------------------------------- */
	{ "", "" },
	{ "nothing to see here.", "" },
	{ "Re: [TLP:AMBER] phishing from evil[.]com via 45.33.32.156 (AS13335)",
	    "domain:evil.com:def;ipv4:45.33.32.156:-;asn:AS13335:-" },
	{ "drop " SHA256 " and hxxp://evil[.]com/x.zip CVE-2023-4863",
	    "sha256:" SHA256 ":-;url:http://evil.com/x.zip:def;"
	    "domain:evil.com:def;cve:CVE-2023-4863:-" },
	{ "evil.com and https://evil.com/", "domain:evil.com:-;url:https://evil.com/:-" },
	{ "a@evil.com evil.com", "email:a@evil.com:-;domain:evil.com:-" },
	{ "https://evil.com/a https://evil.com/a evil.com https://evil.com/a",
	    "url:https://evil.com/a:-;domain:evil.com:-" },
	{ "https://a.evil.com/ x https://b.evil.com/ https://a.evil.com/ a.evil.com",
	    "url:https://a.evil.com/:-;domain:a.evil.com:-;"
	    "url:https://b.evil.com/:-;domain:b.evil.com:-" },
};

static void
render(char *dst, size_t n, const struct indicator *v, size_t cnt)
{
	static const char *const fl[] = { "-", "doc", "def", "doc,def" };
	size_t i, used = 0;

	dst[0] = '\0';
	for (i = 0; i < cnt && used < n; i++)
		used += (size_t)snprintf(dst + used, n - used, "%s%s:%s:%s",
		    i ? ";" : "", ind_type_str(v[i].type), v[i].value,
		    fl[v[i].flags & 3]);
}

static void
test_rows(void **state)
{
	char got[4096];
	struct indicator *v;
	size_t i, n, bad = 0;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		n = extract_indicators(rows[i].in, strlen(rows[i].in), &v);
		render(got, sizeof(got), v, n);
		if (strcmp(got, rows[i].want) != 0) {
			print_error("row %zu: %s\n  want: %s\n  got:  %s\n", i,
			    rows[i].in, rows[i].want, got);
			bad++;
		}
		indicators_free(v, n);
	}
	print_message("%zu rows, %zu failed\n", i, bad);
	assert_int_equal(bad, 0);
}

/* Spans index the original input, across refanging. */
struct span_row {
	const char *in;
	size_t idx, start, end;
};

static const struct span_row spans[] = {
	{ "ip 1.2.3.4 x", 0, 3, 10 },
	{ "ip 1.2.3[.]4 x", 0, 3, 12 },
	{ "see evil [.] com!", 0, 4, 16 },
	{ "「evil．com」", 0, 3, 13 },
	{ "hxxps://evil[.]com/a)", 0, 0, 20 },
	{ "hxxps://evil[.]com/a)", 1, 8, 18 },
	{ "x evil.com. y", 0, 2, 10 },
	{ "evil.com evil.com", 0, 0, 8 },
	{ "AS 64500", 0, 0, 8 },
	{ "u[@]evil[.]com", 0, 0, 14 },
	{ "http://[2001:db8::1]/", 1, 8, 19 },
};

static void
test_spans(void **state)
{
	struct indicator *v;
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(spans) / sizeof(spans[0]); i++) {
		n = extract_indicators(spans[i].in, strlen(spans[i].in), &v);
		if (n <= spans[i].idx || v[spans[i].idx].start != spans[i].start ||
		    v[spans[i].idx].end != spans[i].end)
			fail_msg("span row %zu (%s): got %zu [%zu,%zu)", i,
			    spans[i].in, n, n > spans[i].idx ? v[spans[i].idx].start : 0,
			    n > spans[i].idx ? v[spans[i].idx].end : 0);
		indicators_free(v, n);
	}
}

/* The length bounds the scan: no reading past len, NULs are text. */
static void
test_len_bound(void **state)
{
	static const char in[] = "evil.com\0evil.net";
	struct indicator *v;
	size_t n;

	(void)state;
	n = extract_indicators(in, 6, &v);
	assert_int_equal(n, 0);
	assert_null(v);
	n = extract_indicators(in, sizeof(in) - 1, &v);
	assert_int_equal(n, 2);
	assert_string_equal(v[1].value, "evil.net");
	assert_int_equal(v[1].start, 9);
	indicators_free(v, n);
}

static void
test_type_str(void **state)
{
	(void)state;
	assert_string_equal(ind_type_str(IND_IPV4), "ipv4");
	assert_string_equal(ind_type_str(IND_SHA512), "sha512");
	assert_string_equal(ind_type_str(IND_ASN), "asn");
	assert_string_equal(ind_type_str((enum ind_type)99), "unknown");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_spans),
		cmocka_unit_test(test_len_bound),
		cmocka_unit_test(test_type_str),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
