/*
 * The SMTP client: the other half of core/smtp.c (RFC 5321, with RFC 1870
 * SIZE, RFC 6152 8BITMIME, RFC 2920 PIPELINING, RFC 3207 STARTTLS, RFC
 * 4954 AUTH PLAIN and LOGIN, RFC 3461 DSN, RFC 6531 SMTPUTF8).  One
 * connection to one host: its greeting and EHLO, TLS and AUTH, then
 * transactions, each with one result per recipient.  Which hosts to try,
 * in what order, with what TLS policy and credentials, is the caller's
 * (core/remote.c); this module only speaks the protocol.
 *
 *	struct smtpc s;
 *	smtpc_connect(&s, sa, "mx1.example.org", c->smtp_timeout);
 *	smtpc_greeting(&s);	(smtpc_tls first for implicit TLS, port 465)
 *	smtpc_ehlo(&s, c->hostname);
 *	if (s.caps & SMTP_CAP_STARTTLS) smtpc_starttls(&s, anchors, name, helo);
 *	smtpc_send(&s, &tx);	... again for the next message ...
 *	smtpc_close(&s, 1);
 *
 * Every failure leaves "X.Y.Z text" in s.why, in the words Postfix uses
 * ("connect to mx1.example.org[192.0.2.1]:25: Connection refused", "host
 * mx1.example.org[192.0.2.1] said: 550 5.1.1 ... (in reply to RCPT TO
 * command)"), with the server's control characters shown as '?'.
 */
#ifndef HIKYAKU_SMTPC_H
#define HIKYAKU_SMTPC_H

#include <stddef.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "dsn.h"
#include "io.h"
#include "limits.h"
#include "smtp.h"

struct tls;
struct tls_anchors;

#define SMTPC_AUTH_PLAIN	0x1
#define SMTPC_AUTH_LOGIN	0x2

struct smtpc {
	int		 fd;
	struct io	*io;		/* on the heap: 32 KiB of buffers */
	struct tls	*tls;		/* on the heap while TLS is up */
	const time_t	*timeout;	/* SMTP_T_* seconds (conf.h) */
	char		 host[LIM_DOMAIN + 1];	/* as named: Remote-MTA */
	char		 peer[LIM_DOMAIN + 64];	/* "host[addr]:port" */
	int		 peerlen;	/* of its "host[addr]" */
	unsigned	 caps;		/* SMTP_CAP_* the server offers */
	unsigned	 auth;		/* SMTPC_AUTH_* it offers */
	off_t		 size;		/* its SIZE limit, 0: none given */
	int		 broken;	/* not to be used again */
	char		 why[LIM_ERR];	/* the last failure */
};

enum smtpc_res { SMTPC_NONE, SMTPC_OK, SMTPC_TEMP, SMTPC_PERM };

struct smtpc_rcpt {
	const char	*addr;
	unsigned	 notify;	/* DSN NOTIFY bits, 0: not given */
	const char	*orcpt;		/* "type;address" decoded, or NULL */
	enum smtpc_res	 res;		/* out */
	char		 why[LIM_ERR];	/* out: "X.Y.Z ..." or the 2xx reply */
};

struct smtpc_tx {
	const char	*sender;	/* "" for <> */
	enum dsn_ret	 ret;
	const char	*envid;		/* or NULL */
	int		 smtputf8;	/* the addresses need SMTPUTF8 */
	int		 eightbit;	/* the message has 8-bit octets */
	const char	*data;		/* the message, lines ending in LF */
	size_t		 len;
	struct smtpc_rcpt *rcpt;
	int		 nrcpt;
	int		 dsn;		/* out: the server took NOTIFY/ORCPT */
	int		 dot;		/* out: the final dot went out */
};

/*
 * Connect to sa (its port set) within smtp_connect_timeout; host names
 * it for the messages.  0, or -1 with why ("4.4.1 connect to ...").
 */
int	smtpc_connect(struct smtpc *s, const struct sockaddr *sa,
	    const char *host, const time_t *timeout);

/* The same on a descriptor already connected (a test's socket pair),
   named host; the descriptor is the session's from now on.  0, or -1
   with why. */
int	smtpc_attach(struct smtpc *s, int fd, const char *host,
	    const time_t *timeout);

/*
 * TLS now, as a client (after the 220 to STARTTLS, or before the
 * greeting for implicit TLS): anchors NULL takes any certificate,
 * else it must verify and match servername.  0, or -1 with why
 * ("4.7.5 TLS with host[addr]:port failed: certificate not trusted").
 */
int	smtpc_tls(struct smtpc *s, const struct tls_anchors *anchors,
	    const char *servername);

/* The 220.  0, or -1 with why (what the server said instead). */
int	smtpc_greeting(struct smtpc *s);

/* EHLO, or HELO when EHLO is refused; s->caps, auth and size from
   its reply.  0, or -1 with why. */
int	smtpc_ehlo(struct smtpc *s, const char *helo);

/* STARTTLS, smtpc_tls, then EHLO again.  0, or -1 with why. */
int	smtpc_starttls(struct smtpc *s, const struct tls_anchors *anchors,
	    const char *servername, const char *helo);

/* AUTH PLAIN, else LOGIN, whichever the server offers (only ever over
   TLS: refused with EPERM otherwise).  0, or -1 with why. */
int	smtpc_auth(struct smtpc *s, const char *user, const char *pass);

/*
 * One transaction: MAIL, the RCPTs, DATA and the message (its lines
 * sent as CRLF lines, dot-stuffed: a bare CR or LF never goes out),
 * pipelined when offered.  0 when every recipient has its result (a
 * reply: OK, TEMP or PERM); -1 when the session failed first (time
 * out, connection lost, 421): why says how, and tx->dot whether the
 * message may have been taken all the same.  A message over the
 * server's SIZE, or needing SMTPUTF8 it lacks, fails without MAIL.
 */
int	smtpc_send(struct smtpc *s, struct smtpc_tx *tx);

/* QUIT (when quit and the session is usable), TLS close_notify, close,
   free.  s may be used for smtpc_connect again. */
void	smtpc_close(struct smtpc *s, int quit);

/* "X.Y.Z" of a reply: its enhanced code when it has one of its class,
   else the default for the class and the command. */
void	smtpc_status(int code, const char *text, const char *dflt,
	    char *out, size_t len);

#endif
