/*
 * Mailbox locking, as every mail program on the machine expects it: a
 * dotlock (PATH.lock made with O_EXCL, stale after 5 minutes) and an
 * fcntl lock on the open file.  Both wait up to $HIKYAKU_LOCK_WAIT
 * seconds (default 30), polling from 1 ms up to 100 ms.
 *
 * why gets a reason without a status code: "mailbox PATH is locked
 * (PATH.lock)", "cannot lock mailbox PATH: reason".  A stale dotlock
 * that cannot be removed (another user's in a sticky directory, a
 * directory, not a regular file) is waited on like a live one, then:
 * "cannot remove stale lock PATH.lock: reason".
 */
#ifndef HIKYAKU_LOCK_H
#define HIKYAKU_LOCK_H

#include <stddef.h>

/*
 * Make PATH.lock.  *have is set when one was made (and must be removed
 * with lock_dotunlock).  A directory we may not create in means no
 * dotlock and success: the fcntl lock still serialises us with every
 * modern reader.  0, or -1 with why set.
 */
int	lock_dot(const char *path, int *have, char *why, size_t len);
void	lock_dotunlock(const char *path, int have);

/* An fcntl lock on the whole of fd: write (1) or read (0).  0 or -1. */
int	lock_fcntl(int fd, int write, const char *path, char *why,
	    size_t len);

#endif
