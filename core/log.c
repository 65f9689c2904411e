/*
 * Logging.  A file destination is written with O_APPEND, one write per
 * line, so that concurrent processes never interleave inside a line.
 * It is opened for each line, or kept open by log_keep_open (a daemon
 * whose children drop privileges and could not open it again).
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
#include "mime.h"

static const char *log_ident = "hikyaku";
static const char *log_dest = "stderr";
static int log_to_stderr_too;
static int log_fd = -1;		/* the file kept open, or -1 */

void
log_init(const char *ident, const char *dest)
{
	log_ident = ident;
	log_dest = dest != NULL ? dest : "stderr";
	if (strcmp(log_dest, "syslog") == 0)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_MAIL);
}

static int
open_file(void)
{
	return open(log_dest, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
	    O_NOFOLLOW, 0640);
}

int
log_keep_open(void)
{
	int	 fd;

	if (strcmp(log_dest, "syslog") == 0 || strcmp(log_dest, "stderr") == 0)
		return 0;
	if ((fd = open_file()) == -1)
		return -1;
	if (log_fd != -1)
		close(log_fd);
	log_fd = fd;
	return 0;
}

void
log_verbose(int on)
{
	log_to_stderr_too = on;
}

/*
 * One line, whatever it quotes (a remote server's reply, a header, a
 * file name, an SMTPUTF8 address): every control character, C1 ones
 * included, and every byte that is not part of well-formed UTF-8
 * becomes \xHH, so that nothing read from outside can start a forged
 * log line or drive a terminal (a lone 0x9b is CSI to some); UTF-8 text
 * stays readable.
 */
static void
escape(const char *in, char *out, size_t len)
{
	const unsigned char	*u = (const unsigned char *)in;
	size_t			 n = 0, k, left = strlen(in);

	for (; *u != '\0' && n + 5 < len; u += k, left -= k) {
		k = mime_utf8_len(u, left);
		if (k == 0 || (k == 1 && (*u < 0x20 || *u == 0x7f)) ||
		    (k == 2 && u[0] == 0xc2 && u[1] < 0xa0)) {
			n += (size_t)snprintf(out + n, len - n, "\\x%02x", *u);
			k = 1;
		} else if (n + k < len) {
			memcpy(out + n, u, k);
			n += k;
		} else
			break;
	}
	out[n] = '\0';
}

/* "STAMP IDENT[PID]: LEVELMSG\n" (no stamp when stamp is NULL) to fd
   in one write(2), so that lines of concurrent processes never mix
   (dprintf may write a line in pieces). */
static void
put_line(int fd, const char *stamp, const char *level, const char *msg)
{
	char	 line[4 * 2048 + 128];
	int	 n;

	n = snprintf(line, sizeof(line), "%s%s%s[%ld]: %s%s", stamp ? stamp :
	    "", stamp ? " " : "", log_ident, (long)getpid(), level, msg);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line) - 1)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	(void)!write(fd, line, (size_t)n);
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
		put_line(2, NULL, level, msg);
	else if ((fd = log_fd != -1 ? log_fd : open_file()) != -1) {
		now = time(NULL);
		localtime_r(&now, &tm);
		strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &tm);
		put_line(fd, stamp, level, msg);
		if (fd != log_fd)
			close(fd);
	}
	if (log_to_stderr_too && strcmp(log_dest, "stderr") != 0)
		put_line(2, NULL, level, msg);
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
