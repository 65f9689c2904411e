/*
 * The applets' shared frame.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "app.h"
#include "conf.h"
#include "limits.h"

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
