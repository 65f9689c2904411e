/*
 * The client side of core/tls: an engine of the same profile as the
 * server's (tls_profile), towards an MX host or a smarthost.
 *
 * The suites are the server's six: ECDHE signed with ECDSA or RSA
 * (PKCS#1 v1.5, SHA-256/384/512), AES-GCM or ChaCha20-Poly1305, in
 * that order of ours (a server that follows the client's order takes
 * AES-128-GCM).  Curves: tls_profile's.  The profile is set piece by
 * piece, not with br_ssl_client_init_full, which would link CBC, 3DES,
 * MD5 and the older versions.
 *
 * The server's certificate goes to one of two X.509 classes of ours:
 *
 *  - with trust anchors (tls = verify), BearSSL's minimal engine
 *    (chain up to an anchor, dates, key usage, SAN dNSName with
 *    wildcards), wrapped so that it is given our name to match: the
 *    engine hands the X.509 class the name it sent as SNI, which is
 *    none for an IP literal, and no name would mean no check.
 *    Certificate signatures: RSA and ECDSA with SHA-256/384/512.  Not
 *    SHA-1: the CAs stopped signing with it in 2016, and the
 *    intermediates they signed so have expired; a root's own SHA-1
 *    self-signature is never checked (an anchor is trusted as it is,
 *    and BearSSL stops at the first certificate an anchor signed).
 *
 *  - without (tls = may or encrypt: opportunistic, RFC 7435), a class
 *    that decodes the leaf and hands its key to the engine, whatever
 *    the rest of the chain, the dates or the names say.  The session
 *    is still encrypted against a passive listener; tls_verified says
 *    0.
 */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>

#include "tls.h"

static const uint16_t suites[] = {
	BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
};

/* ---- no verification: the leaf's key ---- */

static struct tls_x509_any *
any_of(const br_x509_class **ctx)
{
	return (struct tls_x509_any *)(void *)ctx;
}

static void
any_start_chain(const br_x509_class **ctx, const char *server_name)
{
	struct tls_x509_any	*x = any_of(ctx);

	(void)server_name;
	x->ncert = 0;
	br_x509_decoder_init(&x->dc, NULL, NULL);
}

static void
any_start_cert(const br_x509_class **ctx, uint32_t length)
{
	(void)ctx;
	(void)length;
}

static void
any_append(const br_x509_class **ctx, const unsigned char *buf, size_t len)
{
	struct tls_x509_any	*x = any_of(ctx);

	if (x->ncert == 0)	/* the leaf; the others are not looked at */
		br_x509_decoder_push(&x->dc, buf, len);
}

static void
any_end_cert(const br_x509_class **ctx)
{
	any_of(ctx)->ncert++;
}

static unsigned
any_end_chain(const br_x509_class **ctx)
{
	struct tls_x509_any	*x = any_of(ctx);
	int			 e;

	if (x->ncert == 0)
		return BR_ERR_X509_EMPTY_CHAIN;
	if (br_x509_decoder_get_pkey(&x->dc) != NULL)
		return 0;
	/* a key of a kind BearSSL has no code for, or not X.509 at all */
	e = br_x509_decoder_last_error(&x->dc);
	return e != 0 ? (unsigned)e : BR_ERR_X509_UNSUPPORTED;
}

static const br_x509_pkey *
any_get_pkey(const br_x509_class *const *ctx, unsigned *usages)
{
	struct tls_x509_any	*x = (struct tls_x509_any *)(void *)ctx;

	if (usages != NULL)
		*usages = BR_KEYTYPE_KEYX | BR_KEYTYPE_SIGN;
	return br_x509_decoder_get_pkey(&x->dc);
}

static const br_x509_class any_vtable = {
	sizeof(struct tls_x509_any),
	any_start_chain,
	any_start_cert,
	any_append,
	any_end_cert,
	any_end_chain,
	any_get_pkey,
};

/* ---- verification: br_x509_minimal, with our name ---- */

static struct tls_x509_check *
check_of(const br_x509_class **ctx)
{
	return (struct tls_x509_check *)(void *)ctx;
}

static void
check_start_chain(const br_x509_class **ctx, const char *server_name)
{
	struct tls_x509_check	*x = check_of(ctx);

	(void)server_name;	/* "" when no SNI was sent */
	x->ok = 0;
	x->m.vtable->start_chain(&x->m.vtable, x->name);
}

static void
check_start_cert(const br_x509_class **ctx, uint32_t length)
{
	struct tls_x509_check	*x = check_of(ctx);

	x->m.vtable->start_cert(&x->m.vtable, length);
}

static void
check_append(const br_x509_class **ctx, const unsigned char *buf,
    size_t len)
{
	struct tls_x509_check	*x = check_of(ctx);

	x->m.vtable->append(&x->m.vtable, buf, len);
}

static void
check_end_cert(const br_x509_class **ctx)
{
	struct tls_x509_check	*x = check_of(ctx);

	x->m.vtable->end_cert(&x->m.vtable);
}

static unsigned
check_end_chain(const br_x509_class **ctx)
{
	struct tls_x509_check	*x = check_of(ctx);
	unsigned		 r;

	r = x->m.vtable->end_chain(&x->m.vtable);
	x->ok = r == 0;
	return r;
}

static const br_x509_pkey *
check_get_pkey(const br_x509_class *const *ctx, unsigned *usages)
{
	const struct tls_x509_check *x =
	    (const struct tls_x509_check *)(const void *)ctx;

	return x->m.vtable->get_pkey(&x->m.vtable, usages);
}

static const br_x509_class check_vtable = {
	sizeof(struct tls_x509_check),
	check_start_chain,
	check_start_cert,
	check_append,
	check_end_cert,
	check_end_chain,
	check_get_pkey,
};

static void
check_init(struct tls_x509_check *x, const struct tls_anchors *a,
    const char *name)
{
	br_x509_minimal_context	*m = &x->m;

	br_x509_minimal_init(m, &br_sha256_vtable, a->v, a->n);
	br_x509_minimal_set_hash(m, br_sha256_ID, &br_sha256_vtable);
	br_x509_minimal_set_hash(m, br_sha384_ID, &br_sha384_vtable);
	br_x509_minimal_set_hash(m, br_sha512_ID, &br_sha512_vtable);
	br_x509_minimal_set_rsa(m, br_rsa_pkcs1_vrfy_get_default());
	br_x509_minimal_set_ecdsa(m, br_ec_get_default(),
	    br_ecdsa_vrfy_asn1_get_default());
	x->vtable = &check_vtable;
	x->name = name;
	x->ok = 0;
}

/* ---- the engine ---- */

/* An address rather than a name: "192.0.2.1", "2001:db8::1", "[...]". */
static int
is_literal(const char *name)
{
	struct in_addr	 in;

	return name[0] == '[' || strchr(name, ':') != NULL ||
	    inet_pton(AF_INET, name, &in) == 1;
}

/* servername into c->name, without a final dot: 0, or -1 (EINVAL). */
static int
set_name(struct tls_client *c, const char *servername, int verify)
{
	size_t	 len = servername == NULL ? 0 : strlen(servername);

	if (len > 0 && servername[len - 1] == '.')
		len--;		/* "mx.example.org." from DNS */
	if (len > LIM_DOMAIN || (verify && len == 0)) {
		errno = EINVAL;
		return -1;
	}
	if (len > 0)
		memcpy(c->name, servername, len);
	c->name[len] = '\0';
	return 0;
}

int
tls_client_init(struct tls *t, const struct tls_anchors *a,
    const char *servername, int fd)
{
	struct tls_client	*c = &t->u.c;
	br_ssl_engine_context	*eng = &c->cc.eng;

	br_ssl_client_zero(&c->cc);
	t->eng = eng;
	t->client = 1;
	t->fd = fd;
	t->err = 0;
	t->eof = 0;
	t->done = 0;
	if (set_name(c, servername, a != NULL) == -1)
		return -1;
	tls_profile(eng);
	br_ssl_engine_set_suites(eng, suites, sizeof(suites) /
	    sizeof(suites[0]));
	/* the ServerKeyExchange signature, RSA or ECDSA */
	br_ssl_client_set_default_rsapub(&c->cc);
	br_ssl_engine_set_default_rsavrfy(eng);
	br_ssl_engine_set_default_ecdsa(eng);
	c->verify = a != NULL;
	if (a != NULL) {
		check_init(&c->x.check, a, c->name);
		br_ssl_engine_set_x509(eng, &c->x.check.vtable);
	} else {
		c->x.any.vtable = &any_vtable;
		br_ssl_engine_set_x509(eng, &c->x.any.vtable);
	}
	br_ssl_engine_set_buffer(eng, t->iobuf, sizeof(t->iobuf), 1);
	if (!br_ssl_client_reset(&c->cc, c->name[0] == '\0' ||
	    is_literal(c->name) ? NULL : c->name, 0)) {
		t->err = br_ssl_engine_last_error(eng);
		errno = t->err == BR_ERR_NO_RANDOM ? EIO : EINVAL;
		return -1;
	}
	return 0;
}

int
tls_verified(const struct tls *t)
{
	/* a chain the check refused ends the handshake: done is not set */
	return t->client && t->done && t->u.c.verify && t->u.c.x.check.ok;
}
