/*
 * privs: each drop verified from outside with getresuid, getresgid and
 * getgroups, in a forked child so that the test itself stays root.
 */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "tap.h"
#include "limits.h"
#include "privs.h"

/*
 * Run f in a child; its exit status is a bit set of failed checks, and
 * each bit is reported here as its own test.
 */
static int
in_child(int (*f)(void))
{
	pid_t	 pid;
	int	 st;

	fflush(stdout);
	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0)
		_exit(f());
	if (waitpid(pid, &st, 0) == -1 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static int
ids_are(uid_t u, gid_t g)
{
	uid_t	 ru, eu, su;
	gid_t	 rg, eg, sg;

	if (getresuid(&ru, &eu, &su) == -1 || getresgid(&rg, &eg, &sg) == -1)
		return 0;
	return ru == u && eu == u && su == u && rg == g && eg == g && sg == g;
}

static int
drop_with_group(void)
{
	gid_t	 want = 4243, got[8];
	char	 err[LIM_ERR] = "";
	int	 bits = 0, n;

	if (privs_drop(4242, 4242, &want, 1, err, sizeof(err)) != 0)
		return 0x7f;
	if (!ids_are(4242, 4242))
		bits |= 1;
	n = getgroups(8, got);
	if (n != 1 || got[0] != 4243)
		bits |= 2;
	/* no way back */
	if (setresuid(0, 0, 0) == 0 || seteuid(0) == 0)
		bits |= 4;
	if (setgroups(0, NULL) == 0)
		bits |= 8;
	return bits;
}

static int
drop_no_group(void)
{
	char	 err[LIM_ERR] = "";

	if (setgroups(3, (gid_t[]){ 1, 2, 3 }) == -1)
		return 0x7e;
	if (privs_drop(4242, 4300, NULL, 0, err, sizeof(err)) != 0)
		return 0x7f;
	if (!ids_are(4242, 4300))
		return 1;
	return getgroups(0, NULL) == 0 ? 0 : 2;
}

static int
drop_setgid(void)
{
	char	 err[LIM_ERR] = "";

	/* a set-group-id program: real gid 0, effective and saved 4242 */
	if (setresgid(0, 4242, 4242) == -1)
		return 0x7e;
	if (privs_drop_setgid(err, sizeof(err)) != 0)
		return 0x7f;
	return ids_are(0, 0) ? 0 : 1;
}

static void
as_root(void)
{
	int	 r;

	r = in_child(drop_with_group);
	ok(r >= 0 && r != 0x7f, "privs_drop to 4242/4242 with group 4243");
	ok(r >= 0 && !(r & 1), "real, effective, saved uid and gid are 4242");
	ok(r >= 0 && !(r & 2), "getgroups is exactly { 4243 }");
	ok(r >= 0 && !(r & 4), "uid 0 cannot be taken back");
	ok(r >= 0 && !(r & 8), "setgroups is no longer allowed");
	r = in_child(drop_no_group);
	ok(r == 0, "privs_drop with no groups: ids 4242/4300, getgroups "
	    "empty (%d)", r);
	r = in_child(drop_setgid);
	ok(r == 0, "privs_drop_setgid: rgid = egid = sgid = 0 (%d)", r);
}

static void
as_user(void)
{
	char	 err[LIM_ERR] = "";
	int	 r;

	diag("skip: needs root (drops to 4242 tested as root only)");
	r = privs_drop(getuid(), getgid(), NULL, 0, err, sizeof(err));
	is_int(r, 0, "not root: dropping to our own ids succeeds");
	ok(ids_are(getuid(), getgid()), "and the ids are ours");
	errno = 0;
	err[0] = '\0';
	r = privs_drop(getuid() + 1, getgid(), NULL, 0, err, sizeof(err));
	is_int(r, -1, "not root: another uid fails");
	is_int(errno, EPERM, "with EPERM");
	ok(err[0] != '\0', "and a reason: %s", err);
	errno = 0;
	r = privs_drop(getuid(), getgid() + 1, NULL, 0, err, sizeof(err));
	is_int(r, -1, "not root: another gid fails");
	is_int(errno, EPERM, "with EPERM");
	is_int(privs_drop_setgid(err, sizeof(err)), 0,
	    "not root: privs_drop_setgid succeeds");
	ok(ids_are(getuid(), getgid()), "and the gids are the real one");
}

int
main(void)
{
	char	 err[LIM_ERR] = "";

	is_int(privs_drop(getuid(), getgid(), NULL, -1, err, sizeof(err)), -1,
	    "negative ngroups refused");
	if (geteuid() == 0)
		as_root();
	else
		as_user();
	return done_testing();
}
