/*
 * The SMTP protocol (RFC 5321, with RFC 1870 SIZE, RFC 6152 8BITMIME,
 * RFC 2920 PIPELINING, RFC 2034 ENHANCEDSTATUSCODES): the server
 * session state machine.  What is accepted is decided by the caller's
 * ops (the policy); this module only speaks the protocol.
 */
#ifndef HIKYAKU_SMTP_H
#define HIKYAKU_SMTP_H

#include <stddef.h>
#include <sys/types.h>

#include "io.h"

/*
 * Each op returns 0 to accept, or -1 to refuse with a full reply line
 * ("550 5.1.1 <x@y>: Recipient address rejected") written into reply
 * (without CRLF).  On accept, reply may be left empty for the default
 * ("250 2.1.0 Ok", ...) or set to a 2xx line.
 */
struct smtp_server_ops {
	int	(*helo)(void *ctx, const char *name, int esmtp,
		    char *reply, size_t len);
	/* addr is the canonical path from addr_parse_path, "" for <> */
	int	(*mail)(void *ctx, const char *addr, off_t size,
		    char *reply, size_t len);
	int	(*rcpt)(void *ctx, const char *addr, char *reply, size_t len);
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
	int				 max_rcpt;
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
