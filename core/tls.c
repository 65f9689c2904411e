/*
 * TLS with BearSSL.
 *
 * The credentials are read before privileges drop, so that a bad file
 * is a start-up error naming it rather than a failed handshake later:
 * the PEM decoder feeds each certificate's DER into the caller's struct
 * and the key's DER straight into BearSSL's key decoder, whose parts are
 * then copied next to the chain; the key must be the one the leaf
 * certificate was made for (same RSA modulus, same EC point).
 *
 * The server profile is ours, set up piece by piece rather than with
 * br_ssl_server_init_full_*, which would link CBC, 3DES, MD5 and the
 * older protocol versions into the binary: TLS 1.2 only, ECDHE key
 * exchange signed with the certificate's key (RSA or ECDSA), AES-GCM or
 * ChaCha20-Poly1305, no renegotiation.  Hashes: SHA-256 for the PRF and
 * SHA-384/512 for the *-SHA384 suites and for signatures; a client that
 * offers no SHA-2 signature algorithm is refused.  The client picks the
 * suite among ours (a client without AES hardware prefers ChaCha20).
 *
 * The transport drives the engine over a non-blocking socket: it moves
 * records (SENDREC, RECVREC) until the engine can hand over or take
 * application data (RECVAPP, SENDAPP), and otherwise says which poll
 * event it waits for, as core/io.h asks.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>

#include "str.h"
#include "tls.h"

/* ---- loading ---- */

#define RSA_MAX_BITS	4096	/* BearSSL's largest RSA key */

/* What a walk over one PEM file keeps between the decoder's events. */
struct walk {
	const char		*what, *path;	/* "tls_cert", the file */
	char			*err;
	size_t			 errlen;
	struct tls_creds	*c;
	int			 iskey;
	int			 taking;	/* in an object we keep */
	int			 over;		/* der ran out of room */
	int			 found;
	size_t			 start;		/* der offset of this object */
	br_skey_decoder_context	 sk;
};

static void
to_der(void *ctx, const void *p, size_t n)
{
	struct walk		*w = ctx;
	struct tls_creds	*c = w->c;

	if (n > sizeof(c->der) - c->used) {
		w->over = 1;
		return;
	}
	memcpy(c->der + c->used, p, n);
	c->used += n;
}

static void
to_skey(void *ctx, const void *p, size_t n)
{
	struct walk	*w = ctx;

	br_skey_decoder_push(&w->sk, p, n);
}

static void
to_nowhere(void *ctx, const void *p, size_t n)
{
	(void)ctx;
	(void)p;
	(void)n;
}

/* A copy of n bytes of key material in c->der, or NULL. */
static unsigned char *
keep(struct tls_creds *c, const unsigned char *p, size_t n)
{
	unsigned char	*q = c->der + c->used;

	if (n > sizeof(c->der) - c->used)
		return NULL;
	memcpy(q, p, n);
	c->used += n;
	return q;
}

/* The key just decoded, copied into c. */
static int
keep_key(struct walk *w)
{
	struct tls_creds		*c = w->c;
	const br_rsa_private_key	*rk;
	const br_ec_private_key		*ek;

	if (br_skey_decoder_last_error(&w->sk) != 0)
		return str_fail(w->err, w->errlen, EINVAL,
		    "%s %s: not an RSA or EC private key", w->what, w->path);
	c->keytype = br_skey_decoder_key_type(&w->sk);
	if (c->keytype == BR_KEYTYPE_RSA) {
		rk = br_skey_decoder_get_rsa(&w->sk);
		c->rsa = *rk;
		if ((c->rsa.p = keep(c, rk->p, rk->plen)) == NULL ||
		    (c->rsa.q = keep(c, rk->q, rk->qlen)) == NULL ||
		    (c->rsa.dp = keep(c, rk->dp, rk->dplen)) == NULL ||
		    (c->rsa.dq = keep(c, rk->dq, rk->dqlen)) == NULL ||
		    (c->rsa.iq = keep(c, rk->iq, rk->iqlen)) == NULL)
			w->over = 1;
	} else {
		ek = br_skey_decoder_get_ec(&w->sk);
		c->ec = *ek;
		if ((c->ec.x = keep(c, ek->x, ek->xlen)) == NULL)
			w->over = 1;
	}
	w->found = 1;
	return 0;
}

/* The start (end 0) or the end (end 1) of a PEM object. */
static int
object(struct walk *w, br_pem_decoder_context *pc, int end)
{
	const char	*name = br_pem_decoder_name(pc);
	struct tls_creds *c = w->c;

	if (end) {
		if (!w->taking)
			return 0;
		w->taking = 0;
		if (w->iskey)
			return keep_key(w);
		if (!w->over) {
			c->chain[c->nchain].data = c->der + w->start;
			c->chain[c->nchain].data_len = c->used - w->start;
			c->nchain++;
		}
		return 0;
	}
	br_pem_decoder_setdest(pc, to_nowhere, NULL);
	if (w->iskey && strcmp(name, "ENCRYPTED PRIVATE KEY") == 0)
		return str_fail(w->err, w->errlen, EINVAL,
		    "%s %s: an encrypted key (give it unencrypted, readable "
		    "by root only)", w->what, w->path);
	if (w->iskey ? w->found || (strcmp(name, "PRIVATE KEY") != 0 &&
	    strcmp(name, "RSA PRIVATE KEY") != 0 &&
	    strcmp(name, "EC PRIVATE KEY") != 0) :
	    strcmp(name, "CERTIFICATE") != 0 &&
	    strcmp(name, "X509 CERTIFICATE") != 0)
		return 0;	/* not ours: skipped */
	if (!w->iskey && c->nchain == LIM_TLS_CHAIN)
		return str_fail(w->err, w->errlen, E2BIG,
		    "%s %s: more than %d certificates", w->what, w->path,
		    LIM_TLS_CHAIN);
	w->taking = 1;
	w->start = c->used;
	if (w->iskey) {
		br_skey_decoder_init(&w->sk);
		br_pem_decoder_setdest(pc, to_skey, w);
	} else
		br_pem_decoder_setdest(pc, to_der, w);
	return 0;
}

/* Feed n bytes to the PEM decoder, handling its events. */
static int
pem_push(const struct tls_pem_walk *pw, br_pem_decoder_context *pc,
    const unsigned char *p, size_t n)
{
	while (n > 0) {
		size_t	 k = br_pem_decoder_push(pc, p, n);

		p += k;
		n -= k;
		switch (br_pem_decoder_event(pc)) {
		case BR_PEM_BEGIN_OBJ:
			if (pw->object(pw->ctx, pc, 0) == -1)
				return -1;
			break;
		case BR_PEM_END_OBJ:
			if (pw->object(pw->ctx, pc, 1) == -1)
				return -1;
			break;
		case BR_PEM_ERROR:
			return str_fail(pw->err, pw->errlen, EINVAL,
			    "%s %s: not a valid PEM file", pw->what, pw->path);
		}
		if (pw->check != NULL && pw->check(pw->ctx) == -1)
			return -1;
	}
	return 0;
}

int
tls_pem_walk(const struct tls_pem_walk *pw)
{
	br_pem_decoder_context	 pc;
	unsigned char		 buf[4096];
	ssize_t			 n;
	int			 fd, r = -1;

	if ((fd = open(pw->path, O_RDONLY | O_CLOEXEC)) == -1)
		return str_fail(pw->err, pw->errlen, errno, "%s %s: %s",
		    pw->what, pw->path, strerror(errno));
	br_pem_decoder_init(&pc);
	for (;;) {
		if ((n = read(fd, buf, sizeof(buf))) == -1) {
			if (errno == EINTR)
				continue;
			str_fail(pw->err, pw->errlen, errno, "%s %s: %s",
			    pw->what, pw->path, strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		if (pem_push(pw, &pc, buf, (size_t)n) == -1)
			goto fail;
	}
	/* a last line without its newline still ends the object */
	if (pem_push(pw, &pc, (const unsigned char *)"\n", 1) == -1)
		goto fail;
	if (pw->in_object(pw->ctx)) {
		str_fail(pw->err, pw->errlen, EINVAL, "%s %s: a PEM object is "
		    "cut short", pw->what, pw->path);
		goto fail;
	}
	r = 0;
fail:
	explicit_bzero(buf, sizeof(buf));	/* a key went through them */
	explicit_bzero(&pc, sizeof(pc));
	close(fd);
	return r;
}

/* tls_creds_load's walk over one file, through tls_pem_walk. */
static int
creds_object(void *ctx, br_pem_decoder_context *pc, int end)
{
	return object(ctx, pc, end);
}

static int
creds_check(void *ctx)
{
	struct walk	*w = ctx;

	if (w->over)
		return str_fail(w->err, w->errlen, EFBIG,
		    "%s %s: more than %d bytes of certificates and key",
		    w->what, w->path, LIM_TLS_DER);
	return 0;
}

static int
creds_in_object(void *ctx)
{
	return ((struct walk *)ctx)->taking;
}

static int
walk_file(struct walk *w)
{
	struct tls_pem_walk	 pw = { w->what, w->path, w->err, w->errlen,
				    w, creds_object, creds_check,
				    creds_in_object };

	return tls_pem_walk(&pw);
}

/* Same unsigned big-endian number, whatever leading zeros? */
static int
same_int(const unsigned char *a, size_t alen, const unsigned char *b,
    size_t blen)
{
	while (alen > 0 && *a == 0)
		a++, alen--;
	while (blen > 0 && *b == 0)
		b++, blen--;
	return alen == blen && memcmp(a, b, alen) == 0;
}

/* Does the key belong to the certificate with public key pk? */
static int
key_matches(const struct tls_creds *c, const br_x509_pkey *pk)
{
	unsigned char	 buf[RSA_MAX_BITS / 8];
	br_ec_public_key pub;
	size_t		 n;

	if (pk->key_type != c->keytype)
		return 0;
	if (c->keytype == BR_KEYTYPE_RSA) {
		if (c->rsa.n_bitlen > RSA_MAX_BITS)
			return 0;
		n = br_rsa_compute_modulus_get_default()(buf, &c->rsa);
		return n > 0 && same_int(buf, n, pk->key.rsa.n,
		    pk->key.rsa.nlen);
	}
	if (pk->key.ec.curve != c->ec.curve ||
	    br_ec_compute_pub(br_ec_get_default(), &pub, buf, &c->ec) == 0)
		return 0;
	return pub.qlen == pk->key.ec.qlen &&
	    memcmp(pub.q, pk->key.ec.q, pub.qlen) == 0;
}

/* Each certificate decodes; the leaf's key is an RSA or EC one, ours. */
static int
check_chain(const struct tls_creds *c, const char *certfile,
    const char *keyfile, char *err, size_t errlen)
{
	br_x509_decoder_context	 dc;
	const br_x509_pkey	*pk;

	for (size_t i = c->nchain; i-- > 0; ) {
		br_x509_decoder_init(&dc, NULL, NULL);
		br_x509_decoder_push(&dc, c->chain[i].data,
		    c->chain[i].data_len);
		if ((pk = br_x509_decoder_get_pkey(&dc)) == NULL)
			return str_fail(err, errlen, EINVAL, "tls_cert %s: "
			    "certificate %zu is not valid X.509 (BearSSL "
			    "error %d)", certfile, i + 1,
			    br_x509_decoder_last_error(&dc));
	}
	/* dc holds the leaf now */
	if (pk->key_type != BR_KEYTYPE_RSA && pk->key_type != BR_KEYTYPE_EC)
		return str_fail(err, errlen, EINVAL, "tls_cert %s: the "
		    "certificate has neither an RSA nor an EC key", certfile);
	if (!key_matches(c, pk))
		return str_fail(err, errlen, EINVAL, "tls_key %s does not "
		    "match the certificate in %s", keyfile, certfile);
	return 0;
}

int
tls_creds_load(struct tls_creds *c, const char *certfile,
    const char *keyfile, char *err, size_t errlen)
{
	struct walk	 w;
	int		 r = -1;

	memset(c, 0, sizeof(*c));
	memset(&w, 0, sizeof(w));
	w.err = err;
	w.errlen = errlen;
	w.c = c;
	w.what = "tls_cert";
	w.path = certfile;
	if (walk_file(&w) == -1)
		goto fail;
	if (c->nchain == 0) {
		str_fail(err, errlen, EINVAL, "tls_cert %s: no certificate in "
		    "it", certfile);
		goto fail;
	}
	w.what = "tls_key";
	w.path = keyfile;
	w.iskey = 1;
	if (walk_file(&w) == -1)
		goto fail;
	if (!w.found) {
		str_fail(err, errlen, EINVAL, "tls_key %s: no private key in "
		    "it", keyfile);
		goto fail;
	}
	if (check_chain(c, certfile, keyfile, err, errlen) == -1)
		goto fail;
	r = 0;
fail:
	explicit_bzero(&w.sk, sizeof(w.sk));
	if (r == -1)
		explicit_bzero(c, sizeof(*c));
	return r;
}

/* ---- the server engine ---- */

static const uint16_t suites_rsa[] = {
	BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
};

static const uint16_t suites_ec[] = {
	BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
};

/*
 * What both sides share: TLS 1.2 only, no renegotiation, SHA-2 for the
 * PRF and signatures, AES-GCM and ChaCha20-Poly1305, the default EC
 * code (P-256, P-384, P-521, X25519) for ECDHE.  For core/tls_client.c
 * too.
 */
void
tls_profile(br_ssl_engine_context *eng)
{
	br_ssl_engine_set_versions(eng, BR_TLS12, BR_TLS12);
	br_ssl_engine_add_flags(eng, BR_OPT_NO_RENEGOTIATION);
	br_ssl_engine_set_hash(eng, br_sha256_ID, &br_sha256_vtable);
	br_ssl_engine_set_hash(eng, br_sha384_ID, &br_sha384_vtable);
	br_ssl_engine_set_hash(eng, br_sha512_ID, &br_sha512_vtable);
	br_ssl_engine_set_prf_sha256(eng, &br_tls12_sha256_prf);
	br_ssl_engine_set_prf_sha384(eng, &br_tls12_sha384_prf);
	br_ssl_engine_set_default_aes_gcm(eng);
	br_ssl_engine_set_default_chapol(eng);
	br_ssl_engine_set_default_ec(eng);
}

int
tls_server_init(struct tls *t, const struct tls_creds *c, int fd)
{
	br_ssl_server_context	*sc = &t->u.sc;
	br_ssl_engine_context	*eng = &sc->eng;

	br_ssl_server_zero(sc);
	t->eng = eng;
	t->client = 0;
	t->fd = fd;
	t->err = 0;
	t->eof = 0;
	t->done = 0;
	tls_profile(eng);
	if (c->keytype == BR_KEYTYPE_RSA) {
		br_ssl_engine_set_suites(eng, suites_rsa,
		    sizeof(suites_rsa) / sizeof(suites_rsa[0]));
		br_ssl_server_set_single_rsa(sc, c->chain, c->nchain, &c->rsa,
		    BR_KEYTYPE_SIGN, br_rsa_private_get_default(),
		    br_rsa_pkcs1_sign_get_default());
	} else if (c->keytype == BR_KEYTYPE_EC) {
		br_ssl_engine_set_suites(eng, suites_ec,
		    sizeof(suites_ec) / sizeof(suites_ec[0]));
		br_ssl_server_set_single_ec(sc, c->chain, c->nchain, &c->ec,
		    BR_KEYTYPE_SIGN, BR_KEYTYPE_EC, br_ec_get_default(),
		    br_ecdsa_sign_asn1_get_default());
	} else {
		errno = EINVAL;
		return -1;
	}
	br_ssl_engine_set_buffer(eng, t->iobuf, sizeof(t->iobuf), 1);
	if (!br_ssl_server_reset(sc)) {
		t->err = br_ssl_engine_last_error(eng);
		errno = t->err == BR_ERR_NO_RANDOM ? EIO : EINVAL;
		return -1;
	}
	return 0;
}

/* ---- the transport ---- */

/* The engine stopped: errno for how. */
static int
stopped(struct tls *t)
{
	t->err = br_ssl_engine_last_error(t->eng);
	errno = t->err == BR_ERR_OK ? EPIPE :
	    t->err == BR_ERR_IO ? ECONNRESET : EPROTO;
	return -1;
}

/* Records out to the socket: 0, or -1 (EAGAIN with *want). */
static int
send_rec(struct tls *t, struct pollfd *want)
{
	br_ssl_engine_context	*eng = t->eng;
	unsigned char		*p;
	size_t			 n;
	ssize_t			 w;

	p = br_ssl_engine_sendrec_buf(eng, &n);
	w = send(t->fd, p, n, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (w == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			want->fd = t->fd;
			want->events = POLLOUT;
		}
		return -1;
	}
	br_ssl_engine_sendrec_ack(eng, (size_t)w);
	return 0;
}

/* Records in from the socket: 0 (or end of file: t->eof), or -1. */
static int
recv_rec(struct tls *t, struct pollfd *want)
{
	br_ssl_engine_context	*eng = t->eng;
	unsigned char		*p;
	size_t			 n;
	ssize_t			 r;

	p = br_ssl_engine_recvrec_buf(eng, &n);
	r = recv(t->fd, p, n, MSG_DONTWAIT);
	if (r == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			want->fd = t->fd;
			want->events = POLLIN;
		}
		return -1;
	}
	if (r == 0)
		t->eof = 1;
	else
		br_ssl_engine_recvrec_ack(eng, (size_t)r);
	return 0;
}

/*
 * One move of the engine toward the state goal (BR_SSL_RECVAPP or
 * BR_SSL_SENDAPP): 1 once there, 0 after moving records (call again),
 * or -1 with errno (EAGAIN with *want).
 */
static int
step(struct tls *t, unsigned goal, struct pollfd *want)
{
	unsigned	 st = br_ssl_engine_current_state(t->eng);

	if (st & goal) {
		t->done = 1;	/* application data flows only after it */
		return 1;
	}
	if (st & BR_SSL_SENDREC)
		return send_rec(t, want);
	if (st & BR_SSL_CLOSED)
		return stopped(t);
	if (st & BR_SSL_RECVREC) {
		if (t->eof) {
			errno = ECONNRESET;
			return -1;
		}
		return recv_rec(t, want);
	}
	errno = EPROTO;		/* nothing to do: not with a bidi buffer */
	return -1;
}

static ssize_t
tls_read(void *ctx, void *buf, size_t n, struct pollfd *want)
{
	struct tls		*t = ctx;
	br_ssl_engine_context	*eng = t->eng;
	unsigned char		*p;
	size_t			 len;
	unsigned		 st;
	int			 r;

	/* what was written goes out before we wait for the answer */
	br_ssl_engine_flush(eng, 0);
	for (;;) {
		st = br_ssl_engine_current_state(eng);
		if (!(st & BR_SSL_RECVAPP) && t->eof)
			return 0;
		/*
		 * The peer's close_notify (after which BearSSL takes no
		 * more records): end of file now, not once ours has gone
		 * back, which fails with EPIPE when the peer closed the
		 * connection right after sending it.
		 */
		if (!(st & BR_SSL_RECVAPP) && eng->shutdown_recv)
			return 0;
		if (st == BR_SSL_CLOSED &&
		    br_ssl_engine_last_error(eng) == BR_ERR_OK)
			return 0;
		if ((r = step(t, BR_SSL_RECVAPP, want)) == -1)
			return -1;
		if (r == 1)
			break;
	}
	p = br_ssl_engine_recvapp_buf(eng, &len);
	if (len > n)
		len = n;
	memcpy(buf, p, len);
	br_ssl_engine_recvapp_ack(eng, len);
	return (ssize_t)len;
}

static ssize_t
tls_write(void *ctx, const void *buf, size_t n, struct pollfd *want)
{
	struct tls		*t = ctx;
	br_ssl_engine_context	*eng = t->eng;
	unsigned char		*p;
	size_t			 len;
	int			 r;

	while ((r = step(t, BR_SSL_SENDAPP, want)) != 1)
		if (r == -1)
			return -1;
	p = br_ssl_engine_sendapp_buf(eng, &len);
	if (len > n)
		len = n;
	memcpy(p, buf, len);
	br_ssl_engine_sendapp_ack(eng, len);
	return (ssize_t)len;
}

static int
tls_flush(void *ctx, struct pollfd *want)
{
	struct tls		*t = ctx;
	br_ssl_engine_context	*eng = t->eng;
	unsigned		 st;

	br_ssl_engine_flush(eng, 0);
	for (;;) {
		st = br_ssl_engine_current_state(eng);
		if (st & BR_SSL_SENDREC) {
			if (send_rec(t, want) == -1)
				return -1;
			continue;
		}
		if ((st & BR_SSL_CLOSED) &&
		    br_ssl_engine_last_error(eng) != BR_ERR_OK)
			return stopped(t);
		return 0;
	}
}

static int
tls_pending(void *ctx)
{
	struct tls		*t = ctx;
	size_t			 len = 0;

	if (br_ssl_engine_current_state(t->eng) & BR_SSL_RECVAPP)
		br_ssl_engine_recvapp_buf(t->eng, &len);
	return len > 0;
}

const struct io_transport tls_transport = {
	.read = tls_read,
	.write = tls_write,
	.flush = tls_flush,
	.pending = tls_pending,
};

/* ---- driving it directly ---- */

static long long
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Wait for *want until the deadline (end < 0: none).  0, or -1 with
 * errno (ETIMEDOUT, or poll's error).
 */
static int
await(struct pollfd *want, long long end)
{
	long long	 left;
	int		 r;

	for (;;) {
		left = end < 0 ? -1 : end - now_ms();
		if (end >= 0 && left <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		want->revents = 0;
		r = poll(want, 1, left > 1000000 ? 1000000 : (int)left);
		if (r > 0)
			return 0;
		if (r == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (errno != EINTR)
			return -1;
	}
}

/* Move records until step(goal) says 1 (goal 0: until none to send). */
static int
drive(struct tls *t, unsigned goal, int timeout_ms)
{
	long long	 end = timeout_ms > 0 ? now_ms() + timeout_ms : -1;
	struct pollfd	 want;
	int		 r;

	for (;;) {
		want.fd = -1;
		if (goal != 0)
			r = step(t, goal, &want);
		else if (br_ssl_engine_current_state(t->eng) &
		    BR_SSL_SENDREC)
			r = send_rec(t, &want);
		else
			r = 1;
		if (r == 1)
			return 0;
		if (r == 0 || errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -1;
		if (want.fd < 0 || await(&want, end) == -1)
			return -1;
	}
}

int
tls_handshake(struct tls *t, int timeout_ms)
{
	long long	 start = now_ms();

	if (drive(t, BR_SSL_SENDAPP, timeout_ms) == -1)
		return -1;
	/* our last flight (Finished) goes out now, not with the first reply */
	if (timeout_ms > 0 && (timeout_ms -= (int)(now_ms() - start)) <= 0)
		timeout_ms = 1;
	return drive(t, 0, timeout_ms);
}

int
tls_close(struct tls *t, int timeout_ms)
{
	br_ssl_engine_close(t->eng);
	return drive(t, 0, timeout_ms);
}

/* ---- names ---- */

const char *
tls_version(const struct tls *t)
{
	if (!t->done)
		return NULL;
	return br_ssl_engine_get_version(t->eng) == BR_TLS12 ?
	    "TLSv1.2" : "TLS";
}

const char *
tls_cipher(const struct tls *t)
{
	static const struct {
		uint16_t	 id;
		const char	*name;
	} names[] = {
		{ BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
		    "ECDHE-RSA-AES128-GCM-SHA256" },
		{ BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
		    "ECDHE-RSA-AES256-GCM-SHA384" },
		{ BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
		    "ECDHE-RSA-CHACHA20-POLY1305" },
		{ BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
		    "ECDHE-ECDSA-AES128-GCM-SHA256" },
		{ BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
		    "ECDHE-ECDSA-AES256-GCM-SHA384" },
		{ BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
		    "ECDHE-ECDSA-CHACHA20-POLY1305" },
	};
	uint16_t	 id = t->eng->session.cipher_suite;

	if (!t->done)
		return NULL;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].id == id)
			return names[i].name;
	return NULL;
}

/* The alerts a handshake with us may end with, by name. */
static const char *
alert(int a)
{
	switch (a) {
	case 10:	return "unexpected_message";
	case 20:	return "bad_record_mac";
	case 40:	return "handshake_failure";
	case 42:	return "bad_certificate";
	case 47:	return "illegal_parameter";
	case 50:	return "decode_error";
	case 51:	return "decrypt_error";
	case 70:	return "protocol_version";
	case 71:	return "insufficient_security";
	case 80:	return "internal_error";
	case 112:	return "unrecognized_name";
	default:	return "alert";
	}
}

const char *
tls_strerror(const struct tls *t, char *buf, size_t n)
{
	static const struct {
		int		 err;
		const char	*what;
	} words[] = {
		{ BR_ERR_OK, "" },
		{ BR_ERR_UNSUPPORTED_VERSION, "no common protocol version" },
		{ BR_ERR_BAD_VERSION, "bad protocol version" },
		{ BR_ERR_BAD_CIPHER_SUITE, "no common cipher suite" },
		{ BR_ERR_NO_RANDOM, "no random seed" },
		{ BR_ERR_BAD_MAC, "bad record MAC" },
		{ BR_ERR_UNEXPECTED, "unexpected message" },
		{ BR_ERR_BAD_HANDSHAKE, "bad handshake message" },
		{ BR_ERR_BAD_FINISHED, "bad Finished message" },
		{ BR_ERR_TOO_LARGE, "record too large" },
		{ BR_ERR_IO, "connection lost" },
		{ BR_ERR_X509_NOT_TRUSTED, "certificate not trusted (unknown CA)" },
		{ BR_ERR_X509_BAD_SERVER_NAME,
		    "certificate does not match host name" },
		{ BR_ERR_X509_EXPIRED, "certificate expired or not yet valid" },
		{ BR_ERR_X509_TIME_UNKNOWN, "no time to check the certificate "
		    "dates against" },
		{ BR_ERR_X509_BAD_SIGNATURE, "certificate signature invalid" },
		{ BR_ERR_X509_UNSUPPORTED, "certificate with an algorithm we do "
		    "not have" },
		{ BR_ERR_X509_WEAK_PUBLIC_KEY, "certificate key too weak" },
		{ BR_ERR_X509_NOT_CA, "certificate issued by a non-CA" },
		{ BR_ERR_X509_FORBIDDEN_KEY_USAGE,
		    "certificate key usage forbids TLS" },
		{ BR_ERR_X509_CRITICAL_EXTENSION,
		    "certificate with an unknown critical extension" },
		{ BR_ERR_X509_DN_MISMATCH, "certificate chain out of order" },
		{ BR_ERR_X509_EMPTY_CHAIN, "no certificate sent" },
		{ BR_ERR_X509_LIMIT_EXCEEDED, "certificate chain too long" },
		{ BR_ERR_X509_WRONG_KEY_TYPE,
		    "certificate key of the wrong type for the suite" },
	};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (words[i].err == t->err) {
			snprintf(buf, n, "%s", words[i].what);
			return buf;
		}
	if (t->err > BR_ERR_X509_OK && t->err < BR_ERR_X509_OK + 32)
		snprintf(buf, n, "bad certificate (BearSSL error %d)", t->err);
	else if (t->err >= BR_ERR_SEND_FATAL_ALERT)
		snprintf(buf, n, "sent alert %d (%s)",
		    t->err - BR_ERR_SEND_FATAL_ALERT,
		    alert(t->err - BR_ERR_SEND_FATAL_ALERT));
	else if (t->err >= BR_ERR_RECV_FATAL_ALERT)
		snprintf(buf, n, "received alert %d (%s)",
		    t->err - BR_ERR_RECV_FATAL_ALERT,
		    alert(t->err - BR_ERR_RECV_FATAL_ALERT));
	else
		snprintf(buf, n, "BearSSL error %d", t->err);
	return buf;
}
