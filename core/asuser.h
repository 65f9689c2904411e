/*
 * A file read as another user: when root, a child that has fully
 * become the user (uid, gid and supplementary groups) opens the file,
 * so that the user's permissions, directories' included, decide what
 * may be read, and sends what it found back through a pipe.  The
 * caller reads the bytes from a descriptor either way.
 */
#ifndef HIKYAKU_ASUSER_H
#define HIKYAKU_ASUSER_H

#include <stddef.h>
#include <sys/types.h>

#include "users.h"

enum asuser_how {
	ASUSER_NOFOLLOW,	/* open O_NOFOLLOW (a symlink: ELOOP) */
	ASUSER_REGULAR		/* look first through O_PATH; open only a
				   regular file, through /proc/self/fd, so
				   that a device is never opened */
};

enum asuser_result {
	ASUSER_OK,		/* open: f is filled, read f->fd */
	ASUSER_ERRNO,		/* the open failed: errno */
	ASUSER_NOTREG,		/* ASUSER_REGULAR: not a regular file */
	ASUSER_NOPROC,		/* ASUSER_REGULAR: no /proc to reopen through */
	ASUSER_FAILED		/* no reader (fork, privs_drop): err says */
};

struct asuser_file {
	int	 fd;		/* the file, or the pipe from the child */
	pid_t	 pid;		/* the child, or -1 */
	mode_t	 mode;		/* fstat of the open file */
	uid_t	 uid;
	nlink_t	 nlink;
};

/*
 * Open path for reading as u with groups (users_groups), or as this
 * process when u is NULL (or we are not root).  The child sends at most
 * max + 1 bytes, so that a reader can tell "more than max".
 */
enum asuser_result asuser_open(const struct user *u, const gid_t *groups,
		    int ngroups, const char *path, enum asuser_how how,
		    size_t max, struct asuser_file *f, char *err,
		    size_t errlen);

/*
 * Close f and reap its child.  0 when every byte was sent (or the file
 * was read here), -1 with errno when the child failed to read or send
 * them all (a short read must not be taken for the whole file).
 */
int	asuser_close(struct asuser_file *f);

#endif
