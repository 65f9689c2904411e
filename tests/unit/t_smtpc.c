/*
 * core/smtpc against a scripted server on TCP loopback (a child
 * process that records every byte it receives): the EHLO keywords; HELO
 * when EHLO is refused; a pipelined transaction with one result per
 * recipient; the message on the wire as CRLF lines, dot-stuffed, with
 * no bare CR or LF whatever the stored message holds; SIZE and SMTPUTF8
 * refusals before MAIL; DSN parameters in xtext; a server's control
 * characters shown as '?'; malformed replies, 421 and a lost connection
 * as session failures; AUTH never without TLS.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "conf.h"
#include "smtpc.h"
#include "tap.h"

#define NO_EHLO		0x01	/* EHLO gets 502 */
#define MAIL_421	0x02	/* MAIL gets 421 and the server leaves */
#define MAIL_BAD	0x04	/* MAIL gets a malformed reply */
#define DATA_554	0x08	/* DATA gets 554 */
#define DROP_DATA	0x10	/* the server leaves in the middle of DATA */
#define LONG_EHLO	0x20	/* EHLO gets a reply of 150 lines */

static char		 rec[] = "/tmp/t_smtpc.XXXXXX";
static int		 lfd;
static struct sockaddr_in sin4;
static time_t		 tmo[SMTP_T_N] = { 5, 5, 5, 5, 5, 5, 5 };
static pid_t		 kid;

static const char *ehlo_full =
    "250-srv.example\r\n250-PIPELINING\r\n250-SIZE 1000\r\n250-8BITMIME\r\n"
    "250-AUTH LOGIN PLAIN\r\n250-DSN\r\n250 ENHANCEDSTATUSCODES\r\n";

/* ---- the server ---- */

static int
readline(int fd, FILE *out, char *line, size_t cap)
{
	size_t	 n = 0;
	char	 c;

	while (read(fd, &c, 1) == 1) {
		fputc(c, out);
		if (n + 1 < cap)
			line[n++] = c;
		if (c == '\n') {
			line[n] = '\0';
			fflush(out);
			return 1;
		}
	}
	fflush(out);
	return 0;
}

static void
say(int fd, const char *s)
{
	if (write(fd, s, strlen(s)) < 0)
		_exit(3);
}

static void
serve(const char *ehlo, int mode)
{
	char	 line[2048];
	FILE	*out = fopen(rec, "w");
	int	 fd = accept(lfd, NULL, NULL);

	say(fd, "220 srv.example ESMTP\r\n");
	while (readline(fd, out, line, sizeof(line))) {
		if (strncmp(line, "EHLO", 4) == 0 && (mode & LONG_EHLO)) {
			for (int i = 0; i < 150; i++)
				say(fd, "250-and more\r\n");
			say(fd, "250 end\r\n");
		} else if (strncmp(line, "EHLO", 4) == 0)
			say(fd, mode & NO_EHLO ? "502 5.5.1 no EHLO\r\n" :
			    ehlo);
		else if (strncmp(line, "HELO", 4) == 0)
			say(fd, "250 srv.example\r\n");
		else if (strncmp(line, "MAIL", 4) == 0) {
			if (mode & MAIL_421) {
				say(fd, "421 4.3.2 closing\r\n");
				break;
			}
			say(fd, mode & MAIL_BAD ? "25O what\r\n" :
			    "250 2.1.0 Ok\r\n");
		} else if (strncmp(line, "RCPT", 4) == 0) {
			if (strstr(line, "bad") != NULL)
				say(fd, "550 5.1.1 <bad@x.example>: no such "
				    "user\x1b[31m\r\n");
			else if (strstr(line, "soft") != NULL)
				say(fd, "451 4.3.0 try later\r\n");
			else
				say(fd, "250 2.1.5 Ok\r\n");
		} else if (strncmp(line, "DATA", 4) == 0) {
			if (mode & DATA_554) {
				say(fd, "554 5.5.1 no valid recipients\r\n");
				continue;
			}
			say(fd, "354 go ahead\r\n");
			if (mode & DROP_DATA)
				break;
			while (readline(fd, out, line, sizeof(line)) &&
			    strcmp(line, ".\r\n") != 0)
				;
			say(fd, "250-2.0.0 Ok:\r\n250 2.0.0 queued as Q1\r\n");
		} else if (strncmp(line, "RSET", 4) == 0)
			say(fd, "250 2.0.0 Ok\r\n");
		else if (strncmp(line, "QUIT", 4) == 0) {
			say(fd, "221 2.0.0 Bye\r\n");
			break;
		} else
			say(fd, "500 5.5.2 what?\r\n");
	}
	fclose(out);
	close(fd);
	_exit(0);
}

static void
start(const char *ehlo, int mode)
{
	fflush(stdout);
	if ((kid = fork()) == 0)
		serve(ehlo, mode);
}

/* What the server received, whole. */
static char *
received(void)
{
	static char	 buf[65536];
	FILE		*fp;
	size_t		 n;

	waitpid(kid, NULL, 0);
	if ((fp = fopen(rec, "r")) == NULL)
		return strcpy(buf, "");
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

static int
session(struct smtpc *s, const char *ehlo, int mode)
{
	start(ehlo, mode);
	return smtpc_connect(s, (struct sockaddr *)&sin4, "mx.example",
	    tmo) == 0 && smtpc_greeting(s) == 0 &&
	    smtpc_ehlo(s, "client.example") == 0 ? 0 : -1;
}

static void
tx_init(struct smtpc_tx *tx, struct smtpc_rcpt *r, int n, const char *m)
{
	memset(tx, 0, sizeof(*tx));
	tx->sender = "a@client.example";
	tx->data = m;
	tx->len = strlen(m);
	tx->rcpt = r;
	tx->nrcpt = n;
}

/* ---- the cases ---- */

static void
t_pipelined(void)
{
	struct smtpc		 s;
	struct smtpc_tx		 tx;
	struct smtpc_rcpt	 r[3] = {
		{ "good@x.example", 0, NULL, 0, "" },
		{ "bad@x.example", 0, NULL, 0, "" },
		{ "soft@x.example", 0, NULL, 0, "" } };
	const char		*m = "Subject: t\n\na\n.b\nc\rd\n.\n\r\n"
				    "x\r\rlast";
	char			*got, want[128];

	ok(session(&s, ehlo_full, 0) == 0, "greeting and EHLO");
	ok(s.caps == (SMTP_CAP_PIPELINING | SMTP_CAP_SIZE |
	    SMTP_CAP_8BITMIME | SMTP_CAP_DSN | SMTP_CAP_ENHANCED) &&
	    s.size == 1000 && s.auth == (SMTPC_AUTH_PLAIN | SMTPC_AUTH_LOGIN),
	    "EHLO keywords: PIPELINING SIZE 1000 8BITMIME DSN, AUTH both");
	snprintf(want, sizeof(want), "mx.example[127.0.0.1]:%u",
	    (unsigned)ntohs(sin4.sin_port));
	is_str(s.peer, want, "the peer named as Postfix does");
	tx_init(&tx, r, 3, m);
	is_int(smtpc_send(&s, &tx), 0, "a transaction: every recipient has "
	    "its result");
	ok(r[0].res == SMTPC_OK && strcmp(r[0].why, "250 2.0.0 Ok: 2.0.0 "
	    "queued as Q1") == 0, "the good one: OK, with the final reply");
	ok(r[1].res == SMTPC_PERM, "the bad one: PERM");
	is_str(r[1].why, "5.1.1 host mx.example[127.0.0.1] said: 550 5.1.1 "
	    "<bad@x.example>: no such user?[31m (in reply to RCPT TO "
	    "command)", "  its reason, the escape shown as '?'");
	ok(r[2].res == SMTPC_TEMP && strncmp(r[2].why, "4.3.0 host ", 11) ==
	    0, "the soft one: TEMP 4.3.0");
	smtpc_close(&s, 1);
	got = received();
	ok(strstr(got, "MAIL FROM:<a@client.example> SIZE=") != NULL &&
	    strstr(got, "RCPT TO:<good@x.example>\r\nRCPT TO:<bad@x.example>"
	    "\r\nRCPT TO:<soft@x.example>\r\nDATA\r\n") != NULL,
	    "MAIL, the RCPTs and DATA pipelined, in order");
	ok(strstr(got, "\r\n\r\nSubject: t\r\n\r\na\r\n..b\r\nc\r\nd\r\n..\r\n"
	    "\r\nx\r\n\r\nlast\r\n.\r\nQUIT\r\n") != NULL ||
	    strstr(got, "DATA\r\nSubject: t\r\n\r\na\r\n..b\r\nc\r\nd\r\n"
	    "..\r\n\r\nx\r\n\r\nlast\r\n.\r\nQUIT\r\n") != NULL,
	    "the message: CRLF lines, dot-stuffed; a bare CR a line end");
	for (char *p = strstr(got, "DATA\r\n"); p != NULL && *p; p++)
		if ((*p == '\n' && p[-1] != '\r') || (*p == '\r' &&
		    p[1] != '\n')) {
			ok(0, "no bare CR or LF on the wire");
			return;
		}
	ok(1, "no bare CR or LF on the wire");
}

static void
t_refusals(void)
{
	struct smtpc		 s;
	struct smtpc_tx		 tx;
	struct smtpc_rcpt	 r[1] = { { "good@x.example", 0, NULL, 0, "" } };
	char			 big[1200];

	memset(big, 'x', sizeof(big) - 1);	/* 1,198 octets and LF */
	big[sizeof(big) - 2] = '\n';
	big[sizeof(big) - 1] = '\0';
	session(&s, ehlo_full, 0);
	tx_init(&tx, r, 1, big);
	ok(smtpc_send(&s, &tx) == 0 && r[0].res == SMTPC_PERM &&
	    strncmp(r[0].why, "5.3.4 message size 1200 exceeds size limit "
	    "1000", 44) == 0, "over the server's SIZE: 5.3.4 at once");
	tx_init(&tx, r, 1, "x\n");
	tx.smtputf8 = 1;
	ok(smtpc_send(&s, &tx) == 0 && r[0].res == SMTPC_PERM &&
	    strncmp(r[0].why, "5.6.7 SMTPUTF8 is required", 26) == 0,
	    "SMTPUTF8 needed, not offered: 5.6.7");
	ok(smtpc_auth(&s, "u", "p") == -1 && errno == EPERM &&
	    strstr(s.why, "without TLS") != NULL, "AUTH without TLS: never");
	smtpc_close(&s, 1);
	ok(strstr(received(), "MAIL") == NULL && strstr(received(), "AUTH") ==
	    NULL, "  the server saw no MAIL and no AUTH");
}

static void
t_helo(void)
{
	struct smtpc		 s;
	struct smtpc_tx		 tx;
	struct smtpc_rcpt	 r[2] = {
		{ "bad@x.example", 0, NULL, 0, "" },
		{ "good@x.example", DSN_NOTIFY_SUCCESS | DSN_NOTIFY_FAILURE,
		    "rfc822;Good+1=@x.example", 0, "" } };
	char			*got;

	ok(session(&s, ehlo_full, NO_EHLO) == 0 && s.caps == 0,
	    "EHLO refused: HELO, nothing offered");
	tx_init(&tx, r, 2, "m\n");
	tx.ret = DSN_RET_HDRS;
	ok(smtpc_send(&s, &tx) == 0 && r[0].res == SMTPC_PERM && r[1].res ==
	    SMTPC_OK && !tx.dsn, "one command at a time: results as before");
	smtpc_close(&s, 1);
	got = received();
	ok(strstr(got, "HELO client.example\r\n") != NULL &&
	    strstr(got, "MAIL FROM:<a@client.example>\r\n") != NULL,
	    "HELO, then MAIL without parameters");
	ok(strstr(got, "NOTIFY") == NULL && strstr(got, "RET=") == NULL,
	    "no DSN parameters to a server without DSN");

	session(&s, ehlo_full, 0);
	tx_init(&tx, r + 1, 1, "m\n");
	tx.ret = DSN_RET_HDRS;
	tx.envid = "id 1";
	ok(smtpc_send(&s, &tx) == 0 && r[1].res == SMTPC_OK && tx.dsn,
	    "with DSN offered: taken");
	smtpc_close(&s, 1);
	got = received();
	ok(strstr(got, " RET=HDRS ENVID=id+201\r\n") != NULL &&
	    strstr(got, "RCPT TO:<good@x.example> NOTIFY=SUCCESS,FAILURE "
	    "ORCPT=rfc822;Good+2B1+3D@x.example\r\n") != NULL,
	    "RET, ENVID, NOTIFY and ORCPT, in xtext");
}

static void
t_failures(void)
{
	struct smtpc		 s;
	struct smtpc_tx		 tx;
	struct smtpc_rcpt	 r[2] = {
		{ "good@x.example", 0, NULL, 0, "" },
		{ "other@x.example", 0, NULL, 0, "" } };

	session(&s, ehlo_full, MAIL_421);
	tx_init(&tx, r, 2, "m\n");
	ok(smtpc_send(&s, &tx) == -1 && !tx.dot && s.broken,
	    "421 to MAIL: the session failed, nothing sent");
	smtpc_close(&s, 1);
	received();

	session(&s, ehlo_full, MAIL_BAD);
	tx_init(&tx, r, 2, "m\n");
	ok(smtpc_send(&s, &tx) == -1 && strstr(s.why, "malformed reply") !=
	    NULL, "a malformed reply: a failed session, said so");
	smtpc_close(&s, 1);
	received();

	session(&s, ehlo_full, DATA_554);
	tx_init(&tx, r, 2, "m\n");
	ok(smtpc_send(&s, &tx) == 0 && r[0].res == SMTPC_PERM && r[1].res ==
	    SMTPC_PERM && strstr(r[0].why, "(in reply to DATA command)") !=
	    NULL, "554 to DATA: every accepted recipient fails with it");
	smtpc_close(&s, 1);
	received();

	session(&s, ehlo_full, DROP_DATA);
	tx_init(&tx, r, 2, "m\n");
	ok(smtpc_send(&s, &tx) == -1 && strstr(s.why, "4.4.2 ") == s.why,
	    "the server gone in the middle of DATA: a failed session");
	smtpc_close(&s, 1);
	received();

	ok(session(&s, ehlo_full, LONG_EHLO) == -1 && strstr(s.why,
	    "of more than 100 lines") != NULL, "a reply that does not end "
	    "(150 lines): a failed session");
	smtpc_close(&s, 0);
	received();

	sin4.sin_port = htons(1);
	ok(smtpc_connect(&s, (struct sockaddr *)&sin4, "mx.example", tmo) ==
	    -1 && strcmp(s.why, "4.4.1 connect to mx.example[127.0.0.1]:1: "
	    "Connection refused") == 0, "connection refused, in Postfix's "
	    "words");
}

int
main(void)
{
	socklen_t	 l = sizeof(sin4);
	int		 fd;

	signal(SIGPIPE, SIG_IGN);
	if ((fd = mkstemp(rec)) == -1)
		return 2;
	close(fd);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin4, 0, sizeof(sin4));
	sin4.sin_family = AF_INET;
	sin4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(lfd, (struct sockaddr *)&sin4, sizeof(sin4)) == -1 ||
	    listen(lfd, 4) == -1 || getsockname(lfd, (struct sockaddr *)&sin4,
	    &l) == -1)
		return 2;
	alarm(60);
	t_pipelined();
	t_refusals();
	t_helo();
	t_failures();
	unlink(rec);
	return done_testing();
}
