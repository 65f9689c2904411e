/*
 * The SMTP server session (RFC 5321), with SIZE (RFC 1870), 8BITMIME
 * (RFC 6152), PIPELINING (RFC 2920), ENHANCEDSTATUSCODES (RFC 2034,
 * codes from RFC 3463), DSN (RFC 3461) and SMTPUTF8 (RFC 6531).  The
 * policy is the caller's ops; this file only speaks the protocol, and
 * speaks it strictly:
 *
 * - A command line must end in CRLF.  One ended by a bare LF, over
 *   LIM_SMTP_CMD octets (CRLF included), or holding a NUL byte is
 *   answered with 500 and not executed.
 * - Each command's place in the dialogue is data (the table at the end:
 *   what state it needs, which capability must have been offered); one
 *   out of sequence gets 503, one not offered 502.
 * - HELO or EHLO must come before MAIL (RFC 5321 4.1.4 puts that on
 *   the client; we hold it to it, as Postfix does with
 *   smtpd_helo_required): the name goes into the Received: field, so a
 *   transaction without one is refused with 503.
 * - DATA ends only at "." CRLF right after a CRLF (or as the first data
 *   line).  "\n.\n", "\r\n.\n" and "\n.\r\n" are data; any bare LF or
 *   bare CR in the data refuses the whole message (RFC 5321 2.3.8), and
 *   so does a NUL byte, so that no other server's idea of the end can be
 *   smuggled past us.  A
 *   text line over LIM_SMTP_TEXT octets (CRLF included), or a message
 *   over max_size, is read to its real end and refused then.
 * - After DATA, whatever its outcome, ops->rset clears the transaction.
 * - STARTTLS (RFC 3207): after the 220, whatever the client sent in the
 *   same packet is never read as a command (the io refuses to switch
 *   with input buffered, and the session ends); after the handshake the
 *   session starts over, as if no EHLO had been given.
 * - AUTH (RFC 4954): PLAIN and LOGIN, with or without an initial
 *   response; "*" cancels; once authenticated, never again (503).
 * - MAIL and RCPT parameters (SIZE, BODY; DSN's RET, ENVID, NOTIFY,
 *   ORCPT; SMTPUTF8) are taken only after EHLO, and DSN's and SMTPUTF8
 *   only while offered: otherwise, or unknown, 555.  One given twice,
 *   without the value it needs, with one it does not take, or with a
 *   bad value (malformed xtext, an ENVID over 100 octets, NOTIFY=NEVER
 *   with another) is 501 5.5.4, naming it.  The ops see the values
 *   checked and decoded, never the command.
 * - Addresses are ASCII unless MAIL carried SMTPUTF8: a non-ASCII one
 *   without it is 553 5.6.7 (RFC 6531 3.7.4.1 and RFC 5248); with it,
 *   one that is not well-formed UTF-8 or holds a control character (C1
 *   included) is 553 5.1.7 (sender) or 553 5.1.3 (recipient).  Any
 *   other fault of a path is 501 5.5.4, as before SMTPUTF8.
 * - Every 5xx reply counts as an error; at max_errors the session ends
 *   with 421.  4xx replies are not counted: a client told "452 too many
 *   recipients" is doing nothing wrong by going on.
 *
 * Replies are buffered and pushed out before any read that would
 * block, which is all PIPELINING asks of a server.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "buf.h"
#include "limits.h"
#include "mime.h"
#include "smtp.h"
#include "str.h"

#define DEFAULT_MAX_ERRORS	20

enum { GO_ON = 0, GO_QUIT = 1, GO_END = -1 };

/* What became of a message as its lines came (DATA, or BDAT chunks). */
struct dstate {
	int	 prev_crlf;	/* the line before ended in CRLF */
	int	 bare;		/* a bare LF or CR was seen */
	int	 toolong;	/* a line over LIM_SMTP_TEXT */
	int	 oversize;	/* over max_size */
	int	 refused;	/* data_line said no */
	int	 nul;		/* a NUL byte was seen */
	off_t	 size;
};

/* A BDAT transaction: its message state, and the line being put
   together across chunks (a line may be split anywhere, CRLF too). */
struct chunks {
	int		 on;		/* BDAT was used in this transaction */
	int		 failed;	/* data_begin said no: refuse the rest */
	char		 why[LIM_SMTP_REPLY];	/* ... with its reply */
	struct dstate	 d;
	char		 line[LIM_SMTP_TEXT];
	size_t		 len;
	int		 over;		/* the line passed LIM_SMTP_TEXT */
	int		 cr;		/* its last octet so far is a CR */
};


struct sess {
	struct smtp_server	*s;
	struct io		*io;
	int			 helo;		/* 0, or 1 HELO, 2 EHLO */
	int			 mail;		/* a transaction is open */
	int			 utf8;		/* ... with SMTPUTF8 */
	int			 nrcpt;
	int			 errors;
	int			 max_errors;
	int			 authed;	/* AUTH succeeded */
	struct chunks		 bdat;
	int			 end;		/* 421 sent, or a write failed */
	char			 reply[LIM_SMTP_REPLY];
};

/* What a command needs before it may run. */
enum need {
	NEED_NONE,		/* anywhere */
	NEED_HELO,		/* after HELO/EHLO, outside a transaction */
	NEED_MAIL,		/* inside a transaction */
	NEED_RCPT		/* inside one with a recipient */
};

struct cmd {
	const char	*name;
	int		(*fn)(struct sess *, char *);
	enum need	 need;
	unsigned	 cap;		/* must have been offered, or 0 */
};

/*
 * Send one reply line.  Op-written text is cut at any CR or LF so that
 * a policy cannot inject a second reply.  5xx counts as an error; 421
 * ends the session.
 */
static int
reply(struct sess *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
reply(struct sess *st, const char *fmt, ...)
{
	char	 line[LIM_SMTP_REPLY - 2];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	line[strcspn(line, "\r\n")] = '\0';
	if (io_printf(st->io, "%s\r\n", line) == -1) {
		st->end = 1;
		return GO_END;
	}
	/* 421 closes the channel (RFC 5321 3.8), whoever chose it: a
	   policy that ends a session answers with one */
	if (strncmp(line, "421", 3) == 0) {
		io_flush(st->io);
		st->end = 1;
		return GO_END;
	}
	if (line[0] == '5' && ++st->errors >= st->max_errors) {
		io_printf(st->io, "421 4.7.0 %s Error: too many errors\r\n",
		    st->s->hostname);
		io_flush(st->io);
		st->end = 1;
		return GO_END;
	}
	return GO_ON;
}

/*
 * The reply for an op's answer: its own line when it wrote a sensible
 * one (2xx for accept, 4xx/5xx for refuse), else the default.
 */
static int
op_reply(struct sess *st, int r, const char *def_ok, const char *def_no)
{
	const char	*t = st->reply;
	int		 good;

	good = isdigit((unsigned char)t[0]) && isdigit((unsigned char)t[1]) &&
	    isdigit((unsigned char)t[2]) && (t[3] == ' ' || t[3] == '\0');
	if (r == 0)
		good = good && t[0] == '2';
	else
		good = good && (t[0] == '4' || t[0] == '5');
	return reply(st, "%s", good ? t : r == 0 ? def_ok : def_no);
}

static void
reset(struct sess *st)
{
	const struct smtp_server_ops *ops = st->s->ops;

	/* a BDAT transaction that never got its LAST: the op cleans up */
	if (st->bdat.on && !st->bdat.failed && ops->data_end != NULL)
		ops->data_end(st->s->ctx, 0, st->reply, sizeof(st->reply));
	st->mail = 0;
	st->utf8 = 0;
	st->nrcpt = 0;
	memset(&st->bdat, 0, sizeof(st->bdat));
	if (st->s->ops->rset != NULL)
		st->s->ops->rset(st->s->ctx);
}

static char *
skip_sp(char *p)
{
	while (*p == ' ')
		p++;
	return p;
}

/* What is offered now: the policy's caps, STARTTLS never under TLS. */
static unsigned
offered(const struct sess *st)
{
	unsigned	 caps = st->s->caps;

	if (st->s->tls)
		caps &= ~SMTP_CAP_STARTTLS;
	if (st->authed)
		caps &= ~SMTP_CAP_AUTH;
	return caps;
}

/* The EHLO reply, one line per capability offered, the last "250 ". */
static int
ehlo_reply(struct sess *st)
{
	char		 line[LIM_SMTP_REPLY], lines[10][64];
	unsigned	 caps = offered(st);
	int		 n = 0;

	if (caps & SMTP_CAP_PIPELINING)
		snprintf(lines[n++], sizeof(lines[0]), "PIPELINING");
	if ((caps & SMTP_CAP_SIZE) && st->s->max_size > 0)
		snprintf(lines[n++], sizeof(lines[0]), "SIZE %lld",
		    (long long)st->s->max_size);
	else if (caps & SMTP_CAP_SIZE)
		snprintf(lines[n++], sizeof(lines[0]), "SIZE");
	if (caps & SMTP_CAP_STARTTLS)
		snprintf(lines[n++], sizeof(lines[0]), "STARTTLS");
	if (caps & SMTP_CAP_AUTH)
		snprintf(lines[n++], sizeof(lines[0]), "AUTH PLAIN LOGIN");
	if (caps & SMTP_CAP_ENHANCED)
		snprintf(lines[n++], sizeof(lines[0]), "ENHANCEDSTATUSCODES");
	if (caps & SMTP_CAP_8BITMIME)
		snprintf(lines[n++], sizeof(lines[0]), "8BITMIME");
	if (caps & SMTP_CAP_DSN)
		snprintf(lines[n++], sizeof(lines[0]), "DSN");
	if (caps & SMTP_CAP_SMTPUTF8)
		snprintf(lines[n++], sizeof(lines[0]), "SMTPUTF8");
	if (caps & SMTP_CAP_CHUNKING)
		snprintf(lines[n++], sizeof(lines[0]), "CHUNKING");
	snprintf(line, sizeof(line), "%s", st->s->hostname);
	for (int i = 0; i < n; i++) {
		if (io_printf(st->io, "250-%s\r\n", line) == -1) {
			st->end = 1;
			return GO_END;
		}
		snprintf(line, sizeof(line), "%.63s", lines[i]);
	}
	return reply(st, "250 %s", line);
}

static int
c_helo_common(struct sess *st, char *arg, int esmtp)
{
	const struct smtp_server_ops *ops = st->s->ops;
	char	*name = skip_sp(arg), *e;
	int	 r = 0;

	for (e = name + strlen(name); e > name && e[-1] == ' '; e--)
		;
	*e = '\0';
	if (*name == '\0')
		return reply(st, "501 5.5.4 Syntax: %s hostname",
		    esmtp ? "EHLO" : "HELO");
	for (e = name; *e != '\0'; e++)
		if (!isprint((unsigned char)*e))
			return reply(st, "501 5.5.4 Invalid %s name",
			    esmtp ? "EHLO" : "HELO");
	reset(st);
	st->reply[0] = '\0';
	if (ops->helo != NULL)
		r = ops->helo(st->s->ctx, name, esmtp, st->reply,
		    sizeof(st->reply));
	if (r == -1)
		return op_reply(st, r, "", "550 5.7.1 Rejected");
	st->helo = esmtp ? 2 : 1;
	if (!esmtp)
		return reply(st, "250 %s", st->s->hostname);
	return ehlo_reply(st);
}

static int
c_helo(struct sess *st, char *arg)
{
	return c_helo_common(st, arg, 0);
}

static int
c_ehlo(struct sess *st, char *arg)
{
	return c_helo_common(st, arg, 1);
}

/*
 * "FROM:<path> params" (the keyword given): split off the path, which
 * may hold quoted '>' and spaces, and leave *rest at the parameters.
 * Spaces after the colon are tolerated, as every MTA does.  0 or -1.
 */
static int
split_path(char *arg, const char *kw, char **path, char **rest)
{
	size_t	 kl = strlen(kw);
	char	*p;
	int	 q = 0;

	if (strncasecmp(arg, kw, kl) != 0)
		return -1;
	p = skip_sp(arg + kl);
	if (*p != '<')
		return -1;
	*path = p;
	for (p++; *p != '\0'; p++) {
		if (q && *p == '\\' && p[1] != '\0')
			p++;
		else if (*p == '"')
			q = !q;
		else if (!q && *p == '>')
			break;
	}
	if (*p != '>')
		return -1;
	p++;
	if (*p != '\0' && *p != ' ')
		return -1;
	if (*p == ' ')
		*p++ = '\0';
	*rest = skip_sp(p);
	return 0;
}

/* SIZE=digits; -1 on a bad value. */
static int
parse_size(const char *v, off_t *out)
{
	off_t	 n = 0;

	if (*v == '\0')
		return -1;
	for (; *v != '\0'; v++) {
		if (!isdigit((unsigned char)*v))
			return -1;
		if (n > ((off_t)1 << 62) / 10)
			return -1;
		n = n * 10 + (*v - '0');
	}
	*out = n;
	return 0;
}

/* ---- the parameters of MAIL and RCPT ---- */

enum pid { P_SIZE, P_BODY, P_RET, P_ENVID, P_SMTPUTF8, P_NOTIFY, P_ORCPT };

/* Each parameter: its command (RCPT or MAIL), whether it takes a value,
   and the capability that must be offered for it (0: any, after EHLO). */
static const struct param {
	const char	*name;
	enum pid	 id;
	int		 rcpt;
	int		 value;
	unsigned	 cap;
} params[] = {
	{ "SIZE",	P_SIZE,		0, 1, 0 },
	{ "BODY",	P_BODY,		0, 1, 0 },
	{ "RET",	P_RET,		0, 1, SMTP_CAP_DSN },
	{ "ENVID",	P_ENVID,	0, 1, SMTP_CAP_DSN },
	{ "SMTPUTF8",	P_SMTPUTF8,	0, 0, SMTP_CAP_SMTPUTF8 },
	{ "NOTIFY",	P_NOTIFY,	1, 1, SMTP_CAP_DSN },
	{ "ORCPT",	P_ORCPT,	1, 1, SMTP_CAP_DSN },
};

typedef int	 param_fn(struct sess *, const struct param *, const char *,
		    void *, char *, size_t);

/*
 * Split the next "KEYWORD[=value]" off *p (*v NULL without '='): its
 * entry, or NULL when this command does not take it here (unknown,
 * after HELO, not offered).
 */
static const struct param *
next_param(const struct sess *st, char **p, int rcpt, char **kw, char **v)
{
	*kw = *p;
	*p += strcspn(*p, " ");
	if (**p != '\0')
		*(*p)++ = '\0';
	if ((*v = strchr(*kw, '=')) != NULL)
		*(*v)++ = '\0';
	if (st->helo != 2)
		return NULL;
	for (size_t i = 0; i < sizeof(params) / sizeof(params[0]); i++)
		if (params[i].rcpt == rcpt &&
		    strcasecmp(*kw, params[i].name) == 0 && (params[i].cap == 0
		    || (offered(st) & params[i].cap)))
			return &params[i];
	return NULL;
}

/*
 * A command's parameters, each known here, given once, with a value
 * when it takes one, then handed to fn to check and keep in out.  0;
 * or -1 when one was refused: the reply has been sent, its GO_ code is
 * in *r.
 */
static int
walk_params(struct sess *st, char *p, int rcpt, param_fn *fn, void *out,
    int *r)
{
	const struct param	*d;
	char			*kw, *v, why[LIM_SMTP_REPLY];
	unsigned		 seen = 0;

	while (*(p = skip_sp(p)) != '\0') {
		if ((d = next_param(st, &p, rcpt, &kw, &v)) == NULL)
			*r = reply(st, "555 5.5.4 Unsupported parameter %.64s",
			    kw);
		else if (seen & (1u << d->id))
			*r = reply(st, "501 5.5.4 Repeated %s parameter",
			    d->name);
		else if (d->value != (v != NULL))
			*r = reply(st, "501 5.5.4 %s parameter %s", d->name,
			    d->value ? "needs a value" : "takes no value");
		else if (fn(st, d, v, out, why, sizeof(why)) == -1)
			*r = reply(st, "%s", why);
		else {
			seen |= 1u << d->id;
			continue;
		}
		return -1;
	}
	return 0;
}

/* One MAIL parameter into the struct smtp_mail_params at out. */
static int
mail_param(struct sess *st, const struct param *d, const char *v, void *out,
    char *why, size_t len)
{
	struct smtp_mail_params	*mp = out;
	int			 ret;

	switch (d->id) {
	case P_SIZE:
		if (parse_size(v, &mp->size) == -1)
			return str_fail(why, len, EINVAL, "501 5.5.4 Bad SIZE "
			    "value");
		if (st->s->max_size > 0 && mp->size > st->s->max_size)
			return str_fail(why, len, EINVAL, "552 5.3.4 Message "
			    "size exceeds fixed limit");
		return 0;
	case P_BODY:
		if (strcasecmp(v, "7BIT") != 0 && strcasecmp(v, "8BITMIME") != 0)
			return str_fail(why, len, EINVAL, "501 5.5.4 Bad BODY "
			    "value");
		return 0;
	case P_RET:
		if ((ret = dsn_ret_parse(v)) == -1)
			return str_fail(why, len, EINVAL, "501 5.5.4 Bad RET "
			    "parameter value (FULL or HDRS)");
		mp->ret = (enum dsn_ret)ret;
		return 0;
	case P_ENVID:
		if (dsn_envid_parse(v, mp->envid, sizeof(mp->envid)) == -1)
			return str_fail(why, len, EINVAL, errno == ERANGE ?
			    "501 5.5.4 ENVID parameter over %d octets" :
			    "501 5.5.4 Bad ENVID parameter value (xtext of "
			    "printable ASCII)", LIM_DSN_ENVID);
		return 0;
	case P_SMTPUTF8:
		mp->smtputf8 = 1;
		return 0;
	default:
		return str_fail(why, len, EINVAL, "555 5.5.4 Unsupported "
		    "parameter %s", d->name);
	}
}

/* One RCPT parameter into the struct smtp_rcpt_params at out. */
static int
rcpt_param(struct sess *st, const struct param *d, const char *v, void *out,
    char *why, size_t len)
{
	struct smtp_rcpt_params	*rp = out;

	(void)st;
	switch (d->id) {
	case P_NOTIFY:
		if (dsn_notify_parse(v, &rp->notify) == -1)
			return str_fail(why, len, EINVAL, "501 5.5.4 Bad NOTIFY "
			    "parameter value (NEVER, or SUCCESS, FAILURE, "
			    "DELAY)");
		return 0;
	case P_ORCPT:
		if (dsn_orcpt_parse(v, rp->orcpt, sizeof(rp->orcpt)) == -1)
			return str_fail(why, len, EINVAL, errno == ERANGE ?
			    "501 5.5.4 ORCPT parameter over %d octets" :
			    "501 5.5.4 Bad ORCPT parameter value (addr-type;"
			    "xtext)", LIM_DSN_ORCPT);
		return 0;
	default:
		return str_fail(why, len, EINVAL, "555 5.5.4 Unsupported "
		    "parameter %s", d->name);
	}
}

/*
 * A path addr_parse_path refused (errno as it left it): not ASCII
 * without SMTPUTF8, or not UTF-8 text with it (553, code 5.1.7 for the
 * sender, 5.1.3 for a recipient); any other fault is a syntax error.
 */
static int
path_refused(struct sess *st, int utf8, const char *code, const char *err)
{
	if (errno != EILSEQ)
		return reply(st, "501 5.5.4 %s", err);
	if (!utf8)
		return reply(st, "553 5.6.7 Non-ASCII addresses require the "
		    "SMTPUTF8 extension");
	return reply(st, "553 %s %s", code, err);
}

static int
c_mail(struct sess *st, char *arg)
{
	const struct smtp_server_ops *ops = st->s->ops;
	struct smtp_mail_params	 mp;
	char			 addr[LIM_ADDR], err[LIM_ERR], *path, *rest;
	int			 r = 0;

	if (split_path(arg, "FROM:", &path, &rest) == -1)
		return reply(st, "501 5.5.4 Syntax: MAIL FROM:<address>");
	/* the parameters first: SMTPUTF8 says how to read the path */
	memset(&mp, 0, sizeof(mp));
	if (walk_params(st, rest, 0, mail_param, &mp, &r) == -1)
		return r;
	if (addr_parse_path(path, ADDR_NULL_OK | (mp.smtputf8 ? ADDR_UTF8 :
	    0), addr, sizeof(addr), err, sizeof(err)) == -1)
		return path_refused(st, mp.smtputf8, "5.1.7", err);
	st->reply[0] = '\0';
	if (ops->mail != NULL)
		r = ops->mail(st->s->ctx, addr, &mp, st->reply,
		    sizeof(st->reply));
	if (r == 0) {
		st->mail = 1;
		st->utf8 = mp.smtputf8;
	}
	return op_reply(st, r, "250 2.1.0 Ok", "550 5.7.1 Sender rejected");
}

static int
c_rcpt(struct sess *st, char *arg)
{
	const struct smtp_server_ops *ops = st->s->ops;
	struct smtp_rcpt_params	 rp;
	char			 addr[LIM_ADDR], err[LIM_ERR], *path, *rest;
	int			 r = 0;

	if (split_path(arg, "TO:", &path, &rest) == -1)
		return reply(st, "501 5.5.4 Syntax: RCPT TO:<address>");
	if (addr_parse_path(path, st->utf8 ? ADDR_UTF8 : 0, addr,
	    sizeof(addr), err, sizeof(err)) == -1)
		return path_refused(st, st->utf8, "5.1.3", err);
	memset(&rp, 0, sizeof(rp));
	if (walk_params(st, rest, 1, rcpt_param, &rp, &r) == -1)
		return r;
	st->reply[0] = '\0';
	if (ops->rcpt != NULL)
		r = ops->rcpt(st->s->ctx, addr, &rp, st->reply,
		    sizeof(st->reply));
	if (r == 0)
		st->nrcpt++;
	return op_reply(st, r, "250 2.1.5 Ok",
	    "550 5.1.1 Recipient rejected");
}

static int	data(struct sess *);
static int	c_bdat(struct sess *, char *);

static int
c_data(struct sess *st, char *arg)
{
	const struct smtp_server_ops *ops = st->s->ops;
	int	 r = 0;

	if (*skip_sp(arg) != '\0')
		return reply(st, "501 5.5.4 Syntax: DATA");
	if (st->bdat.on)
		return reply(st, "503 5.5.1 Error: BDAT and DATA cannot be "
		    "mixed in one transaction");
	st->reply[0] = '\0';
	if (ops->data_begin != NULL)
		r = ops->data_begin(st->s->ctx, st->reply, sizeof(st->reply));
	if (r == -1) {
		r = op_reply(st, r, "", "451 4.3.0 Error: cannot take the "
		    "message now");
		reset(st);
		return r;
	}
	if (strncmp(st->reply, "354 ", 4) != 0)
		snprintf(st->reply, sizeof(st->reply),
		    "354 End data with <CR><LF>.<CR><LF>");
	if (reply(st, "%s", st->reply) == GO_END)
		return GO_END;
	return data(st);
}

static int
c_rset(struct sess *st, char *arg)
{
	if (*skip_sp(arg) != '\0')
		return reply(st, "501 5.5.4 Syntax: RSET");
	reset(st);
	return reply(st, "250 2.0.0 Ok");
}

static int
c_noop(struct sess *st, char *arg)
{
	(void)arg;
	return reply(st, "250 2.0.0 Ok");
}

static int
c_quit(struct sess *st, char *arg)
{
	(void)arg;
	if (reply(st, "221 2.0.0 Bye") == GO_END)
		return GO_END;
	return GO_QUIT;
}

static int
c_vrfy(struct sess *st, char *arg)
{
	(void)arg;
	return reply(st, "252 2.5.2 Cannot VRFY user, but will accept "
	    "message");
}

static int
c_expn(struct sess *st, char *arg)
{
	(void)arg;
	return reply(st, "502 5.5.1 Error: EXPN not supported");
}

static int
c_help(struct sess *st, char *arg)
{
	(void)arg;
	return reply(st, "214 2.0.0 Commands: HELO EHLO MAIL RCPT DATA RSET "
	    "NOOP QUIT VRFY HELP");
}

static int
c_unimpl(struct sess *st, char *arg)
{
	(void)arg;
	return reply(st, "502 5.5.1 Error: command not implemented");
}

static int
c_starttls(struct sess *st, char *arg)
{
	if (*skip_sp(arg) != '\0')
		return reply(st, "501 5.5.4 Syntax: STARTTLS");
	if (st->s->ops->starttls == NULL)
		return reply(st, "454 4.7.0 TLS not available");
	if (reply(st, "220 2.0.0 Ready to start TLS") == GO_END ||
	    io_flush(st->io) == -1)
		return GO_END;
	/* what the client pipelined after STARTTLS is never honoured: the
	   switch refuses while input is buffered, and the session ends */
	if (st->s->ops->starttls(st->s->ctx) == -1) {
		st->end = 1;
		return GO_END;
	}
	st->s->tls = 1;
	st->helo = 0;
	reset(st);
	return GO_ON;
}

/* One line of an AUTH exchange after a 334 prompt, base64-decoded
   into out; "*" cancels.  GO_ON with *ok set, or the reply's code. */
static int
auth_line(struct sess *st, const char *prompt, struct buf *out, int *ok)
{
	char		 line[LIM_SMTP_AUTH];
	size_t		 len;
	enum io_term	 term;
	int		 r;

	*ok = 0;
	if (io_printf(st->io, "334 %s\r\n", prompt) == -1 ||
	    io_flush(st->io) == -1)
		return GO_END;
	r = io_getline(st->io, line, sizeof(line), &len, &term);
	if (r == -1 && errno == ERANGE && term != IO_TERM_NONE)
		return reply(st, "500 5.5.6 Authentication exchange line is "
		    "too long");
	if (r != 1 || term == IO_TERM_NONE)
		return GO_END;
	if (term != IO_TERM_CRLF)
		return reply(st, "500 5.5.2 Error: bare LF not allowed "
		    "(RFC 5321 2.3.8)");
	if (strcmp(line, "*") == 0)
		return reply(st, "501 5.7.0 Authentication aborted");
	if (mime_b64_decode(out, line, len) == -1 || buf_failed(out))
		return reply(st, "501 5.5.2 Cannot decode response");
	*ok = 1;
	return GO_ON;
}

/* "authzid NUL authcid NUL passwd": user and password, or -1. */
static int
split_plain(struct buf *b, const char **user, const char **pass)
{
	const char	*a = buf_str(b), *u, *p;
	size_t		 n = b->len;

	if ((u = memchr(a, '\0', n)) == NULL ||
	    (p = memchr(u + 1, '\0', n - (size_t)(u + 1 - a))) == NULL ||
	    memchr(p + 1, '\0', n - (size_t)(p + 1 - a)) != NULL)
		return -1;
	*user = u + 1;
	*pass = p + 1;
	return **user == '\0' ? -1 : 0;
}

/* AUTH PLAIN or LOGIN, an initial response or none (RFC 4954). */
static int
c_auth(struct sess *st, char *arg)
{
	struct buf	 u, p;
	const char	*user = NULL, *pass = NULL;
	char		*mech = skip_sp(arg), *init;
	int		 r = GO_ON, ok = 0, login;

	init = mech + strcspn(mech, " ");
	if (*init == ' ')
		*init++ = '\0';
	init = skip_sp(init);
	if (st->s->ops->auth == NULL)
		return reply(st, "502 5.5.1 Error: command not implemented");
	login = strcasecmp(mech, "LOGIN") == 0;
	if (!login && strcasecmp(mech, "PLAIN") != 0)
		return reply(st, "504 5.5.4 Unrecognized authentication type");
	buf_init(&u, LIM_SMTP_AUTH);
	buf_init(&p, LIM_SMTP_AUTH);
	if (*init != '\0' && strcmp(init, "=") != 0) {
		if (strcmp(init, "*") == 0)
			r = reply(st, "501 5.7.0 Authentication aborted");
		else if (mime_b64_decode(&u, init, strlen(init)) == -1 ||
		    buf_failed(&u))
			r = reply(st, "501 5.5.2 Cannot decode response");
		else
			ok = 1;
	} else if (*init == '=')
		ok = 1;		/* an empty initial response */
	else
		r = auth_line(st, login ? "VXNlcm5hbWU6" : "", &u, &ok);
	if (ok && login)
		r = auth_line(st, "UGFzc3dvcmQ6", &p, &ok);
	if (ok) {
		if (login) {
			user = buf_str(&u);
			pass = buf_str(&p);
			ok = memchr(user, '\0', u.len) == NULL &&
			    memchr(pass, '\0', p.len) == NULL && *user != '\0';
		} else
			ok = split_plain(&u, &user, &pass) == 0;
		if (!ok)
			r = reply(st, "501 5.5.2 Cannot decode response");
	}
	if (ok) {
		st->reply[0] = '\0';
		if (st->s->ops->auth(st->s->ctx, user, pass, st->reply,
		    sizeof(st->reply)) == 0) {
			st->authed = 1;
			r = op_reply(st, 0, "235 2.7.0 Authentication "
			    "successful", "");
		} else
			r = op_reply(st, -1, "", "535 5.7.8 Error: "
			    "authentication failed");
	}
	/* nothing of the password stays in memory */
	if (p.s != NULL)
		memset(p.s, 0, p.len);
	if (u.s != NULL)
		memset(u.s, 0, u.len);
	buf_free(&u);
	buf_free(&p);
	return r;
}

static const struct cmd cmds[] = {
	{ "AUTH",	c_auth,		NEED_HELO,	SMTP_CAP_AUTH },
	{ "BDAT",	c_bdat,		NEED_NONE,	SMTP_CAP_CHUNKING },
	{ "DATA",	c_data,		NEED_RCPT,	0 },
	{ "EHLO",	c_ehlo,		NEED_NONE,	0 },
	{ "ETRN",	c_unimpl,	NEED_NONE,	0 },
	{ "EXPN",	c_expn,		NEED_NONE,	0 },
	{ "HELO",	c_helo,		NEED_NONE,	0 },
	{ "HELP",	c_help,		NEED_NONE,	0 },
	{ "MAIL",	c_mail,		NEED_HELO,	0 },
	{ "NOOP",	c_noop,		NEED_NONE,	0 },
	{ "QUIT",	c_quit,		NEED_NONE,	0 },
	{ "RCPT",	c_rcpt,		NEED_MAIL,	0 },
	{ "RSET",	c_rset,		NEED_NONE,	0 },
	{ "STARTTLS",	c_starttls,	NEED_HELO,	SMTP_CAP_STARTTLS },
	{ "TURN",	c_unimpl,	NEED_NONE,	0 },
	{ "VRFY",	c_vrfy,		NEED_NONE,	0 },
};

/* The 503 for a command out of its place, or NULL when it may run. */
static const char *
out_of_place(const struct sess *st, const struct cmd *c)
{
	switch (c->need) {
	case NEED_NONE:
		return NULL;
	case NEED_HELO:
		if (!st->helo)
			return "503 5.5.1 Error: send HELO/EHLO first";
		if (st->mail)
			return strcmp(c->name, "MAIL") == 0 ?
			    "503 5.5.1 Error: nested MAIL command" :
			    "503 5.5.1 Error: MAIL transaction in progress";
		return NULL;
	case NEED_MAIL:
		return st->mail ? NULL : "503 5.5.1 Error: need MAIL command";
	case NEED_RCPT:
		if (!st->mail)
			return "503 5.5.1 Error: need MAIL command";
		return st->nrcpt > 0 ? NULL :
		    "503 5.5.1 Error: need RCPT command";
	}
	return NULL;
}

static int
dispatch(struct sess *st, char *line)
{
	size_t		 vl = strcspn(line, " ");
	char		*arg = line + vl;
	const char	*no;

	if (*arg == ' ')
		*arg++ = '\0';
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcasecmp(line, cmds[i].name) != 0)
			continue;
		/* no longer offered, but RFC 4954 4 wants 503, not 502 */
		if (cmds[i].fn == c_auth && st->authed)
			return reply(st, "503 5.5.1 Error: already "
			    "authenticated");
		if (cmds[i].cap != 0 && !(offered(st) & cmds[i].cap))
			return reply(st, "502 5.5.1 Error: command not "
			    "implemented");
		if ((no = out_of_place(st, &cmds[i])) != NULL)
			return reply(st, "%s", no);
		return cmds[i].fn(st, arg);
	}
	return reply(st, "500 5.5.2 Error: command not recognized");
}

/* ---- DATA ---- */


/*
 * One data line as io_getline gave it.  Returns 1 at the final dot,
 * 0 to go on.
 */
static int
data_one(struct sess *st, struct dstate *d, char *line, size_t len,
    enum io_term term)
{
	const struct smtp_server_ops *ops = st->s->ops;
	int	 start = d->prev_crlf;

	d->prev_crlf = term == IO_TERM_CRLF;
	if (start && term == IO_TERM_CRLF && len == 1 && line[0] == '.')
		return 1;
	if (term != IO_TERM_CRLF || memchr(line, '\r', len) != NULL)
		d->bare = 1;
	if (memchr(line, '\0', len) != NULL)
		d->nul = 1;
	if (line[0] == '.') {
		line++;
		len--;
	}
	d->size += (off_t)len + 2;
	if (st->s->max_size > 0 && d->size > st->s->max_size)
		d->oversize = 1;
	if (d->bare || d->nul || d->toolong || d->oversize || d->refused)
		return 0;	/* the message is lost: just read on */
	if (ops->data_line != NULL &&
	    ops->data_line(st->s->ctx, line, len) == -1)
		d->refused = 1;
	return 0;
}

/* The reply after the final dot. */
static int
data_done(struct sess *st, struct dstate *d)
{
	const struct smtp_server_ops *ops = st->s->ops;
	const char	*def;
	int		 ok, r = 0;

	ok = !(d->bare || d->nul || d->toolong || d->oversize || d->refused);
	st->reply[0] = '\0';
	if (ops->data_end != NULL)
		r = ops->data_end(st->s->ctx, ok, st->reply,
		    sizeof(st->reply));
	if (ok && r == 0)
		def = "250 2.0.0 Ok";
	else if (d->bare)
		def = "550 5.6.0 Message contains bare LF or CR "
		    "(RFC 5321 2.3.8)";
	else if (d->nul)
		def = "554 5.6.0 Message contains a NUL byte";
	else if (d->toolong)
		def = "500 5.5.2 Error: message line too long "
		    "(RFC 5321 4.5.3.1.6)";
	else if (d->oversize)
		def = "552 5.3.4 Message size exceeds fixed limit";
	else if (d->refused)
		def = "554 5.6.0 Message refused";
	else
		def = "451 4.3.0 Error: queue file write error";
	r = op_reply(st, ok ? r : -1, def, def);
	reset(st);
	return r;
}

static int
data(struct sess *st)
{
	struct dstate	 d;
	char		 line[LIM_SMTP_TEXT];
	size_t		 len;
	enum io_term	 term;
	int		 r;

	memset(&d, 0, sizeof(d));
	d.prev_crlf = 1;
	for (;;) {
		if (!io_pending(st->io) && io_flush(st->io) == -1)
			break;
		/* cap - 1 = 998 octets of text, 1000 with the CRLF */
		r = io_getline(st->io, line, LIM_SMTP_TEXT - 1, &len, &term);
		if (r == -1 && errno == ERANGE && term != IO_TERM_NONE) {
			d.toolong = 1;
			d.prev_crlf = term == IO_TERM_CRLF;
			if (term != IO_TERM_CRLF)
				d.bare = 1;
			continue;
		}
		if (r != 1 || term == IO_TERM_NONE)
			break;
		if (data_one(st, &d, line, len, term))
			return data_done(st, &d);
	}
	/* end of input or timeout inside DATA: the op cleans up */
	st->reply[0] = '\0';
	if (st->s->ops->data_end != NULL)
		st->s->ops->data_end(st->s->ctx, 0, st->reply,
		    sizeof(st->reply));
	reset(st);
	return GO_END;
}

/* ---- BDAT (RFC 3030) ---- */

/*
 * One line of BDAT content, as data_one takes DATA's, but with no dot
 * to unstuff and no end marker: the chunk sizes delimit the message.
 * The same rules hold: a bare CR or LF, a NUL, a line over
 * LIM_SMTP_TEXT or a message over max_size refuses it.
 */
static void
bdat_line(struct sess *st, struct dstate *d, const char *line, size_t len,
    enum io_term term, int over)
{
	const struct smtp_server_ops *ops = st->s->ops;

	if (term == IO_TERM_LF || memchr(line, '\r', len) != NULL)
		d->bare = 1;
	if (memchr(line, '\0', len) != NULL)
		d->nul = 1;
	if (over)
		d->toolong = 1;
	d->size += (off_t)len + 2;
	if (st->s->max_size > 0 && d->size > st->s->max_size)
		d->oversize = 1;
	if (d->bare || d->nul || d->toolong || d->oversize || d->refused)
		return;
	if (ops->data_line != NULL &&
	    ops->data_line(st->s->ctx, line, len) == -1)
		d->refused = 1;
}

/* The bytes of a chunk into lines; a line ends at LF. */
static void
bdat_bytes(struct sess *st, const char *p, size_t n)
{
	struct chunks	*b = &st->bdat;
	enum io_term	 term;
	size_t		 len;

	for (size_t i = 0; i < n; i++) {
		if (p[i] != '\n') {
			b->cr = p[i] == '\r';
			if (b->len < sizeof(b->line))
				b->line[b->len++] = p[i];
			else
				b->over = 1;
			continue;
		}
		/* the line's own end, not the end of what was kept of it:
		   past the limit, the CR before the LF was not kept */
		len = b->len;
		term = b->cr ? IO_TERM_CRLF : IO_TERM_LF;
		if (b->cr && !b->over)
			len--;
		/* LIM_SMTP_TEXT counts the CRLF */
		bdat_line(st, &b->d, b->line, len, term, b->over ||
		    len + 2 > LIM_SMTP_TEXT);
		b->len = 0;
		b->over = 0;
		b->cr = 0;
	}
}

/* "BDAT size [LAST]": 0, or -1 when the argument is not that. */
static int
bdat_arg(char *arg, off_t *size, int *last)
{
	char	*p = skip_sp(arg), *e;

	e = p + strspn(p, "0123456789");
	if (e == p || e - p > 18 || (*e != '\0' && *e != ' '))
		return -1;
	if (*e == ' ')
		*e++ = '\0';
	if (parse_size(p, size) == -1)
		return -1;
	e = skip_sp(e);
	*last = strcasecmp(e, "LAST") == 0;
	return *last || *e == '\0' ? 0 : -1;
}

/* Read the chunk's bytes, all of them, whatever becomes of them. */
static int
bdat_read(struct sess *st, off_t size, int keep)
{
	char	 buf[IO_BUFSIZE];
	size_t	 k;

	while (size > 0) {
		k = size > (off_t)sizeof(buf) ? sizeof(buf) : (size_t)size;
		if (io_read(st->io, buf, k) != 1)
			return -1;
		if (keep)
			bdat_bytes(st, buf, k);
		size -= (off_t)k;
	}
	return 0;
}

static int
c_bdat(struct sess *st, char *arg)
{
	const struct smtp_server_ops *ops = st->s->ops;
	static const struct cmd bdat_cmd = { "BDAT", NULL, NEED_RCPT, 0 };
	struct chunks	*b = &st->bdat;
	struct dstate	 d;
	const char	*no;
	off_t		 size;
	int		 last, r = 0;

	if (bdat_arg(arg, &size, &last) == -1) {
		/* the size is unknown: the client's bytes cannot be skipped,
		   and the session cannot stay in step */
		reply(st, "501 5.5.4 Syntax: BDAT size [LAST]");
		st->end = 1;
		return GO_END;
	}
	if ((no = out_of_place(st, &bdat_cmd)) != NULL) {
		/* its bytes are read and dropped, never taken as commands */
		if (bdat_read(st, size, 0) == -1)
			return GO_END;
		return reply(st, "%s", no);
	}
	if (!b->on) {
		b->on = 1;
		b->d.prev_crlf = 1;
		st->reply[0] = '\0';
		if (ops->data_begin != NULL)
			r = ops->data_begin(st->s->ctx, st->reply,
			    sizeof(st->reply));
		b->failed = r == -1;
		/* its reply answers every chunk, though other ops (RCPT)
		   write theirs into st->reply in between */
		if (b->failed)
			memcpy(b->why, st->reply, sizeof(b->why));
	}
	if (bdat_read(st, size, !b->failed) == -1) {
		reset(st);	/* data_end(0) for what was begun */
		return GO_END;
	}
	if (b->failed) {
		memcpy(st->reply, b->why, sizeof(st->reply));
		r = op_reply(st, -1, "", "451 4.3.0 Error: cannot take the "
		    "message now");
		if (last)
			reset(st);
		return r;
	}
	if (!last)
		return reply(st, "250 2.0.0 %lld octets received",
		    (long long)size);
	/* a last line without its CRLF is stored with one: the same limit */
	if (b->len > 0)
		bdat_line(st, &b->d, b->line, b->len, IO_TERM_CRLF, b->over ||
		    b->len + 2 > LIM_SMTP_TEXT);
	d = b->d;
	b->on = 0;		/* data_done ends it: reset must not */
	return data_done(st, &d);
}

/* ---- the command loop ---- */

/*
 * Read one command and act on it.  A line that is not a clean command
 * (too long, bare LF, NUL) is answered and never executed.
 */
static int
command(struct sess *st)
{
	char		 line[LIM_SMTP_CMD];
	size_t		 len;
	enum io_term	 term;
	int		 r;

	if (!io_pending(st->io) && io_flush(st->io) == -1)
		return GO_END;
	/* cap - 1 = 510 octets of command, 512 with the CRLF */
	r = io_getline(st->io, line, LIM_SMTP_CMD - 1, &len, &term);
	if (r == -1 && errno == ERANGE && term != IO_TERM_NONE)
		return reply(st, "500 5.5.2 Error: line too long");
	if (r != 1 || term == IO_TERM_NONE)
		return GO_END;
	if (term != IO_TERM_CRLF)
		return reply(st, "500 5.5.2 Error: bare LF not allowed "
		    "(RFC 5321 2.3.8)");
	if (memchr(line, '\0', len) != NULL)
		return reply(st, "500 5.5.2 Error: NUL byte in command");
	return dispatch(st, line);
}

int
smtp_server_run(struct smtp_server *s)
{
	struct sess	 st;
	int		 r;

	memset(&st, 0, sizeof(st));
	st.s = s;
	st.io = s->io;
	st.max_errors = s->max_errors > 0 ? s->max_errors :
	    DEFAULT_MAX_ERRORS;
	if (s->ops->connect != NULL && s->ops->connect(s->ctx, st.reply,
	    sizeof(st.reply)) == -1) {
		op_reply(&st, -1, "", "554 5.7.1 Error: connection refused");
		io_flush(s->io);
		return -1;
	}
	if (reply(&st, "220 %s ESMTP hikyaku", s->hostname) == GO_END)
		return -1;
	while ((r = command(&st)) == GO_ON && !st.end)
		;
	if (st.mail)		/* a transaction left open: the op cleans up */
		reset(&st);
	if (r == GO_QUIT && io_flush(s->io) == 0)
		return 0;
	io_flush(s->io);
	return -1;
}
