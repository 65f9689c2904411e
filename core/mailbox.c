/*
 * The one writer of mbox files and Maildir messages: see mailbox.h.
 *
 * An mbox append happens under the dotlock and an fcntl lock, and
 * anything that goes wrong after the file is open ends in an ftruncate
 * back to the size it had once locked: a reader must never see half a
 * message, and a retry must not leave a duplicate fragment behind.
 * Maildir gets the usual tmp/ -> new/ dance, which needs no lock, with
 * link() so that no message ever replaces another.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>

#include "conf.h"
#include "limits.h"
#include "lock.h"
#include "mailbox.h"
#include "str.h"
#include "users.h"

#define MAILBOX_CHUNK	(64 * 1024)	/* writes out */
#define NAME_TRIES	10		/* Maildir names taken, then give up */

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE	1
#endif

/* mailbox.state */
enum { ST_OPEN, ST_MESSAGE, ST_COMMITTED, ST_DONE };

static const char from_[] = "From ";

int
mailbox_path(const struct conf *c, const struct user *u, char *out,
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

void
mailbox_date(time_t t, char *out, size_t size)
{
	struct tm	 tm;

	if (localtime_r(&t, &tm) == NULL ||
	    strftime(out, size, "%a %b %e %H:%M:%S %Y", &tm) == 0)
		snprintf(out, size, "Thu Jan  1 00:00:00 1970");
}

size_t
mailbox_from_line(const char *sender, const char *date, char *out,
    size_t size)
{
	char		 now[64];
	size_t		 n, i, d;
	unsigned char	 ch;
	int		 k;

	if (date == NULL || *date == '\0') {
		mailbox_date(time(NULL), now, sizeof(now));
		date = now;
	}
	if (sender != NULL && *sender == '<')
		sender++;
	if (sender == NULL || *sender == '\0' || strcmp(sender, ">") == 0)
		sender = "MAILER-DAEMON";
	if (size < sizeof(from_))
		return 0;
	memcpy(out, from_, sizeof(from_) - 1);
	n = sizeof(from_) - 1;
	for (i = 0; sender[i] != '\0' && !(sender[i] == '>' &&
	    sender[i + 1] == '\0'); i++) {
		if (n + 1 >= size)
			return 0;
		ch = (unsigned char)sender[i];
		out[n++] = ch <= ' ' || ch >= 0x7f ? '_' : (char)ch;
	}
	d = n + 1;
	k = snprintf(out + n, size - n, " %s\n", date);
	if (k < 0 || (size_t)k >= size - n)
		return 0;
	n += (size_t)k;
	for (i = d; i < n - 1; i++)
		if (out[i] == '\n' || out[i] == '\r')
			out[i] = ' ';
	return n;
}

/* ---- buffered output, with a sticky errno ---- */

static void
out_flush(struct mailbox *mb)
{
	size_t	 off = 0;
	ssize_t	 w;

	while (mb->err == 0 && off < mb->len) {
		if ((w = write(mb->fd, mb->buf + off, mb->len - off)) == -1) {
			if (errno != EINTR)
				mb->err = errno;
			continue;
		}
		off += (size_t)w;
	}
	mb->len = 0;
}

static void
out_add(struct mailbox *mb, const void *p, size_t n)
{
	const char	*s = p;
	size_t		 k;

	if (n > 0)
		mb->last = (unsigned char)s[n - 1];
	while (n > 0 && mb->err == 0) {
		if (mb->len == MAILBOX_CHUNK)
			out_flush(mb);
		k = MAILBOX_CHUNK - mb->len < n ? MAILBOX_CHUNK - mb->len : n;
		memcpy(mb->buf + mb->len, s, k);
		mb->len += k;
		s += k;
		n -= k;
	}
}

/* The held-back ">>From" of a line that turned out not to be a From_ line. */
static void
release(struct mailbox *mb)
{
	for (size_t i = 0; i < mb->q.ngt; i++)
		out_add(mb, ">", 1);
	out_add(mb, from_, mb->q.nfrom);
	mb->q.held = 0;
}

/*
 * mboxrd: a line matching ^>*From  gets one more '>'.  The start of a
 * line is held back (as counts) until it is known whether it matches,
 * so a line split across two writes is quoted like any other.
 */
static void
quote_chunk(struct mailbox *mb, const char *p, size_t n)
{
	struct mailbox_quote	*q = &mb->q;
	const char		*nl;
	size_t			 i = 0, span;

	while (i < n && mb->err == 0) {
		if (!q->held) {
			nl = memchr(p + i, '\n', n - i);
			span = nl != NULL ? (size_t)(nl - (p + i)) + 1 : n - i;
			out_add(mb, p + i, span);
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
				out_add(mb, ">", 1);
				release(mb);
			}
		} else
			release(mb);	/* p[i] is looked at again as text */
	}
}

/* ---- opening ---- */

static void
ignore_xfsz(struct mailbox *mb)
{
	struct sigaction	 ign;

	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGXFSZ, &ign, &mb->xfsz);
}

/* Why open(2) failed, in words that say what to fix. */
static int
open_failed(const char *path, int e, char *why, size_t len)
{
	struct stat	 st;

	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
		return str_fail(why, len, e, "mailbox %s is a symbolic link, "
		    "refused", path);
	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode))
		return str_fail(why, len, e, "mailbox %s is not a regular "
		    "file, refused", path);
	return str_fail(why, len, e, "cannot open mailbox %s: %s", path,
	    strerror(e));
}

/*
 * O_NONBLOCK so that a FIFO planted at the path cannot hang us; it is
 * refused right after, and cleared for the regular file we keep.  Read
 * access is for looking at the end of the file; a file we may only
 * write is appended to without that look.
 */
static int
mbox_open(struct mailbox *mb, int flags, char *why, size_t len)
{
	const char	*path = mb->path;
	struct stat	 st;
	int		 fl, of;

	of = O_APPEND | O_CREAT | O_CLOEXEC | O_NONBLOCK | O_NOCTTY |
	    (flags & MAILBOX_NOFOLLOW ? O_NOFOLLOW : 0);
	if ((mb->fd = open(path, O_RDWR | of, 0600)) == -1 &&
	    errno == EACCES)
		mb->fd = open(path, O_WRONLY | of, 0600);
	if (mb->fd == -1)
		return open_failed(path, errno, why, len);
	if (fstat(mb->fd, &st) == -1)
		return str_fail(why, len, errno, "cannot open mailbox %s: %s",
		    path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return str_fail(why, len, EINVAL, "mailbox %s is not a regular "
		    "file, refused", path);
	if ((flags & MAILBOX_NOFOLLOW) && st.st_nlink != 1)
		return str_fail(why, len, EINVAL, "mailbox %s has %lu links, "
		    "refused", path, (unsigned long)st.st_nlink);
	if ((flags & MAILBOX_OWNER) && st.st_uid != geteuid())
		return str_fail(why, len, EPERM, "mailbox %s is owned by uid "
		    "%lu, not by uid %lu, refused", path,
		    (unsigned long)st.st_uid, (unsigned long)geteuid());
	if ((fl = fcntl(mb->fd, F_GETFL)) == -1 ||
	    fcntl(mb->fd, F_SETFL, fl & ~O_NONBLOCK) == -1)
		return str_fail(why, len, errno, "cannot open mailbox %s: %s",
		    path, strerror(errno));
	if (lock_fcntl(mb->fd, 1, path, why, len) == -1) {
		if (errno != EBADF && errno != ENOLCK)
			errno = EAGAIN;
		return -1;
	}
	/* the size under the locks is the one that counts */
	if (fstat(mb->fd, &st) == -1)
		return str_fail(why, len, errno, "cannot open mailbox %s: %s",
		    path, strerror(errno));
	mb->size0 = st.st_size;
	return 0;
}

static int
maildir_dirs(const char *root, char *why, size_t len)
{
	static const char *const sub[] = { "", "/tmp", "/new", "/cur" };
	char		 p[LIM_PATH];
	struct stat	 st;

	for (size_t i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
		if ((size_t)snprintf(p, sizeof(p), "%s%s", root, sub[i]) >=
		    sizeof(p))
			return str_fail(why, len, ENAMETOOLONG, "maildir path "
			    "%s too long", root);
		if (mkdir(p, 0700) == -1 && errno != EEXIST)
			return str_fail(why, len, errno, "cannot create "
			    "maildir %s: %s", p, strerror(errno));
		if (lstat(p, &st) == -1 || !S_ISDIR(st.st_mode))
			return str_fail(why, len, ENOTDIR, "maildir %s is not "
			    "a directory", p);
	}
	return 0;
}

/* DIR/SUB/SECONDS.M<usec>P<pid>Q<counter>.HOST, '/' and ':' escaped. */
static int
maildir_name(const struct mailbox *mb, const char *sub, char *out,
    size_t size)
{
	static unsigned	 counter;
	struct timespec	 ts;
	char		 h[LIM_HOSTNAME * 4 + 1], sys[LIM_HOSTNAME + 1];
	const char	*host = mb->host;
	size_t		 n = 0;

	if (host == NULL) {
		if (gethostname(sys, sizeof(sys) - 1) == -1)
			sys[0] = '\0';
		sys[sizeof(sys) - 1] = '\0';
		host = sys;
	}
	for (; *host != '\0' && n + 5 < sizeof(h); host++) {
		if (*host == '/' || *host == ':') {
			memcpy(h + n, *host == '/' ? "\\057" : "\\072", 4);
			n += 4;
		} else
			h[n++] = *host;
	}
	h[n] = '\0';
	clock_gettime(CLOCK_REALTIME, &ts);
	return (size_t)snprintf(out, size, "%s/%s/%lld.M%ldP%ldQ%u.%s",
	    mb->path, sub, (long long)ts.tv_sec, ts.tv_nsec / 1000,
	    (long)getpid(), ++counter, n > 0 ? h : "localhost") < size ? 0 :
	    -1;
}

static int
maildir_open(struct mailbox *mb, char *why, size_t len)
{
	size_t	 n;

	for (n = strlen(mb->path); n > 1 && mb->path[n - 1] == '/'; n--)
		mb->path[n - 1] = '\0';
	if (maildir_dirs(mb->path, why, len) == -1)
		return -1;
	if (maildir_name(mb, "tmp", mb->tmp, sizeof(mb->tmp)) == -1)
		return str_fail(why, len, ENAMETOOLONG, "maildir path %s too "
		    "long", mb->path);
	if ((mb->fd = open(mb->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) == -1)
		return str_fail(why, len, errno, "cannot create %s: %s",
		    mb->tmp, strerror(errno));
	return 0;
}

int
mailbox_open(struct mailbox *mb, const char *path, enum conf_mailbox kind,
    int flags, const char *host, char *why, size_t len)
{
	struct stat	 st;
	int		 r, e;

	if ((flags & MAILBOX_DETECT) && stat(path, &st) == 0 &&
	    S_ISDIR(st.st_mode))
		kind = MAILBOX_MAILDIR;
	memset(mb, 0, sizeof(*mb));
	mb->kind = kind;
	mb->fd = -1;
	mb->last = -1;
	mb->host = host;
	mb->state = ST_OPEN;
	if ((size_t)snprintf(mb->path, sizeof(mb->path), "%s", path) >=
	    sizeof(mb->path))
		return str_fail(why, len, ENAMETOOLONG, "mailbox path "
		    "%.200s... too long", path);
	if ((mb->buf = malloc(MAILBOX_CHUNK)) == NULL)
		return str_fail(why, len, errno, "cannot write mailbox %s: %s",
		    path, strerror(errno));
	ignore_xfsz(mb);
	if (kind == MAILBOX_MAILDIR)
		r = maildir_open(mb, why, len);
	else if ((r = lock_dot(path, &mb->have, why, len)) == -1)
		errno = EAGAIN;
	else
		r = mbox_open(mb, flags, why, len);
	if (r == 0)
		return 0;
	e = errno;
	mb->state = ST_DONE;
	mailbox_close(mb);
	errno = e;
	return -1;
}

/* ---- writing ---- */

/*
 * What the mbox lacks before an append: the last message already in
 * it must end with an empty line ("\n\n", or "\n\r\n" as some write).
 * A file we could not open for reading is taken as it is.
 */
static const char *
missing_end(struct mailbox *mb)
{
	char	 t[3];
	size_t	 n = mb->size0 < 3 ? (size_t)mb->size0 : 3;
	ssize_t	 r;

	if (n == 0)
		return "";
	r = pread(mb->fd, t, n, mb->size0 - (off_t)n);
	if (r != (ssize_t)n)
		return "";
	if (t[n - 1] != '\n')
		return "\n\n";
	if (n == 1 || t[n - 2] == '\n' || (n == 2 && t[0] == '\r') ||
	    (n == 3 && t[1] == '\r' && t[0] == '\n'))
		return "";
	return "\n";
}

/* The end of an mbox message: its final newline, then the empty line. */
static void
end_message(struct mailbox *mb)
{
	if (mb->q.held)
		release(mb);
	if (mb->last != '\n')
		out_add(mb, "\n", 1);
	out_add(mb, "\n", 1);
}

static int
write_failed(struct mailbox *mb, char *why, size_t len)
{
	return str_fail(why, len, mb->err, "cannot write mailbox %s: %s",
	    mb->path, strerror(mb->err));
}

int
mailbox_begin(struct mailbox *mb, const char *sender, const char *date,
    char *why, size_t len)
{
	char		 from[2 * LIM_MBOX_FIELD + 64];
	size_t		 n;
	const char	*pre;

	if (mb->kind == MAILBOX_MAILDIR) {
		if (mb->state != ST_OPEN)
			return str_fail(why, len, EINVAL, "maildir %s: one "
			    "message at a time", mb->path);
		mb->state = ST_MESSAGE;
		return 0;
	}
	if (mb->state == ST_MESSAGE)
		end_message(mb);
	else if (mb->state == ST_OPEN) {
		pre = missing_end(mb);
		out_add(mb, pre, strlen(pre));
	} else
		return str_fail(why, len, EINVAL, "mailbox %s: already "
		    "committed", mb->path);
	mb->state = ST_MESSAGE;
	if ((n = mailbox_from_line(sender, date, from, sizeof(from))) == 0)
		return str_fail(why, len, ENAMETOOLONG, "envelope sender or "
		    "date too long for the From_ line");
	out_add(mb, from, n);
	mb->q.held = 1;
	mb->q.ngt = mb->q.nfrom = 0;
	if (mb->err != 0)
		return write_failed(mb, why, len);
	return 0;
}

void
mailbox_write(struct mailbox *mb, const void *p, size_t n)
{
	if (mb->state != ST_MESSAGE) {
		if (mb->err == 0)
			mb->err = EINVAL;
		return;
	}
	if (mb->kind == MAILBOX_MAILDIR)
		out_add(mb, p, n);
	else
		quote_chunk(mb, p, n);
}

/* new/ gets the file by link(), under a fresh name if one is taken. */
static int
maildir_publish(struct mailbox *mb, char *why, size_t len)
{
	char	 dir[LIM_PATH];
	int	 dfd, e, tries = 0;

	for (;;) {
		if (maildir_name(mb, "new", mb->new, sizeof(mb->new)) == -1)
			return str_fail(why, len, ENAMETOOLONG, "maildir path "
			    "%s too long", mb->path);
		if (link(mb->tmp, mb->new) == 0)
			break;
		/* a file system without hard links: a rename that never
		   replaces */
		if (errno != EEXIST && (errno == EPERM || errno == ENOTSUP ||
		    errno == EOPNOTSUPP || errno == ENOSYS) &&
		    syscall(SYS_renameat2, AT_FDCWD, mb->tmp, AT_FDCWD,
		    mb->new, RENAME_NOREPLACE) == 0)
			break;
		if (errno != EEXIST || ++tries == NAME_TRIES)
			return str_fail(why, len, errno, "cannot move %s into "
			    "new/: %s", mb->tmp, strerror(errno));
	}
	unlink(mb->tmp);
	mb->state = ST_COMMITTED;
	memcpy(dir, mb->new, sizeof(dir));	/* it fitted: cut its name */
	*strrchr(dir, '/') = '\0';
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    fsync(dfd) == -1) {
		e = errno;
		if (dfd != -1)
			close(dfd);
		return str_fail(why, len, e, "cannot sync maildir %s: %s", dir,
		    strerror(e));
	}
	close(dfd);
	return 0;
}

/*
 * The data is fsync'd here, with the file still locked.  No close of
 * an mbox is checked: closing any descriptor of the file (even a dup)
 * drops the process's fcntl locks, and after a good fsync the data is
 * on disk whatever a close would say.
 */
int
mailbox_commit(struct mailbox *mb, char *why, size_t len)
{
	int	 e;

	if (mb->state != ST_MESSAGE)
		return str_fail(why, len, EINVAL, "mailbox %s: nothing to "
		    "commit", mb->path);
	if (mb->kind == MAILBOX_MBOX)
		end_message(mb);
	out_flush(mb);
	if (mb->err != 0)
		return write_failed(mb, why, len);
	if (fsync(mb->fd) == -1)
		return str_fail(why, len, errno, "cannot write mailbox %s: "
		    "fsync: %s", mb->path, strerror(errno));
	if (mb->kind == MAILBOX_MBOX) {
		mb->state = ST_COMMITTED;
		return 0;
	}
	e = close(mb->fd);
	mb->fd = -1;
	if (e == -1)
		return str_fail(why, len, errno, "cannot write %s: close: %s",
		    mb->tmp, strerror(errno));
	return maildir_publish(mb, why, len);
}

void
mailbox_abort(struct mailbox *mb, char *why, size_t len)
{
	size_t	 n = strlen(why);

	mb->len = 0;
	if (mb->state == ST_DONE)
		return;
	if (mb->kind == MAILBOX_MAILDIR) {
		if (mb->fd != -1)
			close(mb->fd);
		mb->fd = -1;
		unlink(mb->tmp);
		if (mb->state == ST_COMMITTED)
			unlink(mb->new);
	} else if (mb->fd != -1 && (ftruncate(mb->fd, mb->size0) == -1 ||
	    fsync(mb->fd) == -1) && n < len)
		snprintf(why + n, len - n, " (and truncating it back failed: "
		    "%s)", strerror(errno));
	mb->state = ST_DONE;
}

void
mailbox_close(struct mailbox *mb)
{
	char	 why[LIM_ERR] = "";

	if (mb->state == ST_MESSAGE)
		mailbox_abort(mb, why, sizeof(why));
	if (mb->kind == MAILBOX_MAILDIR && mb->state == ST_OPEN &&
	    mb->fd != -1)
		unlink(mb->tmp);
	/* an mbox's data is on disk (fsync'd): this close only unlocks */
	if (mb->fd != -1)
		close(mb->fd);
	mb->fd = -1;
	if (mb->kind == MAILBOX_MBOX)
		lock_dotunlock(mb->path, mb->have);
	mb->have = 0;
	if (mb->buf != NULL) {
		free(mb->buf);
		sigaction(SIGXFSZ, &mb->xfsz, NULL);
	}
	mb->buf = NULL;
	mb->state = ST_DONE;
}

int
mailbox_put(const char *path, int flags, const char *sender,
    const char *date, const char *msg, size_t n, char *why, size_t len)
{
	struct mailbox	 mb;
	int		 r, e;

	if (mailbox_open(&mb, path, MAILBOX_MBOX, flags, NULL, why, len) == -1)
		return -1;
	if ((r = mailbox_begin(&mb, sender, date, why, len)) == 0) {
		mailbox_write(&mb, msg, n);
		r = mailbox_commit(&mb, why, len);
	}
	e = errno;
	if (r == -1)
		mailbox_abort(&mb, why, len);
	mailbox_close(&mb);
	errno = e;
	return r;
}
