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
#include "exits.h"
#include "limits.h"
#include "log.h"
#include "privs.h"
#include "queue.h"
#include "users.h"

const char *app_name = "hikyaku";
int app_privileged;

char **app_argv;
int app_argc;

void
app_set_title(const char *name)
{
	char	*start, *end;
	size_t	 n;

	if (app_argv == NULL || app_argc < 1)
		return;
	start = app_argv[0];
	end = app_argv[app_argc - 1] + strlen(app_argv[app_argc - 1]);
	/* the strings must be the kernel's one block, as laid out at exec */
	for (int i = 1; i < app_argc; i++)
		if (app_argv[i] != app_argv[i - 1] + strlen(app_argv[i - 1]) + 1)
			return;
	n = strlen(name);
	if (n > (size_t)(end - start))
		n = (size_t)(end - start);
	memset(start, 0, (size_t)(end - start));
	memcpy(start, name, n);
}

int
app_conf(struct conf *c, const char *cflag, char *err, size_t errlen)
{
	const char	*env = getenv("HIKYAKU_CONF");

	/* a set-group-ID run takes nothing from its caller but -C from
	   root: the system configuration decides where the spool is */
	if (cflag != NULL && app_privileged) {
		snprintf(err, errlen, "-C %s: only root may name another "
		    "configuration here (this hikyaku is set-group-ID)", cflag);
		errno = EPERM;
		return -1;
	}
	if (cflag != NULL)
		return conf_load(c, cflag, 1, err, errlen);
	if (env != NULL && *env != '\0' && !app_privileged)
		return conf_load(c, env, 1, err, errlen);
	return conf_load(c, CONF_DEFAULT_PATH, 0, err, errlen);
}

void
app_conf_or_die(struct conf *c, const char *cflag)
{
	char	 err[LIM_ERR];

	if (app_conf(c, cflag, err, sizeof(err)) == -1)
		app_die(errno == EPERM && app_privileged ? EX_NOPERM :
		    EX_CONFIG, "%s", err);
}

/*
 * What a set-group-ID run passes on is made here, not inherited: a
 * search path of our own and the caller's time zone when it names no
 * file.
 */
static int
rebuild_env(void)
{
	const char	*tz = getenv("TZ");
	char		 keep[64] = "";

	if (tz != NULL && strlen(tz) < sizeof(keep) && strchr(tz, '/') ==
	    NULL && tz[0] != '.')
		snprintf(keep, sizeof(keep), "%s", tz);
	if (clearenv() != 0 || setenv("PATH", "/usr/bin:/bin", 1) == -1)
		return -1;
	if (keep[0] != '\0' && setenv("TZ", keep, 1) == -1)
		return -1;
	return 0;
}

int
app_privs(enum applet_priv policy, char *err, size_t errlen)
{
	if (getgid() == getegid())
		return 0;		/* not set-group-ID */
	if (getuid() != 0)
		app_privileged = 1;
	/* root needs no group of ours; the other applets none at all */
	if (getuid() == 0 || policy != PRIV_SPOOL)
		return privs_drop_setgid(err, errlen);
	if (queue_keep_group(getegid()) == -1) {
		snprintf(err, errlen, "unable to set group ids: %s",
		    strerror(errno));
		return -1;
	}
	if (rebuild_env() == -1) {
		snprintf(err, errlen, "unable to rebuild the environment: %s",
		    strerror(errno));
		return -1;
	}
	return 0;
}

void
app_drop_spool(void)
{
	char	 err[LIM_ERR];

	if (queue_group_kept() && queue_drop_group(err, sizeof(err)) == -1)
		app_die(EX_OSERR, "%s", err);
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

int
app_spool(const struct conf *c, int create)
{
	struct passwd	*pw;
	uid_t		 uid = 0;
	gid_t		 gid = 0;
	char		 err[LIM_ERR];
	int		 r;

	if ((pw = getpwnam(c->user)) != NULL) {
		uid = pw->pw_uid;
		gid = pw->pw_gid;
	}
	if ((r = queue_init(c->spool, create, uid, gid, err, sizeof(err))) ==
	    -2)
		app_die(EX_CONFIG, "%s", err);
	if (r == -1 && !create && errno == ENOENT)
		return -1;
	if (r == -1)
		app_die(errno == ENAMETOOLONG ? EX_CONFIG :
		    exits_errno(errno), "%s", err);
	return 0;
}

/* Signals as a fresh process has them: delivery can be stopped. */
static void
default_signals(void)
{
	sigset_t	 none;

	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

void
app_null_stdio(void)
{
	int	 fd;

	if ((fd = open("/dev/null", O_RDWR)) != -1) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
}

int
app_kick(const struct conf *c, char **ids, int n, int foreground)
{
	pid_t	 pid;
	int	 r;

	/* a running daemon delivers at once when poked */
	if ((r = queue_poke()) == 1 && !foreground)
		return KICK_DAEMON;
	if (r == -1)
		log_warn("cannot poke the queue trigger: %s", strerror(errno));
	/* a set-group-ID submitter delivers nothing itself: without the
	   group it could not, and with it it must not */
	if (queue_group_kept())
		return r == 1 ? KICK_DAEMON : KICK_WAITS;
	if (!foreground) {
		if ((pid = fork()) == -1) {
			log_warn("cannot fork for delivery (the queue run will "
			    "deliver): %s", strerror(errno));
			return KICK_WAITS;
		}
		if (pid > 0)
			return KICK_CHILD;
		setsid();
		app_null_stdio();
	}
	default_signals();
	deliver_ids(c, ids, n, 0);
	if (!foreground)
		_exit(0);
	return KICK_DONE;
}

