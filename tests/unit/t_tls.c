/*
 * core/tls: PEM loading and its errors; our server side of a real
 * handshake with `openssl s_client` as the client over TCP loopback, a
 * line each way through struct io, the suite and version it agreed on
 * as OpenSSL names them; clients we refuse (TLS 1.1, CBC only); and
 * io_set_transport refusing while plaintext input is buffered.
 *
 * Our client side against `openssl s_server`: verified against a fresh
 * test CA (RSA and EC P-384 server keys), or not verified at all; the
 * chains, names and dates refused, with nothing of ours sent; SNI sent
 * (s_server ends a handshake with another one) but not for an IP
 * literal; a TLS 1.1 server refused.  Then our server and our client.
 *
 * Keys and certificates are made fresh by the openssl command.  No
 * step waits on a clock: each side blocks on the other's bytes, and
 * alarm() turns a hang into a failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "io.h"
#include "tls.h"
#include "tap.h"

static char		 dir[] = "/tmp/t_tls.XXXXXX";
static struct tls_creds	 rsa, ec;
static struct tls	 t;
static struct io	 io;
static char		 err[LIM_ERR];

static const char *
path(const char *name)
{
	static char	 p[4][256];
	static int	 i;

	i = (i + 1) % 4;
	snprintf(p[i], sizeof(p[i]), "%s/%s", dir, name);
	return p[i];
}

static int
sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
sh(const char *fmt, ...)
{
	char	 cmd[2048];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static void
slurp(const char *name, char *buf, size_t cap)
{
	FILE	*f = fopen(path(name), "r");
	size_t	 n = 0;

	if (f != NULL) {
		n = fread(buf, 1, cap - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
}

static void
make_keys(void)
{
	int	 r;

	r = sh("cd %s && exec 2>gen.log && "
	    "openssl req -x509 -newkey rsa:2048 -nodes -keyout rsa.key "
	    "-out rsa.crt -subj /CN=localhost -days 2 && "
	    "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
	    "-nodes -keyout ec.key -out ec.crt -subj /CN=localhost -days 2 && "
	    "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 "
	    "-out other.key && "
	    "openssl genpkey -algorithm ed25519 -out ed.key && "
	    "openssl rsa -in rsa.key -traditional -out rsa1.key && "
	    "openssl ec -in ec.key -out ec1.key && "
	    "cat rsa.key rsa.crt ec.crt > both.pem && "
	    "printf 'no PEM here\\n' > plain.txt && "
	    "head -c 300 rsa.crt > cut.crt && "
	    /* for the client: two CAs, and servers' certificates */
	    "printf 'subjectAltName=DNS:relay.example.test\\n' > san && "
	    "openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key "
	    "-out ca.crt -subj '/CN=Test CA' -days 2 && "
	    "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
	    "-nodes -keyout ca2.key -out ca2.crt -subj '/CN=Other CA' "
	    "-days 2 && "
	    "openssl req -newkey rsa:2048 -nodes -keyout relay.key "
	    "-out relay.csr -subj /CN=relay.example.test && "
	    "openssl x509 -req -in relay.csr -CA ca.crt -CAkey ca.key "
	    "-set_serial 2 -days 2 -extfile san -out relay.crt && "
	    "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-384 "
	    "-nodes -keyout relayec.key -out relayec.csr "
	    "-subj /CN=relay.example.test && "
	    "openssl x509 -req -in relayec.csr -CA ca.crt -CAkey ca.key "
	    "-set_serial 3 -days 2 -extfile san -out relayec.crt && "
	    /* -days -1: valid from now until yesterday */
	    "openssl x509 -req -in relay.csr -CA ca.crt -CAkey ca.key "
	    "-set_serial 4 -days -1 -extfile san -out old.crt", dir);
	if (r != 0) {
		printf("Bail out! openssl could not make the test keys\n");
		exit(1);
	}
}

static int
load(struct tls_creds *c, const char *crt, const char *key)
{
	err[0] = '\0';
	return tls_creds_load(c, path(crt), path(key), err, sizeof(err));
}

static void
is_err(const char *setting, const char *file, const char *tail,
    const char *what)
{
	char	 want[LIM_ERR];

	snprintf(want, sizeof(want), "%s %s%s", setting, path(file), tail);
	is_str(err, want, "%s", what);
}

static void
t_load(void)
{
	is_int(load(&rsa, "rsa.crt", "rsa.key"), 0, "RSA chain and key load");
	is_int(rsa.keytype, BR_KEYTYPE_RSA, "RSA key type");
	is_int(rsa.nchain, 1, "one certificate");
	is_int(load(&ec, "ec.crt", "ec.key"), 0, "EC P-256 chain and key load");
	is_int(ec.keytype, BR_KEYTYPE_EC, "EC key type");
	is_int(ec.ec.curve, BR_EC_secp256r1, "curve P-256");

	struct tls_creds *c = malloc(sizeof(*c));
	if (c == NULL)
		exit(2);
	is_int(load(c, "rsa.crt", "rsa1.key"), 0,
	    "traditional RSA PRIVATE KEY loads");
	is_int(load(c, "ec.crt", "ec1.key"), 0, "SEC1 EC PRIVATE KEY loads");
	is_int(load(c, "both.pem", "both.pem"), 0,
	    "key and chain in one file: each takes its own objects");
	is_int(c->nchain, 2, "both certificates kept, the key skipped");

	is_int(load(c, "nonexistent.crt", "rsa.key"), -1, "missing cert file");
	is_int(errno, ENOENT, "missing cert file: ENOENT");
	is_err("tls_cert", "nonexistent.crt", ": No such file or directory",
	    "missing cert file: error names the setting and the file");
	load(c, "rsa.crt", "nonexistent.key");
	is_err("tls_key", "nonexistent.key", ": No such file or directory",
	    "missing key file named");
	is_int(load(c, "plain.txt", "rsa.key"), -1, "cert file without PEM");
	is_err("tls_cert", "plain.txt", ": no certificate in it",
	    "no certificate in it");
	is_int(load(c, "rsa.key", "rsa.key"), -1, "a key as the cert file");
	is_err("tls_cert", "rsa.key", ": no certificate in it",
	    "only a key: no certificate in it");
	is_int(load(c, "rsa.crt", "plain.txt"), -1, "key file without PEM");
	is_err("tls_key", "plain.txt", ": no private key in it",
	    "no private key in it");
	is_int(load(c, "rsa.crt", "ed.key"), -1, "Ed25519 key refused");
	is_err("tls_key", "ed.key", ": not an RSA or EC private key",
	    "Ed25519: not an RSA or EC private key");
	is_int(load(c, "cut.crt", "rsa.key"), -1, "truncated PEM refused");
	is_err("tls_cert", "cut.crt", ": a PEM object is cut short",
	    "truncated PEM named");

	char want[LIM_ERR];
	is_int(load(c, "rsa.crt", "other.key"), -1, "RSA key of another cert");
	snprintf(want, sizeof(want), "tls_key %s does not match the "
	    "certificate in %s", path("other.key"), path("rsa.crt"));
	is_str(err, want, "key that does not match named");
	is_int(load(c, "rsa.crt", "ec.key"), -1, "EC key with an RSA cert");
	ok(strstr(err, "does not match") != NULL, "EC key, RSA cert: no match");
	is_int(load(c, "ec.crt", "rsa.key"), -1, "RSA key with an EC cert");
	ok(strstr(err, "does not match") != NULL, "RSA key, EC cert: no match");
	free(c);
}

/* Listen on 127.0.0.1, an ephemeral port: the socket, *port set. */
static int
listen_lo(int *port)
{
	struct sockaddr_in	 sin;
	socklen_t		 sl = sizeof(sin);
	int			 s;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((s = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    bind(s, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(s, 1) == -1 ||
	    getsockname(s, (struct sockaddr *)&sin, &sl) == -1)
		exit(2);
	*port = ntohs(sin.sin_port);
	return s;
}

/*
 * Start s_client with args against a fresh listener, accept it, and
 * put our TLS server under io.  Returns the client's pid; *fd the
 * connection.
 */
static pid_t
start(const struct tls_creds *c, const char *args, int *fd)
{
	int	 s, port;
	pid_t	 pid;

	s = listen_lo(&port);
	if ((pid = fork()) == 0) {
		close(s);
		sh("cd %s && printf 'HELLO over TLS\\n' | exec openssl "
		    "s_client -connect 127.0.0.1:%d -brief -ign_eof -crlf %s "
		    ">out 2>err", dir, port, args);
		_exit(0);
	}
	if ((*fd = accept(s, NULL, NULL)) == -1)
		exit(2);
	close(s);
	io_init(&io, *fd, *fd, 20000);
	if (tls_server_init(&t, c, *fd) == -1 ||
	    io_set_transport(&io, &tls_transport, &t) == -1)
		exit(2);
	return pid;
}

/*
 * One session: handshake (explicit, or else inside the first read),
 * a line in, a reply out, close_notify; then what the client saw.
 */
static void
t_session(const struct tls_creds *c, const char *args, const char *want,
    int explicit)
{
	char		 line[LIM_SMTP_TEXT], out[4096], eout[4096], exp[128];
	size_t		 len;
	enum io_term	 term;
	int		 fd, st;
	pid_t		 pid;

	pid = start(c, args, &fd);
	if (explicit)
		is_int(tls_handshake(&t, 20000), 0, "%s: handshake completes",
		    want ? want : "default");
	else
		ok(tls_version(&t) == NULL && tls_cipher(&t) == NULL,
		    "%s: no version or suite before the handshake",
		    want ? want : "default");
	/* without tls_handshake, the handshake runs inside this read */
	is_int(io_getline(&io, line, sizeof(line), &len, &term), 1,
	    "%s: a line from the client", want ? want : "default");
	is_str(tls_version(&t), "TLSv1.2", "%s: version TLSv1.2",
	    want ? want : "default");
	if (want == NULL) {
		/* the client's own preference, among ours */
		want = tls_cipher(&t) != NULL ? tls_cipher(&t) : "(none)";
		ok(strncmp(want, "ECDHE-", 6) == 0 &&
		    (strstr(want, "-GCM-") != NULL ||
		    strstr(want, "-CHACHA20-") != NULL),
		    "default client: %s is ECDHE with GCM or ChaCha20", want);
	} else
		is_str(tls_cipher(&t), want, "%s: the suite we expected",
		    want);
	is_str(line, "HELLO over TLS", "%s: the client's line arrives", want);
	is_int(term, IO_TERM_CRLF, "%s: with its CRLF", want);
	ok(io_printf(&io, "250 got it over %s\r\n", tls_cipher(&t)) == 0 &&
	    io_flush(&io) == 0, "%s: reply written", want);
	is_int(tls_close(&t, 20000), 0, "%s: close_notify sent", want);
	close(fd);
	waitpid(pid, &st, 0);
	slurp("out", out, sizeof(out));
	slurp("err", eout, sizeof(eout));
	snprintf(exp, sizeof(exp), "250 got it over %s\r\n", want);
	ok(strstr(out, exp) != NULL, "%s: the reply reaches the client", want);
	snprintf(exp, sizeof(exp), "Ciphersuite: %s\n", want);
	ok(strstr(eout, exp) != NULL, "%s: OpenSSL names the suite as we do",
	    want);
	ok(strstr(eout, "Protocol version: TLSv1.2\n") != NULL,
	    "%s: OpenSSL saw TLSv1.2", want);
	if (strstr(eout, exp) == NULL)
		diag(eout);
}

static void
t_refused(const struct tls_creds *c, const char *args, int brerr,
    const char *what)
{
	char	 buf[128];
	int	 fd, st, r;
	pid_t	 pid;

	pid = start(c, args, &fd);
	r = tls_handshake(&t, 20000);
	is_int(r, -1, "%s: handshake refused", what);
	is_int(errno, EPROTO, "%s: EPROTO", what);
	is_int(t.err, brerr, "%s: %s", what, tls_strerror(&t, buf,
	    sizeof(buf)));
	ok(tls_version(&t) == NULL && tls_cipher(&t) == NULL,
	    "%s: no version or suite to report", what);
	close(fd);
	waitpid(pid, &st, 0);
}

/* Pipelined after STARTTLS, in the clear: never read as if from TLS. */
static void
t_busy(void)
{
	static const char in[] = "EHLO x\r\nSTARTTLS\r\nMAIL FROM:<a@b>\r\n";
	char		 line[LIM_SMTP_CMD];
	size_t		 len;
	enum io_term	 term;
	int		 sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1 ||
	    write(sv[1], in, sizeof(in) - 1) != (ssize_t)(sizeof(in) - 1))
		exit(2);
	io_init(&io, sv[0], sv[0], 5000);
	io_getline(&io, line, sizeof(line), &len, &term);
	is_int(io_getline(&io, line, sizeof(line), &len, &term), 1,
	    "STARTTLS read");
	is_str(line, "STARTTLS", "then STARTTLS, with more behind it");
	is_int(tls_server_init(&t, &rsa, sv[0]), 0, "server engine ready");
	is_int(io_set_transport(&io, &tls_transport, &t), -1,
	    "io_set_transport refused while plaintext is buffered");
	is_int(errno, EBUSY, "EBUSY");
	is_int(io_getline(&io, line, sizeof(line), &len, &term), 1,
	    "the io is still plain");
	is_str(line, "MAIL FROM:<a@b>", "and still in step");
	close(sv[0]);
	close(sv[1]);
}

/*
 * Peers that never finish a handshake: plaintext where the ClientHello
 * should be, a peer gone, a silent one; through tls_handshake and
 * through the first read.
 */
static void
t_bad_peers(void)
{
	char		 line[LIM_SMTP_CMD];
	size_t		 len;
	enum io_term	 term;
	int		 sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1 ||
	    write(sv[1], "MAIL FROM:<a@b>\r\n", 17) != 17)
		exit(2);
	tls_server_init(&t, &rsa, sv[0]);
	is_int(tls_handshake(&t, 5000), -1, "plaintext instead of a hello");
	is_int(errno, EPROTO, "plaintext: EPROTO");
	ok(t.err != 0, "plaintext: BearSSL says why");
	close(sv[0]);
	close(sv[1]);

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1 ||
	    write(sv[1], "\x16\x03\x01\x00", 4) != 4)
		exit(2);
	close(sv[1]);
	tls_server_init(&t, &rsa, sv[0]);
	is_int(tls_handshake(&t, 5000), -1, "peer gone mid-hello");
	is_int(errno, ECONNRESET, "peer gone: ECONNRESET");
	close(sv[0]);

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		exit(2);
	tls_server_init(&t, &rsa, sv[0]);
	is_int(tls_handshake(&t, 100), -1, "a silent peer");
	is_int(errno, ETIMEDOUT, "silent peer: ETIMEDOUT");
	close(sv[0]);
	close(sv[1]);

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1 ||
	    write(sv[1], "QUIT\r\n", 6) != 6)
		exit(2);
	io_init(&io, sv[0], sv[0], 5000);
	tls_server_init(&t, &rsa, sv[0]);
	is_int(io_set_transport(&io, &tls_transport, &t), 0,
	    "transport set, nothing buffered");
	is_int(io_getline(&io, line, sizeof(line), &len, &term), -1,
	    "implicit handshake: plaintext fails the first read");
	is_int(errno, EPROTO, "as EPROTO");
	is_int(io_getline(&io, line, sizeof(line), &len, &term), -1,
	    "and the error sticks");
	close(sv[0]);
	close(sv[1]);
}

/* ---- the client side ---- */

/* An `openssl s_server` on an ephemeral port of 127.0.0.1. */
struct peer {
	pid_t		 pid;
	int		 in;	/* its stdin: what it sends us */
	FILE		*out;	/* its stdout: what it got, and its notes */
	int		 port;
};

static void
peer_start(struct peer *p, const char *args)
{
	char	 cmd[1024], line[512];
	int	 pin[2], pout[2];

	if (pipe(pin) == -1 || pipe(pout) == -1)
		exit(2);
	snprintf(cmd, sizeof(cmd), "cd %s && exec openssl s_server "
	    "-accept 127.0.0.1:0 -naccept 1 -crlf %s 2>serr", dir, args);
	if ((p->pid = fork()) == 0) {
		dup2(pin[0], 0);
		dup2(pout[1], 1);
		close(pin[0]);
		close(pin[1]);
		close(pout[0]);
		close(pout[1]);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(pin[0]);
	close(pout[1]);
	p->in = pin[1];
	if ((p->out = fdopen(pout[0], "r")) == NULL)
		exit(2);
	/* it says where it listens once it does */
	p->port = 0;
	while (p->port == 0 && fgets(line, sizeof(line), p->out) != NULL)
		sscanf(line, "ACCEPT 127.0.0.1:%d", &p->port);
	if (p->port == 0) {
		printf("Bail out! s_server %s did not start\n", args);
		exit(1);
	}
}

/* All it wrote, once it is gone (we closed the connection first). */
static void
peer_end(struct peer *p, char *buf, size_t cap)
{
	size_t	 n;
	int	 st;

	n = fread(buf, 1, cap - 1, p->out);
	buf[n] = '\0';
	fclose(p->out);
	close(p->in);
	waitpid(p->pid, &st, 0);
}

static int
connect_lo(int port)
{
	struct sockaddr_in	 sin;
	int			 s;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons(port);
	if ((s = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    connect(s, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		exit(2);
	return s;
}

static struct tls_anchors ca, ca2;

/* s_server that ends a handshake whose SNI is not relay.example.test */
#define SNI_SERVER	"-cert relay.crt -key relay.key -cert2 relay.crt " \
			"-key2 relay.key -servername relay.example.test " \
			"-servername_fatal"

/*
 * Our client against s_server with args: the handshake, then a line
 * each way through io; s_server's output in so.  Returns what the
 * handshake returned, errno in *e.
 */
static int
client_run(const char *args, const struct tls_anchors *a, const char *name,
    int *e, char *so, size_t socap)
{
	struct peer	 p;
	char		 line[LIM_SMTP_TEXT];
	size_t		 len;
	enum io_term	 term;
	int		 fd, r;

	peer_start(&p, args);
	fd = connect_lo(p.port);
	io_init(&io, fd, fd, 20000);
	if (tls_client_init(&t, a, name, fd) == -1 ||
	    io_set_transport(&io, &tls_transport, &t) == -1)
		exit(2);
	/* queued before the handshake: must not go out if it fails */
	io_printf(&io, "EHLO client.example.test\r\n");
	r = tls_handshake(&t, 20000);
	*e = errno;
	if (r == 0) {
		io_flush(&io);
		if (write(p.in, "250 hello from s_server\n", 24) != 24)
			exit(2);
		if (io_getline(&io, line, sizeof(line), &len, &term) != 1)
			line[0] = '\0';
		is_str(line, "250 hello from s_server", "%s: the server's line "
		    "arrives", name);
		is_int(tls_close(&t, 20000), 0, "%s: close_notify sent", name);
	} else
		io_flush(&io);	/* fails: the error sticks */
	close(fd);
	peer_end(&p, so, socap);
	return r;
}

/* A handshake that must succeed, with what it agreed on. */
static void
t_client_ok(const char *args, const struct tls_anchors *a, const char *name,
    const char *what)
{
	char	 so[16384], exp[128], buf[128];
	int	 e, r;

	r = client_run(args, a, name, &e, so, sizeof(so));
	is_int(r, 0, "%s: handshake completes", what);
	if (r != 0)
		diag(tls_strerror(&t, buf, sizeof(buf)));
	is_int(tls_verified(&t), a != NULL, "%s: tls_verified %d", what,
	    a != NULL);
	is_str(tls_version(&t), "TLSv1.2", "%s: TLSv1.2", what);
	snprintf(exp, sizeof(exp), "CIPHER is %s\n",
	    tls_cipher(&t) != NULL ? tls_cipher(&t) : "(none)");
	ok(strstr(so, exp) != NULL, "%s: OpenSSL agrees: %s", what, exp);
	ok(strstr(so, "EHLO client.example.test\r\n") != NULL,
	    "%s: our line reached s_server", what);
}

/* A handshake that must fail, for the reason that says why. */
static void
t_client_refused(const char *args, const struct tls_anchors *a,
    const char *name, int brerr, const char *why, const char *what)
{
	char	 so[16384], buf[128];
	int	 e, r;

	r = client_run(args, a, name, &e, so, sizeof(so));
	is_int(r, -1, "%s: handshake refused", what);
	is_int(e, EPROTO, "%s: EPROTO", what);
	is_int(t.err, brerr, "%s: BearSSL error %d", what, brerr);
	tls_strerror(&t, buf, sizeof(buf));
	ok(strstr(buf, why) != NULL, "%s: \"%s\" says %s", what, buf, why);
	ok(tls_verified(&t) == 0 && tls_version(&t) == NULL &&
	    tls_cipher(&t) == NULL, "%s: not verified, no version or suite",
	    what);
	ok(strstr(so, "EHLO") == NULL, "%s: no application byte sent", what);
}

static void
t_client(void)
{
	is_int(tls_anchors_load(&ca, path("ca.crt"), err, sizeof(err)), 0,
	    "the test CA loads as an anchor");
	is_int(tls_anchors_load(&ca2, path("ca2.crt"), err, sizeof(err)), 0,
	    "another CA loads");
	t_client_ok("-cert relay.crt -key relay.key", &ca,
	    "relay.example.test", "RSA, verified");
	t_client_ok("-cert relayec.crt -key relayec.key", &ca,
	    "relay.example.test", "EC P-384, verified");
	t_client_ok("-cert relay.crt -key relay.key", &ca,
	    "RELAY.Example.Test.", "name in capitals with a final dot");
	t_client_ok("-cert relay.crt -key relay.key "
	    "-cipher ECDHE-RSA-CHACHA20-POLY1305", &ca,
	    "relay.example.test", "RSA, ChaCha20");
	t_client_ok("-cert ec.crt -key ec.key "
	    "-cipher ECDHE-ECDSA-AES256-GCM-SHA384", NULL, "localhost",
	    "self-signed EC, no anchors");
	t_client_ok("-cert rsa.crt -key rsa.key", NULL, "relay.example.test",
	    "self-signed RSA, another name, no anchors");
	t_client_ok("-cert old.crt -key relay.key", NULL, "relay.example.test",
	    "expired, no anchors");
	t_client_refused("-cert relay.crt -key relay.key", &ca2,
	    "relay.example.test", BR_ERR_X509_NOT_TRUSTED, "not trusted",
	    "wrong CA");
	t_client_refused("-cert relay.crt -key relay.key", &ca,
	    "other.example.test", BR_ERR_X509_BAD_SERVER_NAME,
	    "does not match host name", "right CA, other name");
	t_client_refused("-cert relay.crt -key relay.key", &ca,
	    "127.0.0.1", BR_ERR_X509_BAD_SERVER_NAME,
	    "does not match host name", "an IP literal, not in the cert");
	t_client_refused("-cert rsa.crt -key rsa.key", &ca,
	    "localhost", BR_ERR_X509_NOT_TRUSTED, "not trusted",
	    "self-signed with anchors");
	t_client_refused("-cert old.crt -key relay.key", &ca,
	    "relay.example.test", BR_ERR_X509_EXPIRED, "expired",
	    "expired, with anchors");
	/* s_server refuses an SNI other than its own: ours is sent */
	t_client_ok(SNI_SERVER, &ca, "relay.example.test",
	    "SNI relay.example.test accepted");
	t_client_refused(SNI_SERVER, NULL, "other.example.test",
	    BR_ERR_RECV_FATAL_ALERT + 112, "unrecognized_name",
	    "SNI other.example.test refused by s_server");
	t_client_ok(SNI_SERVER, NULL, "127.0.0.1",
	    "an IP literal: no SNI sent");
	t_client_ok(SNI_SERVER, NULL, "::1", "an IPv6 literal: no SNI sent");
	t_client_refused("-cert relay.crt -key relay.key -tls1_1 "
	    "-cipher DEFAULT@SECLEVEL=0", NULL, "relay.example.test",
	    BR_ERR_RECV_FATAL_ALERT + 40, "handshake_failure",
	    "a TLS 1.1 server (none of our suites is TLS 1.1's)");
}

/*
 * Our server (a child) and our client, verified: a line each way.
 * The child reports by its exit status.
 */
static void
t_own(void)
{
	struct tls_creds *c = malloc(sizeof(*c));
	char		 line[LIM_SMTP_TEXT];
	size_t		 len;
	enum io_term	 term;
	int		 sv[2], st, r;
	pid_t		 pid;

	if (c == NULL || load(c, "relay.crt", "relay.key") == -1 ||
	    socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		exit(2);
	if ((pid = fork()) == 0) {
		close(sv[1]);
		io_init(&io, sv[0], sv[0], 20000);
		r = tls_server_init(&t, c, sv[0]) == 0 &&
		    io_set_transport(&io, &tls_transport, &t) == 0 &&
		    io_getline(&io, line, sizeof(line), &len, &term) == 1 &&
		    strcmp(line, "EHLO own") == 0 &&
		    io_printf(&io, "250 own %s\r\n", tls_cipher(&t)) == 0 &&
		    io_flush(&io) == 0 && tls_close(&t, 20000) == 0;
		_exit(r ? 0 : 1);
	}
	close(sv[0]);
	io_init(&io, sv[1], sv[1], 20000);
	is_int(tls_client_init(&t, &ca, "relay.example.test", sv[1]), 0,
	    "own: client engine ready");
	is_int(io_set_transport(&io, &tls_transport, &t), 0, "own: transport");
	/* no tls_handshake: it runs inside the first write and read */
	ok(io_printf(&io, "EHLO own\r\n") == 0 && io_flush(&io) == 0,
	    "own: a line out, the handshake on the way");
	is_int(io_getline(&io, line, sizeof(line), &len, &term), 1,
	    "own: the server's line in");
	snprintf(err, sizeof(err), "250 own %s", tls_cipher(&t));
	is_str(line, err, "own: the server saw the suite we did");
	ok(tls_verified(&t), "own: verified");
	r = io_getline(&io, line, sizeof(line), &len, &term);
	is_int(r, 0, "own: the server's close_notify is end of file");
	if (r != 0)
		diag(strerror(errno));
	waitpid(pid, &st, 0);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "own: the server side "
	    "went as it should");
	close(sv[1]);
	free(c);
}

int
main(void)
{
	alarm(120);
	signal(SIGPIPE, SIG_IGN);
	if (system("openssl version >/dev/null 2>&1") != 0) {
		printf("1..0 # SKIP no openssl command\n");
		return 0;
	}
	if (mkdtemp(dir) == NULL)
		return 2;
	make_keys();
	t_load();
	t_session(&rsa, "", NULL, 1);	/* whichever of ours it prefers */
	t_session(&rsa, "-cipher ECDHE-RSA-AES128-GCM-SHA256",
	    "ECDHE-RSA-AES128-GCM-SHA256", 0);
	t_session(&rsa, "-cipher ECDHE-RSA-AES256-GCM-SHA384",
	    "ECDHE-RSA-AES256-GCM-SHA384", 1);
	t_session(&rsa, "-cipher ECDHE-RSA-CHACHA20-POLY1305",
	    "ECDHE-RSA-CHACHA20-POLY1305", 1);
	t_session(&ec, "-cipher ECDHE-ECDSA-AES128-GCM-SHA256",
	    "ECDHE-ECDSA-AES128-GCM-SHA256", 1);
	t_session(&ec, "-cipher ECDHE-ECDSA-AES256-GCM-SHA384",
	    "ECDHE-ECDSA-AES256-GCM-SHA384", 0);
	t_session(&ec, "-cipher ECDHE-ECDSA-CHACHA20-POLY1305",
	    "ECDHE-ECDSA-CHACHA20-POLY1305", 1);
	t_refused(&rsa, "-tls1_1 -cipher DEFAULT@SECLEVEL=0",
	    BR_ERR_SEND_FATAL_ALERT + 70, "a TLS 1.1 client");
	t_refused(&rsa, "-tls1_2 -cipher ECDHE-RSA-AES128-SHA256",
	    BR_ERR_SEND_FATAL_ALERT + 40, "a client with only a CBC suite");
	t_busy();
	t_bad_peers();
	t_client();
	t_own();
	tls_anchors_free(&ca);
	tls_anchors_free(&ca2);
	sh("rm -rf %s", dir);
	return done_testing();
}
