/*
 * What every applet shares: finding the configuration, the privilege
 * policy main applies, and the one way an applet reports and exits.
 * (The only part of core/ that prints: it is the applets' own.)
 */
#ifndef HIKYAKU_APP_H
#define HIKYAKU_APP_H

#include <stddef.h>

#include "applets.h"
#include "conf.h"

extern const char *app_name;	/* the applet running, for messages */

/*
 * Set when hikyaku was started set-group-ID by a user other than root:
 * such a run takes nothing from its caller, so app_conf reads only the
 * system configuration (no $HIKYAKU_CONF, no -C).
 */
extern int app_privileged;

/* main's own argv, for app_set_title. */
extern char **app_argv;
extern int app_argc;

/*
 * What ps and netstat -p show for this process (/proc/PID/cmdline,
 * whose first word net-tools prints): name, written over the
 * arguments' own memory (cut to fit it) and the rest of it cleared.
 */
void	app_set_title(const char *name);

/*
 * Load the configuration: cflag (-C FILE) if not NULL, else
 * $HIKYAKU_CONF, else /etc/hikyaku.conf (which may be missing: all
 * defaults).  A named file that is missing is an error.  In a
 * privileged run only /etc/hikyaku.conf, and -C is refused (EPERM).
 * 0 or -1.
 */
int	app_conf(struct conf *c, const char *cflag, char *err, size_t errlen);

/* Load the configuration or exit 78 (EX_CONFIG), or 77 for a -C that
   a privileged run refuses, with the reason. */
void	app_conf_or_die(struct conf *c, const char *cflag);

/*
 * The privilege policy of applets.h, applied by main before anything
 * else runs.  Not set-group-ID: nothing to do.  Set-group-ID: root and
 * every policy but PRIV_SPOOL drop the group for good (verified);
 * PRIV_SPOOL hands it to the queue module as a saved gid only, and
 * the environment is rebuilt (PATH, and TZ when it names no file).
 */
int	app_privs(enum applet_priv policy, char *err, size_t errlen);
/* Give up a kept spool group for good (before work that needs none:
   -bv, -bi, -bd); exits 71 if it cannot be verified. */
void	app_drop_spool(void);

/* Who is running us: the login name from the passwd setting's entry
   for our uid, else the system's, else "uidN"; and the full name (the
   GECOS field up to its first comma). */
void	app_whoami(const struct conf *c, char *name, size_t len, char *gecos,
	    size_t glen);

/* Open the spool (queue_init), making it when create is set (owned by
   the `user` account when root); exits with the reason when that fails
   (78 for a spool that fails its checks), except that without create a
   spool not made yet returns -1.  0 when open. */
int	app_spool(const struct conf *c, int create);

/*
 * Have these queue entries delivered now.  The trigger is poked first:
 * a running daemon takes them (KICK_DAEMON).  Otherwise a detached child
 * that outlives us delivers them (KICK_CHILD), or this process does when
 * foreground is set (KICK_DONE) — except in a set-group-ID run, which
 * delivers nothing: the entries wait for root's queue run (KICK_WAITS).
 * Failures are logged; the queue run retries.
 */
enum { KICK_DAEMON, KICK_CHILD, KICK_DONE, KICK_WAITS };
int	app_kick(const struct conf *c, char **ids, int n, int foreground);

/* stdin, stdout and stderr on /dev/null (a detached process). */
void	app_null_stdio(void);

/* "APPLET: fatal: ..." on stderr and exit(code). */
void	app_die(int code, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3), noreturn));
/* "APPLET: ..." on stderr. */
void	app_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
