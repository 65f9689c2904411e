/*
 * The MDA: one queued message into one local mailbox (mbox or Maildir),
 * a /file or a |command.  The writing itself (locks, From_ line, mboxrd
 * quoting, fsync, rollback) is mailbox.c's; this file decides who
 * writes and what.
 *
 * When running as root the writing is done by a child that has become
 * the recipient, so that a user's symlink or hard link can never make
 * root write somewhere the user could not.
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <poll.h>

#include "conf.h"
#include "fdio.h"
#include "limits.h"
#include "local.h"
#include "mailbox.h"
#include "privs.h"
#include "users.h"

#define EX_TEMPFAIL_CHILD	75	/* sysexits: try again later */
#define EX_OSERR_CHILD	71
#define CHUNK		(64 * 1024)	/* reads of the message, writes out */

struct ctx {
	const struct conf	*c;
	const struct user	*u;
	const struct local_msg	*m;
	int			 check_owner;	/* we were root: the file must be u's */
	int			 file;		/* a /file destination: mbox format */
	int			 own_groups;	/* the child keeps u's groups */
	gid_t			 groups[LIM_GROUPS];	/* u's, users_groups */
	int			 ngroups;
	char			 path[LIM_PATH];
};

static enum delivery set_why(char *, size_t, enum delivery, const char *, ...)
    __attribute__((format(printf, 4, 5)));

static enum delivery
set_why(char *why, size_t len, enum delivery d, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return d;
}

/* The envelope lines, then the queued message: 0, or -1 with *rerr set
   when the message could not be read. */
static int
put_message(const struct local_msg *m, struct mailbox *mb, char *in,
    int *rerr)
{
	off_t	 off = 0;
	ssize_t	 r;

	mailbox_write(mb, "Return-Path: <", 14);
	mailbox_write(mb, m->sender, strlen(m->sender));
	mailbox_write(mb, ">\nDelivered-To: ", 16);
	mailbox_write(mb, m->rcpt, strlen(m->rcpt));
	mailbox_write(mb, "\n", 1);
	for (;;) {
		if ((r = pread(m->fd, in, CHUNK, off)) == -1) {
			if (errno == EINTR)
				continue;
			*rerr = errno;
			return -1;
		}
		if (r == 0)
			return 0;
		off += r;
		mailbox_write(mb, in, (size_t)r);
	}
}

/* The message into the mailbox (or /file) at x->path, committed. */
static enum delivery
write_mailbox(const struct ctx *x, char *why, size_t len)
{
	struct mailbox		 mb;
	enum conf_mailbox	 kind = MAILBOX_MBOX;
	enum delivery		 d = DELIVERY_OK;
	char			 err[LIM_ERR], date[64], *in;
	int			 rerr = 0;

	if (x->c->mailbox_kind == MAILBOX_MAILDIR && !x->file)
		kind = MAILBOX_MAILDIR;
	if ((in = malloc(CHUNK)) == NULL)
		return set_why(why, len, DELIVERY_TEMPFAIL, "4.3.0 cannot "
		    "write mailbox %s: %s", x->path, strerror(errno));
	if (mailbox_open(&mb, x->path, kind, MAILBOX_NOFOLLOW |
	    (x->check_owner ? MAILBOX_OWNER : 0), x->c->hostname, err,
	    sizeof(err)) == -1) {
		free(in);
		return set_why(why, len, DELIVERY_TEMPFAIL, "%s %s",
		    errno == ENAMETOOLONG ? "4.3.5" : "4.2.0", err);
	}
	mailbox_date(x->m->arrival, date, sizeof(date));
	if (mailbox_begin(&mb, x->m->sender, date, err, sizeof(err)) == -1)
		d = errno == ENAMETOOLONG ? set_why(why, len,
		    DELIVERY_PERMFAIL, "5.6.0 %s", err) : set_why(why, len,
		    DELIVERY_TEMPFAIL, "4.3.0 %s", err);
	else if (put_message(x->m, &mb, in, &rerr) == -1)
		d = set_why(why, len, DELIVERY_TEMPFAIL, "4.3.0 cannot read "
		    "the queued message: %s", strerror(rerr));
	else if (mailbox_commit(&mb, err, sizeof(err)) == -1)
		d = set_why(why, len, DELIVERY_TEMPFAIL, "4.3.0 %s", err);
	if (d != DELIVERY_OK)
		mailbox_abort(&mb, why, len);
	else if (x->file)
		set_why(why, len, DELIVERY_OK, "2.0.0 delivered to file %s",
		    x->path);
	else
		set_why(why, len, DELIVERY_OK, "2.0.0 delivered to %s %s",
		    kind == MAILBOX_MAILDIR ? "maildir" : "mailbox", mb.path);
	mailbox_close(&mb);
	free(in);
	return d;
}

/* ---- who writes ---- */

/* What the child hands back: one write, well under PIPE_BUF. */
struct result {
	int	 d;
	char	 why[LIM_ERR];
};

static void __attribute__((noreturn))
child(const struct ctx *x, int wfd, pid_t parent)
{
	struct result	 r;
	struct passwd	*pw;
	char		 err[LIM_ERR];
	gid_t		 g = 0;
	const gid_t	*groups = &g;
	int		 ng = 0;
	ssize_t		 w;

	memset(&r, 0, sizeof(r));
	if (x->own_groups) {
		groups = x->groups;
		ng = x->ngroups;
	} else if (x->c->mailbox_kind == MAILBOX_MBOX &&
	    strstr(x->c->mailbox, "%h") == NULL && x->c->user != NULL &&
	    (pw = getpwnam(x->c->user)) != NULL) {
		/* the `user` account's group, so that a mail spool such as
		   /var/mail (setgid mail) is writable; never for a path in
		   the user's home, where the user could point it elsewhere */
		g = pw->pw_gid;
		ng = 1;
	}
	if (privs_drop(x->u->uid, x->u->gid, groups, ng, err,
	    sizeof(err)) == -1)
		r.d = set_why(r.why, sizeof(r.why), DELIVERY_TEMPFAIL,
		    "4.3.0 cannot become %s: %s", x->u->name, err);
	else if (prctl(PR_SET_PDEATHSIG, SIGTERM) == -1 || getppid() != parent)
		r.d = set_why(r.why, sizeof(r.why), DELIVERY_TEMPFAIL,
		    "4.3.0 delivery to %s: the runner is gone", x->u->name);
	else
		r.d = write_mailbox(x, r.why, sizeof(r.why));
	do
		w = write(wfd, &r, sizeof(r));
	while (w == -1 && errno == EINTR);
	_exit(w == (ssize_t)sizeof(r) ? 0 : 1);
}

static enum delivery
deliver_as_user(const struct ctx *x, char *why, size_t len)
{
	struct result	 r;
	size_t		 got = 0;
	ssize_t		 n;
	pid_t		 pid, parent = getpid();
	int		 p[2], status = 0, waited;

	if (pipe2(p, O_CLOEXEC) == -1)
		return set_why(why, len, DELIVERY_TEMPFAIL, "4.3.0 cannot "
		    "start delivery to %s: %s", x->u->name, strerror(errno));
	if ((pid = fork()) == -1) {
		set_why(why, len, DELIVERY_TEMPFAIL, "4.3.0 cannot start "
		    "delivery to %s: %s", x->u->name, strerror(errno));
		close(p[0]);
		close(p[1]);
		return DELIVERY_TEMPFAIL;
	}
	if (pid == 0) {
		close(p[0]);
		child(x, p[1], parent);
	}
	close(p[1]);
	while (got < sizeof(r) && ((n = read(p[0], (char *)&r + got,
	    sizeof(r) - got)) > 0 || (n == -1 && errno == EINTR)))
		if (n > 0)
			got += (size_t)n;
	close(p[0]);
	while ((waited = waitpid(pid, &status, 0)) == -1 && errno == EINTR)
		;
	if (waited == pid && WIFSIGNALED(status))
		return set_why(why, len, DELIVERY_TEMPFAIL, "4.3.0 delivery "
		    "to %s killed by signal %d", x->u->name, WTERMSIG(status));
	if (got != sizeof(r) || r.d < DELIVERY_OK || r.d > DELIVERY_PERMFAIL)
		return set_why(why, len, DELIVERY_TEMPFAIL, "4.3.0 delivery "
		    "to %s failed without a reason", x->u->name);
	r.why[sizeof(r.why) - 1] = '\0';
	return set_why(why, len, (enum delivery)r.d, "%s", r.why);
}

static int
bad_field(const char *s)
{
	return s == NULL || strpbrk(s, "\r\n") != NULL;
}

enum delivery
local_deliver(const struct conf *c, const struct user *u,
    const struct local_msg *m, char *why, size_t whylen)
{
	struct ctx	 x;

	if (bad_field(m->sender) || bad_field(m->rcpt))
		return set_why(why, whylen, DELIVERY_PERMFAIL, "5.6.0 bad "
		    "envelope address for %s", u->name);
	memset(&x, 0, sizeof(x));
	x.c = c;
	x.u = u;
	x.m = m;
	x.check_owner = geteuid() == 0;
	if (mailbox_path(c, u, x.path, sizeof(x.path)) == -1)
		return set_why(why, whylen, DELIVERY_TEMPFAIL, "4.3.5 mailbox "
		    "path for %s: %s", u->name, strerror(errno));
	/* root's own mail needs no drop; anyone else's is written as them */
	if (geteuid() == 0 && u->uid != 0)
		return deliver_as_user(&x, why, whylen);
	return write_mailbox(&x, why, whylen);
}

enum delivery
local_deliver_file(const struct conf *c, const struct user *u,
    const char *path, const struct local_msg *m, char *why, size_t whylen)
{
	struct ctx	 x;
	enum delivery	 d;

	if (bad_field(m->sender) || bad_field(m->rcpt))
		return set_why(why, whylen, DELIVERY_PERMFAIL, "5.6.0 bad "
		    "envelope address for %s", path);
	if (u->uid == 0)
		return set_why(why, whylen, DELIVERY_PERMFAIL, "5.7.1 refused "
		    "to write %s as root", path);
	if (path[0] != '/' || strlen(path) >= sizeof(x.path))
		return set_why(why, whylen, DELIVERY_PERMFAIL, "5.3.5 bad "
		    "file name %.200s", path);
	memset(&x, 0, sizeof(x));
	x.c = c;
	x.u = u;
	x.m = m;
	x.file = 1;
	snprintf(x.path, sizeof(x.path), "%s", path);
	if (geteuid() == 0) {
		x.own_groups = 1;
		x.ngroups = users_groups(u, x.groups, LIM_GROUPS);
		d = deliver_as_user(&x, why, whylen);
	} else
		d = write_mailbox(&x, why, whylen);
	if (d == DELIVERY_OK)
		set_why(why, whylen, DELIVERY_OK, "2.0.0 delivered to file %s",
		    path);
	return d;
}

/* ---- commands ---- */

static void __attribute__((noreturn))
command_child(const struct ctx *x, const char *command, int in, int err)
{
	char	 env[7][LIM_PATH + 16], e[LIM_ERR];
	char	*envp[8];
	int	 fd;

	setsid();
	signal(SIGPIPE, SIG_DFL);
	if (dup2(in, 0) == -1 || dup2(err, 2) == -1 ||
	    (fd = open("/dev/null", O_WRONLY)) == -1 || dup2(fd, 1) == -1)
		_exit(EX_OSERR_CHILD);
	/* nothing of ours (queue lock, log, syslog socket) reaches it */
	for (fd = 3; fd < 1024; fd++)
		close(fd);
	if (privs_drop(x->u->uid, x->u->gid, x->groups, x->ngroups, e,
	    sizeof(e)) == -1) {
		dprintf(2, "cannot become %s: %s\n", x->u->name, e);
		_exit(EX_TEMPFAIL_CHILD);
	}
	if (x->u->home[0] == '\0' || chdir(x->u->home) == -1)
		(void)chdir("/");
	umask(077);
	snprintf(env[0], sizeof(env[0]), "SENDER=%s", x->m->sender);
	snprintf(env[1], sizeof(env[1]), "RECIPIENT=%s", x->m->rcpt);
	snprintf(env[2], sizeof(env[2]), "USER=%s", x->u->name);
	snprintf(env[3], sizeof(env[3]), "LOGNAME=%s", x->u->name);
	snprintf(env[4], sizeof(env[4]), "HOME=%s", x->u->home);
	snprintf(env[5], sizeof(env[5]), "PATH=/usr/bin:/bin");
	snprintf(env[6], sizeof(env[6]), "SHELL=/bin/sh");
	for (int i = 0; i < 7; i++)
		envp[i] = env[i];
	envp[7] = NULL;
	execle("/bin/sh", "sh", "-c", command, (char *)NULL, envp);
	dprintf(2, "cannot run /bin/sh: %s\n", strerror(errno));
	_exit(EX_TEMPFAIL_CHILD);
}

/*
 * Writes the From_ line (mailbox.h's), the envelope lines and the
 * message as queued into the command's stdin.  A command that stops
 * reading early (EPIPE) is not a failure of ours.
 */
static void __attribute__((noreturn))
feeder(const struct ctx *x, int fd)
{
	char	 head[LIM_ADDR + 128 + 2 * LIM_PATH], date[64], *in;
	off_t	 off = 0;
	size_t	 n;
	ssize_t	 r;
	int	 k;

	signal(SIGPIPE, SIG_IGN);
	if ((in = malloc(CHUNK)) == NULL)
		_exit(1);
	mailbox_date(x->m->arrival, date, sizeof(date));
	n = mailbox_from_line(x->m->sender, date, head, sizeof(head));
	k = snprintf(head + n, sizeof(head) - n, "Return-Path: <%s>\n"
	    "Delivered-To: %s\n", x->m->sender, x->m->rcpt);
	if (n == 0 || k < 0 || (size_t)k >= sizeof(head) - n)
		_exit(1);
	if (fdio_write_all(fd, head, n + (size_t)k) == -1)
		_exit(errno != EPIPE);
	while ((r = pread(x->m->fd, in, CHUNK, off)) != 0) {
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			_exit(1);
		off += r;
		if (fdio_write_all(fd, in, (size_t)r) == -1)
			_exit(errno != EPIPE);
	}
	_exit(0);
}

/* The first line of what the command said on stderr, printable. */
static void
first_line(const char *s, size_t n, char *out, size_t len)
{
	size_t	 k = 0;

	while (n > 0 && (*s == '\n' || *s == ' '))
		s++, n--;
	for (size_t i = 0; i < n && s[i] != '\n' && k + 1 < len; i++)
		out[k++] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' :
		    s[i];
	out[k] = '\0';
	if (k == 0)
		snprintf(out, len, "no error output");
}

/* Milliseconds since start. */
static long long
since(const struct timespec *start)
{
	struct timespec	 now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1000LL +
	    (now.tv_nsec - start->tv_nsec) / 1000000;
}

/*
 * Read the command's stderr until it exits and closes it, or the time
 * limit passes (then its whole process group is killed): 1 on timeout.
 * Once the command has exited, its stderr gets one more second (a job
 * it left in the background may hold it open).
 */
static int
supervise(pid_t pid, int err, time_t limit, char *said, size_t saidlen,
    int *status)
{
	struct timespec	 start;
	struct pollfd	 pfd = { err, POLLIN, 0 };
	size_t		 got = 0;
	long long	 left, exited = -1;
	ssize_t		 r;
	char		 sink[512];

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		if (exited < 0 && waitpid(pid, status, WNOHANG) == pid)
			exited = since(&start);
		if (exited >= 0 && (pfd.fd == -1 || since(&start) - exited >
		    1000))
			return 0;
		left = limit > 0 ? (long long)limit * 1000 - since(&start) :
		    1000;
		if (left <= 0 && exited < 0) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			while (waitpid(pid, status, 0) == -1 && errno == EINTR)
				;
			return 1;
		}
		if (left > 100 || left <= 0)
			left = 100;	/* and look at the child again */
		if (pfd.fd == -1) {
			poll(NULL, 0, (int)left);
			continue;
		}
		if (poll(&pfd, 1, (int)left) <= 0)
			continue;
		r = read(err, got + 1 < saidlen ? said + got : sink,
		    got + 1 < saidlen ? saidlen - 1 - got : sizeof(sink));
		if (r == 0 || (r == -1 && errno != EINTR && errno != EAGAIN))
			pfd.fd = -1;
		else if (r > 0 && got + 1 < saidlen) {
			got += (size_t)r;
			said[got] = '\0';
		}
	}
}

static enum delivery
command_result(int timedout, int status, const char *said, const char *cmd,
    time_t limit, char *why, size_t len)
{
	char	 line[200];

	first_line(said, strlen(said), line, sizeof(line));
	if (timedout)
		return set_why(why, len, DELIVERY_PERMFAIL, "5.3.0 command "
		    "\"%.100s\" killed after the time limit of %llds",
		    cmd, (long long)limit);
	if (WIFSIGNALED(status))
		return set_why(why, len, DELIVERY_TEMPFAIL, "4.3.0 command "
		    "\"%.100s\" killed by signal %d", cmd, WTERMSIG(status));
	if (WEXITSTATUS(status) == 0)
		return set_why(why, len, DELIVERY_OK, "2.0.0 delivered to "
		    "command: %.100s", cmd);
	if (WEXITSTATUS(status) == EX_TEMPFAIL_CHILD)
		return set_why(why, len, DELIVERY_TEMPFAIL, "4.3.0 command "
		    "\"%.100s\" asked to try again later (exit 75): %s", cmd,
		    line);
	return set_why(why, len, DELIVERY_PERMFAIL, "5.3.0 command "
	    "\"%.100s\" failed (exit %d): %s", cmd, WEXITSTATUS(status),
	    line);
}

enum delivery
local_deliver_pipe(const struct conf *c, const struct user *u,
    const char *command, const struct local_msg *m, char *why,
    size_t whylen)
{
	struct ctx	 x;
	char		 said[1024];
	pid_t		 pid, fpid;
	int		 in[2], er[2], status = 0, timedout;

	if (bad_field(m->sender) || bad_field(m->rcpt))
		return set_why(why, whylen, DELIVERY_PERMFAIL, "5.6.0 bad "
		    "envelope address for a command");
	if (u->uid == 0)
		return set_why(why, whylen, DELIVERY_PERMFAIL, "5.7.1 refused "
		    "to run a command as root");
	if (geteuid() != 0 && geteuid() != u->uid)
		return set_why(why, whylen, DELIVERY_TEMPFAIL, "4.3.0 cannot "
		    "run a command as %s here", u->name);
	memset(&x, 0, sizeof(x));
	x.c = c;
	x.u = u;
	x.m = m;
	/* read before the fork: the child closes every descriptor */
	if (geteuid() == 0)
		x.ngroups = users_groups(u, x.groups, LIM_GROUPS);
	if (pipe2(in, O_CLOEXEC) == -1)
		goto sys;
	if (pipe2(er, O_CLOEXEC) == -1) {
		close(in[0]);
		close(in[1]);
		goto sys;
	}
	if ((pid = fork()) == 0)
		command_child(&x, command, in[0], er[1]);
	close(in[0]);
	close(er[1]);
	fpid = pid == -1 ? -1 : fork();
	if (fpid == 0) {
		close(er[0]);
		feeder(&x, in[1]);
	}
	close(in[1]);
	if (pid == -1 || fpid == -1) {
		if (pid != -1) {
			kill(-pid, SIGKILL);
			waitpid(pid, NULL, 0);
		}
		close(er[0]);
		goto sys;
	}
	said[0] = '\0';
	timedout = supervise(pid, er[0], c->command_timeout, said,
	    sizeof(said), &status);
	close(er[0]);
	kill(fpid, SIGKILL);
	while (waitpid(fpid, NULL, 0) == -1 && errno == EINTR)
		;
	return command_result(timedout, status, said, command,
	    c->command_timeout, why, whylen);
sys:
	return set_why(why, whylen, DELIVERY_TEMPFAIL, "4.3.0 cannot start "
	    "command: %s", strerror(errno));
}
