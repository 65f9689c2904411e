/*
 * Reports: a multipart/report with a human part, the machine-readable
 * message/delivery-status part, and what comes back of the message.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "bounce.h"
#include "dsn.h"
#include "limits.h"
#include "mime.h"
#include "msg.h"
#include "queue.h"
#include "rand.h"

/* Room for a field value: an address in utf-8-addr-xtext, an ORCPT's
   address in xtext, may take up to six times its octets. */
#define FIELD_MAX	(6 * LIM_DSN_ORCPT + 16)

/* What each kind of report says. */
struct kind {
	enum dsn_action	 action;
	const char	*subject;
	const char	*intro;
	const char	*done;		/* a success: what became of each */
	const char	*returned;	/* the header section's description */
};

static const struct kind kinds[] = {
	{ DSN_ACTION_FAILED, "Undelivered Mail Returned to Sender",
	    "Your message could not be delivered to the recipients below.\n"
	    "The reasons are given with each one.", NULL,
	    "Undelivered Message Headers" },
	{ DSN_ACTION_DELAYED, "Delayed Mail (still being retried)",
	    "Your message has not been delivered yet to the recipients\n"
	    "below.  Delivery will go on being tried; you need not send\n"
	    "it again.", NULL, "Undelivered Message Headers" },
	{ DSN_ACTION_DELIVERED, "Successful Mail Delivery Report",
	    "Your message was delivered to the recipients below, as you\n"
	    "asked to be told.", "delivered", "Message Headers" },
	{ DSN_ACTION_RELAYED, "Successful Mail Delivery Report",
	    "Your message was passed on to the mail systems of the\n"
	    "recipients below, which will not report its delivery: no\n"
	    "further notice may come.", "relayed", "Message Headers" },
	{ DSN_ACTION_EXPANDED, "Successful Mail Delivery Report",
	    "Your message was delivered to the recipients below and\n"
	    "forwarded from there to other addresses, which may report on\n"
	    "their own.", "delivered and forwarded", "Message Headers" },
};

static const struct kind *
kind_of(enum dsn_action a)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (kinds[i].action == a)
			return &kinds[i];
	return NULL;
}

/*
 * The status code at the start of an error text, or a default: 5.0.0
 * for a failure, 4.0.0 for a delay; a success takes only a 2.X.X code
 * (an old temporary error of its may still be there), else 2.0.0.
 */
static void
status_of(const char *error, enum dsn_action a, char *out, size_t len)
{
	int	 x, y, z, n = 0, good;

	good = error != NULL && sscanf(error, "%1d.%3d.%3d%n", &x, &y, &z,
	    &n) == 3 && (error[n] == ' ' || error[n] == '\0') && x >= 2 &&
	    x <= 5;
	if (a != DSN_ACTION_FAILED && a != DSN_ACTION_DELAYED)
		good = good && x == 2;
	if (good)
		snprintf(out, len, "%d.%d.%d", x, y, z);
	else
		snprintf(out, len, "%s", a == DSN_ACTION_FAILED ? "5.0.0" :
		    a == DSN_ACTION_DELAYED ? "4.0.0" : "2.0.0");
}

/* The error text after its status code. */
static const char *
text_of(const char *error)
{
	const char	*p;

	if (error == NULL)
		return "unknown error";
	p = error + strspn(error, "0123456789.");
	return p > error && *p == ' ' ? p + 1 : error;
}

static int
has_8bit(const char *s)
{
	return s != NULL && !mime_is_ascii(s, strlen(s));
}

/* Text for the delivery-status part, which stays ASCII: any other byte
   is '?'. */
static void
put_ascii(FILE *fp, const char *s)
{
	for (; *s != '\0'; s++)
		fputc((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f ?
		    '?' : *s, fp);
}

/* Does the human part hold 8-bit text (a UTF-8 address, a reason)? */
static int
human_8bit(const struct qenv *env, const int *which, int n)
{
	for (int i = 0; i < n; i++) {
		const struct qrcpt *r = &env->rcpt[which[i]];

		if (has_8bit(r->addr) || has_8bit(r->orig) ||
		    has_8bit(r->error))
			return 1;
	}
	return 0;
}

/*
 * What comes back of the message: its header section (up to the empty
 * line), or all of it, copied to out (when out is not NULL).  Returns
 * 1 when it holds a byte over 0x7f.
 */
static int
returned(FILE *out, int fd, int whole)
{
	char	 chunk[8192];
	ssize_t	 n;
	off_t	 off = 0;
	int	 prev_nl = 1, high = 0;

	while ((whole || off < LIM_HEADERS) &&
	    (n = pread(fd, chunk, sizeof(chunk), off)) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			if (!whole && chunk[i] == '\n' && prev_nl)
				return high;
			prev_nl = chunk[i] == '\n';
			high |= (unsigned char)chunk[i] >= 0x80;
			if (out != NULL)
				fputc(chunk[i], out);
		}
		off += n;
	}
	if (!prev_nl && out != NULL)
		fputc('\n', out);
	return high;
}

static void
write_human(FILE *fp, const struct conf *c, const struct qenv *env,
    const int *which, int n, const struct kind *k, int full, int eight,
    const char *boundary)
{
	fprintf(fp, "This is a MIME-encapsulated message.\n\n--%s\n"
	    "Content-Description: Notification\n"
	    "Content-Type: text/plain; charset=%s\n%s\n"
	    "This is the mail system at host %s.\n\n%s\n%s\n\n", boundary,
	    eight ? "utf-8" : "us-ascii",
	    eight ? "Content-Transfer-Encoding: 8bit\n" : "", c->hostname,
	    k->intro, full ? "Your message is attached." : "The headers of "
	    "your message are attached.");
	for (int i = 0; i < n; i++) {
		const struct qrcpt *r = &env->rcpt[which[i]];
		const char *what = k->done ? k->done : text_of(r->error);

		if (r->orig != NULL)
			fprintf(fp, "<%s> (expanded from <%s>): %s\n", r->addr,
			    r->orig, what);
		else
			fprintf(fp, "<%s>: %s\n", r->addr, what);
	}
}

/*
 * Diagnostic-Code (RFC 3464 2.3.6): a next hop's own reply, from the
 * form core/smtpc.c gives it ("host NAME[ADDR] said: REPLY (in reply
 * to WHAT)"), as "smtp; REPLY" after "Remote-MTA: dns; NAME"; any other
 * reason as x-unix.
 */
static void
write_diagnostic(FILE *fp, const char *t)
{
	const char	*said = strstr(t, " said: "), *br = strchr(t, '[');
	const char	*end, *p;

	if (strncmp(t, "host ", 5) != 0 || said == NULL || br == NULL ||
	    br > said) {
		fputs("Diagnostic-Code: x-unix; ", fp);
		put_ascii(fp, t);
		fputc('\n', fp);
		return;
	}
	for (end = NULL, p = said; (p = strstr(p + 1, " (in reply to ")) !=
	    NULL; )
		end = p;
	fprintf(fp, "Remote-MTA: dns; %.*s\nDiagnostic-Code: smtp; ",
	    (int)(br - t - 5), t + 5);
	for (p = said + 7; *p != '\0' && p != end; p++)
		fputc((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e ?
		    '?' : *p, fp);
	fputc('\n', fp);
}

/* One recipient's fields (RFC 3464 2.3), in the RFC's order. */
static void
write_rcpt(FILE *fp, const struct qrcpt *r, enum dsn_action action)
{
	char	 st[16], f[FIELD_MAX];
	size_t	 t;

	fputc('\n', fp);
	if (r->orcpt != NULL) {
		t = strcspn(r->orcpt, ";");
		if (r->orcpt[t] == ';' && dsn_field_text(r->orcpt + t + 1, f,
		    sizeof(f)) == 0)
			fprintf(fp, "Original-Recipient: %.*s;%s\n", (int)t,
			    r->orcpt, f);
	} else if (r->orig != NULL && dsn_field_addr(r->orig, f,
	    sizeof(f)) == 0)
		fprintf(fp, "Original-Recipient: %s\n", f);
	if (dsn_field_addr(r->addr, f, sizeof(f)) == 0)
		fprintf(fp, "Final-Recipient: %s\n", f);
	status_of(r->error, action, st, sizeof(st));
	fprintf(fp, "Action: %s\nStatus: %s\n", dsn_action_name(action), st);
	if (action == DSN_ACTION_FAILED || action == DSN_ACTION_DELAYED)
		write_diagnostic(fp, text_of(r->error));
}

static void
write_status(FILE *fp, const struct conf *c, const struct qenv *env,
    const int *which, int n, enum dsn_action action, const char *boundary)
{
	char	 date[64], f[FIELD_MAX];

	msg_date(env->arrival, date, sizeof(date));
	fprintf(fp, "\n--%s\nContent-Description: Delivery report\n"
	    "Content-Type: message/delivery-status\n\n", boundary);
	if (env->envid != NULL && dsn_field_text(env->envid, f,
	    sizeof(f)) == 0)
		fprintf(fp, "Original-Envelope-Id: %s\n", f);
	fprintf(fp, "Reporting-MTA: dns; %s\nArrival-Date: %s\n"
	    "X-Hikyaku-Queue-ID: %s\n", c->hostname, date, env->id);
	for (int i = 0; i < n; i++)
		write_rcpt(fp, &env->rcpt[which[i]], action);
}

static void
write_returned(FILE *fp, int msgfd, const struct kind *k, int full,
    int eight, const char *boundary)
{
	fprintf(fp, "\n--%s\nContent-Description: %s\nContent-Type: %s\n%s\n",
	    boundary, full ? "Undelivered Message" : k->returned,
	    full ? "message/rfc822" : "text/rfc822-headers",
	    eight ? "Content-Transfer-Encoding: 8bit\n" : "");
	returned(fp, msgfd, full);
	fprintf(fp, "\n--%s--\n", boundary);
}

static void
write_head(FILE *fp, const struct conf *c, const char *to,
    const struct kind *k, const char *id, int eight, const char *boundary)
{
	char	 date[64], tok[17];

	rand_token(tok, 16);
	msg_date(time(NULL), date, sizeof(date));
	fprintf(fp, "Received: by %s (hikyaku)\n\tid %s; %s\n"
	    "Date: %s\nFrom: MAILER-DAEMON@%s (Mail Delivery System)\n"
	    "To: <%s>\nSubject: %s\nAuto-Submitted: auto-replied\n"
	    "Message-ID: <%s.%s@%s>\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/report; report-type=delivery-status;\n"
	    "\tboundary=\"%s\"\n%s\n", c->hostname, id, date, date,
	    c->hostname, to, k->subject, id, tok, c->hostname,
	    boundary, eight ? "Content-Transfer-Encoding: 8bit\n" : "");
}

int
bounce_is_double(const struct conf *c, const char *sender)
{
	size_t	 n = strlen(BOUNCE_DOUBLE);

	return strncasecmp(sender, BOUNCE_DOUBLE, n) == 0 && sender[n] ==
	    '@' && strcasecmp(sender + n + 1, c->hostname) == 0;
}

int
bounce_queue(const struct conf *c, const struct qenv *env, int msgfd,
    const int *which, int n, enum dsn_action action, char *qid,
    size_t qidlen, char *err, size_t errlen)
{
	const struct kind	*k = kind_of(action);
	struct queue_writer	 w;
	struct qenv		 b;
	char			 boundary[64], tok[17];
	char			 to[LIM_ADDR + LIM_HOSTNAME + 2];
	char			 from[LIM_HOSTNAME + 16] = "";
	int			 full, h8, r8;

	qid[0] = '\0';
	if (n == 0 || bounce_is_double(c, env->sender) || (env->sender[0] ==
	    '\0' && action != DSN_ACTION_FAILED))
		return 0;
	/* a report that could not be delivered goes to the postmaster,
	   from an address whose own failures are dropped: never a loop */
	if (env->sender[0] == '\0') {
		snprintf(to, sizeof(to), "postmaster@%s", c->hostname);
		snprintf(from, sizeof(from), "%s@%s", BOUNCE_DOUBLE,
		    c->hostname);
	}
	if (k == NULL) {
		snprintf(err, errlen, "no report for action %d", (int)action);
		errno = EINVAL;
		return -1;
	}
	full = action == DSN_ACTION_FAILED && env->ret == DSN_RET_FULL;
	h8 = human_8bit(env, which, n);
	r8 = returned(NULL, msgfd, full);
	if (queue_open(&w, err, errlen) == -1)
		return -1;
	rand_token(tok, 16);
	snprintf(boundary, sizeof(boundary), "%s.%s/%s", w.id, tok, "hikyaku");
	if (env->sender[0] != '\0')
		snprintf(to, sizeof(to), "%s", env->sender);
	write_head(w.fp, c, to, k, w.id, h8 || r8, boundary);
	write_human(w.fp, c, env, which, n, k, full, h8, boundary);
	write_status(w.fp, c, env, which, n, action, boundary);
	write_returned(w.fp, msgfd, k, full, r8, boundary);
	memset(&b, 0, sizeof(b));
	b.arrival = time(NULL);
	b.uid = geteuid();
	b.smtputf8 = has_8bit(to);	/* to go on, it needs it */
	if ((b.sender = strdup(from)) == NULL ||
	    qenv_add_rcpt(&b, to, NULL) == -1) {
		snprintf(err, errlen, "%s", strerror(errno));
		queue_abort(&w);
		qenv_free(&b);
		return -1;
	}
	if (queue_commit(&w, &b, err, errlen) == -1) {
		qenv_free(&b);
		return -1;
	}
	snprintf(qid, qidlen, "%s", b.id);
	qenv_free(&b);
	return 0;
}
