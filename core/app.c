/*
 * The applets' shared frame.
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "app.h"
#include "conf.h"
#include "deliver.h"
#include "limits.h"
#include "log.h"
#include "queue.h"
#include "users.h"

const char *app_name = "hikyaku";

static gid_t spool_gid;
static int spool_gid_kept;

int
app_conf(struct conf *c, const char *cflag, char *err, size_t errlen)
{
	const char	*env = getenv("HIKYAKU_CONF");

	if (cflag != NULL)
		return conf_load(c, cflag, 1, err, errlen);
	if (env != NULL && *env != '\0')
		return conf_load(c, env, 1, err, errlen);
	return conf_load(c, CONF_DEFAULT_PATH, 0, err, errlen);
}

void
app_conf_or_die(struct conf *c, const char *cflag)
{
	char	 err[LIM_ERR];

	if (app_conf(c, cflag, err, sizeof(err)) == -1)
		app_die(EX_CONFIG, "%s", err);
}

int
app_privs(int keep_spool, char *err, size_t errlen)
{
	gid_t	 r = getgid(), e = getegid();

	if (r == e)
		return 0;
	if (keep_spool) {
		/* effective back to the real gid; saved keeps the spool group */
		if (setresgid(r, r, e) == -1 || getegid() != r) {
			snprintf(err, errlen, "unable to set group ids: %s",
			    strerror(errno));
			return -1;
		}
		spool_gid = e;
		spool_gid_kept = 1;
		return 0;
	}
	if (setresgid(r, r, r) == -1 || getegid() != r) {
		snprintf(err, errlen, "unable to drop group ids: %s",
		    strerror(errno));
		return -1;
	}
	return 0;
}

void
app_spool_gid(int on)
{
	if (!spool_gid_kept)
		return;
	if (setegid(on ? spool_gid : getgid()) == -1)
		app_die(EX_OSERR, "unable to switch group id: %s",
		    strerror(errno));
}

void
app_die(int code, const char *fmt, ...)
{
	va_list	 ap;

	fprintf(stderr, "%s: fatal: ", app_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

void
app_warn(const char *fmt, ...)
{
	va_list	 ap;

	fprintf(stderr, "%s: ", app_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int
app_exit_code(int err)
{
	switch (err) {
	case ENOSPC: case EDQUOT: case EIO: case ENOMEM: case EAGAIN:
	case EMFILE: case ENFILE: case EINTR: case ETIMEDOUT: case EROFS:
	case EFBIG:
		return EX_TEMPFAIL;
	case EACCES: case EPERM:
		return EX_NOPERM;
	case ENOENT: case ENOTDIR:
		return EX_CANTCREAT;
	default:
		return EX_OSERR;
	}
}

/* Who is submitting: the passwd setting's entry for our uid, else the
   system's, else "uidN". */
void
app_whoami(const struct conf *c, char *name, size_t len, char *gecos,
    size_t glen)
{
	struct user	 u;
	struct passwd	*pw;

	gecos[0] = '\0';
	if (users_by_uid(c->passwd, getuid(), &u) == 1) {
		snprintf(name, len, "%s", u.name);
		snprintf(gecos, glen, "%s", u.gecos);
	} else if ((pw = getpwuid(getuid())) != NULL) {
		snprintf(name, len, "%s", pw->pw_name);
		snprintf(gecos, glen, "%s", pw->pw_gecos ? pw->pw_gecos : "");
	} else
		snprintf(name, len, "uid%lu", (unsigned long)getuid());
	gecos[strcspn(gecos, ",")] = '\0';	/* "Full Name,room,phone" */
}

void
app_spool_setup(const struct conf *c)
{
	struct passwd	*pw;
	uid_t		 uid = 0;
	gid_t		 gid = 0;
	char		 err[LIM_ERR];

	if (geteuid() == 0 && (pw = getpwnam(c->user)) != NULL) {
		uid = pw->pw_uid;
		gid = pw->pw_gid;
	}
	app_spool_gid(1);
	if (queue_setup(c->spool, uid, gid, err, sizeof(err)) == -1)
		app_die(app_exit_code(errno), "%s", err);
	app_spool_gid(0);
}

/* Deliver these entries: in a detached child, or here with -v. */
void
app_kick(const struct conf *c, char **ids, int n, int foreground)
{
	char	 err[LIM_ERR];
	pid_t	 pid;
	int	 fd;

	if (!foreground) {
		if ((pid = fork()) == -1) {
			log_warn("cannot fork for delivery (the queue run will "
			    "deliver): %s", strerror(errno));
			return;
		}
		if (pid > 0)
			return;
		setsid();
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		if ((fd = open("/dev/null", O_RDWR)) != -1) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
			if (fd > 2)
				close(fd);
		}
	}
	app_spool_gid(1);
	for (int i = 0; i < n; i++)
		if (deliver_entry(c, ids[i], 0, err, sizeof(err)) == -1)
			log_warn("%s", err);
	if (!foreground)
		_exit(0);
	app_spool_gid(0);
}

int
app_submit_exit_code(int err)
{
	switch (err) {
	case EDESTADDRREQ:
		return EX_USAGE;
	case EINVAL: case E2BIG:
		return EX_DATAERR;
	default:
		return app_exit_code(err);
	}
}
