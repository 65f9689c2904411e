/*
 * core/mbox.c: scanning mbox files and Maildirs, reading messages,
 * the rewrite at the end of a session, appending, locking.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "mailbox.h"
#include "mbox.h"
#include "tap.h"

static char	 dir[64], why[512];

static const char box3[] =
    "From alice@example.org Mon Nov 23 10:00:00 2026\n"
    "Return-Path: <alice@example.org>\n"
    "From: Alice <alice@example.org>\n"
    "To: bob@example.org\n"
    "Subject: first\n"
    "Date: Mon, 23 Nov 2026 10:00:00 +0000\n"
    "Status: RO\n"
    "\n"
    "Hello.\n"
    ">From the quoted line\n"
    ">>From twice quoted\n"
    "From inside, not after an empty line\n"
    "\n"
    "From carol@example.org Tue Nov 24 11:00:00 2026\n"
    "From: carol@example.org\n"
    "Subject: =?UTF-8?B?5pel5pys6Kqe?=\n"
    "  folded on\n"
    "Status: O\n"
    "X-Status: F\n"
    "\n"
    "Second body.\n"
    "\n"
    "From MAILER-DAEMON Wed Nov 25 12:00:00 2026\n"
    "From: dan@example.org\n"
    "Subject: third\n"
    "\n"
    "Third body.\n"
    "\n";

static const char *
path(const char *name)
{
	static char	 p[4][256];
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

/* The file's content (static, NULL when it cannot be read). */
static const char *
get(const char *name)
{
	static struct buf	 b;
	char			 tmp[4096];
	size_t			 n;
	FILE			*f = fopen(path(name), "r");

	buf_free(&b);
	if (f == NULL)
		return NULL;
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		buf_add(&b, tmp, n);
	fclose(f);
	return buf_str(&b);
}

static const char *
rd(struct mbox *mb, size_t i, int part)
{
	static struct buf	 b;
	int			 r;

	buf_reset(&b);
	r = part == 0 ? mbox_read(mb, i, &b, why, sizeof(why)) :
	    part == 1 ? mbox_header(mb, i, &b, why, sizeof(why)) :
	    mbox_body(mb, i, &b, why, sizeof(why));
	return r == 0 ? buf_str(&b) : "(failed)";
}

static struct mbox *
op(const char *name, int flags)
{
	why[0] = '\0';
	return mbox_open(path(name), flags, why, sizeof(why));
}

/* One message into an mbox (or a Maildir), as mail's record writes it. */
static int
append(const char *p, const char *sender, const char *date, const char *msg,
    size_t n, int flags, char *w, size_t len)
{
	return mailbox_put(p, MAILBOX_DETECT | (flags & MBOX_NOFOLLOW ?
	    MAILBOX_NOFOLLOW : 0), sender, date, msg, n, w, len);
}

static void
t_errors(void)
{
	struct mbox	*mb;

	errno = 0;
	ok(op("missing", 0) == NULL && errno == ENOENT, "missing: ENOENT");
	ok(strstr(why, "missing") != NULL, "reason names the file: %s", why);
	put("empty", "");
	mb = op("empty", 0);
	ok(mb != NULL && mbox_count(mb) == 0, "0-byte file: no messages");
	ok(mb != NULL && mbox_kind(mb) == MBOX_MBOX, "an mbox");
	mbox_close(mb);
	put("corrupt", "Subject: not an mbox\n\nbody\nFrom x y\n");
	errno = 0;
	ok(op("corrupt", 0) == NULL && errno == EINVAL, "not an mbox: EINVAL");
	ok(strstr(why, "corrupt:1: not an mbox") != NULL, "file:line: %s",
	    why);
	mkdir(path("plaindir"), 0700);
	errno = 0;
	ok(op("plaindir", 0) == NULL && errno == EINVAL, "a directory that "
	    "is not a Maildir: EINVAL (%s)", why);
	ok(mkfifo(path("fifo"), 0600) == 0, "mkfifo");
	errno = 0;
	ok(op("fifo", 0) == NULL && errno == EINVAL, "a FIFO: refused, not "
	    "blocked on (%s)", why);
	ok(symlink("empty", path("link")) == 0, "symlink");
	errno = 0;
	ok(op("link", MBOX_NOFOLLOW) == NULL && errno == ELOOP,
	    "symlink refused with MBOX_NOFOLLOW (%s)", why);
	mb = op("link", 0);
	ok(mb != NULL, "symlink followed without it");
	mbox_close(mb);
}

static void
t_scan(void)
{
	struct mbox	*mb;
	struct mbox_msg	*m;
	size_t		 i, lines = 0;
	off_t		 size = 0;
	const char	*p;

	put("box", box3);
	mb = op("box", MBOX_NOFOLLOW);
	if (!ok(mb != NULL, "open (%s)", why))
		return;
	is_int(mbox_count(mb), 3, "three messages (a From line in a body "
	    "without an empty line before it is no separator)");
	m = mbox_get(mb, 0);
	is_str(m->env_from, "alice@example.org", "envelope sender");
	is_str(m->env_date, "Mon Nov 23 10:00:00 2026", "envelope date");
	is_str(m->from, "Alice <alice@example.org>", "From:");
	is_str(m->to, "bob@example.org", "To:");
	is_str(m->subject, "first", "Subject:");
	is_str(m->date, "Mon, 23 Nov 2026 10:00:00 +0000", "Date:");
	is_str(m->status, "RO", "Status:");
	is_int(m->flags, MBOX_READ | MBOX_OLD, "Status RO: read and old");
	is_str(m->file, "", "no file name for mbox");
	m = mbox_get(mb, 1);
	is_str(m->subject, "=?UTF-8?B?5pel5pys6Kqe?=  folded on",
	    "folded Subject unfolded, not decoded");
	is_int(m->flags, MBOX_OLD | MBOX_FLAGGED, "Status O, X-Status F");
	m = mbox_get(mb, 2);
	is_str(m->env_from, "MAILER-DAEMON", "third sender");
	is_int(m->flags, 0, "no Status: new");
	is_str(m->status, "", "absent field is empty");
	ok(mbox_get(mb, 3) == NULL, "no fourth message");
	for (i = 0; i < 3; i++) {
		size += mbox_get(mb, i)->size;
		lines += mbox_get(mb, i)->lines;
	}
	is_int(size, sizeof(box3) - 1, "sizes add up to the file");
	for (i = 0, p = box3; (p = strchr(p, '\n')) != NULL; p++)
		i++;
	is_int(lines, i, "lines add up to the file's");
	is_int(mbox_get(mb, 0)->lines, 13, "lines as mailx counts them "
	    "(From_ line and empty line after included)");
	is_str(rd(mb, 0, 0), "Return-Path: <alice@example.org>\n"
	    "From: Alice <alice@example.org>\n"
	    "To: bob@example.org\n"
	    "Subject: first\n"
	    "Date: Mon, 23 Nov 2026 10:00:00 +0000\n"
	    "Status: RO\n"
	    "\n"
	    "Hello.\n"
	    "From the quoted line\n"
	    ">From twice quoted\n"
	    "From inside, not after an empty line\n",
	    "read: no From_ line, mboxrd unquoted, no separator line");
	is_str(rd(mb, 2, 1), "From: dan@example.org\nSubject: third\n",
	    "header section only");
	is_str(rd(mb, 2, 2), "Third body.\n", "body only");
	ok(mbox_read(mb, 7, NULL, why, sizeof(why)) == -1, "no message 8");
	is_int(mbox_grew(mb), 0, "not grown");
	mbox_close(mb);

	put("crlf", "From a b\r\nSubject: dos\r\n\r\nline\r\n\r\nFrom c d\r\n"
	    "Subject: two\r\n\r\nx\r\n");
	mb = op("crlf", 0);
	ok(mb != NULL && mbox_count(mb) == 2, "CRLF mbox: two messages");
	if (mb != NULL) {
		is_str(mbox_get(mb, 0)->subject, "dos", "no CR in the field");
		is_str(rd(mb, 0, 0), "Subject: dos\n\nline\n", "LF ends");
		is_str(rd(mb, 1, 0), "Subject: two\n\nx\n", "last message");
	}
	mbox_close(mb);
	put("noeol", "From a b\nSubject: cut\n\nno final newline");
	mb = op("noeol", 0);
	ok(mb != NULL && mbox_count(mb) == 1, "no final LF: one message");
	if (mb != NULL)
		is_str(rd(mb, 0, 0), "Subject: cut\n\nno final newline\n",
		    "read gets a final LF");
	mbox_close(mb);
}

/* A child that holds a write lock on name until killed. */
static pid_t
hold_lock(const char *name)
{
	int	 p[2], fd;
	pid_t	 pid;
	char	 c;

	if (pipe(p) == -1)
		return -1;
	if ((pid = fork()) == 0) {
		struct flock	 fl;

		memset(&fl, 0, sizeof(fl));
		fl.l_type = F_WRLCK;
		fd = open(path(name), O_RDWR);
		if (fd == -1 || fcntl(fd, F_SETLK, &fl) == -1 ||
		    write(p[1], "L", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(p[1]);
	if (pid == -1 || read(p[0], &c, 1) != 1) {
		if (pid > 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
		}
		pid = -1;
	}
	close(p[0]);
	return pid;
}

static void
t_lock(void)
{
	struct mbox		*mb;
	struct mbox_result	 res;
	pid_t			 pid;
	int			 fd;

	setenv("HIKYAKU_LOCK_WAIT", "1", 1);
	put("locked", box3);
	pid = hold_lock("locked");
	ok(pid > 0, "another process holds a write lock");
	errno = 0;
	mb = op("locked", 0);
	ok(mb == NULL && errno == EAGAIN, "open fails after the wait");
	ok(strstr(why, "is locked") != NULL, "with a reason: %s", why);
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	mb = op("locked", 0);
	ok(mb != NULL, "opens once the lock is gone");
	if (mb == NULL)
		return;
	mbox_get(mb, 0)->disp = MBOX_DELETE;
	fd = open(path("locked.lock"), O_WRONLY | O_CREAT | O_EXCL, 0600);
	ok(fd != -1, "a dotlock made by another program");
	close(fd);
	errno = 0;
	ok(mbox_sync(mb, NULL, &res, why, sizeof(why)) == -1 &&
	    errno == EAGAIN, "sync fails while it is there");
	ok(strstr(why, "locked.lock") != NULL, "reason names the lock: %s",
	    why);
	is_str(get("locked"), box3, "mailbox untouched");
	unlink(path("locked.lock"));
	ok(mbox_sync(mb, NULL, &res, why, sizeof(why)) == 0, "then it works");
	ok(get("locked.lock") == NULL, "dotlock removed after");
	mbox_close(mb);
	unsetenv("HIKYAKU_LOCK_WAIT");
}

static const char msg4[] =
    "From: eve@example.org\nSubject: arrived meanwhile\n\n"
    "From here on it is new.\n>From quoted\n";

static void
t_sync(void)
{
	struct mbox		*mb;
	struct mbox_result	 res;
	const char		*s;
	char			*tail;

	put("s", box3);
	mb = op("s", 0);
	if (!ok(mb != NULL, "open"))
		return;
	ok(mbox_sync(mb, NULL, &res, why, sizeof(why)) == 0 &&
	    res.rewritten == 0 && res.kept == 3, "nothing changed: not "
	    "rewritten, 3 kept");
	/* new mail arrives between open and sync */
	ok(append(path("s"), "eve@example.org", "Thu Nov 26 09:00:00 "
	    "2026", msg4, sizeof(msg4) - 1, 0, why, sizeof(why)) == 0,
	    "another program appends a message");
	tail = strdup(get("s") + sizeof(box3) - 1);
	is_int(mbox_grew(mb), 1, "mbox_grew sees it");
	mbox_get(mb, 0)->disp = MBOX_DELETE;
	mbox_get(mb, 1)->flags |= MBOX_READ;
	mbox_get(mb, 2)->flags |= MBOX_OLD;
	mbox_get(mb, 2)->user = 0x55;
	ok(mbox_sync(mb, NULL, &res, why, sizeof(why)) == 0, "sync (%s)",
	    why);
	ok(res.kept == 2 && res.deleted == 1 && res.moved == 0 &&
	    res.rewritten, "counts: 2 kept, 1 deleted");
	mbox_close(mb);
	s = get("s");
	ok(s != NULL && strncmp(s, "From carol@example.org", 22) == 0,
	    "first message gone");
	ok(s != NULL && strstr(s, "X-Status: F\nStatus: RO\n\nSecond") !=
	    NULL, "read one: Status: RO");
	ok(s != NULL && strstr(s, "Subject: third\nStatus: O\n\nThird") !=
	    NULL, "seen one: Status: O");
	ok(s != NULL && strlen(s) >= strlen(tail) &&
	    strcmp(s + strlen(s) - strlen(tail), tail) == 0,
	    "new mail kept byte for byte");
	mb = op("s", 0);
	ok(mb != NULL && mbox_count(mb) == 3, "reopened: 3 messages");
	if (mb != NULL) {
		is_int(mbox_get(mb, 0)->flags, MBOX_READ | MBOX_OLD |
		    MBOX_FLAGGED, "flags kept");
		is_str(rd(mb, 2, 2), "From here on it is new.\n>From quoted\n",
		    "appended message reads back");
		/* move to ~/mbox */
		mbox_get(mb, 0)->disp = MBOX_MOVE;
		mbox_get(mb, 0)->flags |= MBOX_OLD;
		ok(mbox_sync(mb, path("saved"), &res, why, sizeof(why)) == 0,
		    "sync with a move (%s)", why);
		ok(res.moved == 1 && res.kept == 2, "counts: 1 moved");
		mbox_close(mb);
	}
	s = get("saved");
	ok(s != NULL && strncmp(s, "From carol@example.org Tue Nov 24 "
	    "11:00:00 2026\nFrom: carol", 59) == 0, "moved with its From_ line");
	ok(s != NULL && strstr(s, "\nStatus: RO\n") != NULL &&
	    strstr(s, "Second body.\n\n") != NULL, "and its status, and an "
	    "empty line after");
	ok(get("s") != NULL && strstr(get("s"), "Second body") == NULL,
	    "and gone from the mailbox");
	free(tail);

	put("s2", box3);
	mb = op("s2", 0);
	if (mb != NULL) {
		put("s2", "From x y\n\nshort\n");
		mbox_get(mb, 0)->disp = MBOX_DELETE;
		errno = 0;
		ok(mbox_sync(mb, NULL, &res, why, sizeof(why)) == -1 &&
		    errno == EAGAIN, "mailbox cut short by another program: "
		    "refused (%s)", why);
		is_str(get("s2"), "From x y\n\nshort\n", "and left as it is");
		mbox_close(mb);
	}
	put("s4", box3);
	mb = op("s4", 0);
	if (mb != NULL) {
		unlink(path("s4"));
		mbox_get(mb, 0)->disp = MBOX_DELETE;
		errno = 0;
		ok(mbox_sync(mb, NULL, &res, why, sizeof(why)) == -1 &&
		    errno == ENOENT, "vanished mailbox: ENOENT (%s)", why);
		ok(get("s4") == NULL, "and not made anew");
		put("s4", box3);
		ok(mbox_sync(mb, NULL, &res, why, sizeof(why)) == -1 &&
		    errno == EAGAIN, "another file in its place: refused (%s)",
		    why);
		is_str(get("s4"), box3, "and left as it is");
		mbox_close(mb);
	}
	put("s3", box3);
	mb = op("s3", 0);
	if (mb != NULL) {
		mbox_get(mb, 0)->disp = MBOX_MOVE;
		ok(mbox_sync(mb, NULL, &res, why, sizeof(why)) == -1,
		    "a move with no place to go fails");
		ok(mbox_sync(mb, path("s3"), &res, why, sizeof(why)) == -1,
		    "a move into itself fails (%s)", why);
		is_str(get("s3"), box3, "mailbox unchanged");
		mbox_close(mb);
	}
}

/* In a child limited to max bytes per file: f(). */
static int
limited(off_t max, int (*f)(void))
{
	struct rlimit	 rl = { (rlim_t)max, (rlim_t)max };
	pid_t		 pid;
	int		 st;

	if ((pid = fork()) == 0) {
		signal(SIGXFSZ, SIG_IGN);
		if (setrlimit(RLIMIT_FSIZE, &rl) == -1)
			_exit(3);
		_exit(f());
	}
	if (pid == -1 || waitpid(pid, &st, 0) == -1 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static int
grow_all(void)
{
	struct mbox	*mb = op("full", 0);
	size_t		 i;

	if (mb == NULL)
		return 2;
	for (i = 0; i < mbox_count(mb); i++)
		mbox_get(mb, i)->flags |= MBOX_READ | MBOX_OLD;
	i = mbox_sync(mb, NULL, NULL, why, sizeof(why)) == -1 &&
	    strstr(why, "unchanged") != NULL;
	mbox_close(mb);
	return i ? 0 : 1;
}

static int
move_all(void)
{
	struct mbox	*mb = op("full", 0);
	size_t		 i;

	if (mb == NULL)
		return 2;
	for (i = 0; i < mbox_count(mb); i++)
		mbox_get(mb, i)->disp = MBOX_MOVE;
	i = mbox_sync(mb, path("fullsaved"), NULL, why, sizeof(why)) == -1;
	mbox_close(mb);
	return i ? 0 : 1;
}

static int
append_big(void)
{
	static char	 big[8192];

	memset(big, 'x', sizeof(big) - 1);
	return append(path("fullsaved"), "a@b", NULL, big,
	    sizeof(big) - 1, 0, why, sizeof(why)) == -1 ? 0 : 1;
}

static void
t_full(void)
{
	put("full", box3);
	is_int(limited((off_t)sizeof(box3) - 1, grow_all), 0,
	    "a rewrite that grows the file fails on a full disk");
	is_str(get("full"), box3, "and leaves the mailbox as it was");
	put("fullsaved", "From a b\n\nold\n\n");
	is_int(limited(20, move_all), 0, "a move that cannot be written fails");
	is_str(get("full"), box3, "mailbox as it was");
	is_str(get("fullsaved"), "From a b\n\nold\n\n", "and the target too");
	is_int(limited(200, append_big), 0, "append past the limit fails");
	is_str(get("fullsaved"), "From a b\n\nold\n\n", "truncated back");
}

static void
t_append(void)
{
	static const char m1[] = "Subject: one\n\nFrom the start\n>From "
	    "quoted\nlast line without LF";
	struct mbox	*mb;
	struct stat	 st;

	ok(append(path("new"), "<a@example.org>", "Thu Nov 26 09:00:00 "
	    "2026", m1, sizeof(m1) - 1, MBOX_NOFOLLOW, why, sizeof(why)) == 0,
	    "append to a missing mbox");
	ok(stat(path("new"), &st) == 0 && (st.st_mode & 0777) == 0600,
	    "created 0600");
	is_str(get("new"), "From a@example.org Thu Nov 26 09:00:00 2026\n"
	    "Subject: one\n\n>From the start\n>>From quoted\n"
	    "last line without LF\n\n", "From_ line, mboxrd quoting, final "
	    "LF, empty line");
	ok(append(path("new"), NULL, NULL, "x\n", 2, 0, why,
	    sizeof(why)) == 0, "append a second one");
	mb = op("new", 0);
	ok(mb != NULL && mbox_count(mb) == 2, "two messages");
	if (mb != NULL) {
		is_str(rd(mb, 0, 0), "Subject: one\n\nFrom the start\n>From "
		    "quoted\nlast line without LF\n", "reads back as given");
		is_str(mbox_get(mb, 1)->env_from, "MAILER-DAEMON",
		    "no sender: MAILER-DAEMON");
		ok(strlen(mbox_get(mb, 1)->env_date) == 24, "date now: %s",
		    mbox_get(mb, 1)->env_date);
		mbox_get(mb, 0)->flags |= MBOX_READ;
		ok(mbox_copy(mb, 0, path("copy"), 0, why, sizeof(why)) == 0,
		    "copy");
		ok(mbox_copy(mb, 0, path("new"), 0, why, sizeof(why)) == -1,
		    "copy into itself refused");
		mbox_close(mb);
	}
	is_str(get("copy"), "From a@example.org Thu Nov 26 09:00:00 2026\n"
	    "Subject: one\nStatus: R\n\n>From the start\n>>From quoted\n"
	    "last line without LF\n\n", "copied with its status");
	put("noblank", "From a b\n\nno empty line at the end\n");
	ok(append(path("noblank"), "c@d", "D", "y\n", 2, 0, why,
	    sizeof(why)) == 0, "append after a message missing its empty line");
	mb = op("noblank", 0);
	ok(mb != NULL && mbox_count(mb) == 2, "still two messages");
	mbox_close(mb);
	ok(symlink("new", path("newlink")) == 0, "symlink");
	ok(append(path("newlink"), NULL, NULL, "x\n", 2, MBOX_NOFOLLOW,
	    why, sizeof(why)) == -1, "append through a symlink refused "
	    "with MBOX_NOFOLLOW");
}

static void
t_maildir(void)
{
	struct mbox		*mb;
	struct mbox_result	 res;
	struct mbox_msg		*m;

	mkdir(path("md"), 0700);
	mkdir(path("md/new"), 0700);
	mkdir(path("md/cur"), 0700);
	mkdir(path("md/tmp"), 0700);
	put("md/new/1700000300.A.host", "Return-Path: <z@example.org>\n"
	    "From: z@example.org\nSubject: newest\n\nFrom body\n");
	put("md/cur/1700000100.B.host:2,S", "Subject: oldest\r\n\r\nread\r\n");
	put("md/cur/1700000200.C.host:2,FPS", "Subject: middle\n\nflagged\n");
	put("md/tmp/1700000400.D.host", "Subject: not yet\n\n");
	put("md/new/.hidden", "x");
	mb = op("md", 0);
	if (!ok(mb != NULL, "Maildir opens (%s)", why))
		return;
	is_int(mbox_kind(mb), MBOX_MAILDIR, "kind Maildir");
	is_int(mbox_count(mb), 3, "three messages (tmp/ and dot files not)");
	is_str(mbox_get(mb, 0)->subject, "oldest", "sorted by time");
	is_str(mbox_get(mb, 2)->file, "new/1700000300.A.host", "file name");
	is_int(mbox_get(mb, 0)->flags, MBOX_OLD | MBOX_READ, "cur + S");
	is_int(mbox_get(mb, 1)->flags, MBOX_OLD | MBOX_READ | MBOX_FLAGGED,
	    "F flag");
	is_int(mbox_get(mb, 2)->flags, 0, "new/: new");
	is_str(mbox_get(mb, 2)->env_from, "<z@example.org>", "Return-Path");
	is_int(mbox_get(mb, 2)->size, 76, "size");
	is_int(mbox_get(mb, 2)->lines, 5, "lines");
	is_str(rd(mb, 0, 0), "Subject: oldest\n\nread\n", "read, CR LF to LF");
	is_str(rd(mb, 2, 2), "From body\n", "not mboxrd: nothing unquoted");
	ok(mbox_copy(mb, 2, path("fromdir"), 0, why, sizeof(why)) == 0,
	    "copy to an mbox");
	ok(get("fromdir") != NULL && strncmp(get("fromdir"),
	    "From z@example.org ", 19) == 0 && strstr(get("fromdir"),
	    "\n>From body\n\n") != NULL, "with a From_ line and quoting");
	m = mbox_get(mb, 2);
	m->flags |= MBOX_READ | MBOX_OLD;
	mbox_get(mb, 0)->disp = MBOX_DELETE;
	mbox_get(mb, 1)->flags &= ~(unsigned)MBOX_READ;
	ok(mbox_sync(mb, NULL, &res, why, sizeof(why)) == 0, "sync (%s)", why);
	ok(res.kept == 2 && res.deleted == 1, "counts");
	mbox_close(mb);
	ok(get("md/cur/1700000300.A.host:2,S") != NULL, "read: new/ to "
	    "cur/ with S");
	ok(get("md/cur/1700000100.B.host:2,S") == NULL, "deleted: unlinked");
	ok(get("md/cur/1700000200.C.host:2,FP") != NULL, "S taken off, "
	    "F and P kept");
	put("md/new/1700000500.E.host", "Subject: later\n\n");
	mb = op("md", 0);
	ok(mb != NULL && mbox_count(mb) == 3, "reopened");
	if (mb != NULL) {
		is_int(mbox_grew(mb), 0, "not grown");
		sleep(1);
		put("md/new/1700000600.F.host", "Subject: later\n\n");
		is_int(mbox_grew(mb), 1, "new/ grew");
		mbox_get(mb, 0)->disp = MBOX_MOVE;
		ok(mbox_sync(mb, path("mdsaved"), &res, why, sizeof(why)) ==
		    0 && res.moved == 1, "move to an mbox");
		mbox_close(mb);
	}
	ok(get("mdsaved") != NULL && strstr(get("mdsaved"), "Subject: middle"
	    "\nStatus: O\nX-Status: F\n\nflagged\n\n") != NULL,
	    "moved with its status");
	ok(append(path("md"), "a@b", NULL, "Subject: saved\n\nx\n", 19,
	    0, why, sizeof(why)) == 0, "append to a Maildir");
	mb = op("md", 0);
	ok(mb != NULL && mbox_count(mb) == 4, "it is there");
	mbox_close(mb);
}

int
main(void)
{
	char	 cmd[128];

	snprintf(dir, sizeof(dir), "%s/t_mbox.XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(dir) == NULL) {
		printf("1..0 # skip cannot make a temporary directory\n");
		return 0;
	}
	t_errors();
	t_scan();
	t_lock();
	t_sync();
	t_full();
	t_append();
	t_maildir();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (getenv("T_MBOX_KEEP") == NULL && system(cmd) != 0)
		diag("cannot remove the temporary directory");
	return done_testing();
}
