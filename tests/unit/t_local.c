/*
 * local: the MDA.  mboxrd quoting (also across the 64 KiB reads of the
 * message), the From_ line, rollback to the byte after a failed append,
 * refusals, both locks, Maildir, and delivery as another user when root.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "tap.h"
#include "buf.h"
#include "conf.h"
#include "limits.h"
#include "local.h"
#include "users.h"

#define CHUNK		(64 * 1024)	/* local.c's read size */
#define WHEN		((time_t)1795825183)	/* Sat Nov 28 00:19:43 2026 UTC */
#define WHEN_STR	"Sat Nov 28 00:19:43 2026"

static char		 dir[] = "/tmp/t_local.XXXXXX";
static struct conf	 c;
static struct user	 me, other;	/* other: uid 4242, used as root */
static int		 root;

struct res {
	int	 d;
	char	 why[LIM_ERR];
};

static void
path_of(char *out, const char *name)
{
	snprintf(out, LIM_PATH, "%s/%s", dir, name);
}

/* The message as the queue holds it: a file read with pread. */
static int
msg_fd(const char *s, size_t n)
{
	char	 p[LIM_PATH];
	int	 fd;

	path_of(p, "msg");
	fd = open(p, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd == -1 || write(fd, s, n) != (ssize_t)n) {
		perror("msg");
		exit(1);
	}
	unlink(p);
	return fd;
}

static char *
slurp(const char *path, size_t *n)
{
	struct buf	 b;
	char		 tmp[4096];
	ssize_t		 r;
	int		 fd;

	*n = 0;
	if ((fd = open(path, O_RDONLY)) == -1)
		return NULL;
	buf_init(&b, 0);
	buf_add(&b, "", 0);
	while ((r = read(fd, tmp, sizeof(tmp))) > 0)
		buf_add(&b, tmp, (size_t)r);
	close(fd);
	*n = b.len;
	return b.s;
}

static void
spit(const char *path, const char *s, size_t n)
{
	int	 fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd == -1 || write(fd, s, n) != (ssize_t)n || close(fd) == -1) {
		perror(path);
		exit(1);
	}
}

static int
same_file(const char *path, const char *want, size_t wn)
{
	size_t	 n;
	char	*s = slurp(path, &n);
	int	 r = s != NULL && n == wn && memcmp(s, want, n) == 0;

	free(s);
	return r;
}

/*
 * The mboxrd reference, written the obvious way (whole message in
 * memory, line by line) to check the streaming one against.
 */
static void
expect_mbox(struct buf *b, const char *body, size_t n, const char *sender)
{
	const char	*p = body, *end = body + n, *nl, *q;

	buf_printf(b, "From %s " WHEN_STR "\nReturn-Path: <%s>\n"
	    "Delivered-To: rcpt@example.org\n",
	    *sender ? sender : "MAILER-DAEMON", sender);
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		q = p;
		while (q < end && *q == '>')
			q++;
		if ((size_t)(end - q) >= 5 && memcmp(q, "From ", 5) == 0)
			buf_addc(b, '>');
		buf_add(b, p, nl ? (size_t)(nl - p) + 1 : (size_t)(end - p));
		p = nl ? nl + 1 : end;
	}
	if (n > 0 && body[n - 1] != '\n')
		buf_addc(b, '\n');
	buf_addc(b, '\n');
}

static enum delivery
deliver_as(const struct user *u, const char *body, size_t n,
    const char *sender, char *why)
{
	struct local_msg	 m;
	enum delivery		 d;

	m.fd = msg_fd(body, n);
	m.sender = sender;
	m.rcpt = "rcpt@example.org";
	m.arrival = WHEN;
	d = local_deliver(&c, u, &m, why, LIM_ERR);
	close(m.fd);
	return d;
}

static enum delivery
deliver(const char *body, const char *sender, char *why)
{
	return deliver_as(&me, body, strlen(body), sender, why);
}

/* local_deliver in a child under RLIMIT_FSIZE = lim. */
static void
deliver_limited(const struct user *u, const char *body, size_t n, rlim_t lim,
    struct res *r)
{
	struct rlimit	 rl = { lim, lim };
	struct local_msg m;
	int		 p[2];
	pid_t		 pid;

	memset(r, 0, sizeof(*r));
	r->d = -1;
	fflush(stdout);
	if (pipe(p) == -1 || (pid = fork()) == -1)
		return;
	if (pid == 0) {
		close(p[0]);
		m.fd = msg_fd(body, n);	/* before the limit applies */
		m.sender = "s@example.org";
		m.rcpt = "rcpt@example.org";
		m.arrival = WHEN;
		if (setrlimit(RLIMIT_FSIZE, &rl) == -1)
			_exit(1);
		r->d = local_deliver(&c, u, &m, r->why, sizeof(r->why));
		_exit(write(p[1], r, sizeof(*r)) == sizeof(*r) ? 0 : 1);
	}
	close(p[1]);
	if (read(p[0], r, sizeof(*r)) != sizeof(*r))
		r->d = -1;
	close(p[0]);
	waitpid(pid, NULL, 0);
}

static void
test_basic(void)
{
	char		 why[LIM_ERR], box[LIM_PATH], lock[LIM_PATH];
	const char	*body = "Subject: hi\n\nFrom me\n>From you\n>>From x\n"
			    "From\nFromage\n From x\n>From\n>>>>From  y\n";
	const char	*want1 = "From s@example.org " WHEN_STR "\n"
			    "Return-Path: <s@example.org>\n"
			    "Delivered-To: rcpt@example.org\n"
			    "Subject: hi\n\n>From me\n>>From you\n>>>From x\n"
			    "From\nFromage\n From x\n>From\n>>>>>From  y\n\n";
	const char	*want2 = "From MAILER-DAEMON " WHEN_STR "\n"
			    "Return-Path: <>\n"
			    "Delivered-To: rcpt@example.org\n"
			    "Subject: no newline\n\n>From the end\n\n";
	struct buf	 w;
	struct stat	 st;

	path_of(box, "me");
	path_of(lock, "me.lock");
	is_int(deliver(body, "s@example.org", why), DELIVERY_OK,
	    "mbox delivery: %s", why);
	ok(strncmp(why, "2.0.0 delivered to mailbox ", 27) == 0 &&
	    strcmp(why + 27, box) == 0, "why: 2.0.0 and the path");
	ok(same_file(box, want1, strlen(want1)),
	    "From_ line, envelope lines, mboxrd quoting, blank line");
	ok(stat(box, &st) == 0 && (st.st_mode & 07777) == 0600,
	    "mailbox created 0600");
	ok(access(lock, F_OK) == -1, "dotlock removed");
	buf_init(&w, 0);
	buf_adds(&w, want1);
	buf_adds(&w, want2);
	is_int(deliver("Subject: no newline\n\nFrom the end", "", why),
	    DELIVERY_OK, "second delivery, <> sender, no final newline");
	ok(same_file(box, w.s, w.len), "appended: MAILER-DAEMON, <>, "
	    "newline added, blank line");
	buf_free(&w);
	unlink(box);
}

/*
 * A special line starting k bytes before a 64 KiB read boundary, so
 * that it straddles it; the result must equal the in-memory reference.
 */
static int
straddle(const char *line, size_t boundary, size_t k)
{
	struct buf	 b, w;
	char		 why[LIM_ERR], box[LIM_PATH];
	size_t		 fill;
	int		 r;

	path_of(box, "me");
	unlink(box);
	buf_init(&b, 0);
	buf_init(&w, 0);
	buf_adds(&b, "Subject: big\n\n");
	/* filler lines of 99 bytes, then one to land exactly */
	while (b.len + 100 + k < boundary)
		buf_adds(&b, "From filler line xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n");
	fill = boundary - k - b.len;
	while (fill-- > 1)
		buf_addc(&b, 'y');
	buf_addc(&b, '\n');
	buf_adds(&b, line);
	buf_adds(&b, "after\n");
	expect_mbox(&w, b.s, b.len, "s@example.org");
	r = deliver_as(&me, b.s, b.len, "s@example.org", why) == DELIVERY_OK &&
	    same_file(box, w.s, w.len);
	buf_free(&b);
	buf_free(&w);
	return r;
}

static void
test_boundaries(void)
{
	static const char *const lines[] = { "From here\n", ">From here\n",
	    ">>>From here\n", "From\n", "Frox here\n", ">>>>>>>>\n",
	    "From" };
	char		 why[LIM_ERR], box[LIM_PATH];
	struct buf	 b, w;
	size_t		 i, k, bad;

	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		bad = 0;
		for (k = 0; k <= 9; k++)
			if (!straddle(lines[i], CHUNK, k))
				bad |= 1u << k;
		ok(bad == 0, "'%.*s' at 0..9 bytes before the 64 KiB "
		    "boundary quoted right (failed: %#zx)",
		    (int)strcspn(lines[i], "\n"), lines[i], bad);
	}
	ok(straddle(">>From two\n", 2 * CHUNK, 3), "'>>From' across the "
	    "second boundary");
	ok(straddle("From x\n", CHUNK, CHUNK - 20), "message head within "
	    "the first chunk still right");

	/* a line of 200000 '>' and then "From ": quoted once, not lost */
	path_of(box, "me");
	unlink(box);
	buf_init(&b, 0);
	buf_init(&w, 0);
	buf_adds(&b, "Subject: gt\n\n");
	for (i = 0; i < 200000; i++)
		buf_addc(&b, '>');
	buf_adds(&b, "From deep\n>>\n");
	expect_mbox(&w, b.s, b.len, "");
	is_int(deliver_as(&me, b.s, b.len, "", why), DELIVERY_OK,
	    "200000 '>' then From: delivered");
	ok(same_file(box, w.s, w.len), "and quoted with one more '>'");
	buf_free(&b);
	buf_free(&w);
	unlink(box);
}

static void
big_body(struct buf *b, size_t n)
{
	buf_init(b, 0);
	buf_adds(b, "Subject: big\n\n");
	while (b->len < n)
		buf_adds(b, "From the big body of a message, line after line\n");
}

static void
test_rollback(const struct user *u, const char *who)
{
	char		 box[LIM_PATH];
	const char	*before = "From old@example.org Thu Jan  1 00:00:00 "
			    "1970\nSubject: old\n\nold mail\n\n";
	struct buf	 b;
	struct res	 r;
	size_t		 n = strlen(before);

	path_of(box, u->name);
	spit(box, before, n);
	if (chown(box, u->uid, u->gid) == -1)
		perror("chown");
	big_body(&b, 300000);
	deliver_limited(u, b.s, b.len, n + 100000, &r);
	is_int(r.d, DELIVERY_TEMPFAIL, "%s: append past RLIMIT_FSIZE: "
	    "tempfail (%s)", who, r.why);
	ok(strncmp(r.why, "4.3.0 ", 6) == 0 && strstr(r.why, box) != NULL &&
	    strstr(r.why, strerror(EFBIG)) != NULL,
	    "%s: why has 4.3.0, the mailbox and EFBIG", who);
	ok(same_file(box, before, n), "%s: mailbox byte-identical after "
	    "the failed append", who);
	buf_free(&b);
	unlink(box);
}

static void
test_refusals(void)
{
	char		 why[LIM_ERR], box[LIM_PATH], target[LIM_PATH];
	char		 link2[LIM_PATH];
	const char	*t = "target content\n";

	path_of(box, "me");
	path_of(target, "target");
	spit(target, t, strlen(t));
	if (symlink(target, box) == -1)
		perror("symlink");
	is_int(deliver("Subject: x\n\nx\n", "s@x", why), DELIVERY_TEMPFAIL,
	    "symlink mailbox refused: %s", why);
	ok(strncmp(why, "4.", 2) == 0 && strstr(why, "symbolic link"),
	    "why says symbolic link");
	ok(same_file(target, t, strlen(t)), "symlink target untouched");
	unlink(box);

	spit(box, "", 0);
	path_of(link2, "hardlink");
	if (link(box, link2) == -1)
		perror("link");
	is_int(deliver("Subject: x\n\nx\n", "s@x", why), DELIVERY_TEMPFAIL,
	    "mailbox with two links refused: %s", why);
	ok(same_file(box, "", 0), "and left empty");
	unlink(link2);
	unlink(box);

	if (mkfifo(box, 0600) == -1)
		perror("mkfifo");
	is_int(deliver("Subject: x\n\nx\n", "s@x", why), DELIVERY_TEMPFAIL,
	    "FIFO mailbox refused without hanging: %s", why);
	ok(strstr(why, "not a regular file") != NULL, "why: not a regular file");
	unlink(box);

	if (mkdir(box, 0700) == -1)
		perror("mkdir");
	is_int(deliver("Subject: x\n\nx\n", "s@x", why), DELIVERY_TEMPFAIL,
	    "directory mailbox refused: %s", why);
	rmdir(box);

	is_int(deliver("Subject: x\n\nx\n", "s@x\nFrom: evil", why),
	    DELIVERY_PERMFAIL, "LF in the envelope sender: permfail");
	ok(access(box, F_OK) == -1, "and no mailbox created");
	unlink(target);
}

/* Another process holds an fcntl lock until we write to its pipe. */
static pid_t
hold_lock(const char *box, int *release)
{
	int		 up[2], down[2], fd;
	struct flock	 fl;
	pid_t		 pid;
	char		 ch = 0;

	if (pipe(up) == -1 || pipe(down) == -1)
		return -1;
	fflush(stdout);
	if ((pid = fork()) == 0) {
		close(up[0]);
		close(down[1]);
		memset(&fl, 0, sizeof(fl));
		fl.l_type = F_WRLCK;
		fl.l_whence = SEEK_SET;
		fd = open(box, O_RDWR);
		if (fd == -1 || fcntl(fd, F_SETLK, &fl) == -1)
			_exit(1);
		if (write(up[1], "k", 1) != 1 || read(down[0], &ch, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(up[1]);
	close(down[0]);
	if (read(up[0], &ch, 1) != 1)
		ch = 0;
	close(up[0]);
	*release = down[1];
	return ch == 'k' ? pid : -1;
}

static void
test_locks(void)
{
	char		 why[LIM_ERR], box[LIM_PATH], lock[LIM_PATH];
	const char	*old = "From a@b Thu Jan  1 00:00:00 1970\n\nold\n\n";
	struct timespec	 t0, t1;
	struct timeval	 tv[2];
	int		 rel = -1;
	pid_t		 pid;

	path_of(box, "me");
	path_of(lock, "me.lock");
	spit(box, old, strlen(old));
	setenv("HIKYAKU_LOCK_WAIT", "1", 1);
	pid = hold_lock(box, &rel);
	ok(pid > 0, "another process holds an fcntl lock");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	is_int(deliver("Subject: x\n\nx\n", "s@x", why), DELIVERY_TEMPFAIL,
	    "fcntl-locked mailbox: tempfail: %s", why);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ok(strncmp(why, "4.2.0 ", 6) == 0 && strstr(why, "locked") != NULL,
	    "why: 4.2.0 ... locked");
	/* behaviour, not speed: the setting is obeyed, not the default 30 s */
	ok(t1.tv_sec - t0.tv_sec < 20, "gave up after HIKYAKU_LOCK_WAIT=1, "
	    "not the default 30 s (%lds)", (long)(t1.tv_sec - t0.tv_sec));
	ok(same_file(box, old, strlen(old)), "mailbox unchanged");
	ok(access(lock, F_OK) == -1, "our dotlock removed after the failure");
	close(rel);
	waitpid(pid, NULL, 0);

	spit(lock, "", 0);
	is_int(deliver("Subject: x\n\nx\n", "s@x", why), DELIVERY_TEMPFAIL,
	    "fresh dotlock: tempfail: %s", why);
	ok(strstr(why, "locked") != NULL, "why: locked");
	ok(access(lock, F_OK) == 0, "someone else's dotlock left alone");
	ok(same_file(box, old, strlen(old)), "mailbox unchanged");

	gettimeofday(&tv[0], NULL);
	tv[0].tv_sec -= 400;
	tv[1] = tv[0];
	utimes(lock, tv);
	is_int(deliver("Subject: x\n\nx\n", "s@x", why), DELIVERY_OK,
	    "stale dotlock (400 s) broken: %s", why);
	ok(access(lock, F_OK) == -1, "and removed");
	unsetenv("HIKYAKU_LOCK_WAIT");
	unlink(box);
}

/* The one file in d, or "" (count in *n). */
static void
only_file(const char *d, char *name, size_t size, int *n)
{
	DIR		*dp;
	struct dirent	*e;

	*n = 0;
	name[0] = '\0';
	if ((dp = opendir(d)) == NULL)
		return;
	while ((e = readdir(dp)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		(*n)++;
		snprintf(name, size, "%s", e->d_name);
	}
	closedir(dp);
}

static int
mode_is(const char *p, mode_t m)
{
	struct stat	 st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode) &&
	    (st.st_mode & 07777) == m;
}

static int
good_name(const char *s)
{
	char	 tail[64];
	long	 pid = -1;
	unsigned long long sec, usec, q;

	if (sscanf(s, "%llu.M%lluP%ldQ%llu.%63s", &sec, &usec, &pid, &q,
	    tail) != 5)
		return 0;
	return pid == (long)getpid() && usec < 1000000 &&
	    strcmp(tail, "host\\057x\\072y") == 0;
}

static void
test_maildir(void)
{
	char		 why[LIM_ERR], md[2 * LIM_PATH], p[4 * LIM_PATH];
	char		 name[256];
	const char	*body = "Subject: md\n\nFrom here\n>From there\nend";
	const char	*want = "Return-Path: <s@x>\nDelivered-To: "
			    "rcpt@example.org\nSubject: md\n\nFrom here\n"
			    ">From there\nend";
	struct buf	 b;
	struct res	 r;
	int		 n;

	c.mailbox_kind = MAILBOX_MAILDIR;
	c.mailbox = "%h/Maildir/";
	c.hostname = "host/x:y";
	snprintf(md, sizeof(md), "%s/Maildir", me.home);
	is_int(deliver(body, "s@x", why), DELIVERY_OK, "maildir: %s", why);
	ok(mode_is(md, 0700), "Maildir created 0700");
	snprintf(p, sizeof(p), "%s/tmp", md);
	ok(mode_is(p, 0700), "tmp/ created 0700");
	only_file(p, name, sizeof(name), &n);
	is_int(n, 0, "nothing left in tmp/");
	snprintf(p, sizeof(p), "%s/cur", md);
	ok(mode_is(p, 0700), "cur/ created 0700");
	snprintf(p, sizeof(p), "%s/new", md);
	ok(mode_is(p, 0700), "new/ created 0700");
	only_file(p, name, sizeof(name), &n);
	is_int(n, 1, "one file in new/");
	ok(good_name(name), "name SECONDS.M<usec>P<pid>Q<n>.HOST with / and : "
	    "escaped: %s", name);
	snprintf(p, sizeof(p), "%s/new/%s", md, name);
	ok(same_file(p, want, strlen(want)), "content: envelope lines, then "
	    "the message as is (no quoting, no From_)");
	is_int(deliver(body, "s@x", why), DELIVERY_OK, "second maildir "
	    "delivery");
	snprintf(p, sizeof(p), "%s/new", md);
	only_file(p, name, sizeof(name), &n);
	is_int(n, 2, "two files in new/");

	big_body(&b, 300000);
	deliver_limited(&me, b.s, b.len, 100000, &r);
	is_int(r.d, DELIVERY_TEMPFAIL, "maildir past RLIMIT_FSIZE: tempfail "
	    "(%s)", r.why);
	only_file(p, name, sizeof(name), &n);
	is_int(n, 2, "still two files in new/");
	snprintf(p, sizeof(p), "%s/tmp", md);
	only_file(p, name, sizeof(name), &n);
	is_int(n, 0, "and the partial file removed from tmp/");
	buf_free(&b);

	c.mailbox_kind = MAILBOX_MBOX;
	c.mailbox = NULL;
	c.hostname = "test.example";
}

/* The directory refuses PATH.lock: deliver with the fcntl lock alone. */
static void
test_no_dotlock(void)
{
	char		 why[LIM_ERR], sub[LIM_PATH], box[2 * LIM_PATH];
	char		 tmpl[2 * LIM_PATH];
	const struct user *u = root ? &other : &me;
	const char	*want = "From s@x " WHEN_STR "\nReturn-Path: <s@x>\n"
			    "Delivered-To: rcpt@example.org\nSubject: x\n\nx\n\n";

	path_of(sub, "ro");
	mkdir(sub, 0755);
	snprintf(box, sizeof(box), "%s/%s", sub, u->name);
	spit(box, "", 0);
	if (chown(box, u->uid, u->gid) == -1)
		perror("chown");
	snprintf(tmpl, sizeof(tmpl), "%s/%%u", sub);
	c.mailbox = tmpl;
	if (!root)
		chmod(sub, 0555);
	is_int(deliver_as(u, "Subject: x\n\nx\n", 14, "s@x", why), DELIVERY_OK,
	    "directory without write access: delivered with fcntl lock "
	    "only: %s", why);
	ok(same_file(box, want, strlen(want)), "content right");
	chmod(sub, 0755);
	unlink(box);
	rmdir(sub);
	c.mailbox = NULL;
}

static void
test_as_root(void)
{
	char		 why[LIM_ERR], box[LIM_PATH];
	struct stat	 st;
	const char	*want = "From s@x " WHEN_STR "\nReturn-Path: <s@x>\n"
			    "Delivered-To: rcpt@example.org\nSubject: x\n\nx\n\n";

	if (!root) {
		diag("skip: delivery as another user needs root");
		return;
	}
	path_of(box, other.name);
	is_int(deliver_as(&other, "Subject: x\n\nx\n", 14, "s@x", why),
	    DELIVERY_OK, "root delivers to uid 4242: %s", why);
	ok(stat(box, &st) == 0 && st.st_uid == 4242 && st.st_gid == 4242,
	    "mailbox created owned by 4242:4242");
	ok((st.st_mode & 07777) == 0600, "mode 0600");
	ok(same_file(box, want, strlen(want)), "content right");
	/* writable by 4242, so that only the owner check can refuse it */
	if (chown(box, 4243, 4243) == -1 || chmod(box, 0666) == -1)
		perror("chown");
	is_int(deliver_as(&other, "Subject: x\n\nx\n", 14, "s@x", why),
	    DELIVERY_TEMPFAIL, "mailbox owned by someone else refused: %s",
	    why);
	ok(strstr(why, "owned by") != NULL, "why says owned by");
	ok(same_file(box, want, strlen(want)), "and unchanged");
	unlink(box);
	test_rollback(&other, "as 4242 in a child");
}

int
main(void)
{
	char	 tmpl[LIM_PATH], home[LIM_PATH];

	alarm(300);	/* a lock bug must not hang the test run */
	signal(SIGXFSZ, SIG_IGN);
	setenv("TZ", "UTC", 1);
	tzset();
	root = geteuid() == 0;
	if (mkdtemp(dir) == NULL || chmod(dir, 01777) == -1) {
		perror(dir);
		return 1;
	}
	memset(&me, 0, sizeof(me));
	snprintf(me.name, sizeof(me.name), "me");
	me.uid = geteuid();
	me.gid = getegid();
	snprintf(home, sizeof(home), "%s/home", dir);
	mkdir(home, 0755);
	snprintf(me.home, sizeof(me.home), "%s", home);
	other = me;
	snprintf(other.name, sizeof(other.name), "u4242");
	other.uid = other.gid = 4242;
	memset(&c, 0, sizeof(c));
	c.hostname = "test.example";
	c.user = "mail";
	c.mailbox_kind = MAILBOX_MBOX;
	snprintf(tmpl, sizeof(tmpl), "%s/%%u", dir);

	c.mailbox = tmpl;
	test_basic();
	test_boundaries();
	test_rollback(&me, root ? "root in process" : "in process");
	test_refusals();
	test_locks();
	test_no_dotlock();
	c.mailbox = tmpl;
	test_as_root();
	if (root)
		chown(home, 0, 0);
	test_maildir();
	snprintf(tmpl, sizeof(tmpl), "rm -rf %s", dir);
	if (system(tmpl) != 0)
		diag("could not remove the test directory");
	return done_testing();
}
