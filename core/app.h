/*
 * What every applet shares: finding the configuration, the privilege
 * policy main applies, and the one way an applet reports and exits.
 * (The only part of core/ that prints: it is the applets' own.)
 */
#ifndef HIKYAKU_APP_H
#define HIKYAKU_APP_H

#include <stddef.h>

#include "conf.h"

extern const char *app_name;	/* the applet running, for messages */

/*
 * Load the configuration: cflag (-C FILE) if not NULL, else
 * $HIKYAKU_CONF, else /etc/hikyaku.conf (which may be missing: all
 * defaults).  A named file that is missing is an error.  0 or -1.
 */
int	app_conf(struct conf *c, const char *cflag, char *err, size_t errlen);

/* Load the configuration or exit 78 (EX_CONFIG) with the reason. */
void	app_conf_or_die(struct conf *c, const char *cflag);

/* The privilege policy of applets.h; keep_spool: PRIV_SPOOL. */
int	app_privs(int keep_spool, char *err, size_t errlen);
/* Take the spool group back, or drop it again (no-op unless setgid). */
void	app_spool_gid(int on);

/* Who is running us: the login name from the passwd setting's entry
   for our uid, else the system's, else "uidN"; and the full name (the
   GECOS field up to its first comma). */
void	app_whoami(const struct conf *c, char *name, size_t len, char *gecos,
	    size_t glen);

/* Make the spool if missing (owned by the `user` account when root);
   exits with the reason when that fails. */
void	app_spool_setup(const struct conf *c);

/* Deliver these queue entries now: in a detached child that outlives
   us (the usual), or in this process when foreground is set.  Failures
   are logged; the queue run retries. */
void	app_kick(const struct conf *c, char **ids, int n, int foreground);

/* "APPLET: fatal: ..." on stderr and exit(code). */
void	app_die(int code, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3), noreturn));
/* "APPLET: ..." on stderr. */
void	app_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The sysexits(3) code for a failed system call's errno: EX_TEMPFAIL for
   ENOSPC, EDQUOT, EIO, ENOMEM, EAGAIN...; EX_NOPERM for EACCES/EPERM;
   EX_OSERR otherwise. */
int	app_exit_code(int err);

/* The exit code for a failed submit_commit, by its errno: 64 no
   recipient, 65 bad message data or too many recipients, else as
   app_exit_code. */
int	app_submit_exit_code(int err);

#endif
