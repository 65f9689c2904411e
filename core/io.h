/*
 * Buffered, timed line I/O over a pair of descriptors (a socket, or
 * stdin/stdout for sendmail -bs).  Later a TLS stream plugs in here.
 */
#ifndef HIKYAKU_IO_H
#define HIKYAKU_IO_H

#include <stddef.h>

#define IO_BUFSIZE	16384

enum io_term { IO_TERM_NONE, IO_TERM_LF, IO_TERM_CRLF };

struct io {
	int		 rfd, wfd;
	int		 timeout_ms;	/* per read/write wait; <= 0: none */
	size_t		 rpos, rlen;
	size_t		 wlen;
	int		 err;		/* sticky errno of the last failure */
	unsigned char	 rbuf[IO_BUFSIZE];
	unsigned char	 wbuf[IO_BUFSIZE];
};

void	io_init(struct io *io, int rfd, int wfd, int timeout_ms);

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

/* Is there already buffered input (a client that pipelined)? */
int	io_pending(const struct io *io);

/* Buffered writes; 0 or -1 with errno.  io_flush pushes them out. */
int	io_write(struct io *io, const void *p, size_t n);
int	io_printf(struct io *io, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
int	io_flush(struct io *io);

#endif
