/*
 * mail, mailx — send and read mail (POSIX mailx; as Debian's `mail`,
 * which is bsd-mailx, behaves).
 *
 * usage: mail [-E] [-s subject] [-c addresses] [-b addresses] [-r from]
 *             [-a file]... address...
 *        mail [-e | -H] [-iNn] [-u user]
 *        mail -f [-eHiNn] [file]
 *
 * Sending: the body is read from stdin up to end of file.  When stdin
 * is a terminal, "Subject: " is asked for when -s is not given
 * (asksub), a line with a single "." also ends the body (dot, set by
 * default as Debian's /etc/mail.rc does; "set nodot" turns it off),
 * the tilde escapes work (~? lists them), and "EOT" is printed at the
 * end, or the "Cc: "/"Bcc: " prompts with askcc/askbcc.  Not on a
 * terminal, every line is body text (tildes and "." included), as
 * bsd-mailx does.  The message is handed to sendmail (this program run
 * again as `sendmail -i`), as mailx does; when sendmail fails, mail
 * exits with its code and the text is saved in dead.letter.
 *   -s SUBJECT   the subject (non-ASCII is RFC 2047-encoded)
 *   -c LIST      carbon copies          -b LIST   blind carbon copies
 *   -r ADDRESS   the sender ("Name <addr>" or addr): From: and envelope
 *   -a FILE      attach a file (multipart/mixed, base64); repeatable
 *   -E           send nothing when the body is empty
 *
 * Reading: `mail` reads the user's mailbox ($MAIL, else the mailbox
 * setting of hikyaku.conf), `mail -f` a file (default ~/mbox or $MBOX;
 * "+name" is in the folder directory), `mail -u user` that user's
 * mailbox (if the files allow it: mail runs as the caller).  It prints
 * a banner, "\"PATH\": N messages N new" and a summary line per message
 *   >N  1 alice@test.example    Sat Nov 28 09:19   14/420   hello
 * (current mark, N new / U unread / P preserved / * saved / M for
 * ~/mbox, number, sender, date, lines/bytes, subject), then reads
 * commands from stdin, with the prompt "& " only on a terminal.
 *   -e  exit 0 when there is mail, 1 when not, printing nothing
 *   -H  print the summary lines and exit     -N  no summary at start
 *   -n  do not read /etc/mail.rc             -i  ignore interrupts
 * `?` lists the commands.  quit: deleted messages go, read ones move
 * to ~/mbox (not with hold, or with -f), the others stay; mail that
 * arrived meanwhile is kept.  exit: nothing changes.
 *
 * Start-up files: /etc/mail.rc (not with -n), then $MAILRC or
 * ~/.mailrc: set/unset, alias/group, ignore/retain, source.  Errors
 * there are reported as FILE:LINE and do not stop mail.  Variables:
 * ask/asksub askcc askbcc crt dot escape folder header hold ignore
 * ignoreeof indentprefix keepsave metoo outfolder prompt quiet record
 * save screen sendwait toplines (append is always on: ~/mbox grows
 * at its end), and EDITOR VISUAL PAGER SHELL MBOX DEAD MAIL MAILRC
 * from the environment.  Any other name may be set, and is ignored.
 *
 * Exit codes (sysexits(3)): 0 done; 1 no mail (and -e: none); 64 usage,
 * or a subject or address with a line break; 65 bad data (a mailbox
 * that is not an mbox, a message too large); 66 no such file (-f);
 * 67 unknown user (-u); 75 try again (mailbox locked, disk full);
 * 77 permission; 78 configuration; when sendmail refuses the message,
 * its exit code (75 when it was killed by a signal).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "app.h"
#include "exits.h"
#include "applets.h"
#include "buf.h"
#include "compose.h"
#include "conf.h"
#include "limits.h"
#include "log.h"
#include "mailbox.h"
#include "mailrc.h"
#include "mbox.h"
#include "mime.h"
#include "msg.h"
#include "msglist.h"
#include "users.h"

#define SYSTEM_MAILRC	"/etc/mail.rc"
#define BANNER		"Mail version hikyaku.  Type ? for help."

/* mbox_msg.user bits: what this session did to a message */
#define U_DELETED	0x01
#define U_PRESERVE	0x02
#define U_SAVED		0x04
#define U_TOUCH		0x08
#define U_MBOX		0x10

struct opts {
	const char		*subject;
	const char		*from;
	const char		*user;		/* -u */
	const char		*file;		/* -f FILE */
	struct compose_list	 cc, bcc, attach;
	int			 fflag, skip_empty, check, headers_only;
	int			 no_summary, no_sysrc, ignore_int;
	char			**rcpts;
	int			 nrcpts;
};

/* What a summary line shows of a message, as bsd-mailx reads it. */
struct head {
	char		*from;		/* the sender (msglist_skin), decoded */
	char		*subj;		/* decoded */
	size_t		 lines;
	long long	 size;
	int		 done;
};

struct mail {
	struct conf		 conf;
	struct mailrc		 rc;
	char			 user[LIM_USER + 1];
	char			 gecos[LIM_FULLNAME];
	char			 home[LIM_PATH];
	int			 interactive;	/* stdin is a terminal */
	int			 ignore_int;
	/* reading */
	struct mbox		*mb;
	char			 path[LIM_PATH];
	int			 edit;		/* -f: not the system mailbox */
	size_t			 n, dot;	/* dot 1-based */
	int			 sawcom;
	unsigned char		*sel;
	struct head		*head;		/* on demand */
	const char		*raw;		/* the mbox mapped, for the summary */
	size_t			 rawlen;
	int			 width, rows;
};

static volatile sig_atomic_t got_int;

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: mail [-E] [-s subject] [-c addresses] [-b addresses] "
	    "[-r from]\n"
	    "            [-a file]... address...\n"
	    "       mail [-e | -H] [-iNn] [-u user]\n"
	    "       mail -f [-eHiNn] [file]\n\n"
	    "Send: the message is read from stdin up to end of file (on a "
	    "terminal, a line\nwith a single \".\" ends it too, and ~? lists "
	    "the tilde escapes).\n"
	    "  -s SUBJECT  subject           -c LIST   copies to "
	    "(comma-separated)\n"
	    "  -b LIST     blind copies      -r ADDR   sender (From: and "
	    "envelope)\n"
	    "  -a FILE     attach a file     -E        send nothing when the "
	    "body is empty\n"
	    "Read: without addresses, mail reads your mailbox ($MAIL, or the "
	    "mailbox setting).\n"
	    "  -f [FILE]   read FILE (default ~/mbox)   -u USER  read USER's "
	    "mailbox\n"
	    "  -H          list the messages and exit   -e       exit 0 if "
	    "there is mail, else 1\n"
	    "  -N          no list at start             -n       do not read "
	    SYSTEM_MAILRC "\n"
	    "  -i          ignore interrupts\n"
	    "Type ? inside mail for its commands.  Settings: ~/.mailrc "
	    "(set, alias, ignore).\n");
}

static void
add_list_or_die(struct compose_list *l, const char *s)
{
	if (compose_list_add(l, s) == -1)
		app_die(EX_TEMPFAIL, "%s", strerror(errno));
}

static void
parse_opts(struct opts *o, int argc, char **argv)
{
	int	 ch;

	memset(o, 0, sizeof(*o));
	if (argc > 1 && strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		exit(0);
	}
	while ((ch = getopt(argc, argv, "+a:b:c:dEefHiNnr:s:u:v")) != -1) {
		switch (ch) {
		case 'a': add_list_or_die(&o->attach, optarg); break;
		case 'b': add_list_or_die(&o->bcc, optarg); break;
		case 'c': add_list_or_die(&o->cc, optarg); break;
		case 'E': o->skip_empty = 1; break;
		case 'e': o->check = 1; break;
		case 'f': o->fflag = 1; break;
		case 'H': o->headers_only = 1; break;
		case 'i': o->ignore_int = 1; break;
		case 'N': o->no_summary = 1; break;
		case 'n': o->no_sysrc = 1; break;
		case 'r': o->from = optarg; break;
		case 's': o->subject = optarg; break;
		case 'u': o->user = optarg; break;
		case 'd': case 'v': break;	/* debug, verbose: accepted */
		default:
			usage(stderr);
			exit(EX_USAGE);
		}
	}
	o->rcpts = argv + optind;
	o->nrcpts = argc - optind;
	if (o->fflag && o->nrcpts > 0) {
		o->file = o->rcpts[0];
		o->rcpts++;
		o->nrcpts--;
	}
	if (o->nrcpts > 0 && (o->fflag || o->user || o->check ||
	    o->headers_only)) {
		app_warn("-f, -u, -e and -H read mail; they take no addresses");
		usage(stderr);
		exit(EX_USAGE);
	}
	if (o->nrcpts == 0 && (o->subject || o->from || o->cc.n ||
	    o->bcc.n || o->attach.n)) {
		app_warn("no address given to send to");
		usage(stderr);
		exit(EX_USAGE);
	}
}

/* ------------------------------------------------------------ input */

static void
on_int(int sig)
{
	got_int = sig;
}

/*
 * On a terminal SIGINT and SIGHUP only set got_int, and they are
 * blocked except while we wait for input (pselect), so that one that
 * comes while we are busy is never lost: it ends the next wait.
 */
static sigset_t	 wait_mask;	/* the mask to wait with: both open */
static struct buf inbuf;	/* terminal input read, not yet taken */
static int	 tty_in;	/* catch_int was called: read with tty_line */

static void
catch_int(void)
{
	struct sigaction sa;
	sigset_t	 both;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_int;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigemptyset(&both);
	sigaddset(&both, SIGINT);
	sigaddset(&both, SIGHUP);
	sigprocmask(SIG_BLOCK, &both, &wait_mask);
	sigdelset(&wait_mask, SIGINT);
	sigdelset(&wait_mask, SIGHUP);
	buf_init(&inbuf, 0);
	tty_in = 1;
}

/* Children (shell, editor, pager) start with the signals as usual. */
static void
child_signals(void)
{
	signal(SIGINT, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	sigprocmask(SIG_SETMASK, &wait_mask, NULL);
}

/* The pending signal, cleared (a hang-up stays: nothing more comes). */
static int
taken_int(void)
{
	int	 sig = got_int;

	if (sig != SIGHUP)
		got_int = 0;
	return sig;
}

/* A line from the terminal into *line (as read_line). */
static int
tty_line(char **line, size_t *cap)
{
	char	 chunk[4096], *nl;
	size_t	 n;
	ssize_t	 r;
	fd_set	 fds;

	for (;;) {
		if (inbuf.len > 0 &&
		    (nl = memchr(inbuf.s, '\n', inbuf.len)) != NULL) {
			n = (size_t)(nl - inbuf.s);
			break;
		}
		if (got_int != 0)
			return -1;
		FD_ZERO(&fds);
		FD_SET(0, &fds);
		if (pselect(1, &fds, NULL, NULL, NULL, &wait_mask) == -1) {
			if (errno == EINTR)
				continue;
			return 0;
		}
		if ((r = read(0, chunk, sizeof(chunk))) <= 0) {
			if (r == -1 && errno == EINTR)
				continue;
			if (inbuf.len == 0)
				return 0;
			n = inbuf.len;		/* a last line without LF */
			break;
		}
		if (buf_add(&inbuf, chunk, (size_t)r) == -1)
			return 0;	/* out of memory: as end of input */
	}
	if (*cap < n + 1) {
		if ((nl = realloc(*line, n + 1)) == NULL)
			return 0;
		*line = nl;
		*cap = n + 1;
	}
	memcpy(*line, inbuf.s, n);
	(*line)[n] = '\0';
	n = n < inbuf.len ? n + 1 : n;
	memmove(inbuf.s, inbuf.s + n, inbuf.len - n);
	inbuf.len -= n;
	return 1;
}

/*
 * One line of stdin without its LF into *line.  1 a line, 0 end of
 * file, -1 interrupted (SIGINT or SIGHUP: got_int says which, until
 * the caller takes it with taken_int()).
 */
static int
read_line(char **line, size_t *cap)
{
	ssize_t	 n;

	fflush(stdout);
	if (tty_in)
		return tty_line(line, cap);
	if ((n = getline(line, cap, stdin)) == -1)
		return 0;
	if (n > 0 && (*line)[n - 1] == '\n')
		(*line)[--n] = '\0';
	return 1;
}

/* A prompt and one line; NULL at end of file or interrupt (a copy the
   caller frees otherwise). */
static char *
ask(const char *prompt)
{
	char	*line = NULL;
	size_t	 cap = 0;

	fputs(prompt, stdout);
	if (read_line(&line, &cap) != 1) {
		taken_int();
		free(line);
		return NULL;
	}
	return line;
}

/* ------------------------------------------------------------ paths */

static const char *
home_dir(const struct mail *m)
{
	const char	*h = getenv("HOME");

	return h != NULL && *h != '\0' ? h : m->home;
}

/* "+name" in the folder, "~/x" in HOME, "&" the mbox, else as given. */
static void
expand_path(const struct mail *m, const char *name, char *out, size_t len)
{
	const char	*folder = mailrc_get(&m->rc, "folder");
	const char	*mbox = mailrc_get(&m->rc, "MBOX");

	if (name[0] == '+') {
		if (folder == NULL || *folder == '\0')
			folder = "";
		if (*folder == '/')
			snprintf(out, len, "%s/%s", folder, name + 1);
		else if (*folder != '\0')
			snprintf(out, len, "%s/%s/%s", home_dir(m), folder,
			    name + 1);
		else
			snprintf(out, len, "%s/%s", home_dir(m), name + 1);
	} else if (name[0] == '~' && (name[1] == '/' || name[1] == '\0'))
		snprintf(out, len, "%s%s", home_dir(m), name + 1);
	else if (strcmp(name, "&") == 0) {
		if (mbox != NULL && *mbox != '\0')
			snprintf(out, len, "%s", mbox);
		else
			snprintf(out, len, "%s/mbox", home_dir(m));
	} else
		snprintf(out, len, "%s", name);
}

static void
dead_path(const struct mail *m, char *out, size_t len)
{
	const char	*d = mailrc_get(&m->rc, "DEAD");

	if (d != NULL && *d != '\0')
		expand_path(m, d, out, len);
	else
		snprintf(out, len, "%s/dead.letter", home_dir(m));
}

static int
write_file(const char *path, const char *s, size_t n, int append)
{
	int	 fd, r = 0;
	mode_t	 old = umask(077);

	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND :
	    O_TRUNC), 0600);
	umask(old);
	if (fd == -1)
		return -1;
	if (n > 0 && write(fd, s, n) != (ssize_t)n)
		r = -1;
	if (close(fd) == -1)
		r = -1;
	return r;
}

static void
save_dead(const struct mail *m, const struct buf *body)
{
	char	 p[LIM_PATH];

	if (body->len == 0 || !mailrc_bool(&m->rc, "save"))
		return;		/* set nosave: no dead.letter */
	dead_path(m, p, sizeof(p));
	if (write_file(p, body->s, body->len, 1) == -1)
		app_warn("cannot save the message in %s: %s", p,
		    strerror(errno));
}

static int
read_file(const char *path, struct buf *b)
{
	char	 chunk[8192];
	ssize_t	 n;
	int	 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 || buf_add(b, chunk, (size_t)n) == -1) {
			if (n != -1)
				errno = EFBIG;
			close(fd);
			return -1;
		}
	}
	close(fd);
	return 0;
}

/* Run "/bin/sh -c cmd sh arg" with stdin/stdout as given (-1: ours);
   its exit status, or -1. */
static int
run_sh(const char *cmd, const char *arg, int in, int out)
{
	struct sigaction ign, old;
	pid_t	 pid;
	int	 st;

	fflush(stdout);
	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		child_signals();
		if (in != -1)
			dup2(in, 0);
		if (out != -1)
			dup2(out, 1);
		execl("/bin/sh", "sh", "-c", cmd, "sh", arg, (char *)NULL);
		_exit(127);
	}
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigaction(SIGINT, &ign, &old);
	while (waitpid(pid, &st, 0) == -1)
		if (errno != EINTR) {
			st = -1;
			break;
		}
	sigaction(SIGINT, &old, NULL);
	return st == -1 ? -1 : WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* ------------------------------------------------------------ sending */

struct addr_add {
	struct compose_list	*l;
};

static int
add_expanded(void *ctx, const char *addr)
{
	return compose_list_add(((struct addr_add *)ctx)->l, addr);
}

/* Add a comma-separated list to l, aliases expanded. */
static int
add_addrs(struct mail *m, struct compose_list *l, const char *list,
    char *err, size_t errlen)
{
	struct compose_list	 tmp = { NULL, 0 };
	struct addr_add		 a = { l };
	int			 r = 0;

	if (compose_addrs(&tmp, list, err, errlen) == -1)
		r = -1;
	for (size_t i = 0; r == 0 && i < tmp.n; i++)
		if (mailrc_expand(&m->rc, tmp.v[i], add_expanded, &a) == -1) {
			snprintf(err, errlen, "%s", strerror(errno));
			r = -1;
		}
	compose_list_clear(&tmp);
	return r;
}

static void
put_names(const char *field, const struct compose_list *l)
{
	if (l->n == 0)
		return;
	printf("%s: ", field);
	for (size_t i = 0; i < l->n; i++)
		printf("%s%s", i ? ", " : "", l->v[i]);
	putchar('\n');
}

/* Text from a message to the terminal, through the one filter every
   byte of mail shown passes (mime_clean). */
static void
put_safe(const char *p, size_t n)
{
	struct buf	 b;

	buf_init(&b, 0);
	if (mime_clean(&b, p, n, 1) == 0)
		fwrite(b.s, 1, b.len, stdout);
	buf_free(&b);
}

static void
show_draft(const struct compose *c)
{
	puts("-------\nMessage contains:");
	put_names("To", &c->to);
	if (c->subject != NULL)
		printf("Subject: %s\n", c->subject);
	put_names("Cc", &c->cc);
	put_names("Bcc", &c->bcc);
	putchar('\n');
	put_safe(c->body.s, c->body.len);
}

static void
tilde_help(void)
{
	fputs("-------------------- ~ ESCAPES ----------------------------\n"
	    "~~              a line starting with one ~\n"
	    "~. or ~x        send now (~.); abandon, saving nothing (~x)\n"
	    "~q              abandon, saving the message in dead.letter\n"
	    "~p              show the message so far\n"
	    "~s SUBJECT      set the subject\n"
	    "~t NAMES        add recipients      ~c NAMES  add Cc:\n"
	    "~b NAMES        add Bcc:            ~h        ask for all "
	    "headers\n"
	    "~r FILE         read FILE in        ~d        read dead.letter "
	    "in\n"
	    "~w FILE         write the message to FILE\n"
	    "~e / ~v         edit with $EDITOR / $VISUAL (default vi)\n"
	    "~| COMMAND      filter the message through COMMAND\n"
	    "~! COMMAND      run a shell command\n"
	    "~m / ~f LIST    quote / insert messages (when reading mail)\n"
	    "-----------------------------------------------------------\n",
	    stdout);
}

static void
read_in(struct compose *c, const char *path)
{
	struct buf	 b;
	size_t		 lines = 0;

	buf_init(&b, 0);
	if (read_file(path, &b) == -1) {
		printf("%s: %s\n", path, strerror(errno));
		buf_free(&b);
		return;
	}
	for (size_t i = 0; i < b.len; i++)
		lines += b.s[i] == '\n';
	if (b.len > 0 && b.s[b.len - 1] != '\n') {
		buf_addc(&b, '\n');
		lines++;
	}
	printf("\"%s\" %zu/%zu\n", path, lines, b.len);
	if (buf_add(&c->body, b.s, b.len) == -1)
		puts("The message would be too large; not read in.");
	buf_free(&b);
}

/* ~e, ~v: the draft in a file, $EDITOR "$1" through /bin/sh, back. */
static void
edit_draft(struct mail *m, struct compose *c, int visual)
{
	const char	*ed = mailrc_get(&m->rc, visual ? "VISUAL" : "EDITOR");
	const char	*tmp = getenv("TMPDIR");
	char		 path[LIM_PATH], cmd[LIM_PATH + 16];
	struct buf	 b;
	int		 fd;

	snprintf(path, sizeof(path), "%s/mail.draft.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if ((fd = mkstemp(path)) == -1 || close(fd) == -1 ||
	    write_file(path, c->body.s, c->body.len, 0) == -1) {
		printf("cannot make a draft file %s: %s\n", path,
		    strerror(errno));
		if (fd != -1)
			unlink(path);
		return;
	}
	snprintf(cmd, sizeof(cmd), "%s \"$1\"", ed != NULL && *ed != '\0' ?
	    ed : "vi");
	if (run_sh(cmd, path, -1, -1) != 0)
		printf("the editor failed; the message is unchanged\n");
	else {
		buf_init(&b, c->body.max);
		if (read_file(path, &b) == -1)
			printf("cannot read back %s: %s\n", path,
			    strerror(errno));
		else {
			if (b.len > 0 && b.s[b.len - 1] != '\n')
				buf_addc(&b, '\n');
			buf_free(&c->body);
			c->body = b;
			b.s = NULL;
		}
		buf_free(&b);
	}
	unlink(path);
}

/* ~| COMMAND: the draft through a filter, its output the new draft. */
static void
pipe_draft(struct mail *m, struct compose *c, const char *cmd)
{
	char		 in[LIM_PATH], out[LIM_PATH];
	const char	*tmp = getenv("TMPDIR");
	int		 fi = -1, fo = -1;
	struct buf	 b;

	(void)m;
	tmp = tmp != NULL && *tmp != '\0' ? tmp : "/tmp";
	snprintf(in, sizeof(in), "%s/mail.pipe.XXXXXX", tmp);
	snprintf(out, sizeof(out), "%s/mail.pipe.XXXXXX", tmp);
	if ((fi = mkstemp(in)) == -1 || (fo = mkstemp(out)) == -1 ||
	    write(fi, c->body.s, c->body.len) != (ssize_t)c->body.len ||
	    lseek(fi, 0, SEEK_SET) == -1) {
		printf("cannot make a temporary file: %s\n", strerror(errno));
		goto done;
	}
	if (run_sh(cmd, "", fi, fo) != 0) {
		printf("\"%s\" failed; the message is unchanged\n", cmd);
		goto done;
	}
	buf_init(&b, c->body.max);
	if (read_file(out, &b) == -1 || b.len == 0)
		printf("No bytes from \"%s\" !?\n", cmd);
	else {
		buf_free(&c->body);
		c->body = b;
		b.s = NULL;
	}
	buf_free(&b);
done:
	if (fi != -1) {
		close(fi);
		unlink(in);
	}
	if (fo != -1) {
		close(fo);
		unlink(out);
	}
}

static void
ask_field(struct mail *m, struct compose *c, const char *prompt, int which)
{
	struct compose_list *l = which == 't' ? &c->to : which == 'c' ?
	    &c->cc : &c->bcc;
	char	*s, err[LIM_ERR];

	if ((s = ask(prompt)) == NULL)
		return;
	if (which == 's') {
		if (*s != '\0' && compose_subject(c, s, err, sizeof(err)) == -1)
			printf("%s\n", err);
	} else if (add_addrs(m, l, s, err, sizeof(err)) == -1)
		printf("%s\n", err);
	free(s);
}

static int interpolate(struct mail *, struct compose *, const char *, int);

/* ~r FILE, ~< FILE, ~d (dead.letter): read in; ~w FILE: write out. */
static void
file_escape(struct mail *m, struct compose *c, int kind, const char *arg)
{
	char	 p[LIM_PATH];

	if (kind == 'd')
		dead_path(m, p, sizeof(p));
	else if (*arg == '\0') {
		puts(kind == 'w' ? "Write what file!?" :
		    "Interpolate what file?");
		return;
	} else
		expand_path(m, arg, p, sizeof(p));
	if (kind != 'w')
		read_in(c, p);
	else if (write_file(p, c->body.s, c->body.len, 0) == -1)
		printf("%s: %s\n", p, strerror(errno));
	else
		printf("\"%s\" written\n", p);
}

/*
 * One tilde escape.  Returns 0 to go on, 1 to end the message (~.),
 * -1 to abandon it saving dead.letter (~q), -2 to abandon it (~x).
 */
static int
tilde(struct mail *m, struct compose *c, const char *line)
{
	char		 err[LIM_ERR];
	const char	*arg = line + 2;
	int		 cont = 0;

	while (*arg == ' ' || *arg == '\t')
		arg++;
	err[0] = '\0';
	switch (line[1]) {
	case '.': return 1;
	case 'q': fputs("Interrupt\n", stderr); return -1;
	case 'x': return -2;
	case '?': tilde_help(); break;
	case 'p': show_draft(c); cont = 1; break;
	case 's':
		if (compose_subject(c, arg, err, sizeof(err)) == -1)
			printf("%s\n", err);
		break;
	case 't': case 'c': case 'b':
		if (add_addrs(m, line[1] == 't' ? &c->to : line[1] == 'c' ?
		    &c->cc : &c->bcc, arg, err, sizeof(err)) == -1)
			printf("%s\n", err);
		break;
	case 'h':
		ask_field(m, c, "To: ", 't');
		ask_field(m, c, "Subject: ", 's');
		ask_field(m, c, "Cc: ", 'c');
		ask_field(m, c, "Bcc: ", 'b');
		cont = 1;
		break;
	case 'r': case '<': case 'd': case 'w':
		file_escape(m, c, line[1], arg);
		break;
	case 'e': case 'v': edit_draft(m, c, line[1] == 'v'); cont = 1; break;
	case '|': pipe_draft(m, c, arg); cont = 1; break;
	case '!':
		run_sh(*arg ? arg : "${SHELL:-/bin/sh}", "", -1, -1);
		puts("!");
		break;
	case 'm': case 'M': case 'f': case 'F':
		cont = interpolate(m, c, arg, line[1]);
		break;
	default:
		if (line[1] == line[0]) {
			if (buf_adds(&c->body, line + 1) == -1 ||
			    buf_addc(&c->body, '\n') == -1)
				return -3;
			break;
		}
		puts("Unknown tilde escape.");
	}
	if (cont)
		puts("(continue)");
	return 0;
}

static void
after_body(struct mail *m, struct compose *c)
{
	if (!m->interactive)
		return;
	if (mailrc_bool(&m->rc, "askcc") || mailrc_bool(&m->rc, "askbcc")) {
		if (mailrc_bool(&m->rc, "askcc"))
			ask_field(m, c, "Cc: ", 'c');
		if (mailrc_bool(&m->rc, "askbcc"))
			ask_field(m, c, "Bcc: ", 'b');
	} else
		puts("EOT");
	fflush(stdout);
}

/* ^C while typing: with ignore "@"; the first a warning; the second
   abandons the letter (-1), as a hang-up does. */
static int
interrupted(struct mail *m, int *hadint)
{
	if (taken_int() == SIGHUP)
		return -1;	/* the terminal is gone: dead.letter */
	if (m->ignore_int) {
		puts("@");
		return 0;
	}
	if (!*hadint && m->interactive) {
		fputs("\n(Interrupt -- one more to kill letter)\n", stderr);
		*hadint = 1;
		return 0;
	}
	return -1;
}

/*
 * The body from stdin, with the tilde escapes and the "." line on a
 * terminal.  0 to send, -1 abandoned (dead.letter saved unless ~x).
 */
static int
collect(struct mail *m, struct compose *c)
{
	const char	*esc = mailrc_get(&m->rc, "escape");
	char		*line = NULL;
	size_t		 cap = 0;
	int		 tty = m->interactive, hadint = 0, eofs = 0, r;
	int		 e = esc != NULL && *esc != '\0' ? *esc : '~';
	int		 dot = mailrc_bool(&m->rc, "dot") ||
			    mailrc_bool(&m->rc, "ignoreeof");

	for (;;) {
		if ((r = read_line(&line, &cap)) == -1) {
			if (interrupted(m, &hadint) == 0)
				continue;
			goto abandon;
		}
		if (r == 0) {
			if (tty && mailrc_bool(&m->rc, "ignoreeof") &&
			    ++eofs < 25) {
				puts("Use \".\" to terminate letter");
				continue;
			}
			break;
		}
		hadint = 0;
		eofs = 0;
		if (tty && dot && strcmp(line, ".") == 0)
			break;
		if (!tty || line[0] != e || line[1] == '\0') {
			if (buf_adds(&c->body, line) == -1 ||
			    buf_addc(&c->body, '\n') == -1)
				goto too_big;
			continue;
		}
		if ((r = tilde(m, c, line)) == 1) {
			free(line);
			return 0;	/* ~. : no EOT, as bsd-mailx */
		}
		if (r == -3)
			goto too_big;
		if (r < 0)
			goto abandon;
	}
	free(line);
	after_body(m, c);
	return 0;
too_big:
	app_warn("the message is larger than the largest allowed "
	    "(max_size); it is saved in dead.letter");
	r = -1;
abandon:
	free(line);
	if (r == -1)
		save_dead(m, &c->body);
	return -1;
}

static int
count_cb(void *ctx, const char *addr)
{
	(void)addr;
	(*(size_t *)ctx)++;
	return 0;
}

/* record: a copy of what was sent, with From: and Date:. */
static void
record(struct mail *m, const char *sender, const struct buf *msg)
{
	const char	*r = mailrc_get(&m->rc, "record");
	const char	*folder = mailrc_get(&m->rc, "folder");
	char		 p[LIM_PATH], why[LIM_ERR], date[64];
	struct buf	 b;

	if (r == NULL || *r == '\0')
		return;
	if (r[0] != '/' && r[0] != '+' && r[0] != '~' &&
	    mailrc_bool(&m->rc, "outfolder") && folder != NULL) {
		snprintf(why, sizeof(why), "+%s", r);
		expand_path(m, why, p, sizeof(p));
	} else
		expand_path(m, r, p, sizeof(p));
	buf_init(&b, 0);
	msg_date(time(NULL), date, sizeof(date));
	buf_printf(&b, "From: %s\nDate: %s\n", sender, date);
	buf_add(&b, msg->s, msg->len);
	if (buf_failed(&b) || mailbox_put(p, MAILBOX_DETECT, sender, NULL, b.s,
	    b.len, why, sizeof(why)) == -1)
		app_warn("record: %s", buf_failed(&b) ? strerror(ENOMEM) : why);
	buf_free(&b);
}

/* Hand the draft to sendmail; an exit code (sendmail's when it fails). */
static int
send_draft(struct mail *m, struct compose *c)
{
	struct compose_env	 e;
	struct buf		 msg;
	char			 sender[LIM_ADDR + LIM_HOSTNAME + 2];
	char			 err[LIM_ERR];
	size_t			 n = 0;
	int			 code;

	err[0] = '\0';
	if (compose_rcpts(c, count_cb, &n, err, sizeof(err)) == -1 || n == 0) {
		app_warn("%s; the text is saved in dead.letter", n > 0 ||
		    err[0] != '\0' ? err : "No recipients specified");
		save_dead(m, &c->body);
		return EX_USAGE;
	}
	if (compose_sender(c, sender, sizeof(sender), err, sizeof(err)) == -1)
		app_die(EX_USAGE, "-r: %s", err);
	if (sender[0] == '\0' && addr_parse_path(m->user, 0, sender,
	    sizeof(sender), err, sizeof(err)) == -1)
		snprintf(sender, sizeof(sender), "uid%lu",
		    (unsigned long)getuid());
	if (addr_qualify(sender, sizeof(sender), m->conf.hostname) == -1)
		app_die(EX_USAGE, "sender address too long");
	memset(&e, 0, sizeof(e));
	e.conf = &m->conf;
	e.sender = sender;
	e.from_name = m->gecos;
	e.foreground = mailrc_bool(&m->rc, "sendwait");
	buf_init(&msg, 0);
	fflush(stdout);		/* before sendmail's output, if any */
	if ((code = compose_send(c, &e, &msg, err, sizeof(err))) != 0) {
		app_warn("%s; the text is saved in dead.letter", err);
		save_dead(m, &c->body);
		buf_free(&msg);
		return code;
	}
	record(m, sender, &msg);
	buf_free(&msg);
	return 0;
}

static void
die_addr(const char *err)
{
	app_die(EX_USAGE, "%s; nothing was sent", err);
}

/* mail [-s ...] address...: an exit code. */
static int
send_mode(struct mail *m, struct opts *o)
{
	struct compose	 c;
	char		 err[LIM_ERR], *s;
	size_t		 n = 0;
	int		 r;

	compose_init(&c, (size_t)m->conf.max_size);
	c.hostname = m->conf.hostname;
	if (o->subject != NULL && compose_subject(&c, o->subject, err,
	    sizeof(err)) == -1)
		die_addr(err);
	if (o->from != NULL && compose_from(&c, o->from, err,
	    sizeof(err)) == -1)
		app_die(EX_USAGE, "-r: %s; nothing was sent", err);
	for (int i = 0; i < o->nrcpts; i++)
		if (add_addrs(m, &c.to, o->rcpts[i], err, sizeof(err)) == -1)
			die_addr(err);
	for (size_t i = 0; i < o->cc.n; i++)
		if (add_addrs(m, &c.cc, o->cc.v[i], err, sizeof(err)) == -1)
			die_addr(err);
	for (size_t i = 0; i < o->bcc.n; i++)
		if (add_addrs(m, &c.bcc, o->bcc.v[i], err, sizeof(err)) == -1)
			die_addr(err);
	for (size_t i = 0; i < o->attach.n; i++)
		if (compose_attach(&c, o->attach.v[i], err, sizeof(err)) == -1)
			app_die(errno == ENOENT ? EX_NOINPUT :
			    exits_errno(errno), "-a %s; nothing was sent",
			    err);
	if (compose_rcpts(&c, count_cb, &n, err, sizeof(err)) == -1)
		die_addr(err);
	if (m->interactive && o->subject == NULL &&
	    (mailrc_bool(&m->rc, "ask") || mailrc_bool(&m->rc, "asksub")) &&
	    (s = ask("Subject: ")) != NULL) {
		if (*s != '\0' && compose_subject(&c, s, err,
		    sizeof(err)) == -1)
			printf("%s\n", err);
		free(s);
	}
	if (collect(m, &c) == -1) {
		compose_free(&c);
		return 1;
	}
	if (o->skip_empty && c.body.len == 0) {
		compose_free(&c);
		return 0;
	}
	r = send_draft(m, &c);
	compose_free(&c);
	return r;
}

/* ------------------------------------------------------------ reading */

static struct mbox_msg *
msg_at(struct mail *m, size_t i)
{
	return mbox_get(m->mb, i);
}

static int
is_new(const struct mbox_msg *mm)
{
	return (mm->flags0 & (MBOX_READ | MBOX_OLD)) == 0;
}

static unsigned
view_flags(void *arg, size_t i)
{
	struct mbox_msg	*mm = msg_at(arg, i);
	unsigned	 f = 0;

	if (mm->user & U_DELETED)
		f |= MSGLIST_DELETED;
	if (mm->flags & MBOX_READ)
		f |= MSGLIST_READ;
	if (is_new(mm))
		f |= MSGLIST_NEW;
	return f;
}

/* The raw message (mbox: From_ line on, as stored, in place; 1) or
   its header section into raw (Maildir, or when the mbox could not be
   mapped; 0). */
static int
head_raw(struct mail *m, size_t i, struct buf *raw, const char **p,
    size_t *n)
{
	struct mbox_msg	*mm = msg_at(m, i);
	char		 why[LIM_ERR];

	*n = (size_t)(mm->end - mm->off);
	if (m->raw != NULL && *mm->file == '\0' &&
	    (size_t)mm->end <= m->rawlen && *n > 5 &&
	    memcmp(m->raw + mm->off, "From ", 5) == 0 &&
	    strncmp(m->raw + mm->off + 5, mm->env_from,
	    strlen(mm->env_from)) == 0) {
		*p = m->raw + mm->off;
		return 1;
	}
	if (mbox_header(m->mb, i, raw, why, sizeof(why)) == -1)
		buf_reset(raw);
	*p = buf_str(raw);
	*n = raw->len;
	return 0;
}

/* A header value decoded for the screen (kept as it is when it cannot
   be). */
static char *
decoded(const char *v)
{
	struct buf	 b;
	char		*r;

	buf_init(&b, 0);
	if (mime_header_decode(&b, v, strlen(v)) == -1 || buf_failed(&b)) {
		buf_reset(&b);
		buf_adds(&b, v);
	}
	r = strdup(buf_str(&b));
	buf_free(&b);
	return r;
}

/*
 * The sender is bsd-mailx's: From:, else Sender:, else the From_
 * line's; lines and bytes as it counts them (mbox only: a Maildir
 * message is not read by it, and keeps its file's).
 */
static struct head *
head_of(struct mail *m, size_t i)
{
	struct head	*h = &m->head[i];
	struct mbox_msg	*mm = msg_at(m, i);
	struct buf	 raw, v;
	const char	*p;
	size_t		 n;
	char		*a;

	if (h->done)
		return h;
	h->done = 1;
	h->lines = mm->lines;
	h->size = (long long)mm->size;
	buf_init(&raw, 0);
	buf_init(&v, 0);
	if (head_raw(m, i, &raw, &p, &n) == 1)
		msglist_count(p, n, &h->lines, &h->size);
	if (!msglist_field(&v, p, n, "from") &&
	    !msglist_field(&v, p, n, "sender")) {
		buf_reset(&v);
		buf_adds(&v, mm->env_from);
	}
	if ((a = malloc(v.len + 1)) != NULL) {
		msglist_skin(buf_str(&v), a, v.len + 1);
		h->from = decoded(a);
		free(a);
	}
	buf_reset(&v);
	if (!msglist_field(&v, p, n, "subject"))
		msglist_field(&v, p, n, "subj");
	h->subj = decoded(buf_str(&v));
	buf_free(&raw);
	buf_free(&v);
	return h;
}

static const char *
view_from(void *arg, size_t i)
{
	struct head	*h = head_of(arg, i);

	return h->from != NULL ? h->from : "";
}

static const char *
view_subject(void *arg, size_t i)
{
	struct head	*h = head_of(arg, i);

	return h->subj != NULL ? h->subj : "";
}

static void
view(struct mail *m, struct msglist_view *v)
{
	v->n = m->n;
	v->dot = m->dot;
	v->flags = view_flags;
	v->from = view_from;
	v->subject = view_subject;
	v->arg = m;
}

/* The message list of args into m->sel; its count or -1 (said). */
static int
select_msgs(struct mail *m, const char *args, int deleted)
{
	struct msglist_view	 v;
	char			 err[LIM_ERR];
	int			 n;

	if (m->n == 0) {
		puts("No applicable messages");
		return -1;
	}
	view(m, &v);
	if ((n = msglist_parse(&v, args, deleted, m->sel, err,
	    sizeof(err))) == -1)
		puts(err);
	return n;
}

static int
disp_char(const struct mbox_msg *mm)
{
	int	 d = ' ', rd = (mm->flags & MBOX_READ) != 0;

	if (mm->user & U_SAVED)
		d = '*';
	if (mm->user & U_PRESERVE)
		d = 'P';
	if (!rd && is_new(mm))
		d = 'N';
	if (!rd && !is_new(mm))
		d = 'U';
	if (mm->user & U_MBOX)
		d = 'M';
	return d;
}

static void
summary(struct mail *m, size_t i, struct buf *out)
{
	struct mbox_msg	*mm = msg_at(m, i);
	char		 date[32];

	if (*mm->env_date != '\0')
		snprintf(date, sizeof(date), "%.16s", mm->env_date);
	else if (msglist_date(mm->date, date, sizeof(date)) == -1)
		date[0] = '\0';
	msglist_summary(out, m->dot == i + 1 ? '>' : ' ', disp_char(mm), i + 1,
	    view_from(m, i), date, head_of(m, i)->lines, head_of(m, i)->size,
	    view_subject(m, i), m->width);
}

static void
put_summary(struct mail *m, size_t i)
{
	struct buf	 b;

	buf_init(&b, 0);
	summary(m, i, &b);
	fwrite(b.s, 1, b.len, stdout);
	buf_free(&b);
}

static size_t
screen_size(struct mail *m)
{
	long	 s = mailrc_num(&m->rc, "screen", 0);

	return s > 0 ? (size_t)s : (size_t)(m->rows > 1 ? m->rows - 1 : 23);
}

/* The page of summary lines (screen lines) holding message num. */
static void
headers_page(struct mail *m, size_t num)
{
	size_t	 sz = screen_size(m), start, shown = 0;

	if (num == 0)
		num = 1;
	start = (num - 1) / sz * sz;
	for (size_t i = start; i < m->n && shown < sz; i++) {
		if (msg_at(m, i)->user & U_DELETED)
			continue;
		put_summary(m, i);
		shown++;
	}
	if (shown == 0)
		puts("No more mail.");
}

static size_t
first_dot(struct mail *m)
{
	for (size_t i = 0; i < m->n; i++)
		if (is_new(msg_at(m, i)))
			return i + 1;
	for (size_t i = 0; i < m->n; i++)
		if (!(msg_at(m, i)->flags & MBOX_READ))
			return i + 1;
	return m->n > 0 ? 1 : 0;
}

static void
file_info(struct mail *m)
{
	size_t	 nnew = 0, unread = 0, del = 0;

	for (size_t i = 0; i < m->n; i++) {
		struct mbox_msg *mm = msg_at(m, i);

		nnew += is_new(mm) && !(mm->flags & MBOX_READ);
		unread += !(mm->flags & MBOX_READ);
		del += (mm->user & U_DELETED) != 0;
	}
	printf("\"%s\": %zu message%s", m->path, m->n, m->n == 1 ? "" : "s");
	if (nnew > 0)
		printf(" %zu new", nnew);
	if (unread > nnew)
		printf(" %zu unread", unread - nnew);
	if (del > 0)
		printf(" %zu deleted", del);
	putchar('\n');
}

/* Unfolded header fields of hdr, the shown ones (or all), decoded. */
static void
put_headers(struct mail *m, const char *hdr, size_t hlen, int all,
    struct buf *out)
{
	const char	*p = hdr, *end = hdr + hlen, *e, *colon;
	struct buf	 v;

	buf_init(&v, 0);
	while (p < end) {
		for (e = p; e < end; e++)	/* the field, with its folds */
			if (*e == '\n' && (e + 1 >= end || (e[1] != ' ' &&
			    e[1] != '\t')))
				break;
		colon = memchr(p, ':', (size_t)(e - p));
		if (colon != NULL && (all || mailrc_shown(&m->rc, p,
		    (size_t)(colon - p)))) {
			buf_reset(&v);
			for (const char *q = colon + 1; q < e; q++)
				if (*q != '\n')
					buf_addc(&v, *q);
			buf_add(out, p, (size_t)(colon - p) + 1);
			buf_addc(out, ' ');
			if (mime_header_decode(out, buf_str(&v) +
			    strspn(buf_str(&v), " \t"), v.len -
			    strspn(buf_str(&v), " \t")) == -1)
				buf_add(out, v.s, v.len);
			buf_addc(out, '\n');
		} else if (colon == NULL)
			buf_add(out, p, (size_t)(e - p) + 1);
		p = e + 1;
	}
	buf_free(&v);
}

/* The text of message i as print shows it, into out.  0 or -1. */
static int
render(struct mail *m, size_t i, int all, size_t toplines, struct buf *out)
{
	struct mbox_msg	*mm = msg_at(m, i);
	struct buf	 raw;
	char		 why[LIM_ERR];
	size_t		 hlen, boff, mark;

	buf_init(&raw, 0);
	if (mbox_read(m->mb, i, &raw, why, sizeof(why)) == -1) {
		printf("%s\n", why);
		buf_free(&raw);
		return -1;
	}
	mbox_split(raw.s, raw.len, &hlen, &boff);
	if (*mm->env_date != '\0' && toplines == 0)
		buf_printf(out, "From %s %s\n", mm->env_from, mm->env_date);
	put_headers(m, raw.s, hlen, all, out);
	buf_addc(out, '\n');
	mark = out->len;
	if (mime_body_display(out, raw.s, hlen, raw.s + boff,
	    raw.len - boff) == -1) {
		out->len = mark;
		buf_add(out, raw.s + boff, raw.len - boff);
	}
	buf_free(&raw);
	if (out->len > mark && out->s[out->len - 1] != '\n')
		buf_addc(out, '\n');
	if (toplines > 0) {	/* top: cut after toplines body lines */
		for (size_t k = mark, nl = 0; k < out->len; k++)
			if (out->s[k] == '\n' && ++nl == toplines) {
				out->len = k + 1;
				break;
			}
	}
	return buf_failed(out) ? -1 : 0;
}

/* Through the pager, with ^C its own (ignored here); 0 when there is
   no such pager (127: then the caller shows it). */
static int
pager_show(const char *pager, const struct buf *b)
{
	struct sigaction ign, old;
	sigset_t	 mask;
	FILE		*p;
	int		 st = 127 << 8;

	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigaction(SIGINT, &ign, &old);
	sigprocmask(SIG_SETMASK, &wait_mask, &mask);
	signal(SIGPIPE, SIG_IGN);
	if ((p = popen(pager, "w")) != NULL) {
		fwrite(b->s, 1, b->len, p);
		st = pclose(p);
	}
	sigprocmask(SIG_SETMASK, &mask, NULL);
	sigaction(SIGINT, &old, NULL);
	return st != 127 << 8;
}

/*
 * Messages as p, t, top show them: every byte through mime_clean,
 * whatever part of the message it comes from (the From_ line, field
 * names, lines that are no field, text that did not decode).
 */
static void
show(struct mail *m, const struct buf *raw)
{
	const char	*crt = mailrc_get(&m->rc, "crt");
	const char	*pager = mailrc_get(&m->rc, "PAGER");
	size_t		 lines = 0;
	long		 lim;
	struct buf	 c, *b = &c;

	buf_init(&c, 0);
	if (mime_clean(&c, raw->s, raw->len, 1) == -1) {
		puts(strerror(ENOMEM));
		goto done;
	}
	if (crt != NULL && isatty(1)) {
		lim = *crt ? strtol(crt, NULL, 10) : m->rows;
		for (size_t i = 0; i < b->len; i++)
			lines += b->s[i] == '\n';
		if (lim > 0 && lines > (size_t)lim) {
			fflush(stdout);
			if (pager_show(pager && *pager ? pager : "more", b))
				goto done;
		}
	}
	fwrite(b->s, 1, b->len, stdout);
done:
	buf_free(&c);
}

static void
touch_read(struct mbox_msg *mm)
{
	mm->flags |= MBOX_READ;
	mm->user |= U_TOUCH;
}

/* print/type (all: Print/Type), top. */
static int
cmd_print(struct mail *m, char *args, int all, size_t top)
{
	struct buf	 b;

	if (select_msgs(m, args, 0) == -1)
		return -1;
	buf_init(&b, 0);
	for (size_t i = 0; i < m->n; i++) {
		if (!m->sel[i])
			continue;
		if (!mailrc_bool(&m->rc, "quiet"))
			buf_printf(&b, "Message %zu:\n", i + 1);
		if (render(m, i, all, top, &b) == 0) {
			if (top == 0)
				touch_read(msg_at(m, i));
			m->dot = i + 1;
		}
		if (top == 0)
			buf_addc(&b, '\n');
	}
	show(m, &b);
	buf_free(&b);
	return 0;
}

/* The next undeleted message after dot (dir 1) or before it (-1). */
static size_t
step(struct mail *m, int dir)
{
	size_t	 i = m->dot;

	for (;;) {
		if (dir > 0 ? i >= m->n : i <= 1)
			return 0;
		i = dir > 0 ? i + 1 : i - 1;
		if (!(msg_at(m, i - 1)->user & U_DELETED))
			return i;
	}
}

static int
print_one(struct mail *m, size_t num)
{
	char	 a[32];

	snprintf(a, sizeof(a), "%zu", num);
	return cmd_print(m, a, 0, 0);
}

/* next (Enter, +): the current message at first, then the next. */
static int
cmd_next(struct mail *m, char *args, int dir)
{
	size_t	 n;

	if (*args != '\0') {
		if (select_msgs(m, args, 0) == -1)
			return -1;
		for (size_t i = 0; i < m->n; i++)
			if (m->sel[i])
				return print_one(m, i + 1);
	}
	if (dir > 0 && !m->sawcom && m->dot > 0 &&
	    !(msg_at(m, m->dot - 1)->user & U_DELETED))
		return print_one(m, m->dot);
	if ((n = step(m, dir)) == 0) {
		puts(dir > 0 ? "At EOF" : "At BOF");
		return -1;
	}
	return print_one(m, n);
}

static void
after_delete(struct mail *m, size_t last)
{
	m->dot = last;
	if ((last = step(m, 1)) != 0)
		m->dot = last;
}

static int
cmd_delete(struct mail *m, char *args, int then_print)
{
	size_t	 last = 0;

	if (select_msgs(m, args, 0) == -1)
		return -1;
	for (size_t i = 0; i < m->n; i++)
		if (m->sel[i]) {
			msg_at(m, i)->user |= U_DELETED;
			msg_at(m, i)->user &= ~(unsigned)(U_PRESERVE | U_MBOX);
			last = i + 1;
		}
	after_delete(m, last);
	if (then_print) {
		if (msg_at(m, m->dot - 1)->user & U_DELETED) {
			puts("At EOF");
			return 0;
		}
		return print_one(m, m->dot);
	}
	return 0;
}

static int
cmd_undelete(struct mail *m, char *args)
{
	if (select_msgs(m, args, 1) == -1)
		return -1;
	for (size_t i = 0; i < m->n; i++)
		if (m->sel[i]) {
			msg_at(m, i)->user &= ~(unsigned)U_DELETED;
			touch_read(msg_at(m, i));
			m->dot = i + 1;
		}
	return 0;
}

/* hold/preserve (P), mbox (M), touch (T): mark the listed messages. */
static int
cmd_mark(struct mail *m, char *args, int what)
{
	if (select_msgs(m, args, 0) == -1)
		return -1;
	for (size_t i = 0; i < m->n; i++) {
		struct mbox_msg *mm = msg_at(m, i);

		if (!m->sel[i])
			continue;
		m->dot = i + 1;
		if (what == 'P') {
			mm->user |= U_PRESERVE;
			mm->user &= ~(unsigned)U_MBOX;
			continue;
		}
		touch_read(mm);		/* mbox and touch: as read */
		if (what == 'M') {
			mm->user |= U_MBOX;
			mm->user &= ~(unsigned)U_PRESERVE;
		}
	}
	return 0;
}

static int
cmd_headers(struct mail *m, char *args)
{
	if (*args != '\0') {
		if (select_msgs(m, args, 0) == -1)
			return -1;
		for (size_t i = 0; i < m->n; i++)
			if (m->sel[i]) {
				m->dot = i + 1;
				break;
			}
	}
	headers_page(m, m->dot);
	return 0;
}

static int
cmd_z(struct mail *m, char *args)
{
	size_t	 sz = screen_size(m), page = m->dot > 0 ? (m->dot - 1) / sz : 0;

	if (*args == '-') {
		if (page == 0) {
			puts("On first screenful of messages");
			return -1;
		}
		page--;
	} else {
		if ((page + 1) * sz >= m->n) {
			puts("On last screenful of messages");
			return -1;
		}
		page++;
	}
	m->dot = page * sz + 1;
	headers_page(m, m->dot);
	return 0;
}

static int
cmd_from(struct mail *m, char *args)
{
	size_t	 last = 0;

	if (select_msgs(m, args, 0) == -1)
		return -1;
	for (size_t i = 0; i < m->n; i++)
		if (m->sel[i]) {
			put_summary(m, i);
			last = i + 1;
		}
	m->dot = last;
	return 0;
}

static int
cmd_size(struct mail *m, char *args)
{
	if (select_msgs(m, args, 0) == -1)
		return -1;
	for (size_t i = 0; i < m->n; i++)
		if (m->sel[i])
			printf("%zu: %lld\n", i + 1,
			    (long long)msg_at(m, i)->size);
	return 0;
}

/* The last word of args is a file name (cut off); "&" when none. */
static const char *
file_arg(char *args)
{
	char	*e = args + strlen(args), *w;

	while (e > args && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	if (e == args)
		return "&";
	for (w = e; w > args && w[-1] != ' ' && w[-1] != '\t'; w--)
		;
	if (w == args && strspn(w, "0123456789-$^.*:") == strlen(w))
		return "&";	/* only a message list */
	if (w > args)
		w[-1] = '\0';
	else
		*args = '\0';
	return w;
}

/* save (s), copy (c), write (w: the body only). */
static int
cmd_save(struct mail *m, char *args, int how)
{
	const char	*name = file_arg(args);
	char		 p[LIM_PATH], why[LIM_ERR];
	struct buf	 b;
	struct stat	 st;
	size_t		 lines = 0, hlen, boff;
	long long	 bytes = 0;
	int		 existed, r = 0;

	expand_path(m, name, p, sizeof(p));
	if (select_msgs(m, args, 0) == -1)
		return -1;
	existed = stat(p, &st) == 0;
	buf_init(&b, 0);
	for (size_t i = 0; i < m->n && r == 0; i++) {
		struct mbox_msg *mm = msg_at(m, i);

		if (!m->sel[i])
			continue;
		if (how == 'w') {
			buf_reset(&b);
			if ((r = mbox_read(m->mb, i, &b, why, sizeof(why))) == 0) {
				mbox_split(b.s, b.len, &hlen, &boff);
				if ((r = write_file(p, b.s + boff, b.len - boff,
				    1)) == -1)
					snprintf(why, sizeof(why), "%.400s: %s",
					    p, strerror(errno));
				for (size_t k = boff; k < b.len; k++)
					lines += b.s[k] == '\n';
				bytes += (long long)(b.len - boff);
			}
		} else if ((r = mbox_copy(m->mb, i, p, 0, why,
		    sizeof(why))) == 0) {
			lines += mm->lines;
			bytes += (long long)mm->size;
		}
		if (r == 0) {
			m->dot = i + 1;
			if (how != 'c')
				mm->user |= U_SAVED | U_TOUCH;
			mm->flags |= MBOX_READ;
		}
	}
	buf_free(&b);
	if (r == -1) {
		puts(why);
		return -1;
	}
	printf("\"%s\" %s %zu/%lld\n", p, existed ? "[Appended]" :
	    "[New file]", lines, bytes);
	return 0;
}

/* ------------------------------------------------------------ replies */

/* Is the address in entry e (any form) ours? */
static int
is_me(const struct mail *m, const char *e)
{
	char	 a[LIM_ADDR + LIM_HOSTNAME + 2], me[LIM_ADDR + LIM_HOSTNAME + 2];

	msglist_skin(e, a, sizeof(a));
	snprintf(me, sizeof(me), "%s@%s", m->user, m->conf.hostname);
	return strcasecmp(a, m->user) == 0 || strcasecmp(a, me) == 0;
}

/* Add the entries of list to l, leaving ourselves out unless metoo. */
static void
add_others(struct mail *m, struct compose_list *l, const char *list)
{
	struct compose_list	 tmp = { NULL, 0 };
	char			 err[LIM_ERR];

	if (compose_addrs(&tmp, list, err, sizeof(err)) == -1) {
		printf("%s\n", err);
		return;
	}
	for (size_t i = 0; i < tmp.n; i++)
		if (mailrc_bool(&m->rc, "metoo") || !is_me(m, tmp.v[i]))
			compose_list_add(l, tmp.v[i]);
	compose_list_clear(&tmp);
}

static void
reply_fields(struct mail *m, struct compose *c, const char *hdr, size_t hlen)
{
	struct buf	 id, refs;

	buf_init(&id, 0);
	buf_init(&refs, 0);
	if (mime_header_get(&id, hdr, hlen, "Message-ID") == 1 &&
	    compose_clean(buf_str(&id)) == 0) {
		compose_field(c, "In-Reply-To", buf_str(&id));
		if (mime_header_get(&refs, hdr, hlen, "References") == 1 &&
		    compose_clean(buf_str(&refs)) == 0)
			buf_addc(&refs, ' ');
		else
			buf_reset(&refs);
		buf_add(&refs, id.s, id.len);
		compose_field(c, "References", buf_str(&refs));
	}
	(void)m;
	buf_free(&id);
	buf_free(&refs);
}

/* The reply's addresses and subject from message i. */
static int
reply_draft(struct mail *m, size_t i, int all, struct compose *c)
{
	struct mbox_msg	*mm = msg_at(m, i);
	struct buf	 h, v;
	const char	*subj = view_subject(m, i);
	char		 err[LIM_ERR];

	buf_init(&h, 0);
	buf_init(&v, 0);
	if (mbox_header(m->mb, i, &h, err, sizeof(err)) == -1) {
		puts(err);
		goto fail;
	}
	if (mime_header_get(&v, h.s, h.len, "Reply-To") != 1) {
		buf_reset(&v);
		buf_adds(&v, *mm->from ? mm->from : mm->env_from);
	}
	if (compose_addrs(&c->to, buf_str(&v), err, sizeof(err)) == -1) {
		puts(err);
		goto fail;
	}
	if (all) {
		buf_reset(&v);
		if (mime_header_get(&v, h.s, h.len, "To") == 1)
			add_others(m, &c->to, buf_str(&v));
		buf_reset(&v);
		if (mime_header_get(&v, h.s, h.len, "Cc") == 1)
			add_others(m, &c->cc, buf_str(&v));
	}
	buf_reset(&v);
	if (strncasecmp(subj, "re:", 3) != 0)
		buf_adds(&v, "Re: ");
	buf_adds(&v, subj);
	if (compose_subject(c, buf_str(&v), err, sizeof(err)) == -1)
		puts(err);
	reply_fields(m, c, h.s, h.len);
	buf_free(&h);
	buf_free(&v);
	return 0;
fail:
	buf_free(&h);
	buf_free(&v);
	return -1;
}

static void
put_draft_head(const struct compose *c)
{
	put_names("To", &c->to);
	if (c->subject != NULL)
		printf("Subject: %s\n", c->subject);
	put_names("Cc", &c->cc);
	putchar('\n');
}

static int
compose_and_send(struct mail *m, struct compose *c)
{
	if (collect(m, c) == -1)
		return -1;
	return send_draft(m, c) == 0 ? 0 : -1;
}

/* reply (all recipients) / Reply (the sender only). */
static int
cmd_reply(struct mail *m, char *args, int all)
{
	struct compose	 c;
	int		 r = -1;

	if (select_msgs(m, args, 0) == -1)
		return -1;
	for (size_t i = 0; i < m->n; i++) {
		if (!m->sel[i])
			continue;
		m->dot = i + 1;
		touch_read(msg_at(m, i));
		compose_init(&c, (size_t)m->conf.max_size);
		c.hostname = m->conf.hostname;
		if (reply_draft(m, i, all, &c) == 0) {
			put_draft_head(&c);
			r = compose_and_send(m, &c);
		}
		compose_free(&c);
		break;
	}
	return r;
}

static int
cmd_mail(struct mail *m, char *args)
{
	struct compose	 c;
	char		 err[LIM_ERR], *s;
	int		 r = -1;

	if (*args == '\0') {
		puts("No recipients specified");
		return -1;
	}
	compose_init(&c, (size_t)m->conf.max_size);
	c.hostname = m->conf.hostname;
	for (char *w = strtok(args, " \t"); w != NULL; w = strtok(NULL, " \t"))
		if (add_addrs(m, &c.to, w, err, sizeof(err)) == -1) {
			puts(err);
			goto done;
		}
	if (m->interactive && (mailrc_bool(&m->rc, "ask") ||
	    mailrc_bool(&m->rc, "asksub")) && (s = ask("Subject: ")) != NULL) {
		if (*s != '\0' && compose_subject(&c, s, err, sizeof(err)) == -1)
			puts(err);
		free(s);
	}
	r = compose_and_send(m, &c);
done:
	compose_free(&c);
	return r;
}

/* ~m ~f (~M ~F with every header): messages into the draft. */
static int
interpolate(struct mail *m, struct compose *c, const char *arg, int how)
{
	const char	*pre = mailrc_get(&m->rc, "indentprefix");
	struct buf	 b;
	char		 a[256];

	if (m->mb == NULL) {
		puts("No messages to interpolate (not reading mail)");
		return 0;
	}
	snprintf(a, sizeof(a), "%s", arg);
	if (select_msgs(m, a, 0) == -1)
		return 0;
	fputs("Interpolating:", stdout);
	buf_init(&b, 0);
	for (size_t i = 0; i < m->n; i++) {
		if (!m->sel[i])
			continue;
		printf(" %zu", i + 1);
		buf_reset(&b);
		if (render(m, i, how == 'M' || how == 'F', 0, &b) == -1)
			continue;
		touch_read(msg_at(m, i));
		for (size_t k = 0; k < b.len; ) {
			const char *nl = memchr(b.s + k, '\n', b.len - k);
			size_t	 len = nl ? (size_t)(nl - (b.s + k)) + 1 :
			    b.len - k;

			if (tolower(how) == 'm')
				buf_adds(&c->body, pre != NULL ? pre : "\t");
			buf_add(&c->body, b.s + k, len);
			k += len;
		}
	}
	buf_free(&b);
	putchar('\n');
	return 1;
}

/* ------------------------------------------------------------ session */

static int
quit_session(struct mail *m)
{
	struct mbox_result	 res;
	char			 mbp[LIM_PATH], why[LIM_ERR];
	int			 hold = mailrc_bool(&m->rc, "hold");
	int			 keepsave = mailrc_bool(&m->rc, "keepsave");

	if (mbox_grew(m->mb) == 1)
		puts("New mail has arrived.");
	for (size_t i = 0; i < m->n; i++) {
		struct mbox_msg *mm = msg_at(m, i);

		mm->flags |= MBOX_OLD;
		if (mm->user & U_DELETED)
			mm->disp = MBOX_DELETE;
		else if (m->edit)
			mm->disp = MBOX_KEEP;
		else if ((mm->user & U_SAVED) && !keepsave)
			mm->disp = MBOX_DELETE;
		else if ((mm->user & U_PRESERVE) || !(mm->user & U_TOUCH))
			mm->disp = MBOX_KEEP;
		else if ((mm->user & U_MBOX) || !hold)
			mm->disp = MBOX_MOVE;
		else
			mm->disp = MBOX_KEEP;
	}
	expand_path(m, "&", mbp, sizeof(mbp));
	memset(&res, 0, sizeof(res));
	if (mbox_sync(m->mb, m->edit ? NULL : mbp, &res, why,
	    sizeof(why)) == -1) {
		int	 e = errno;

		app_warn("%s; the mailbox was left as it was", why);
		return exits_errno(e);
	}
	if (m->edit) {
		if (res.rewritten)
			printf("\"%s\" complete\n", m->path);
		return 0;
	}
	if (res.moved > 0)
		printf("Saved %zu message%s in %s\n", res.moved,
		    res.moved == 1 ? "" : "s", mbp);
	if (res.kept > 0)
		printf("Held %zu message%s in %s\n", res.kept,
		    res.kept == 1 ? "" : "s", m->path);
	return 0;
}

static void
help(void)
{
	fputs("               mail commands\n"
	    "type, print [list]      show messages (t, p; Enter: the next)\n"
	    "Type, Print [list]      the same, with every header field\n"
	    "top [list]              the first lines (toplines) of messages\n"
	    "next, +, -              the next / previous message\n"
	    "headers [msg], z [-]    the summary lines, a screen at a time\n"
	    "from [list], size [list], =   summaries, sizes, the current "
	    "number\n"
	    "delete, undelete [list] mark / unmark for deletion (d, u; dp: "
	    "delete, show next)\n"
	    "save [list] [file]      append to file (default ~/mbox); "
	    "copy: keep them too\n"
	    "write [list] file       append the bodies only\n"
	    "hold, preserve [list]   keep in the mailbox at quit; "
	    "mbox: move to ~/mbox\n"
	    "touch [list]            treat as read at quit\n"
	    "reply, Reply [msg]      answer everyone / the sender only (r, R)\n"
	    "mail user...            write a new message (m)\n"
	    "set, unset, alias, ignore, retain, source   settings\n"
	    "! command               run a shell command\n"
	    "quit                    save the changes and leave (q)\n"
	    "exit, xit               leave, changing nothing (x)\n"
	    "A list: 3  2-5  *  $  ^  .  :n :u :r :o :d  /text  user\n",
	    stdout);
}

enum {
	C_NEXT, C_PRINT, C_TYPE, C_PRINTALL, C_TYPEALL, C_TOP, C_TOUCH,
	C_PRESERVE, C_DELETE, C_DP, C_DT, C_UNDELETE, C_MAIL, C_MBOX,
	C_COPY, C_SAVE, C_SHELL, C_WRITE, C_FROM, C_HELP, C_Z, C_HEADERS,
	C_EQ, C_REPLYSENDER, C_REPLYALL, C_QUIT, C_XIT, C_EXIT, C_SIZE,
	C_HOLD, C_COMMENT, C_RC
};

struct command {
	const char	*name;
	int		 id;
};

/* In bsd-mailx's order, which decides what an abbreviation means:
   "p" is print, "s" save, "d" delete, "x" xit, "" (Enter) next. */
static const struct command commands[] = {
	{ "next", C_NEXT }, { "alias", C_RC }, { "print", C_PRINT },
	{ "type", C_TYPE }, { "Type", C_TYPEALL }, { "Print", C_PRINTALL },
	{ "top", C_TOP }, { "touch", C_TOUCH }, { "preserve", C_PRESERVE },
	{ "delete", C_DELETE }, { "dp", C_DP }, { "dt", C_DT },
	{ "undelete", C_UNDELETE }, { "unset", C_RC }, { "mail", C_MAIL },
	{ "mbox", C_MBOX }, { "!", C_SHELL }, { "copy", C_COPY },
	{ "save", C_SAVE }, { "source", C_RC }, { "set", C_RC },
	{ "shell", C_SHELL }, { "group", C_RC }, { "write", C_WRITE },
	{ "from", C_FROM }, { "?", C_HELP }, { "z", C_Z },
	{ "headers", C_HEADERS }, { "help", C_HELP }, { "=", C_EQ },
	{ "Reply", C_REPLYSENDER }, { "Respond", C_REPLYSENDER },
	{ "reply", C_REPLYALL }, { "respond", C_REPLYALL },
	{ "quit", C_QUIT }, { "xit", C_XIT }, { "exit", C_EXIT },
	{ "size", C_SIZE }, { "hold", C_HOLD }, { "if", C_RC },
	{ "else", C_RC }, { "endif", C_RC }, { "ignore", C_RC },
	{ "discard", C_RC }, { "retain", C_RC }, { "unalias", C_RC },
	{ "unignore", C_RC }, { "unretain", C_RC }, { "#", C_COMMENT },
	{ NULL, 0 }
};

static const struct command *
lookup(const char *w)
{
	size_t	 n = strlen(w);

	for (const struct command *c = commands; c->name != NULL; c++)
		if (strcmp(c->name, w) == 0)
			return c;
	for (const struct command *c = commands; c->name != NULL; c++)
		if (strncmp(c->name, w, n) == 0)
			return c;
	return NULL;
}

static void
rc_cmd(struct mail *m, const char *name, const char *args)
{
	struct buf	 line, out;
	char		 err[LIM_ERR], **argv;
	int		 argc;

	buf_init(&line, 0);
	buf_init(&out, 0);
	buf_printf(&line, "%s %s", name, args);
	if (mailrc_split(buf_str(&line), &argv, &argc, err,
	    sizeof(err)) == -1)
		puts(err);
	else {
		if (mailrc_command(&m->rc, argc, argv, &out, err,
		    sizeof(err)) == -1)
			puts(err);
		free(argv);
	}
	fwrite(out.s, 1, out.len, stdout);
	buf_free(&line);
	buf_free(&out);
}

/* Run command c.  1 when the session ends (*code set), else 0. */
static int
dispatch(struct mail *m, const struct command *c, char *args, int *code)
{
	switch (c->id) {
	case C_NEXT: cmd_next(m, args, 1); break;
	case C_PRINT: case C_TYPE: cmd_print(m, args, 0, 0); break;
	case C_PRINTALL: case C_TYPEALL: cmd_print(m, args, 1, 0); break;
	case C_TOP:
		cmd_print(m, args, 0, (size_t)mailrc_num(&m->rc, "toplines",
		    5) ? (size_t)mailrc_num(&m->rc, "toplines", 5) : 5);
		break;
	case C_TOUCH: cmd_mark(m, args, 'T'); break;
	case C_PRESERVE: case C_HOLD: cmd_mark(m, args, 'P'); break;
	case C_MBOX: cmd_mark(m, args, 'M'); break;
	case C_DELETE: cmd_delete(m, args, 0); break;
	case C_DP: case C_DT: cmd_delete(m, args, 1); break;
	case C_UNDELETE: cmd_undelete(m, args); break;
	case C_MAIL: cmd_mail(m, args); break;
	case C_COPY: cmd_save(m, args, 'c'); break;
	case C_SAVE: cmd_save(m, args, 's'); break;
	case C_WRITE: cmd_save(m, args, 'w'); break;
	case C_SHELL:
		run_sh(*args ? args : "${SHELL:-/bin/sh}", "", -1, -1);
		puts("!");
		break;
	case C_FROM: cmd_from(m, args); break;
	case C_HELP: help(); return 0;
	case C_Z: cmd_z(m, args); break;
	case C_HEADERS: cmd_headers(m, args); break;
	case C_EQ: printf("%zu\n", m->dot); return 0;
	case C_REPLYSENDER: cmd_reply(m, args, 0); break;
	case C_REPLYALL: cmd_reply(m, args, 1); break;
	case C_QUIT: *code = quit_session(m); return 1;
	case C_XIT: case C_EXIT: *code = 0; return 1;
	case C_SIZE: cmd_size(m, args); break;
	case C_COMMENT: return 0;
	case C_RC: rc_cmd(m, c->name, args); return 0;
	}
	m->sawcom = 1;
	return 0;
}

/* One command line.  1 when the session ends (*code set), else 0. */
static int
execute(struct mail *m, char *line, int *code)
{
	static const char delim[] = " \t0123456789$^.:/-+*'\"";
	const struct command *c;
	char		 word[32];
	size_t		 n;
	char		*args;

	line += strspn(line, " \t");
	if (*line == '!') {
		run_sh(line + 1, "", -1, -1);
		puts("!");
		return 0;
	}
	if (strcmp(line, "-") == 0 || strcmp(line, "+") == 0) {
		m->sawcom = 1;
		cmd_next(m, "", *line == '-' ? -1 : 1);
		return 0;
	}
	n = strcspn(line, delim);
	if (n >= sizeof(word)) {
		printf("Unknown command: \"%.*s\"\n", (int)n, line);
		return 0;
	}
	memcpy(word, line, n);
	word[n] = '\0';
	args = line + n;
	args += strspn(args, " \t");
	if ((c = lookup(word)) == NULL) {
		printf("Unknown command: \"%s\"\n", word);
		return 0;
	}
	return dispatch(m, c, args, code);
}

static int
command_loop(struct mail *m)
{
	char	*line = NULL;
	size_t	 cap = 0;
	int	 r, code = 0, eofs = 0;

	for (;;) {
		if (m->interactive) {
			const char *p = mailrc_get(&m->rc, "prompt");

			fputs(p != NULL ? p : "& ", stdout);
		}
		if ((r = read_line(&line, &cap)) == -1) {
			if (taken_int() == SIGHUP) {	/* hung up: no changes */
				code = 1;
				break;
			}
			if (m->interactive)
				puts("");
			continue;
		}
		if (r == 0) {
			if (m->interactive && mailrc_bool(&m->rc,
			    "ignoreeof") && ++eofs < 25) {
				puts("Use \"quit\" to quit.");
				continue;
			}
			code = quit_session(m);
			break;
		}
		eofs = 0;
		if (execute(m, line, &code))
			break;
		fflush(stdout);
	}
	free(line);
	return code;
}

static void
mailbox_of(struct mail *m, const struct opts *o, const char **who)
{
	struct user	 u;
	const char	*env = getenv("MAIL");
	int		 r;

	*who = m->user;
	if (o->fflag) {
		expand_path(m, o->file != NULL ? o->file : "&", m->path,
		    sizeof(m->path));
		m->edit = 1;
		return;
	}
	if (o->user == NULL && env != NULL && *env != '\0') {
		snprintf(m->path, sizeof(m->path), "%s", env);
		return;
	}
	if (o->user != NULL) {
		*who = o->user;
		if ((r = users_by_name(m->conf.passwd, o->user, &u)) == -1)
			app_die(EX_TEMPFAIL, "cannot read %s: %s",
			    m->conf.passwd, strerror(errno));
		if (r == 0)
			app_die(EX_NOUSER, "%s: no such user (in %s)", o->user,
			    m->conf.passwd);
	} else if (users_by_uid(m->conf.passwd, getuid(), &u) != 1) {
		memset(&u, 0, sizeof(u));
		snprintf(u.name, sizeof(u.name), "%s", m->user);
		snprintf(u.home, sizeof(u.home), "%s", m->home);
	}
	if (mailbox_path(&m->conf, &u, m->path, sizeof(m->path)) == -1)
		app_die(EX_CONFIG, "the mailbox setting gives no path for %s",
		    u.name);
}

/*
 * The mbox mapped once more, read-only, for the summary's counts (each
 * message checked to start with its From_ line when read): only when
 * it is a file that still holds every message.
 */
static void
open_raw(struct mail *m)
{
	struct stat	 st;
	struct mbox_msg	*last;
	void		*p;
	int		 fd;

	m->raw = NULL;
	if (m->n == 0 || *(last = msg_at(m, m->n - 1))->file != '\0' ||
	    last->end <= 0)
		return;
	if ((fd = open(m->path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1)
		return;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_size >= last->end && (p = mmap(NULL, (size_t)last->end,
	    PROT_READ, MAP_PRIVATE, fd, 0)) != MAP_FAILED) {
		m->raw = p;
		m->rawlen = (size_t)last->end;
	}
	close(fd);
}

/* Open the mailbox, or exit as mailx does. */
static void
open_box(struct mail *m, const struct opts *o)
{
	const char	*who;
	char		 why[LIM_ERR];

	mailbox_of(m, o, &who);
	m->mb = mbox_open(m->path, m->edit ? 0 : MBOX_NOFOLLOW, why,
	    sizeof(why));
	if (m->mb == NULL) {
		if (errno == ENOENT && !m->edit) {
			if (!o->check)
				fprintf(stderr, "No mail for %s\n", who);
			exit(1);
		}
		if (o->check && errno == ENOENT)
			exit(1);
		app_die(errno == ENOENT ? EX_NOINPUT : errno == EINVAL ?
		    EX_DATAERR : errno == EAGAIN ? EX_TEMPFAIL :
		    exits_errno(errno), "%s", why);
	}
	m->n = mbox_count(m->mb);
	if (o->check)
		exit(m->n > 0 ? 0 : 1);
	if (m->n == 0 && !m->edit) {
		fprintf(stderr, "No mail for %s\n", who);
		exit(1);
	}
	m->sel = calloc(m->n + 1, 1);
	m->head = calloc(m->n + 1, sizeof(*m->head));
	if (m->sel == NULL || m->head == NULL)
		app_die(EX_TEMPFAIL, "%s", strerror(ENOMEM));
	open_raw(m);
}

static int
read_mode(struct mail *m, const struct opts *o)
{
	struct buf	 out;

	open_box(m, o);
	m->dot = first_dot(m);
	if (o->headers_only) {
		buf_init(&out, 0);
		for (size_t i = 0; i < m->n; i++) {
			summary(m, i, &out);
			if (out.len > 65536) {
				fwrite(out.s, 1, out.len, stdout);
				buf_reset(&out);
			}
		}
		fwrite(out.s, 1, out.len, stdout);
		buf_free(&out);
		return fflush(stdout) == EOF ? EX_IOERR : 0;
	}
	if (!mailrc_bool(&m->rc, "quiet"))
		puts(BANNER);
	file_info(m);
	if (!o->no_summary && mailrc_bool(&m->rc, "header") && m->n > 0)
		headers_page(m, m->dot);
	return command_loop(m);
}

static void
load_rc(struct mail *m, const char *path)
{
	struct buf	 errs;

	buf_init(&errs, 0);
	mailrc_load(&m->rc, path, &errs);
	for (char *l = errs.s, *nl; l != NULL && *l != '\0'; l = nl + 1) {
		if ((nl = strchr(l, '\n')) == NULL)
			break;
		*nl = '\0';
		app_warn("%s", l);
	}
	buf_free(&errs);
}

static void
screen(struct mail *m)
{
	struct winsize	 ws;

	m->width = 80;
	m->rows = 24;
	if (ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
		m->width = ws.ws_col;
		m->rows = ws.ws_row > 0 ? ws.ws_row : 24;
	}
}

int
mail_main(int argc, char **argv)
{
	static struct mail	 m;
	struct opts		 o;
	struct user		 u;
	const char		*rcfile = getenv("MAILRC");
	char			 p[LIM_PATH];
	int			 r;

	parse_opts(&o, argc, argv);
	app_conf_or_die(&m.conf, NULL);
	log_init("hikyaku/mail", m.conf.log);
	signal(SIGXFSZ, SIG_IGN);
	m.interactive = isatty(0);
	app_whoami(&m.conf, m.user, sizeof(m.user), m.gecos, sizeof(m.gecos));
	if (users_by_uid(m.conf.passwd, getuid(), &u) == 1)
		snprintf(m.home, sizeof(m.home), "%s", u.home);
	else
		snprintf(m.home, sizeof(m.home), "%s", "/");
	mailrc_init(&m.rc, o.nrcpts > 0);
	mailrc_set(&m.rc, "dot", NULL);	/* as Debian's /etc/mail.rc */
	if (!o.no_sysrc)
		load_rc(&m, SYSTEM_MAILRC);
	if (rcfile == NULL || *rcfile == '\0') {
		snprintf(p, sizeof(p), "%s/.mailrc", home_dir(&m));
		rcfile = p;
	}
	load_rc(&m, rcfile);
	if (o.ignore_int)
		mailrc_set(&m.rc, "ignore", NULL);
	m.ignore_int = mailrc_bool(&m.rc, "ignore");
	screen(&m);
	if (m.interactive)
		catch_int();
	if (o.nrcpts > 0)
		r = send_mode(&m, &o);
	else
		r = read_mode(&m, &o);
	if (fflush(stdout) == EOF && r == 0)
		r = EX_IOERR;
	compose_list_clear(&o.cc);
	compose_list_clear(&o.bcc);
	compose_list_clear(&o.attach);
	return r;
}
