/*
 * core/deliver: the reports a queue run makes, as the sender asked for
 * them (RFC 3461): NOTIFY=NEVER makes none, NOTIFY without FAILURE or
 * DELAY none of those, SUCCESS a "delivered" (or "expanded") report,
 * never to <>; RET, ENVID and ORCPT reach the report; an alias passes
 * NOTIFY and ORCPT on; a report owed when a run stopped is made by the
 * next.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "aliases.h"
#include "buf.h"
#include "conf.h"
#include "deliver.h"
#include "dsn.h"
#include "log.h"
#include "queue.h"
#include "submit.h"
#include "tap.h"

static char		 dir[] = "/tmp/t_deliver.XXXXXX";
static struct conf	 c, cw;		/* cw: with delay_warning = 1s */
static char		*text;		/* the last report read */

static const char *
at(const char *name)
{
	static char	 p[300];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return p;
}

static char *
slurp(const char *path)
{
	struct buf	 b;
	char		 chunk[4096];
	ssize_t		 k;
	int		 fd;

	if ((fd = open(path, O_RDONLY)) == -1)
		return NULL;
	buf_init(&b, 0);
	buf_adds(&b, "");
	while ((k = read(fd, chunk, sizeof(chunk))) > 0)
		buf_add(&b, chunk, (size_t)k);
	close(fd);
	return b.s;
}

static void
put(const char *name, const char *s)
{
	FILE	*fp = fopen(at(name), "w");

	if (fp == NULL || fputs(s, fp) == EOF || fclose(fp) == EOF)
		exit(2);
}

struct to {
	const char	*addr;
	unsigned	 notify;
	const char	*orcpt;
};

/* A message from sender to the recipients to[0..n), queued: its ID. */
static void
queue_msg(const char *sender, const struct to *to, int n, enum dsn_ret ret,
    const char *envid, char *qid)
{
	struct submit_opts	 o;
	struct submit		*s;
	int			 bad = 0;

	memset(&o, 0, sizeof(o));
	o.sender = sender;
	o.ret = ret;
	o.envid = envid;
	o.uid = getuid();
	qid[0] = '\0';
	if ((s = submit_new(&c, &o)) == NULL)
		exit(2);
	for (int i = 0; i < n; i++)
		bad |= submit_rcpt_dsn(s, to[i].addr, to[i].notify,
		    to[i].orcpt) == -1;
	if (bad || submit_data(s) == -1 ||
	    submit_line(s, "Subject: dsn test", 17) == -1 ||
	    submit_line(s, "", 0) == -1 ||
	    submit_line(s, "the body", 8) == -1 ||
	    submit_commit(s, qid, LIM_QID) == -1)
		diag(submit_error(s)->text);
	submit_free(s);
}

/* One queue run of qid with conf k: how many reports it made; the text
   of the first in text. */
static int
run(const struct conf *k, const char *qid)
{
	struct deliver_made	 made = { NULL, 0 };
	char			 err[512], p[300];
	int			 n;

	free(text);
	text = NULL;
	if (deliver_entry(k, qid, 1, &made, err, sizeof(err)) == -1)
		diag(err);
	if (made.n > 0) {
		snprintf(p, sizeof(p), "%s/spool/msg/%s", dir, made.ids[0]);
		text = slurp(p);
	}
	n = made.n;
	for (int i = 0; i < made.n; i++)	/* reports stay out of the way */
		queue_remove(made.ids[i]);
	deliver_made_free(&made);
	return n;
}

static int
has(const char *s)
{
	return text != NULL && strstr(text, s) != NULL;
}

static int
gone(const char *qid)
{
	struct qenv	 env;
	char		 err[512];

	if (queue_read_env(qid, &env, err, sizeof(err)) == 0) {
		qenv_free(&env);
		return 0;
	}
	return errno == ENOENT;
}

static int
mailbox_has(const char *s)
{
	char	*m = slurp(at("mail/alice"));
	int	 r = m != NULL && strstr(m, s) != NULL;

	free(m);
	return r;
}

/* How many messages alice's mailbox holds. */
static int
mailbox_count(void)
{
	char	*m = slurp(at("mail/alice")), *p = m;
	int	 n = 0;

	while (p != NULL && (p = strstr(p, "\nSubject: dsn test\n")) != NULL) {
		n++;
		p++;
	}
	free(m);
	return n;
}

static void
t_failure(void)
{
	char		 qid[LIM_QID];
	struct to	 ghost = { "ghost@test.example", 0, NULL };

	queue_msg("alice@test.example", &ghost, 1, DSN_RET_NONE, NULL, qid);
	is_int(run(&c, qid), 1, "no NOTIFY: an unknown user's failure is "
	    "reported");
	ok(has("\nAction: failed\nStatus: 5.1.1\n"), "  Action: failed");
	ok(gone(qid), "  and the entry is gone");

	ghost.notify = DSN_NOTIFY_NEVER;
	queue_msg("alice@test.example", &ghost, 1, DSN_RET_NONE, NULL, qid);
	is_int(run(&c, qid), 0, "NOTIFY=NEVER: no report");
	ok(gone(qid), "  the recipient failed all the same: the entry is "
	    "gone");
	ghost.notify = DSN_NOTIFY_SUCCESS | DSN_NOTIFY_DELAY;
	queue_msg("alice@test.example", &ghost, 1, DSN_RET_NONE, NULL, qid);
	is_int(run(&c, qid), 0, "NOTIFY=SUCCESS,DELAY: no failure report");
	ok(gone(qid), "  gone too");

	ghost.notify = DSN_NOTIFY_FAILURE;
	ghost.orcpt = "rfc822;Ghost@test.example";
	queue_msg("alice@test.example", &ghost, 1, DSN_RET_FULL, "E-1", qid);
	is_int(run(&c, qid), 1, "NOTIFY=FAILURE, RET=FULL: a report");
	ok(has("\nContent-Type: message/rfc822\n") && has("\nthe body\n"),
	    "  with the whole message");
	ok(has("\nOriginal-Envelope-Id: E-1\n") && has("\nOriginal-Recipient: "
	    "rfc822;Ghost@test.example\n"), "  ENVID and ORCPT");
}

static void
t_success(void)
{
	char		 qid[LIM_QID];
	struct to	 alice = { "alice@test.example", DSN_NOTIFY_SUCCESS,
			    "rfc822;Alice@test.example" };
	struct to	 both[] = {
		{ "alice@test.example", DSN_NOTIFY_SUCCESS | DSN_NOTIFY_FAILURE,
		  NULL },
		{ "ghost@test.example", DSN_NOTIFY_SUCCESS | DSN_NOTIFY_FAILURE,
		  NULL },
	};

	queue_msg("carol@test.example", &alice, 1, DSN_RET_FULL, "E-2", qid);
	is_int(run(&c, qid), 1, "NOTIFY=SUCCESS: delivered, and a report");
	ok(mailbox_has("Subject: dsn test"), "  it is in alice's mailbox");
	ok(has("\nTo: <carol@test.example>\n") &&
	    has("\nSubject: Successful Mail Delivery Report\n"),
	    "  to the sender");
	ok(has("\nOriginal-Envelope-Id: E-2\n") && has("\nOriginal-Recipient: "
	    "rfc822;Alice@test.example\nFinal-Recipient: rfc822; "
	    "alice@test.example\nAction: delivered\nStatus: 2.0.0\n"),
	    "  Action: delivered, Status: 2.0.0, ENVID, ORCPT");
	ok(has("text/rfc822-headers") && !has("\nthe body\n"),
	    "  with the headers only, RET=FULL or not");
	ok(gone(qid), "  the entry is gone");

	alice.notify = DSN_NOTIFY_FAILURE | DSN_NOTIFY_DELAY;
	queue_msg("carol@test.example", &alice, 1, DSN_RET_NONE, NULL, qid);
	is_int(run(&c, qid), 0, "NOTIFY without SUCCESS: delivered, no report");
	alice.notify = DSN_NOTIFY_SUCCESS;
	queue_msg("", &alice, 1, DSN_RET_NONE, NULL, qid);
	is_int(run(&c, qid), 0, "NOTIFY=SUCCESS from <>: never a report");
	ok(gone(qid), "  and nothing is left owed");

	queue_msg("carol@test.example", both, 2, DSN_RET_NONE, NULL, qid);
	is_int(run(&c, qid), 2, "one delivered, one failed: two reports");
}

/* A recipient marked as owed a report, as a run that stopped after
   recording the delivery leaves it: the next run makes the report. */
static void
t_owed(void)
{
	struct qenv	 env;
	char		 qid[LIM_QID], err[512];
	struct to	 alice = { "alice@test.example", DSN_NOTIFY_SUCCESS,
			    NULL };
	int		 before = mailbox_count();

	queue_msg("carol@test.example", &alice, 1, DSN_RET_NONE, NULL, qid);
	if (queue_read_env(qid, &env, err, sizeof(err)) == -1)
		return;
	env.rcpt[0].status = RCPT_SENT;
	env.rcpt[0].owed = DSN_ACTION_DELIVERED;
	queue_write_env(&env, err, sizeof(err));
	qenv_free(&env);
	is_int(run(&c, qid), 1, "a report owed from before: made now");
	ok(has("\nAction: delivered\n"), "  delivered");
	ok(gone(qid), "  then the entry goes");
	is_int(mailbox_count(), before, "  and nothing delivered again");
}

/* delay_warning: only to recipients whose NOTIFY has DELAY (or none). */
static void
t_delay(void)
{
	struct qenv	 env;
	char		 qid[LIM_QID], err[512];
	struct to	 far = { "friend@far.example", DSN_NOTIFY_FAILURE, NULL };

	for (int k = 0; k < 2; k++) {
		queue_msg("carol@test.example", &far, 1, DSN_RET_NONE, NULL,
		    qid);
		if (queue_read_env(qid, &env, err, sizeof(err)) == -1)
			return;
		env.arrival = time(NULL) - 3600;
		queue_write_env(&env, err, sizeof(err));
		qenv_free(&env);
		if (k == 0)
			is_int(run(&cw, qid), 0, "NOTIFY=FAILURE: no delay "
			    "warning");
		else {
			is_int(run(&cw, qid), 1, "no NOTIFY: a delay warning");
			ok(has("\nAction: delayed\n"), "  Action: delayed");
		}
		queue_remove(qid);
		far.notify = 0;
	}
}

/* Aliases pass NOTIFY and ORCPT on (RFC 3461); a destination that fails
   while others do not is reported only if asked for. */
static void
t_aliases(void)
{
	struct qenv	 env;
	char		 qid[LIM_QID], err[512];
	struct to	 fwd = { "fwd@test.example", DSN_NOTIFY_SUCCESS,
			    "rfc822;Fwd@test.example" };
	struct to	 part = { "part@test.example", DSN_NOTIFY_NEVER, NULL };

	queue_msg("carol@test.example", &fwd, 1, DSN_RET_NONE, NULL, qid);
	is_int(run(&c, qid), 1, "an alias to alice and elsewhere: one report");
	ok(has("\nFinal-Recipient: rfc822; fwd@test.example\n"
	    "Action: expanded\n"), "  Action: expanded");
	ok(queue_read_env(qid, &env, err, sizeof(err)) == 0 &&
	    env.nrcpt == 2 && strcmp(env.rcpt[1].addr, "friend@far.example")
	    == 0 && env.rcpt[1].notify == DSN_NOTIFY_SUCCESS &&
	    env.rcpt[1].orcpt != NULL && strcmp(env.rcpt[1].orcpt,
	    "rfc822;Fwd@test.example") == 0,
	    "  the forwarded address inherits NOTIFY and ORCPT");
	qenv_free(&env);
	queue_remove(qid);

	queue_msg("carol@test.example", &part, 1, DSN_RET_NONE, NULL, qid);
	is_int(run(&c, qid), 0, "an alias with a bad destination, NEVER: "
	    "no report");
	ok(gone(qid), "  done with");
	part.notify = 0;
	part.orcpt = "rfc822;Part@test.example";
	queue_msg("carol@test.example", &part, 1, DSN_RET_NONE, NULL, qid);
	is_int(run(&c, qid), 1, "without NOTIFY: the failed destination is "
	    "reported");
	ok(has("\nOriginal-Recipient: rfc822;Part@test.example\n"
	    "Final-Recipient: rfc822; ghost\nAction: failed\n"),
	    "  under the recipient's ORCPT");
}

static int
load(struct conf *k, const char *name, const char *extra)
{
	char	 text2[1024], err[512];

	snprintf(text2, sizeof(text2), "hostname = test.example\n"
	    "domains = test.example\nspool = %s/spool\naliases = %s/aliases\n"
	    "passwd = %s/passwd\nmailbox = mbox:%s/mail/%%u\nlog = %s/log\n"
	    /* other domains: to a loopback port where nothing listens */
	    "relayhost = [127.0.0.1]:1\n%s",
	    dir, dir, dir, dir, dir, extra);
	put(name, text2);
	if (conf_load(k, at(name), 1, err, sizeof(err)) == -1) {
		diag(err);
		return -1;
	}
	return 0;
}

int
main(void)
{
	struct aliases_stats st;
	char	 err[512], pw[256];

	if (mkdtemp(dir) == NULL || mkdir(at("mail"), 0755) == -1)
		return 2;
	snprintf(pw, sizeof(pw), "alice:x:%lu:%lu::%s:/bin/sh\n",
	    (unsigned long)geteuid(), (unsigned long)getegid(), dir);
	put("passwd", pw);
	put("aliases", "fwd: alice, friend@far.example\npart: alice, ghost\n");
	if (aliases_compile(at("aliases"), &st, NULL, err, sizeof(err)) == -1 ||
	    load(&c, "hikyaku.conf", "") == -1 ||
	    load(&cw, "warn.conf", "delay_warning = 1s\n") == -1 ||
	    queue_init(c.spool, 1, getuid(), getgid(), err, sizeof(err)) != 0)
		return 2;
	log_init("t_deliver", c.log);
	t_failure();
	t_success();
	t_owed();
	t_delay();
	t_aliases();
	free(text);
	snprintf(pw, sizeof(pw), "rm -rf %s", dir);
	if (system(pw) != 0)
		diag("could not remove the temporary folder");
	return done_testing();
}
