/*
 * core/mailrc.c: variables, word splitting, start-up files with
 * FILE:LINE errors, aliases, ignore/retain.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "mailrc.h"
#include "tap.h"

static char	 dir[] = "/tmp/t_mailrc.XXXXXX";

static const char *
write_rc(const char *name, const char *text)
{
	static char	 path[256];
	FILE		*f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "w")) == NULL || fputs(text, f) == EOF ||
	    fclose(f) == EOF) {
		perror(path);
		exit(1);
	}
	return path;
}

static int
run(struct mailrc *rc, const char *line, struct buf *out, char *err)
{
	char	**argv;
	int	 argc, r;

	if (mailrc_split(line, &argv, &argc, err, 256) == -1)
		return -2;
	r = mailrc_command(rc, argc, argv, out, err, 256);
	free(argv);
	return r;
}

static void
t_split(void)
{
	char	**v, err[256];
	int	 c;

	ok(mailrc_split("set  prompt=\"& \" ask", &v, &c, err,
	    sizeof(err)) == 0 && c == 3, "split: three words");
	is_str(v[1], "prompt=& ", "split: double quotes keep the space");
	free(v);
	ok(mailrc_split("alias x 'a b' c\\ d", &v, &c, err, sizeof(err)) ==
	    0 && c == 4, "split: single quotes and backslash");
	is_str(v[2], "a b", "split: 'a b' is one word");
	is_str(v[3], "c d", "split: backslash-space joins");
	free(v);
	ok(mailrc_split("set x=\"open", &v, &c, err, sizeof(err)) == -1,
	    "split: unbalanced quote refused");
	is_str(err, "unbalanced quote", "split: says why");
	ok(mailrc_split("   ", &v, &c, err, sizeof(err)) == 0 && c == 0,
	    "split: blank line has no words");
	free(v);
}

static void
t_vars(void)
{
	struct mailrc	 rc;
	struct buf	 out;
	char		 err[256];

	mailrc_init(&rc, 0);
	buf_init(&out, 0);
	ok(mailrc_bool(&rc, "asksub"), "default: asksub set");
	is_str(mailrc_get(&rc, "prompt"), "& ", "default: prompt is \"& \"");
	is_int(mailrc_num(&rc, "toplines", 0), 5, "default: toplines 5");
	ok(run(&rc, "set hold crt=20 record=+sent", &out, err) == 0,
	    "set several");
	is_str(mailrc_get(&rc, "hold"), "", "boolean is \"\"");
	is_int(mailrc_num(&rc, "crt", 0), 20, "crt=20");
	is_str(mailrc_get(&rc, "record"), "+sent", "string value");
	ok(run(&rc, "se nohold", &out, err) == 0 && !mailrc_bool(&rc, "hold"),
	    "set noNAME unsets (and 'se' abbreviates set)");
	ok(run(&rc, "uns crt", &out, err) == 0 && mailrc_get(&rc, "crt") ==
	    NULL, "unset");
	setenv("T_MAILRC_ENVVAR", "from-env", 1);
	is_str(mailrc_get(&rc, "T_MAILRC_ENVVAR"), "from-env",
	    "unset variables come from the environment");
	ok(run(&rc, "set T_MAILRC_ENVVAR=mine", &out, err) == 0 &&
	    strcmp(mailrc_get(&rc, "T_MAILRC_ENVVAR"), "mine") == 0,
	    "a set variable wins over the environment");
	ok(run(&rc, "set toplines=abc", &out, err) == 0 &&
	    mailrc_num(&rc, "toplines", 7) == 7, "bad number: the default");
	buf_reset(&out);
	ok(run(&rc, "set", &out, err) == 0 && strstr(buf_str(&out),
	    "record\t+sent\n") != NULL, "set alone lists");
	ok(run(&rc, "frobnicate", &out, err) == 1, "not a settings command: 1");
	buf_free(&out);
	mailrc_free(&rc);
}

struct col {
	char	 s[512];
};

static int
collect(void *ctx, const char *a)
{
	struct col	*c = ctx;

	strcat(c->s, a);
	strcat(c->s, ";");
	return 0;
}

static void
t_alias(void)
{
	struct mailrc	 rc;
	struct buf	 out;
	struct col	 c;
	char		 err[256];

	mailrc_init(&rc, 0);
	buf_init(&out, 0);
	run(&rc, "alias team bob carol@example.org", &out, err);
	run(&rc, "group all team dave", &out, err);
	run(&rc, "alias loop1 loop2", &out, err);
	run(&rc, "alias loop2 loop1 x", &out, err);
	memset(&c, 0, sizeof(c));
	mailrc_expand(&rc, "all", collect, &c);
	is_str(c.s, "bob;carol@example.org;dave;", "alias of an alias, in order");
	memset(&c, 0, sizeof(c));
	mailrc_expand(&rc, "nobody", collect, &c);
	is_str(c.s, "nobody;", "not an alias: itself");
	memset(&c, 0, sizeof(c));
	mailrc_expand(&rc, "loop1", collect, &c);
	is_str(c.s, "loop1;x;", "an alias loop ends at the repeated name");
	run(&rc, "alias team erin", &out, err);
	memset(&c, 0, sizeof(c));
	mailrc_expand(&rc, "team", collect, &c);
	is_str(c.s, "bob;carol@example.org;erin;", "alias again adds members");
	run(&rc, "unalias team", &out, err);
	memset(&c, 0, sizeof(c));
	mailrc_expand(&rc, "team", collect, &c);
	is_str(c.s, "team;", "unalias");
	buf_free(&out);
	mailrc_free(&rc);
}

static void
t_fields(void)
{
	struct mailrc	 rc;
	struct buf	 out;
	char		 err[256];

	mailrc_init(&rc, 0);
	buf_init(&out, 0);
	ok(mailrc_shown(&rc, "Received", 8), "nothing ignored: shown");
	run(&rc, "ignore Received message-id", &out, err);
	ok(!mailrc_shown(&rc, "received", 8), "ignore, any case");
	ok(!mailrc_shown(&rc, "Message-ID", 10), "ignore, other case");
	ok(mailrc_shown(&rc, "Subject", 7), "others shown");
	run(&rc, "unignore received", &out, err);
	ok(mailrc_shown(&rc, "Received", 8), "unignore");
	run(&rc, "retain from subject", &out, err);
	ok(mailrc_shown(&rc, "From", 4) && !mailrc_shown(&rc, "To", 2),
	    "retain: only those shown");
	run(&rc, "unretain *", &out, err);
	ok(mailrc_shown(&rc, "To", 2), "unretain * empties the list");
	buf_free(&out);
	mailrc_free(&rc);
}

static void
t_load(void)
{
	struct mailrc	 rc;
	struct buf	 errs;
	const char	*p, *inc;
	char		 text[512];

	inc = write_rc("inc.rc", "set included\n");
	snprintf(text, sizeof(text),
	    "# Debian's /etc/mail.rc\n"
	    "set ask askcc append dot save crt\n"
	    "ignore Received Message-Id Resent-Message-Id Status Mail-From "
	    "Return-Path Via Delivered-To\n"
	    "\n"
	    "set folder=Mail \\\n"
	    "  record=+sent\n"
	    "bogus command here\n"
	    "set x=\"unbalanced\n"
	    "reply\n"
	    "if s\nset sending_only\nendif\n"
	    "if r\nset reading_only\nendif\n"
	    "source %s\n"
	    "set last\n", inc);
	p = write_rc("mail.rc", text);
	mailrc_init(&rc, 1);
	buf_init(&errs, 0);
	is_int(mailrc_load(&rc, p, &errs), 3, "three bad lines counted");
	ok(mailrc_bool(&rc, "askcc") && mailrc_bool(&rc, "crt"),
	    "Debian's set line read");
	ok(!mailrc_shown(&rc, "Delivered-To", 12), "Debian's ignore line read");
	is_str(mailrc_get(&rc, "record"), "+sent", "continued line read");
	is_str(mailrc_get(&rc, "folder"), "Mail", "first part of it too");
	ok(mailrc_bool(&rc, "last"), "errors do not stop the reading");
	ok(mailrc_bool(&rc, "sending_only") && !mailrc_bool(&rc,
	    "reading_only"), "if s / if r");
	ok(mailrc_bool(&rc, "included"), "source");
	snprintf(text, sizeof(text), "%s:7: 'bogus' is not a command of "
	    "start-up files\n", p);
	ok(strstr(buf_str(&errs), text) != NULL, "FILE:LINE for an unknown "
	    "command");
	snprintf(text, sizeof(text), "%s:8: unbalanced quote\n", p);
	ok(strstr(buf_str(&errs), text) != NULL, "FILE:LINE for a bad quote");
	snprintf(text, sizeof(text), "%s:9: 'reply' cannot be used in a "
	    "start-up file\n", p);
	ok(strstr(buf_str(&errs), text) != NULL, "FILE:LINE for a forbidden "
	    "command");
	buf_reset(&errs);
	is_int(mailrc_load(&rc, "/nonexistent/.mailrc", &errs), 0,
	    "a missing file is no error");
	buf_free(&errs);
	mailrc_free(&rc);
	unlink(inc);
	unlink(p);
}

int
main(void)
{
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	t_split();
	t_vars();
	t_alias();
	t_fields();
	t_load();
	rmdir(dir);
	return done_testing();
}
