/*
 * Unit tests for hub/conf: each case is a hub.conf text (and optionally a
 * DATA_DIR/lists text) with either the fields expected after parsing or the
 * exact error.  Fields are compared through a dump, one "name=value" line
 * per field, so a case states only what it is about, and the defaults case
 * states everything.
 *
 * Placeholders in texts: @D@ the data directory (the test's mkdtemp dir),
 * @F@ the hub.conf path, @Pn@ an absolute path n bytes long, @NUL@ a NUL
 * byte; a lists text "@DIR@" makes DATA_DIR/lists a directory.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "hub/conf.h"
#include "base/buf.h"
#include "base/xalloc.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char	 tmpdir[64];
static char	 confpath[128];
static char	 listspath[128];

struct load_case {
	const char	*name;
	const char	*conf;		/* NULL: hub.conf does not exist */
	const char	*lists;		/* NULL: no lists file */
	const char	*want;		/* lines that must be in the dump */
	const char	*error;		/* or the exact error */
	bool		 exact;		/* want is the whole dump */
};

#define OK(n, c, w)		{ n, c, NULL, w, NULL, false }
#define OK_LISTS(n, c, l, w)	{ n, c, l, w, NULL, false }
#define BAD(n, c, e)		{ n, c, NULL, NULL, e, false }
#define BAD_LISTS(n, c, l, e)	{ n, c, l, NULL, e, false }

#define BASE	"data_dir = @D@\ndomain = hub.example\n"

static const struct load_case load_cases[] = {
	/* Defaults: every field, so a changed default fails here. */
	{ "minimal gets every default", BASE, NULL,
	    "path=@F@\n"
	    "data_dir=@D@\n"
	    "domain=hub.example\n"
	    "hostname=hub.example\n"
	    "pidfile=@D@/hubd.pid\n"
	    "user=(null)\n"
	    "nlisten=1\n"
	    "listen0=smtp 127.0.0.1 2525 spec=smtp:127.0.0.1:2525\n"
	    "smarthost=127.0.0.1 25\n"
	    "workers=2\n"
	    "max_message_size=26214400\n"
	    "max_recipients=100\n"
	    "max_connections=100\n"
	    "max_line_length=1000\n"
	    "max_errors=10\n"
	    "timeout_command=300\n"
	    "timeout_session=3600\n"
	    "shutdown_timeout=30\n"
	    "relay_connections=2\n"
	    "relay_lifetime=432000\n"
	    "relay_retry=60\n"
	    "relay_connect_timeout=30\n"
	    "relay_helo_timeout=300\n"
	    "relay_envelope_timeout=300\n"
	    "relay_data_init_timeout=120\n"
	    "relay_data_xfer_timeout=180\n"
	    "relay_data_done_timeout=600\n"
	    "smarthost_tls=no\n"
	    "smarthost_user=(null)\n"
	    "smarthost_password_file=(null)\n"
	    "worker_timeout=600\n"
	    "worker_attempts=3\n"
	    "worker_retry=30\n"
	    "worker_retry_max=3600\n"
	    "worker_retry_attempts=10\n"
	    "queue_minfree=104857600\n"
	    "nlists=0\n"
	    "lists=\n", NULL, true },
	{ "every key set", BASE
	    "hostname = mx.hub.example\n"
	    "pidfile = /run/hubd.pid\n"
	    "user = _hubnet\n"
	    "listen = smtp:0.0.0.0:25\n"
	    "listen = lmtp:unix:/run/hub/lmtp.sock\n"
	    "smarthost = relay.example:587\n"
	    "workers = 8\n"
	    "max_message_size = 10M\n"
	    "max_recipients = 500\n"
	    "max_connections = 1000\n"
	    "max_line_length = 2K\n"
	    "max_errors = 3\n"
	    "timeout_command = 5m\n"
	    "timeout_session = 2h\n"
	    "shutdown_timeout = 10s\n"
	    "relay_connections = 8\n"
	    "relay_lifetime = 2d\n"
	    "relay_retry = 5m\n"
	    "relay_connect_timeout = 10s\n"
	    "relay_helo_timeout = 2m\n"
	    "relay_envelope_timeout = 4m\n"
	    "relay_data_init_timeout = 1m\n"
	    "relay_data_xfer_timeout = 90\n"
	    "relay_data_done_timeout = 1h\n"
	    "smarthost_tls = require\n"
	    "smarthost_user = hub@relay.example\n"
	    "smarthost_password_file = /etc/csirt-hub/smarthost.pw\n"
	    "worker_timeout = 15m\n"
	    "worker_attempts = 5\n"
	    "list = ops\n"
	    "list = abuse\n", NULL,
	    "path=@F@\n"
	    "data_dir=@D@\n"
	    "domain=hub.example\n"
	    "hostname=mx.hub.example\n"
	    "pidfile=/run/hubd.pid\n"
	    "user=_hubnet\n"
	    "nlisten=2\n"
	    "listen0=smtp 0.0.0.0 25 spec=smtp:0.0.0.0:25\n"
	    "listen1=lmtp unix /run/hub/lmtp.sock "
	    "spec=lmtp:unix:/run/hub/lmtp.sock\n"
	    "smarthost=relay.example 587\n"
	    "workers=8\n"
	    "max_message_size=10485760\n"
	    "max_recipients=500\n"
	    "max_connections=1000\n"
	    "max_line_length=2048\n"
	    "max_errors=3\n"
	    "timeout_command=300\n"
	    "timeout_session=7200\n"
	    "shutdown_timeout=10\n"
	    "relay_connections=8\n"
	    "relay_lifetime=172800\n"
	    "relay_retry=300\n"
	    "relay_connect_timeout=10\n"
	    "relay_helo_timeout=120\n"
	    "relay_envelope_timeout=240\n"
	    "relay_data_init_timeout=60\n"
	    "relay_data_xfer_timeout=90\n"
	    "relay_data_done_timeout=3600\n"
	    "smarthost_tls=require\n"
	    "smarthost_user=hub@relay.example\n"
	    "smarthost_password_file=/etc/csirt-hub/smarthost.pw\n"
	    "worker_timeout=900\n"
	    "worker_attempts=5\n"
	    "worker_retry=30\n"
	    "worker_retry_max=3600\n"
	    "worker_retry_attempts=10\n"
	    "queue_minfree=104857600\n"
	    "nlists=2\n"
	    "lists=abuse,ops\n", NULL, true },

	/* EXAMPLES in man/hub.conf.5, but for data_dir: keep them in step. */
	{ "man page example", "# csirt-hub for the example CSIRT community\n"
	    "data_dir  = @D@  # spool, keys, lists file\n"
	    "domain    = lists.cert.example\n"
	    "hostname  = mx1.cert.example\n"
	    "pidfile   = /run/hubd.pid\n"
	    "user      = _hubnet\n"
	    "\n"
	    "listen    = smtp:192.0.2.10:25\n"
	    "listen    = smtp:[2001:db8::10]:25\n"
	    "listen    = lmtp:unix:/run/csirt-hub/lmtp.sock\n"
	    "smarthost = [2001:db8::25]:587\n"
	    "\n"
	    "list      = ops\n"
	    "list      = vuln-disclosure\n"
	    "\n"
	    "workers          = 4\n"
	    "max_message_size = 50M\n"
	    "max_recipients   = 200\n"
	    "max_connections  = 300\n"
	    "max_line_length  = 1000\n"
	    "max_errors       = 5\n"
	    "timeout_command  = 5m\n"
	    "timeout_session  = 1h\n"
	    "shutdown_timeout = 1m\n",
	    "# one list name per line\n"
	    "abuse\n"
	    "phishing   # reports from the banks\n",
	    "path=@F@\n"
	    "data_dir=@D@\n"
	    "domain=lists.cert.example\n"
	    "hostname=mx1.cert.example\n"
	    "pidfile=/run/hubd.pid\n"
	    "user=_hubnet\n"
	    "nlisten=3\n"
	    "listen0=smtp 192.0.2.10 25 spec=smtp:192.0.2.10:25\n"
	    "listen1=smtp 2001:db8::10 25 spec=smtp:[2001:db8::10]:25\n"
	    "listen2=lmtp unix /run/csirt-hub/lmtp.sock "
	    "spec=lmtp:unix:/run/csirt-hub/lmtp.sock\n"
	    "smarthost=2001:db8::25 587\n"
	    "workers=4\n"
	    "max_message_size=52428800\n"
	    "max_recipients=200\n"
	    "max_connections=300\n"
	    "max_line_length=1000\n"
	    "max_errors=5\n"
	    "timeout_command=300\n"
	    "timeout_session=3600\n"
	    "shutdown_timeout=60\n"
	    "relay_connections=2\n"
	    "relay_lifetime=432000\n"
	    "relay_retry=60\n"
	    "relay_connect_timeout=30\n"
	    "relay_helo_timeout=300\n"
	    "relay_envelope_timeout=300\n"
	    "relay_data_init_timeout=120\n"
	    "relay_data_xfer_timeout=180\n"
	    "relay_data_done_timeout=600\n"
	    "smarthost_tls=no\n"
	    "smarthost_user=(null)\n"
	    "smarthost_password_file=(null)\n"
	    "worker_timeout=600\n"
	    "worker_attempts=3\n"
	    "worker_retry=30\n"
	    "worker_retry_max=3600\n"
	    "worker_retry_attempts=10\n"
	    "queue_minfree=104857600\n"
	    "nlists=4\n"
	    "lists=abuse,ops,phishing,vuln-disclosure\n", NULL, true },

	/* Syntax: comments, blank lines, whitespace. */
	OK("comments and blank lines",
	    "# hub.conf\n\n   # indented comment\n\t\n"
	    "data_dir = @D@   # trailing comment\n"
	    "domain = hub.example\t# after a tab\n#last",
	    "data_dir=@D@\ndomain=hub.example\n"),
	OK("no whitespace around '='", "data_dir=@D@\ndomain=hub.example\n",
	    "data_dir=@D@\ndomain=hub.example\n"),
	OK("whitespace around key and value",
	    "  \tdata_dir \t =\t  @D@ \t\n domain=  hub.example  \n",
	    "data_dir=@D@\ndomain=hub.example\n"),
	OK("CRLF line ends", "data_dir = @D@\r\ndomain = hub.example\r\n",
	    "data_dir=@D@\ndomain=hub.example\n"),
	OK("no final newline", "data_dir = @D@\ndomain = hub.example",
	    "domain=hub.example\n"),
	OK("'#' inside a value is kept", BASE
	    "listen = lmtp:unix:/tmp/a#b # but this goes\n",
	    "listen0=lmtp unix /tmp/a#b spec=lmtp:unix:/tmp/a#b\n"),
	BAD("'#' right after '=' is part of the value", BASE "pidfile =#x\n",
	    "@F@:3: pidfile: \"#x\" is not an absolute path"),

	/* data_dir */
	OK("data_dir trailing slashes dropped",
	    "data_dir = @D@//\ndomain = hub.example\n",
	    "data_dir=@D@\npidfile=@D@/hubd.pid\n"),
	OK("data_dir root", "data_dir = /\ndomain = hub.example\n",
	    "data_dir=/\npidfile=/hubd.pid\n"),
	OK("data_dir need not exist",
	    "data_dir = /nonexistent/hub\ndomain = hub.example\n",
	    "data_dir=/nonexistent/hub\npidfile=/nonexistent/hub/hubd.pid\n"),
	OK("data_dir of 1023 bytes", "data_dir = @P1023@\ndomain = x.example\n",
	    "data_dir=@P1023@\n"),
	BAD("data_dir relative", "data_dir = var/hub\ndomain = hub.example\n",
	    "@F@:1: data_dir: \"var/hub\" is not an absolute path"),
	BAD("data_dir dot", "domain = hub.example\ndata_dir = .\n",
	    "@F@:2: data_dir: \".\" is not an absolute path"),
	BAD("data_dir of 1024 bytes", "data_dir = @P1024@\n",
	    "@F@:1: data_dir: path longer than 1023 bytes"),

	/* Required keys: reported on line 0, not tied to any line. */
	BAD("empty file", "", "@F@:0: missing required key data_dir"),
	BAD("only comments", "# nothing\n\n",
	    "@F@:0: missing required key data_dir"),
	BAD("missing data_dir", "domain = hub.example\nworkers = 3\n",
	    "@F@:0: missing required key data_dir"),
	BAD("missing domain", "data_dir = @D@\nworkers = 3\n",
	    "@F@:0: missing required key domain"),
	BAD("missing file", NULL, "@F@:0: No such file or directory"),

	/* Line syntax */
	BAD("unknown key", BASE "\ncolour = blue\n",
	    "@F@:4: unknown key \"colour\""),
	BAD("keys are case-sensitive", BASE "Workers = 2\n",
	    "@F@:3: unknown key \"Workers\""),
	BAD("key with a space", BASE "max errors = 2\n",
	    "@F@:3: unknown key \"max errors\""),
	BAD("unprintable key quoted safely", BASE "wor\x01kers = 2\n",
	    "@F@:3: unknown key \"wor?kers\""),
	BAD("missing '='", "data_dir @D@\n",
	    "@F@:1: missing '=' (expected \"key = value\")"),
	BAD("missing '=' after a good line", BASE "workers\n",
	    "@F@:3: missing '=' (expected \"key = value\")"),
	BAD("missing key", BASE " = 3\n", "@F@:3: missing key before '='"),
	BAD("missing value", BASE "workers =\n",
	    "@F@:3: workers: missing value"),
	BAD("value only a comment", BASE "workers = # two\n",
	    "@F@:3: workers: missing value"),
	BAD("NUL byte", BASE "workers = 2@NUL@\n", "@F@:3: NUL byte in line"),
	BAD("repeated key", BASE "workers = 2\n\nworkers = 3\n",
	    "@F@:5: workers: repeated key (first set on line 3)"),
	BAD("repeated domain", BASE "domain = hub.example\n",
	    "@F@:3: domain: repeated key (first set on line 2)"),
	BAD("repeated data_dir", BASE "data_dir = @D@\n",
	    "@F@:3: data_dir: repeated key (first set on line 1)"),
	BAD("repeated key with a bad first value", BASE "smarthost = x:1\n"
	    "smarthost = y:2\n",
	    "@F@:4: smarthost: repeated key (first set on line 3)"),
	BAD("first error wins", BASE "colour = x\nworkers = 0\n",
	    "@F@:3: unknown key \"colour\""),

	/* domain and hostname */
	OK("domain lowercased", "data_dir = @D@\ndomain = Hub.EXAMPLE.org\n",
	    "domain=hub.example.org\nhostname=hub.example.org\n"),
	OK("domain single label", "data_dir = @D@\ndomain = localhost\n",
	    "domain=localhost\n"),
	OK("domain digits and hyphens",
	    "data_dir = @D@\ndomain = 1st-cert.x-y.example\n",
	    "domain=1st-cert.x-y.example\n"),
	OK("domain label of 63",
	    "data_dir = @D@\ndomain = "
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    ".example\n",
	    "domain="
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    ".example\n"),
	BAD("domain label of 64",
	    "data_dir = @D@\ndomain = "
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    ".example\n",
	    "@F@:2: domain: \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaa\"... is not a domain name: label longer than 63 "
	    "characters"),
	BAD("domain leading dot", "data_dir = @D@\ndomain = .hub.example\n",
	    "@F@:2: domain: \".hub.example\" is not a domain name: empty label "
	    "(leading, trailing or double dot)"),
	BAD("domain trailing dot", "data_dir = @D@\ndomain = hub.example.\n",
	    "@F@:2: domain: \"hub.example.\" is not a domain name: empty label "
	    "(leading, trailing or double dot)"),
	BAD("domain double dot", "data_dir = @D@\ndomain = hub..example\n",
	    "@F@:2: domain: \"hub..example\" is not a domain name: empty label "
	    "(leading, trailing or double dot)"),
	BAD("domain leading hyphen", "data_dir = @D@\ndomain = -hub.example\n",
	    "@F@:2: domain: \"-hub.example\" is not a domain name: label "
	    "starts or ends with '-'"),
	BAD("domain trailing hyphen", "data_dir = @D@\ndomain = hub-.example\n",
	    "@F@:2: domain: \"hub-.example\" is not a domain name: label "
	    "starts or ends with '-'"),
	BAD("domain underscore", "data_dir = @D@\ndomain = hub_x.example\n",
	    "@F@:2: domain: \"hub_x.example\" is not a domain name: invalid "
	    "character (letters, digits, '-' and '.' only)"),
	BAD("domain with a space", "data_dir = @D@\ndomain = hub example\n",
	    "@F@:2: domain: \"hub example\" is not a domain name: invalid "
	    "character (letters, digits, '-' and '.' only)"),
	BAD("domain an address", "data_dir = @D@\ndomain = 192.0.2.1\n",
	    "@F@:2: domain: \"192.0.2.1\" is not a domain name: top-level "
	    "label is all digits"),
	OK("hostname set and lowercased", BASE "hostname = MX1.Hub.Example\n",
	    "hostname=mx1.hub.example\ndomain=hub.example\n"),
	BAD("hostname bad", BASE "hostname = mx..hub.example\n",
	    "@F@:3: hostname: \"mx..hub.example\" is not a domain name: empty "
	    "label (leading, trailing or double dot)"),

	/* pidfile and user */
	OK("pidfile absolute", BASE "pidfile = /run/hub/hubd.pid\n",
	    "pidfile=/run/hub/hubd.pid\n"),
	BAD("pidfile relative", BASE "pidfile = hubd.pid\n",
	    "@F@:3: pidfile: \"hubd.pid\" is not an absolute path"),
	BAD("pidfile a directory", BASE "pidfile = /run/\n",
	    "@F@:3: pidfile: \"/run/\" names a directory"),
	OK("user", BASE "user = hub-net.1_x\n", "user=hub-net.1_x\n"),
	OK("user of 32", BASE "user = abcdefghijklmnopqrstuvwxyz012345\n",
	    "user=abcdefghijklmnopqrstuvwxyz012345\n"),
	BAD("user of 33", BASE "user = abcdefghijklmnopqrstuvwxyz0123456\n",
	    "@F@:3: user: \"abcdefghijklmnopqrstuvwxyz0123456\" is not a user "
	    "name (at most 32 of A-Z a-z 0-9 . _ -, not starting with '-')"),
	BAD("user leading hyphen", BASE "user = -hub\n",
	    "@F@:3: user: \"-hub\" is not a user name (at most 32 of A-Z a-z "
	    "0-9 . _ -, not starting with '-')"),
	BAD("user with a colon", BASE "user = hub:hub\n",
	    "@F@:3: user: \"hub:hub\" is not a user name (at most 32 of A-Z "
	    "a-z 0-9 . _ -, not starting with '-')"),

	/* listen */
	OK("listen smtp IPv4", BASE "listen = smtp:127.0.0.1:2525\n",
	    "nlisten=1\n"
	    "listen0=smtp 127.0.0.1 2525 spec=smtp:127.0.0.1:2525\n"),
	OK("listen lmtp IPv4", BASE "listen = lmtp:127.0.0.1:24\n",
	    "nlisten=1\nlisten0=lmtp 127.0.0.1 24 spec=lmtp:127.0.0.1:24\n"),
	OK("listen smtp IPv6", BASE "listen = smtp:[::1]:2525\n",
	    "nlisten=1\nlisten0=smtp ::1 2525 spec=smtp:[::1]:2525\n"),
	OK("listen lmtp unix", BASE "listen = lmtp:unix:/run/hub/lmtp\n",
	    "nlisten=1\nlisten0=lmtp unix /run/hub/lmtp "
	    "spec=lmtp:unix:/run/hub/lmtp\n"),
	OK("listen host name", BASE "listen = smtp:localhost:25\n",
	    "listen0=smtp localhost 25 spec=smtp:localhost:25\n"),
	OK("listen port 0 (ephemeral)", BASE "listen = smtp:127.0.0.1:0\n",
	    "listen0=smtp 127.0.0.1 0 spec=smtp:127.0.0.1:0\n"),
	OK("listen port 65535", BASE "listen = smtp:127.0.0.1:65535\n",
	    "listen0=smtp 127.0.0.1 65535 spec=smtp:127.0.0.1:65535\n"),
	OK("listen port normalised, spec as written",
	    BASE "listen = smtp:127.0.0.1:02525\n",
	    "listen0=smtp 127.0.0.1 2525 spec=smtp:127.0.0.1:02525\n"),
	OK("listen unix path of 107 bytes", BASE "listen = lmtp:unix:@P107@\n",
	    "listen0=lmtp unix @P107@ spec=lmtp:unix:@P107@\n"),
	OK("listen lines accumulate in order, replacing the default",
	    BASE "listen = lmtp:127.0.0.1:24\nworkers = 1\n"
	    "listen = smtp:[::1]:25\nlisten = lmtp:unix:/s\n",
	    "nlisten=3\n"
	    "listen0=lmtp 127.0.0.1 24 spec=lmtp:127.0.0.1:24\n"
	    "listen1=smtp ::1 25 spec=smtp:[::1]:25\n"
	    "listen2=lmtp unix /s spec=lmtp:unix:/s\n"),
	OK("two ephemeral listeners", BASE "listen = smtp:127.0.0.1:0\n"
	    "listen = smtp:127.0.0.1:0\n", "nlisten=2\n"),
	OK("same address, both protocols", BASE "listen = smtp:127.0.0.1:25\n"
	    "listen = lmtp:127.0.0.1:25\n", "nlisten=2\n"),
	BAD("listen bad protocol", BASE "listen = ftp:127.0.0.1:21\n",
	    "@F@:3: listen: \"ftp:127.0.0.1:21\": expected smtp:HOST:PORT, "
	    "lmtp:HOST:PORT or lmtp:unix:PATH"),
	BAD("listen protocol is case-sensitive",
	    BASE "listen = SMTP:[::1]:25\n",
	    "@F@:3: listen: \"SMTP:[::1]:25\": expected smtp:HOST:PORT, "
	    "lmtp:HOST:PORT or lmtp:unix:PATH"),
	BAD("listen without protocol", BASE "listen = 127.0.0.1:25\n",
	    "@F@:3: listen: \"127.0.0.1:25\": expected smtp:HOST:PORT, "
	    "lmtp:HOST:PORT or lmtp:unix:PATH"),
	BAD("listen missing port", BASE "listen = smtp:127.0.0.1\n",
	    "@F@:3: listen: \"smtp:127.0.0.1\": missing port"),
	BAD("listen IPv6 missing port", BASE "listen = smtp:[::1]\n",
	    "@F@:3: listen: \"smtp:[::1]\": missing port"),
	BAD("listen empty port", BASE "listen = smtp:127.0.0.1:\n",
	    "@F@:3: listen: \"smtp:127.0.0.1:\": port must be a number from 0 "
	    "to 65535"),
	BAD("listen port 65536", BASE "listen = smtp:127.0.0.1:65536\n",
	    "@F@:3: listen: \"smtp:127.0.0.1:65536\": port must be a number "
	    "from 0 to 65535"),
	BAD("listen port negative", BASE "listen = smtp:127.0.0.1:-1\n",
	    "@F@:3: listen: \"smtp:127.0.0.1:-1\": port must be a number "
	    "from 0 to 65535"),
	BAD("listen port garbage", BASE "listen = smtp:127.0.0.1:25x\n",
	    "@F@:3: listen: \"smtp:127.0.0.1:25x\": port must be a number from "
	    "0 to 65535"),
	BAD("listen port service name", BASE "listen = smtp:127.0.0.1:smtp\n",
	    "@F@:3: listen: \"smtp:127.0.0.1:smtp\": port must be a number "
	    "from 0 to 65535"),
	BAD("listen empty host", BASE "listen = smtp::25\n",
	    "@F@:3: listen: \"smtp::25\": empty host"),
	BAD("listen bad IPv4", BASE "listen = smtp:127.0.0.256:25\n",
	    "@F@:3: listen: \"smtp:127.0.0.256:25\": not an IPv4 address"),
	BAD("listen bad host name", BASE "listen = smtp:bad_host:25\n",
	    "@F@:3: listen: \"smtp:bad_host:25\": invalid character (letters, "
	    "digits, '-' and '.' only)"),
	BAD("listen IPv6 without brackets", BASE "listen = smtp:::1:25\n",
	    "@F@:3: listen: \"smtp:::1:25\": an IPv6 address must be in "
	    "brackets"),
	BAD("listen IPv6 missing ']'", BASE "listen = smtp:[::1:25\n",
	    "@F@:3: listen: \"smtp:[::1:25\": missing ']'"),
	BAD("listen IPv6 missing ':'", BASE "listen = smtp:[::1]25\n",
	    "@F@:3: listen: \"smtp:[::1]25\": expected ':' after ']'"),
	BAD("listen IPv4 in brackets", BASE "listen = smtp:[127.0.0.1]:25\n",
	    "@F@:3: listen: \"smtp:[127.0.0.1]:25\": not an IPv6 address"),
	BAD("listen unix for smtp", BASE "listen = smtp:unix:/x\n",
	    "@F@:3: listen: \"smtp:unix:/x\": unix sockets are for lmtp only"),
	BAD("listen unix relative", BASE "listen = lmtp:unix:run/lmtp\n",
	    "@F@:3: listen: \"lmtp:unix:run/lmtp\": unix socket path must be "
	    "absolute"),
	BAD("listen unix empty path", BASE "listen = lmtp:unix:\n",
	    "@F@:3: listen: \"lmtp:unix:\": unix socket path must be absolute"),
	BAD("listen unix path of 108 bytes", BASE "listen = lmtp:unix:@P108@\n",
	    "@F@:3: listen: unix socket path longer than 107 bytes"),
	BAD("listen repeated", BASE "listen = smtp:127.0.0.1:25\n"
	    "listen = lmtp:127.0.0.1:24\nlisten = smtp:127.0.0.1:025\n",
	    "@F@:5: listen: \"smtp:127.0.0.1:025\" repeats line 3"),
	BAD("listen unix repeated", BASE "listen = lmtp:unix:/s\n"
	    "listen = lmtp:unix:/s\n",
	    "@F@:4: listen: \"lmtp:unix:/s\" repeats line 3"),

	/* smarthost */
	OK("smarthost name:port", BASE "smarthost = Relay.example:587\n",
	    "smarthost=Relay.example 587\n"),
	OK("smarthost IPv4", BASE "smarthost = 192.0.2.25:2525\n",
	    "smarthost=192.0.2.25 2525\n"),
	OK("smarthost IPv6", BASE "smarthost = [2001:db8::25]:25\n",
	    "smarthost=2001:db8::25 25\n"),
	OK("smarthost without port", BASE "smarthost = relay.example\n",
	    "smarthost=relay.example 25\n"),
	OK("smarthost IPv6 without port", BASE "smarthost = [::1]\n",
	    "smarthost=::1 25\n"),
	BAD("smarthost port 0", BASE "smarthost = relay.example:0\n",
	    "@F@:3: smarthost: \"relay.example:0\": port must be a number from "
	    "1 to 65535"),
	BAD("smarthost port too big", BASE "smarthost = relay.example:99999\n",
	    "@F@:3: smarthost: \"relay.example:99999\": port must be a number "
	    "from 1 to 65535"),
	BAD("smarthost IPv6 without brackets", BASE "smarthost = ::1\n",
	    "@F@:3: smarthost: \"::1\": an IPv6 address must be in brackets"),
	BAD("smarthost bad IPv6", BASE "smarthost = [::g]:25\n",
	    "@F@:3: smarthost: \"[::g]:25\": not an IPv6 address"),
	BAD("smarthost empty host", BASE "smarthost = :25\n",
	    "@F@:3: smarthost: \":25\": empty host"),

	/* numbers */
	OK("workers 1", BASE "workers = 1\n", "workers=1\n"),
	OK("workers 64", BASE "workers = 64\n", "workers=64\n"),
	BAD("workers 0", BASE "workers = 0\n",
	    "@F@:3: workers: \"0\" is not a number from 1 to 64"),
	BAD("workers 65", BASE "workers = 65\n",
	    "@F@:3: workers: \"65\" is not a number from 1 to 64"),
	BAD("workers negative", BASE "workers = -1\n",
	    "@F@:3: workers: \"-1\" is not a number from 1 to 64"),
	BAD("workers plus", BASE "workers = +2\n",
	    "@F@:3: workers: \"+2\" is not a number from 1 to 64"),
	BAD("workers two words", BASE "workers = 2 2\n",
	    "@F@:3: workers: \"2 2\" is not a number from 1 to 64"),
	BAD("workers word", BASE "workers = two\n",
	    "@F@:3: workers: \"two\" is not a number from 1 to 64"),
	BAD("workers overflow", BASE "workers = 99999999999999999999999\n",
	    "@F@:3: workers: \"99999999999999999999999\" is not a number from "
	    "1 to 64"),
	OK("counts at their bounds", BASE "max_recipients = 1\n"
	    "max_connections = 65535\nmax_errors = 1\n",
	    "max_recipients=1\nmax_connections=65535\nmax_errors=1\n"),
	BAD("max_recipients 0", BASE "max_recipients = 0\n",
	    "@F@:3: max_recipients: \"0\" is not a number from 1 to 1000"),
	OK("max_recipients at its bound", BASE "max_recipients = 1000\n",
	    "max_recipients=1000\n"),
	BAD("max_recipients 1001", BASE "max_recipients = 1001\n",
	    "@F@:3: max_recipients: \"1001\" is not a number from 1 to 1000"),
	BAD("max_connections 65536", BASE "max_connections = 65536\n",
	    "@F@:3: max_connections: \"65536\" is not a number from 1 to "
	    "65535"),
	BAD("max_errors 0", BASE "max_errors = 0\n",
	    "@F@:3: max_errors: \"0\" is not a number from 1 to 65535"),
	BAD("max_errors with a unit", BASE "max_errors = 1K\n",
	    "@F@:3: max_errors: \"1K\" is not a number from 1 to 65535"),

	/* sizes */
	OK("size plain", BASE "max_message_size = 1000\n",
	    "max_message_size=1000\n"),
	OK("size K", BASE "max_message_size = 512K\n",
	    "max_message_size=524288\n"),
	OK("size M", BASE "max_message_size = 25M\n",
	    "max_message_size=26214400\n"),
	OK("size G", BASE "max_message_size = 1G\n",
	    "max_message_size=1073741824\n"),
	BAD("size over 1G", BASE "max_message_size = 2G\n",
	    "@F@:3: max_message_size: \"2G\" is out of range (1 to "
	    "1073741824 bytes)"),
	OK("size lowercase unit", BASE "max_message_size = 3m\n",
	    "max_message_size=3145728\n"),
	OK("max_line_length bounds", BASE "max_line_length = 1M\n",
	    "max_line_length=1048576\n"),
	BAD("size 0", BASE "max_message_size = 0\n",
	    "@F@:3: max_message_size: \"0\" is not a size (N, NK, NM or NG, "
	    "not 0)"),
	BAD("size 0M", BASE "max_message_size = 0M\n",
	    "@F@:3: max_message_size: \"0M\" is not a size (N, NK, NM or NG, "
	    "not 0)"),
	BAD("size MB", BASE "max_message_size = 25MB\n",
	    "@F@:3: max_message_size: \"25MB\" is not a size (N, NK, NM or NG, "
	    "not 0)"),
	BAD("size space before unit", BASE "max_message_size = 25 M\n",
	    "@F@:3: max_message_size: \"25 M\" is not a size (N, NK, NM or NG, "
	    "not 0)"),
	BAD("size fraction", BASE "max_message_size = 1.5M\n",
	    "@F@:3: max_message_size: \"1.5M\" is not a size (N, NK, NM or NG, "
	    "not 0)"),
	BAD("size garbage", BASE "max_message_size = big\n",
	    "@F@:3: max_message_size: \"big\" is not a size (N, NK, NM or NG, "
	    "not 0)"),
	BAD("size overflow", BASE "max_message_size = 99999999999999999999G\n",
	    "@F@:3: max_message_size: \"99999999999999999999G\" is not a size "
	    "(N, NK, NM or NG, not 0)"),
	BAD("max_line_length below RFC 5321", BASE "max_line_length = 999\n",
	    "@F@:3: max_line_length: \"999\" is out of range (1000 to 1048576 "
	    "bytes)"),
	BAD("max_line_length too big", BASE "max_line_length = 2M\n",
	    "@F@:3: max_line_length: \"2M\" is out of range (1000 to 1048576 "
	    "bytes)"),

	/* durations */
	OK("durations", BASE "timeout_command = 30\ntimeout_session = 1d\n"
	    "shutdown_timeout = 30s\n",
	    "timeout_command=30\ntimeout_session=86400\nshutdown_timeout=30\n"),
	OK("durations m h", BASE "timeout_command = 5m\ntimeout_session = 2h\n",
	    "timeout_command=300\ntimeout_session=7200\n"),
	OK("shutdown_timeout 0 closes at once", BASE "shutdown_timeout = 0\n",
	    "shutdown_timeout=0\n"),
	OK("durations at 7d", BASE "timeout_session = 7d\n"
	    "timeout_command = 604800s\n",
	    "timeout_session=604800\ntimeout_command=604800\n"),
	BAD("timeout_command 0", BASE "timeout_command = 0\n",
	    "@F@:3: timeout_command: \"0\" is out of range (1 to 604800 "
	    "seconds)"),
	BAD("timeout_session 0s", BASE "timeout_session = 0s\n",
	    "@F@:3: timeout_session: \"0s\" is out of range (1 to 604800 "
	    "seconds)"),
	BAD("duration over 7d", BASE "shutdown_timeout = 8d\n",
	    "@F@:3: shutdown_timeout: \"8d\" is out of range (0 to 604800 "
	    "seconds)"),
	BAD("duration overflow", BASE "timeout_command = 49711d\n",
	    "@F@:3: timeout_command: \"49711d\" is not a duration (N, Ns, Nm, "
	    "Nh or Nd)"),
	BAD("duration uppercase unit", BASE "timeout_command = 5M\n",
	    "@F@:3: timeout_command: \"5M\" is not a duration (N, Ns, Nm, "
	    "Nh or Nd)"),
	BAD("duration unknown unit", BASE "timeout_command = 1w\n",
	    "@F@:3: timeout_command: \"1w\" is not a duration (N, Ns, Nm, "
	    "Nh or Nd)"),
	BAD("duration negative", BASE "shutdown_timeout = -1\n",
	    "@F@:3: shutdown_timeout: \"-1\" is not a duration (N, Ns, Nm, Nh "
	    "or Nd)"),

	/* relay and worker keys */
	OK("relay_connections bounds", BASE "relay_connections = 32\n",
	    "relay_connections=32\n"),
	OK("relay_connections 1", BASE "relay_connections = 1\n",
	    "relay_connections=1\n"),
	BAD("relay_connections 0", BASE "relay_connections = 0\n",
	    "@F@:3: relay_connections: \"0\" is not a number from 1 to 32"),
	BAD("relay_connections 33", BASE "relay_connections = 33\n",
	    "@F@:3: relay_connections: \"33\" is not a number from 1 to 32"),
	BAD("relay_connections word", BASE "relay_connections = many\n",
	    "@F@:3: relay_connections: \"many\" is not a number from 1 to "
	    "32"),
	OK("relay_lifetime days", BASE "relay_lifetime = 30d\n",
	    "relay_lifetime=2592000\n"),
	OK("relay_lifetime seconds", BASE "relay_lifetime = 1\n",
	    "relay_lifetime=1\n"),
	BAD("relay_lifetime 0", BASE "relay_lifetime = 0\n",
	    "@F@:3: relay_lifetime: \"0\" is out of range (1 to 2592000 "
	    "seconds)"),
	BAD("relay_lifetime 31d", BASE "relay_lifetime = 31d\n",
	    "@F@:3: relay_lifetime: \"31d\" is out of range (1 to 2592000 "
	    "seconds)"),
	BAD("relay_lifetime weeks", BASE "relay_lifetime = 1w\n",
	    "@F@:3: relay_lifetime: \"1w\" is not a duration (N, Ns, Nm, Nh "
	    "or Nd)"),
	OK("worker_retry", BASE "worker_retry = 2m\n", "worker_retry=120\n"),
	BAD("worker_retry 0", BASE "worker_retry = 0\n",
	    "@F@:3: worker_retry: \"0\" is out of range (1 to 86400 seconds)"),
	OK("worker_retry_max", BASE "worker_retry_max = 2h\n",
	    "worker_retry_max=7200\n"),
	OK("worker_retry_attempts", BASE "worker_retry_attempts = 3\n",
	    "worker_retry_attempts=3\n"),
	BAD("worker_retry_attempts 0", BASE "worker_retry_attempts = 0\n",
	    "@F@:3: worker_retry_attempts: \"0\" is not a number from 1 to 1000"),
	OK("queue_minfree", BASE "queue_minfree = 1G\n",
	    "queue_minfree=1073741824\n"),
	OK("queue_minfree off", BASE "queue_minfree = 0\n",
	    "queue_minfree=0\n"),
	BAD("queue_minfree garbage", BASE "queue_minfree = lots\n",
	    "@F@:3: queue_minfree: \"lots\" is not a size (0, N, NK, NM or "
	    "NG)"),
	OK("relay_retry 1h", BASE "relay_retry = 1h\n", "relay_retry=3600\n"),
	OK("relay_retry 1s", BASE "relay_retry = 1s\n", "relay_retry=1\n"),
	BAD("relay_retry 0", BASE "relay_retry = 0\n",
	    "@F@:3: relay_retry: \"0\" is out of range (1 to 3600 seconds)"),
	BAD("relay_retry over 1h", BASE "relay_retry = 61m\n",
	    "@F@:3: relay_retry: \"61m\" is out of range (1 to 3600 "
	    "seconds)"),
	BAD("relay_retry garbage", BASE "relay_retry = soon\n",
	    "@F@:3: relay_retry: \"soon\" is not a duration (N, Ns, Nm, Nh "
	    "or Nd)"),
	/* SMTP timeouts: 1 s (tests, below RFC 5321's minimums) to 1 h. */
	OK("relay timeouts at 1s", BASE "relay_connect_timeout = 1\n"
	    "relay_helo_timeout = 1s\nrelay_envelope_timeout = 1\n"
	    "relay_data_init_timeout = 1\nrelay_data_xfer_timeout = 1\n"
	    "relay_data_done_timeout = 1s\n",
	    "relay_connect_timeout=1\nrelay_helo_timeout=1\n"
	    "relay_envelope_timeout=1\nrelay_data_init_timeout=1\n"
	    "relay_data_xfer_timeout=1\nrelay_data_done_timeout=1\n"),
	OK("relay timeouts at 1h", BASE "relay_connect_timeout = 1h\n"
	    "relay_helo_timeout = 60m\nrelay_envelope_timeout = 3600\n"
	    "relay_data_init_timeout = 3600s\nrelay_data_xfer_timeout = 1h\n"
	    "relay_data_done_timeout = 1h\n",
	    "relay_connect_timeout=3600\nrelay_helo_timeout=3600\n"
	    "relay_envelope_timeout=3600\nrelay_data_init_timeout=3600\n"
	    "relay_data_xfer_timeout=3600\nrelay_data_done_timeout=3600\n"),
	OK("relay timeout alone, the others default", BASE
	    "relay_data_done_timeout = 15m\n",
	    "relay_connect_timeout=30\nrelay_helo_timeout=300\n"
	    "relay_data_done_timeout=900\n"),
	BAD("relay_connect_timeout 0", BASE "relay_connect_timeout = 0\n",
	    "@F@:3: relay_connect_timeout: \"0\" is out of range (1 to 3600 "
	    "seconds)"),
	BAD("relay_helo_timeout 0s", BASE "relay_helo_timeout = 0s\n",
	    "@F@:3: relay_helo_timeout: \"0s\" is out of range (1 to 3600 "
	    "seconds)"),
	BAD("relay_envelope_timeout over 1h", BASE
	    "relay_envelope_timeout = 3601\n",
	    "@F@:3: relay_envelope_timeout: \"3601\" is out of range (1 to "
	    "3600 seconds)"),
	BAD("relay_data_init_timeout 2h", BASE
	    "relay_data_init_timeout = 2h\n",
	    "@F@:3: relay_data_init_timeout: \"2h\" is out of range (1 to "
	    "3600 seconds)"),
	BAD("relay_data_xfer_timeout milliseconds", BASE
	    "relay_data_xfer_timeout = 500ms\n",
	    "@F@:3: relay_data_xfer_timeout: \"500ms\" is not a duration (N, "
	    "Ns, Nm, Nh or Nd)"),
	BAD("relay_data_done_timeout 1d", BASE
	    "relay_data_done_timeout = 1d\n",
	    "@F@:3: relay_data_done_timeout: \"1d\" is out of range (1 to "
	    "3600 seconds)"),
	BAD("relay_data_done_timeout repeated", BASE
	    "relay_data_done_timeout = 1\nrelay_data_done_timeout = 2\n",
	    "@F@:4: relay_data_done_timeout: repeated key (first set on line "
	    "3)"),
	OK("smarthost_tls no", BASE "smarthost_tls = no\n",
	    "smarthost_tls=no\n"),
	OK("smarthost_tls starttls", BASE "smarthost_tls = starttls\n",
	    "smarthost_tls=starttls\n"),
	OK("smarthost_tls require", BASE "smarthost_tls = require\n",
	    "smarthost_tls=require\n"),
	BAD("smarthost_tls yes", BASE "smarthost_tls = yes\n",
	    "@F@:3: smarthost_tls: \"yes\": expected no, starttls or require"),
	BAD("smarthost_tls uppercase", BASE "smarthost_tls = REQUIRE\n",
	    "@F@:3: smarthost_tls: \"REQUIRE\": expected no, starttls or "
	    "require"),
	OK("smarthost AUTH", BASE "smarthost_user = hub\n"
	    "smarthost_password_file = /etc/hub.pw\n",
	    "smarthost_user=hub\nsmarthost_password_file=/etc/hub.pw\n"),
	BAD("smarthost_user without password file", BASE
	    "smarthost_user = hub\n",
	    "@F@:0: smarthost_user and smarthost_password_file go together"),
	BAD("smarthost_password_file without user", BASE
	    "smarthost_password_file = /etc/hub.pw\n",
	    "@F@:0: smarthost_user and smarthost_password_file go together"),
	BAD("smarthost_user with a space", BASE "smarthost_user = a b\n",
	    "@F@:3: smarthost_user: \"a b\" is not a user name (at most 255 "
	    "printable ASCII characters, no spaces)"),
	BAD("smarthost_password_file relative", BASE
	    "smarthost_password_file = hub.pw\n",
	    "@F@:3: smarthost_password_file: \"hub.pw\" is not an absolute "
	    "path"),
	OK("worker_timeout bounds", BASE "worker_timeout = 10\n",
	    "worker_timeout=10\n"),
	OK("worker_timeout 1d", BASE "worker_timeout = 1d\n",
	    "worker_timeout=86400\n"),
	BAD("worker_timeout 9", BASE "worker_timeout = 9s\n",
	    "@F@:3: worker_timeout: \"9s\" is out of range (10 to 86400 "
	    "seconds)"),
	BAD("worker_timeout 2d", BASE "worker_timeout = 2d\n",
	    "@F@:3: worker_timeout: \"2d\" is out of range (10 to 86400 "
	    "seconds)"),
	BAD("worker_timeout garbage", BASE "worker_timeout = 1.5m\n",
	    "@F@:3: worker_timeout: \"1.5m\" is not a duration (N, Ns, Nm, "
	    "Nh or Nd)"),
	OK("worker_attempts 1", BASE "worker_attempts = 1\n",
	    "worker_attempts=1\n"),
	OK("worker_attempts 10", BASE "worker_attempts = 10\n",
	    "worker_attempts=10\n"),
	BAD("worker_attempts 0", BASE "worker_attempts = 0\n",
	    "@F@:3: worker_attempts: \"0\" is not a number from 1 to 10"),
	BAD("worker_attempts 11", BASE "worker_attempts = 11\n",
	    "@F@:3: worker_attempts: \"11\" is not a number from 1 to 10"),
	BAD("worker_attempts word", BASE "worker_attempts = three\n",
	    "@F@:3: worker_attempts: \"three\" is not a number from 1 to 10"),

	/* lists */
	OK("list lines lowercased, sorted, unique", BASE "list = ops\n"
	    "list = Abuse\nlist = OPS\nlist = 0day\nlist = ops\n",
	    "nlists=3\nlists=0day,abuse,ops\n"),
	OK("list names with . _ -", BASE "list = ops.team\nlist = ops_x\n"
	    "list = ops-requests\nlist = postmaster2\n",
	    "lists=ops-requests,ops.team,ops_x,postmaster2\n"),
	BAD("list reserved suffix -request", BASE "list = ops-request\n",
	    "@F@:3: list: \"ops-request\": list name ends in a reserved suffix "
	    "(-request, -owner, -sendkey, -bounces)"),
	BAD("list reserved suffix -owner", BASE "list = ops-owner\n",
	    "@F@:3: list: \"ops-owner\": list name ends in a reserved suffix "
	    "(-request, -owner, -sendkey, -bounces)"),
	BAD("list reserved suffix -sendkey", BASE "list = ops-sendkey\n",
	    "@F@:3: list: \"ops-sendkey\": list name ends in a reserved suffix "
	    "(-request, -owner, -sendkey, -bounces)"),
	BAD("list reserved suffix -bounces", BASE "list = OPS-Bounces\n",
	    "@F@:3: list: \"OPS-Bounces\": list name ends in a reserved suffix "
	    "(-request, -owner, -sendkey, -bounces)"),
	BAD("list postmaster", BASE "list = Postmaster\n",
	    "@F@:3: list: \"Postmaster\": list name \"postmaster\" is "
	    "reserved"),
	BAD("list leading hyphen", BASE "list = -ops\n",
	    "@F@:3: list: \"-ops\": list name must start with a-z or 0-9"),
	BAD("list two names", BASE "list = ops abuse\n",
	    "@F@:3: list: \"ops abuse\": list name may hold only "
	    "a-z 0-9 . _ -"),
	BAD("list plus", BASE "list = ops+x\n",
	    "@F@:3: list: \"ops+x\": list name may hold only a-z 0-9 . _ -"),
	BAD("list trailing dot", BASE "list = ops.\n",
	    "@F@:3: list: \"ops.\": list name may not end in '.' or hold "
	    "\"..\""),
	BAD("list too long", BASE "list = "
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
	    "@F@:3: list: \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaa\"...: list name longer than 64 characters"),

	/* DATA_DIR/lists */
	OK_LISTS("lists file merged", BASE "list = ops\nlist = sec\n",
	    "# lists\n\nabuse\n  Sec  # trailing comment\n\tvuln\r\nops\n",
	    "nlists=4\nlists=abuse,ops,sec,vuln\n"),
	OK_LISTS("lists file alone", BASE, "ops", "nlists=1\nlists=ops\n"),
	OK_LISTS("lists file empty", BASE, "", "nlists=0\nlists=\n"),
	OK_LISTS("lists file only comments", BASE, "# none yet\n\n",
	    "nlists=0\nlists=\n"),
	OK_LISTS("lists file trailing comment",
	    BASE, "ok # fine\n", "lists=ok\n"),
	BAD_LISTS("lists file bad name", BASE "list = ops\n",
	    "abuse\n# x\nops-owner\n",
	    "@D@/lists:3: \"ops-owner\": list name ends in a reserved suffix "
	    "(-request, -owner, -sendkey, -bounces)"),
	BAD_LISTS("lists file two names on a line", BASE, "ops abuse\n",
	    "@D@/lists:1: \"ops abuse\": list name may hold only "
	    "a-z 0-9 . _ -"),
	BAD_LISTS("lists file name with '#'", BASE, "ops#1\n",
	    "@D@/lists:1: \"ops#1\": list name may hold only a-z 0-9 . _ -"),
	BAD_LISTS("lists file NUL byte", BASE, "ops\nab@NUL@c\n",
	    "@D@/lists:2: NUL byte in line"),
	BAD_LISTS("lists file a directory", BASE, "@DIR@",
	    "@D@/lists:0: read error: Is a directory"),
	BAD_LISTS("hub.conf errors come first", BASE "workers = 0\n", "-x\n",
	    "@F@:3: workers: \"0\" is not a number from 1 to 64"),
};

/* Expand the placeholders; *lenp gets the length (@NUL@ makes strlen lie). */
static char *
expand(const char *t, size_t *lenp)
{
	struct buf *b = buf_new(0);
	char *s;
	size_t i, len;

	while (*t != '\0') {
		unsigned long n;
		char *end;

		if (strncmp(t, "@D@", 3) == 0) {
			buf_append_str(b, tmpdir);
			t += 3;
		} else if (strncmp(t, "@F@", 3) == 0) {
			buf_append_str(b, confpath);
			t += 3;
		} else if (strncmp(t, "@NUL@", 5) == 0) {
			buf_append(b, "", 1);
			t += 5;
		} else if (strncmp(t, "@P", 2) == 0 &&
		    (n = strtoul(t + 2, &end, 10)) > 0 && *end == '@') {
			/* Components of 64: a long one would hit NAME_MAX. */
			for (i = 0; i < n; i++)
				buf_append_str(b, i % 64 == 0 ? "/" : "p");
			t = end + 1;
		} else
			buf_append(b, t++, 1);
	}
	len = buf_len(b);
	s = xmalloc(len + 1);
	memcpy(s, buf_data(b), len + 1);
	buf_free(b);
	if (lenp != NULL)
		*lenp = len;
	return s;
}

static void
write_file(const char *path, const char *tmpl)
{
	size_t len;
	char *text = expand(tmpl, &len);
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	assert_int_equal(fwrite(text, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
	free(text);
}

static const char *
nz(const char *s)
{
	return s != NULL ? s : "(null)";
}

/* One line per field, in struct order. */
static char *
dump(const struct hub_config *c)
{
	struct buf *b = buf_new(0);
	char *s;
	size_t i;

	buf_printf(b, "path=%s\n", nz(c->path));
	buf_printf(b, "data_dir=%s\n", nz(c->data_dir));
	buf_printf(b, "domain=%s\n", nz(c->domain));
	buf_printf(b, "hostname=%s\n", nz(c->hostname));
	buf_printf(b, "pidfile=%s\n", nz(c->pidfile));
	buf_printf(b, "user=%s\n", nz(c->user));
	buf_printf(b, "nlisten=%zu\n", c->nlisten);
	for (i = 0; i < c->nlisten; i++) {
		const struct hub_listen *l = &c->listen[i];
		const char *proto = l->proto == LISTEN_SMTP ? "smtp" :
		    l->proto == LISTEN_LMTP ? "lmtp" : "?";

		/* The fields a kind of listener does not use stay NULL. */
		if (l->is_unix) {
			assert_null(l->host);
			assert_null(l->port);
			buf_printf(b, "listen%zu=%s unix %s spec=%s\n", i,
			    proto, nz(l->path), nz(l->spec));
		} else {
			assert_null(l->path);
			buf_printf(b, "listen%zu=%s %s %s spec=%s\n", i, proto,
			    nz(l->host), nz(l->port), nz(l->spec));
		}
	}
	buf_printf(b, "smarthost=%s %s\n", nz(c->smarthost_host),
	    nz(c->smarthost_port));
	buf_printf(b, "workers=%u\n", c->workers);
	buf_printf(b, "max_message_size=%zu\n", c->max_message_size);
	buf_printf(b, "max_recipients=%u\n", c->max_recipients);
	buf_printf(b, "max_connections=%u\n", c->max_connections);
	buf_printf(b, "max_line_length=%zu\n", c->max_line_length);
	buf_printf(b, "max_errors=%u\n", c->max_errors);
	buf_printf(b, "timeout_command=%u\n", c->timeout_command);
	buf_printf(b, "timeout_session=%u\n", c->timeout_session);
	buf_printf(b, "shutdown_timeout=%u\n", c->shutdown_timeout);
	buf_printf(b, "relay_connections=%u\n", c->relay_connections);
	buf_printf(b, "relay_lifetime=%u\n", c->relay_lifetime);
	buf_printf(b, "relay_retry=%u\n", c->relay_retry);
	buf_printf(b, "relay_connect_timeout=%u\n", c->relay_connect_timeout);
	buf_printf(b, "relay_helo_timeout=%u\n", c->relay_helo_timeout);
	buf_printf(b, "relay_envelope_timeout=%u\n",
	    c->relay_envelope_timeout);
	buf_printf(b, "relay_data_init_timeout=%u\n",
	    c->relay_data_init_timeout);
	buf_printf(b, "relay_data_xfer_timeout=%u\n",
	    c->relay_data_xfer_timeout);
	buf_printf(b, "relay_data_done_timeout=%u\n",
	    c->relay_data_done_timeout);
	buf_printf(b, "smarthost_tls=%s\n",
	    c->smarthost_tls == SMARTHOST_TLS_NO ? "no" :
	    c->smarthost_tls == SMARTHOST_TLS_STARTTLS ? "starttls" :
	    c->smarthost_tls == SMARTHOST_TLS_REQUIRE ? "require" : "?");
	buf_printf(b, "smarthost_user=%s\n", nz(c->smarthost_user));
	buf_printf(b, "smarthost_password_file=%s\n",
	    nz(c->smarthost_password_file));
	buf_printf(b, "worker_timeout=%u\n", c->worker_timeout);
	buf_printf(b, "worker_attempts=%u\n", c->worker_attempts);
	buf_printf(b, "worker_retry=%u\n", c->worker_retry);
	buf_printf(b, "worker_retry_max=%u\n", c->worker_retry_max);
	buf_printf(b, "worker_retry_attempts=%u\n", c->worker_retry_attempts);
	buf_printf(b, "queue_minfree=%llu\n", c->queue_minfree);
	buf_printf(b, "nlists=%zu\n", c->nlists);
	buf_append_str(b, "lists=");
	for (i = 0; i < c->nlists; i++)
		buf_printf(b, "%s%s", i ? "," : "", c->lists[i]);
	buf_append_str(b, "\n");
	s = xstrdup(buf_data(b));
	buf_free(b);
	return s;
}

/* Every line of want must be a whole line of got. */
static void
assert_lines_in(const char *got, const char *want)
{
	const char *w = want, *nl;

	while (*w != '\0') {
		char line[2048];
		const char *g;
		size_t n;
		bool found = false;

		nl = strchr(w, '\n');
		n = nl != NULL ? (size_t)(nl - w) : strlen(w);
		assert_true(n < sizeof line);
		memcpy(line, w, n);
		line[n] = '\0';
		for (g = got; *g != '\0'; g = strchr(g, '\n') + 1)
			if (strncmp(g, line, n) == 0 && g[n] == '\n') {
				found = true;
				break;
			}
		if (!found)
			fail_msg("line \"%s\" not in dump:\n%s", line, got);
		w += n + (nl != NULL);
	}
}

static void
remove_lists(void)
{
	if (unlink(listspath) == -1 && errno != ENOENT)
		assert_int_equal(rmdir(listspath), 0);
}

static void
test_load(void **state)
{
	const struct load_case *tc = *state;
	struct hub_config *cfg = (struct hub_config *)0x1;
	char err[1024] = "";
	int rc;

	if (tc->conf != NULL)
		write_file(confpath, tc->conf);
	if (tc->lists != NULL && strcmp(tc->lists, "@DIR@") == 0)
		assert_int_equal(mkdir(listspath, 0700), 0);
	else if (tc->lists != NULL)
		write_file(listspath, tc->lists);

	rc = config_load(confpath, &cfg, err, sizeof err);
	remove_lists();
	unlink(confpath);

	if (tc->error != NULL) {
		char *want = expand(tc->error, NULL);

		assert_int_equal(rc, -1);
		/* Out-parameters are written only on success. */
		assert_ptr_equal(cfg, (struct hub_config *)0x1);
		assert_string_equal(err, want);
		free(want);
	} else {
		char *want, *got;

		if (rc != 0)
			fail_msg("unexpected error: %s", err);
		assert_non_null(cfg);
		got = dump(cfg);
		if (tc->want != NULL) {
			want = expand(tc->want, NULL);
			if (tc->exact)
				assert_string_equal(got, want);
			else
				assert_lines_in(got, want);
			free(want);
		}
		free(got);
		config_free(cfg);
	}
}

struct size_case {
	const char	*in;
	int		 rc;
	size_t		 out;
};

static const struct size_case size_cases[] = {
	{ "1000", 0, 1000 },
	{ "1", 0, 1 },
	{ "512K", 0, 512 * 1024 },
	{ "512k", 0, 512 * 1024 },
	{ "25M", 0, 25 * 1024 * 1024 },
	{ "1G", 0, 1024 * 1024 * 1024 },
	{ "1g", 0, 1024 * 1024 * 1024 },
	{ "007", 0, 7 },
	{ "0", -1, 0 },
	{ "0K", -1, 0 },
	{ "00", -1, 0 },
	{ "", -1, 0 },
	{ "K", -1, 0 },
	{ "1T", -1, 0 },
	{ "1KB", -1, 0 },
	{ "1KK", -1, 0 },
	{ " 1", -1, 0 },
	{ "1 ", -1, 0 },
	{ "-1", -1, 0 },
	{ "+1", -1, 0 },
	{ "0x10", -1, 0 },
	{ "1.5M", -1, 0 },
	{ "1e3", -1, 0 },
#if SIZE_MAX == UINT64_MAX
	{ "18446744073709551615", 0, SIZE_MAX },
	{ "18446744073709551616", -1, 0 },
	{ "99999999999999999999999999", -1, 0 },
	{ "17179869183G", 0, (size_t)17179869183 << 30 },
	{ "17179869184G", -1, 0 },
	{ "18014398509481984K", -1, 0 },
	{ "18014398509481983K", 0, (size_t)18014398509481983 << 10 },
#endif
};

static void
test_parse_size(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof size_cases / sizeof size_cases[0]; i++) {
		const struct size_case *tc = &size_cases[i];
		size_t out = 12345;
		int rc = config_parse_size(tc->in, &out);

		if (rc != tc->rc)
			fail_msg("\"%s\": rc %d, want %d", tc->in, rc, tc->rc);
		/* On failure out is untouched. */
		if (out != (tc->rc == 0 ? tc->out : 12345))
			fail_msg("\"%s\": out %zu", tc->in, out);
	}
}

struct duration_case {
	const char	*in;
	int		 rc;
	unsigned	 out;
};

static const struct duration_case duration_cases[] = {
	{ "30", 0, 30 },
	{ "30s", 0, 30 },
	{ "5m", 0, 300 },
	{ "2h", 0, 7200 },
	{ "1d", 0, 86400 },
	{ "0", 0, 0 },
	{ "0s", 0, 0 },
	{ "4294967295", 0, 4294967295U },
	{ "49710d", 0, 49710U * 86400U },
	{ "71582788m", 0, 71582788U * 60U },
	{ "4294967296", -1, 0 },
	{ "49711d", -1, 0 },
	{ "71582789m", -1, 0 },
	{ "1193047h", -1, 0 },
	{ "99999999999999999999999", -1, 0 },
	{ "", -1, 0 },
	{ "s", -1, 0 },
	{ "5M", -1, 0 },
	{ "5S", -1, 0 },
	{ "1w", -1, 0 },
	{ "1ms", -1, 0 },
	{ "1hs", -1, 0 },
	{ "-1", -1, 0 },
	{ "+1", -1, 0 },
	{ " 1", -1, 0 },
	{ "1 ", -1, 0 },
	{ "1.5h", -1, 0 },
};

static void
test_parse_duration(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof duration_cases / sizeof duration_cases[0];
	    i++) {
		const struct duration_case *tc = &duration_cases[i];
		unsigned out = 12345;
		int rc = config_parse_duration(tc->in, &out);

		if (rc != tc->rc)
			fail_msg("\"%s\": rc %d, want %d", tc->in, rc, tc->rc);
		if (out != (tc->rc == 0 ? tc->out : 12345))
			fail_msg("\"%s\": out %u", tc->in, out);
	}
}

struct name_case {
	const char	*name;
	bool		 valid;
};

static const struct name_case name_cases[] = {
	{ "ops", true },
	{ "a", true },
	{ "0day", true },
	{ "ops.team", true },
	{ "ops_team", true },
	{ "ops-team", true },
	{ "ops_", true },
	{ "ops-", true },
	{ "request", true },
	{ "owner", true },
	{ "ops-requests", true },
	{ "ops-request-x", true },
	{ "postmaster2", true },
	{ "postmasters", true },
	{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    true },
	{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    false },
	{ "", false },
	{ "Ops", false },
	{ "OPS", false },
	{ "-ops", false },
	{ ".ops", false },
	{ "_ops", false },
	{ "ops.", false },
	{ "a..b", false },
	{ "ops-request", false },
	{ "ops-owner", false },
	{ "ops-sendkey", false },
	{ "ops-bounces", false },
	{ "x.y-bounces", false },
	{ "postmaster", false },
	{ "ops list", false },
	{ "ops+x", false },
	{ "ops@hub.example", false },
	{ "ops/x", false },
	{ "\xc3\xa9t\xc3\xa9", false },
	{ "ops\n", false },
};

static void
test_valid_list_name(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof name_cases / sizeof name_cases[0]; i++)
		if (config_valid_list_name(name_cases[i].name) !=
		    name_cases[i].valid)
			fail_msg("\"%s\": want %s", name_cases[i].name,
			    name_cases[i].valid ? "valid" : "invalid");
	assert_false(config_valid_list_name(NULL));
	assert_int_equal(CONFIG_LIST_NAME_MAX, 64);
}

static void
test_free_null(void **state)
{
	(void)state;
	config_free(NULL);
}

/* err may be absent or short; neither may crash or overflow. */
static void
test_err_buffer(void **state)
{
	struct hub_config *cfg = NULL;
	char small[12];

	(void)state;
	write_file(confpath, "colour = blue\n");
	assert_int_equal(config_load(confpath, &cfg, NULL, 0), -1);
	memset(small, 'x', sizeof small);
	assert_int_equal(config_load(confpath, &cfg, small, sizeof small), -1);
	assert_int_equal(strlen(small), sizeof small - 1);
	assert_memory_equal(small, confpath, sizeof small - 1);
	assert_null(cfg);
	unlink(confpath);
}

/* A reload reads the file again: two loads give two independent structs. */
static void
test_load_twice(void **state)
{
	struct hub_config *a = NULL, *b = NULL;
	char err[256];

	(void)state;
	write_file(confpath, BASE "list = ops\n");
	assert_int_equal(config_load(confpath, &a, err, sizeof err), 0);
	write_file(confpath, BASE "list = sec\nworkers = 4\n");
	assert_int_equal(config_load(confpath, &b, err, sizeof err), 0);
	unlink(confpath);
	assert_string_equal(a->lists[0], "ops");
	assert_int_equal(a->workers, 2);
	assert_string_equal(b->lists[0], "sec");
	assert_int_equal(b->workers, 4);
	config_free(a);
	config_free(b);
}

static int
group_setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/test_config.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	snprintf(confpath, sizeof confpath, "%s/hub.conf", tmpdir);
	snprintf(listspath, sizeof listspath, "%s/lists", tmpdir);
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	unlink(confpath);
	remove_lists();
	return rmdir(tmpdir);
}

int
main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_parse_size),
		cmocka_unit_test(test_parse_duration),
		cmocka_unit_test(test_valid_list_name),
		cmocka_unit_test(test_free_null),
		cmocka_unit_test(test_err_buffer),
		cmocka_unit_test(test_load_twice),
	};
	size_t nfixed = sizeof fixed / sizeof fixed[0];
	size_t nload = sizeof load_cases / sizeof load_cases[0];
	struct CMUnitTest *tests;
	size_t i;
	int rc;

	/* One cmocka test per table row, named after it. */
	tests = xcalloc(nfixed + nload, sizeof *tests);
	memcpy(tests, fixed, sizeof fixed);
	for (i = 0; i < nload; i++) {
		tests[nfixed + i].name = load_cases[i].name;
		tests[nfixed + i].test_func = test_load;
		tests[nfixed + i].initial_state = (void *)&load_cases[i];
	}
	rc = _cmocka_run_group_tests("config", tests, nfixed + nload,
	    group_setup, group_teardown);
	free(tests);
	return rc;
}
