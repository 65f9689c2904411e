/*
 * core/session: the one SMTP policy, driven over a socketpair for each
 * kind of peer.  A child runs session_run; the parent plays the client
 * with raw bytes and checks the replies.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "aliases.h"
#include "conf.h"
#include "io.h"
#include "queue.h"
#include "session.h"
#include "tap.h"

static char		 dir[] = "/tmp/t_session.XXXXXX";
static struct conf	 c;
static struct io	 cio;
static pid_t		 child;
static char		 got[4096];

static const char *
at(const char *name)
{
	static char	 p[256];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return p;
}

static void
put(const char *name, const char *text)
{
	FILE	*fp = fopen(at(name), "w");

	if (fp == NULL || fputs(text, fp) == EOF || fclose(fp) == EOF)
		exit(2);
}

/* The daemon's hooks, stood in for: a TLS switch that changes nothing
   on the wire, and one account. */
static int
fake_tls(void *arg, struct io *io)
{
	(void)arg;
	return io_pending(io) ? -1 : 0;
}

static int
fake_password(void *arg, const char *user, const char *pass)
{
	(void)arg;
	return strcmp(user, "alice") == 0 && strcmp(pass, "pw") == 0;
}

static void
start(struct session_peer *p)
{
	int	 sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		exit(2);
	if ((child = fork()) == 0) {
		char	**ids = NULL;
		int	 n = 0;

		close(sv[0]);
		_exit(session_run(&c, p, sv[1], sv[1], &ids, &n) == 0 ? 0 : 1);
	}
	close(sv[1]);
	io_init(&cio, sv[0], sv[0], 5000);
}

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

static const char *
cmd(const char *s)
{
	if (write(cio.wfd, s, strlen(s)) != (ssize_t)strlen(s))
		diag("short write");
	return reply();
}

static int
finish(void)
{
	int	 st;

	cmd("QUIT\r\n");
	close(cio.rfd);
	waitpid(child, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static void
peer(struct session_peer *p, enum session_kind kind, const char *ip)
{
	memset(p, 0, sizeof(*p));
	p->kind = kind;
	snprintf(p->name, sizeof(p->name), "client.example");
	snprintf(p->addr_text, sizeof(p->addr_text), "%s", ip);
	p->family = strchr(ip, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(p->family, ip, p->addr) != 1)
		exit(2);
}

static void
t_mta_stranger(void)
{
	struct session_peer	 p;

	peer(&p, SESSION_MTA, "192.0.2.7");
	start(&p);
	reply();
	is_str(cmd("EHLO c.example\r\n"), "250-mx.test.example\n250-PIPELINING\n"
	    "250-SIZE 1000000\n250-ENHANCEDSTATUSCODES\n250-8BITMIME\n250-DSN\n"
	    "250-SMTPUTF8\n250 CHUNKING",
	    "MTA stranger: no STARTTLS without a certificate, no AUTH");
	is_str(cmd("MAIL FROM:<someone@far.example>\r\n"), "250 2.1.0 Ok",
	    "any sender");
	is_str(cmd("RCPT TO:<victim@far.example>\r\n"),
	    "554 5.7.1 <victim@far.example>: Relay access denied",
	    "another domain: relay access denied");
	is_str(cmd("RCPT TO:<user%far.example@test.example>\r\n"),
	    "550 5.1.1 <user%far.example@test.example>: Recipient address "
	    "rejected: User unknown in local recipient table",
	    "user%%other@local: no such user, never relayed");
	is_str(cmd("RCPT TO:<\"user@far.example\"@test.example>\r\n"),
	    "550 5.1.1 <\"user@far.example\"@test.example>: Recipient address "
	    "rejected: User unknown in local recipient table",
	    "\"user@other\"@local: no such user");
	is_str(cmd("RCPT TO:<ALICE@test.example>\r\n"), "250 2.1.5 Ok",
	    "a local user (any case)");
	is_str(cmd("RCPT TO:<postmaster@test.example>\r\n"), "250 2.1.5 Ok",
	    "an alias");
	is_int(finish(), 0, "QUIT");
}

static void
t_mta_mynetworks(void)
{
	struct session_peer	 p;

	peer(&p, SESSION_MTA, "127.0.0.9");
	start(&p);
	reply();
	cmd("EHLO c.example\r\n");
	cmd("MAIL FROM:<a@test.example>\r\n");
	is_str(cmd("RCPT TO:<friend@far.example>\r\n"), "250 2.1.5 Ok",
	    "127.0.0.9 is in mynetworks: relays");
	finish();
	peer(&p, SESSION_MTA, "::ffff:127.0.0.1");
	start(&p);
	reply();
	cmd("EHLO c.example\r\n");
	cmd("MAIL FROM:<a@test.example>\r\n");
	is_str(cmd("RCPT TO:<friend@far.example>\r\n"), "250 2.1.5 Ok",
	    "a v4-mapped v6 address counts as v4");
	finish();
	peer(&p, SESSION_MTA, "::2");
	start(&p);
	reply();
	cmd("EHLO c.example\r\n");
	cmd("MAIL FROM:<a@test.example>\r\n");
	is_str(cmd("RCPT TO:<friend@far.example>\r\n"),
	    "554 5.7.1 <friend@far.example>: Relay access denied",
	    "::2 is not [::1]/128");
	finish();
}

static void
t_msa(void)
{
	struct session_peer	 p;

	peer(&p, SESSION_MSA, "192.0.2.8");
	p.starttls = fake_tls;
	p.check_password = fake_password;
	start(&p);
	reply();
	is_str(cmd("EHLO c.example\r\n"), "250-mx.test.example\n250-PIPELINING\n"
	    "250-SIZE 1000000\n250-STARTTLS\n250-ENHANCEDSTATUSCODES\n"
	    "250-8BITMIME\n250-DSN\n250-SMTPUTF8\n250 CHUNKING",
	    "MSA before TLS: STARTTLS, no AUTH");
	is_str(cmd("MAIL FROM:<alice@test.example>\r\n"),
	    "530 5.7.0 Authentication required", "no MAIL before AUTH");
	is_str(cmd("STARTTLS\r\n"), "220 2.0.0 Ready to start TLS", "STARTTLS");
	is_str(cmd("EHLO c.example\r\n"), "250-mx.test.example\n"
	    "250-PIPELINING\n250-SIZE 1000000\n250-AUTH PLAIN LOGIN\n"
	    "250-ENHANCEDSTATUSCODES\n250-8BITMIME\n250-DSN\n"
	    "250-SMTPUTF8\n250 CHUNKING",
	    "under TLS: AUTH offered, STARTTLS not");
	is_str(cmd("AUTH PLAIN AGFsaWNlAHdyb25n\r\n"),
	    "535 5.7.8 Error: authentication failed", "a wrong password");
	is_str(cmd("AUTH PLAIN AGFsaWNlAHB3\r\n"),
	    "235 2.7.0 Authentication successful", "alice/pw");
	is_str(cmd("MAIL FROM:<alice@test.example>\r\n"), "250 2.1.0 Ok",
	    "MAIL after AUTH");
	is_str(cmd("RCPT TO:<friend@far.example>\r\n"), "250 2.1.5 Ok",
	    "an authenticated client relays");
	cmd("DATA\r\n");
	ok(strncmp(cmd("Subject: s\r\n\r\nbody\r\n.\r\n"), "250 2.0.0 Ok: "
	    "queued as ", 24) == 0, "queued");
	is_int(finish(), 0, "QUIT");
}

static void
t_local(void)
{
	struct session_peer	 p;
	char			 c2[64];
	int			 all = 1;

	memset(&p, 0, sizeof(p));
	p.kind = SESSION_LOCAL;
	p.uid = 4242;
	snprintf(p.name, sizeof(p.name), "localhost");
	start(&p);
	reply();
	cmd("EHLO c.example\r\n");
	cmd("MAIL FROM:<anyone@anywhere.example>\r\n");
	for (int i = 0; i < 3; i++) {
		snprintf(c2, sizeof(c2), "RCPT TO:<r%d@far.example>\r\n", i);
		if (strcmp(cmd(c2), "250 2.1.5 Ok") != 0)
			all = 0;
	}
	ok(all, "local: any domain");
	is_str(cmd("RCPT TO:<r3@far.example>\r\n"),
	    "452 4.5.3 too many recipients (max_rcpt is 3)",
	    "the fourth of max_rcpt 3: 452 4.5.3");
	is_str(cmd("RCPT TO:<nobody@test.example>\r\n"),
	    "550 5.1.1 <nobody@test.example>: Recipient address rejected: "
	    "User unknown in local recipient table",
	    "an unknown local user: 550 5.1.1");
	is_str(cmd("STARTTLS\r\n"), "502 5.5.1 Error: command not implemented",
	    "no STARTTLS on stdin");
	is_int(finish(), 0, "QUIT");
}

/* DSN and SMTPUTF8 parameters go through the policy into the envelope;
   a UTF-8 local part of ours is no user: 550 5.1.1. */
static void
t_dsn_utf8(void)
{
	struct session_peer	 p;
	struct qenv		 env;
	char			 qid[LIM_QID] = "", err[512];
	const char		*q;

	memset(&p, 0, sizeof(p));
	p.kind = SESSION_LOCAL;
	p.uid = 4242;
	snprintf(p.name, sizeof(p.name), "localhost");
	start(&p);
	reply();
	cmd("EHLO c.example\r\n");
	is_str(cmd("MAIL FROM:<j\xc3\xb6rg@b\xc3\xbc" "cher.example> SMTPUTF8 "
	    "RET=FULL ENVID=QQ+20314159\r\n"), "250 2.1.0 Ok",
	    "MAIL with SMTPUTF8, RET, ENVID");
	is_str(cmd("RCPT TO:<alice@test.example> NOTIFY=SUCCESS,DELAY "
	    "ORCPT=rfc822;Alice+2Bx@test.example\r\n"), "250 2.1.5 Ok",
	    "a local user, with NOTIFY and ORCPT");
	is_str(cmd("RCPT TO:<j\xc3\xb6rg@test.example>\r\n"),
	    "550 5.1.1 <j\xc3\xb6rg@test.example>: Recipient address "
	    "rejected: User unknown in local recipient table",
	    "a UTF-8 local part of ours: no such user, 550 5.1.1");
	is_str(cmd("RCPT TO:<\xce\xb4@\xe4\xbe\x8b.jp> NOTIFY=NEVER\r\n"),
	    "250 2.1.5 Ok", "a UTF-8 address elsewhere (local peer)");
	cmd("DATA\r\n");
	q = cmd("Subject: s\r\n\r\nbody\r\n.\r\n");
	ok(strncmp(q, "250 2.0.0 Ok: queued as ", 24) == 0, "queued");
	snprintf(qid, sizeof(qid), "%s", q + 24);
	is_int(finish(), 0, "QUIT");
	if (!ok(queue_read_env(qid, &env, err, sizeof(err)) == 0,
	    "its envelope")) {
		diag(err);
		return;
	}
	ok(strcmp(env.sender, "j\xc3\xb6rg@b\xc3\xbc" "cher.example") == 0 &&
	    env.smtputf8 && env.ret == DSN_RET_FULL && env.envid != NULL &&
	    strcmp(env.envid, "QQ 314159") == 0,
	    "sender, SMTPUTF8, RET and ENVID in the envelope");
	ok(env.nrcpt == 2 && env.rcpt[0].notify == (DSN_NOTIFY_SUCCESS |
	    DSN_NOTIFY_DELAY) && env.rcpt[0].orcpt != NULL &&
	    strcmp(env.rcpt[0].orcpt, "rfc822;Alice+x@test.example") == 0,
	    "alice's NOTIFY and ORCPT");
	ok(env.nrcpt == 2 && strcmp(env.rcpt[1].addr,
	    "\xce\xb4@\xe4\xbe\x8b.jp") == 0 &&
	    env.rcpt[1].notify == DSN_NOTIFY_NEVER && env.rcpt[1].orcpt == NULL,
	    "the UTF-8 recipient's NOTIFY=NEVER");
	qenv_free(&env);
}

int
main(void)
{
	struct aliases_stats st;
	char	 err[512], text[1024];

	if (mkdtemp(dir) == NULL)
		return 2;
	put("passwd", "alice:x:4201:4200::/nonexistent:/bin/sh\n");
	put("aliases", "postmaster: alice\n");
	snprintf(text, sizeof(text), "hostname = mx.test.example\n"
	    "domains = test.example\nspool = %s/spool\naliases = %s/aliases\n"
	    "passwd = %s/passwd\nmax_rcpt = 3\nmax_size = 1000000\n"
	    "mynetworks = 127.0.0.0/8 [::1]/128\nlog = %s/log\n", dir, dir,
	    dir, dir);
	put("hikyaku.conf", text);
	if (aliases_compile(at("aliases"), &st, NULL, err, sizeof(err)) == -1 ||
	    conf_load(&c, at("hikyaku.conf"), 1, err, sizeof(err)) == -1 ||
	    queue_init(c.spool, 1, getuid(), getgid(), err, sizeof(err)) != 0) {
		diag(err);
		return 2;
	}
	t_mta_stranger();
	t_mta_mynetworks();
	t_msa();
	t_local();
	t_dsn_utf8();
	snprintf(text, sizeof(text), "rm -rf %s", dir);
	if (system(text) != 0)
		diag("could not remove the temporary folder");
	return done_testing();
}
