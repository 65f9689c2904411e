/*
 * core/tls: PEM loading and its errors; our server side of a real
 * handshake with `openssl s_client` as the client over TCP loopback, a
 * line each way through struct io, the suite and version it agreed on
 * as OpenSSL names them; clients we refuse (TLS 1.1, CBC only); and
 * io_set_transport refusing while plaintext input is buffered.
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
	    "head -c 300 rsa.crt > cut.crt", dir);
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
	sh("rm -rf %s", dir);
	return done_testing();
}
