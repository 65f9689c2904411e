/*
 * core/smtp: the server session, driven over a socketpair.  A child
 * runs smtp_server_run with mock ops that record every call; the parent
 * plays the client with raw bytes and checks the replies, then reads
 * the child's record and exit status.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "buf.h"
#include "io.h"
#include "limits.h"
#include "smtp.h"
#include "tap.h"

#define HOST	"mx.test.example"
#define SMTPCAP_TLS_TEST	(SMTP_CAPS_BASE | SMTP_CAP_STARTTLS | SMTP_CAP_AUTH)

/* ---- the server child and its mock policy ---- */

static struct buf	 rec;		/* the child's record of op calls */
static int		 refused;	/* data_line said no */
static int		 refuse_begin;	/* data_begin says no */

static void rec_add(const char *, ...) __attribute__((format(printf, 1, 2)));

static void
rec_add(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	buf_vprintf(&rec, fmt, ap);
	va_end(ap);
	buf_addc(&rec, '\n');
}

static int
m_helo(void *ctx, const char *name, int esmtp, char *reply, size_t len)
{
	(void)ctx; (void)reply; (void)len;
	rec_add("HELO %s %d", name, esmtp);
	return 0;
}

/* The record of a command's parameters: only those given, so that a
   command without any reads as before DSN and SMTPUTF8. */
static int
m_mail(void *ctx, const char *addr, const struct smtp_mail_params *p,
    char *reply, size_t len)
{
	(void)ctx;
	rec_add("MAIL <%s> %lld%s%s%s%s%s", addr, (long long)p->size,
	    p->ret ? " ret=" : "", dsn_ret_name(p->ret),
	    p->envid[0] ? " envid=[" : "", p->envid, p->envid[0] ? "]" : "");
	if (p->smtputf8)
		rec_add("SMTPUTF8");
	if (strcmp(addr, "bad@sender.example") == 0) {
		snprintf(reply, len, "550 5.7.1 <%s>: Sender rejected", addr);
		return -1;
	}
	return 0;
}

static int
m_rcpt(void *ctx, const char *addr, const struct smtp_rcpt_params *p,
    char *reply, size_t len)
{
	char	 n[24];

	(void)ctx;
	if (strncmp(addr, "reject@", 7) == 0) {
		rec_add("RCPT- %s", addr);
		snprintf(reply, len, "550 5.1.1 <%s>: Recipient address "
		    "rejected", addr);
		return -1;
	}
	dsn_notify_text(p->notify, n, sizeof(n));
	rec_add("RCPT %s%s%s%s%s%s", addr, n[0] ? " notify=" : "", n,
	    p->orcpt[0] ? " orcpt=[" : "", p->orcpt, p->orcpt[0] ? "]" : "");
	return 0;
}

static int
m_data_begin(void *ctx, char *reply, size_t len)
{
	(void)ctx;
	if (refuse_begin) {
		rec_add("DATA-");
		snprintf(reply, len, "452 4.3.1 mock: no room for it now");
		return -1;
	}
	rec_add("DATA");
	refused = 0;
	return 0;
}

static int
m_data_line(void *ctx, const char *line, size_t len)
{
	(void)ctx;
	buf_printf(&rec, "LINE(%zu) ", len);
	for (size_t i = 0; i < len; i++) {
		if (line[i] == '\r')
			buf_adds(&rec, "\\r");
		else if (line[i] == '\n')
			buf_adds(&rec, "\\n");
		else if (line[i] == '\0')
			buf_adds(&rec, "\\0");
		else
			buf_addc(&rec, line[i]);
	}
	buf_addc(&rec, '\n');
	if (len == 9 && memcmp(line, "refuse-me", 9) == 0) {
		refused = 1;
		return -1;
	}
	return 0;
}

static int
m_data_end(void *ctx, int ok, char *reply, size_t len)
{
	(void)ctx;
	rec_add("END %d", ok);
	if (ok)
		snprintf(reply, len, "250 2.0.0 Ok: queued as MOCK1");
	else if (refused)
		snprintf(reply, len, "554 5.6.0 mock refused");
	return 0;
}

static void
m_rset(void *ctx)
{
	(void)ctx;
	rec_add("RSET");
}

static struct io	*server_io;	/* the child's end, for m_starttls */
static int		 refuse_connect;

static int
m_connect(void *ctx, char *reply, size_t len)
{
	(void)ctx;
	rec_add("CONNECT");
	if (refuse_connect) {
		snprintf(reply, len, "421 4.7.0 mock: too many connections");
		return -1;
	}
	return 0;
}

/* A stand-in for the TLS switch: refuses, as the io does, when the
   client pipelined anything after STARTTLS. */
static int
m_starttls(void *ctx)
{
	(void)ctx;
	rec_add("STARTTLS pending=%d", io_pending(server_io));
	return io_pending(server_io) ? -1 : 0;
}

static int
m_auth(void *ctx, const char *user, const char *pass, char *reply,
    size_t len)
{
	(void)ctx; (void)reply; (void)len;
	rec_add("AUTH %s/%s", user, pass);
	return strcmp(user, "alice") == 0 && strcmp(pass, "s3cret") == 0 ?
	    0 : -1;
}

static const struct smtp_server_ops mock = {
	.connect = m_connect,
	.helo = m_helo,
	.starttls = m_starttls,
	.auth = m_auth,
	.mail = m_mail,
	.rcpt = m_rcpt,
	.data_begin = m_data_begin,
	.data_line = m_data_line,
	.data_end = m_data_end,
	.rset = m_rset,
};

/* ---- the client side ---- */

struct cfg {
	off_t	 max_size;
	unsigned caps;		/* 0: SMTP_CAPS_BASE */
	int	 max_errors;
	int	 timeout_ms;
};

static struct io	 cio;		/* the client's end */
static int		 logfd;
static pid_t		 child;
static char		 got[8192];	/* the last reply, lines joined by \n */
static char		*log_txt;	/* the child's record, after finish() */

static void
serve(int fd, int lfd, const struct cfg *cf)
{
	static struct io	 sio;
	struct smtp_server	 s;
	int			 r;

	buf_init(&rec, 0);
	io_init(&sio, fd, fd, cf->timeout_ms ? cf->timeout_ms : 5000);
	server_io = &sio;
	memset(&s, 0, sizeof(s));
	s.io = &sio;
	s.hostname = HOST;
	s.max_size = cf->max_size ? cf->max_size : 10000000;
	s.caps = cf->caps ? cf->caps : SMTP_CAPS_BASE;
	s.max_errors = cf->max_errors;
	s.ops = &mock;
	r = smtp_server_run(&s);
	rec_add("EXIT %d", r);
	if (write(lfd, rec.s, rec.len) != (ssize_t)rec.len)
		_exit(3);
	_exit(r == 0 ? 0 : 1);
}

static void
start(const struct cfg *cf)
{
	static const struct cfg	 none;
	int			 sv[2], lp[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1 || pipe(lp) == -1)
		exit(2);
	if ((child = fork()) == 0) {
		close(sv[0]);
		close(lp[0]);
		serve(sv[1], lp[1], cf != NULL ? cf : &none);
	}
	close(sv[1]);
	close(lp[1]);
	logfd = lp[0];
	io_init(&cio, sv[0], sv[0], 5000);
}

static void
say_raw(const void *p, size_t n)
{
	if (write(cio.wfd, p, n) != (ssize_t)n)
		diag("short write to the server");
}

static void
say(const char *s)
{
	say_raw(s, strlen(s));
}

/* Read one whole reply (all its lines); "" at end of file. */
static const char *
reply(void)
{
	char		 line[1024];
	size_t		 len, n = 0;
	enum io_term	 term;

	got[0] = '\0';
	while (io_getline(&cio, line, sizeof(line), &len, &term) == 1) {
		n += (size_t)snprintf(got + n, sizeof(got) - n, "%s%s",
		    n ? "\n" : "", line);
		if (len < 4 || line[3] != '-' || n >= sizeof(got) - 1)
			break;
	}
	return got;
}

/* Send a command and return its reply. */
static const char *
cmd(const char *s)
{
	say(s);
	return reply();
}

static int
code(void)
{
	return atoi(got);
}

/* End the session: the child's exit status, its record in log_txt. */
static int
finish(void)
{
	static struct buf	 b;
	char			 chunk[4096];
	ssize_t			 n;
	int			 st;

	close(cio.rfd);
	buf_free(&b);
	buf_init(&b, 0);
	while ((n = read(logfd, chunk, sizeof(chunk))) > 0)
		buf_add(&b, chunk, (size_t)n);
	close(logfd);
	waitpid(child, &st, 0);
	log_txt = b.s != NULL ? b.s : "";
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static int
logged(const char *s)
{
	return strstr(log_txt, s) != NULL;
}

/* EHLO and the start of a transaction, replies checked quietly. */
static void
open_tx(void)
{
	reply();
	cmd("EHLO client.example\r\n");
	cmd("MAIL FROM:<a@b.example>\r\n");
	cmd("RCPT TO:<c@d.example>\r\n");
}

/* ---- the tests ---- */

static void
t_dialogue(void)
{
	start(NULL);
	is_str(reply(), "220 " HOST " ESMTP hikyaku", "greeting");
	is_str(cmd("EHLO client.example\r\n"),
	    "250-" HOST "\n250-PIPELINING\n250-SIZE 10000000\n"
	    "250-ENHANCEDSTATUSCODES\n250-8BITMIME\n250-DSN\n250-SMTPUTF8\n"
	    "250 CHUNKING",
	    "EHLO reply lines");
	is_str(cmd("MAIL FROM:<Alice@Example.COM> SIZE=123 BODY=8BITMIME\r\n"),
	    "250 2.1.0 Ok", "MAIL FROM with SIZE and BODY");
	is_str(cmd("RCPT TO:<bob@example.com>\r\n"), "250 2.1.5 Ok", "RCPT");
	is_str(cmd("RCPT TO:<reject@example.com>\r\n"),
	    "550 5.1.1 <reject@example.com>: Recipient address rejected",
	    "the op's refusal is the reply");
	is_str(cmd("DATA\r\n"), "354 End data with <CR><LF>.<CR><LF>",
	    "DATA: 354");
	say("Subject: hi\r\n\r\n..dot\r\n...\r\n.x\r\nplain\r\n"
	    "trailing .\r\n");
	is_str(cmd(".\r\n"), "250 2.0.0 Ok: queued as MOCK1",
	    "final dot: the op's 250");
	is_str(cmd("NOOP\r\n"), "250 2.0.0 Ok", "NOOP");
	is_str(cmd("VRFY bob\r\n"),
	    "252 2.5.2 Cannot VRFY user, but will accept message", "VRFY");
	is_str(cmd("EXPN list\r\n"), "502 5.5.1 Error: EXPN not supported",
	    "EXPN");
	ok(strncmp(cmd("HELP\r\n"), "214 2.0.0 ", 10) == 0, "HELP: 214");
	is_str(cmd("FOO bar\r\n"), "500 5.5.2 Error: command not recognized",
	    "unknown command");
	is_str(cmd("STARTTLS\r\n"),
	    "502 5.5.1 Error: command not implemented", "STARTTLS: 502");
	is_str(cmd("quit\r\n"), "221 2.0.0 Bye", "QUIT (lower case)");
	is_int(finish(), 0, "QUIT: smtp_server_run returned 0");
	ok(logged("HELO client.example 1\n"), "helo op: name, esmtp");
	ok(logged("MAIL <Alice@example.com> 123\n"),
	    "mail op: canonical path and SIZE");
	ok(logged("RCPT bob@example.com\n"), "rcpt op");
	ok(logged("LINE(11) Subject: hi\nLINE(0) \nLINE(4) .dot\n"
	    "LINE(2) ..\nLINE(1) x\nLINE(5) plain\nLINE(10) trailing .\n"
	    "END 1\nRSET\n"), "lines unstuffed, then data_end(1) and rset");
	ok(logged("EXIT 0"), "exit recorded");
}

static void
t_helo(void)
{
	start(NULL);
	reply();
	is_str(cmd("MAIL FROM:<a@b.example>\r\n"),
	    "503 5.5.1 Error: send HELO/EHLO first", "MAIL before HELO: 503");
	is_str(cmd("HELO\r\n"), "501 5.5.4 Syntax: HELO hostname",
	    "HELO without a name: 501");
	is_str(cmd("HELO client.example\r\n"), "250 " HOST, "HELO: 250 HOST");
	is_str(cmd("MAIL FROM:<a@b.example> SIZE=10\r\n"),
	    "555 5.5.4 Unsupported parameter SIZE",
	    "ESMTP parameter after HELO: 555");
	is_str(cmd("MAIL FROM:<>\r\n"), "250 2.1.0 Ok", "null sender");
	is_str(cmd("MAIL FROM:<x@b.example>\r\n"),
	    "503 5.5.1 Error: nested MAIL command", "nested MAIL: 503");
	is_str(cmd("DATA\r\n"), "503 5.5.1 Error: need RCPT command",
	    "DATA without RCPT: 503");
	ok(strncmp(cmd("RCPT TO:<>\r\n"), "501 5.5.4 ", 10) == 0,
	    "RCPT TO:<> refused: 501 (%s)", got);
	is_str(cmd("QUIT\r\n"), "221 2.0.0 Bye", "QUIT");
	finish();
	ok(logged("HELO client.example 0\n"), "HELO: esmtp 0");
	ok(logged("MAIL <> 0\n"), "null sender given as \"\"");
}

static void
t_sequence(void)
{
	start(NULL);
	reply();
	cmd("EHLO c.example\r\n");
	is_str(cmd("RCPT TO:<c@d.example>\r\n"),
	    "503 5.5.1 Error: need MAIL command", "RCPT before MAIL: 503");
	is_str(cmd("DATA\r\n"), "503 5.5.1 Error: need MAIL command",
	    "DATA before MAIL: 503");
	cmd("MAIL FROM:<a@b.example>\r\n");
	cmd("RCPT TO:<c@d.example>\r\n");
	is_str(cmd("RSET\r\n"), "250 2.0.0 Ok", "RSET");
	is_str(cmd("RCPT TO:<c@d.example>\r\n"),
	    "503 5.5.1 Error: need MAIL command", "RSET ended the transaction");
	is_str(cmd("RSET now\r\n"), "501 5.5.4 Syntax: RSET",
	    "RSET with an argument: 501");
	is_str(cmd("MAIL FROM:<bad@sender.example>\r\n"),
	    "550 5.7.1 <bad@sender.example>: Sender rejected",
	    "the mail op refuses");
	is_str(cmd("RCPT TO:<c@d.example>\r\n"),
	    "503 5.5.1 Error: need MAIL command",
	    "no transaction after a refused MAIL");
	is_str(cmd("MAIL FROM:a@b.example\r\n"),
	    "501 5.5.4 Syntax: MAIL FROM:<address>", "path without <>: 501");
	is_str(cmd("MAIL FROM: <a@b.example> FOO=1\r\n"),
	    "555 5.5.4 Unsupported parameter FOO", "unknown parameter: 555");
	is_str(cmd("MAIL FROM:<a@b.example> SIZE=10000001\r\n"),
	    "552 5.3.4 Message size exceeds fixed limit",
	    "SIZE over max_size: 552");
	is_str(cmd("MAIL FROM:<a@b.example> SIZE=12x\r\n"),
	    "501 5.5.4 Bad SIZE value", "bad SIZE: 501");
	is_str(cmd("MAIL FROM:<a@b.example> BODY=BINARYMIME\r\n"),
	    "501 5.5.4 Bad BODY value", "bad BODY: 501");
	is_str(cmd("MAIL FROM: <a@b.example>\r\n"), "250 2.1.0 Ok",
	    "space after the colon tolerated");
	is_str(cmd("RCPT TO:<c@d.example> FOO=BAR\r\n"),
	    "555 5.5.4 Unsupported parameter FOO",
	    "unknown RCPT parameter: 555");
	is_str(cmd("DATA now\r\n"), "503 5.5.1 Error: need RCPT command",
	    "DATA out of place: 503 first, as Postfix");
	is_str(cmd("RCPT TO:<c@d.example>\r\n"), "250 2.1.5 Ok", "a recipient");
	is_str(cmd("DATA now\r\n"), "501 5.5.4 Syntax: DATA",
	    "DATA with an argument: 501");
	is_str(cmd("EHLO again.example\r\n"), "250-" HOST "\n250-PIPELINING\n"
	    "250-SIZE 10000000\n250-ENHANCEDSTATUSCODES\n250-8BITMIME\n"
	    "250-DSN\n250-SMTPUTF8\n250 CHUNKING",
	    "EHLO again");
	is_str(cmd("RCPT TO:<c@d.example>\r\n"),
	    "503 5.5.1 Error: need MAIL command", "EHLO reset the transaction");
	cmd("QUIT\r\n");
	is_int(finish(), 0, "session ended by QUIT");
	ok(logged("RCPT c@d.example\nRSET\n"), "RSET reached the op");
	ok(!logged("MAIL <a@b.example> 10000001"),
	    "refused MAIL never reached the op");
}

/* Each false ending: data, then the smuggled commands, then the end. */
static void
false_end(const char *name, const char *data, size_t n, const char *why)
{
	start(NULL);
	open_tx();
	cmd("DATA\r\n");
	say_raw(data, n);
	say("MAIL FROM:<smuggled@evil.example>\r\n"
	    "RCPT TO:<victim@d.example>\r\nDATA\r\nevil\r\n");
	is_str(cmd(".\r\n"), why, "%s does not end DATA; message refused",
	    name);
	is_str(cmd("NOOP\r\n"), "250 2.0.0 Ok", "%s: in step afterwards",
	    name);
	is_str(cmd("RCPT TO:<c@d.example>\r\n"),
	    "503 5.5.1 Error: need MAIL command",
	    "%s: transaction reset after the refusal", name);
	cmd("QUIT\r\n");
	finish();
	ok(!logged("MAIL <smuggled") && !logged("RCPT victim"),
	    "%s: nothing smuggled reached the ops as a command", name);
	ok(logged("END 0\nRSET\n"), "%s: data_end(ok = 0)", name);
}

#define BARE	"550 5.6.0 Message contains bare LF or CR (RFC 5321 2.3.8)"
#define FALSE_END(name, data, why) \
	false_end(name, data, sizeof(data) - 1, why)

/* Every end-of-data variant of the 2023 SMTP smuggling research. */
static void
t_false_endings(void)
{
	FALSE_END("\\n.\\n", "hello\r\n\n.\n", BARE);
	FALSE_END("\\n.\\r", "hello\n.\r", BARE);
	FALSE_END("\\r.\\n", "hello\r.\n", BARE);
	FALSE_END("\\r.\\r", "hello\r.\r", BARE);
	FALSE_END("\\r\\n.\\n", "hello\r\n.\n", BARE);
	FALSE_END("\\n.\\r\\n", "hello\n.\r\n", BARE);
	FALSE_END("\\r.\\r\\n", "hello\r.\r\n", BARE);
	FALSE_END("bare CR", "hello\r\nbad\rline\r\n", BARE);
	FALSE_END("\\r\\n\\0.\\r\\n", "hello\r\n\0.\r\n",
	    "554 5.6.0 Message contains a NUL byte");
}

static void
t_data_edges(void)
{
	start(NULL);
	open_tx();
	cmd("DATA\r\n");
	is_str(cmd(".\r\n"), "250 2.0.0 Ok: queued as MOCK1",
	    "a dot as the first data line ends an empty message");
	cmd("MAIL FROM:<a@b.example>\r\n");
	cmd("RCPT TO:<c@d.example>\r\n");
	cmd("DATA\r\n");
	say("x\r\nrefuse-me\r\nmore\r\n");
	is_str(cmd(".\r\n"), "554 5.6.0 mock refused",
	    "data_line -1: the op's reply after the final dot");
	cmd("QUIT\r\n");
	finish();
	ok(logged("DATA\nEND 1\n"), "empty message: no lines, END 1");
	ok(logged("LINE(9) refuse-me\nEND 0\n"),
	    "no line fed after the refusal");
}

static void
text_line(int octets, int good)
{
	char	*l = malloc((size_t)octets + 1);
	char	 want[32];

	memset(l, 'x', (size_t)octets - 2);
	memcpy(l + octets - 2, "\r\n", 3);
	start(NULL);
	open_tx();
	cmd("DATA\r\n");
	say(l);
	say("after\r\n");
	cmd(".\r\n");
	if (good)
		is_str(got, "250 2.0.0 Ok: queued as MOCK1",
		    "%d-octet text line accepted", octets);
	else
		is_str(got, "500 5.5.2 Error: message line too long "
		    "(RFC 5321 4.5.3.1.6)", "%d-octet text line refused",
		    octets);
	is_str(cmd("NOOP\r\n"), "250 2.0.0 Ok", "%d: in step", octets);
	cmd("QUIT\r\n");
	finish();
	snprintf(want, sizeof(want), "LINE(%d) xxx", octets - 2);
	if (good)
		ok(logged(want), "%d: fed whole (%d octets of text)", octets,
		    octets - 2);
	else
		ok(!logged("LINE(") && logged("END 0"),
		    "%d: nothing fed, data_end(0)", octets);
	free(l);
}

static void
cmd_line(int octets, int good)
{
	char	*l = malloc((size_t)octets + 1);

	memcpy(l, "NOOP ", 5);
	memset(l + 5, 'n', (size_t)octets - 7);
	memcpy(l + octets - 2, "\r\n", 3);
	start(NULL);
	reply();
	cmd(l);
	if (good)
		is_str(got, "250 2.0.0 Ok", "%d-octet command accepted",
		    octets);
	else
		is_str(got, "500 5.5.2 Error: line too long",
		    "%d-octet command refused", octets);
	is_str(cmd("NOOP\r\n"), "250 2.0.0 Ok", "%d: in step", octets);
	cmd("QUIT\r\n");
	finish();
	free(l);
}

static void
t_lengths(void)
{
	text_line(999, 1);
	text_line(LIM_SMTP_TEXT, 1);
	text_line(LIM_SMTP_TEXT + 1, 0);
	cmd_line(511, 1);
	cmd_line(LIM_SMTP_CMD, 1);
	cmd_line(LIM_SMTP_CMD + 1, 0);
}

static void
t_pipelining(void)
{
	start(NULL);
	reply();
	cmd("EHLO c.example\r\n");
	say("MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\n"
	    "RCPT TO:<reject@d.example>\r\nRCPT TO:<e@d.example>\r\n"
	    "DATA\r\n");
	is_str(reply(), "250 2.1.0 Ok", "pipelined MAIL");
	is_str(reply(), "250 2.1.5 Ok", "pipelined RCPT");
	ok(strncmp(reply(), "550 5.1.1", 9) == 0, "pipelined refused RCPT");
	is_str(reply(), "250 2.1.5 Ok", "pipelined RCPT after a refusal");
	is_str(reply(), "354 End data with <CR><LF>.<CR><LF>",
	    "pipelined DATA");
	say("body\r\n.\r\nRSET\r\nNOOP\r\nQUIT\r\n");
	is_str(reply(), "250 2.0.0 Ok: queued as MOCK1", "data and the rest");
	is_str(reply(), "250 2.0.0 Ok", "pipelined RSET");
	is_str(reply(), "250 2.0.0 Ok", "pipelined NOOP");
	is_str(reply(), "221 2.0.0 Bye", "pipelined QUIT");
	is_int(finish(), 0, "clean end");
	ok(logged("RCPT c@d.example\nRCPT- reject@d.example\n"
	    "RCPT e@d.example\nDATA\nLINE(4) body\nEND 1\n"),
	    "ops called in order");
}

static void
t_bad_bytes(void)
{
	start(NULL);
	reply();
	cmd("EHLO c.example\r\n");
	say_raw("NOOP\0x\r\n", 8);
	is_str(reply(), "500 5.5.2 Error: NUL byte in command",
	    "NUL in a command: 500");
	say_raw("MAIL FROM:<a\0b@b.example>\r\n", 27);
	is_str(reply(), "500 5.5.2 Error: NUL byte in command",
	    "NUL in MAIL FROM: 500");
	ok(strncmp(cmd("MAIL FROM:<a\rb@b.example>\r\n"), "501 5.5.4 ", 10)
	    == 0, "CR in MAIL FROM: 501 (%s)", got);
	is_str(cmd("MAIL FROM:<a\nb@b.example>\r\n"),
	    "500 5.5.2 Error: bare LF not allowed (RFC 5321 2.3.8)",
	    "LF in MAIL FROM: bare LF, not executed");
	is_str(reply(), "500 5.5.2 Error: command not recognized",
	    "the rest of that line is a separate, unknown command");
	is_str(cmd("NOOP\n"),
	    "500 5.5.2 Error: bare LF not allowed (RFC 5321 2.3.8)",
	    "command ended by a bare LF: 500");
	is_str(cmd("MAIL FROM:<a@b.example>\r\n"), "250 2.1.0 Ok",
	    "still in step");
	ok(strncmp(cmd("RCPT TO:<c\r@d.example>\r\n"), "501 5.5.4 ", 10) == 0,
	    "CR in RCPT TO: 501");
	is_str(cmd("RCPT TO:<c@d.example>\r\n"), "250 2.1.5 Ok",
	    "a good RCPT after it");
	cmd("QUIT\r\n");
	is_int(finish(), 0, "QUIT");
	ok(!logged("NOOP") && !logged("a\\0b") && !logged("MAIL <a\n"),
	    "no bad command reached an op");
	ok(logged("MAIL <a@b.example> 0\nRCPT c@d.example\n"),
	    "only the good ones did");
}

static void
t_too_many_errors(void)
{
	struct cfg	 cf = { 0, 0, 3, 0 };

	start(&cf);
	reply();
	is_int((cmd("BAD1\r\n"), code()), 500, "error 1");
	is_int((cmd("BAD2\r\n"), code()), 500, "error 2");
	cmd("BAD3\r\n");
	is_str(got, "500 5.5.2 Error: command not recognized", "error 3");
	is_str(reply(), "421 4.7.0 " HOST " Error: too many errors",
	    "then 421");
	is_str(reply(), "", "and the connection is closed");
	is_int(finish(), 1, "smtp_server_run returned -1");
}

/* The protocol counts no recipients: max_rcpt is the policy's. */
static void
t_many_rcpt(void)
{
	char	 c[64];
	int	 all = 1;

	start(NULL);
	open_tx();
	for (int i = 0; i < 150; i++) {
		snprintf(c, sizeof(c), "RCPT TO:<r%d@d.example>\r\n", i);
		if (strcmp(cmd(c), "250 2.1.5 Ok") != 0)
			all = 0;
	}
	ok(all, "150 recipients: the protocol refuses none");
	cmd("QUIT\r\n");
	finish();
	ok(logged("RCPT r149@d.example"), "the op saw the last one");
}

/* EHLO is built from the caps; what is not offered is 502. */
static void
t_caps(void)
{
	struct cfg	 cf = { 0, SMTP_CAP_PIPELINING | SMTP_CAP_STARTTLS |
			    SMTP_CAP_AUTH, 0, 0 };

	start(&cf);
	reply();
	is_str(cmd("EHLO c.example\r\n"), "250-" HOST "\n250-PIPELINING\n"
	    "250-STARTTLS\n250 AUTH PLAIN LOGIN", "EHLO lists exactly the caps");
	is_str(cmd("MAIL FROM:<a@b.example> RET=HDRS\r\n"),
	    "555 5.5.4 Unsupported parameter RET", "DSN not offered: RET 555");
	is_str(cmd("MAIL FROM:<a@b.example> SMTPUTF8\r\n"),
	    "555 5.5.4 Unsupported parameter SMTPUTF8",
	    "SMTPUTF8 not offered: 555");
	cmd("MAIL FROM:<a@b.example>\r\n");
	is_str(cmd("RCPT TO:<c@d.example> ORCPT=rfc822;c@d.example\r\n"),
	    "555 5.5.4 Unsupported parameter ORCPT",
	    "DSN not offered: ORCPT 555");
	cmd("QUIT\r\n");
	finish();

	start(NULL);
	reply();
	cmd("EHLO c.example\r\n");
	is_str(cmd("STARTTLS\r\n"), "502 5.5.1 Error: command not implemented",
	    "STARTTLS not offered: 502");
	is_str(cmd("AUTH PLAIN AGFsaWNlAHMzY3JldA==\r\n"),
	    "502 5.5.1 Error: command not implemented", "AUTH not offered: 502");
	cmd("QUIT\r\n");
	finish();
	ok(!logged("AUTH"), "and the op never saw it");

	refuse_connect = 1;
	start(NULL);
	is_str(reply(), "421 4.7.0 mock: too many connections",
	    "a refused connection gets the op's reply, no greeting");
	is_str(reply(), "", "and is closed");
	is_int(finish(), 1, "smtp_server_run returned -1");
	refuse_connect = 0;
}

static void
t_starttls(void)
{
	struct cfg	 cf = { 0, SMTPCAP_TLS_TEST, 0, 0 };

	start(&cf);
	reply();
	is_str(cmd("STARTTLS\r\n"), "503 5.5.1 Error: send HELO/EHLO first",
	    "STARTTLS before EHLO: 503");
	cmd("EHLO c.example\r\n");
	cmd("MAIL FROM:<a@b.example>\r\n");
	is_str(cmd("STARTTLS\r\n"), "503 5.5.1 Error: MAIL transaction in "
	    "progress", "STARTTLS in a transaction: 503");
	cmd("RSET\r\n");
	is_str(cmd("STARTTLS\r\n"), "220 2.0.0 Ready to start TLS", "220");
	is_str(cmd("MAIL FROM:<a@b.example>\r\n"),
	    "503 5.5.1 Error: send HELO/EHLO first",
	    "after the switch the session starts over: EHLO first");
	ok(strstr(cmd("EHLO c.example\r\n"), "STARTTLS") == NULL,
	    "and STARTTLS is no longer offered");
	is_str(cmd("STARTTLS\r\n"), "502 5.5.1 Error: command not implemented",
	    "nor accepted");
	cmd("QUIT\r\n");
	finish();
	ok(logged("STARTTLS pending=0"), "the switch ran with nothing buffered");

	/* the classic injection: a command in the same packet as STARTTLS */
	start(&cf);
	reply();
	cmd("EHLO c.example\r\n");
	say("STARTTLS\r\nMAIL FROM:<evil@x.example>\r\n");
	is_str(reply(), "220 2.0.0 Ready to start TLS", "220 for STARTTLS");
	is_str(reply(), "", "then the connection ends: nothing pipelined "
	    "after STARTTLS is read as a command");
	is_int(finish(), 1, "-1");
	ok(logged("STARTTLS pending=1") && !logged("MAIL <evil"),
	    "the injected MAIL never reached the policy");
}

static void
t_auth(void)
{
	struct cfg	 cf = { 0, SMTPCAP_TLS_TEST, 0, 0 };

	start(&cf);
	reply();
	cmd("EHLO c.example\r\n");
	/* "\0alice\0wrong" */
	is_str(cmd("AUTH PLAIN AGFsaWNlAHdyb25n\r\n"),
	    "535 5.7.8 Error: authentication failed", "a wrong password: 535");
	is_str(cmd("AUTH CRAM-MD5\r\n"),
	    "504 5.5.4 Unrecognized authentication type", "unknown mechanism");
	is_str(cmd("AUTH PLAIN !!!\r\n"), "501 5.5.2 Cannot decode response",
	    "bad base64: 501");
	is_str(cmd("AUTH PLAIN\r\n"), "334 ", "PLAIN without a response: 334");
	is_str(cmd("*\r\n"), "501 5.7.0 Authentication aborted", "* cancels");
	is_str(cmd("AUTH LOGIN\r\n"), "334 VXNlcm5hbWU6", "LOGIN, empty answers");
	is_str(cmd("\r\n"), "334 UGFzc3dvcmQ6", "an empty user name still asks");
	is_str(cmd("\r\n"), "501 5.5.2 Cannot decode response",
	    "an empty user: 501 (no look at a buffer never filled)");
	is_str(cmd("AUTH LOGIN\r\n"), "334 VXNlcm5hbWU6", "LOGIN asks Username:");
	is_str(cmd("YWxpY2U=\r\n"), "334 UGFzc3dvcmQ6", "then Password:");
	is_str(cmd("czNjcmV0\r\n"), "235 2.7.0 Authentication successful",
	    "alice/s3cret: 235");
	ok(strstr(cmd("EHLO c.example\r\n"), "AUTH") == NULL,
	    "AUTH is no longer offered");
	is_str(cmd("AUTH PLAIN AGFsaWNlAHMzY3JldA==\r\n"),
	    "503 5.5.1 Error: already authenticated",
	    "nor accepted again: 503 (RFC 4954 4)");
	cmd("MAIL FROM:<a@b.example>\r\n");
	cmd("QUIT\r\n");
	finish();
	ok(logged("AUTH alice/wrong\nAUTH alice/s3cret\n"),
	    "the op got user and password, decoded");

	start(&cf);
	reply();
	cmd("EHLO c.example\r\n");
	/* "authz\0alice\0s3cret" as an initial response */
	is_str(cmd("AUTH PLAIN YXV0aHoAYWxpY2UAczNjcmV0\r\n"),
	    "235 2.7.0 Authentication successful", "PLAIN with an authzid");
	cmd("QUIT\r\n");
	finish();
}

static void
t_size(void)
{
	struct cfg	 cf = { 50, 0, 0, 0 };

	start(&cf);
	reply();
	ok(strstr(cmd("EHLO c.example\r\n"), "250-SIZE 50\n") != NULL,
	    "SIZE advertises max_size");
	cmd("MAIL FROM:<a@b.example>\r\n");
	cmd("RCPT TO:<c@d.example>\r\n");
	cmd("DATA\r\n");
	say("0123456789012345678901234567890123456789\r\n"
	    "0123456789\r\n");
	is_str(cmd(".\r\n"), "552 5.3.4 Message size exceeds fixed limit",
	    "over max_size: 552 at the end");
	is_str(cmd("NOOP\r\n"), "250 2.0.0 Ok", "in step");
	cmd("QUIT\r\n");
	finish();
	ok(logged("LINE(40)") && !logged("LINE(10)") && logged("END 0"),
	    "fed until the limit, then data_end(0)");
}

static void
t_end_of_input(void)
{
	struct cfg	 cf = { 0, 0, 0, 200 };

	start(NULL);
	open_tx();
	cmd("DATA\r\n");
	say("partial\r\nno end");
	shutdown(cio.wfd, SHUT_WR);
	is_str(reply(), "", "EOF in DATA: connection closed");
	is_int(finish(), 1, "EOF in DATA: -1");
	ok(logged("LINE(7) partial\nEND 0\n"), "data_end(0) to clean up");

	start(&cf);
	reply();
	is_str(reply(), "", "silent client: closed after the timeout");
	is_int(finish(), 1, "timeout: -1");

	start(NULL);
	reply();
	shutdown(cio.wfd, SHUT_WR);
	is_int(finish(), 1, "EOF without QUIT: -1");
}

/* DSN (RFC 3461): RET and ENVID on MAIL, NOTIFY and ORCPT on RCPT,
   checked and decoded; every refusal names its parameter, and no
   refused command reaches an op. */
static void
t_dsn(void)
{
	char	 c[600], id[LIM_DSN_ENVID + 2];

	start(NULL);
	reply();
	cmd("EHLO c.example\r\n");
	is_str(cmd("MAIL FROM:<a@b.example> RET=FULL ENVID=QQ314159+2Bx+20y"
	    "\r\n"), "250 2.1.0 Ok", "MAIL with RET and ENVID");
	is_str(cmd("RCPT TO:<c@d.example> NOTIFY=SUCCESS,FAILURE "
	    "ORCPT=rfc822;C+2Btag@d.example\r\n"), "250 2.1.5 Ok",
	    "RCPT with NOTIFY and ORCPT");
	is_str(cmd("RCPT TO:<e@d.example> notify=never\r\n"), "250 2.1.5 Ok",
	    "NOTIFY=NEVER, any case");
	is_str(cmd("RCPT TO:<f@d.example> NOTIFY=SUCCESS,NEVER\r\n"),
	    "501 5.5.4 Bad NOTIFY parameter value (NEVER, or SUCCESS, "
	    "FAILURE, DELAY)", "NEVER with another: 501");
	is_str(cmd("RCPT TO:<f@d.example> NOTIFY=DELAY,DELAY\r\n"),
	    "501 5.5.4 Bad NOTIFY parameter value (NEVER, or SUCCESS, "
	    "FAILURE, DELAY)", "a keyword twice: 501");
	is_str(cmd("RCPT TO:<f@d.example> NOTIFY=SOMETIMES\r\n"),
	    "501 5.5.4 Bad NOTIFY parameter value (NEVER, or SUCCESS, "
	    "FAILURE, DELAY)", "an unknown keyword: 501");
	is_str(cmd("RCPT TO:<f@d.example> NOTIFY=\r\n"),
	    "501 5.5.4 Bad NOTIFY parameter value (NEVER, or SUCCESS, "
	    "FAILURE, DELAY)", "an empty NOTIFY: 501");
	is_str(cmd("RCPT TO:<f@d.example> NOTIFY=DELAY NOTIFY=FAILURE\r\n"),
	    "501 5.5.4 Repeated NOTIFY parameter", "NOTIFY twice: 501");
	is_str(cmd("RCPT TO:<f@d.example> NOTIFY\r\n"),
	    "501 5.5.4 NOTIFY parameter needs a value", "NOTIFY without =");
	is_str(cmd("RCPT TO:<f@d.example> ORCPT=f@d.example\r\n"),
	    "501 5.5.4 Bad ORCPT parameter value (addr-type;xtext)",
	    "ORCPT without its type: 501");
	is_str(cmd("RCPT TO:<f@d.example> ORCPT=rfc822;f+2\r\n"),
	    "501 5.5.4 Bad ORCPT parameter value (addr-type;xtext)",
	    "ORCPT with a cut hexchar: 501");
	is_str(cmd("RCPT TO:<f@d.example> ORCPT=rfc822;f+0D+0Ax\r\n"),
	    "501 5.5.4 Bad ORCPT parameter value (addr-type;xtext)",
	    "ORCPT with CR LF once decoded: 501");
	is_str(cmd("RCPT TO:<f@d.example> ORCPT=rfc822;a@b ORCPT=rfc822;a@b"
	    "\r\n"), "501 5.5.4 Repeated ORCPT parameter", "ORCPT twice");
	is_str(cmd("RCPT TO:<f@d.example> RET=FULL\r\n"),
	    "555 5.5.4 Unsupported parameter RET", "RET on RCPT: 555");
	cmd("QUIT\r\n");
	finish();
	ok(logged("MAIL <a@b.example> 0 ret=FULL envid=[QQ314159+x y]\n"),
	    "the op got RET and ENVID, decoded");
	ok(logged("RCPT c@d.example notify=SUCCESS,FAILURE "
	    "orcpt=[rfc822;C+tag@d.example]\n"),
	    "and NOTIFY and ORCPT, decoded");
	ok(logged("RCPT e@d.example notify=NEVER\n"), "NEVER");
	ok(!logged("f@d.example"), "no refused RCPT reached the op");

	start(NULL);
	reply();
	cmd("EHLO c.example\r\n");
	is_str(cmd("MAIL FROM:<a@b.example> NOTIFY=NEVER\r\n"),
	    "555 5.5.4 Unsupported parameter NOTIFY", "NOTIFY on MAIL: 555");
	is_str(cmd("MAIL FROM:<a@b.example> RET=FULL RET=HDRS\r\n"),
	    "501 5.5.4 Repeated RET parameter", "RET twice: 501");
	is_str(cmd("MAIL FROM:<a@b.example> RET=ALL\r\n"),
	    "501 5.5.4 Bad RET parameter value (FULL or HDRS)",
	    "RET=ALL: 501");
	is_str(cmd("MAIL FROM:<a@b.example> RET\r\n"),
	    "501 5.5.4 RET parameter needs a value", "RET without =: 501");
	is_str(cmd("MAIL FROM:<a@b.example> ENVID=a=b\r\n"),
	    "501 5.5.4 Bad ENVID parameter value (xtext of printable ASCII)",
	    "ENVID with a bare '=': 501");
	is_str(cmd("MAIL FROM:<a@b.example> ENVID=a+0Ab\r\n"),
	    "501 5.5.4 Bad ENVID parameter value (xtext of printable ASCII)",
	    "ENVID with an LF once decoded: 501");
	is_str(cmd("MAIL FROM:<a@b.example> ENVID=\r\n"),
	    "501 5.5.4 Bad ENVID parameter value (xtext of printable ASCII)",
	    "an empty ENVID: 501");
	is_str(cmd("MAIL FROM:<a@b.example> ENVID=x ENVID=x\r\n"),
	    "501 5.5.4 Repeated ENVID parameter", "ENVID twice: 501");
	memset(id, 'i', LIM_DSN_ENVID + 1);
	id[LIM_DSN_ENVID + 1] = '\0';
	snprintf(c, sizeof(c), "MAIL FROM:<a@b.example> ENVID=%s\r\n", id);
	is_str(cmd(c), "501 5.5.4 ENVID parameter over 100 octets",
	    "a 101-octet ENVID: 501");
	is_str(cmd("MAIL FROM:<a@b.example> SIZE=1 SIZE=1\r\n"),
	    "501 5.5.4 Repeated SIZE parameter", "SIZE twice: 501 too");
	id[LIM_DSN_ENVID] = '\0';
	snprintf(c, sizeof(c), "MAIL FROM:<a@b.example> ret=hdrs ENVID=%s"
	    "\r\n", id);
	is_str(cmd(c), "250 2.1.0 Ok", "a 100-octet ENVID, ret=hdrs: taken");
	cmd("QUIT\r\n");
	finish();
	ok(logged("HELO c.example 1\nMAIL <a@b.example> 0 ret=HDRS "
	    "envid=[iiii") && strstr(strstr(log_txt, "MAIL <") + 1, "MAIL <")
	    == NULL, "no refused MAIL reached the op, only the good one");

	/* after HELO, or when not offered: unknown, 555 */
	start(NULL);
	reply();
	cmd("HELO c.example\r\n");
	is_str(cmd("MAIL FROM:<a@b.example> RET=FULL\r\n"),
	    "555 5.5.4 Unsupported parameter RET", "RET after HELO: 555");
	is_str(cmd("MAIL FROM:<a@b.example> SMTPUTF8\r\n"),
	    "555 5.5.4 Unsupported parameter SMTPUTF8",
	    "SMTPUTF8 after HELO: 555");
	cmd("MAIL FROM:<a@b.example>\r\n");
	is_str(cmd("RCPT TO:<c@d.example> NOTIFY=NEVER\r\n"),
	    "555 5.5.4 Unsupported parameter NOTIFY", "NOTIFY after HELO: 555");
	cmd("QUIT\r\n");
	finish();
}

/* SMTPUTF8 (RFC 6531): UTF-8 addresses only in a transaction that asked
   for them, and then only well-formed UTF-8 text. */
static void
t_smtputf8(void)
{
	start(NULL);
	reply();
	cmd("EHLO c.example\r\n");
	is_str(cmd("MAIL FROM:<j\xc3\xb6rg@b\xc3\xbc" "cher.example>\r\n"),
	    "553 5.6.7 Non-ASCII addresses require the SMTPUTF8 extension",
	    "a UTF-8 sender without SMTPUTF8: 553 5.6.7");
	is_str(cmd("MAIL FROM:<j\xc3\xb6rg@B\xc3\xbc" "cher.example> SMTPUTF8"
	    "\r\n"), "250 2.1.0 Ok", "with SMTPUTF8: 250");
	is_str(cmd("RCPT TO:<\xce\xb4@\xe4\xbe\x8b.jp> NOTIFY=NEVER\r\n"),
	    "250 2.1.5 Ok", "a UTF-8 recipient in that transaction");
	is_str(cmd("RCPT TO:<a\xc0\xaf" "b@x.example>\r\n"),
	    "553 5.1.3 ill-formed UTF-8 in address (byte 0xc0)",
	    "an overlong form: 553 5.1.3");
	is_str(cmd("RCPT TO:<a\xed\xa0\x80@x.example>\r\n"),
	    "553 5.1.3 ill-formed UTF-8 in address (byte 0xed)",
	    "a surrogate: 553 5.1.3");
	is_str(cmd("RCPT TO:<a\xf4\x90\x80\x80@x.example>\r\n"),
	    "553 5.1.3 ill-formed UTF-8 in address (byte 0xf4)",
	    "past U+10FFFF: 553 5.1.3");
	is_str(cmd("RCPT TO:<a\xc2\x85" "b@x.example>\r\n"),
	    "553 5.1.3 control character U+0085 in address",
	    "a C1 control: 553 5.1.3");
	is_str(cmd("RCPT TO:<a\x7f" "b@x.example>\r\n"),
	    "553 5.1.3 control character DEL in address",
	    "DEL: 553 5.1.3");
	is_str(cmd("RCPT TO:<a..b@x.example>\r\n"),
	    "501 5.5.4 empty atom in local part (leading, trailing or double "
	    "dot)", "other faults stay 501");
	cmd("DATA\r\n");
	is_str(cmd("x\r\n.\r\n"), "250 2.0.0 Ok: queued as MOCK1", "queued");
	is_str(cmd("MAIL FROM:<a@b.example>\r\n"), "250 2.1.0 Ok",
	    "the next transaction, without SMTPUTF8");
	is_str(cmd("RCPT TO:<\xce\xb4@x.example>\r\n"),
	    "553 5.6.7 Non-ASCII addresses require the SMTPUTF8 extension",
	    "does not inherit it");
	cmd("RSET\r\n");
	is_str(cmd("MAIL FROM:<a\xe0\x80\xaf@x.example> SMTPUTF8\r\n"),
	    "553 5.1.7 ill-formed UTF-8 in address (byte 0xe0)",
	    "an overlong sender: 553 5.1.7");
	is_str(cmd("MAIL FROM:<a\xc2\x9b" "b@x.example> SMTPUTF8\r\n"),
	    "553 5.1.7 control character U+009B in address",
	    "a C1 control in the sender: 553 5.1.7");
	is_str(cmd("MAIL FROM:<a@x.example> SMTPUTF8=yes\r\n"),
	    "501 5.5.4 SMTPUTF8 parameter takes no value", "SMTPUTF8=yes");
	is_str(cmd("MAIL FROM:<a@x.example> SMTPUTF8 smtputf8\r\n"),
	    "501 5.5.4 Repeated SMTPUTF8 parameter", "SMTPUTF8 twice");
	cmd("QUIT\r\n");
	finish();
	ok(logged("MAIL <j\xc3\xb6rg@b\xc3\xbc" "cher.example> 0\nSMTPUTF8\n"
	    "RCPT \xce\xb4@\xe4\xbe\x8b.jp notify=NEVER\n"), "the ops got "
	    "the addresses, the domain's ASCII letters lowered, and the flag");
	ok(!logged("x.example>") && !logged("RCPT a"),
	    "no refused address reached an op");

	start(NULL);
	reply();
	cmd("HELO c.example\r\n");
	is_str(cmd("MAIL FROM:<j\xc3\xb6rg@x.example>\r\n"),
	    "553 5.6.7 Non-ASCII addresses require the SMTPUTF8 extension",
	    "after HELO: 553 5.6.7");
	cmd("QUIT\r\n");
	finish();
}

/* BDAT (RFC 3030): chunks of exact sizes, lines split anywhere. */
static void
t_bdat(void)
{
	struct cfg	 cf = { 60, 0, 0, 0 };

	start(NULL);
	reply();
	cmd("EHLO c.example\r\n");
	say("BDAT 6 LAST\r\nNOOP\r\n");
	is_str(reply(), "503 5.5.1 Error: need MAIL command",
	    "BDAT before MAIL: 503");
	is_str(cmd("RSET\r\n"), "250 2.0.0 Ok", "and its bytes were read, "
	    "not taken as a command");
	cmd("QUIT\r\n");
	finish();

	start(NULL);
	open_tx();
	/* "Subject: s\r\n\r\nline one\r\n.dot\r\nend" in three chunks,
	   split inside a line and between CR and LF */
	say("BDAT 13\r\nSubject: s\r\n\r");
	is_str(reply(), "250 2.0.0 13 octets received", "chunk 1: 250");
	say("BDAT 16\r\n\nline one\r\n.dot\r");
	is_str(reply(), "250 2.0.0 16 octets received", "chunk 2: 250");
	is_str(cmd("DATA\r\n"), "503 5.5.1 Error: BDAT and DATA cannot be "
	    "mixed in one transaction", "DATA after BDAT: 503");
	say("BDAT 4 LAST\r\n\nend");
	is_str(reply(), "250 2.0.0 Ok: queued as MOCK1", "LAST: the message");
	is_str(cmd("NOOP\r\n"), "250 2.0.0 Ok", "in step afterwards");
	cmd("QUIT\r\n");
	finish();
	ok(logged("DATA\nLINE(10) Subject: s\nLINE(0) \nLINE(8) line one\n"
	    "LINE(4) .dot\nLINE(3) end\nEND 1\n"), "lines put together "
	    "across chunks; no dot unstuffed; a last line without CRLF");

	start(NULL);
	open_tx();
	say("BDAT 0 LAST\r\n");
	is_str(reply(), "250 2.0.0 Ok: queued as MOCK1", "BDAT 0 LAST");
	cmd("MAIL FROM:<a@b.example>\r\n");
	cmd("RCPT TO:<c@d.example>\r\n");
	say("BDAT 11 LAST\r\nbare\nLF\r\nxx");
	is_str(reply(), BARE, "a bare LF in a chunk: the message is refused");
	cmd("MAIL FROM:<a@b.example>\r\n");
	cmd("RCPT TO:<c@d.example>\r\n");
	say_raw("BDAT 8 LAST\r\nNU\0L\r\nxy", 21);
	is_str(reply(), "554 5.6.0 Message contains a NUL byte", "a NUL too");
	is_str(cmd("BDAT 6\r\nRSET\r\n"), "503 5.5.1 Error: need MAIL command",
	    "BDAT out of place: 503, its bytes dropped");
	is_str(cmd("NOOP\r\n"), "250 2.0.0 Ok", "in step");
	cmd("MAIL FROM:<a@b.example>\r\n");
	cmd("RCPT TO:<c@d.example>\r\n");
	is_str(cmd("BDAT 12x\r\n"), "501 5.5.4 Syntax: BDAT size [LAST]",
	    "a bad size: 501");
	is_str(reply(), "", "and the session ends (its bytes cannot be "
	    "skipped)");
	finish();

	/* a BDAT transaction left without its LAST: the op still hears */
	start(NULL);
	open_tx();
	say("BDAT 3\r\nab\n");
	reply();
	is_str(cmd("RSET\r\n"), "250 2.0.0 Ok", "RSET in the middle of BDAT");
	cmd("MAIL FROM:<a@b.example>\r\n");
	cmd("RCPT TO:<c@d.example>\r\n");
	say("BDAT 2\r\nxy");
	reply();
	cmd("QUIT\r\n");
	finish();
	ok(logged("DATA\nEND 0\nRSET\n") && strstr(strstr(log_txt,
	    "END 0") + 1, "END 0\n") != NULL, "data_end(0) after RSET, and "
	    "after QUIT, for chunks never finished");

	start(&cf);
	open_tx();
	say("BDAT 50\r\n0123456789012345678901234567890123456789\r\n"
	    "012345\r\n");
	is_str(reply(), "250 2.0.0 50 octets received", "50 octets");
	say("BDAT 30 LAST\r\n0123456789012345678901234567\r\n");
	is_str(reply(), "552 5.3.4 Message size exceeds fixed limit",
	    "over max_size across chunks: 552 at LAST");
	is_str(cmd("NOOP\r\n"), "250 2.0.0 Ok", "in step: every byte was read");
	cmd("QUIT\r\n");
	finish();
}

#define TOOLONG	"500 5.5.2 Error: message line too long (RFC 5321 4.5.3.1.6)"

/* BDAT LAST with one line of octets text, then end ("", CRLF, LF):
   the reply, and what the ops heard. */
static void
bdat_text(int octets, const char *end, const char *want)
{
	size_t	 n, e = strlen(end);
	char	*l = malloc((size_t)octets + e + 32), name[64], line[32];

	snprintf(name, sizeof(name), "BDAT, a %d-octet line %s", octets,
	    e == 0 ? "without CRLF" : e == 1 ? "and a bare LF" : "and CRLF");
	n = (size_t)snprintf(l, 32, "BDAT %zu LAST\r\n", (size_t)octets + e);
	memset(l + n, 'x', (size_t)octets);
	memcpy(l + n + (size_t)octets, end, e);
	start(NULL);
	open_tx();
	say_raw(l, n + (size_t)octets + e);
	is_str(reply(), want, "%s: %.3s", name, want);
	is_str(cmd("NOOP\r\n"), "250 2.0.0 Ok", "%s: in step", name);
	cmd("QUIT\r\n");
	finish();
	snprintf(line, sizeof(line), "LINE(%d) xxx", octets);
	if (want[0] == '2')
		ok(logged(line) && logged("END 1"), "%s: fed whole", name);
	else
		ok(!logged("LINE(") && logged("END 0"), "%s: nothing fed, "
		    "data_end(0)", name);
	free(l);
}

/* A BDAT transaction data_begin refused: every chunk of it gets the
   op's reply, whatever other op spoke in between, and no data_end. */
static void
t_bdat_refused(void)
{
	refuse_begin = 1;
	start(NULL);
	open_tx();
	say("BDAT 3\r\nabc");
	is_str(reply(), "452 4.3.1 mock: no room for it now",
	    "BDAT, data_begin refused: its reply");
	is_str(cmd("RCPT TO:<reject@d.example>\r\n"), "550 5.1.1 "
	    "<reject@d.example>: Recipient address rejected", "a RCPT refused "
	    "in between");
	say("BDAT 2\r\nde");
	is_str(reply(), "452 4.3.1 mock: no room for it now",
	    "the next chunk: the same reply, not the RCPT's");
	say("BDAT 2 LAST\r\nfg");
	is_str(reply(), "452 4.3.1 mock: no room for it now", "and LAST");
	is_str(cmd("NOOP\r\n"), "250 2.0.0 Ok", "in step");
	cmd("QUIT\r\n");
	finish();
	refuse_begin = 0;
	ok(logged("DATA-\n") && !logged("END"), "data_begin once, no "
	    "data_end");
}

/* A BDAT line is held to LIM_SMTP_TEXT as a DATA line is, the last
   one without CRLF too (it is stored with one); one over it is too
   long, however it ends, and bare if it ends in a bare LF. */
static void
t_bdat_lines(void)
{
	bdat_text(LIM_SMTP_TEXT - 2, "\r\n", "250 2.0.0 Ok: queued as MOCK1");
	bdat_text(LIM_SMTP_TEXT - 1, "\r\n", TOOLONG);
	bdat_text(LIM_SMTP_TEXT, "\r\n", TOOLONG);
	bdat_text(LIM_SMTP_TEXT + 1, "\r\n", TOOLONG);
	bdat_text(1500, "\n", BARE);
	bdat_text(LIM_SMTP_TEXT - 2, "", "250 2.0.0 Ok: queued as MOCK1");
	bdat_text(LIM_SMTP_TEXT - 1, "", TOOLONG);
	bdat_text(LIM_SMTP_TEXT, "", TOOLONG);
	bdat_text(LIM_SMTP_TEXT + 1, "", TOOLONG);
}

int
main(void)
{
	t_dialogue();
	t_helo();
	t_sequence();
	t_false_endings();
	t_data_edges();
	t_lengths();
	t_pipelining();
	t_bad_bytes();
	t_too_many_errors();
	t_many_rcpt();
	t_caps();
	t_starttls();
	t_auth();
	t_bdat();
	t_bdat_lines();
	t_bdat_refused();
	t_dsn();
	t_smtputf8();
	t_size();
	t_end_of_input();
	return done_testing();
}
