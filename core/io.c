/*
 * Buffered, timed line I/O over a transport.
 *
 * A transport never blocks: it says what it waits for (a struct pollfd)
 * and io waits for that with poll(2), within one deadline per call,
 * counted from the call's first transfer.  A peer that sends one byte
 * just before each timeout gets one timeout per line, not one per byte.
 *
 * The plain transport reads with recv(2) and writes with send(2), both
 * MSG_DONTWAIT, so that neither can block past the deadline, and a peer
 * that went away gives EPIPE instead of killing us (MSG_NOSIGNAL).
 * Other descriptors (a pipe or a terminal on stdin and stdout) are
 * polled without waiting, then read(2) or write(2).
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

/* ---- the plain transport: ctx is the io itself ---- */

/* Is fd ready for events now?  1, 0 (and *want says what), or -1. */
static int
ready(int fd, short events, struct pollfd *want)
{
	int	 r;

	want->fd = fd;
	want->events = events;
	want->revents = 0;
	if ((r = poll(want, 1, 0)) == 0)
		errno = EAGAIN;
	return r > 0 ? 1 : r == 0 ? 0 : -1;
}

static ssize_t
plain_read(void *ctx, void *buf, size_t n, struct pollfd *want)
{
	struct io	*io = ctx;
	ssize_t		 r;

	if (!io->rnosock) {
		r = recv(io->rfd, buf, n, MSG_DONTWAIT);
		if (r == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			want->fd = io->rfd;
			want->events = POLLIN;
			return -1;
		}
		if (r != -1 || errno != ENOTSOCK)
			return r;
		io->rnosock = 1;
	}
	if (ready(io->rfd, POLLIN, want) != 1)
		return -1;
	return read(io->rfd, buf, n);
}

static ssize_t
plain_write(void *ctx, const void *buf, size_t n, struct pollfd *want)
{
	struct io	*io = ctx;
	ssize_t		 w;

	if (!io->wnosock) {
		w = send(io->wfd, buf, n, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (w == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			want->fd = io->wfd;
			want->events = POLLOUT;
			return -1;
		}
		if (w != -1 || errno != ENOTSOCK)
			return w;
		io->wnosock = 1;
	}
	/* a blocking pipe that has room for some of the bytes still
	   blocks here until it took them all, as before the transport */
	if (ready(io->wfd, POLLOUT, want) != 1)
		return -1;
	return write(io->wfd, buf, n);
}

static const struct io_transport plain = {
	.read = plain_read,
	.write = plain_write,
};

void
io_init(struct io *io, int rfd, int wfd, int timeout_ms)
{
	io->rfd = rfd;
	io->wfd = wfd;
	io->timeout_ms = timeout_ms;
	io->t = &plain;
	io->tctx = io;
	io->rnosock = io->wnosock = 0;
	io->rpos = io->rlen = 0;
	io->wlen = 0;
	io->err = 0;
}

/* ---- errors and deadlines ---- */

/* A failure of the stream: it sticks. */
static int
fail(struct io *io, int e)
{
	io->err = e;
	errno = e;
	return -1;
}

/* A refusal that leaves the stream as it was. */
static int
refuse(int e)
{
	errno = e;
	return -1;
}

/* -1 with the sticky errno if the io has failed before, else 0. */
static int
stuck(const struct io *io)
{
	if (io->err == 0)
		return 0;
	errno = io->err;
	return -1;
}

static long long
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * One call's deadline, started at its first use so that a line already
 * buffered costs no clock read.  at == 0: not started.
 */
struct deadline {
	long long	 at;
};

/* Milliseconds left (0: the time is up), or -1 for no timeout. */
static int
left(const struct io *io, struct deadline *dl)
{
	long long	 now, l;

	if (io->timeout_ms <= 0)
		return -1;
	now = now_ms();
	if (dl->at == 0)
		dl->at = now + io->timeout_ms;
	l = dl->at - now;
	return l > 0 ? (int)l : 0;
}

/*
 * Wait for what the transport wants, until the deadline even if
 * signals interrupt the wait.  0, or -1 (sticky: ETIMEDOUT, or poll's
 * error).
 */
static int
await(struct io *io, struct deadline *dl, struct pollfd *want)
{
	int	 tmo, r;

	for (;;) {
		if ((tmo = left(io, dl)) == 0)
			return fail(io, ETIMEDOUT);
		want->revents = 0;
		r = poll(want, 1, tmo);
		if (r > 0)
			return 0;	/* ready, or an error that the next
					   transfer will report */
		if (r == 0)
			return fail(io, ETIMEDOUT);
		if (errno != EINTR)
			return fail(io, errno);
	}
}

/*
 * One transfer through the transport, reading into rb, or else writing
 * from wb, waiting as it asks: bytes moved (0: end of file, reading
 * only), or -1.  The deadline is checked before each try too, so that a
 * peer that keeps the bytes coming but never ends its line (or never
 * takes the rest of ours) is bounded as well.
 */
static ssize_t
xfer(struct io *io, struct deadline *dl, void *rb, const void *wb,
    size_t n)
{
	struct pollfd	 want;
	ssize_t		 r;

	for (;;) {
		if (left(io, dl) == 0)
			return fail(io, ETIMEDOUT);
		want.fd = -1;
		want.events = 0;
		r = rb != NULL ? io->t->read(io->tctx, rb, n, &want) :
		    io->t->write(io->tctx, wb, n, &want);
		if (r > 0 || (r == 0 && rb != NULL))
			return r;
		if (r == 0)
			return fail(io, EIO);	/* a write that took nothing */
		if (errno == EINTR)
			continue;
		if ((errno != EAGAIN && errno != EWOULDBLOCK) || want.fd < 0)
			return fail(io, errno);
		if (await(io, dl, &want) == -1)
			return -1;
	}
}

/* ---- reading ---- */

/* Refill an empty read buffer: bytes read, 0 at end of file, or -1. */
static ssize_t
fill(struct io *io, struct deadline *dl)
{
	ssize_t	 n;

	if ((n = xfer(io, dl, io->rbuf, NULL, sizeof(io->rbuf))) == -1)
		return -1;
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
end_line(char *buf, size_t n, size_t over, int lastcr, size_t *len,
    enum io_term *term)
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
		return refuse(ERANGE);
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
	struct deadline	 dl = { 0 };
	size_t		 n = 0, over = 0, avail, take, room;
	unsigned char	*p, *lf;
	int		 lastcr = 0, got = 0;
	ssize_t		 r;

	*len = 0;
	*term = IO_TERM_NONE;
	if (cap == 0)
		return refuse(EINVAL);
	buf[0] = '\0';
	if (stuck(io) == -1)
		return -1;
	for (;;) {
		if (io->rpos == io->rlen) {
			if ((r = fill(io, &dl)) == -1)
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
			return end_line(buf, n, over, lastcr, len, term);
		}
	}
	/* end of file: a partial line keeps everything, a lone CR too */
	buf[n] = '\0';
	*len = n;
	if (!got)
		return 0;
	if (over > 0)
		return refuse(ERANGE);
	return 1;
}

/*
 * The buffered bytes first; then big remainders straight into buf, and
 * small ones through the buffer so that what the peer sent after them
 * stays buffered for the next call.
 */
int
io_read(struct io *io, void *buf, size_t n)
{
	struct deadline	 dl = { 0 };
	unsigned char	*p = buf;
	size_t		 done = 0, take;
	ssize_t		 r;
	int		 direct;

	if (stuck(io) == -1)
		return -1;
	while (done < n) {
		if (io->rpos < io->rlen) {
			take = io->rlen - io->rpos;
			if (take > n - done)
				take = n - done;
			memcpy(p + done, io->rbuf + io->rpos, take);
			io->rpos += take;
			done += take;
			continue;
		}
		direct = n - done >= sizeof(io->rbuf);
		if (direct)
			r = xfer(io, &dl, p + done, NULL, n - done);
		else
			r = fill(io, &dl);
		if (r == -1)
			return -1;
		if (r == 0)
			return done == 0 ? 0 : fail(io, ECONNRESET);
		if (direct)
			done += (size_t)r;
	}
	return 1;
}

int
io_pending(const struct io *io)
{
	if (io->rpos < io->rlen)
		return 1;
	return io->t->pending != NULL && io->t->pending(io->tctx);
}

/* ---- writing ---- */

static int
write_all(struct io *io, struct deadline *dl, const unsigned char *p,
    size_t n)
{
	ssize_t	 w;

	while (n > 0) {
		if ((w = xfer(io, dl, NULL, p, n)) == -1)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The buffer, then whatever the transport holds back, within dl. */
static int
flush(struct io *io, struct deadline *dl)
{
	struct pollfd	 want;
	size_t		 n = io->wlen;

	io->wlen = 0;
	if (n > 0 && write_all(io, dl, io->wbuf, n) == -1)
		return -1;
	if (io->t->flush == NULL)
		return 0;
	for (;;) {
		if (left(io, dl) == 0)
			return fail(io, ETIMEDOUT);
		want.fd = -1;
		want.events = 0;
		if (io->t->flush(io->tctx, &want) == 0)
			return 0;
		if (errno == EINTR)
			continue;
		if ((errno != EAGAIN && errno != EWOULDBLOCK) || want.fd < 0)
			return fail(io, errno);
		if (await(io, dl, &want) == -1)
			return -1;
	}
}

int
io_flush(struct io *io)
{
	struct deadline	 dl = { 0 };

	if (stuck(io) == -1)
		return -1;
	return flush(io, &dl);
}

/* One deadline for the whole call, whatever it has to push out. */
int
io_write(struct io *io, const void *p, size_t n)
{
	struct deadline	 dl = { 0 };

	if (stuck(io) == -1)
		return -1;
	if (n > sizeof(io->wbuf) - io->wlen && flush(io, &dl) == -1)
		return -1;
	if (n > sizeof(io->wbuf))
		return write_all(io, &dl, p, n);
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

	if (stuck(io) == -1)
		return -1;
	for (int pass = 0; pass < 2; pass++) {
		room = sizeof(io->wbuf) - io->wlen;
		va_start(ap, fmt);
		n = vsnprintf((char *)io->wbuf + io->wlen, room, fmt, ap);
		va_end(ap);
		if (n < 0)
			return refuse(EINVAL);
		if ((size_t)n < room) {
			io->wlen += (size_t)n;
			return 0;
		}
		/* did not fit: make room once, then give up */
		if (pass == 0 && io_flush(io) == -1)
			return -1;
	}
	return refuse(ERANGE);
}

/* ---- switching ---- */

int
io_set_transport(struct io *io, const struct io_transport *t, void *ctx)
{
	struct deadline	 dl = { 0 };

	if (stuck(io) == -1)
		return -1;
	if (io_pending(io))
		return refuse(EBUSY);
	if (flush(io, &dl) == -1)
		return -1;
	if (t == NULL) {
		t = &plain;
		ctx = io;
	}
	io->t = t;
	io->tctx = ctx;
	return 0;
}
