/*
 * core/compose.c: header fields, address lists, the MIME form of the
 * body, attachments, the refusal of line breaks in fields, and the
 * hand-off to sendmail.  For that this program is its own sendmail:
 * run as "sendmail" it reports what it got (arguments, stdin, open
 * descriptors, signal mask and dispositions, its parent's blocked
 * signals) into $T_STUB_DIR and does what $T_STUB_MODE says.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "compose.h"
#include "conf.h"
#include "mime.h"
#include "tap.h"

static struct compose	 c;
static struct buf	 out;
static char		 err[512];

static void
fresh(void)
{
	compose_free(&c);
	compose_init(&c, 0);
	c.hostname = "test.example";
	buf_free(&out);
	buf_init(&out, 0);
	err[0] = '\0';
}

static int
build(void)
{
	return compose_build(&c, &out, 0, err, sizeof(err));
}

/* Every line of s at most max octets. */
static int
lines_within(const char *s, size_t max)
{
	const char	*nl;

	for (; *s != '\0'; s = nl + 1) {
		if ((nl = strchr(s, '\n')) == NULL)
			nl = s + strlen(s);
		if ((size_t)(nl - s) > max)
			return 0;
		if (*nl == '\0')
			break;
	}
	return 1;
}

static int
collect(void *ctx, const char *addr)
{
	strcat(ctx, addr);
	strcat(ctx, ";");
	return 0;
}

static void
t_addrs(void)
{
	char	 got[512] = "";

	fresh();
	ok(compose_addrs(&c.to, "bob, Carol <carol@example.org>, \"Doe, J\" "
	    "<j@example.org>,, (x, y) z@example.org", err, sizeof(err)) == 0,
	    "address list parsed");
	is_int(c.to.n, 4, "four entries (commas in quotes and comments kept)");
	is_str(c.to.v[2], "\"Doe, J\" <j@example.org>", "quoted comma kept");
	ok(compose_rcpts(&c, collect, got, err, sizeof(err)) == 0,
	    "recipients extracted");
	is_str(got, "bob;carol@example.org;j@example.org;z@example.org;",
	    "as addr-specs");
	errno = 0;
	ok(compose_addrs(&c.cc, "bob\r\nBcc: evil@example.org", err,
	    sizeof(err)) == -1 && errno == EINVAL, "CR LF in an address: EINVAL");
	ok(strstr(err, "line break") != NULL, "and says why");
	ok(compose_addrs(&c.cc, "bob\nx", err, sizeof(err)) == -1,
	    "a lone LF too");
	is_int(c.cc.n, 0, "nothing added");
	ok(compose_subject(&c, "hi\nBcc: evil@example.org", err,
	    sizeof(err)) == -1 && errno == EINVAL, "LF in the subject: EINVAL");
	ok(compose_subject(&c, "hi\rthere", err, sizeof(err)) == -1,
	    "CR in the subject too");
	ok(compose_subject(&c, "caf\xe9", err, sizeof(err)) == -1 &&
	    errno == EINVAL && strstr(err, "UTF-8") != NULL,
	    "a subject that is not UTF-8 is refused");
	ok(c.subject == NULL, "subject unchanged");
	ok(compose_from(&c, "Me <me@example.org>\r\nX: y", err,
	    sizeof(err)) == -1, "CR LF in -r refused");
	ok(compose_from(&c, "not an address <", err, sizeof(err)) == -1,
	    "-r without an address refused");
	compose_list_clear(&c.to);
	compose_addrs(&c.to, "a@example.org", err, sizeof(err));
	compose_addrs(&c.to, "bad address@", err, sizeof(err));
	ok(compose_rcpts(&c, collect, got, err, sizeof(err)) == -1,
	    "a bad address is found before sending");
	ok(strstr(err, "bad address@") != NULL, "and named");
}

static void
t_plain(void)
{
	char	 got[256] = "";

	fresh();
	compose_addrs(&c.to, "bob", err, sizeof(err));
	compose_addrs(&c.cc, "carol@example.org", err, sizeof(err));
	compose_addrs(&c.bcc, "secret@example.org", err, sizeof(err));
	compose_subject(&c, "hello", err, sizeof(err));
	buf_adds(&c.body, "Hi Bob,\nsee you.\n");
	ok(build() == 0, "plain message built");
	is_str(buf_str(&out), "To: bob@test.example\nCc: carol@example.org\n"
	    "Subject: hello\n\nHi Bob,\nsee you.\n",
	    "plain ASCII: no MIME fields, bare name qualified, no Bcc:");
	compose_rcpts(&c, collect, got, err, sizeof(err));
	is_str(got, "bob;carol@example.org;secret@example.org;",
	    "Bcc is still a recipient");
	fresh();
	compose_addrs(&c.to, "bob@example.org", err, sizeof(err));
	buf_adds(&c.body, "no newline at the end");
	build();
	is_str(buf_str(&out), "To: bob@example.org\n\nno newline at the end\n",
	    "no subject: no Subject:; a final LF added");
	ok(compose_from(&c, "Ursula <ursula@example.org>", err,
	    sizeof(err)) == 0, "-r with a display name");
	buf_reset(&out);
	build();
	ok(strncmp(buf_str(&out), "From: Ursula <ursula@example.org>\n",
	    34) == 0, "From: written from -r");
	compose_sender(&c, got, sizeof(got), err, sizeof(err));
	is_str(got, "ursula@example.org", "envelope sender from -r");
}

static void
t_fold(void)
{
	char	 a[64];

	fresh();
	for (int i = 0; i < 12; i++) {
		snprintf(a, sizeof(a), "person%02d@example.org", i);
		compose_addrs(&c.to, a, err, sizeof(err));
	}
	buf_adds(&c.body, "x\n");
	build();
	ok(lines_within(buf_str(&out), 78), "a long To: is folded under 78");
	ok(strstr(buf_str(&out), ",\n person01@") != NULL ||
	    strstr(buf_str(&out), ",\n person02@") != NULL ||
	    strstr(buf_str(&out), ",\n person03@") != NULL,
	    "folded after a comma");
}

static void
t_mime(void)
{
	char	 longline[1200];

	fresh();
	compose_addrs(&c.to, "bob@example.org", err, sizeof(err));
	compose_subject(&c, "日本語の件名です、とても長い件名をつけてみました。"
	    "折り返しが必要になるくらい長いものです", err, sizeof(err));
	buf_adds(&c.body, "こんにちは、世界。\n");
	ok(build() == 0, "Japanese message built");
	ok(strstr(buf_str(&out), "Subject: =?UTF-8?") != NULL,
	    "subject RFC 2047-encoded in UTF-8");
	ok(lines_within(buf_str(&out), 78), "no header line over 78");
	ok(strstr(buf_str(&out), "MIME-Version: 1.0\nContent-Type: text/plain; "
	    "charset=UTF-8\nContent-Transfer-Encoding: 8bit\n\nこんにちは、"
	    "世界。\n") != NULL, "UTF-8 body sent 8bit with its charset");

	fresh();
	compose_addrs(&c.to, "bob@example.org", err, sizeof(err));
	memset(longline, 'a', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = '\0';
	buf_adds(&c.body, longline);
	buf_adds(&c.body, "\nshort\n");
	build();
	ok(strstr(buf_str(&out), "charset=US-ASCII\nContent-Transfer-Encoding: "
	    "quoted-printable\n") != NULL, "a 1199-octet line: quoted-printable");
	ok(lines_within(buf_str(&out), 76), "encoded lines of 76 at most");

	fresh();
	compose_addrs(&c.to, "bob@example.org", err, sizeof(err));
	memset(longline, 'b', 998);
	longline[998] = '\0';
	buf_adds(&c.body, longline);
	buf_adds(&c.body, "\n");
	build();
	ok(strstr(buf_str(&out), "MIME-Version") == NULL,
	    "a 998-octet ASCII line still goes as it is");

	fresh();
	compose_addrs(&c.to, "bob@example.org", err, sizeof(err));
	buf_adds(&c.body, "caf\xe9 cr\xe8me\n");
	build();
	ok(strstr(buf_str(&out), "charset=ISO-8859-1\nContent-Transfer-Encoding:"
	    " quoted-printable\n\ncaf=E9 cr=E8me\n") != NULL,
	    "bytes that are not UTF-8: ISO-8859-1, quoted-printable");

	fresh();
	compose_addrs(&c.to, "\"山田 太郎\" <taro@example.jp>", err,
	    sizeof(err));
	buf_adds(&c.body, "x\n");
	ok(build() == 0 && strstr(buf_str(&out), "To: =?UTF-8?") != NULL &&
	    strstr(buf_str(&out), "<taro@example.jp>\n") != NULL,
	    "a Japanese display name is encoded, the address kept");
	fresh();
	compose_addrs(&c.to, "山田@example.jp", err, sizeof(err));
	buf_adds(&c.body, "x\n");
	ok(build() == -1 && errno == EINVAL, "non-ASCII outside a display "
	    "name is refused");
}

static void
t_attach(void)
{
	char	 path[] = "/tmp/t_compose.XXXXXX", named[64], b64[64];
	struct buf e;
	FILE	*f;
	int	 fd;

	if ((fd = mkstemp(path)) == -1) {
		perror("mkstemp");
		exit(1);
	}
	close(fd);
	snprintf(named, sizeof(named), "%s.pdf", path);
	f = fopen(named, "w");
	fputs("%PDF-1.4 binary \x01\x02\xff\n", f);
	fclose(f);
	fresh();
	compose_addrs(&c.to, "bob@example.org", err, sizeof(err));
	buf_adds(&c.body, "see the file\n");
	ok(compose_attach(&c, named, err, sizeof(err)) == 0, "attach a file");
	ok(compose_attach(&c, "/nonexistent/file", err, sizeof(err)) == -1 &&
	    errno == ENOENT, "a missing file is refused at once");
	ok(strstr(err, "/nonexistent/file") != NULL, "and named");
	ok(build() == 0, "multipart built");
	ok(strstr(buf_str(&out), "MIME-Version: 1.0\nContent-Type: "
	    "multipart/mixed; boundary=\"") != NULL, "multipart/mixed");
	ok(strstr(buf_str(&out), "Content-Type: text/plain; charset=US-ASCII\n"
	    "Content-Transfer-Encoding: 7bit\n\nsee the file\n") != NULL,
	    "the text first");
	snprintf(b64, sizeof(b64), "Content-Type: %s; name=\"",
	    mime_type_by_name(named));
	ok(strstr(buf_str(&out), b64) != NULL, "the type from the name");
	ok(strstr(buf_str(&out), "Content-Disposition: attachment; filename=\"")
	    != NULL, "Content-Disposition with the file name");
	buf_init(&e, 0);
	mime_b64_encode(&e, "%PDF-1.4 binary \x01\x02\xff\n", 20);
	ok(e.len > 0 && strstr(buf_str(&out), buf_str(&e)) != NULL,
	    "the file base64-encoded");
	buf_free(&e);
	ok(lines_within(buf_str(&out), 78), "no line over 78");
	ok(out.len > 3 && strcmp(buf_str(&out) + out.len - 3, "--\n") == 0,
	    "the closing boundary last");
	unlink(named);
	unlink(path);
}

/* ---- sendmail's stand-in (this program run as "sendmail") ---- */

/* Whether our parent blocks SIGINT, SIGTERM, SIGHUP and SIGQUIT. */
static int
parent_holds(void)
{
	char			 path[64], line[256];
	unsigned long long	 blk = 0, want;
	FILE			*f;

	snprintf(path, sizeof(path), "/proc/%ld/status", (long)getppid());
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "SigBlk:", 7) == 0)
			blk = strtoull(line + 7, NULL, 16);
	fclose(f);
	want = 1ULL << (SIGINT - 1) | 1ULL << (SIGTERM - 1) |
	    1ULL << (SIGHUP - 1) | 1ULL << (SIGQUIT - 1);
	return (blk & want) == want;
}

static void
stub_report(FILE *f, int argc, char **argv)
{
	static const int mine[] = { SIGINT, SIGQUIT, SIGPIPE, SIGUSR2,
	    SIGTERM, SIGHUP, SIGCHLD, SIGXFSZ };
	struct sigaction sa;
	sigset_t	 set;
	int		 blocked = 0, ign = 0;

	for (int i = 0; i < argc; i++)
		fprintf(f, "arg:%s\n", argv[i]);
	sigprocmask(SIG_BLOCK, NULL, &set);
	for (int sig = 1; sig < 32; sig++)
		if (sigismember(&set, sig))
			blocked++;
	/* those our parent ignores or catches (not all: a sanitizer's
	   runtime catches SIGSEGV and others in us) */
	for (size_t i = 0; i < sizeof(mine) / sizeof(mine[0]); i++)
		if (sigaction(mine[i], NULL, &sa) == 0 &&
		    sa.sa_handler != SIG_DFL)
			ign++;
	fprintf(f, "blocked:%d\nnot-default:%d\nparent-holds:%d\n", blocked,
	    ign, parent_holds());
}

static int
stub(int argc, char **argv)
{
	const char	*dir = getenv("T_STUB_DIR"), *mode = getenv("T_STUB_MODE");
	char		 path[512], chunk[8192], fds[256] = "";
	FILE		*f;
	ssize_t		 n;
	int		 in;

	for (int fd = 3; fd < 1024; fd++)	/* before we open anything */
		if (fcntl(fd, F_GETFD) != -1)
			snprintf(fds + strlen(fds), sizeof(fds) - strlen(fds),
			    " %d", fd);
	if (dir == NULL || mode == NULL)
		return 99;
	if (strcmp(mode, "poke") == 0) {	/* a signal while we run */
		kill(getppid(), SIGUSR2);
		nanosleep(&(struct timespec){ 0, 100000000 }, NULL);
	}
	if (strcmp(mode, "kill") == 0)
		raise(SIGKILL);
	if (strncmp(mode, "noread", 6) == 0)
		return atoi(mode + 6);
	snprintf(path, sizeof(path), "%s/stdin", dir);
	if ((in = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1)
		return 98;
	while ((n = read(0, chunk, sizeof(chunk))) > 0)
		if (write(in, chunk, (size_t)n) != n)
			return 98;
	close(in);
	/* at end of file our parent is past starting us: its mask now is
	   the one it keeps while we run */
	snprintf(path, sizeof(path), "%s/report", dir);
	if ((f = fopen(path, "w")) == NULL)
		return 98;
	fprintf(f, "fds:%s\n", fds);
	stub_report(f, argc, argv);
	fclose(f);
	return strncmp(mode, "exit", 4) == 0 ? atoi(mode + 4) : 0;
}

/* ---- the hand-off ---- */

static char		 stub_dir[] = "/tmp/t_compose.XXXXXX";
static volatile sig_atomic_t pokes;

static void
on_usr2(int sig)
{
	(void)sig;
	pokes++;
}

static void
slurp(const char *name, struct buf *b)
{
	char	 path[512], chunk[8192];
	size_t	 n;
	FILE	*f;

	buf_reset(b);
	snprintf(path, sizeof(path), "%s/%s", stub_dir, name);
	if ((f = fopen(path, "r")) == NULL)
		return;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(b, chunk, n);
	fclose(f);
	unlink(path);
}

static int
send_as(const char *mode, const struct compose_env *e)
{
	setenv("T_STUB_MODE", mode, 1);
	buf_reset(&out);
	err[0] = '\0';
	return compose_send(&c, e, &out, err, sizeof(err));
}

static void
t_send_args(struct compose_env *e, struct buf *rep, struct buf *in)
{
	int	 r;

	fresh();
	compose_addrs(&c.to, "bob@example.org", err, sizeof(err));
	compose_addrs(&c.cc, "-oQ/tmp/x@example.org", err, sizeof(err));
	compose_addrs(&c.bcc, "-C/tmp/evil.conf@example.org", err,
	    sizeof(err));
	compose_subject(&c, "hi", err, sizeof(err));
	buf_adds(&c.body, "hello\n.\nstill here\n");
	r = send_as("exit0", e);
	is_int(r, 0, "sendmail exits 0: sent (%s)", err);
	slurp("report", rep);
	slurp("stdin", in);
	ok(strstr(buf_str(rep), "\narg:sendmail\narg:-i\narg:-f\n"
	    "arg:-x@example.org\narg:-F\narg:Me Myself\narg:--\n"
	    "arg:bob@example.org\narg:-oQ/tmp/x@example.org\n"
	    "arg:-C/tmp/evil.conf@example.org\nblocked:") != NULL,
	    "argv: -i -f SENDER -F NAME -- and every recipient after --");
	ok(in->len == out.len && memcmp(in->s, out.s, out.len) == 0,
	    "stdin: the whole message, byte for byte");
	ok(strstr(buf_str(rep), "fds:\n") != NULL,
	    "no descriptor of ours beyond 0, 1, 2");
	ok(strstr(buf_str(rep), "blocked:0\n") != NULL,
	    "sendmail starts with an empty signal mask");
	ok(strstr(buf_str(rep), "not-default:0\n") != NULL,
	    "and every signal at its default (ignored ones too)");
	ok(strstr(buf_str(rep), "parent-holds:1\n") != NULL,
	    "while it runs we hold SIGINT, SIGTERM, SIGHUP, SIGQUIT");
	e->foreground = 1;
	e->from_name = "";
	r = send_as("exit0", e);
	slurp("report", rep);
	ok(r == 0 && strstr(buf_str(rep), "arg:-f\narg:-x@example.org\n"
	    "arg:-odi\narg:--\narg:bob@example.org\n") != NULL,
	    "foreground: -odi; no name: no -F");
	e->foreground = 0;
}

static void
t_send_fail(struct compose_env *e, struct buf *rep)
{
	sigset_t	 now;
	int		 r;

	is_int(send_as("exit75", e), 75, "sendmail's exit code is ours");
	is_str(err, "sendmail exited 75", "and err says it");
	is_int(send_as("exit64", e), 64, "64 too");
	is_int(send_as("kill", e), EX_TEMPFAIL, "killed by a signal: 75");
	ok(strstr(err, "signal 9") != NULL, "err names the signal");
	is_int(send_as("noread78", e), 78, "gone before reading: its code");
	for (int i = 0; i < 20000; i++)
		buf_adds(&c.body, "a line of text that fills the pipe\n");
	r = send_as("noread0", e);	/* SIGPIPE is at its default here */
	is_int(r, EX_IOERR, "exit 0 without the whole message: 74");
	ok(strstr(err, "Broken pipe") != NULL, "err says why (%s)", err);
	signal(SIGUSR2, on_usr2);	/* no SA_RESTART */
	pokes = 0;
	r = send_as("poke", e);
	is_int(r, 0, "a signal while sendmail runs: still sent");
	ok(pokes == 1, "and it reached us");
	slurp("stdin", rep);
	ok(rep->len == out.len, "the whole message went through");
	sigprocmask(SIG_BLOCK, NULL, &now);
	ok(sigismember(&now, SIGUSR1) && !sigismember(&now, SIGINT),
	    "our signal mask is as it was");
	e->program = "/nonexistent/sendmail";
	is_int(send_as("exit0", e), EX_UNAVAILABLE, "no sendmail: 69");
	ok(strstr(err, "/nonexistent/sendmail") != NULL, "named");
	e->program = "/proc/self/exe";
	compose_list_clear(&c.to);
	compose_list_clear(&c.cc);
	compose_list_clear(&c.bcc);
	slurp("report", rep);
	is_int(send_as("exit0", e), EX_USAGE, "no recipient: 64");
	slurp("report", rep);
	ok(rep->len == 0, "and sendmail was not run");
}

static void
t_send(void)
{
	static struct conf cf;	/* max_size 0: no limit */
	struct compose_env e;
	struct buf	 rep, in;
	sigset_t	 set;
	char		*probe[] = { "sendmail", NULL };
	pid_t		 pid;
	int		 r;

	/* Under qemu-user with no binfmt_misc (make check ARCH=...) the
	   kernel cannot start this program again: none of this can run. */
	if ((r = posix_spawn(&pid, "/proc/self/exe", NULL, NULL, probe,
	    environ)) == ENOEXEC) {
		printf("ok %d # skip the hand-off: this program cannot exec "
		    "itself (%s; emulated, no binfmt_misc)\n", ++tap_n,
		    strerror(r));
		return;
	}
	if (r == 0)
		waitpid(pid, NULL, 0);
	if (mkdtemp(stub_dir) == NULL) {
		ok(0, "mkdtemp: %s", strerror(errno));
		return;
	}
	setenv("T_STUB_DIR", stub_dir, 1);
	for (int fd = 3; fd < 1024; fd++)	/* what we got is not ours */
		fcntl(fd, F_SETFD, FD_CLOEXEC);
	signal(SIGINT, SIG_IGN);		/* as mail -i has it */
	signal(SIGQUIT, SIG_IGN);
	signal(SIGXFSZ, SIG_IGN);		/* as mail has it */
	signal(SIGPIPE, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	memset(&e, 0, sizeof(e));
	e.conf = &cf;
	e.sender = "-x@example.org";
	e.from_name = "Me Myself";
	e.program = "/proc/self/exe";
	buf_init(&rep, 0);
	buf_init(&in, 0);
	t_send_args(&e, &rep, &in);
	t_send_fail(&e, &rep);
	buf_free(&rep);
	buf_free(&in);
	rmdir(stub_dir);
}

int
main(int argc, char **argv)
{
	if (argc > 0 && strcmp(argv[0], "sendmail") == 0)
		return stub(argc, argv);
	compose_init(&c, 0);
	buf_init(&out, 0);
	t_addrs();
	t_plain();
	t_fold();
	t_mime();
	t_attach();
	t_send();
	compose_free(&c);
	buf_free(&out);
	return done_testing();
}
