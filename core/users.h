/*
 * Local users, looked up in the passwd-format file named by the
 * `passwd` setting (so that an instance can run with no real accounts).
 */
#ifndef HIKYAKU_USERS_H
#define HIKYAKU_USERS_H

#include <sys/types.h>

#include "limits.h"

struct user {
	char	 name[LIM_USER + 1];
	uid_t	 uid;
	gid_t	 gid;
	char	 gecos[LIM_FULLNAME];
	char	 home[LIM_PATH];
	char	 shell[LIM_PATH];
};

/*
 * name:passwd:uid:gid:gecos:home:shell lines; '#' comments and blank
 * lines skipped, malformed lines skipped (a line over LIM_PW_LINE too).
 * Names compare exactly (callers lower-case the local part first).
 * Returns 1 found, 0 not found, -1 error with errno (cannot read the file).
 */
int	users_by_name(const char *passwd, const char *name, struct user *u);
int	users_by_uid(const char *passwd, uid_t uid, struct user *u);

/*
 * The user a recipient's local part names: lower-cased first (mail to
 * Bob reaches bob), as Postfix and sendmail do.  A local part longer
 * than any login name names nobody.  Returns as users_by_name.
 */
int	users_by_localpart(const char *passwd, const char *localpart,
	    struct user *u);

/*
 * The groups u is a member of in the system group database
 * (getgrouplist), u->gid first, for a child that becomes u.  Only when
 * the system's account of that name has u's uid: a name of the
 * `passwd` file that is someone else on the system gets just u->gid.
 * At most max (LIM_GROUPS) are kept: fewer groups is less privilege.
 * Returns the count, at least 1.
 */
int	users_groups(const struct user *u, gid_t *groups, int max);

#endif
