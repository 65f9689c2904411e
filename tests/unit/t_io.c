/*
 * core/io: line ends, capped lines and recovery, end of file, timeouts,
 * EINTR, big writes through a small socket buffer.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>

#include "io.h"
#include "tap.h"

static struct io	 io;
static char		 line[70000];
static size_t		 len;
static enum io_term	 term;
static pid_t		 feeder;

/* An io reading exactly the bytes given, then end of file. */
static void
feed(const void *p, size_t n)
{
	int	 sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		exit(2);
	if ((feeder = fork()) == 0) {
		close(sv[0]);
		if (write(sv[1], p, n) != (ssize_t)n)
			_exit(1);
		_exit(0);
	}
	close(sv[1]);
	io_init(&io, sv[0], sv[0], 2000);
}

static void
done(void)
{
	close(io.rfd);
	waitpid(feeder, NULL, 0);
}

static int
get(size_t cap)
{
	return io_getline(&io, line, cap, &len, &term);
}

static void
t_terms(void)
{
	static const char in[] = "abc\r\ndef\nx\ry\r\n\r\n\na\0b\r\nlast\r";

	feed(in, sizeof(in) - 1);
	is_int(get(100), 1, "CRLF line read");
	ok(len == 3 && strcmp(line, "abc") == 0 && term == IO_TERM_CRLF,
	    "CRLF line: text and terminator");
	is_int(get(100), 1, "LF line read");
	ok(len == 3 && strcmp(line, "def") == 0 && term == IO_TERM_LF,
	    "bare LF reported as IO_TERM_LF");
	is_int(get(100), 1, "line with a lone CR read");
	ok(len == 3 && memcmp(line, "x\ry", 3) == 0 && term == IO_TERM_CRLF,
	    "a CR not followed by LF stays in the line");
	is_int(get(100), 1, "empty CRLF line");
	ok(len == 0 && term == IO_TERM_CRLF, "empty CRLF line: len 0");
	is_int(get(100), 1, "empty LF line");
	ok(len == 0 && term == IO_TERM_LF, "empty LF line: IO_TERM_LF");
	is_int(get(100), 1, "line with a NUL");
	ok(len == 3 && memcmp(line, "a\0b", 3) == 0, "NUL kept, length 3");
	is_int(get(100), 1, "partial line at end of file");
	ok(len == 5 && memcmp(line, "last\r", 5) == 0 &&
	    term == IO_TERM_NONE, "EOF mid-line: IO_TERM_NONE, CR kept");
	is_int(get(100), 0, "then end of file");
	is_int(get(100), 0, "end of file again");
	done();
}

/* cap 8: 7 octets of text fit, CRLF or not. */
static void
t_cap(void)
{
	static const char in[] = "1234567\r\n12345678\r\nnext\r\n"
	    "123456\r\r\n1234567\r\r\n1234567\n12345678\nok\r\n";
	int	 r;

	feed(in, sizeof(in) - 1);
	is_int(get(8), 1, "cap 8: 7 octets + CRLF fit");
	is_str(line, "1234567", "cap 8: text");
	errno = 0;
	r = get(8);
	ok(r == -1 && errno == ERANGE, "cap 8: 8 octets + CRLF is ERANGE");
	ok(term == IO_TERM_CRLF, "ERANGE still reports the terminator");
	is_int(get(8), 1, "recovery: next line read");
	is_str(line, "next", "recovery: the next line is whole");
	is_int(get(8), 1, "6 octets + CR + CRLF fits");
	ok(len == 7 && memcmp(line, "123456\r", 7) == 0,
	    "the extra CR is text");
	errno = 0;
	r = get(8);
	ok(r == -1 && errno == ERANGE, "7 octets + CR + CRLF is ERANGE");
	is_int(get(8), 1, "7 octets + LF fit");
	ok(term == IO_TERM_LF && len == 7, "bare LF at the limit");
	errno = 0;
	r = get(8);
	ok(r == -1 && errno == ERANGE && term == IO_TERM_LF,
	    "8 octets + LF is ERANGE, term LF");
	is_int(get(8), 1, "and recovery again");
	is_str(line, "ok", "recovery text");
	is_int(get(8), 0, "end of file");
	done();
}

/* 999/1000/1001 octets with CRLF against the SMTP text cap (999). */
static void
t_smtp_sizes(void)
{
	char	*in;
	size_t	 n = 0;
	int	 r;

	in = malloc(4000);
	for (int total = 999; total <= 1001; total++) {
		memset(in + n, 'x', (size_t)total - 2);
		memcpy(in + n + total - 2, "\r\n", 2);
		n += (size_t)total;
	}
	memcpy(in + n, "end\r\n", 5);
	feed(in, n + 5);
	is_int(get(999), 1, "999 octets with CRLF: ok");
	is_int(len, 997, "999: 997 octets of text");
	is_int(get(999), 1, "1000 octets with CRLF: ok");
	is_int(len, 998, "1000: 998 octets of text");
	errno = 0;
	r = get(999);
	ok(r == -1 && errno == ERANGE, "1001 octets with CRLF: ERANGE");
	is_int(get(999), 1, "line after it");
	is_str(line, "end", "line after it is intact");
	done();
	free(in);
}

/* A line far bigger than the read buffer is discarded across refills. */
static void
t_huge(void)
{
	size_t	 n = 3 * IO_BUFSIZE + 17;
	char	*in = malloc(n + 16);
	int	 r;

	memset(in, 'y', n);
	memcpy(in + n, "\r\nafter\r\n", 9);
	feed(in, n + 9);
	errno = 0;
	r = get(100);
	ok(r == -1 && errno == ERANGE, "3 buffers long line: ERANGE");
	is_int(get(100), 1, "then the next line");
	is_str(line, "after", "next line intact after a huge one");
	done();
	/* and one that fits a big cap, across refills */
	feed(in, n + 9);
	is_int(get(sizeof(line)), 1, "huge line with a big cap");
	is_int(len, n, "huge line length");
	done();
	/* EOF in the middle of an over-long line */
	feed(in, 500);
	errno = 0;
	r = get(100);
	ok(r == -1 && errno == ERANGE, "EOF inside an over-long line: ERANGE");
	is_int(get(100), 0, "then end of file");
	done();
	free(in);
}

static long long
ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
t_timeout(void)
{
	int		 sv[2], r;
	long long	 t0, dt;

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	io_init(&io, sv[0], sv[0], 150);
	t0 = ms();
	errno = 0;
	r = get(100);
	dt = ms() - t0;
	ok(r == -1 && errno == ETIMEDOUT, "silent peer: ETIMEDOUT");
	/* behaviour, not speed: it must not give up before its timeout */
	ok(dt >= 140, "not before its 150 ms were up (%lld ms)", dt);
	is_int(io.err, ETIMEDOUT, "err is sticky in io->err");
	/* a partial line and then silence (a fresh io: the error sticks) */
	io_init(&io, sv[0], sv[0], 150);
	if (write(sv[1], "part", 4) != 4)
		diag("short write");
	errno = 0;
	r = get(100);
	ok(r == -1 && errno == ETIMEDOUT, "partial line, then silence: "
	    "ETIMEDOUT");
	close(sv[0]);
	close(sv[1]);
}

static void
on_alarm(int sig)
{
	(void)sig;
}

/* Signals without SA_RESTART interrupt poll(); the read goes on. */
static void
t_eintr(void)
{
	struct sigaction	 sa;
	struct itimerval	 it;
	int			 sv[2];
	pid_t			 pid;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	if ((pid = fork()) == 0) {
		usleep(300 * 1000);
		_exit(write(sv[1], "late\r\n", 6) == 6 ? 0 : 1);
	}
	memset(&it, 0, sizeof(it));
	it.it_value.tv_usec = 20 * 1000;
	it.it_interval.tv_usec = 20 * 1000;
	setitimer(ITIMER_REAL, &it, NULL);
	io_init(&io, sv[0], sv[0], 3000);
	is_int(get(100), 1, "line read through repeated EINTR");
	is_str(line, "late", "its text");
	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
	waitpid(pid, NULL, 0);
	close(sv[0]);
	close(sv[1]);
}

/* Writes bigger than both our buffer and the socket's: partial sends. */
static void
t_write(void)
{
	int	 sv[2], st, bufsz = 4096;
	size_t	 n = 300000;
	char	*big = malloc(n);
	pid_t	 pid;
	ssize_t	 r;

	for (size_t i = 0; i < n; i++)
		big[i] = (char)('a' + i % 26);
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &bufsz, sizeof(bufsz));
	if ((pid = fork()) == 0) {
		char	 rb[1000];
		size_t	 i = 0;

		close(sv[0]);
		usleep(100 * 1000);
		while ((r = read(sv[1], rb, sizeof(rb))) > 0)
			for (ssize_t k = 0; k < r; k++, i++)
				if (i < 7) {
					if (rb[k] != "hello 7"[i])
						_exit(3);
				} else if (rb[k] != (char)('a' + (i - 7) % 26))
					_exit(4);
		_exit(i == n + 7 ? 0 : 5);
	}
	close(sv[1]);
	io_init(&io, sv[0], sv[0], 3000);
	is_int(io_printf(&io, "hello %d", 7), 0, "io_printf buffered");
	is_int(io.wlen, 7, "7 bytes waiting");
	is_int(io_write(&io, big, n), 0, "300000-byte io_write");
	is_int(io_flush(&io), 0, "io_flush");
	close(sv[0]);
	waitpid(pid, &st, 0);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "the peer got every byte in order (%d)", WEXITSTATUS(st));
	free(big);
}

/* A peer that never reads: the write times out instead of blocking. */
static void
t_write_timeout(void)
{
	int	 sv[2], bufsz = 4096, r;
	char	 chunk[8192];

	memset(chunk, 'z', sizeof(chunk));
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &bufsz, sizeof(bufsz));
	io_init(&io, sv[0], sv[0], 100);
	r = 0;
	for (int i = 0; i < 200 && r == 0; i++)
		r = io_write(&io, chunk, sizeof(chunk));
	ok(r == -1 && errno == ETIMEDOUT, "stuck peer: write ETIMEDOUT");
	close(sv[1]);
	io_init(&io, sv[0], sv[0], 100);
	io_write(&io, "x", 1);
	errno = 0;
	r = io_flush(&io);
	ok(r == -1 && errno == EPIPE, "peer gone: EPIPE, no SIGPIPE");
	close(sv[0]);
}

static void
t_pending(void)
{
	static const char in[] = "one\r\ntwo\r\n";

	feed(in, sizeof(in) - 1);
	ok(!io_pending(&io), "nothing pending before the first read");
	get(100);
	ok(io_pending(&io), "second line pending (pipelined)");
	get(100);
	ok(!io_pending(&io), "nothing pending after both");
	done();
}

/* ---- deadlines: one per line, per flush, per read ---- */

/*
 * Run fn in a child with alarm(secs) as the safety net: its exit code,
 * or -1 when it never returned (the old per-wait timeout kept a
 * dripping peer's line open for ever).
 */
static int
bounded(int (*fn)(void), unsigned secs)
{
	pid_t	 pid;
	int	 st;

	fflush(stdout);
	if ((pid = fork()) == 0) {
		signal(SIGALRM, SIG_DFL);
		alarm(secs);
		_exit(fn());
	}
	if (waitpid(pid, &st, 0) == -1 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* A child that writes one byte of p (cycling) to fd every ms ms. */
static pid_t
drip(int fd, const char *p, int every_ms)
{
	pid_t	 pid;
	size_t	 i = 0, n = strlen(p);

	if ((pid = fork()) == 0) {
		signal(SIGPIPE, SIG_IGN);
		for (;; i = (i + 1) % n) {
			if (write(fd, p + i, 1) != 1)
				_exit(0);
			if (every_ms > 0)
				usleep((useconds_t)every_ms * 1000);
		}
	}
	return pid;
}

static void
stop(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static int	 tfd;		/* the descriptor a bounded child reads */
static int	 tmo_ms;

/* 0: ETIMEDOUT, not before the deadline; else what went wrong. */
static int
timed_out(int r, long long t0)
{
	if (r != -1 || errno != ETIMEDOUT)
		return 1;
	if (ms() - t0 < tmo_ms)
		return 2;
	return 0;
}

static int
getline_child(void)
{
	long long	 t0;
	int		 r;

	io_init(&io, tfd, tfd, tmo_ms);
	t0 = ms();
	errno = 0;
	r = get(100);
	return timed_out(r, t0);
}

static int
read_child(void)
{
	static char	 b[1000];
	long long	 t0;
	int		 r;

	io_init(&io, tfd, tfd, tmo_ms);
	t0 = ms();
	errno = 0;
	r = io_read(&io, b, sizeof(b));
	return timed_out(r, t0);
}

static const char *
why(int st)
{
	return st == 0 ? "ETIMEDOUT" : st == 1 ? "not ETIMEDOUT" :
	    st == 2 ? "too early" : "never returned";
}

/* A byte every 100 ms, never a LF: each wait is short, the line is not. */
static void
t_drip(void)
{
	int	 sv[2], pv[2], st;
	pid_t	 pid;

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	pid = drip(sv[1], "HELO dripping.example", 100);
	close(sv[1]);
	tfd = sv[0];
	tmo_ms = 500;
	st = bounded(getline_child, 4);
	ok(st == 0, "a line dripped a byte per 100 ms fails with ETIMEDOUT "
	    "after its 500 ms (%s)", why(st));
	st = bounded(read_child, 4);
	ok(st == 0, "io_read of dripped bytes: ETIMEDOUT after 500 ms (%s)",
	    why(st));
	stop(pid);
	close(sv[0]);

	/* the same through a pipe, as sendmail -bs reads stdin */
	if (pipe(pv) == -1)
		exit(2);
	pid = drip(pv[1], "MAIL FROM:<slow@example.org>", 100);
	close(pv[1]);
	tfd = pv[0];
	st = bounded(getline_child, 4);
	ok(st == 0, "a dripped line through a pipe: ETIMEDOUT after 500 ms "
	    "(%s)", why(st));
	stop(pid);
	close(pv[0]);

	/* bytes as fast as they go, never a LF: bounded all the same */
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	pid = drip(sv[1], "xxxxxxxxxxxxxxxx", 0);
	close(sv[1]);
	tfd = sv[0];
	tmo_ms = 300;
	st = bounded(getline_child, 4);
	ok(st == 0, "an endless line at full speed: ETIMEDOUT after 300 ms "
	    "(%s)", why(st));
	stop(pid);
	close(sv[0]);
}

/* A peer that takes 4 KB every 50 ms: one write call gets one timeout. */
static int
write_child(void)
{
	size_t		 n = 1 << 20;
	char		*big = calloc(1, n);
	long long	 t0;
	int		 r, bufsz = 4096;

	setsockopt(tfd, SOL_SOCKET, SO_SNDBUF, &bufsz, sizeof(bufsz));
	io_init(&io, tfd, tfd, tmo_ms);
	t0 = ms();
	errno = 0;
	r = io_write(&io, big, n);
	return timed_out(r, t0);
}

static void
t_slow_reader(void)
{
	int	 sv[2], st;
	pid_t	 pid;

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	if ((pid = fork()) == 0) {
		char	 b[4096];

		close(sv[0]);
		while (read(sv[1], b, sizeof(b)) > 0)
			usleep(50 * 1000);
		_exit(0);
	}
	close(sv[1]);
	tfd = sv[0];
	tmo_ms = 500;
	st = bounded(write_child, 4);
	ok(st == 0, "1 MB to a peer taking 4 KB per 50 ms: ETIMEDOUT after "
	    "500 ms (%s)", why(st));
	close(sv[0]);
	stop(pid);
}

/* ---- a transport of the test's own ---- */

/*
 * rot13 over a socket, that also asks, every other read, to wait for
 * the socket to be writable first (as a TLS engine that must send a
 * record before it can read).
 */
struct rot {
	int	 fd;
	int	 reads, writes, flushes, pending;
	int	 slow;		/* write: one byte per call, 20 ms each */
};

static void
rot13(unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((p[i] | 32) >= 'a' && (p[i] | 32) <= 'z')
			p[i] = (unsigned char)(((p[i] | 32) - 'a' + 13) % 26 +
			    'a' - (p[i] & 32 ? 0 : 32));
}

static ssize_t
rot_read(void *ctx, void *buf, size_t n, struct pollfd *want)
{
	struct rot	*t = ctx;
	ssize_t		 r;

	if (t->reads++ % 2 == 0) {
		want->fd = t->fd;
		want->events = POLLOUT;
		errno = EAGAIN;
		return -1;
	}
	r = recv(t->fd, buf, n, MSG_DONTWAIT);
	if (r == -1 && errno == EAGAIN) {
		want->fd = t->fd;
		want->events = POLLIN;
	}
	if (r > 0)
		rot13(buf, (size_t)r);
	return r;
}

static ssize_t
rot_write(void *ctx, const void *buf, size_t n, struct pollfd *want)
{
	struct rot	*t = ctx;
	unsigned char	 b[IO_BUFSIZE];
	ssize_t		 w;

	(void)want;
	t->writes++;
	if (t->slow) {
		usleep(20 * 1000);
		return 1;
	}
	if (n > sizeof(b))
		n = sizeof(b);
	memcpy(b, buf, n);
	rot13(b, n);
	/* the test's socket buffers are big enough for what it sends */
	w = send(t->fd, b, n, MSG_NOSIGNAL);
	return w;
}

static int
rot_flush(void *ctx, struct pollfd *want)
{
	struct rot	*t = ctx;

	(void)want;
	t->flushes++;
	return 0;
}

static int
rot_pending(void *ctx)
{
	return ((struct rot *)ctx)->pending;
}

static const struct io_transport rot_transport = {
	.read = rot_read,
	.write = rot_write,
	.flush = rot_flush,
	.pending = rot_pending,
};

/* What the peer got so far, NUL-terminated. */
static const char *
peer_got(int fd)
{
	static char	 b[256];
	ssize_t		 n;

	n = recv(fd, b, sizeof(b) - 1, MSG_DONTWAIT);
	b[n > 0 ? n : 0] = '\0';
	return b;
}

static void
t_transport(void)
{
	struct rot	 t = { 0 };
	int		 sv[2], r;

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	t.fd = sv[0];
	io_init(&io, sv[0], sv[0], 2000);
	if (write(sv[1], "STARTTLS\r\n", 10) != 10)
		diag("short write");
	is_int(get(100), 1, "STARTTLS read in the clear");
	io_printf(&io, "220 2.0.0 go ahead\r\n");
	is_int(io_set_transport(&io, &rot_transport, &t), 0,
	    "switch to a transport with nothing buffered");
	is_str(peer_got(sv[1]), "220 2.0.0 go ahead\r\n",
	    "the reply buffered before the switch went out in the clear");
	if (write(sv[1], "URYB zr\r\n", 9) != 9)
		diag("short write");
	is_int(get(100), 1, "a line through the new transport");
	is_str(line, "HELO me", "read through it (rot13 undone)");
	ok(t.reads >= 2, "its read was called again after it asked to wait "
	    "for POLLOUT");
	io_printf(&io, "250 hello\r\n");
	is_int(io_flush(&io), 0, "flush through the new transport");
	is_str(peer_got(sv[1]), "250 uryyb\r\n", "written through it");
	is_int(t.flushes, 1, "and its flush called once");
	ok(!io_pending(&io), "nothing pending");
	t.pending = 1;
	ok(io_pending(&io), "bytes the transport holds count as pending");
	errno = 0;
	r = io_set_transport(&io, NULL, NULL);
	ok(r == -1 && errno == EBUSY, "no switch while the transport holds "
	    "input: EBUSY");
	t.pending = 0;
	is_int(io_set_transport(&io, NULL, NULL), 0, "back to plain");
	io_printf(&io, "221 bye\r\n");
	io_flush(&io);
	is_str(peer_got(sv[1]), "221 bye\r\n", "plain again");
	ok(io.err == 0, "no error on the way");
	close(sv[0]);
	close(sv[1]);
}

/* Pipelined after STARTTLS: refused, and nothing changed. */
static void
t_switch_refused(void)
{
	static const char in[] = "STARTTLS\r\nMAIL FROM:<a@b.example>\r\n";
	struct rot	 t = { 0 };
	int		 r;

	feed(in, sizeof(in) - 1);
	t.fd = io.rfd;
	is_int(get(100), 1, "STARTTLS read");
	ok(io_pending(&io), "MAIL pipelined behind it");
	errno = 0;
	r = io_set_transport(&io, &rot_transport, &t);
	ok(r == -1 && errno == EBUSY, "switch with buffered input: EBUSY");
	ok(t.reads == 0 && t.writes == 0 && t.flushes == 0,
	    "the new transport was never used");
	is_int(io.err, 0, "EBUSY is not a failure of the stream");
	is_int(get(100), 1, "the io reads on, in the clear");
	is_str(line, "MAIL FROM:<a@b.example>", "the pipelined line, intact");
	done();
}

/* One deadline per io_flush, even when the transport keeps taking. */
static int
flush_child(void)
{
	static char	 b[1000];
	struct rot	 t = { 0 };
	long long	 t0;
	int		 r, calls;

	io_init(&io, tfd, tfd, tmo_ms);
	t.fd = tfd;
	t.slow = 1;
	if (io_set_transport(&io, &rot_transport, &t) == -1 ||
	    io_write(&io, b, sizeof(b)) == -1)
		return 3;
	t0 = ms();
	errno = 0;
	r = io_flush(&io);
	if ((r = timed_out(r, t0)) != 0)
		return r;
	calls = t.writes + t.flushes;
	errno = 0;
	if (io_flush(&io) != -1 || errno != ETIMEDOUT ||
	    io_write(&io, "x", 1) != -1 || errno != ETIMEDOUT)
		return 4;
	return t.writes + t.flushes == calls ? 0 : 5;
}

static void
t_flush_deadline(void)
{
	int	 sv[2], st;

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	tfd = sv[0];
	tmo_ms = 300;
	st = bounded(flush_child, 4);
	ok(st == 0, "a flush that takes a byte per 20 ms: ETIMEDOUT after "
	    "300 ms, then at once without the transport (%d)", st);
	close(sv[0]);
	close(sv[1]);
}

/* ---- sticky errors ---- */

static void
t_sticky(void)
{
	char	 b[16];
	int	 sv[2], r;

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	io_init(&io, sv[0], sv[0], 100);
	errno = 0;
	r = get(100);
	ok(r == -1 && errno == ETIMEDOUT, "silent peer: ETIMEDOUT");
	if (write(sv[1], "hello\r\n", 7) != 7)
		diag("short write");
	errno = 0;
	r = get(100);
	ok(r == -1 && errno == ETIMEDOUT, "a line arrived later: still "
	    "ETIMEDOUT");
	is_int(recv(sv[0], b, sizeof(b), MSG_PEEK | MSG_DONTWAIT), 7,
	    "and the line is still unread in the socket");
	errno = 0;
	r = io_read(&io, b, 3);
	ok(r == -1 && errno == ETIMEDOUT, "io_read: ETIMEDOUT");
	errno = 0;
	r = io_write(&io, "x", 1);
	ok(r == -1 && errno == ETIMEDOUT, "io_write: ETIMEDOUT");
	errno = 0;
	r = io_printf(&io, "421 %s\r\n", "bye");
	ok(r == -1 && errno == ETIMEDOUT, "io_printf: ETIMEDOUT");
	errno = 0;
	r = io_flush(&io);
	ok(r == -1 && errno == ETIMEDOUT, "io_flush: ETIMEDOUT");
	errno = 0;
	r = (int)recv(sv[1], b, sizeof(b), MSG_DONTWAIT);
	ok(r == -1 && errno == EAGAIN, "nothing was written");
	errno = 0;
	r = io_set_transport(&io, NULL, NULL);
	ok(r == -1 && errno == ETIMEDOUT, "io_set_transport: ETIMEDOUT");
	close(sv[0]);
	close(sv[1]);

	/* a write error sticks to the reads, even with a line buffered */
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	io_init(&io, sv[0], sv[0], 1000);
	if (write(sv[1], "one\r\ntwo\r\n", 10) != 10)
		diag("short write");
	is_int(get(100), 1, "first line");
	ok(io_pending(&io), "second line buffered");
	shutdown(sv[1], SHUT_RD);
	io_printf(&io, "250 ok\r\n");
	errno = 0;
	r = io_flush(&io);
	ok(r == -1 && errno == EPIPE, "peer stopped reading: EPIPE");
	errno = 0;
	r = get(100);
	ok(r == -1 && errno == EPIPE, "then io_getline: EPIPE, buffered "
	    "line or not");
	errno = 0;
	r = io_read(&io, b, 1);
	ok(r == -1 && errno == EPIPE, "and io_read: EPIPE");
	close(sv[0]);
	close(sv[1]);
}

/* ---- exact-length reads (BDAT) ---- */

static void
t_read(void)
{
	static const char in[] = "BDAT 10\r\n0123456789QUIT\r\n";
	size_t	 n = 50000, hdr;
	char	*big = malloc(n + 64), *got = malloc(n);
	char	 b[16];
	int	 r;

	feed(in, sizeof(in) - 1);
	is_int(get(100), 1, "BDAT line");
	ok(io_pending(&io), "its chunk already buffered behind it");
	is_int(io_read(&io, b, 10), 1, "io_read of 10 bytes");
	ok(memcmp(b, "0123456789", 10) == 0, "exactly the chunk");
	is_int(get(100), 1, "the line after the chunk");
	is_str(line, "QUIT", "intact");
	is_int(io_read(&io, b, 0), 1, "io_read of 0 bytes: 1");
	is_int(io_read(&io, b, 5), 0, "io_read at end of file: 0");
	done();

	/* a chunk bigger than the buffer, partly buffered behind its line */
	hdr = (size_t)snprintf(big, 64, "BDAT %zu LAST\r\n", n);
	for (size_t i = 0; i < n; i++)
		big[hdr + i] = (char)(i * 7 % 251);
	memcpy(big + hdr + n, "QUIT\r\n", 6);
	feed(big, hdr + n + 6);
	is_int(get(100), 1, "BDAT LAST line");
	is_int(io_read(&io, got, n), 1, "io_read of 50000 bytes");
	ok(memcmp(got, big + hdr, n) == 0, "every byte, in order");
	is_int(get(100), 1, "then the next command");
	is_str(line, "QUIT", "intact after a big chunk");
	done();

	/* end of file in the middle */
	feed("abcde", 5);
	errno = 0;
	r = io_read(&io, b, 10);
	ok(r == -1 && errno == ECONNRESET, "end of file after 5 of 10 bytes: "
	    "ECONNRESET");
	errno = 0;
	r = io_read(&io, b, 1);
	ok(r == -1 && errno == ECONNRESET, "and it sticks");
	done();
	free(big);
	free(got);
}

int
main(void)
{
	t_terms();
	t_cap();
	t_smtp_sizes();
	t_huge();
	t_pending();
	t_timeout();
	t_eintr();
	t_write();
	t_write_timeout();
	t_drip();
	t_slow_reader();
	t_transport();
	t_switch_refused();
	t_flush_deadline();
	t_sticky();
	t_read();
	return done_testing();
}
