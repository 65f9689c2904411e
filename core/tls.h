/*
 * TLS with BearSSL: the certificate chain and key from PEM files, and a
 * server engine of our own profile (TLS 1.2 only; ECDHE with AES-GCM or
 * ChaCha20-Poly1305; no renegotiation) under a struct io.
 *
 *	struct tls_creds cr;	loaded before privileges are dropped
 *	struct tls t;		one per connection, caller-allocated
 *
 *	tls_creds_load(&cr, "/etc/ssl/mx.pem", "/etc/ssl/mx.key", err, n);
 *	...
 *	io_printf(io, "220 2.0.0 Ready to start TLS\r\n");
 *	tls_server_init(&t, &cr, fd);
 *	io_set_transport(io, &tls_transport, &t);   (flushes the 220)
 *	tls_handshake(&t, timeout_ms);              (optional, see below)
 *	... io_getline(io, ...) now reads through TLS ...
 *	tls_close(&t, timeout_ms);
 *
 * Nothing here allocates: the engine, its 33 KiB of record buffers and
 * the DER of the chain and key live in the caller's structs.
 */
#ifndef HIKYAKU_TLS_H
#define HIKYAKU_TLS_H

#include <stddef.h>
#include <bearssl.h>

#include "io.h"
#include "limits.h"

struct tls_creds {
	br_x509_certificate	 chain[LIM_TLS_CHAIN];	/* leaf first */
	size_t			 nchain;
	int			 keytype;	/* BR_KEYTYPE_RSA or _EC */
	br_rsa_private_key	 rsa;
	br_ec_private_key	 ec;
	size_t			 used;		/* bytes of der taken */
	unsigned char		 der[LIM_TLS_DER];
};

struct tls {
	br_ssl_server_context	 sc;
	int			 fd;
	int			 err;	/* BearSSL's error once stopped */
	int			 eof;	/* the peer closed the connection */
	unsigned char		 iobuf[BR_SSL_BUFSIZE_BIDI];
};

/*
 * Load the PEM chain in certfile (the server's certificate first; other
 * PEM objects are skipped) and the PEM private key in keyfile (PKCS#1
 * RSA, SEC1 EC, or unencrypted PKCS#8 of either), and check that the key
 * is the one the first certificate was made for.  0, or -1 with errno and
 * a message in err naming the file as the settings do: "tls_cert /x: no
 * certificate in it", "tls_key /y does not match the certificate".
 */
int	tls_creds_load(struct tls_creds *c, const char *certfile,
	    const char *keyfile, char *err, size_t errlen);

/*
 * A server engine over the socket fd with credentials c (kept by
 * reference: c must outlive t), ready for the client's hello.
 * 0, or -1 with errno (EINVAL: a key BearSSL refused; EIO: no random
 * seed).
 */
int	tls_server_init(struct tls *t, const struct tls_creds *c, int fd);

/*
 * The io transport over a struct tls (as ctx).  The handshake runs
 * inside the first reads and writes if tls_handshake was not called;
 * a failed handshake is then a read or write error (EPROTO, or
 * ECONNRESET when the peer went away).  End of file is the peer's
 * close_notify or its closing the connection.
 */
extern const struct io_transport tls_transport;

/*
 * Run the handshake to its end now, within timeout_ms (<= 0: none), so
 * that the version and the suite are known before the first command is
 * read (and a failure is told apart from a bad command).  Call it after
 * io_set_transport, which sends the "220 Ready to start TLS" that the
 * client waits for.  0, or -1 with errno: ETIMEDOUT, ECONNRESET (the
 * peer went away), EPROTO (the handshake failed: tls_strerror says why).
 */
int	tls_handshake(struct tls *t, int timeout_ms);

/*
 * Send close_notify and push out what the engine holds, within
 * timeout_ms; the peer's close_notify is not waited for (SMTP has its
 * own end, QUIT).  Does not close fd.  0, or -1 with errno.
 */
int	tls_close(struct tls *t, int timeout_ms);

/*
 * For the Received: header and the log, once the handshake is done, in
 * OpenSSL's names as Postfix writes them: "TLSv1.2" and
 * "ECDHE-RSA-AES256-GCM-SHA384".  NULL before the handshake.
 */
const char *tls_version(const struct tls *t);
const char *tls_cipher(const struct tls *t);

/* BearSSL's error of a failed engine in words ("" when none). */
const char *tls_strerror(const struct tls *t, char *buf, size_t n);

#endif
