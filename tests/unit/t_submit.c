/*
 * core/submit: a message into the queue, and its one error type with
 * its two mappings (sysexits, SMTP).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>
#include <sys/stat.h>

#include "conf.h"
#include "queue.h"
#include "submit.h"
#include "tap.h"

static char		 dir[] = "/tmp/t_submit.XXXXXX";
static struct conf	 c;

static struct submit *
fresh(const char *sender)
{
	struct submit_opts	 o;

	memset(&o, 0, sizeof(o));
	o.sender = sender;
	o.add_missing = 1;
	o.uid = 4242;
	return submit_new(&c, &o);
}

static void
reply_is(struct submit *s, const char *want, int code, const char *what)
{
	char	 r[600];

	submit_smtp_reply(submit_error(s), r, sizeof(r));
	is_str(r, want, "%s: the SMTP reply", what);
	is_int(submit_exit_code(submit_error(s)), code, "%s: exit %d", what,
	    code);
}

int
main(void)
{
	struct submit		*s;
	struct submit_error	 e;
	struct qenv		 env;
	char			 p[256], err[512], qid[LIM_QID], text[512];
	FILE			*fp;

	if (mkdtemp(dir) == NULL)
		return 2;
	snprintf(p, sizeof(p), "%s/hikyaku.conf", dir);
	snprintf(text, sizeof(text), "hostname = mx.test.example\nspool = "
	    "%s/spool\nmax_rcpt = 2\nmax_size = 200\nlog = %s/log\n", dir,
	    dir);
	if ((fp = fopen(p, "w")) == NULL || fputs(text, fp) == EOF ||
	    fclose(fp) == EOF || conf_load(&c, p, 1, err, sizeof(err)) == -1 ||
	    queue_init(c.spool, 1, getuid(), getgid(), err, sizeof(err)) != 0)
		return 2;

	s = fresh("alice@mx.test.example");
	ok(s != NULL, "a submission");
	ok(submit_rcpt(s, "bob") == 0 && submit_rcpt(s, "BOB@mx.test.example")
	    == 0 && submit_nrcpt(s) == 1, "a duplicate costs nothing");
	ok(submit_rcpt(s, "carol@x.example") == 0, "a second recipient");
	ok(submit_rcpt(s, "dave@x.example") == -1, "a third: refused");
	reply_is(s, "452 4.5.3 too many recipients (max_rcpt is 2)", EX_DATAERR,
	    "over max_rcpt");
	ok(submit_data(s) == 0 && submit_line(s, "Subject: t", 10) == 0 &&
	    submit_line(s, "", 0) == 0 && submit_line(s, "body", 4) == 0,
	    "the message, after a refused recipient");
	ok(submit_commit(s, qid, sizeof(qid)) == 0 && queue_valid_id(qid),
	    "committed, with an ID");
	submit_free(s);
	ok(queue_read_env(qid, &env, err, sizeof(err)) == 0 && env.nrcpt == 2 &&
	    strcmp(env.rcpt[0].addr, "bob@mx.test.example") == 0 &&
	    strcmp(env.sender, "alice@mx.test.example") == 0 && env.uid == 4242,
	    "the envelope: sender, two recipients (qualified), uid");
	qenv_free(&env);

	/* DSN: RET, ENVID, SMTPUTF8 for the message, NOTIFY and ORCPT for
	   each recipient, the options' NOTIFY for those given without */
	{
		struct submit_opts	 o;

		memset(&o, 0, sizeof(o));
		o.sender = "j\xc3\xb6rg@x.example";
		o.ret = DSN_RET_FULL;
		o.envid = "QQ 314159";
		o.notify = DSN_NOTIFY_NEVER;
		o.smtputf8 = 1;
		s = submit_new(&c, &o);
	}
	ok(s != NULL, "a submission with DSN options");
	ok(submit_rcpt_dsn(s, "bob", DSN_NOTIFY_SUCCESS | DSN_NOTIFY_FAILURE,
	    "rfc822;Bob@mx.test.example") == 0, "a recipient with NOTIFY and "
	    "ORCPT");
	ok(submit_rcpt(s, "carol") == 0, "one with the options' NOTIFY");
	ok(submit_rcpt_dsn(s, "bob", DSN_NOTIFY_NEVER, NULL) == 0 &&
	    submit_nrcpt(s) == 2, "a duplicate: nothing changes");
	ok(submit_data(s) == 0 && submit_line(s, "x", 1) == 0 &&
	    submit_commit(s, qid, sizeof(qid)) == 0, "committed");
	submit_free(s);
	ok(queue_read_env(qid, &env, err, sizeof(err)) == 0, "read back");
	ok(env.ret == DSN_RET_FULL && env.smtputf8 == 1 && env.envid != NULL &&
	    strcmp(env.envid, "QQ 314159") == 0, "RET, SMTPUTF8, ENVID kept");
	ok(env.nrcpt == 2 && env.rcpt[0].notify == (DSN_NOTIFY_SUCCESS |
	    DSN_NOTIFY_FAILURE) && env.rcpt[0].orcpt != NULL &&
	    strcmp(env.rcpt[0].orcpt, "rfc822;Bob@mx.test.example") == 0,
	    "bob: his NOTIFY and ORCPT (the first ones)");
	ok(env.nrcpt == 2 && env.rcpt[1].notify == DSN_NOTIFY_NEVER &&
	    env.rcpt[1].orcpt == NULL, "carol: NOTIFY=NEVER from the options");
	qenv_free(&env);
	s = fresh("a@b.example");
	ok(submit_rcpt_dsn(s, "bob", DSN_NOTIFY_NEVER | DSN_NOTIFY_DELAY,
	    NULL) == -1 && submit_error(s)->code == SUBMIT_ADDR,
	    "NEVER with another: SUBMIT_ADDR");
	ok(submit_rcpt_dsn(s, "bob", 0, "bob@b.example") == -1,
	    "an ORCPT without its type: refused");
	ok(submit_rcpt_dsn(s, "bob", 0, "rfc822;a\nb") == -1,
	    "one with an LF: refused");
	is_int(submit_nrcpt(s), 0, "and none of them taken");
	submit_free(s);
	{
		struct submit_opts	 o;

		memset(&o, 0, sizeof(o));
		o.sender = "a@b.example";
		o.envid = "bad\rid";
		errno = 0;
		ok(submit_new(&c, &o) == NULL && errno == EINVAL,
		    "a bad ENVID: no submission, EINVAL");
	}

	s = fresh("");
	ok(submit_data(s) == 0 && submit_line(s, "x", 1) == 0 &&
	    submit_commit(s, qid, sizeof(qid)) == -1, "no recipient: refused");
	reply_is(s, "554 5.5.1 no recipients given (on the command line)",
	    EX_USAGE, "no recipient");
	submit_free(s);

	s = fresh("a@b.example");
	submit_rcpt(s, "bob");
	submit_data(s);
	ok(submit_line(s, "bad\0byte", 8) == -1, "a NUL byte: refused");
	is_int(submit_error(s)->code, SUBMIT_NUL, "SUBMIT_NUL");
	reply_is(s, "554 5.6.0 message contains a NUL byte (line 1)",
	    EX_DATAERR, "a NUL byte");
	submit_free(s);

	s = fresh("a@b.example");
	submit_rcpt(s, "bob");
	submit_data(s);
	memset(text, 'x', 150);
	text[150] = '\0';
	submit_line(s, text, 150);
	ok(submit_line(s, text, 150) == -1 &&
	    submit_error(s)->code == SUBMIT_SIZE, "over max_size: SUBMIT_SIZE");
	is_int(submit_exit_code(submit_error(s)), EX_DATAERR, "exit 65");
	submit_free(s);

	memset(&e, 0, sizeof(e));
	e.code = SUBMIT_SYSTEM;
	e.sys_errno = ENOSPC;
	snprintf(e.text, sizeof(e.text), "disk full");
	submit_smtp_reply(&e, text, sizeof(text));
	is_str(text, "452 4.3.1 disk full", "a full disk: 452 4.3.1");
	is_int(submit_exit_code(&e), EX_TEMPFAIL, "and exit 75");
	e.sys_errno = EACCES;
	submit_smtp_reply(&e, text, sizeof(text));
	is_str(text, "451 4.3.0 disk full", "another system error: 451 4.3.0");
	is_int(submit_exit_code(&e), EX_NOPERM, "EACCES: exit 77");

	snprintf(p, sizeof(p), "%s/spool/tmp", dir);
	ok(chmod(p, 0500) == 0, "tmp/ made read-only");
	s = fresh("a@b.example");
	submit_rcpt(s, "bob");
	if (geteuid() != 0) {
		ok(submit_data(s) == -1 && submit_error(s)->code ==
		    SUBMIT_SYSTEM && submit_error(s)->sys_errno == EACCES,
		    "no queue file: SUBMIT_SYSTEM, EACCES");
	} else
		printf("ok %d # skip root writes a read-only directory\n",
		    ++tap_n);
	submit_free(s);
	chmod(p, 0700);

	snprintf(text, sizeof(text), "rm -rf %s", dir);
	if (system(text) != 0)
		diag("could not remove the temporary folder");
	return done_testing();
}
