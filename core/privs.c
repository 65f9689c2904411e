/*
 * Privilege changes.  setuid() alone is not enough (it leaves the saved
 * id for a root process on some systems, and never touches the
 * supplementary groups), so each step is done with the "res" calls and
 * then read back: a drop that cannot be verified is a failed drop.
 */
#include <errno.h>
#include <grp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "privs.h"

static int fail(char *, size_t, int, const char *, ...)
    __attribute__((format(printf, 4, 5)));

/* Write "what: strerror" into err, and return -1 with errno = e. */
static int
fail(char *err, size_t errlen, int e, const char *fmt, ...)
{
	va_list	 ap;
	size_t	 n;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	n = strlen(err);
	if (n < errlen)
		snprintf(err + n, errlen - n, ": %s", strerror(e));
	errno = e;
	return -1;
}

static int
in_set(gid_t g, const gid_t *set, int n)
{
	for (int i = 0; i < n; i++)
		if (set[i] == g)
			return 1;
	return 0;
}

/* Are the supplementary groups exactly the set asked for? */
static int
verify_groups(const gid_t *groups, int ngroups, char *err, size_t errlen)
{
	gid_t	*got;
	int	 n, i, same = 1;

	if ((n = getgroups(0, NULL)) == -1)
		return fail(err, errlen, errno, "getgroups");
	if (n == 0 && ngroups == 0)
		return 0;
	if ((got = calloc((size_t)n + 1, sizeof(*got))) == NULL)
		return fail(err, errlen, errno, "getgroups");
	if ((n = getgroups(n, got)) == -1) {
		free(got);
		return fail(err, errlen, errno, "getgroups");
	}
	for (i = 0; i < n && same; i++)
		same = in_set(got[i], groups, ngroups);
	for (i = 0; i < ngroups && same; i++)
		same = in_set(groups[i], got, n);
	free(got);
	if (!same)
		return fail(err, errlen, EPERM, "getgroups: groups not dropped");
	return 0;
}

static int
verify_ids(uid_t uid, gid_t gid, char *err, size_t errlen)
{
	uid_t	 ru, eu, su;
	gid_t	 rg, eg, sg;

	if (getresgid(&rg, &eg, &sg) == -1)
		return fail(err, errlen, errno, "getresgid");
	if (rg != gid || eg != gid || sg != gid)
		return fail(err, errlen, EPERM, "getresgid: gid %lu/%lu/%lu, "
		    "want %lu", (unsigned long)rg, (unsigned long)eg,
		    (unsigned long)sg, (unsigned long)gid);
	if (getresuid(&ru, &eu, &su) == -1)
		return fail(err, errlen, errno, "getresuid");
	if (ru != uid || eu != uid || su != uid)
		return fail(err, errlen, EPERM, "getresuid: uid %lu/%lu/%lu, "
		    "want %lu", (unsigned long)ru, (unsigned long)eu,
		    (unsigned long)su, (unsigned long)uid);
	return 0;
}

int
privs_drop(uid_t uid, gid_t gid, const gid_t *groups, int ngroups,
    char *err, size_t errlen)
{
	int	 root = geteuid() == 0;

	if (ngroups < 0 || (ngroups > 0 && groups == NULL))
		return fail(err, errlen, EINVAL, "privs_drop");
	/*
	 * Not root: the only "drop" possible is to our own real ids.  The
	 * res calls still run, so that a set-id effective or saved id
	 * goes too.
	 */
	if (!root && (uid != getuid() || gid != getgid()))
		return fail(err, errlen, EPERM, "cannot become uid %lu gid %lu",
		    (unsigned long)uid, (unsigned long)gid);
	if (root && setgroups((size_t)ngroups, groups) == -1)
		return fail(err, errlen, errno, "setgroups");
	if (setresgid(gid, gid, gid) == -1)
		return fail(err, errlen, errno, "setresgid %lu",
		    (unsigned long)gid);
	if (setresuid(uid, uid, uid) == -1)
		return fail(err, errlen, errno, "setresuid %lu",
		    (unsigned long)uid);
	if (verify_ids(uid, gid, err, errlen) == -1)
		return -1;
	if (root && verify_groups(groups, ngroups, err, errlen) == -1)
		return -1;
	return 0;
}

int
privs_drop_setgid(char *err, size_t errlen)
{
	gid_t	 r = getgid(), rg, eg, sg;

	if (setresgid(r, r, r) == -1)
		return fail(err, errlen, errno, "setresgid %lu",
		    (unsigned long)r);
	if (getresgid(&rg, &eg, &sg) == -1)
		return fail(err, errlen, errno, "getresgid");
	if (rg != r || eg != r || sg != r)
		return fail(err, errlen, EPERM, "getresgid: gid %lu/%lu/%lu, "
		    "want %lu", (unsigned long)rg, (unsigned long)eg,
		    (unsigned long)sg, (unsigned long)r);
	return 0;
}
