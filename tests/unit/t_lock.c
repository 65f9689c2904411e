/*
 * lock: a stale dotlock that cannot be removed (a directory; another
 * user's lock in a sticky directory) ends in a failure with a reason
 * after $HIKYAKU_LOCK_WAIT seconds, instead of a loop that never looks
 * at the clock.  alarm() turns such a loop back into a failed test.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>

#include "tap.h"
#include "limits.h"
#include "lock.h"
#include "privs.h"

#define OWNER	4201	/* the stale lock's owner */
#define OTHER	4202	/* who tries to take it */
#define BOUND	10	/* seconds before a spinning lock_dot is killed */

static char	 dir[] = "/tmp/t_lock.XXXXXX";

/* Make PATH look five minutes and more old. */
static int
age(const char *path)
{
	struct timeval	 tv[2];

	gettimeofday(&tv[0], NULL);
	tv[0].tv_sec -= 3600;
	tv[1] = tv[0];
	return lutimes(path, tv);
}

static double
since(const struct timespec *t0)
{
	struct timespec	 t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static void
test_directory(void)
{
	struct timespec	 t0;
	char		 box[LIM_PATH], lock[LIM_PATH], why[LIM_ERR];
	int		 have = 0, r;

	snprintf(box, sizeof(box), "%s/dirbox", dir);
	snprintf(lock, sizeof(lock), "%s/dirbox.lock", dir);
	if (mkdir(lock, 0700) == -1 || age(lock) == -1) {
		ok(0, "make a stale dotlock that is a directory: %s",
		    strerror(errno));
		return;
	}
	why[0] = '\0';
	clock_gettime(CLOCK_MONOTONIC, &t0);
	alarm(BOUND);
	r = lock_dot(box, &have, why, sizeof(why));
	alarm(0);
	ok(r == -1 && have == 0, "a stale dotlock that is a directory: "
	    "lock_dot fails (%s)", why);
	ok(since(&t0) < 5, "after the wait, not forever (%.1f s)", since(&t0));
	ok(strstr(why, "cannot remove stale lock") != NULL &&
	    strstr(why, lock) != NULL, "why names the lock: %s", why);
	ok(access(lock, F_OK) == 0, "the directory is left alone");
	rmdir(lock);
}

/* In a child that becomes OTHER: 0 when lock_dot failed as it should. */
static void __attribute__((noreturn))
other_child(const char *box, const char *lock)
{
	char	 why[LIM_ERR], err[LIM_ERR];
	int	 have = 0, r;

	if (privs_drop(OTHER, OTHER, NULL, 0, err, sizeof(err)) == -1) {
		fprintf(stderr, "# %s\n", err);
		_exit(2);
	}
	why[0] = '\0';
	alarm(BOUND);
	r = lock_dot(box, &have, why, sizeof(why));
	alarm(0);
	printf("# other uid: %s\n", why);
	fflush(stdout);
	if (r != -1 || have != 0)
		_exit(3);
	if (strstr(why, "cannot remove stale lock") == NULL ||
	    strstr(why, lock) == NULL ||
	    strstr(why, strerror(EPERM)) == NULL)
		_exit(4);
	_exit(0);
}

static void
test_sticky(void)
{
	struct timespec	 t0;
	char		 sub[LIM_PATH], box[LIM_PATH], lock[LIM_PATH];
	pid_t		 pid;
	int		 fd, status = 0;

	if (geteuid() != 0) {
		ok(1, "# SKIP another user's lock in a sticky directory "
		    "needs root to make");
		return;
	}
	snprintf(sub, sizeof(sub), "%s/sticky", dir);
	snprintf(box, sizeof(box), "%s/sticky/box", dir);
	snprintf(lock, sizeof(lock), "%s/sticky/box.lock", dir);
	if (mkdir(sub, 0777) == -1 || chmod(sub, 01777) == -1 ||
	    (fd = open(lock, O_WRONLY | O_CREAT | O_EXCL, 0600)) == -1) {
		ok(0, "make a sticky directory: %s", strerror(errno));
		return;
	}
	close(fd);
	if (chown(lock, OWNER, OWNER) == -1 || age(lock) == -1) {
		ok(0, "give the lock to uid %d: %s", OWNER, strerror(errno));
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	fflush(stdout);
	if ((pid = fork()) == 0)
		other_child(box, lock);
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "another uid's stale lock in a sticky directory: lock_dot fails "
	    "with \"cannot remove stale lock ...: %s\" (status %#x)",
	    strerror(EPERM), status);
	ok(since(&t0) < 5, "after the wait, not forever (%.1f s)", since(&t0));
	ok(access(lock, F_OK) == 0, "the other user's lock is left alone");
	unlink(lock);
	rmdir(sub);
}

int
main(void)
{
	char	 cmd[LIM_PATH];

	setenv("HIKYAKU_LOCK_WAIT", "1", 1);
	if (mkdtemp(dir) == NULL || chmod(dir, 0755) == -1) {
		perror("mkdtemp");
		return 1;
	}
	test_directory();
	test_sticky();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		diag("could not remove the test directory");
	return done_testing();
}
