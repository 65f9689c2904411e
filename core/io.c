/*
 * Buffered, timed line I/O.
 *
 * Every wait goes through poll(2) with the io's timeout, so a silent
 * peer costs at most timeout_ms per wait.  Writes to a socket use
 * send(2) with MSG_DONTWAIT | MSG_NOSIGNAL: a full socket buffer gives a
 * short write instead of a block past the timeout, and a peer that went
 * away gives EPIPE instead of killing us.  Other descriptors (a pipe on
 * stdout) fall back to write(2).
 *
 * Lines are read as qmail reads them: the terminator is reported, never
 * guessed at, so that the SMTP layer can refuse a bare LF; a CR that is
 * not followed by LF is data, and stays in the line for the caller to
 * judge.  An over-long line is read to its end and thrown away (as
 * skarnet's capped reads fail with ERANGE) so that the caller can answer
 * it and stay in step with the peer.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>

#include "io.h"

void
io_init(struct io *io, int rfd, int wfd, int timeout_ms)
{
	io->rfd = rfd;
	io->wfd = wfd;
	io->timeout_ms = timeout_ms;
	io->rpos = io->rlen = 0;
	io->wlen = 0;
	io->err = 0;
}

static long long
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
fail(struct io *io, int e)
{
	io->err = e;
	errno = e;
	return -1;
}

/*
 * Wait until fd is ready for events, at most timeout_ms in all even if
 * signals interrupt the wait.  0, or -1 with errno (ETIMEDOUT).
 */
static int
wait_fd(struct io *io, int fd, short events)
{
	struct pollfd	 pfd;
	long long	 deadline = 0, left;
	int		 tmo = -1, r;

	if (io->timeout_ms > 0)
		deadline = now_ms() + io->timeout_ms;
	for (;;) {
		if (io->timeout_ms > 0) {
			left = deadline - now_ms();
			tmo = left > 0 ? (int)left : 0;
		}
		pfd.fd = fd;
		pfd.events = events;
		pfd.revents = 0;
		r = poll(&pfd, 1, tmo);
		if (r > 0)
			return 0;	/* readable, writable, or an error
					   that the next call will report */
		if (r == 0)
			return fail(io, ETIMEDOUT);
		if (errno != EINTR)
			return fail(io, errno);
	}
}

/* Refill an empty read buffer: bytes read, 0 at end of file, or -1. */
static ssize_t
fill(struct io *io)
{
	ssize_t	 n;

	for (;;) {
		if (wait_fd(io, io->rfd, POLLIN) == -1)
			return -1;
		n = read(io->rfd, io->rbuf, sizeof(io->rbuf));
		if (n >= 0)
			break;
		if (errno != EINTR && errno != EAGAIN)
			return fail(io, errno);
	}
	io->rpos = 0;
	io->rlen = (size_t)n;
	return n;
}

/*
 * The line so far is in buf[0..n), with `over` more bytes beyond what
 * fitted; the LF has just been taken.  A CR right before it belongs to
 * the terminator, whether it was kept or was the one byte too many.
 */
static int
end_line(struct io *io, char *buf, size_t n, size_t over, int lastcr,
    size_t *len, enum io_term *term)
{
	*term = IO_TERM_LF;
	if (lastcr) {
		*term = IO_TERM_CRLF;
		if (over > 0)
			over--;
		else
			n--;
	}
	buf[n] = '\0';
	*len = n;
	if (over > 0)
		return fail(io, ERANGE);
	return 1;
}

/*
 * On ERANGE, *term still says how the thrown-away line ended and buf
 * holds its first cap - 1 bytes, so a caller that tracks line ends
 * (the SMTP DATA state machine) stays exact.
 */
int
io_getline(struct io *io, char *buf, size_t cap, size_t *len,
    enum io_term *term)
{
	size_t		 n = 0, over = 0, avail, take, room;
	unsigned char	*p, *lf;
	int		 lastcr = 0, got = 0;
	ssize_t		 r;

	*len = 0;
	*term = IO_TERM_NONE;
	if (cap == 0)
		return fail(io, EINVAL);
	buf[0] = '\0';
	for (;;) {
		if (io->rpos == io->rlen) {
			if ((r = fill(io)) == -1)
				return -1;
			if (r == 0)
				break;
		}
		p = io->rbuf + io->rpos;
		avail = io->rlen - io->rpos;
		lf = memchr(p, '\n', avail);
		take = lf != NULL ? (size_t)(lf - p) : avail;
		got = 1;
		if (take > 0) {
			room = cap - 1 - n;
			if (take > room) {
				over += take - room;
				memcpy(buf + n, p, room);
				n += room;
			} else {
				memcpy(buf + n, p, take);
				n += take;
			}
			lastcr = p[take - 1] == '\r';
		}
		io->rpos += take;
		if (lf != NULL) {
			io->rpos++;
			return end_line(io, buf, n, over, lastcr, len, term);
		}
	}
	/* end of file: a partial line keeps everything, a lone CR too */
	buf[n] = '\0';
	*len = n;
	if (!got)
		return 0;
	if (over > 0)
		return fail(io, ERANGE);
	return 1;
}

int
io_pending(const struct io *io)
{
	return io->rpos < io->rlen;
}

/* One non-blocking attempt: bytes written, or -1 with errno. */
static ssize_t
put(int fd, const void *p, size_t n)
{
	ssize_t	 w;

	w = send(fd, p, n, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (w == -1 && errno == ENOTSOCK)
		w = write(fd, p, n);
	return w;
}

static int
write_all(struct io *io, const unsigned char *p, size_t n)
{
	ssize_t	 w;

	while (n > 0) {
		if (wait_fd(io, io->wfd, POLLOUT) == -1)
			return -1;
		w = put(io->wfd, p, n);
		if (w == -1) {
			if (errno == EINTR || errno == EAGAIN ||
			    errno == EWOULDBLOCK)
				continue;
			return fail(io, errno);
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int
io_flush(struct io *io)
{
	size_t	 n = io->wlen;

	if (n == 0)
		return 0;
	io->wlen = 0;
	if (write_all(io, io->wbuf, n) == -1)
		return -1;
	return 0;
}

int
io_write(struct io *io, const void *p, size_t n)
{
	if (n > sizeof(io->wbuf) - io->wlen && io_flush(io) == -1)
		return -1;
	if (n > sizeof(io->wbuf))
		return write_all(io, p, n);
	memcpy(io->wbuf + io->wlen, p, n);
	io->wlen += n;
	return 0;
}

int
io_printf(struct io *io, const char *fmt, ...)
{
	va_list	 ap;
	size_t	 room;
	int	 n;

	for (int pass = 0; pass < 2; pass++) {
		room = sizeof(io->wbuf) - io->wlen;
		va_start(ap, fmt);
		n = vsnprintf((char *)io->wbuf + io->wlen, room, fmt, ap);
		va_end(ap);
		if (n < 0)
			return fail(io, EINVAL);
		if ((size_t)n < room) {
			io->wlen += (size_t)n;
			return 0;
		}
		/* did not fit: make room once, then give up */
		if (pass == 0 && io_flush(io) == -1)
			return -1;
	}
	return fail(io, ERANGE);
}
