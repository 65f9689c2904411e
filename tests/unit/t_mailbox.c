/*
 * mailbox: the one writer.  The path template, the From_ line and its
 * sanitised sender, the empty line made sure before an append, mboxrd
 * quoting across writes, several messages in one append, the exact
 * rollback (also of a committed append, and of a file size limit),
 * refusals (FIFO, symlink, links, owner), and Maildir by link().
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "tap.h"
#include "conf.h"
#include "limits.h"
#include "mailbox.h"
#include "users.h"

#define DATE	"Sat Nov 28 00:19:43 2026"

static char	 dir[] = "/tmp/t_mailbox.XXXXXX", why[LIM_ERR];

static const char *
path(const char *name)
{
	static char	 p[4][LIM_PATH];
	static int	 k;

	k = (k + 1) % 4;
	snprintf(p[k], sizeof(p[k]), "%s/%s", dir, name);
	return p[k];
}

static void
put(const char *name, const char *s)
{
	FILE	*f = fopen(path(name), "w");

	if (f == NULL || fputs(s, f) == EOF || fclose(f) == EOF)
		fprintf(stderr, "cannot write %s\n", path(name));
}

/* The whole file, or NULL; static, overwritten by the next call. */
static const char *
get(const char *name)
{
	static char	 b[64 * 1024];
	FILE		*f = fopen(path(name), "r");
	size_t		 n;

	if (f == NULL)
		return NULL;
	n = fread(b, 1, sizeof(b) - 1, f);
	fclose(f);
	b[n] = '\0';
	return b;
}

static void
test_path(void)
{
	struct conf	 t;
	struct user	 u;
	char		 out[LIM_PATH], small[12];

	memset(&t, 0, sizeof(t));
	memset(&u, 0, sizeof(u));
	snprintf(u.name, sizeof(u.name), "bob");
	snprintf(u.home, sizeof(u.home), "/home/bob");
	t.mailbox = "/var/mail/%u";
	is_int(mailbox_path(&t, &u, out, sizeof(out)), 0, "path %%u");
	is_str(out, "/var/mail/bob", "%%u expanded");
	t.mailbox = "%h/Maildir/";
	mailbox_path(&t, &u, out, sizeof(out));
	is_str(out, "/home/bob/Maildir/", "%%h expanded");
	t.mailbox = "/m/%%u/%u%%/%h%u";
	mailbox_path(&t, &u, out, sizeof(out));
	is_str(out, "/m/%u/bob%//home/bobbob", "%%%% is a percent sign");
	t.mailbox = "/var/mai/%u";	/* 12 bytes + NUL: one over */
	is_int(mailbox_path(&t, &u, small, sizeof(small)), -1,
	    "too long for the buffer: -1");
	t.mailbox = "/var/ma/%u";	/* 11 bytes + NUL fits exactly */
	is_int(mailbox_path(&t, &u, small, sizeof(small)), 0,
	    "exactly fitting: 0");
	is_str(small, "/var/ma/bob", "exactly fitting: expanded");
	t.mailbox = "/var/%x";
	is_int(mailbox_path(&t, &u, out, sizeof(out)), -1,
	    "unknown %%x: -1");
}

static void
test_from_line(void)
{
	char	 b[256], big[LIM_ADDR * 8];
	size_t	 n;

	n = mailbox_from_line("\"john doe\"@ex.org", DATE, b, sizeof(b));
	is_str(b, "From \"john_doe\"@ex.org " DATE "\n",
	    "a quoted local part with a space: one word");
	is_int((int)n, (int)strlen(b), "the length returned");
	mailbox_from_line("", DATE, b, sizeof(b));
	is_str(b, "From MAILER-DAEMON " DATE "\n", "<> is MAILER-DAEMON");
	mailbox_from_line("<>", DATE, b, sizeof(b));
	is_str(b, "From MAILER-DAEMON " DATE "\n", "\"<>\" too");
	mailbox_from_line(NULL, DATE, b, sizeof(b));
	is_str(b, "From MAILER-DAEMON " DATE "\n", "NULL too");
	mailbox_from_line("<a@b.example>", DATE, b, sizeof(b));
	is_str(b, "From a@b.example " DATE "\n", "angle brackets dropped");
	mailbox_from_line("a\tb\x7f\x01\r\n@x", "Sat\nNov\r28", b, sizeof(b));
	is_str(b, "From a_b____@x Sat Nov 28\n",
	    "tab, DEL, control characters: '_'; CR, LF in the date: ' '");
	mailbox_from_line("j\xc3\xa9@x", DATE, b, sizeof(b));
	is_str(b, "From j__@x " DATE "\n", "8-bit bytes (an SMTPUTF8 sender): "
	    "'_', so that the line is ASCII");
	n = mailbox_from_line("s@x", NULL, b, sizeof(b));
	ok(n == strlen("From s@x ") + strlen(DATE) + 1 && b[n - 1] == '\n',
	    "no date: now, in asctime's layout: %s", b);
	mailbox_date(1795825183, b, sizeof(b));
	ok(strlen(b) == strlen(DATE) && b[3] == ' ' && b[7] == ' ' &&
	    b[13] == ':', "mailbox_date: asctime's layout: %s", b);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	is_int((int)mailbox_from_line(big, DATE, b, sizeof(b)), 0,
	    "too long for the buffer: 0");
}

/* One message into an mbox name. */
static int
one(const char *name, int flags, const char *sender, const char *msg)
{
	return mailbox_put(path(name), flags, sender, DATE, msg, strlen(msg),
	    why, sizeof(why));
}

static void
test_separator(void)
{
	put("sep1", "From a@b " DATE "\nSubject: one\n\nbody one\n");
	is_int(one("sep1", 0, "s@x", "Subject: two\n\nbody two\n"), 0,
	    "append after a message without its empty line: %s", why);
	is_str(get("sep1"), "From a@b " DATE "\nSubject: one\n\nbody one\n\n"
	    "From s@x " DATE "\nSubject: two\n\nbody two\n\n",
	    "the missing empty line written first");
	put("sep2", "From a@b " DATE "\nSubject: one\n\nbody one");
	one("sep2", 0, "s@x", "Subject: two\n\nbody two");
	is_str(get("sep2"), "From a@b " DATE "\nSubject: one\n\nbody one\n\n"
	    "From s@x " DATE "\nSubject: two\n\nbody two\n\n",
	    "without its final newline: both written; ours gets its own");
	put("sep3", "From a@b " DATE "\n\nx\n\n");
	one("sep3", 0, "s@x", "\ny\n");
	is_str(get("sep3"), "From a@b " DATE "\n\nx\n\nFrom s@x " DATE
	    "\n\ny\n\n", "a well-ended mbox: nothing added");
	put("sep4", "From a@b " DATE "\r\n\r\nx\r\n\r\n");
	one("sep4", 0, "s@x", "\ny\n");
	is_str(get("sep4"), "From a@b " DATE "\r\n\r\nx\r\n\r\nFrom s@x "
	    DATE "\n\ny\n\n", "an empty CRLF line ends it too");
	unlink(path("sep5"));
	one("sep5", 0, "", "Subject: only headers\n");
	is_str(get("sep5"), "From MAILER-DAEMON " DATE "\nSubject: only "
	    "headers\n\n", "a new mbox, a message of only headers");
}

static void
test_quoting(void)
{
	static const char *const parts[] = { "Subject: q\n\nFr", "om a\n>",
	    "From b\n>>Fro", "m c\nFrom", "\nFro", "mage\n", "From" };
	struct mailbox	 mb;
	size_t		 i;

	unlink(path("q"));
	is_int(mailbox_open(&mb, path("q"), MAILBOX_MBOX, 0, NULL, why,
	    sizeof(why)), 0, "open: %s", why);
	is_int(mailbox_begin(&mb, "s@x", DATE, why, sizeof(why)), 0,
	    "begin");
	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		mailbox_write(&mb, parts[i], strlen(parts[i]));
	is_int(mailbox_commit(&mb, why, sizeof(why)), 0, "commit: %s", why);
	mailbox_close(&mb);
	is_str(get("q"), "From s@x " DATE "\nSubject: q\n\n>From a\n>>From b\n"
	    ">>>From c\nFrom\nFromage\nFrom\n\n", "mboxrd across writes; "
	    "\"From\" without its space and a last line without newline "
	    "left as they are");
}

static void
test_rollback(void)
{
	struct mailbox	 mb;
	struct rlimit	 rl;
	const char	*old = "From a@b " DATE "\n\nold\n";
	char		 big[8192];
	pid_t		 pid;
	int		 st;

	/* several messages, committed, then undone (mbox_sync's move) */
	put("rb", old);
	mailbox_open(&mb, path("rb"), MAILBOX_MBOX, 0, NULL, why, sizeof(why));
	mailbox_begin(&mb, "s@x", DATE, why, sizeof(why));
	mailbox_write(&mb, "\none\n", 5);
	mailbox_begin(&mb, "t@x", DATE, why, sizeof(why));
	mailbox_write(&mb, "\ntwo", 4);
	is_int(mailbox_commit(&mb, why, sizeof(why)), 0, "two messages "
	    "committed");
	is_str(get("rb"), "From a@b " DATE "\n\nold\n\nFrom s@x " DATE
	    "\n\none\n\nFrom t@x " DATE "\n\ntwo\n\n", "both, each ended");
	why[0] = '\0';
	mailbox_abort(&mb, why, sizeof(why));
	mailbox_close(&mb);
	is_str(get("rb"), old, "aborted after the commit: byte-identical, "
	    "the empty line added before them gone too");

	/* closed without a commit */
	mailbox_open(&mb, path("rb"), MAILBOX_MBOX, 0, NULL, why, sizeof(why));
	mailbox_begin(&mb, "s@x", DATE, why, sizeof(why));
	memset(big, 'x', sizeof(big));
	for (int i = 0; i < 20; i++)
		mailbox_write(&mb, big, sizeof(big));
	mailbox_close(&mb);
	is_str(get("rb"), old, "closed without a commit: byte-identical");

	/* a file size limit half-way (in a child: the limit is its own) */
	if ((pid = fork()) == 0) {
		rl.rlim_cur = rl.rlim_max = 100000;
		setrlimit(RLIMIT_FSIZE, &rl);
		mailbox_open(&mb, path("rb"), MAILBOX_MBOX, 0, NULL, why,
		    sizeof(why));
		mailbox_begin(&mb, "s@x", DATE, why, sizeof(why));
		for (int i = 0; i < 40; i++)
			mailbox_write(&mb, big, sizeof(big));
		st = mailbox_commit(&mb, why, sizeof(why)) == -1 &&
		    errno == EFBIG && strstr(why, "File too large") != NULL;
		mailbox_abort(&mb, why, sizeof(why));
		mailbox_close(&mb);
		_exit(st ? 0 : 1);
	}
	waitpid(pid, &st, 0);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "RLIMIT_FSIZE: EFBIG, not "
	    "SIGXFSZ, with the reason");
	is_str(get("rb"), old, "and the mbox byte-identical");
}

static void
test_refusals(void)
{
	struct mailbox	 mb;
	struct stat	 st;

	unlink(path("fifo"));
	mkfifo(path("fifo"), 0600);
	alarm(10);
	is_int(mailbox_open(&mb, path("fifo"), MAILBOX_MBOX, 0, NULL, why,
	    sizeof(why)), -1, "a FIFO is refused, without hanging");
	alarm(0);
	ok(strstr(why, "not a regular file") != NULL, "why: %s", why);
	ok(stat(path("fifo.lock"), &st) == -1, "and its dotlock is gone");

	put("target", "precious\n");
	unlink(path("link"));
	symlink(path("target"), path("link"));
	is_int(one("link", MAILBOX_NOFOLLOW, "s@x", "x\n"), -1,
	    "NOFOLLOW: a symlink is refused");
	ok(strstr(why, "symbolic link") != NULL, "why: %s", why);
	is_str(get("target"), "precious\n", "its target untouched");
	unlink(path("hard"));
	link(path("target"), path("hard"));
	is_int(one("hard", MAILBOX_NOFOLLOW, "s@x", "x\n"), -1,
	    "NOFOLLOW: two links refused");
	ok(strstr(why, "2 links") != NULL, "why: %s", why);
	is_int(one("link", 0, "s@x", "x\n"), 0, "without NOFOLLOW a symlink "
	    "is followed (mail's save to a file of the user's choice): %s",
	    why);
	is_str(get("target"), "precious\n\nFrom s@x " DATE "\nx\n\n",
	    "appended to its target, after an empty line");
	if (geteuid() == 0) {
		put("owned", "");
		chown(path("owned"), 4242, 4242);
		is_int(one("owned", MAILBOX_OWNER, "s@x", "x\n"), -1,
		    "OWNER: another uid's file refused");
		ok(strstr(why, "owned by uid 4242") != NULL, "why: %s", why);
	} else {
		ok(1, "# skip the owner check needs root to chown");
		ok(1, "# skip the owner check needs root to chown");
	}
}

static int
count(const char *d)
{
	DIR		*dp = opendir(d);
	struct dirent	*e;
	int		 n = 0;

	while (dp != NULL && (e = readdir(dp)) != NULL)
		n += e->d_name[0] != '.';
	if (dp != NULL)
		closedir(dp);
	return n;
}

static void
test_maildir(void)
{
	struct mailbox	 mb;
	int		 i;

	for (i = 0; i < 5; i++)
		if (mailbox_open(&mb, path("md/"), MAILBOX_MAILDIR, 0, "h/x:y",
		    why, sizeof(why)) == 0) {
			mailbox_begin(&mb, "s@x", DATE, why, sizeof(why));
			mailbox_write(&mb, "From x\nlast", 11);
			mailbox_commit(&mb, why, sizeof(why));
			mailbox_close(&mb);
		}
	is_int(count(path("md/new")), 5, "five in the same second: five files");
	is_int(count(path("md/tmp")), 0, "nothing left in tmp/");
	is_int(one("md", MAILBOX_DETECT, "s@x", "y\n"), 0,
	    "DETECT: a directory is a Maildir");
	is_int(count(path("md/new")), 6, "six");
	mailbox_open(&mb, path("md"), MAILBOX_MAILDIR, 0, NULL, why,
	    sizeof(why));
	mailbox_begin(&mb, "s@x", DATE, why, sizeof(why));
	is_int(mailbox_begin(&mb, "s@x", DATE, why, sizeof(why)), -1,
	    "one message per Maildir open");
	mailbox_commit(&mb, why, sizeof(why));
	mailbox_abort(&mb, why, sizeof(why));
	mailbox_close(&mb);
	is_int(count(path("md/new")), 6, "aborted after the commit: gone");
	mailbox_open(&mb, path("md"), MAILBOX_MAILDIR, 0, NULL, why,
	    sizeof(why));
	mailbox_close(&mb);
	is_int(count(path("md/tmp")), 0, "closed unused: tmp/ empty");
}

int
main(void)
{
	signal(SIGXFSZ, SIG_DFL);
	if (mkdtemp(dir) == NULL) {
		perror(dir);
		return 1;
	}
	test_path();
	test_from_line();
	test_separator();
	test_quoting();
	test_rollback();
	test_refusals();
	test_maildir();
	return done_testing();
}
