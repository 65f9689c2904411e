/*
 * Writing a message as mailx sends it: the header fields (From: with
 * -r, To:, Cc:, Subject:, no Bcc:), the body in the MIME form it needs,
 * attachments, and the hand-off to sendmail.
 *
 * The body is sent as it is typed when it can be:
 *  - ASCII, no line over 998 octets, no CR or NUL: no MIME fields at
 *    all (as bsd-mailx sends it);
 *  - otherwise "MIME-Version: 1.0" and "Content-Type: text/plain;
 *    charset=..." with US-ASCII when ASCII, UTF-8 when it is valid
 *    UTF-8, else ISO-8859-1 (every byte is a character there, so the
 *    text arrives unchanged and readable in the common case of Latin-1
 *    input; no charset guessing);
 *  - Content-Transfer-Encoding 7bit / 8bit when every line fits in
 *    998 octets, there is no CR or NUL and the text is ASCII or UTF-8;
 *    else quoted-printable (which keeps the bytes exactly, in lines of
 *    76, whatever they are).
 * With attachments the message is multipart/mixed: the text first
 * (always with its MIME fields), then each file base64-encoded with a
 * Content-Type from its name and Content-Disposition: attachment
 * (non-ASCII file names as RFC 2231 filename*=UTF-8''...).
 *
 * A subject or address with a control character (CR, LF, ...) is
 * refused, so that no header field can be added through it.
 */
#ifndef HIKYAKU_COMPOSE_H
#define HIKYAKU_COMPOSE_H

#include <stddef.h>

#include "buf.h"
#include "conf.h"
#include "limits.h"

struct compose_list {
	char	**v;
	size_t	 n;
};

struct compose {
	const char		*hostname;	/* qualifies bare names in
						   To:/Cc: (NULL: as typed) */
	char			*subject;	/* NULL: none */
	char			*from;		/* -r "Name <addr>" or addr */
	struct compose_list	 to, cc, bcc;
	struct compose_list	 attach;	/* file paths */
	struct compose_list	 extra;		/* whole fields "Name: value" */
	struct buf		 body;
};

void	compose_init(struct compose *c, size_t max_body);
void	compose_free(struct compose *c);

/* 0 when s has no control character (TAB allowed), else -1 EINVAL. */
int	compose_clean(const char *s);

/* Replace the subject.  -1 EINVAL (a CR, LF or other control
   character, or bytes that are not UTF-8) with err set, or ENOMEM. */
int	compose_subject(struct compose *c, const char *s, char *err,
	    size_t errlen);
/* -r: the sender, "addr" or "Name <addr>".  -1 EINVAL as above, or
   when it holds no address. */
int	compose_from(struct compose *c, const char *s, char *err,
	    size_t errlen);
/*
 * Add the entries of a comma-separated address list (as typed after
 * -c or ~t: "bob, Carol <carol@x>") to l, each trimmed; commas inside
 * quotes, <> and () do not separate.  -1 EINVAL for a control
 * character, E2BIG over LIM_MAIL_ADDRS (err set).
 */
int	compose_addrs(struct compose_list *l, const char *list, char *err,
	    size_t errlen);
int	compose_list_add(struct compose_list *l, const char *s);
void	compose_list_clear(struct compose_list *l);
/* A file to attach: it must be a readable regular file now.  -1 with
   errno and err ("FILE: No such file or directory"). */
int	compose_attach(struct compose *c, const char *path, char *err,
	    size_t errlen);
/* An extra header field (In-Reply-To:, References: of a reply). */
int	compose_field(struct compose *c, const char *name, const char *value);

/*
 * The whole message as it goes to the queue (LF line ends): header
 * fields, an empty line, the body.  Date:, Message-ID: and (without
 * -r) From: are left to the submission, which adds them.  -1 with err
 * set: EINVAL (a bad address or subject), errno of reading an
 * attachment, E2BIG over max (0: no limit).
 */
int	compose_build(const struct compose *c, struct buf *out, size_t max,
	    char *err, size_t errlen);

/* Each envelope recipient (To:, Cc:, Bcc:) as an addr-spec, in order,
   to cb.  -1 with err set for an entry that is not an address. */
int	compose_rcpts(const struct compose *c,
	    int (*cb)(void *ctx, const char *addr), void *ctx, char *err,
	    size_t errlen);

/* The -r address as an addr-spec into out ("" when there is no -r). */
int	compose_sender(const struct compose *c, char *out, size_t len,
	    char *err, size_t errlen);

struct compose_env {
	const struct conf	*conf;		/* max_size */
	const char		*sender;	/* envelope sender: -f */
	const char		*from_name;	/* -F for an added From: ("" or
						   NULL: none) */
	const char		*program;	/* NULL: this program */
	int			 foreground;	/* -odi: delivered before
						   sendmail returns */
};

/*
 * Build the message into msg and hand it to sendmail, as mailx does:
 * this program run again as "sendmail -i -f SENDER [-F NAME] [-odi] --
 * RCPT..." (each envelope recipient after "--", so that none is taken
 * as an option), the message written to its standard input, its
 * standard output and error ours, the environment as it is.  We hold
 * no privilege for it: sendmail is the only applet that may write to
 * the queue.  While it runs SIGINT, SIGTERM, SIGHUP and SIGQUIT wait.
 *
 * Returns 0 when sendmail exited 0 (the message is queued), else a
 * sysexits(3) code with err set:
 *   sendmail's own exit status when it exits with another (it has said
 *     why on its standard error; err is "sendmail exited N");
 *   EX_TEMPFAIL when it was killed by a signal;
 *   EX_IOERR when it exited 0 without taking the whole message;
 *   before sendmail runs (nothing was handed over): EX_USAGE no
 *     recipient, EX_DATAERR a bad address or subject, too large;
 *     EX_NOINPUT / EX_NOPERM an attachment that cannot be read;
 *     EX_TEMPFAIL out of memory or processes; EX_UNAVAILABLE sendmail
 *     cannot be run; EX_OSERR another system error.
 */
int	compose_send(const struct compose *c, const struct compose_env *e,
	    struct buf *msg, char *err, size_t errlen);

#endif
