/*
 * The SMTP protocol (RFC 5321, with RFC 1870 SIZE, RFC 6152 8BITMIME,
 * RFC 2920 PIPELINING, RFC 2034 ENHANCEDSTATUSCODES, RFC 3207 STARTTLS,
 * RFC 4954 AUTH PLAIN and LOGIN, RFC 3030 CHUNKING, RFC 3461 DSN,
 * RFC 6531 SMTPUTF8): the server session state machine.
 * What is offered and accepted is decided by the caller's ops and caps
 * (the policy, core/session.c); this module only speaks the protocol.
 */
#ifndef HIKYAKU_SMTP_H
#define HIKYAKU_SMTP_H

#include <stddef.h>
#include <sys/types.h>

#include "dsn.h"
#include "io.h"
#include "limits.h"

/* What EHLO offers; the reply is built from these, in this order. */
#define SMTP_CAP_PIPELINING	0x01
#define SMTP_CAP_SIZE		0x02
#define SMTP_CAP_STARTTLS	0x04	/* never offered once under TLS */
#define SMTP_CAP_AUTH		0x08	/* AUTH PLAIN LOGIN */
#define SMTP_CAP_ENHANCED	0x10	/* ENHANCEDSTATUSCODES */
#define SMTP_CAP_8BITMIME	0x20
#define SMTP_CAP_CHUNKING	0x40	/* BDAT (RFC 3030) */
#define SMTP_CAP_DSN		0x80	/* RET ENVID, NOTIFY ORCPT (RFC 3461) */
#define SMTP_CAP_SMTPUTF8	0x100	/* UTF-8 addresses (RFC 6531) */
#define SMTP_CAPS_BASE		(SMTP_CAP_PIPELINING | SMTP_CAP_SIZE | \
				 SMTP_CAP_ENHANCED | SMTP_CAP_8BITMIME | \
				 SMTP_CAP_DSN | SMTP_CAP_SMTPUTF8 | \
				 SMTP_CAP_CHUNKING)

/*
 * The parameters of MAIL FROM and RCPT TO, checked (a bad, unknown or
 * repeated one is refused before any op sees the command); what was
 * not given is 0 or "".  They are taken only after EHLO, and the DSN
 * and SMTPUTF8 ones only while offered.
 */
struct smtp_mail_params {
	off_t		 size;		/* SIZE, within max_size */
	enum dsn_ret	 ret;		/* RET */
	char		 envid[LIM_DSN_ENVID + 1];	/* ENVID, decoded */
	int		 smtputf8;	/* SMTPUTF8: the addresses of this
					   transaction may hold UTF-8 */
};

struct smtp_rcpt_params {
	unsigned	 notify;	/* NOTIFY: DSN_NOTIFY_* bits */
	char		 orcpt[LIM_DSN_ORCPT + 1];	/* ORCPT "type;address",
							   decoded */
};

/*
 * Each op returns 0 to accept, or -1 to refuse with a full reply line
 * ("550 5.1.1 <x@y>: Recipient address rejected") written into reply
 * (without CRLF).  On accept, reply may be left empty for the default
 * ("250 2.1.0 Ok", ...) or set to a 2xx line.  Any op may be NULL.
 */
struct smtp_server_ops {
	/* before the greeting: -1 sends the reply (421, 554) and ends */
	int	(*connect)(void *ctx, char *reply, size_t len);
	int	(*helo)(void *ctx, const char *name, int esmtp,
		    char *reply, size_t len);
	/* after "220 Ready to start TLS" went out: switch the session's io
	   to TLS (0; the session forgets HELO and the transaction, and
	   stops offering STARTTLS), or -1 (the connection ends: the client
	   expects TLS now) */
	int	(*starttls)(void *ctx);
	/* a user and password from AUTH PLAIN or LOGIN: 0 accepted (235),
	   -1 refused (the reply, or 535 5.7.8) */
	int	(*auth)(void *ctx, const char *user, const char *pass,
		    char *reply, size_t len);
	/* addr is the canonical path from addr_parse_path, "" for <>;
	   with SMTPUTF8 it may hold UTF-8 (the recipients' too) */
	int	(*mail)(void *ctx, const char *addr,
		    const struct smtp_mail_params *p, char *reply, size_t len);
	int	(*rcpt)(void *ctx, const char *addr,
		    const struct smtp_rcpt_params *p, char *reply, size_t len);
	int	(*data_begin)(void *ctx, char *reply, size_t len);
	/* one unstuffed line without its CRLF; -1: refuse the message (the
	   session reads on to the final dot, then calls data_end(ok = 0)) */
	int	(*data_line)(void *ctx, const char *line, size_t len);
	/* ok = 0: the message was refused or broken; the op cleans up and
	   writes the reply to give (or leaves it empty for the session's) */
	int	(*data_end)(void *ctx, int ok, char *reply, size_t len);
	void	(*rset)(void *ctx);
};

struct smtp_server {
	struct io			*io;
	const char			*hostname;	/* greeting and EHLO */
	off_t				 max_size;	/* SIZE, and the DATA limit */
	unsigned			 caps;		/* SMTP_CAP_*; the policy may
							   change them in its ops */
	int				 tls;		/* the transport is TLS */
	const struct smtp_server_ops	*ops;
	void				*ctx;
	int				 max_errors;	/* then 421; 0: 20 */
};

/*
 * Run one session on s->io: the 220 greeting, then commands until QUIT
 * (returns 0), end of input, a timeout or a write error (returns -1).
 */
int	smtp_server_run(struct smtp_server *s);

#endif
