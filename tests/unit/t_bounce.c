/*
 * core/bounce: the reports themselves.  Each action's wording and
 * fields, what comes back of the message (RET), ENVID and ORCPT in the
 * fields RFC 3464 gives them, UTF-8 addresses kept out of the
 * delivery-status part, 8-bit content declared, and the report's own
 * envelope.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bounce.h"
#include "buf.h"
#include "conf.h"
#include "dsn.h"
#include "queue.h"
#include "tap.h"

static char		 dir[] = "/tmp/t_bounce.XXXXXX";
static struct conf	 c;
static int		 msgfd;
static char		*text;		/* the last report, whole */

#define MSG	"Received: by x\nSubject: hello\nX-Marker: m-4711\n\n" \
		"body line\nsecond line, caf\xc3\xa9\n"

/* A report of action about the recipients which[]: 0 and its text in
   text, or -1. */
static int
report(const struct qenv *env, const int *which, int n, enum dsn_action a,
    char *qid)
{
	char		 p[300], err[512], chunk[4096];
	struct buf	 b;
	ssize_t		 k;
	int		 fd;

	free(text);
	text = NULL;
	if (bounce_queue(&c, env, msgfd, which, n, a, qid, LIM_QID, err,
	    sizeof(err)) == -1) {
		diag(err);
		return -1;
	}
	if (qid[0] == '\0')
		return 0;
	snprintf(p, sizeof(p), "%s/spool/msg/%s", dir, qid);
	if ((fd = open(p, O_RDONLY)) == -1)
		return -1;
	buf_init(&b, 0);
	buf_adds(&b, "");
	while ((k = read(fd, chunk, sizeof(chunk))) > 0)
		buf_add(&b, chunk, (size_t)k);
	close(fd);
	text = b.s;
	return 0;
}

static int
has(const char *s)
{
	return text != NULL && strstr(text, s) != NULL;
}

/* a comes before b in the report */
static int
before(const char *a, const char *b)
{
	const char	*x = text ? strstr(text, a) : NULL;
	const char	*y = text ? strstr(text, b) : NULL;

	return x != NULL && y != NULL && x < y;
}

static void
setup_env(struct qenv *env)
{
	memset(env, 0, sizeof(*env));
	snprintf(env->id, sizeof(env->id), "0AbCdEfGhI");
	env->arrival = 1795825183;
	env->sender = strdup("alice@example.org");
	env->envid = strdup("QQ 314159");
	qenv_add_rcpt(env, "bob@example.org", NULL);
	env->rcpt[0].error = strdup("5.1.1 unknown user: \"bob\"");
	env->rcpt[0].orcpt = strdup("rfc822;Bob+tag@example.org");
	qenv_add_rcpt(env, "carol@example.org", "list@example.org");
	env->rcpt[1].error = strdup("4.4.0 remote delivery later");
	qenv_add_rcpt(env, "j\xc3\xb6rg@\xe4\xbe\x8b.jp", NULL);
	env->rcpt[2].error = strdup("5.1.1 unknown user: \"j\xc3\xb6rg\"");
}

static void
t_failed(struct qenv *env)
{
	struct qenv	 b;
	char		 qid[LIM_QID], err[512];
	int		 two[] = { 0, 1 };

	ok(report(env, two, 2, DSN_ACTION_FAILED, qid) == 0 && text != NULL,
	    "a failure report, no RET");
	ok(has("\nSubject: Undelivered Mail Returned to Sender\n") &&
	    has("\nTo: <alice@example.org>\n") &&
	    has("\nAuto-Submitted: auto-replied\n"), "its header section");
	ok(has("\nContent-Type: multipart/report; report-type=delivery-status;"
	    "\n") && has("\nContent-Type: message/delivery-status\n"),
	    "a multipart/report with a delivery-status part");
	ok(has("\nOriginal-Envelope-Id: QQ 314159\n"), "ENVID, as it was "
	    "spelt (RFC 3464 2.2.1)");
	ok(before("Original-Envelope-Id:", "Reporting-MTA: dns; "
	    "mx.test.example\n"), "  first in the per-message fields");
	ok(has("\nOriginal-Recipient: rfc822;Bob+tag@example.org\n"
	    "Final-Recipient: rfc822; bob@example.org\nAction: failed\n"
	    "Status: 5.1.1\nDiagnostic-Code: x-unix; unknown user: \"bob\"\n"),
	    "bob: ORCPT as Original-Recipient, before Final-Recipient");
	ok(has("\nOriginal-Recipient: rfc822; list@example.org\n"
	    "Final-Recipient: rfc822; carol@example.org\nAction: failed\n"),
	    "carol: no ORCPT, her address before aliases");
	ok(has("\n<bob@example.org>: unknown user: \"bob\"\n") &&
	    has("The headers of your message are attached."),
	    "the human part names them");
	ok(has("\nContent-Type: text/rfc822-headers\n") &&
	    has("\nX-Marker: m-4711\n") && !has("body line") &&
	    !has("message/rfc822"), "no RET: the header section only");
	ok(!has("Content-Transfer-Encoding"), "all of it 7-bit: nothing said");
	ok(queue_read_env(qid, &b, err, sizeof(err)) == 0 &&
	    strcmp(b.sender, "") == 0 && b.nrcpt == 1 &&
	    strcmp(b.rcpt[0].addr, "alice@example.org") == 0 && !b.smtputf8,
	    "its envelope: from <> to the sender");
	qenv_free(&b);

	env->ret = DSN_RET_FULL;
	ok(report(env, two, 1, DSN_ACTION_FAILED, qid) == 0, "RET=FULL");
	ok(has("\nContent-Description: Undelivered Message\n"
	    "Content-Type: message/rfc822\nContent-Transfer-Encoding: 8bit\n\n"
	    "Received: by x\n") && has("\nbody line\nsecond line, caf\xc3\xa9\n"
	    "\n--"), "the whole message as message/rfc822, 8bit declared");
	ok(has("\nMIME-Version: 1.0\n") && before("Content-Transfer-Encoding: "
	    "8bit\n\nThis is a MIME", "Content-Description: Notification"),
	    "and on the report as a whole");
	ok(!has("text/rfc822-headers") && has("Your message is attached."),
	    "not the headers alone");
	env->ret = DSN_RET_HDRS;
	ok(report(env, two, 1, DSN_ACTION_FAILED, qid) == 0 &&
	    has("text/rfc822-headers") && !has("body line"),
	    "RET=HDRS: the headers");
	env->ret = DSN_RET_FULL;
	ok(report(env, two + 1, 1, DSN_ACTION_DELAYED, qid) == 0 &&
	    has("text/rfc822-headers") && !has("body line") &&
	    has("\nAction: delayed\nStatus: 4.4.0\n"),
	    "a delay warning with RET=FULL: the headers (RFC 3461 4.3)");
	env->ret = DSN_RET_NONE;
}

static void
t_success(struct qenv *env)
{
	char	 qid[LIM_QID];
	int	 one[] = { 0 }, two[] = { 0, 1 };

	free(env->rcpt[0].error);
	env->rcpt[0].error = strdup("4.2.0 mailbox locked");	/* an old one */
	env->ret = DSN_RET_FULL;
	ok(report(env, one, 1, DSN_ACTION_DELIVERED, qid) == 0 && text,
	    "a success report");
	ok(has("\nSubject: Successful Mail Delivery Report\n"), "its subject");
	ok(has("\nOriginal-Recipient: rfc822;Bob+tag@example.org\n"
	    "Final-Recipient: rfc822; bob@example.org\nAction: delivered\n"
	    "Status: 2.0.0\n\n--"), "Action: delivered, Status: 2.0.0 (not the "
	    "old error's), no Diagnostic-Code");
	ok(has("\n<bob@example.org>: delivered\n"), "the human part");
	ok(has("\nOriginal-Envelope-Id: QQ 314159\n"), "ENVID");
	ok(has("text/rfc822-headers") && !has("body line"),
	    "RET=FULL returns only headers with a success");
	ok(report(env, two, 2, DSN_ACTION_RELAYED, qid) == 0 &&
	    has("\nAction: relayed\nStatus: 2.0.0\n") &&
	    has("Final-Recipient: rfc822; carol@example.org\n"
	    "Action: relayed\n"), "relayed, for the remote code to come");
	ok(report(env, one, 1, DSN_ACTION_EXPANDED, qid) == 0 &&
	    has("\nAction: expanded\n"), "expanded");
	free(env->rcpt[0].error);
	env->rcpt[0].error = strdup("2.1.5 taken by the next hop");
	ok(report(env, one, 1, DSN_ACTION_RELAYED, qid) == 0 &&
	    has("\nStatus: 2.1.5\n"), "a 2.X.X of its own is kept");
	env->ret = DSN_RET_NONE;
}

static void
t_utf8_and_null(struct qenv *env)
{
	struct qenv	 b;
	char		 qid[LIM_QID] = "x", err[512], *sender;
	int		 three[] = { 2 };

	ok(report(env, three, 1, DSN_ACTION_FAILED, qid) == 0,
	    "a report on a UTF-8 recipient");
	ok(has("\nFinal-Recipient: utf-8; j\\x{F6}rg@\\x{4F8B}.jp\n"),
	    "Final-Recipient: RFC 6533 utf-8-addr-xtext");
	ok(has("\nDiagnostic-Code: x-unix; unknown user: \"j??rg\"\n"),
	    "the delivery-status part stays ASCII");
	ok(has("Content-Type: text/plain; charset=utf-8\n"
	    "Content-Transfer-Encoding: 8bit\n") &&
	    has("\n<j\xc3\xb6rg@\xe4\xbe\x8b.jp>: unknown user"),
	    "the human part: UTF-8, said so");
	sender = env->sender;
	env->sender = "";
	ok(report(env, three, 1, DSN_ACTION_FAILED, qid) == 0 &&
	    qid[0] != '\0' && has("\nTo: <postmaster@mx.test.example>\n") &&
	    queue_read_env(qid, &b, err, sizeof(err)) == 0 &&
	    strcmp(b.sender, "double-bounce@mx.test.example") == 0 &&
	    b.nrcpt == 1 && strcmp(b.rcpt[0].addr,
	    "postmaster@mx.test.example") == 0,
	    "a failure from a null sender: to the postmaster, from "
	    "double-bounce");
	qenv_free(&b);
	env->sender = "DOUBLE-bounce@mx.test.example";
	qid[0] = 'x';
	ok(report(env, three, 1, DSN_ACTION_FAILED, qid) == 0 &&
	    qid[0] == '\0', "a failure of that gets nothing: qid \"\"");
	env->sender = "";
	qid[0] = 'x';
	ok(report(env, three, 1, DSN_ACTION_DELIVERED, qid) == 0 &&
	    qid[0] == '\0', "a null sender gets no success report");
	env->sender = "j\xc3\xb6rg@example.org";
	ok(report(env, three, 1, DSN_ACTION_FAILED, qid) == 0 &&
	    has("\nTo: <j\xc3\xb6rg@example.org>\n") &&
	    queue_read_env(qid, &b, err, sizeof(err)) == 0 && b.smtputf8,
	    "to a UTF-8 sender: its envelope needs SMTPUTF8");
	qenv_free(&b);
	env->sender = sender;
	errno = 0;
	ok(bounce_queue(&c, env, msgfd, three, 1, DSN_ACTION_NONE, qid,
	    sizeof(qid), err, sizeof(err)) == -1 && errno == EINVAL,
	    "no report for no action");
}

int
main(void)
{
	struct qenv	 env;
	char		 p[300], err[512], conf[600];
	FILE		*fp;

	if (mkdtemp(dir) == NULL)
		return 2;
	snprintf(p, sizeof(p), "%s/hikyaku.conf", dir);
	snprintf(conf, sizeof(conf), "hostname = mx.test.example\nspool = "
	    "%s/spool\nlog = %s/log\n", dir, dir);
	if ((fp = fopen(p, "w")) == NULL || fputs(conf, fp) == EOF ||
	    fclose(fp) == EOF || conf_load(&c, p, 1, err, sizeof(err)) == -1 ||
	    queue_init(c.spool, 1, getuid(), getgid(), err, sizeof(err)) != 0)
		return 2;
	snprintf(p, sizeof(p), "%s/msg", dir);
	if ((msgfd = open(p, O_RDWR | O_CREAT | O_TRUNC, 0600)) == -1 ||
	    write(msgfd, MSG, sizeof(MSG) - 1) != sizeof(MSG) - 1)
		return 2;
	setup_env(&env);
	t_failed(&env);
	t_success(&env);
	t_utf8_and_null(&env);
	qenv_free(&env);
	free(text);
	close(msgfd);
	snprintf(p, sizeof(p), "rm -rf %s", dir);
	if (system(p) != 0)
		diag("could not remove the temporary folder");
	return done_testing();
}
