/*
 * sendmail — the submission interface every Unix program calls.
 *
 * usage: sendmail [-t] [-i] [-f sender] [-F name] [-odq] [-v] [-C file]
 *                 [-N dsn] [-R ret] [-V envid] [address...]
 *        sendmail -bp | -bi | -bs | -bv address... | -q
 *        sendmail -bd [-qINTERVAL]
 *
 * The message is read from stdin (LF or CRLF lines).  Without -i (or
 * -oi) a line with a single "." ends it.  It is committed to the queue
 * (fsync'd) before sendmail exits 0, then delivered at once by a
 * background child (not with -odq; in the foreground with -v).
 *
 *   -t        recipients also from To:, Cc:, Bcc: (Bcc: is removed)
 *   -f ADDR   envelope sender (-r is the same); "<>" for none
 *   -F NAME   full name for an added From:
 *   -bm       deliver mail (the default)
 *   -bp       list the queue (mailq)       -bi  rebuild aliases (newaliases)
 *   -bs       SMTP on stdin/stdout          -bv  verify addresses, no mail
 *   -bd       start the daemon (mtad); -qINTERVAL (-q30m) is its queue
 *             interval
 *   -q        run the whole queue now, ignoring retry times (root; an
 *             ordinary user of a set-group-ID install asks mtad)
 *   -v        deliver in the foreground and show the log on stderr
 *   -odi      deliver in the foreground, quietly (what mail's sendwait
 *             asks for)
 *   -C FILE   configuration file (else $HIKYAKU_CONF, /etc/hikyaku.conf;
 *             set-group-ID: /etc/hikyaku.conf only, -C for root only)
 * Delivery status notifications, as SMTP's DSN parameters (RFC 3461)
 * ask for them, for every recipient of the message (-t's too):
 *   -N DSN    NOTIFY: "never", or a comma list of "success", "failure",
 *             "delay" (any case); without -N, failure and delay
 *   -R RET    "full": a failure report returns the whole message;
 *             "hdrs" (and without -R): its headers
 *   -V ENVID  an envelope ID for the reports (Original-Envelope-Id):
 *             printable ASCII, at most 100 octets as xtext
 * (-bs takes them from SMTP instead.)
 * Accepted and ignored, as Postfix does: -oX..., -B type, -h hops,
 * -L label, -U, -m.
 *
 * Standards: RFC 5321, RFC 5322, RFC 3461; exit codes of sysexits(3):
 * 0 queued; 64 usage (a bad -N, -R or -V too) or no recipient; 65 bad
 * message data (NUL byte, too large, bad address); 67 unknown user
 * (-bv); 68 a remote domain that cannot take mail: not found, null MX,
 * or an MX that is this host (-bv); 69 unavailable;
 * 75 temporary (disk full...); 77 permission (-q or -C of an ordinary
 * user in a set-group-ID install); 78 configuration (a spool that fails
 * its checks).
 */
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>

#include "addr.h"
#include "app.h"
#include "exits.h"
#include "applets.h"
#include "buf.h"
#include "conf.h"
#include "deliver.h"
#include "dsn.h"
#include "expand.h"
#include "log.h"
#include "queue.h"
#include "route.h"
#include "session.h"
#include "submit.h"
#include "users.h"

#define LINE_MAX_BYTES	(1024 * 1024)	/* one input line */

/* The submission being written, removed if we are interrupted. */
static struct submit *interrupted;

struct opts {
	int		 mode;		/* 'm' 'p' 'i' 's' 'v' 'q' */
	int		 extract;	/* -t */
	int		 dot_ends;	/* without -i */
	int		 queue_only;	/* -odq */
	int		 interactive;	/* -odi: deliver before exiting */
	int		 verbose;
	const char	*sender;
	const char	*fullname;
	const char	*conf;
	const char	*interval;	/* -qINTERVAL */
	unsigned	 notify;	/* -N */
	enum dsn_ret	 ret;		/* -R */
	const char	*envid;		/* -V */
};

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: sendmail [-t] [-i] [-f sender] [-F name] [-odq] [-v] "
	    "[-C file]\n"
	    "                [-N dsn] [-R ret] [-V envid] [address...]\n"
	    "       sendmail -bp | -bi | -bs | -bv address... | -q\n"
	    "       sendmail -bd [-qINTERVAL]\n\n"
	    "Reads a message on stdin and queues it for delivery.\n"
	    "  -t        take recipients from To:, Cc:, Bcc: too (Bcc: is "
	    "removed)\n"
	    "  -i, -oi   a line with a single \".\" does not end the message\n"
	    "  -f ADDR   envelope sender (\"<>\" for none)\n"
	    "  -F NAME   full name for the From: header when it is added\n"
	    "  -odq      queue only; deliver at the next queue run\n"
	    "  -odi      deliver before exiting (in the foreground)\n"
	    "  -v        deliver now, in the foreground, showing the log\n"
	    "  -N DSN    delivery reports wanted: never, or any of success,"
	    "failure,delay\n"
	    "            (without -N: failure,delay)\n"
	    "  -R RET    what a failure report returns: full (the message) "
	    "or hdrs\n"
	    "  -V ENVID  an envelope ID the reports will carry\n"
	    "  -bp       list the queue (like mailq)\n"
	    "  -bi       rebuild the aliases database (like newaliases)\n"
	    "  -bs       speak SMTP on stdin and stdout\n"
	    "  -bv       say where each address would go; send nothing\n"
	    "  -bd       start the SMTP daemon, mtad (-q30m: retry the queue "
	    "every 30 minutes)\n"
	    "  -q        deliver everything queued now (root; others ask "
	    "mtad)\n"
	    "  -C FILE   configuration file (default $HIKYAKU_CONF, then "
	    "/etc/hikyaku.conf)\n");
}

/* -N, -R, -V (RFC 3461's NOTIFY, RET, ENVID); a bad value is a usage
   error, named. */
static void
parse_dsn(struct opts *o, int ch, const char *arg)
{
	int	 r;

	switch (ch) {
	case 'N':
		if (dsn_notify_parse(arg, &o->notify) == -1)
			app_die(EX_USAGE, "-N %s: \"never\", or a comma list "
			    "of success, failure, delay; nothing was queued",
			    arg);
		break;
	case 'R':
		if ((r = dsn_ret_parse(arg)) == -1)
			app_die(EX_USAGE, "-R %s: \"full\" or \"hdrs\"; nothing "
			    "was queued", arg);
		o->ret = (enum dsn_ret)r;
		break;
	case 'V':
		if (!dsn_envid_valid(arg))
			app_die(EX_USAGE, "-V: an envelope ID is printable "
			    "ASCII, at most %d octets as xtext; nothing was "
			    "queued", LIM_DSN_ENVID);
		o->envid = arg;
		break;
	}
}

static int
parse_b(struct opts *o, const char *arg)
{
	if (strlen(arg) != 1 || strchr("mpisvd", arg[0]) == NULL)
		return -1;
	o->mode = arg[0];
	return 0;
}

static void
parse_opts(struct opts *o, int argc, char **argv)
{
	int	 ch;

	memset(o, 0, sizeof(*o));
	o->mode = 'm';
	o->dot_ends = 1;
	if (argc > 1 && strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		exit(0);
	}
	while ((ch = getopt(argc, argv, "+b:B:C:f:F:h:iL:mN:o:q::r:R:tUvV:")) != -1) {
		switch (ch) {
		case 'b':
			if (parse_b(o, optarg) == -1)
				goto bad;
			break;
		case 'C': o->conf = optarg; break;
		case 'f': case 'r': o->sender = optarg; break;
		case 'F':
			if (strpbrk(optarg, "\r\n") != NULL) {
				fprintf(stderr, "sendmail: -F: a full name is "
				    "one line; nothing was queued\n");
				exit(EX_USAGE);
			}
			o->fullname = optarg;
			break;
		case 'i': o->dot_ends = 0; break;
		case 'o':
			if (strcmp(optarg, "i") == 0)
				o->dot_ends = 0;
			else if (strcmp(optarg, "dq") == 0)
				o->queue_only = 1;
			else if (strcmp(optarg, "di") == 0)
				o->interactive = 1;
			break;			/* other -oX: ignored */
		case 'q':
			/* -q30m: the daemon's queue interval (-bd) */
			if (optarg != NULL)
				o->interval = optarg;
			else
				o->mode = 'q';
			break;
		case 't': o->extract = 1; break;
		case 'v': o->verbose = 1; break;
		case 'N': case 'R': case 'V':
			parse_dsn(o, ch, optarg);
			break;
		case 'B': case 'h': case 'L': case 'm': case 'U':
			break;			/* legacy: ignored */
		default:
			goto bad;
		}
	}
	return;
bad:
	usage(stderr);
	exit(EX_USAGE);
}

/* The submission's own error, its exit code, and nothing left queued. */
static void __attribute__((noreturn))
fail_submit(struct submit *s)
{
	const struct submit_error *e = submit_error(s);
	int	 code = submit_exit_code(e);

	interrupted = NULL;
	app_warn("fatal: %s; nothing was queued", e->text);
	submit_free(s);
	exit(code);
}

static void
on_signal(int sig)
{
	(void)sig;
	submit_abort_signal(interrupted);
	_exit(EX_TEMPFAIL);
}

/*
 * While the message is read, an interrupted sendmail removes its queue
 * file; during the commit the signals wait, so that an entry is either
 * whole or absent.
 */
static void
guard(struct submit *s)
{
	struct sigaction sa;

	interrupted = s;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

static void
hold_signals(int hold)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(hold ? SIG_BLOCK : SIG_UNBLOCK, &set, NULL);
}

/* Once committed, the message is queued whatever comes: exit 0. */
static void
committed(void)
{
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	hold_signals(0);
}

/*
 * One input line: CRLF taken as LF; a leading mbox "From " line dropped
 * (as Postfix's sendmail does: programs pipe whole mbox entries); a lone
 * "." ends the message unless -i.  Returns 1 at that end, else 0.
 */
static int
feed(struct submit *s, char *line, size_t len, long lineno, int dot_ends)
{
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (lineno == 1 && len >= 5 && memcmp(line, "From ", 5) == 0)
		return 0;
	if (dot_ends && len == 1 && line[0] == '.')
		return 1;
	if (submit_line(s, line, len) == -1)
		fail_submit(s);
	return 0;
}

/* Feed stdin to s, line by line, any line length up to LINE_MAX_BYTES. */
static void
read_message(struct submit *s, int dot_ends)
{
	static char	 chunk[65536];
	struct buf	 line;
	ssize_t		 n;
	char		*p, *nl;
	long		 lineno = 0;

	buf_init(&line, LINE_MAX_BYTES);
	for (;;) {
		n = read(0, chunk, sizeof(chunk));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			interrupted = NULL;
			submit_free(s);
			app_die(EX_IOERR, "cannot read the message: %s; nothing "
			    "was queued", strerror(errno));
		}
		if (n == 0)
			break;
		for (p = chunk; p < chunk + n; p = nl + 1) {
			if ((nl = memchr(p, '\n', (size_t)(chunk + n - p))) == NULL) {
				if (buf_add(&line, p, (size_t)(chunk + n - p)) == -1)
					goto too_long;
				break;
			}
			if (buf_add(&line, p, (size_t)(nl - p)) == -1)
				goto too_long;
			if (feed(s, line.s, line.len, ++lineno, dot_ends))
				goto done;
			buf_reset(&line);
		}
	}
	if (line.len > 0)	/* a last line without its newline */
		feed(s, line.s, line.len, ++lineno, dot_ends);
done:
	buf_free(&line);
	return;
too_long:
	interrupted = NULL;
	submit_free(s);
	app_die(EX_DATAERR, "a line of the message is longer than %d bytes; "
	    "nothing was queued", LINE_MAX_BYTES);
}

static void
canon_or_die(const char *in, int null_ok, char *out, size_t len)
{
	char	 err[LIM_ERR];

	if (addr_parse_path(in, null_ok ? ADDR_NULL_OK : 0, out, len, err,
	    sizeof(err)) == -1)
		app_die(EX_USAGE, "bad address '%s': %s", in, err);
}

static int
submit_message(const struct conf *c, const struct opts *o, char **rcpts,
    int nrcpts)
{
	struct submit		*s;
	struct submit_opts	 so;
	char			 user[LIM_USER + 1], gecos[LIM_FULLNAME];
	char			 sender[LIM_ADDR + LIM_HOSTNAME + 2];
	char			 err[LIM_ERR], qid[LIM_QID];
	char			*ids[1], *canon;

	app_whoami(c, user, sizeof(user), gecos, sizeof(gecos));
	if (o->sender != NULL)
		canon_or_die(o->sender, 1, sender, sizeof(sender));
	else if (addr_parse_path(user, 0, sender, sizeof(sender), err,
	    sizeof(err)) == -1)	/* a login name no address can carry */
		snprintf(sender, sizeof(sender), "uid%lu",
		    (unsigned long)getuid());
	if (sender[0] != '\0' && addr_qualify(sender, sizeof(sender),
	    c->hostname) == -1)
		app_die(EX_USAGE, "sender address too long");
	if (nrcpts == 0 && !o->extract)
		app_die(EX_USAGE, "no recipients given (name them, or use -t)");
	memset(&so, 0, sizeof(so));
	so.sender = sender;
	so.sender_given = o->sender != NULL;
	so.add_missing = 1;
	so.from_name = o->fullname ? o->fullname : gecos;
	so.extract_rcpts = o->extract;
	so.uid = getuid();
	so.notify = o->notify;
	so.ret = o->ret;
	so.envid = o->envid;
	/* every address is checked before anything is written */
	if ((canon = calloc((size_t)nrcpts + 1, LIM_ADDR)) == NULL)
		app_die(EX_TEMPFAIL, "%s", strerror(errno));
	for (int i = 0; i < nrcpts; i++)
		canon_or_die(rcpts[i], 0, canon + (size_t)i * LIM_ADDR, LIM_ADDR);
	(void)app_spool(c, 1);
	if ((s = submit_new(c, &so)) == NULL)
		app_die(EX_TEMPFAIL, "%s", strerror(errno));
	for (int i = 0; i < nrcpts; i++)
		if (submit_rcpt(s, canon + (size_t)i * LIM_ADDR) == -1)
			fail_submit(s);
	free(canon);
	hold_signals(1);
	if (submit_data(s) == -1)
		fail_submit(s);
	guard(s);
	hold_signals(0);
	read_message(s, o->dot_ends);
	hold_signals(1);
	interrupted = NULL;
	if (submit_commit(s, qid, sizeof(qid)) == -1)
		fail_submit(s);
	submit_free(s);
	committed();
	log_info("%s: uid=%lu from=<%s>", qid, (unsigned long)getuid(), sender);
	if (!o->queue_only) {
		ids[0] = qid;
		app_kick(c, ids, 1, o->verbose || o->interactive);
	}
	return 0;
}

/* A route's hosts in order with their addresses, in the record lines
   of nslookup -type=mx and host(1): owner, tab, record. */
static void
show_route(const struct conf *c, const char *domain, const struct route *r)
{
	const struct route_host	*h;
	char			 host[LIM_DOMAIN + 1], e[LIM_ERR];
	char			 a[INET6_ADDRSTRLEN];
	int			 port, mx = 1;

	if (r->relay)
		(void)route_parse_relayhost(c->relayhost, host, sizeof(host),
		    &port, &mx, e, sizeof(e));
	for (int i = 0; i < r->nhost; i++) {
		h = &r->host[i];
		if (r->implicit)
			printf("%s\thas no mail exchanger: the domain itself "
			    "(implicit MX)\n", h->name);
		else if (mx)
			printf("%s\tmail exchanger = %u %s.\n", r->relay ?
			    host : domain, h->pref, h->name);
		if (h->naddr == 0)
			printf("%s\thas no address: %s\n", h->name, h->err);
		for (int j = 0; j < h->naddr; j++) {
			int	 v6 = h->addr[j].ss_family == AF_INET6;

			inet_ntop(h->addr[j].ss_family, v6 ?
			    (const void *)&((const struct sockaddr_in6 *)
			    &h->addr[j])->sin6_addr : (const void *)
			    &((const struct sockaddr_in *)&h->addr[j])->sin_addr,
			    a, sizeof(a));
			printf("%s\thas %saddress %s\n", h->name, v6 ?
			    "IPv6 " : "", a);
		}
	}
}

/* -bv of a remote address: where its domain's mail goes, or why it
   cannot go.  what is "domain D" or "address A"; via the aliases and
   .forward files that led there.  Returns the exit code. */
static int
show_remote(const struct conf *c, const char *a, const char *domain,
    const char *what, const char *via)
{
	struct route	 r;
	char		 why[LIM_ERR];
	enum route_status s;

	s = route_domain(c, domain, &r, why, sizeof(why));
	if (s != ROUTE_OK) {
		printf("%s... %s: %s%s%s\n", a, s == ROUTE_PERM ?
		    "undeliverable" : "deferred", why, via[0] ? ", via " : "",
		    via);
		return s == ROUTE_PERM ? EX_NOHOST : EX_TEMPFAIL;
	}
	printf("%s... deliverable: mailer smtp, %s", a, what);
	if (r.relay)
		printf(", via relayhost %s", c->relayhost);
	if (via[0] != '\0')
		printf(", via %s", via);
	putchar('\n');
	show_route(c, domain, &r);
	return 0;
}

/* One final destination of an address, as -bv shows it; the exit code
   of a remote one that cannot be routed. */
static int
show_dest(const struct conf *c, const char *a, const struct xdest *d)
{
	char	 local[LIM_ADDR], domain[LIM_ADDR], what[LIM_ADDR + 16];

	switch (d->kind) {
	case X_MAILBOX:
		printf("%s... deliverable: mailer local, user %s", a,
		    d->user.name);
		break;
	case X_REMOTE:
		addr_split(d->value, local, sizeof(local), domain,
		    sizeof(domain));
		snprintf(what, sizeof(what), "address %s", d->value);
		return show_remote(c, a, domain, what, d->via);
	case X_PIPE:
		printf("%s... deliverable: mailer prog, command \"%s\" as %s",
		    a, d->value, d->user.name);
		break;
	case X_FILE:
		printf("%s... deliverable: mailer file, file %s as %s", a,
		    d->value, d->user.name);
		break;
	}
	if (d->via[0] != '\0')
		printf(", via %s", d->via);
	putchar('\n');
	return 0;
}

/* -bv: where each address would go, delivering nothing.  Every final
   destination gets a line, with the aliases, .forward and include
   files that led there; a remote one its route, host by host. */
static int
verify(const struct conf *c, char **addrs, int n)
{
	char		 a[LIM_ADDR + LIM_HOSTNAME + 2], err[LIM_ERR];
	char		 local[LIM_ADDR], domain[LIM_ADDR];
	char		 what[LIM_ADDR + 16];
	struct expansion x;
	int		 rc = 0, r;

	if (n == 0)
		app_die(EX_USAGE, "-bv needs at least one address");
	for (int i = 0; i < n; i++) {
		if (addr_parse_path(addrs[i], 0, a, sizeof(a), err,
		    sizeof(err)) == -1) {
			printf("%s... bad address: %s\n", addrs[i], err);
			rc = EX_DATAERR;
			continue;
		}
		addr_qualify(a, sizeof(a), c->hostname);
		addr_split(a, local, sizeof(local), domain, sizeof(domain));
		if (!conf_is_local_domain(c, domain)) {
			snprintf(what, sizeof(what), "domain %s", domain);
			if ((r = show_remote(c, a, domain, what, "")) != 0 &&
			    rc == 0)
				rc = r;
			continue;
		}
		if (expand_local(c, local, &x) == -1)
			app_die(EX_TEMPFAIL, "%s: %s", a, strerror(errno));
		for (size_t j = 0; j < x.n; j++)
			if ((r = show_dest(c, a, &x.d[j])) != 0 && rc == 0)
				rc = r;
		for (size_t j = 0; j < x.nf; j++) {
			const struct xfail *f = &x.f[j];

			if (strncmp(f->why, "5.1.1 unknown user", 18) == 0 &&
			    f->via[0] == '\0')
				printf("%s... User unknown\n", a);
			else
				printf("%s... %s: %s%s%s\n", a, f->kind ==
				    XF_PERM ? "undeliverable" : "deferred",
				    f->why, f->via[0] ? ", via " : "", f->via);
			if (rc == 0)
				rc = strncmp(f->why, "5.1.1", 5) == 0 ?
				    EX_NOUSER : f->kind == XF_PERM ?
				    EX_UNAVAILABLE : EX_TEMPFAIL;
		}
		expand_free(&x);
	}
	return rc;
}

static int
smtp_on_stdio(const struct conf *c, const struct opts *o)
{
	char	**ids = NULL;
	int	 n = 0, r;

	(void)app_spool(c, 1);
	r = session_local(c, getuid(), 0, 1, &ids, &n);
	if (n > 0 && !o->queue_only)
		app_kick(c, ids, n, 0);
	for (int i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	return r == 0 ? 0 : EX_IOERR;
}

/*
 * -q: root, or the owner of a private spool, runs the whole queue.  A
 * set-group-ID run may only ask a running daemon to do it: delivering
 * is never done with the spool group.
 */
static int
run_queue(const struct conf *c)
{
	char	 err[LIM_ERR];
	int	 bad;

	(void)app_spool(c, 1);
	if (queue_group_kept()) {
		switch (queue_poke()) {
		case 1:
			printf("sendmail: mtad was asked to run the queue\n");
			return 0;
		case 0:
			app_die(EX_NOPERM, "only root can run the queue, and no "
			    "mtad is running to ask; the mail waits for the "
			    "next queue run");
		default:
			app_die(exits_errno(errno), "cannot reach mtad "
			    "through %s/trigger: %s", c->spool, strerror(errno));
		}
	}
	bad = deliver_queue(c, 1, err, sizeof(err));
	if (bad == -1)
		app_die(exits_errno(errno), "%s", err);
	return bad ? EX_TEMPFAIL : 0;
}

int
sendmail_main(int argc, char **argv)
{
	struct opts	 o;
	static struct conf c;	/* lives as long as the process */
	char		*qargv[6];
	int		 qargc = 0;

	parse_opts(&o, argc, argv);
	if (o.interval != NULL && o.mode != 'd')
		app_die(EX_USAGE, "-q%s: a queue interval is for the daemon "
		    "(sendmail -bd -q%s, or mtad -q %s)", o.interval,
		    o.interval, o.interval);
	/* only submission (-bm, -bs), listing (-bp) and asking for a queue
	   run (-q) have any use for the spool group */
	if (strchr("mspq", o.mode) == NULL)
		app_drop_spool();
	app_conf_or_die(&c, o.conf);
	log_init("hikyaku/sendmail", c.log);
	log_verbose(o.verbose);
	signal(SIGXFSZ, SIG_IGN);	/* a full file is an error, not death */
	signal(SIGPIPE, SIG_IGN);
	switch (o.mode) {
	case 'p':
		qargv[qargc++] = "mailq";
		if (o.conf != NULL) {
			qargv[qargc++] = "-C";
			qargv[qargc++] = (char *)o.conf;
		}
		qargv[qargc] = NULL;
		optind = 0;	/* a fresh getopt for mailq */
		return mailq_main(qargc, qargv);
	case 'i':
		qargv[qargc++] = "newaliases";
		if (o.conf != NULL) {
			qargv[qargc++] = "-C";
			qargv[qargc++] = (char *)o.conf;
		}
		qargv[qargc] = NULL;
		optind = 0;	/* a fresh getopt for newaliases */
		return newaliases_main(qargc, qargv);
	case 'd':
		qargv[qargc++] = "mtad";
		if (o.interval != NULL) {
			qargv[qargc++] = "-q";
			qargv[qargc++] = (char *)o.interval;
		}
		if (o.conf != NULL) {
			qargv[qargc++] = "-C";
			qargv[qargc++] = (char *)o.conf;
		}
		qargv[qargc] = NULL;
		optind = 0;	/* a fresh getopt for mtad */
		return mtad_main(qargc, qargv);
	case 'v':
		return verify(&c, argv + optind, argc - optind);
	case 's':
		return smtp_on_stdio(&c, &o);
	case 'q':
		if (optind != argc)
			app_die(EX_USAGE, "-q takes no addresses");
		return run_queue(&c);
	}
	return submit_message(&c, &o, argv + optind, argc - optind);
}
