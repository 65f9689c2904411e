/*
 * Trust anchors for verifying servers' certificates, from a PEM bundle
 * (tls_ca, as /etc/ssl/certs/ca-certificates.crt): each certificate's
 * subject DN and public key, on the heap, loaded before privileges drop.
 *
 *	struct tls_anchors a;
 *	tls_anchors_load(&a, "/etc/ssl/certs/ca-certificates.crt", err, n);
 *	tls_client_init(&t, &a, "mx.example.org", fd);   (core/tls.h)
 *	...
 *	tls_anchors_free(&a);
 */
#ifndef HIKYAKU_TLS_ANCHORS_H
#define HIKYAKU_TLS_ANCHORS_H

#include <stddef.h>
#include <bearssl.h>

struct tls_anchors {
	br_x509_trust_anchor	*v;
	size_t			 n;
	size_t			 skipped;	/* certificates BearSSL could
						   not take */
	size_t			 cap;		/* of v */
};

/*
 * Load every certificate of the PEM bundle at path as a trust anchor
 * (DN and RSA or EC public key, trusted as a CA whatever its own
 * extensions say).  Other PEM objects and text between them are
 * skipped; certificates BearSSL cannot decode (or whose key is neither
 * RSA nor EC) are skipped and counted in skipped.  A file with no
 * usable certificate is an error.  0, or -1 with errno and err naming
 * the setting and the file: "tls_ca /x: no certificate in it",
 * "tls_ca /x: No such file or directory".  On failure *a is empty.
 */
int	tls_anchors_load(struct tls_anchors *a, const char *path, char *err,
	    size_t errlen);

/* Free what tls_anchors_load took; *a is empty after (freeing twice is
   harmless). */
void	tls_anchors_free(struct tls_anchors *a);

#endif
