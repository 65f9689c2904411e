/*
 * conf: defaults, every kind of value, and the errors naming file:line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>

#include "conf.h"
#include "tap.h"

static char dir[] = "/tmp/t_conf.XXXXXX";

static int
load_text(struct conf *c, const char *text, char *err, size_t len)
{
	char	 p[256];
	FILE	*fp;

	snprintf(p, sizeof(p), "%s/hikyaku.conf", dir);
	fp = fopen(p, "w");
	fputs(text, fp);
	fclose(fp);
	return conf_load(c, p, 1, err, len);
}

static void
bad(const char *text, const char *want, const char *what)
{
	struct conf	 c;
	char		 err[512];
	int		 r = load_text(&c, text, err, sizeof(err));

	ok(r == -1 && strstr(err, want) != NULL, "%s", what);
	if (r != -1 || strstr(err, want) == NULL)
		printf("#   err: %s\n#   want: %s\n", r == -1 ? err : "(accepted)",
		    want);
	conf_free(&c);
}

static int
mine(const struct conf *c, const char *ip)
{
	unsigned char	 a[16];
	int		 af = strchr(ip, ':') ? AF_INET6 : AF_INET;

	if (inet_pton(af, ip, a) != 1)
		return -1;
	return conf_in_mynetworks(c, af, a);
}

/* listen and mynetworks are parsed once, into typed values. */
static void
typed(void)
{
	struct conf	 c;
	char		 err[512];

	ok(load_text(&c, "log = stderr\n", err, sizeof(err)) == 0, "defaults");
	ok(c.listen.n == 2 && strcmp(c.listen.v[0].host, "127.0.0.1") == 0 &&
	    c.listen.v[0].port == 25 && strcmp(c.listen.v[1].host, "::1") == 0 &&
	    c.listen.v[1].port == 25, "listen: 127.0.0.1:25 [::1]:25");
	ok(c.submission.n == 0 && c.smtps.n == 0, "no submission by default");
	ok(mine(&c, "127.1.2.3") == 1 && mine(&c, "::1") == 1 &&
	    mine(&c, "::ffff:127.0.0.1") == 1, "loopback is in mynetworks");
	ok(mine(&c, "128.0.0.1") == 0 && mine(&c, "::2") == 0 &&
	    mine(&c, "10.0.0.1") == 0, "nothing else is");
	conf_free(&c);
	ok(load_text(&c, "log = stderr\nsubmission = *:587 [2001:db8::1]:587\n"
	    "mynetworks = 192.0.2.130/25, 2001:db8::/32 198.51.100.7\n", err,
	    sizeof(err)) == 0, "submission and mynetworks set");
	ok(c.submission.n == 2 && c.submission.v[0].host[0] == '\0' &&
	    c.submission.v[0].port == 587 &&
	    strcmp(c.submission.v[1].host, "2001:db8::1") == 0,
	    "*:587 is any address; [v6]:587 its address");
	ok(mine(&c, "192.0.2.128") == 1 && mine(&c, "192.0.2.255") == 1 &&
	    mine(&c, "192.0.2.127") == 0, "/25: the host part is masked off");
	ok(mine(&c, "2001:db8:ffff::1") == 1 && mine(&c, "2001:db9::1") == 0,
	    "a v6 /32");
	ok(mine(&c, "198.51.100.7") == 1 && mine(&c, "198.51.100.8") == 0,
	    "an address without /n is that address");
	ok(mine(&c, "127.0.0.1") == 0, "the default is replaced, not added to");
	conf_free(&c);
	bad("mynetworks = 192.0.2.0/33\n", "bad network", "a /33 is refused");
	bad("listen = 127.0.0.1:0\n", "bad address", "port 0 is refused");
}

int
main(void)
{
	struct conf	 c;
	char		 err[512], p[300];
	time_t		 t;
	off_t		 sz;

	if (mkdtemp(dir) == NULL)
		return 1;

	/* defaults: a missing default file is fine, a named one is not */
	ok(conf_load(&c, "/nonexistent/hikyaku.conf", 0, err, sizeof(err)) == 0,
	    "missing file without must_exist gives defaults");
	is_str(c.spool, "/var/spool/hikyaku", "default spool");
	is_str(c.mailbox, "/var/mail/%u", "default mailbox template");
	ok(c.mailbox_kind == MAILBOX_MBOX, "default mailbox is mbox");
	is_int(c.max_size, 35 * 1024 * 1024, "default max_size 35M");
	is_int(c.max_rcpt, 100, "default max_rcpt");
	is_int(c.nretry, 5, "default retry has 5 steps");
	is_int(c.retry[4], 3600, "last retry step 1h");
	is_int(c.queue_lifetime, 5 * 86400, "queue_lifetime 5d");
	ok(c.tls == TLS_MAY, "tls may");
	ok(c.smtp_timeout[SMTP_T_CONNECT] == 30 && c.smtp_timeout[SMTP_T_HELO]
	    == 300 && c.smtp_timeout[SMTP_T_MAIL] == 300 &&
	    c.smtp_timeout[SMTP_T_RCPT] == 300 &&
	    c.smtp_timeout[SMTP_T_DATA_INIT] == 120 &&
	    c.smtp_timeout[SMTP_T_DATA_XFER] == 180 &&
	    c.smtp_timeout[SMTP_T_DATA_DONE] == 600,
	    "SMTP client timeouts: 30s, then RFC 5321 4.5.3.2's 5m 5m 5m 2m "
	    "3m 10m");
	ok(c.allow_commands == (CONF_ALLOW_ALIASES | CONF_ALLOW_FORWARD),
	    "allow_commands default both");
	ok(conf_is_local_domain(&c, "localhost"), "localhost is local");
	ok(conf_is_local_domain(&c, c.hostname), "hostname is local");
	ok(!conf_is_local_domain(&c, "example.com"), "example.com is not");
	conf_free(&c);
	ok(conf_load(&c, "/nonexistent/hikyaku.conf", 1, err, sizeof(err)) == -1
	    && strstr(err, "/nonexistent/hikyaku.conf") != NULL,
	    "a named missing file is an error naming it");
	conf_free(&c);

	/* a full file */
	ok(load_text(&c, "# comment\n\nhostname = Mail.Example.ORG\n"
	    "spool = spool\nmailbox = maildir:%h/Maildir/\nmax_size = 10k\n"
	    "retry = 1m 2m\nallow_files = none\ntls = verify\n"
	    "delay_warning = 4h\nmynetworks = 10.0.0.0/8 [::1]/128 ::1\n"
	    "listen = 127.0.0.1:2525 [::1]:2525\nsmtp_data_done_timeout = 90s\n"
	    "smtp_connect_timeout = 2s\n", err, sizeof(err)) == 0,
	    "a good file loads");
	ok(c.smtp_timeout[SMTP_T_DATA_DONE] == 90 &&
	    c.smtp_timeout[SMTP_T_CONNECT] == 2 &&
	    c.smtp_timeout[SMTP_T_RCPT] == 300, "timeouts set one by one");
	is_str(c.hostname, "mail.example.org", "hostname lower-cased");
	ok(conf_is_local_domain(&c, "mail.example.org"),
	    "domains follows the hostname set in the file");
	snprintf(p, sizeof(p), "%s/spool", dir);
	is_str(c.spool, p, "relative path resolved against the file's folder");
	ok(c.mailbox_kind == MAILBOX_MAILDIR, "maildir mailbox");
	is_int(c.max_size, 10240, "10k");
	is_int(c.nretry, 2, "two retry steps");
	is_int(c.allow_files, 0, "none");
	ok(c.tls == TLS_VERIFY && c.tls_set, "tls verify, marked as set");
	is_int(c.delay_warning, 4 * 3600, "delay_warning 4h");
	conf_free(&c);

	/* found by fuzzing: $hostname before any hostname was a NULL
	   dereference; it means the hostname in force at the end */
	ok(load_text(&c, "domains = $hostname localhost $hostname\n"
	    "hostname = late.example\n", err, sizeof(err)) == 0,
	    "domains = $hostname before hostname loads");
	is_str(c.domains, "late.example localhost",
	    "$hostname is the hostname set later in the file, once");
	conf_free(&c);
	ok(load_text(&c, "hostname = early.example\ndomains = $hostname\n"
	    "hostname = late.example\n", err, sizeof(err)) == 0 &&
	    conf_is_local_domain(&c, "late.example") &&
	    !conf_is_local_domain(&c, "early.example"),
	    "$hostname follows the last hostname");
	conf_free(&c);

	/* errors name file:line and what */
	bad("hostname = a.b\nbogus = 1\n", "hikyaku.conf:2: unknown key 'bogus'",
	    "unknown key with file:line");
	bad("max_size = lots\n", ":1: max_size: bad size 'lots'", "bad size");
	bad("max_size = 0\n", "bad size", "zero size");
	bad("max_rcpt = 0\n", "bad number '0'", "max_rcpt 0");
	bad("max_rcpt = 12x\n", "bad number", "max_rcpt junk");
	bad("retry = 5m soon\n", "bad retry", "bad retry");
	bad("queue_lifetime = 5y\n", "bad time", "bad time unit");
	bad("smtp_rcpt_timeout = 0\n", "bad time", "a zero SMTP timeout");
	bad("tls = sometimes\n", "bad tls", "bad tls");
	bad("mailbox = /var/mail/%u\n", "want mbox:PATH", "mailbox without kind");
	bad("mailbox = mbox:/var/mail/%x\n", "only %u, %h", "bad % escape");
	bad("mailbox = mbox:/var/mail/all\n", "needs %u or %h", "no %u/%h");
	bad("listen = 127.0.0.1\n", "bad address", "listen without port");
	bad("listen = 127.0.0.1:99999\n", "bad address", "port out of range");
	bad("mynetworks = 10.0.0.0/33\n", "bad network", "prefix too long");
	bad("mynetworks = 300.0.0.1\n", "bad network", "bad IPv4");
	bad("hostname = -bad-.example\n", "bad hostname", "bad hostname");
	bad("domains = ok.example bad_domain\n", "bad domain 'bad_domain'",
	    "bad domain in list");
	bad("user = ro ot\n", "bad user name", "bad user name");
	bad("allow_commands = everything\n", "bad value", "bad allow");
	bad("pop3_plaintext = maybe\n", "want yes or no", "bad boolean");
	bad("no equals sign\n", ":1: expected 'key = value'", "no '='");
	{
		struct conf	 c2;
		char		 p2[300], e2[512];
		FILE		*fp;

		/* a NUL must not hide the rest of its line */
		snprintf(p2, sizeof(p2), "%s/nul.conf", dir);
		fp = fopen(p2, "w");
		fwrite("spool = /a\0\nbogus = 1\n", 1, 23, fp);
		fclose(fp);
		ok(conf_load(&c2, p2, 1, e2, sizeof(e2)) == -1 &&
		    strstr(e2, "nul.conf:1: control character 0x00") != NULL,
		    "a NUL byte in a line is named with its line");
		conf_free(&c2);
	}
	bad("spool = /var/sp\rool\n", ":1: control character 0x0d",
	    "a CR inside a value is refused");
	bad("log = /tmp/x\033[31m\n", "control character 0x1b",
	    "an escape sequence is refused");
	ok(load_text(&c, "retry = 5m\t10m\r\n", err, sizeof(err)) == 0 &&
	    c.nretry == 2, "TAB between words and a CRLF line end are fine");
	conf_free(&c);
	{
		char long_line[2000];

		memset(long_line, 'a', sizeof(long_line) - 2);
		long_line[sizeof(long_line) - 2] = '\n';
		long_line[sizeof(long_line) - 1] = '\0';
		bad(long_line, "line longer than 1024 bytes", "over-long line");
	}

	ok(conf_parse_time("90s", &t) == 0 && t == 90, "90s");
	ok(conf_parse_time("2w", &t) == 0 && t == 14 * 86400, "2w");
	ok(conf_parse_time("-1m", &t) == -1, "negative time refused");
	ok(conf_parse_size("2G", &sz) == 0 && sz == 2LL << 30, "2G");
	ok(conf_parse_size("99999999999999G", &sz) == -1, "absurd size refused");

	/* the key table: every design key is there */
	{
		static const char *const want[] = { "hostname", "domains",
		    "spool", "aliases", "passwd", "mailbox", "listen",
		    "submission", "smtps", "pop3", "pop3s", "mynetworks",
		    "relayhost", "relay_auth", "tls", "tls_cert", "tls_key",
		    "tls_ca", "auth_users", "max_size", "max_rcpt",
		    "max_clients", "max_per_ip", "retry", "queue_lifetime",
		    "user", "default_user", "allow_commands", "allow_files",
		    "command_timeout", "masquerade", "delay_warning",
		    "pop3_plaintext", "log",
		    /* beyond the design: the SMTP client's timeouts
		       (RFC 5321 4.5.3.2), in Postfix's names */
		    "smtp_connect_timeout", "smtp_helo_timeout",
		    "smtp_mail_timeout", "smtp_rcpt_timeout",
		    "smtp_data_init_timeout", "smtp_data_xfer_timeout",
		    "smtp_data_done_timeout" };
		int found = 0;

		for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
			for (int k = 0; k < conf_nkeys(); k++)
				found += strcmp(conf_key_name(k), want[i]) == 0;
		is_int(found, sizeof(want) / sizeof(want[0]),
		    "every key of the design is in the table");
		is_int(conf_nkeys(), sizeof(want) / sizeof(want[0]),
		    "and no other");
	}
	typed();
	snprintf(p, sizeof(p), "rm -rf %s", dir);
	if (system(p) != 0)
		diag("could not remove the temporary folder");
	return done_testing();
}
