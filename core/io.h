/*
 * Buffered, timed line I/O over a transport: the plain descriptors
 * (a socket, or stdin/stdout for sendmail -bs) to begin with, a TLS
 * stream after STARTTLS.
 */
#ifndef HIKYAKU_IO_H
#define HIKYAKU_IO_H

#include <stddef.h>
#include <poll.h>
#include <sys/types.h>

#define IO_BUFSIZE	16384

enum io_term { IO_TERM_NONE, IO_TERM_LF, IO_TERM_CRLF };

/*
 * What lies under an io.  No operation may block: when it cannot go on
 * it fails with EAGAIN and fills *want with one descriptor and the poll
 * events it waits for (a TLS engine may have to write records before it
 * can read, or read before it can write); io polls for them, within its
 * deadline, and calls it again.  EINTR: called again at once.  Any other
 * errno is a failure of the stream, and sticks to the io.
 *
 *  read	bytes read (> 0), 0 at end of file, or -1.
 *  write	bytes taken (> 0), or -1.
 *  flush	0 once every byte taken is on its way to the peer, or -1;
 *		NULL when write already sends them.
 *  pending	bytes already read from the peer but not yet returned by
 *		read (decrypted application data); NULL when never any.
 */
struct io_transport {
	ssize_t	(*read)(void *ctx, void *buf, size_t n, struct pollfd *want);
	ssize_t	(*write)(void *ctx, const void *buf, size_t n,
		    struct pollfd *want);
	int	(*flush)(void *ctx, struct pollfd *want);
	int	(*pending)(void *ctx);
};

struct io {
	int		 rfd, wfd;	/* the descriptors underneath */
	int		 timeout_ms;	/* per line / flush / read; <= 0: none */
	const struct io_transport *t;
	void		*tctx;
	int		 rnosock, wnosock; /* recv/send said ENOTSOCK */
	size_t		 rpos, rlen;
	size_t		 wlen;
	int		 err;		/* sticky errno of the last failure */
	unsigned char	 rbuf[IO_BUFSIZE];
	unsigned char	 wbuf[IO_BUFSIZE];
};

/* The plain transport over rfd and wfd, with no error. */
void	io_init(struct io *io, int rfd, int wfd, int timeout_ms);

/*
 * Put t (with its ctx) under io from now on; t NULL: the plain
 * descriptors again.  Output still buffered is flushed through the old
 * transport first (the "220 Ready to start TLS" goes out in the clear).
 * Refused with EBUSY, and nothing changed, while input is already
 * buffered: what a client pipelined after STARTTLS was sent in the clear
 * and must not be honoured as if it came through the new transport.
 * 0, or -1 with errno (EBUSY; the sticky error; a failure of the flush).
 */
int	io_set_transport(struct io *io, const struct io_transport *t,
	    void *ctx);

/*
 * Deadlines.  Each io_getline, io_read, io_write and io_flush call must
 * be done within timeout_ms of its start, however the bytes trickle:
 * otherwise it fails with ETIMEDOUT.  A caller reading or writing
 * something big does it in pieces, each with its own deadline.
 *
 * Errors stick.  After a failure of the stream (ETIMEDOUT, a read or
 * write error, a short io_read) every later io_getline, io_read,
 * io_write, io_printf, io_flush and io_set_transport fails at once with
 * the same errno, touching nothing.  Not failures of the stream, so not
 * sticky: end of file, ERANGE from io_getline (the stream is still in
 * step), ERANGE from io_printf (nothing was written), EINVAL, EBUSY.
 */

/*
 * Read one line, up to and including LF.  buf gets the line without its
 * terminator (CR LF, or a bare LF), NUL-terminated; *len its length
 * (it may contain NUL bytes); *term says how it ended (IO_TERM_NONE: end
 * of file after a partial line).  A CR not followed by LF stays in the
 * line.
 * Returns 1 for a line; 0 at end of file with nothing read; -1 on error
 * with errno: ETIMEDOUT, ERANGE (the line did not fit in cap - 1 bytes:
 * the rest of it up to LF has been read and thrown away, so the caller
 * can answer and go on), or the read error.
 */
int	io_getline(struct io *io, char *buf, size_t cap, size_t *len,
	    enum io_term *term);

/*
 * Read exactly n bytes (a BDAT chunk): the buffered input first, then
 * the transport.  1 when all n are in buf (at once when n is 0); 0 at
 * end of file before any byte; -1 with errno: ETIMEDOUT (all n not
 * there within one timeout), ECONNRESET (end of file after some of
 * them), or the read error.
 */
int	io_read(struct io *io, void *buf, size_t n);

/*
 * Is there already input that the peer sent and nobody read yet (a
 * client that pipelined)?
 */
int	io_pending(const struct io *io);

/* Buffered writes; 0 or -1 with errno.  io_flush pushes them out. */
int	io_write(struct io *io, const void *p, size_t n);
int	io_printf(struct io *io, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
int	io_flush(struct io *io);

#endif
