/*
 * mtad — the SMTP daemon: MTA on port 25, MSA on 587 and 465, and the
 * queue runner.
 *
 * usage: mtad [-f] [-C file] [-P pidfile] [-q interval]
 *        sendmail -bd [-qINTERVAL]     (the same)
 *
 *   -f           stay in the foreground and log to stderr (unless the
 *                log setting names a file); without it mtad detaches
 *                and logs to syslog (facility mail)
 *   -C FILE      configuration (else $HIKYAKU_CONF, /etc/hikyaku.conf)
 *   -P FILE      write the master's process ID there (/run/hikyaku.pid)
 *   -q INTERVAL  also retry the whole queue every INTERVAL (30m, 1h)
 *
 * Processes (README.md, "How mtad runs"):
 *   master    started as root; binds the listeners, loads the TLS chain
 *             and key, starts the others, accepts connections and forks
 *             a session for each.  It reads nothing from the network.
 *   session   one per connection, as the `user` account: the SMTP
 *             protocol and policy (core/smtp.c, core/session.c), TLS.
 *   runner    the queue runner (core/runner.c): root, because a local
 *             delivery becomes its recipient.
 *   auth      only with auth_users: checks passwords for the sessions
 *             (core/authd.c), as `user` plus the file's group when the
 *             file is group-readable, else as root.
 * Limits: max_clients sessions (then 421 4.7.0), max_per_ip from one
 * address.  SIGHUP re-reads the configuration, the TLS files and the
 * aliases; SIGTERM stops accepting, gives the sessions MTAD_GRACE
 * seconds, and exits 0.  A session that crashes is logged; a runner or
 * auth process that dies is started again.
 *
 * Standards: RFC 5321 (with the extensions of core/smtp.h), RFC 3207,
 * RFC 4954, RFC 8314 (implicit TLS on 465).  Exit codes, sysexits(3):
 * 0 stopped by SIGTERM; 64 usage; 67 no `user` account; 71 a listener
 * cannot be bound; 78 configuration (settings, TLS files).
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netdb.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "authd.h"
#include "conf.h"
#include "dns.h"
#include "listen.h"
#include "log.h"
#include "privs.h"
#include "queue.h"
#include "remote.h"
#include "runner.h"
#include "session.h"
#include "tls.h"

#define MTAD_GRACE	10		/* s for sessions at SIGTERM */
#define MTAD_RESTART	1		/* s between restarts of a helper */
#define TLS_TIMEOUT_MS	(60 * 1000)	/* a TLS handshake */
#define AUTH_TIMEOUT_MS	(30 * 1000)	/* an answer of the auth process */
#define MAX_LISTENERS	(3 * LIM_LISTENERS * 2)

enum { K_SESSION, K_RUNNER, K_AUTH };

struct kid {
	pid_t		 pid;
	int		 kind;
	int		 family;
	unsigned char	 addr[16];
};

struct mtad {
	struct conf	 c;
	const char	*conf_file;
	const char	*pidfile;
	time_t		 interval;
	int		 foreground;
	struct tls_creds *creds;	/* NULL without tls_cert */
	struct listener	 l[MAX_LISTENERS];
	int		 nl;
	int		 authfd;	/* sessions' end to the auth process */
	int		 authsrv;	/* its end, kept for restarts */
	struct kid	*kids;
	int		 nkids, maxkids;
	pid_t		 runner, auth;
	time_t		 runner_at, auth_at;	/* when (re)started */
	int		 is_root;
	uid_t		 uid;		/* the `user` account */
	gid_t		 gid;
};

static int sigpipe[2] = { -1, -1 };
static volatile sig_atomic_t got_hup, got_term;

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: mtad [-f] [-C file] [-P pidfile] [-q interval]\n\n"
	    "The SMTP daemon: receives mail on the listen (25), submission "
	    "(587)\nand smtps (465) settings' addresses and runs the queue.  "
	    "Start it as root.\n"
	    "  -f           stay in the foreground, log to stderr (unless the log\n"
	    "               setting names a file)\n"
	    "  -C FILE      configuration file (default $HIKYAKU_CONF, then "
	    "/etc/hikyaku.conf)\n"
	    "  -P FILE      write the process ID to FILE\n"
	    "  -q INTERVAL  also retry the whole queue every INTERVAL (30m)\n"
	    "Signals: HUP reloads the configuration, TLS files and aliases; "
	    "TERM stops.\n");
}

static void
on_signal(int sig)
{
	int	 saved = errno;

	if (sig == SIGHUP)
		got_hup = 1;
	else if (sig == SIGTERM || sig == SIGINT)
		got_term = 1;
	(void)!write(sigpipe[1], "s", 1);
	errno = saved;
}

static void
set_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* A child starts with the signals of a fresh process, named for ps,
   top and netstat -p. */
static void
child_init(const char *name)
{
	sigset_t	 none;

	signal(SIGHUP, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	close(sigpipe[0]);
	close(sigpipe[1]);
	prctl(PR_SET_NAME, name);
	prctl(PR_SET_PDEATHSIG, SIGTERM);
}

/* -------------------------------------------------------------- set-up */

/* The settings a daemon needs beyond what conf_load checks. */
static int
check_conf(const struct conf *c, char *err, size_t len)
{
	if ((c->tls_cert == NULL) != (c->tls_key == NULL)) {
		snprintf(err, len, "%.300s: tls_cert and tls_key go together",
		    c->file[0] ? c->file : "configuration");
		return -1;
	}
	if ((c->submission.n > 0 || c->smtps.n > 0) && c->tls_cert == NULL) {
		snprintf(err, len, "%.300s: submission and smtps need tls_cert and "
		    "tls_key (AUTH is only offered under TLS)",
		    c->file[0] ? c->file : "configuration");
		return -1;
	}
	if ((c->submission.n > 0 || c->smtps.n > 0) && c->auth_users == NULL) {
		snprintf(err, len, "%.300s: submission and smtps need auth_users "
		    "(a file of user:hash lines, or shadow)",
		    c->file[0] ? c->file : "configuration");
		return -1;
	}
	/* the delivery agent reads it later: a mistake is told now */
	return remote_check_auth(c, err, len);
}

/* Load c's TLS chain and key into *cr (allocated on first use). */
static int
load_tls(const struct conf *c, struct tls_creds **cr, char *err, size_t len)
{
	struct tls_creds *n;

	if (c->tls_cert == NULL) {
		free(*cr);
		*cr = NULL;
		return 0;
	}
	if ((n = malloc(sizeof(*n))) == NULL) {
		snprintf(err, len, "out of memory");
		return -1;
	}
	if (tls_creds_load(n, c->tls_cert, c->tls_key, err, len) == -1) {
		free(n);
		return -1;
	}
	free(*cr);
	*cr = n;
	return 0;
}

/* Bind the three settings' addresses; what was bound before and is
   still wanted is kept (a reload), the rest closed. */
static int
bind_all(struct mtad *m, const struct conf *c, char *err, size_t len)
{
	struct listener	 nl[MAX_LISTENERS];
	int		 n = 0;

	if (listen_open("listen", &c->listen, SESSION_MTA, 0, nl, &n,
	    MAX_LISTENERS, m->l, m->nl, err, len) == -1 ||
	    listen_open("submission", &c->submission, SESSION_MSA, 0, nl, &n,
	    MAX_LISTENERS, m->l, m->nl, err, len) == -1 ||
	    listen_open("smtps", &c->smtps, SESSION_MSA, 1, nl, &n,
	    MAX_LISTENERS, m->l, m->nl, err, len) == -1) {
		/* give back what was taken from the old set */
		for (int i = 0; i < n; i++) {
			int	 kept = 0;

			for (int j = 0; j < m->nl; j++)
				if (m->l[j].fd == -1 && m->l[j].family ==
				    nl[i].family && m->l[j].a.port ==
				    nl[i].a.port && strcmp(m->l[j].a.host,
				    nl[i].a.host) == 0 && !kept) {
					m->l[j].fd = nl[i].fd;
					kept = 1;
				}
			if (!kept)
				close(nl[i].fd);
		}
		return -1;
	}
	listen_close(m->l, m->nl);
	memcpy(m->l, nl, sizeof(nl[0]) * (size_t)n);
	m->nl = n;
	return 0;
}

static int
find_user(struct mtad *m, const struct conf *c)
{
	struct passwd	*pw;

	m->is_root = geteuid() == 0;
	if (!m->is_root) {
		m->uid = getuid();
		m->gid = getgid();
		return 0;
	}
	if ((pw = getpwnam(c->user)) == NULL || pw->pw_uid == 0)
		return -1;
	m->uid = pw->pw_uid;
	m->gid = pw->pw_gid;
	return 0;
}

static void
write_pidfile(const char *path)
{
	char	 b[32];
	int	 fd, n;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
	    O_CLOEXEC, 0644)) == -1) {
		log_warn("cannot write %s: %s", path, strerror(errno));
		return;
	}
	n = snprintf(b, sizeof(b), "%ld\n", (long)getpid());
	if (write(fd, b, (size_t)n) != n || close(fd) == -1)
		log_warn("cannot write %s: %s", path, strerror(errno));
}

static void
detach(void)
{
	pid_t	 pid;

	if ((pid = fork()) == -1)
		app_die(EX_OSERR, "cannot fork: %s", strerror(errno));
	if (pid > 0)
		_exit(0);
	setsid();
	if ((pid = fork()) == -1)
		app_die(EX_OSERR, "cannot fork: %s", strerror(errno));
	if (pid > 0)
		_exit(0);
	if (chdir("/") == -1)
		app_die(EX_OSERR, "cannot chdir /: %s", strerror(errno));
	app_null_stdio();
}

/* ------------------------------------------------------------- session */

struct sess {
	int			 fd;
	int			 authfd;
	const struct tls_creds	*creds;
	struct tls		*tls;	/* once started */
	struct session_peer	 p;
	char			 desc[128];
};

static int
hook_starttls(void *arg, struct io *io)
{
	struct sess	*s = arg;
	char		 e[128];

	if (s->creds == NULL)
		return -1;
	if (s->tls == NULL && (s->tls = malloc(sizeof(*s->tls))) == NULL)
		return -1;
	if (tls_server_init(s->tls, s->creds, s->fd) == -1) {
		log_warn("%s[%s]: cannot start TLS: %s", s->p.name,
		    s->p.addr_text, strerror(errno));
		free(s->tls);	/* never started: nothing to close */
		s->tls = NULL;
		return -1;
	}
	if (io_set_transport(io, &tls_transport, s->tls) == -1) {
		log_warn("%s[%s]: %s", s->p.name, s->p.addr_text, errno ==
		    EBUSY ? "commands pipelined after STARTTLS: connection "
		    "closed" : strerror(errno));
		/* TLS never started: no close_notify in clear at the end */
		free(s->tls);
		s->tls = NULL;
		return -1;
	}
	if (tls_handshake(s->tls, TLS_TIMEOUT_MS) == -1) {
		log_info("SSL_accept error from %s[%s]: %s", s->p.name,
		    s->p.addr_text, errno == EPROTO ? tls_strerror(s->tls, e,
		    sizeof(e)) : strerror(errno));
		return -1;
	}
	log_info("%s TLS connection established from %s[%s]: %s with cipher "
	    "%s", s->p.kind == SESSION_MSA ? "Trusted" : "Anonymous",
	    s->p.name, s->p.addr_text, tls_version(s->tls),
	    tls_cipher(s->tls));
	return 0;
}

/* "TLSv1.2 with cipher ECDHE-RSA-AES256-GCM-SHA384 (256/256 bits)" */
static const char *
hook_tls_desc(void *arg)
{
	struct sess	*s = arg;
	const char	*cipher;
	int		 bits;

	if (s->tls == NULL || (cipher = tls_cipher(s->tls)) == NULL)
		return NULL;
	bits = strstr(cipher, "AES128") != NULL ? 128 : 256;
	snprintf(s->desc, sizeof(s->desc), "%s with cipher %s (%d/%d bits)",
	    tls_version(s->tls), cipher, bits, bits);
	return s->desc;
}

static int
hook_password(void *arg, const char *user, const char *pass)
{
	struct sess	*s = arg;

	return authd_check(s->authfd, user, pass, AUTH_TIMEOUT_MS);
}

static void
hook_queued(void *arg, const char *qid)
{
	(void)arg;
	if (queue_poke() == -1)
		log_warn("%s: cannot poke the queue runner: %s", qid,
		    strerror(errno));
}

/* The client's name: "localhost" for 127.0.0.1 and ::1, else its PTR
   name (core/dns.c) if that name has the address too (forward-
   confirmed), else "unknown"; a name that is an address is none. */
static void
peer_name(struct session_peer *p)
{
	struct dns_addr		 a[32];
	char			 host[LIM_DOMAIN + 1], why[LIM_ERR];
	const unsigned char	*ad = p->addr;
	int			 fam = p->family, n = 0;

	snprintf(p->name, sizeof(p->name), "unknown");
	if (fam == AF_INET6 && memcmp(ad, "\0\0\0\0\0\0\0\0\0\0\xff\xff",
	    12) == 0) {
		fam = AF_INET;		/* a v4-mapped client is its v4 self */
		ad += 12;
	}
	if ((fam == AF_INET && memcmp(ad, "\177\0\0\1", 4) == 0) ||
	    (fam == AF_INET6 && memcmp(ad, &in6addr_loopback, 16) == 0)) {
		snprintf(p->name, sizeof(p->name), "localhost");
		return;
	}
	if (fam == AF_INET && ad[0] == 127)
		return;		/* the rest of 127/8: never asked of DNS */
	if ((fam != AF_INET && fam != AF_INET6) || dns_ptr(fam, ad, host,
	    sizeof(host), why, sizeof(why)) != DNS_OK ||
	    dns_ip_literal(host, &a[0]) || dns_addrs(host, a, 32, &n, why,
	    sizeof(why)) != DNS_OK)
		return;
	for (int i = 0; i < n; i++)
		if (a[i].family == fam && memcmp(a[i].a, ad, fam == AF_INET ?
		    4 : 16) == 0) {
			snprintf(p->name, sizeof(p->name), "%s", host);
			return;
		}
}

/* The session process: becomes `user`, runs one SMTP session. */
static void __attribute__((noreturn))
run_session(struct mtad *m, const struct listener *l, int fd,
    const struct kid *k)
{
	struct sockaddr_storage	 ss;
	socklen_t		 sl = sizeof(ss);
	struct sess		 s;
	char			 err[LIM_ERR], **qids = NULL;
	int			 nq = 0;

	child_init("mtad-smtpd");
	listen_close(m->l, m->nl);
	if (m->authsrv != -1)
		close(m->authsrv);
	if (privs_drop(m->uid, m->gid, NULL, 0, err, sizeof(err)) == -1) {
		log_err("session: %s", err);
		_exit(EX_OSERR);
	}
	memset(&s, 0, sizeof(s));
	s.fd = fd;
	s.authfd = m->authfd;
	s.creds = m->creds;
	s.p.kind = l->kind;
	s.p.family = k->family;
	memcpy(s.p.addr, k->addr, sizeof(s.p.addr));
	if (getpeername(fd, (struct sockaddr *)&ss, &sl) == -1 ||
	    getnameinfo((struct sockaddr *)&ss, sl, s.p.addr_text,
	    sizeof(s.p.addr_text), NULL, 0, NI_NUMERICHOST) != 0)
		snprintf(s.p.addr_text, sizeof(s.p.addr_text), "unknown");
	else
		peer_name(&s.p);
	s.p.tls = l->tls;
	s.p.starttls = m->creds != NULL ? hook_starttls : NULL;
	s.p.tls_desc = hook_tls_desc;
	s.p.check_password = m->authfd != -1 ? hook_password : NULL;
	s.p.queued = hook_queued;
	s.p.arg = &s;
	session_run(&m->c, &s.p, fd, fd, &qids, &nq);
	if (s.tls != NULL)
		tls_close(s.tls, 1000);
	_exit(0);
}

static int
count_from(const struct mtad *m, int family, const unsigned char *addr,
    int *all)
{
	int	 n = 0;

	*all = 0;
	for (int i = 0; i < m->nkids; i++) {
		if (m->kids[i].kind != K_SESSION)
			continue;
		(*all)++;
		if (m->kids[i].family == family &&
		    memcmp(m->kids[i].addr, addr, 16) == 0)
			n++;
	}
	return n;
}

static int
add_kid(struct mtad *m, pid_t pid, int kind, const struct kid *k)
{
	struct kid	*nk;

	if (m->nkids == m->maxkids) {
		nk = realloc(m->kids, sizeof(*nk) * (size_t)(m->maxkids + 16));
		if (nk == NULL)
			return -1;
		m->kids = nk;
		m->maxkids += 16;
	}
	m->kids[m->nkids] = k != NULL ? *k : (struct kid){ 0 };
	m->kids[m->nkids].pid = pid;
	m->kids[m->nkids].kind = kind;
	m->nkids++;
	return 0;
}

/* A client on listener l: a session for it, or 421 when over a limit. */
static void
accept_one(struct mtad *m, const struct listener *l)
{
	struct kid	 k;
	char		 text[64], line[LIM_SMTP_REPLY];
	int		 fd, all, from, n;
	pid_t		 pid;

	memset(&k, 0, sizeof(k));
	if ((fd = listen_accept(l->fd, &k.family, k.addr, text,
	    sizeof(text))) == -1) {
		if (errno != EAGAIN && errno != ECONNABORTED && errno != EINTR)
			log_warn("accept on %s: %s", l->text, strerror(errno));
		return;
	}
	from = count_from(m, k.family, k.addr, &all);
	if (all >= m->c.max_clients || from >= m->c.max_per_ip) {
		log_warn("connect from %s: too many connections (%d from it, "
		    "%d in all)", text, from, all);
		n = snprintf(line, sizeof(line), "421 4.7.0 %s Error: too many "
		    "connections from %s\r\n", m->c.hostname, text);
		if (!l->tls && n > 0)
			(void)!send(fd, line, (size_t)n, MSG_DONTWAIT |
			    MSG_NOSIGNAL);
		close(fd);
		return;
	}
	if ((pid = fork()) == -1) {
		log_warn("cannot fork a session for %s: %s", text,
		    strerror(errno));
		close(fd);
		return;
	}
	if (pid == 0)
		run_session(m, l, fd, &k);
	close(fd);
	if (add_kid(m, pid, K_SESSION, &k) == -1)
		log_warn("out of memory counting sessions");
}

/* ------------------------------------------------------- runner, auth */

static void
start_runner(struct mtad *m)
{
	char	 err[LIM_ERR];
	pid_t	 pid;

	m->runner_at = time(NULL);
	if ((pid = fork()) == -1) {
		log_warn("cannot fork the queue runner: %s", strerror(errno));
		return;
	}
	if (pid > 0) {
		m->runner = pid;
		return;
	}
	child_init("mtad-runner");
	listen_close(m->l, m->nl);
	if (m->authfd != -1)
		close(m->authfd);
	if (m->authsrv != -1)
		close(m->authsrv);
	if (runner_run(&m->c, m->interval, err, sizeof(err)) == -1) {
		log_err("%s", err);
		_exit(EX_OSERR);
	}
	_exit(0);
}

/* The auth process drops to `user` with the group that may read the
   file; a file only root may read keeps it root. */
static void
auth_privs(const struct mtad *m)
{
	const char	*file = strcmp(m->c.auth_users, "shadow") == 0 ?
			    "/etc/shadow" : m->c.auth_users;
	struct stat	 st;
	char		 err[LIM_ERR];
	gid_t		 g;

	if (!m->is_root)
		return;
	if (stat(file, &st) == -1 || !(st.st_mode & S_IRGRP) ||
	    st.st_gid == 0) {
		log_info("auth: reads %s as root (make it group-readable by a "
		    "group of its own to have this process drop root)", file);
		return;
	}
	g = st.st_gid;
	if (privs_drop(m->uid, m->gid, &g, 1, err, sizeof(err)) == -1) {
		log_err("auth: %s", err);
		_exit(EX_OSERR);
	}
}

static void
start_auth(struct mtad *m)
{
	pid_t	 pid;

	m->auth_at = time(NULL);
	if (m->authsrv == -1)
		return;
	if ((pid = fork()) == -1) {
		log_warn("cannot fork the auth process: %s", strerror(errno));
		return;
	}
	if (pid > 0) {
		m->auth = pid;
		return;
	}
	child_init("mtad-auth");
	listen_close(m->l, m->nl);
	close(m->authfd);
	auth_privs(m);
	authd_serve(&m->c, m->authsrv);
	_exit(0);
}

/* The socket pair to the auth process, when auth_users is set. */
static int
open_auth(struct mtad *m)
{
	int	 sv[2];

	m->authfd = m->authsrv = -1;
	if (m->c.auth_users == NULL)
		return 0;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1)
		return -1;
	m->authsrv = sv[0];
	m->authfd = sv[1];
	return 0;
}

/* ------------------------------------------------------ master's loop */

static void
reap(struct mtad *m)
{
	pid_t	 pid;
	int	 status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (WIFSIGNALED(status) && WTERMSIG(status) != SIGTERM)
			log_warn("process %ld killed by signal %d", (long)pid,
			    WTERMSIG(status));
		if (pid == m->runner) {
			m->runner = 0;
			continue;
		}
		if (pid == m->auth) {
			m->auth = 0;
			continue;
		}
		for (int i = 0; i < m->nkids; i++)
			if (m->kids[i].pid == pid) {
				m->kids[i] = m->kids[--m->nkids];
				break;
			}
	}
}

/* The log setting's destination (stderr for -f instead of syslog),
   opened and kept: again after a reload, which also serves log
   rotation.  The log module keeps a pointer to m->c's string. */
static int
open_log(struct mtad *m)
{
	log_init("hikyaku/mtad", m->foreground && strcmp(m->c.log,
	    "syslog") == 0 ? "stderr" : m->c.log);
	return log_keep_open();
}

/* SIGHUP: the new configuration, TLS files and listeners, or, when
   any of them is wrong, the old ones kept with the reason logged.  The
   runner and the auth process are restarted with it. */
static void
reload(struct mtad *m)
{
	struct conf	 nc;
	char		 err[LIM_ERR];
	struct tls_creds *cr = NULL;

	memset(&nc, 0, sizeof(nc));
	if (app_conf(&nc, m->conf_file, err, sizeof(err)) == -1 ||
	    check_conf(&nc, err, sizeof(err)) == -1 ||
	    (nc.tls_cert != NULL && load_tls(&nc, &cr, err, sizeof(err)) ==
	    -1) || bind_all(m, &nc, err, sizeof(err)) == -1) {
		log_warn("reload refused, the old configuration stays: %s",
		    err);
		free(cr);
		conf_free(&nc);
		return;
	}
	free(m->creds);
	m->creds = cr;
	log_init("hikyaku/mtad", "stderr");	/* not into the freed one */
	conf_free(&m->c);
	m->c = nc;
	if (open_log(m) == -1)
		log_warn("log %s: %s", m->c.log, strerror(errno));
	if (m->runner != 0)
		kill(m->runner, SIGTERM);
	if (m->auth != 0)
		kill(m->auth, SIGTERM);
	if (m->authfd != -1) {
		close(m->authfd);
		close(m->authsrv);
	}
	if (open_auth(m) == -1)
		log_warn("cannot start the auth process: %s", strerror(errno));
	m->runner_at = m->auth_at = 0;
	log_info("reloaded %s", m->c.file[0] ? m->c.file : "the defaults");
}

/* Keep the runner and the auth process running (not more often than
   every MTAD_RESTART seconds: one that dies at start is not a loop). */
static void
keep_helpers(struct mtad *m, time_t now)
{
	if (m->runner == 0 && now - m->runner_at >= MTAD_RESTART) {
		if (m->runner_at != 0)
			log_warn("starting the queue runner again");
		start_runner(m);
	}
	if (m->auth == 0 && m->authsrv != -1 && now - m->auth_at >=
	    MTAD_RESTART)
		start_auth(m);
}

/* SIGTERM: no new clients; the sessions get MTAD_GRACE seconds. */
static void
stop(struct mtad *m)
{
	time_t	 end = time(NULL) + MTAD_GRACE;

	log_info("terminating on signal 15");
	listen_close(m->l, m->nl);
	if (m->runner != 0)
		kill(m->runner, SIGTERM);
	if (m->auth != 0)
		kill(m->auth, SIGTERM);
	while (m->nkids > 0 && time(NULL) < end) {
		poll(NULL, 0, 50);
		reap(m);
	}
	for (int i = 0; i < m->nkids; i++)
		kill(m->kids[i].pid, SIGKILL);
	/* the runner gives its deliveries RUNNER_GRACE */
	while ((m->nkids > 0 || m->runner != 0 || m->auth != 0) &&
	    waitpid(-1, NULL, 0) > 0)
		reap(m);
	if (m->pidfile != NULL)
		unlink(m->pidfile);
}

static void
serve(struct mtad *m)
{
	struct pollfd	 pf[MAX_LISTENERS + 1];
	char		 b[64];
	int		 n;

	while (!got_term) {
		reap(m);
		if (got_hup) {
			got_hup = 0;
			reload(m);
		}
		keep_helpers(m, time(NULL));
		n = 0;
		for (int i = 0; i < m->nl; i++)
			pf[n++] = (struct pollfd){ .fd = m->l[i].fd,
			    .events = POLLIN };
		pf[n] = (struct pollfd){ .fd = sigpipe[0], .events = POLLIN };
		if (poll(pf, (nfds_t)n + 1, MTAD_RESTART * 1000) == -1) {
			if (errno == EINTR)
				continue;
			log_err("poll: %s", strerror(errno));
			break;
		}
		if (pf[n].revents & POLLIN)
			while (read(sigpipe[0], b, sizeof(b)) > 0)
				;
		reap(m);	/* sessions that ended count no more */
		for (int i = 0; i < n && !got_term; i++)
			if (pf[i].revents & POLLIN)
				accept_one(m, &m->l[i]);
	}
	stop(m);
}

/* ----------------------------------------------------------------- main */

static void
parse_opts(struct mtad *m, int argc, char **argv)
{
	int	 ch;

	if (argc > 1 && strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		exit(0);
	}
	while ((ch = getopt(argc, argv, "fC:P:q:")) != -1) {
		switch (ch) {
		case 'f': m->foreground = 1; break;
		/* copies: app_set_title writes over the arguments */
		case 'C':
			if ((m->conf_file = strdup(optarg)) == NULL)
				app_die(EX_OSERR, "out of memory");
			break;
		case 'P':
			if ((m->pidfile = strdup(optarg)) == NULL)
				app_die(EX_OSERR, "out of memory");
			break;
		case 'q':
			if (conf_parse_time(optarg, &m->interval) == -1 ||
			    m->interval <= 0)
				app_die(EX_USAGE, "-q %s: not an interval "
				    "(30m, 1h)", optarg);
			break;
		default:
			usage(stderr);
			exit(EX_USAGE);
		}
	}
	if (optind != argc) {
		usage(stderr);
		exit(EX_USAGE);
	}
}

/* Everything that can fail on a bad configuration, before detaching,
   so that the administrator sees it. */
static void
start(struct mtad *m)
{
	char	 err[LIM_ERR];

	app_conf_or_die(&m->c, m->conf_file);
	if (check_conf(&m->c, err, sizeof(err)) == -1)
		app_die(EX_CONFIG, "%s", err);
	if (find_user(m, &m->c) == -1)
		app_die(EX_NOUSER, "user %s: no such account (or it is root); "
		    "sessions run as it", m->c.user);
	if (load_tls(&m->c, &m->creds, err, sizeof(err)) == -1)
		app_die(EX_CONFIG, "%s", err);
	if (pipe2(sigpipe, O_CLOEXEC | O_NONBLOCK) == -1 || open_auth(m) == -1)
		app_die(EX_OSERR, "cannot start: %s", strerror(errno));
	app_spool(&m->c, 1);
	if (bind_all(m, &m->c, err, sizeof(err)) == -1)
		app_die(EX_OSERR, "%s", err);
	if (m->nl == 0)
		log_warn("no listen, submission or smtps address: only the "
		    "queue runner works");
}

int
mtad_main(int argc, char **argv)
{
	struct mtad	 m;

	memset(&m, 0, sizeof(m));
	m.authfd = m.authsrv = -1;
	parse_opts(&m, argc, argv);
	start(&m);
	app_set_title("mtad");
	if (!m.foreground)
		detach();
	if (open_log(&m) == -1)
		app_die(EX_CANTCREAT, "log %s: %s", m.c.log, strerror(errno));
	/* "mtad" in ps and netstat -p, however it was started */
	prctl(PR_SET_NAME, "mtad");
	set_signals();
	if (m.pidfile != NULL)
		write_pidfile(m.pidfile);
	for (int i = 0; i < m.nl; i++)
		log_info("listening on %s (%s%s)", m.l[i].text, m.l[i].kind ==
		    SESSION_MTA ? "smtp" : "submission", m.l[i].tls ?
		    ", implicit TLS" : "");
	log_info("daemon started -- hikyaku, user %s", m.c.user);
	serve(&m);
	log_info("stopped");
	log_init("hikyaku/mtad", "stderr");
	conf_free(&m.c);
	free(m.creds);
	free(m.kids);
	free((char *)m.conf_file);
	free((char *)m.pidfile);
	return 0;
}
