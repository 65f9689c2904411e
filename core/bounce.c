/*
 * Bounces: a multipart/report with a human part, the machine-readable
 * message/delivery-status part, and the original headers.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bounce.h"
#include "limits.h"
#include "msg.h"
#include "queue.h"
#include "rand.h"

/* The status code at the start of an error text, or a default. */
static void
status_of(const char *error, int failed, char *out, size_t len)
{
	int	 a, b, c, n = 0;

	if (error != NULL && sscanf(error, "%1d.%3d.%3d%n", &a, &b, &c, &n) == 3
	    && (error[n] == ' ' || error[n] == '\0') && a >= 2 && a <= 5)
		snprintf(out, len, "%d.%d.%d", a, b, c);
	else
		snprintf(out, len, failed ? "5.0.0" : "4.0.0");
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

/* Copy the original header section (up to the empty line). */
static void
copy_headers(FILE *out, int fd)
{
	char	 chunk[8192];
	ssize_t	 n;
	off_t	 off = 0;
	int	 prev_nl = 1;

	while (off < LIM_HEADERS && (n = pread(fd, chunk, sizeof(chunk), off)) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			if (chunk[i] == '\n' && prev_nl)
				return;
			prev_nl = chunk[i] == '\n';
			fputc(chunk[i], out);
		}
		off += n;
	}
	if (!prev_nl)
		fputc('\n', out);
}

static void
write_report(FILE *fp, const struct conf *c, const struct qenv *env, int msgfd,
    const int *which, int n, const char *action, const char *boundary)
{
	char	 date[64], st[16];
	int	 failed = strcmp(action, "failed") == 0;

	fprintf(fp, "This is a MIME-encapsulated message.\n\n--%s\n"
	    "Content-Description: Notification\n"
	    "Content-Type: text/plain; charset=us-ascii\n\n"
	    "This is the mail system at host %s.\n\n", boundary, c->hostname);
	if (failed)
		fprintf(fp, "Your message could not be delivered to the "
		    "recipients below.\nThe reasons are given with each one; "
		    "the headers of your\nmessage are attached.\n\n");
	else
		fprintf(fp, "Your message has not been delivered yet to the "
		    "recipients\nbelow.  Delivery will go on being tried; "
		    "you need not send\nit again.\n\n");
	for (int i = 0; i < n; i++) {
		const struct qrcpt *r = &env->rcpt[which[i]];

		if (r->orig != NULL)
			fprintf(fp, "<%s> (expanded from <%s>): %s\n", r->addr,
			    r->orig, text_of(r->error));
		else
			fprintf(fp, "<%s>: %s\n", r->addr, text_of(r->error));
	}
	msg_date(env->arrival, date, sizeof(date));
	fprintf(fp, "\n--%s\nContent-Description: Delivery report\n"
	    "Content-Type: message/delivery-status\n\n"
	    "Reporting-MTA: dns; %s\nX-Hikyaku-Queue-ID: %s\n"
	    "Arrival-Date: %s\n", boundary, c->hostname, env->id, date);
	for (int i = 0; i < n; i++) {
		const struct qrcpt *r = &env->rcpt[which[i]];

		status_of(r->error, failed, st, sizeof(st));
		fprintf(fp, "\nFinal-Recipient: rfc822; %s\n", r->addr);
		if (r->orig != NULL)
			fprintf(fp, "Original-Recipient: rfc822; %s\n", r->orig);
		fprintf(fp, "Action: %s\nStatus: %s\nDiagnostic-Code: x-unix; "
		    "%s\n", action, st, text_of(r->error));
	}
	fprintf(fp, "\n--%s\nContent-Description: Undelivered Message Headers\n"
	    "Content-Type: text/rfc822-headers\n\n", boundary);
	copy_headers(fp, msgfd);
	fprintf(fp, "\n--%s--\n", boundary);
}

int
bounce_queue(const struct conf *c, const struct qenv *env, int msgfd,
    const int *which, int n, const char *action, char *qid, size_t qidlen,
    char *err, size_t errlen)
{
	struct queue_writer	 w;
	struct qenv		 b;
	char			 date[64], boundary[64], tok[17];
	time_t			 now = time(NULL);

	qid[0] = '\0';
	if (env->sender[0] == '\0' || n == 0)
		return 0;
	if (queue_open(&w, err, errlen) == -1)
		return -1;
	rand_token(tok, 16);
	snprintf(boundary, sizeof(boundary), "%s.%s/%s", w.id, tok, "hikyaku");
	msg_date(now, date, sizeof(date));
	fprintf(w.fp, "Received: by %s (hikyaku)\n\tid %s; %s\n"
	    "Date: %s\nFrom: MAILER-DAEMON@%s (Mail Delivery System)\n"
	    "To: <%s>\nSubject: %s\nAuto-Submitted: auto-replied\n"
	    "Message-ID: <%s.%s@%s>\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/report; report-type=delivery-status;\n"
	    "\tboundary=\"%s\"\n\n", c->hostname, w.id, date, date,
	    c->hostname, env->sender, strcmp(action, "failed") == 0 ?
	    "Undelivered Mail Returned to Sender" :
	    "Delayed Mail (still being retried)", w.id, tok, c->hostname,
	    boundary);
	write_report(w.fp, c, env, msgfd, which, n, action, boundary);
	memset(&b, 0, sizeof(b));
	b.arrival = now;
	b.uid = geteuid();
	if ((b.sender = strdup("")) == NULL ||
	    qenv_add_rcpt(&b, env->sender, NULL) == -1) {
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
