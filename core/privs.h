/*
 * Privilege changes, each step checked and the result verified.
 */
#ifndef HIKYAKU_PRIVS_H
#define HIKYAKU_PRIVS_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Become uid/gid for good: setgroups(ngroups, groups), setresgid,
 * setresuid, then verify with getresuid/getresgid/getgroups that real,
 * effective and saved ids are all the new ones and that the groups are
 * exactly those asked for (a process that is not root may only "drop"
 * to its own ids, and then setgroups is skipped).  Returns 0, or -1
 * with the failing step in err.
 */
int	privs_drop(uid_t uid, gid_t gid, const gid_t *groups, int ngroups,
	    char *err, size_t errlen);

/* Drop a set-group-id for good: rgid = egid = sgid = getgid(). */
int	privs_drop_setgid(char *err, size_t errlen);

#endif
