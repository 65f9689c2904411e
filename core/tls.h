/*
 * TLS with BearSSL: the certificate chain and key from PEM files, and a
 * server or client engine of our own profile (TLS 1.2 only; ECDHE with
 * AES-GCM or ChaCha20-Poly1305; no renegotiation) under a struct io.
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
 * The client, towards an MX host or a smarthost (trust anchors from
 * tls_anchors.h, loaded before privileges drop; NULL: no verification):
 *
 *	connect(fd, ...); ... 220, EHLO, "STARTTLS", 220 read in the clear
 *	tls_client_init(&t, anchors, "mx.example.org", fd);
 *	io_set_transport(io, &tls_transport, &t);
 *	tls_handshake(&t, timeout_ms);      EPROTO: tls_strerror says why
 *	tls_verified(&t) ...
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
#include "tls_anchors.h"

struct tls_creds {
	br_x509_certificate	 chain[LIM_TLS_CHAIN];	/* leaf first */
	size_t			 nchain;
	int			 keytype;	/* BR_KEYTYPE_RSA or _EC */
	br_rsa_private_key	 rsa;
	br_ec_private_key	 ec;
	size_t			 used;		/* bytes of der taken */
	unsigned char		 der[LIM_TLS_DER];
};

/* Without anchors: the leaf's key, taken whoever signed it. */
struct tls_x509_any {
	const br_x509_class	*vtable;
	br_x509_decoder_context	 dc;
	unsigned		 ncert;
};

/*
 * With anchors: BearSSL's minimal engine, given our own name to match
 * (the engine would give it none for an IP literal, sent without SNI).
 */
struct tls_x509_check {
	const br_x509_class	*vtable;
	br_x509_minimal_context	 m;
	const char		*name;
	int			 ok;	/* the last chain verified */
};

struct tls_client {
	br_ssl_client_context	 cc;
	union {
		struct tls_x509_any	 any;
		struct tls_x509_check	 check;
	} x;
	int			 verify;	/* x is check, not any */
	char			 name[LIM_DOMAIN + 1];
};

struct tls {
	union {				/* one side or the other */
		br_ssl_server_context	 sc;
		struct tls_client	 c;
	} u;
	br_ssl_engine_context	*eng;	/* that side's engine */
	int			 client;
	int			 fd;
	int			 err;	/* BearSSL's error once stopped */
	int			 eof;	/* the peer closed the connection */
	int			 done;	/* the handshake completed */
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
 * A client engine over the connected socket fd, its ClientHello ready
 * to go.  servername is sent as SNI (not when it is an IP literal) and,
 * with anchors a, matched against the certificate (SAN dNSName, with
 * wildcards; the subject's CN without SAN; an IP literal is matched as
 * a dNSName, as BearSSL has no iPAddress names, so it fails unless the
 * certificate names the address so).  a NULL: no verification, any
 * chain is taken and its leaf's key used.  a != NULL: the chain must
 * verify against a (kept by reference: a must outlive t) and match the
 * name, else the handshake fails with EPROTO and tls_strerror says why.
 * 0, or -1 with errno (EINVAL: no name with anchors, or a name over
 * LIM_DOMAIN; EIO: no random seed).
 */
int	tls_client_init(struct tls *t, const struct tls_anchors *a,
	    const char *servername, int fd);

/* After the handshake: 1 when the chain was verified (anchors given). */
int	tls_verified(const struct tls *t);

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
 * read (and a failure is told apart from a bad command).  A server
 * calls it after io_set_transport, which sends the "220 Ready to start
 * TLS" that the client waits for; a client after the server's 220 (or
 * right after connect, for implicit TLS on port 465).  0, or -1 with errno: ETIMEDOUT, ECONNRESET (the
 * peer went away), EPROTO (the handshake failed: tls_strerror says why).
 */
int	tls_handshake(struct tls *t, int timeout_ms);

/*
 * Send close_notify and push out what the engine holds, within
 * timeout_ms; the peer's close_notify is not waited for (SMTP has its
 * own end, QUIT).  Does not close fd.  0, or -1 with errno (EPIPE or
 * ECONNRESET when the peer has closed already, as a server may after
 * its 221: no harm then).
 */
int	tls_close(struct tls *t, int timeout_ms);

/*
 * For the Received: header and the log, once the handshake is done, in
 * OpenSSL's names as Postfix writes them: "TLSv1.2" and
 * "ECDHE-RSA-AES256-GCM-SHA384".  NULL before the handshake has
 * completed (and after one that failed).
 */
const char *tls_version(const struct tls *t);
const char *tls_cipher(const struct tls *t);

/* BearSSL's error of a failed engine in words ("" when none). */
const char *tls_strerror(const struct tls *t, char *buf, size_t n);

/* Inside core/tls*.c: the profile both sides set on their engine. */
void	tls_profile(br_ssl_engine_context *eng);

/*
 * Inside core/tls*.c: a PEM file read in pieces through BearSSL's
 * decoder (the chain and key here, the trust anchors in
 * tls_anchors.c).  object(ctx, pc, end) is called at each object's
 * start (end 0: it sets the decoder's destination by the object's
 * name) and end; check(ctx), when not NULL, after each event; both
 * return -1 with err set to stop.  in_object(ctx) says at the end of
 * the file whether an object was left open ("cut short").  Errors
 * name the setting and the file ("tls_ca /x: ...").  0, or -1.
 */
struct tls_pem_walk {
	const char	*what, *path;
	char		*err;
	size_t		 errlen;
	void		*ctx;
	int		(*object)(void *, br_pem_decoder_context *, int);
	int		(*check)(void *);
	int		(*in_object)(void *);
};
int	tls_pem_walk(const struct tls_pem_walk *pw);

#endif
