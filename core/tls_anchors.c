/*
 * Trust anchors from a PEM bundle.
 *
 * The bundle is read in pieces through BearSSL's PEM decoder, each
 * certificate's DER going straight into an X.509 decoder that hands out
 * its subject DN as it goes; at the end of each certificate the DN and
 * the public key are copied into one heap block per anchor.  Nothing of
 * a certificate is kept but those: BearSSL's minimal X.509 engine needs
 * no more of an anchor.
 *
 * A system bundle holds certificates BearSSL may not decode (keys of a
 * kind it has no code for, encodings it refuses): those are skipped and
 * counted, as the others are still worth having.  A PEM error is not
 * skipped: a file damaged there may be damaged anywhere, and is better
 * refused at start-up than half used.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"
#include "str.h"
#include "tls.h"
#include "tls_anchors.h"

/* What a walk over the bundle keeps between the decoders' events. */
struct walk {
	const char		*path;
	char			*err;
	size_t			 errlen;
	struct tls_anchors	*a;
	int			 taking;	/* in a certificate */
	size_t			 dnlen;
	int			 dnover;	/* the DN ran over LIM_TLS_DN */
	unsigned char		 dn[LIM_TLS_DN];
	br_x509_decoder_context	 dc;
};

static void
to_dn(void *ctx, const void *p, size_t n)
{
	struct walk	*w = ctx;

	if (n > sizeof(w->dn) - w->dnlen) {
		w->dnover = 1;
		return;
	}
	memcpy(w->dn + w->dnlen, p, n);
	w->dnlen += n;
}

static void
to_x509(void *ctx, const void *p, size_t n)
{
	struct walk	*w = ctx;

	br_x509_decoder_push(&w->dc, p, n);
}

static void
to_nowhere(void *ctx, const void *p, size_t n)
{
	(void)ctx;
	(void)p;
	(void)n;
}

/* Room for one more anchor in a->v: 0, or -1 with errno. */
static int
grow(struct tls_anchors *a)
{
	br_x509_trust_anchor	*v;
	size_t			 cap;

	if (a->n < a->cap)
		return 0;
	cap = a->cap == 0 ? 64 : a->cap * 2;
	if (cap > LIM_TLS_ANCHORS)
		cap = LIM_TLS_ANCHORS;
	if ((v = realloc(a->v, cap * sizeof(*v))) == NULL)
		return -1;
	a->v = v;
	a->cap = cap;
	return 0;
}

/* The certificate just decoded, as an anchor (or skipped). */
static int
take(struct walk *w)
{
	struct tls_anchors	*a = w->a;
	const br_x509_pkey	*pk = br_x509_decoder_get_pkey(&w->dc);
	br_x509_trust_anchor	*ta;
	unsigned char		*p;
	size_t			 klen;

	if (pk == NULL || w->dnover || (pk->key_type != BR_KEYTYPE_RSA &&
	    pk->key_type != BR_KEYTYPE_EC)) {
		a->skipped++;
		return 0;
	}
	if (a->n == LIM_TLS_ANCHORS)
		return str_fail(w->err, w->errlen, E2BIG, "tls_ca %s: more "
		    "than %d certificates", w->path, LIM_TLS_ANCHORS);
	klen = pk->key_type == BR_KEYTYPE_RSA ?
	    pk->key.rsa.nlen + pk->key.rsa.elen : pk->key.ec.qlen;
	if (grow(a) == -1 || (p = malloc(w->dnlen + klen + 1)) == NULL)
		return str_fail(w->err, w->errlen, errno, "tls_ca %s: %s",
		    w->path, strerror(errno));
	ta = &a->v[a->n++];
	memset(ta, 0, sizeof(*ta));
	/* the block starts with the DN: tls_anchors_free frees dn.data */
	ta->dn.data = memcpy(p, w->dn, w->dnlen);
	ta->dn.len = w->dnlen;
	p += w->dnlen;
	ta->flags = BR_X509_TA_CA;
	ta->pkey.key_type = pk->key_type;
	if (pk->key_type == BR_KEYTYPE_RSA) {
		ta->pkey.key.rsa.n = memcpy(p, pk->key.rsa.n, pk->key.rsa.nlen);
		ta->pkey.key.rsa.nlen = pk->key.rsa.nlen;
		p += pk->key.rsa.nlen;
		ta->pkey.key.rsa.e = memcpy(p, pk->key.rsa.e, pk->key.rsa.elen);
		ta->pkey.key.rsa.elen = pk->key.rsa.elen;
	} else {
		ta->pkey.key.ec.curve = pk->key.ec.curve;
		ta->pkey.key.ec.q = memcpy(p, pk->key.ec.q, pk->key.ec.qlen);
		ta->pkey.key.ec.qlen = pk->key.ec.qlen;
	}
	return 0;
}

/* The start (end 0) or the end (end 1) of a PEM object. */
static int
object(struct walk *w, br_pem_decoder_context *pc, int end)
{
	const char	*name = br_pem_decoder_name(pc);

	if (end) {
		if (!w->taking)
			return 0;
		w->taking = 0;
		return take(w);
	}
	br_pem_decoder_setdest(pc, to_nowhere, NULL);
	if (strcmp(name, "CERTIFICATE") != 0 &&
	    strcmp(name, "X509 CERTIFICATE") != 0)
		return 0;	/* not ours: skipped */
	w->taking = 1;
	w->dnlen = 0;
	w->dnover = 0;
	br_x509_decoder_init(&w->dc, to_dn, w);
	br_pem_decoder_setdest(pc, to_x509, w);
	return 0;
}

static int
anchor_object(void *ctx, br_pem_decoder_context *pc, int end)
{
	return object(ctx, pc, end);
}

static int
anchor_in_object(void *ctx)
{
	return ((struct walk *)ctx)->taking;
}

int
tls_anchors_load(struct tls_anchors *a, const char *path, char *err,
    size_t errlen)
{
	struct tls_pem_walk	 pw = { "tls_ca", path, err, errlen, NULL,
				    anchor_object, NULL, anchor_in_object };
	struct walk		*w;
	int			 r = -1;

	memset(a, 0, sizeof(*a));
	/* the walk holds a DN buffer and an X.509 decoder: 2 KiB and more */
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return str_fail(err, errlen, errno, "tls_ca %s: %s", path,
		    strerror(errno));
	w->path = path;
	w->err = err;
	w->errlen = errlen;
	w->a = a;
	pw.ctx = w;
	if (tls_pem_walk(&pw) == -1)
		goto fail;
	if (a->n == 0 && a->skipped == 0) {
		str_fail(err, errlen, EINVAL, "tls_ca %s: no certificate in it",
		    path);
		goto fail;
	}
	if (a->n == 0) {
		str_fail(err, errlen, EINVAL, "tls_ca %s: no certificate "
		    "BearSSL can use in it (%zu skipped)", path, a->skipped);
		goto fail;
	}
	r = 0;
fail:
	free(w);
	if (r == -1) {
		int	 e = errno;

		tls_anchors_free(a);
		errno = e;
	}
	return r;
}

void
tls_anchors_free(struct tls_anchors *a)
{
	for (size_t i = 0; i < a->n; i++)
		free((void *)a->v[i].dn.data);
	free(a->v);
	memset(a, 0, sizeof(*a));
}
