/*
 * The MDA: one queued message into one local mailbox (mbox or Maildir).
 *
 * mbox is appended to under a dotlock and an fcntl lock, and anything
 * that goes wrong after the file is open ends in an ftruncate back to
 * the size it had once locked: a reader must never see half a message,
 * and a retry must not leave a duplicate fragment behind.  Maildir gets
 * the usual tmp/ -> new/ dance, which needs no lock at all.
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
#include "limits.h"
#include "local.h"
#include "lock.h"
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

/* A buffered writer with a sticky errno, as struct buf keeps its own. */
struct out {
	int	 fd;
	char	*buf;
	size_t	 len;
	int	 err;
	int	 last;		/* last byte added, -1 before any */
};

/* mboxrd state at a line start: how much of ">*From " has been held back */
struct quote {
	int	 held;		/* at the start of a line, still deciding */
	size_t	 ngt;		/* '>' seen */
	size_t	 nfrom;		/* bytes of "From " matched after them */
};

static const char from_[] = "From ";

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

int
local_mailbox_path(const struct conf *c, const struct user *u, char *out,
    size_t len)
{
	const char	*t, *add;
	char		 one[2] = { 0, 0 };
	size_t		 n = 0, k;

	if (len == 0 || c->mailbox == NULL) {
		errno = EINVAL;
		return -1;
	}
	for (t = c->mailbox; *t != '\0'; t++) {
		if (*t == '%') {
			t++;
			if (*t == 'u')
				add = u->name;
			else if (*t == 'h')
				add = u->home;
			else if (*t == '%')
				add = "%";
			else {
				errno = EINVAL;
				return -1;
			}
		} else {
			one[0] = *t;
			add = one;
		}
		if ((k = strlen(add)) >= len - n) {
			errno = ENAMETOOLONG;
			return -1;
		}
		memcpy(out + n, add, k);
		n += k;
	}
	out[n] = '\0';
	return 0;
}

/* ---- buffered output ---- */

static void
out_flush(struct out *o)
{
	size_t	 off = 0;
	ssize_t	 w;

	while (o->err == 0 && off < o->len) {
		if ((w = write(o->fd, o->buf + off, o->len - off)) == -1) {
			if (errno != EINTR)
				o->err = errno;
			continue;
		}
		off += (size_t)w;
	}
	o->len = 0;
}

static void
out_add(struct out *o, const void *p, size_t n)
{
	const char	*s = p;
	size_t		 k;

	if (n > 0)
		o->last = (unsigned char)s[n - 1];
	while (n > 0 && o->err == 0) {
		if (o->len == CHUNK)
			out_flush(o);
		k = CHUNK - o->len < n ? CHUNK - o->len : n;
		memcpy(o->buf + o->len, s, k);
		o->len += k;
		s += k;
		n -= k;
	}
}

static void
out_str(struct out *o, const char *s)
{
	out_add(o, s, strlen(s));
}

static void
out_gt(struct out *o, size_t n)
{
	while (n-- > 0)
		out_add(o, ">", 1);
}

/* The held-back ">>From" of a line that turned out not to be a From_ line. */
static void
release(struct out *o, struct quote *q)
{
	out_gt(o, q->ngt);
	out_add(o, from_, q->nfrom);
	q->held = 0;
}

/*
 * mboxrd: a line matching ^>*From  gets one more '>'.  The start of a
 * line is held back (as counts) until it is known whether it matches,
 * so a line split across two reads is quoted like any other.
 */
static void
quote_chunk(struct out *o, struct quote *q, const char *p, size_t n)
{
	const char	*nl;
	size_t		 i = 0, span;

	while (i < n && o->err == 0) {
		if (!q->held) {
			nl = memchr(p + i, '\n', n - i);
			span = nl != NULL ? (size_t)(nl - (p + i)) + 1 : n - i;
			out_add(o, p + i, span);
			i += span;
			if (nl != NULL) {
				q->held = 1;
				q->ngt = q->nfrom = 0;
			}
		} else if (q->nfrom == 0 && p[i] == '>') {
			q->ngt++;
			i++;
		} else if (p[i] == from_[q->nfrom]) {
			i++;
			if (++q->nfrom == sizeof(from_) - 1) {
				out_add(o, ">", 1);
				release(o, q);
			}
		} else
			release(o, q);	/* p[i] is looked at again as text */
	}
}

/*
 * Envelope lines, the message (quoted for mbox) and, for mbox, the final
 * newline and the blank separator line.  Returns 0, or -1 with *rerr
 * set when the message could not be read (o->err: could not write).
 */
static int
put_message(const struct ctx *x, struct out *o, char *in, int mbox, int *rerr)
{
	const struct local_msg	*m = x->m;
	struct quote		 q = { 1, 0, 0 };
	off_t			 off = 0;
	ssize_t			 r;

	out_str(o, "Return-Path: <");
	out_str(o, m->sender);
	out_str(o, ">\nDelivered-To: ");
	out_str(o, m->rcpt);
	out_str(o, "\n");
	while (o->err == 0) {
		if ((r = pread(m->fd, in, CHUNK, off)) == -1) {
			if (errno == EINTR)
				continue;
			*rerr = errno;
			return -1;
		}
		if (r == 0)
			break;
		off += r;
		if (mbox)
			quote_chunk(o, &q, in, (size_t)r);
		else
			out_add(o, in, (size_t)r);
	}
	if (mbox) {
		if (q.held)
			release(o, &q);
		if (o->last != '\n')
			out_add(o, "\n", 1);
		out_add(o, "\n", 1);
	}
	out_flush(o);
	return 0;
}

/* put_message into fd with buffers of our own; 0, or -1 with *why set. */
static enum delivery
write_all(const struct ctx *x, int fd, const char *pre, size_t prelen,
    int mbox, char *why, size_t len)
{
	struct out	 o = { fd, NULL, 0, 0, -1 };
	char		*in;
	int		 rerr = 0;

	if ((o.buf = malloc(2 * CHUNK)) == NULL)
		return set_why(why, len, DELIVERY_TEMPFAIL, "4.3.0 cannot "
		    "write mailbox %s: %s", x->path, strerror(errno));
	in = o.buf + CHUNK;
	out_add(&o, pre, prelen);
	if (put_message(x, &o, in, mbox, &rerr) == -1) {
		free(o.buf);
		return set_why(why, len, DELIVERY_TEMPFAIL, "4.3.0 cannot "
		    "read the queued message: %s", strerror(rerr));
	}
	free(o.buf);
	if (o.err != 0)
		return set_why(why, len, DELIVERY_TEMPFAIL, "4.3.0 cannot "
		    "write mailbox %s: %s", x->path, strerror(o.err));
	if (fsync(fd) == -1)
		return set_why(why, len, DELIVERY_TEMPFAIL, "4.3.0 cannot "
		    "write mailbox %s: fsync: %s", x->path, strerror(errno));
	return DELIVERY_OK;
}

/* ---- mbox ---- */

/* Why open(2) failed, in words that say what to fix. */
static enum delivery
open_failed(const char *path, int e, char *why, size_t len)
{
	struct stat	 st;

	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
		return set_why(why, len, DELIVERY_TEMPFAIL, "4.2.0 mailbox %s "
		    "is a symbolic link, refused", path);
	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode))
		return set_why(why, len, DELIVERY_TEMPFAIL, "4.2.0 mailbox %s "
		    "is not a regular file, refused", path);
	return set_why(why, len, DELIVERY_TEMPFAIL, "4.2.0 cannot open "
	    "mailbox %s: %s", path, strerror(e));
}

/*
 * O_NONBLOCK so that a FIFO planted at the path cannot hang us; it is
 * refused right after, and cleared for the regular file we keep.
 */
static enum delivery
mbox_open(const struct ctx *x, int *fdp, char *why, size_t len)
{
	struct stat	 st;
	int		 fd, fl;

	fd = open(x->path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW |
	    O_CLOEXEC | O_NONBLOCK | O_NOCTTY, 0600);
	if (fd == -1)
		return open_failed(x->path, errno, why, len);
	*fdp = fd;
	if (fstat(fd, &st) == -1)
		return set_why(why, len, DELIVERY_TEMPFAIL, "4.2.0 cannot "
		    "open mailbox %s: %s", x->path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return set_why(why, len, DELIVERY_TEMPFAIL, "4.2.0 mailbox %s "
		    "is not a regular file, refused", x->path);
	if (st.st_nlink != 1)
		return set_why(why, len, DELIVERY_TEMPFAIL, "4.2.0 mailbox %s "
		    "has %lu links, refused", x->path,
		    (unsigned long)st.st_nlink);
	if (x->check_owner && st.st_uid != x->u->uid)
		return set_why(why, len, DELIVERY_TEMPFAIL, "4.2.0 mailbox %s "
		    "is owned by uid %lu, not by %s, refused", x->path,
		    (unsigned long)st.st_uid, x->u->name);
	if ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) == -1)
		return set_why(why, len, DELIVERY_TEMPFAIL, "4.2.0 cannot "
		    "open mailbox %s: %s", x->path, strerror(errno));
	return DELIVERY_OK;
}

/* Undo a failed append; the reason already in why gets a note if not. */
static void
rollback(int fd, off_t size, char *why, size_t len)
{
	size_t	 n = strlen(why);

	if (ftruncate(fd, size) == -1 || fsync(fd) == -1)
		snprintf(why + n, len - n, " (and truncating it back "
		    "failed: %s)", strerror(errno));
}

static size_t
from_line(const struct ctx *x, char *out, size_t size)
{
	const char	*s = x->m->sender[0] != '\0' ? x->m->sender :
			    "MAILER-DAEMON";
	struct tm	 tm;
	char		 date[64];
	int		 n;

	/* asctime's layout, "Sat Nov 28 00:19:43 2026", without its '\n' */
	if (localtime_r(&x->m->arrival, &tm) == NULL ||
	    strftime(date, sizeof(date), "%a %b %e %H:%M:%S %Y", &tm) == 0)
		snprintf(date, sizeof(date), "Thu Jan  1 00:00:00 1970");
	n = snprintf(out, size, "From %s %s\n", s, date);
	return n < 0 || (size_t)n >= size ? 0 : (size_t)n;
}

/*
 * Write and fsync, both checked, with the file still locked; any
 * failure truncates it back to size under the same lock.  No close is
 * checked here: closing any descriptor of the file (even a dup) drops
 * the process's fcntl locks, and after a good fsync the data is on disk
 * whatever a close would say.
 */
static enum delivery
mbox_append(const struct ctx *x, int fd, char *why, size_t len)
{
	char		 from[LIM_ADDR + 128];
	struct stat	 st;
	size_t		 n;
	enum delivery	 d;

	if ((n = from_line(x, from, sizeof(from))) == 0)
		return set_why(why, len, DELIVERY_PERMFAIL, "5.6.0 envelope "
		    "sender too long");
	if (fstat(fd, &st) == -1)
		return set_why(why, len, DELIVERY_TEMPFAIL, "4.2.0 cannot "
		    "stat mailbox %s: %s", x->path, strerror(errno));
	d = write_all(x, fd, from, n, 1, why, len);
	if (d != DELIVERY_OK)
		rollback(fd, st.st_size, why, len);
	else
		set_why(why, len, DELIVERY_OK, "2.0.0 delivered to mailbox %s",
		    x->path);
	return d;
}

/* A locking failure (lock.h's reason) as a temporary delivery failure. */
static enum delivery
lock_failed(const char *reason, char *why, size_t len)
{
	return set_why(why, len, DELIVERY_TEMPFAIL, "4.2.0 %s", reason);
}

static enum delivery
mbox_deliver(const struct ctx *x, char *why, size_t len)
{
	char		 reason[LIM_ERR];
	enum delivery	 d;
	int		 have = 0, fd = -1;

	if (lock_dot(x->path, &have, reason, sizeof(reason)) == -1)
		return lock_failed(reason, why, len);
	d = mbox_open(x, &fd, why, len);
	if (d == DELIVERY_OK &&
	    lock_fcntl(fd, 1, x->path, reason, sizeof(reason)) == -1)
		d = lock_failed(reason, why, len);
	if (d == DELIVERY_OK)
		d = mbox_append(x, fd, why, len);
	/* the data is on disk (fsync'd): this close only unlocks */
	if (fd != -1)
		close(fd);
	lock_dotunlock(x->path, have);
	return d;
}

/* ---- Maildir ---- */

static enum delivery
maildir_dirs(const char *root, char *why, size_t len)
{
	static const char *const sub[] = { "", "/tmp", "/new", "/cur" };
	char		 p[LIM_PATH];
	struct stat	 st;

	for (size_t i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
		if ((size_t)snprintf(p, sizeof(p), "%s%s", root, sub[i]) >=
		    sizeof(p))
			return set_why(why, len, DELIVERY_TEMPFAIL, "4.3.5 "
			    "maildir path %s too long", root);
		if (mkdir(p, 0700) == -1 && errno != EEXIST)
			return set_why(why, len, DELIVERY_TEMPFAIL, "4.2.0 "
			    "cannot create maildir %s: %s", p,
			    strerror(errno));
		if (lstat(p, &st) == -1 || !S_ISDIR(st.st_mode))
			return set_why(why, len, DELIVERY_TEMPFAIL, "4.2.0 "
			    "maildir %s is not a directory", p);
	}
	return DELIVERY_OK;
}

/* "SECONDS.M<usec>P<pid>Q<counter>.HOST", '/' and ':' escaped in HOST. */
static void
maildir_name(const char *host, char *out, size_t size)
{
	static unsigned	 counter;
	struct timespec	 ts;
	char		 h[LIM_HOSTNAME * 4 + 1];
	size_t		 n = 0;

	for (; host != NULL && *host != '\0' && n + 5 < sizeof(h); host++) {
		if (*host == '/' || *host == ':') {
			memcpy(h + n, *host == '/' ? "\\057" : "\\072", 4);
			n += 4;
		} else
			h[n++] = *host;
	}
	h[n] = '\0';
	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(out, size, "%lld.M%ldP%ldQ%u.%s", (long long)ts.tv_sec,
	    ts.tv_nsec / 1000, (long)getpid(), ++counter,
	    n > 0 ? h : "localhost");
}

/* Into new/ (a hard link where the file system has them), then fsync new/. */
static enum delivery
maildir_publish(const char *tmp, const char *new, const char *newdir,
    char *why, size_t len)
{
	int	 dfd, e;

	if (link(tmp, new) == 0)
		unlink(tmp);
	else if (errno == EEXIST || rename(tmp, new) == -1)
		return set_why(why, len, DELIVERY_TEMPFAIL, "4.3.0 cannot "
		    "move %s into new/: %s", tmp, strerror(errno));
	if ((dfd = open(newdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    fsync(dfd) == -1) {
		e = errno;
		if (dfd != -1)
			close(dfd);
		unlink(new);
		return set_why(why, len, DELIVERY_TEMPFAIL, "4.3.0 cannot "
		    "sync maildir %s: %s", newdir, strerror(e));
	}
	close(dfd);
	return DELIVERY_OK;
}

static enum delivery
maildir_deliver(const struct ctx *x, char *why, size_t len)
{
	char		 root[LIM_PATH], name[LIM_HOSTNAME * 4 + 96];
	char		 tmp[LIM_PATH], new[LIM_PATH], newdir[LIM_PATH];
	enum delivery	 d;
	size_t		 n;
	int		 fd;

	snprintf(root, sizeof(root), "%s", x->path);
	for (n = strlen(root); n > 1 && root[n - 1] == '/'; n--)
		root[n - 1] = '\0';
	if ((d = maildir_dirs(root, why, len)) != DELIVERY_OK)
		return d;
	maildir_name(x->c->hostname, name, sizeof(name));
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/tmp/%s", root, name) >=
	    sizeof(tmp) || (size_t)snprintf(new, sizeof(new), "%s/new/%s",
	    root, name) >= sizeof(new) || (size_t)snprintf(newdir,
	    sizeof(newdir), "%s/new", root) >= sizeof(newdir))
		return set_why(why, len, DELIVERY_TEMPFAIL, "4.3.5 maildir "
		    "path %s too long", root);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) == -1)
		return set_why(why, len, DELIVERY_TEMPFAIL, "4.2.0 cannot "
		    "create %s: %s", tmp, strerror(errno));
	d = write_all(x, fd, "", 0, 0, why, len);
	if (close(fd) == -1 && d == DELIVERY_OK)
		d = set_why(why, len, DELIVERY_TEMPFAIL, "4.3.0 cannot write "
		    "mailbox %s: close: %s", x->path, strerror(errno));
	if (d == DELIVERY_OK)
		d = maildir_publish(tmp, new, newdir, why, len);
	if (d != DELIVERY_OK) {
		unlink(tmp);
		return d;
	}
	return set_why(why, len, DELIVERY_OK, "2.0.0 delivered to maildir "
	    "%s", root);
}

/* ---- who writes ---- */

/*
 * A file size limit must end in EFBIG and a rollback, not in death by
 * SIGXFSZ half-way through an append: ignore it for the duration.
 */
static enum delivery
deliver_here(const struct ctx *x, char *why, size_t len)
{
	struct sigaction	 ign, old;
	enum delivery		 d;

	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGXFSZ, &ign, &old);
	if (x->c->mailbox_kind == MAILBOX_MAILDIR && !x->file)
		d = maildir_deliver(x, why, len);
	else
		d = mbox_deliver(x, why, len);
	sigaction(SIGXFSZ, &old, NULL);
	return d;
}

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
		r.d = deliver_here(x, r.why, sizeof(r.why));
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
	if (local_mailbox_path(c, u, x.path, sizeof(x.path)) == -1)
		return set_why(why, whylen, DELIVERY_TEMPFAIL, "4.3.5 mailbox "
		    "path for %s: %s", u->name, strerror(errno));
	/* root's own mail needs no drop; anyone else's is written as them */
	if (geteuid() == 0 && u->uid != 0)
		return deliver_as_user(&x, why, whylen);
	return deliver_here(&x, why, whylen);
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
		d = deliver_here(&x, why, whylen);
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

/* Writes the From_ line and the message into the command's stdin. */
static void __attribute__((noreturn))
feeder(const struct ctx *x, int fd)
{
	struct out	 o = { fd, NULL, 0, 0, -1 };
	char		 from[LIM_ADDR + 128], *in;
	size_t		 n;
	int		 rerr = 0;

	signal(SIGPIPE, SIG_IGN);
	if ((o.buf = malloc(2 * CHUNK)) == NULL)
		_exit(1);
	in = o.buf + CHUNK;
	n = from_line(x, from, sizeof(from));
	out_add(&o, from, n);
	put_message(x, &o, in, 0, &rerr);
	_exit(rerr != 0 || (o.err != 0 && o.err != EPIPE));
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
