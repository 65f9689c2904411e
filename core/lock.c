/*
 * Mailbox locking: see lock.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "limits.h"
#include "lock.h"

#define STALE_LOCK	300		/* seconds after which a dotlock is stale */
#define LOCK_WAIT	30		/* default seconds to wait for a lock */
#define LOCK_PAUSE_NS	100000000L	/* at most 100 ms between tries */

static int
lock_wait(void)
{
	const char	*s = getenv("HIKYAKU_LOCK_WAIT");
	char		*end;
	long		 v;

	if (s == NULL || *s == '\0')
		return LOCK_WAIT;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 0 || v > 3600)
		return LOCK_WAIT;
	return (int)v;
}

/*
 * Sleep a little, 1 ms at first and doubling up to LOCK_PAUSE_NS (a
 * mailbox is usually held for a millisecond or two); 0 while the wait
 * that began at start is not over.
 */
static int
pause_or_give_up(const struct timespec *start, int wait, int *tries)
{
	struct timespec	 now, nap = { 0, 1000000L };

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec - start->tv_sec >= wait)
		return -1;
	for (int i = 0; i < *tries && nap.tv_nsec < LOCK_PAUSE_NS; i++)
		nap.tv_nsec *= 2;
	if (nap.tv_nsec > LOCK_PAUSE_NS)
		nap.tv_nsec = LOCK_PAUSE_NS;
	(*tries)++;
	nanosleep(&nap, NULL);
	return 0;
}

static int
lock_name(const char *path, char *lock, size_t size)
{
	return (size_t)snprintf(lock, size, "%s.lock", path) >= size ? -1 : 0;
}

int
lock_dot(const char *path, int *have, char *why, size_t len)
{
	struct timespec	 start;
	struct stat	 st;
	char		 lock[LIM_PATH], err[128];
	const char	*stuck;
	int		 fd, wait = lock_wait(), tries = 0;

	*have = 0;
	if (lock_name(path, lock, sizeof(lock)) == -1) {
		snprintf(why, len, "cannot lock mailbox %s: path too long",
		    path);
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		fd = open(lock, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0600);
		if (fd != -1) {
			close(fd);	/* nothing written */
			*have = 1;
			return 0;
		}
		if (errno == EACCES || errno == EPERM || errno == EROFS)
			return 0;
		if (errno != EEXIST) {
			snprintf(why, len, "cannot lock mailbox %s: %s: %s",
			    path, lock, strerror(errno));
			return -1;
		}
		/*
		 * A stale lock is removed; one that cannot be (another
		 * user's in a sticky directory, a directory) is waited on
		 * like a live one, so that the wait ends.
		 */
		stuck = NULL;
		if (lstat(lock, &st) == 0 &&
		    time(NULL) - st.st_mtime > STALE_LOCK) {
			if (S_ISDIR(st.st_mode))
				stuck = "it is a directory";
			else if (!S_ISREG(st.st_mode))
				stuck = "it is not a regular file";
			else if (unlink(lock) == 0 || errno == ENOENT)
				continue;
			else {
				snprintf(err, sizeof(err), "%s",
				    strerror(errno));
				stuck = err;
			}
		}
		if (pause_or_give_up(&start, wait, &tries) == -1) {
			if (stuck != NULL)
				snprintf(why, len, "cannot remove stale lock "
				    "%s: %s", lock, stuck);
			else
				snprintf(why, len, "mailbox %s is locked (%s)",
				    path, lock);
			return -1;
		}
	}
}

void
lock_dotunlock(const char *path, int have)
{
	char	 lock[LIM_PATH];

	if (have && lock_name(path, lock, sizeof(lock)) == 0)
		unlink(lock);
}

int
lock_fcntl(int fd, int write, const char *path, char *why, size_t len)
{
	struct timespec	 start;
	struct flock	 fl;
	int		 wait = lock_wait(), tries = 0;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		memset(&fl, 0, sizeof(fl));
		fl.l_type = write ? F_WRLCK : F_RDLCK;
		fl.l_whence = SEEK_SET;
		if (fcntl(fd, F_SETLK, &fl) == 0)
			return 0;
		if (errno != EAGAIN && errno != EACCES && errno != EINTR) {
			snprintf(why, len, "cannot lock mailbox %s: %s", path,
			    strerror(errno));
			return -1;
		}
		if (pause_or_give_up(&start, wait, &tries) == -1) {
			snprintf(why, len, "mailbox %s is locked", path);
			return -1;
		}
	}
}
