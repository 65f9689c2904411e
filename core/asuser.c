/*
 * A file read as another user: see asuser.h.
 *
 * The child writes a fixed header (the open's outcome and the fstat
 * fields a caller checks), then the bytes, then exits 0, or with the
 * errno of a failed read: the exit status is the trailer, so that a
 * file cut short by an error is never taken for the whole of it.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "asuser.h"
#include "fdio.h"
#include "limits.h"
#include "privs.h"

#define EXIT_SEND	255	/* the child could not write to the pipe */

struct header {
	int	 result;	/* enum asuser_result */
	int	 err;		/* errno of the open */
	mode_t	 mode;
	uid_t	 uid;
	nlink_t	 nlink;
	char	 why[128];	/* ASUSER_FAILED: the failing step */
};

/* Open path as this process; -1 with *res set when it failed. */
static int
open_here(const char *path, enum asuser_how how, enum asuser_result *res)
{
	struct stat	 st;
	char		 self[64];
	int		 pfd, fd, e;

	*res = ASUSER_ERRNO;
	if (how == ASUSER_NOFOLLOW)
		return open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
		    O_NOCTTY | O_CLOEXEC);
	if ((pfd = open(path, O_PATH | O_CLOEXEC)) == -1)
		return -1;
	if (fstat(pfd, &st) == -1 || !S_ISREG(st.st_mode)) {
		*res = ASUSER_NOTREG;
		close(pfd);
		return -1;
	}
	snprintf(self, sizeof(self), "/proc/self/fd/%d", pfd);
	fd = open(self, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	e = errno;
	close(pfd);
	if (fd == -1 && e == ENOENT)
		*res = ASUSER_NOPROC;
	errno = e;
	return fd;
}

static void __attribute__((noreturn))
child(const struct user *u, const gid_t *groups, int ngroups,
    const char *path, enum asuser_how how, size_t max, int wfd)
{
	struct header	 h;
	struct stat	 st;
	char		 chunk[4096];
	enum asuser_result res;
	size_t		 sent = 0;
	ssize_t		 r;
	int		 fd;

	signal(SIGPIPE, SIG_IGN);
	memset(&h, 0, sizeof(h));
	if (privs_drop(u->uid, u->gid, groups, ngroups, h.why,
	    sizeof(h.why)) == -1) {
		h.result = ASUSER_FAILED;
		_exit(fdio_write_all(wfd, &h, sizeof(h)) == -1 ? EXIT_SEND : 0);
	}
	if ((fd = open_here(path, how, &res)) == -1 ||
	    fstat(fd, &st) == -1) {
		h.result = fd == -1 ? res : ASUSER_ERRNO;
		h.err = errno;
		_exit(fdio_write_all(wfd, &h, sizeof(h)) == -1 ? EXIT_SEND : 0);
	}
	h.result = ASUSER_OK;
	h.mode = st.st_mode;
	h.uid = st.st_uid;
	h.nlink = st.st_nlink;
	if (fdio_write_all(wfd, &h, sizeof(h)) == -1)
		_exit(EXIT_SEND);
	while (sent <= max) {
		r = read(fd, chunk, sizeof(chunk) < max + 1 - sent ?
		    sizeof(chunk) : max + 1 - sent);
		if (r == 0)
			break;
		if (r == -1) {
			if (errno == EINTR)
				continue;
			_exit(errno > 0 && errno < EXIT_SEND ? errno : EIO);
		}
		if (fdio_write_all(wfd, chunk, (size_t)r) == -1)
			_exit(EXIT_SEND);
		sent += (size_t)r;
	}
	_exit(0);
}

static enum asuser_result
failed(char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "%s: %s", what, strerror(errno));
	return ASUSER_FAILED;
}

/* Read the child's header; the child is reaped on failure. */
static enum asuser_result
header(struct asuser_file *f, const char *name, char *err, size_t errlen)
{
	struct header	 h;
	size_t		 got = 0;
	ssize_t		 n;

	while (got < sizeof(h)) {
		n = read(f->fd, (char *)&h + got, sizeof(h) - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (got != sizeof(h) || h.result < ASUSER_OK ||
	    h.result > ASUSER_FAILED) {
		asuser_close(f);
		snprintf(err, errlen, "the reader ended without an answer");
		return ASUSER_FAILED;
	}
	if (h.result == ASUSER_OK) {
		f->mode = h.mode;
		f->uid = h.uid;
		f->nlink = h.nlink;
		return ASUSER_OK;
	}
	asuser_close(f);
	h.why[sizeof(h.why) - 1] = '\0';
	if (h.result == ASUSER_FAILED)
		snprintf(err, errlen, "cannot become %s: %s", name, h.why);
	errno = h.err;
	return (enum asuser_result)h.result;
}

enum asuser_result
asuser_open(const struct user *u, const gid_t *groups, int ngroups,
    const char *path, enum asuser_how how, size_t max,
    struct asuser_file *f, char *err, size_t errlen)
{
	struct stat	 st;
	enum asuser_result res;
	int		 p[2];

	memset(f, 0, sizeof(*f));
	f->fd = -1;
	f->pid = -1;
	if (u == NULL || geteuid() != 0) {
		if ((f->fd = open_here(path, how, &res)) == -1)
			return res;
		if (fstat(f->fd, &st) == -1) {
			asuser_close(f);
			return ASUSER_ERRNO;
		}
		f->mode = st.st_mode;
		f->uid = st.st_uid;
		f->nlink = st.st_nlink;
		return ASUSER_OK;
	}
	if (pipe2(p, O_CLOEXEC) == -1)
		return failed(err, errlen, "pipe");
	if ((f->pid = fork()) == -1) {
		close(p[0]);
		close(p[1]);
		return failed(err, errlen, "fork");
	}
	if (f->pid == 0) {
		close(p[0]);
		child(u, groups, ngroups, path, how, max, p[1]);
	}
	close(p[1]);
	f->fd = p[0];
	return header(f, u->name, err, errlen);
}

int
asuser_close(struct asuser_file *f)
{
	int	 status = 0, e = errno, r = 0;

	if (f->fd != -1)
		close(f->fd);
	f->fd = -1;
	if (f->pid > 0) {
		while (waitpid(f->pid, &status, 0) == -1 && errno == EINTR)
			;
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			e = WIFEXITED(status) && WEXITSTATUS(status) !=
			    EXIT_SEND ? WEXITSTATUS(status) : EIO;
			r = -1;
		}
	}
	f->pid = -1;
	errno = e;
	return r;
}
