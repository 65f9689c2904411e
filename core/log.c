/*
 * Logging.  A file destination is opened for each line with O_APPEND,
 * so that concurrent processes never interleave inside a line.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static const char *log_ident = "hikyaku";
static const char *log_dest = "stderr";
static int log_to_stderr_too;

void
log_init(const char *ident, const char *dest)
{
	log_ident = ident;
	log_dest = dest != NULL ? dest : "stderr";
	if (strcmp(log_dest, "syslog") == 0)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_MAIL);
}

void
log_verbose(int on)
{
	log_to_stderr_too = on;
}

/*
 * One line, whatever it quotes (a remote server's reply, a header, a
 * file name): every control character becomes \xHH, so that nothing
 * read from outside can start a forged log line or reach a terminal.
 */
static void
escape(const char *in, char *out, size_t len)
{
	size_t	 n = 0;

	for (; *in != '\0' && n + 5 < len; in++) {
		if ((unsigned char)*in < 0x20 || *in == 0x7f)
			n += (size_t)snprintf(out + n, len - n, "\\x%02x",
			    (unsigned char)*in);
		else
			out[n++] = *in;
	}
	out[n] = '\0';
}

static void vlog(int, const char *, va_list)
    __attribute__((format(printf, 2, 0)));

static void
vlog(int prio, const char *fmt, va_list ap)
{
	char		 raw[2048], msg[4 * 2048], stamp[32];
	const char	*level = prio == LOG_ERR ? "fatal: " :
			    prio == LOG_WARNING ? "warning: " : "";
	int		 fd, saved = errno;
	time_t		 now;
	struct tm	 tm;

	vsnprintf(raw, sizeof(raw), fmt, ap);
	escape(raw, msg, sizeof(msg));
	if (strcmp(log_dest, "syslog") == 0)
		syslog(prio, "%s%s", level, msg);
	else if (strcmp(log_dest, "stderr") == 0)
		dprintf(2, "%s[%ld]: %s%s\n", log_ident, (long)getpid(), level,
		    msg);
	else if ((fd = open(log_dest, O_WRONLY | O_APPEND | O_CREAT |
	    O_CLOEXEC | O_NOFOLLOW, 0640)) != -1) {
		now = time(NULL);
		localtime_r(&now, &tm);
		strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &tm);
		dprintf(fd, "%s %s[%ld]: %s%s\n", stamp, log_ident,
		    (long)getpid(), level, msg);
		close(fd);
	}
	if (log_to_stderr_too && strcmp(log_dest, "stderr") != 0)
		dprintf(2, "%s[%ld]: %s%s\n", log_ident, (long)getpid(), level,
		    msg);
	errno = saved;
}

void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap);
	va_end(ap);
}

void
log_err(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_ERR, fmt, ap);
	va_end(ap);
}
