/*
 * Writing and sending a message: see compose.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>

#include "addr.h"
#include "buf.h"
#include "compose.h"
#include "fdio.h"
#include "limits.h"
#include "mime.h"
#include "msg.h"
#include "rand.h"

#define FOLD_COL	78

void
compose_init(struct compose *c, size_t max_body)
{
	memset(c, 0, sizeof(*c));
	buf_init(&c->body, max_body);
}

void
compose_list_clear(struct compose_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void
compose_free(struct compose *c)
{
	free(c->subject);
	free(c->from);
	compose_list_clear(&c->to);
	compose_list_clear(&c->cc);
	compose_list_clear(&c->bcc);
	compose_list_clear(&c->attach);
	compose_list_clear(&c->extra);
	buf_free(&c->body);
	memset(c, 0, sizeof(*c));
}

int
compose_clean(const char *s)
{
	for (; *s != '\0'; s++)
		if (((unsigned char)*s < 0x20 && *s != '\t') || *s == 0x7f) {
			errno = EINVAL;
			return -1;
		}
	return 0;
}

static int
set_str(char **dst, const char *s)
{
	char	*n;

	if ((n = strdup(s)) == NULL)
		return -1;
	free(*dst);
	*dst = n;
	return 0;
}

int
compose_subject(struct compose *c, const char *s, char *err, size_t errlen)
{
	if (compose_clean(s) == -1) {
		snprintf(err, errlen, "the subject contains a line break or "
		    "another control character");
		return -1;
	}
	if (!mime_is_utf8(s, strlen(s))) {
		snprintf(err, errlen, "the subject is not UTF-8 text");
		errno = EINVAL;
		return -1;
	}
	if (set_str(&c->subject, s) == -1) {
		snprintf(err, errlen, "%s", strerror(errno));
		return -1;
	}
	return 0;
}

/* addr_list_parse callback: count, or remember the first address. */
static int
first_addr(void *ctx, const char *addr)
{
	char	*out = ctx;

	if (out[0] == '\0')
		snprintf(out, LIM_ADDR, "%s", addr);
	return 0;
}

int
compose_from(struct compose *c, const char *s, char *err, size_t errlen)
{
	char	 a[LIM_ADDR] = "";

	if (compose_clean(s) == -1) {
		snprintf(err, errlen, "the -r address contains a line break or "
		    "another control character");
		return -1;
	}
	if (addr_list_parse(s, first_addr, a, err, errlen) == -1 ||
	    a[0] == '\0') {
		if (a[0] == '\0' && err[0] == '\0')
			snprintf(err, errlen, "no address in '%s'", s);
		errno = EINVAL;
		return -1;
	}
	if (set_str(&c->from, s) == -1) {
		snprintf(err, errlen, "%s", strerror(errno));
		return -1;
	}
	return 0;
}

int
compose_list_add(struct compose_list *l, const char *s)
{
	char	**nv;

	if ((nv = realloc(l->v, (l->n + 1) * sizeof(*nv))) == NULL)
		return -1;
	l->v = nv;
	if ((nv[l->n] = strdup(s)) == NULL)
		return -1;
	l->n++;
	return 0;
}

/* Length of the next entry of a comma-separated list at s. */
static size_t
entry_len(const char *s)
{
	size_t	 i;
	int	 q = 0, angle = 0, paren = 0;

	for (i = 0; s[i] != '\0'; i++) {
		if (q) {
			if (s[i] == '\\' && s[i + 1] != '\0')
				i++;
			else if (s[i] == '"')
				q = 0;
			continue;
		}
		if (s[i] == '"')
			q = 1;
		else if (s[i] == '<')
			angle++;
		else if (s[i] == '>' && angle > 0)
			angle--;
		else if (s[i] == '(')
			paren++;
		else if (s[i] == ')' && paren > 0)
			paren--;
		else if (s[i] == ',' && angle == 0 && paren == 0)
			break;
	}
	return i;
}

int
compose_addrs(struct compose_list *l, const char *list, char *err,
    size_t errlen)
{
	const char	*p = list;
	char		*e;
	size_t		 n, a, b;

	if (compose_clean(list) == -1) {
		snprintf(err, errlen, "address '%.64s' contains a line break "
		    "or another control character", list);
		return -1;
	}
	while (*p != '\0') {
		n = entry_len(p);
		for (a = 0; a < n && (p[a] == ' ' || p[a] == '\t'); a++)
			;
		for (b = n; b > a && (p[b - 1] == ' ' || p[b - 1] == '\t'); b--)
			;
		if (b > a) {
			if (l->n >= LIM_MAIL_ADDRS) {
				snprintf(err, errlen, "more than %d addresses",
				    LIM_MAIL_ADDRS);
				errno = E2BIG;
				return -1;
			}
			if ((e = strndup(p + a, b - a)) == NULL ||
			    compose_list_add(l, e) == -1) {
				free(e);
				snprintf(err, errlen, "%s", strerror(ENOMEM));
				return -1;
			}
			free(e);
		}
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
}

int
compose_attach(struct compose *c, const char *path, char *err,
    size_t errlen)
{
	struct stat	 st;

	if (c->attach.n >= LIM_ATTACH) {
		snprintf(err, errlen, "more than %d attachments",
		    LIM_ATTACH);
		errno = E2BIG;
		return -1;
	}
	if (access(path, R_OK) == -1 || stat(path, &st) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		errno = EINVAL;
		return -1;
	}
	if (compose_list_add(&c->attach, path) == -1) {
		snprintf(err, errlen, "%s", strerror(errno));
		return -1;
	}
	return 0;
}

int
compose_field(struct compose *c, const char *name, const char *value)
{
	struct buf	 f;
	int		 r;

	if (compose_clean(value) == -1 || compose_clean(name) == -1)
		return -1;
	buf_init(&f, 0);
	buf_printf(&f, "%s: %s", name, value);
	r = buf_failed(&f) ? -1 : compose_list_add(&c->extra, buf_str(&f));
	buf_free(&f);
	return r;
}

/* One To:/Cc: entry as it goes into the header: a bare login name
   qualified, a non-ASCII display name as an RFC 2047 phrase. */
static int
put_entry(struct buf *out, const char *e, const char *host)
{
	const char	*lt;
	char		*name;
	size_t		 n;
	int		 r;

	if (mime_is_ascii(e, strlen(e))) {
		if (host != NULL && strpbrk(e, "@<:;,\" ()") == NULL)
			return buf_printf(out, "%s@%s", e, host);
		return buf_adds(out, e);
	}
	if ((lt = strrchr(e, '<')) == NULL || !mime_is_ascii(lt, strlen(lt)))
		return -1;
	for (n = (size_t)(lt - e); n > 0 && e[n - 1] == ' '; n--)
		;
	if (n >= 2 && e[0] == '"' && e[n - 1] == '"')
		name = strndup(e + 1, n - 2);
	else
		name = strndup(e, n);
	if (name == NULL)
		return -1;
	r = msg_phrase(name, out);
	free(name);
	if (r == -1)
		return -1;
	return buf_printf(out, " %s", lt);
}

/* "Name: a, b, c", folded before an entry that would pass FOLD_COL. */
static int
put_list(struct buf *out, const char *field, const struct compose_list *l,
    const char *host, char *err, size_t errlen)
{
	struct buf	 e;
	size_t		 col;

	if (l->n == 0)
		return 0;
	buf_printf(out, "%s:", field);
	col = strlen(field) + 1;
	buf_init(&e, 0);
	for (size_t i = 0; i < l->n; i++) {
		buf_reset(&e);
		if (put_entry(&e, l->v[i], host) == -1 || buf_failed(&e)) {
			snprintf(err, errlen, "%s: '%.64s' is not an address "
			    "(non-ASCII text belongs in a display name: "
			    "Name <user@example.com>)", field, l->v[i]);
			buf_free(&e);
			errno = EINVAL;
			return -1;
		}
		if (i > 0 && col + 2 + e.len > FOLD_COL) {
			buf_adds(out, ",\n");
			col = 0;
		} else if (i > 0) {
			buf_addc(out, ',');
			col++;
		}
		buf_addc(out, ' ');
		buf_add(out, e.s, e.len);
		col += 1 + e.len;
	}
	buf_addc(out, '\n');
	buf_free(&e);
	return 0;
}

struct text_info {
	int	 ascii;
	int	 utf8;
	int	 raw;		/* quoted-printable: a CR, NUL, a line
				   over 998 octets, not UTF-8 */
};

static void
text_info(const char *p, size_t n, struct text_info *t)
{
	size_t	 col = 0;

	memset(t, 0, sizeof(*t));
	t->ascii = 1;
	for (size_t i = 0; i < n; i++) {
		unsigned char	 c = (unsigned char)p[i];

		if (c == '\n') {
			col = 0;
			continue;
		}
		if (++col > LIM_MSG_LINE || c == '\r' || c == '\0')
			t->raw = 1;
		if (c >= 0x80)
			t->ascii = 0;
	}
	t->utf8 = t->ascii || mime_is_utf8(p, n);
	if (!t->utf8)
		t->raw = 1;	/* ISO-8859-1 may hold any byte: encoded */
}

/* The text part: its MIME fields (none for plain short ASCII at the
   top), the empty line, the body (with a final LF). */
static int
put_text(struct buf *out, const struct buf *body, int top)
{
	struct text_info t;
	const char	*cs;
	int		 r = 0;

	text_info(body->s, body->len, &t);
	if (!(top && t.ascii && !t.raw)) {
		cs = t.ascii ? "US-ASCII" : t.utf8 ? "UTF-8" : "ISO-8859-1";
		if (top)
			buf_adds(out, "MIME-Version: 1.0\n");
		buf_printf(out, "Content-Type: text/plain; charset=%s\n"
		    "Content-Transfer-Encoding: %s\n", cs, t.raw ?
		    "quoted-printable" : t.ascii ? "7bit" : "8bit");
	}
	buf_addc(out, '\n');
	if (t.raw)
		r = mime_qp_encode(out, body->s, body->len);
	else {
		buf_add(out, body->s, body->len);
		if (body->len > 0 && body->s[body->len - 1] != '\n')
			buf_addc(out, '\n');
	}
	return r;
}

static int
read_file(const char *path, struct buf *b, char *err, size_t errlen)
{
	char	 chunk[65536];
	ssize_t	 n;
	int	 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		goto fail;
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 || buf_add(b, chunk, (size_t)n) == -1) {
			if (n != -1)
				errno = b->err == ERANGE ? E2BIG : ENOMEM;
			close(fd);
			goto fail;
		}
	}
	close(fd);
	return 0;
fail:
	snprintf(err, errlen, "%s: %s", path, errno == E2BIG ?
	    "larger than the largest message allowed (max_size)" :
	    strerror(errno));
	return -1;
}

/* A MIME parameter: quoted when ASCII, RFC 2231 UTF-8 when not. */
static void
put_param(struct buf *out, const char *param, const char *v)
{
	static const char hex[] = "0123456789ABCDEF";

	if (mime_is_ascii(v, strlen(v)) && strpbrk(v, "\"\\") == NULL) {
		buf_printf(out, "; %s=\"%s\"", param, v);
		return;
	}
	buf_printf(out, ";\n %s*=UTF-8''", param);
	for (const unsigned char *p = (const unsigned char *)v; *p; p++)
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("!#$&+-.^_`|~", *p))
			buf_addc(out, *p);
		else
			buf_printf(out, "%%%c%c", hex[*p >> 4], hex[*p & 15]);
}

static int
put_attachment(struct buf *out, const char *path, size_t max, char *err,
    size_t errlen)
{
	const char	*name = strrchr(path, '/');
	struct buf	 data;
	int		 r;

	name = name != NULL ? name + 1 : path;
	buf_init(&data, max);
	if (read_file(path, &data, err, errlen) == -1) {
		buf_free(&data);
		return -1;
	}
	buf_printf(out, "Content-Type: %s", mime_type_by_name(name));
	put_param(out, "name", name);
	buf_adds(out, "\nContent-Disposition: attachment");
	put_param(out, "filename", name);
	buf_adds(out, "\nContent-Transfer-Encoding: base64\n\n");
	r = mime_b64_encode(out, data.s, data.len);
	buf_free(&data);
	if (r == -1)
		snprintf(err, errlen, "%s: cannot encode: %s", path,
		    strerror(errno));
	return r;
}

static int
put_multipart(const struct compose *c, struct buf *out, size_t max,
    char *err, size_t errlen)
{
	char	 b[40], tok[25];

	rand_token(tok, 24);
	snprintf(b, sizeof(b), "=_hikyaku_%s", tok);
	buf_printf(out, "MIME-Version: 1.0\nContent-Type: multipart/mixed; "
	    "boundary=\"%s\"\n\nThis is a message with attachments in MIME "
	    "format.\n", b);
	if (c->body.len > 0) {
		buf_printf(out, "--%s\n", b);
		if (put_text(out, &c->body, 0) == -1)
			goto enc;
	}
	for (size_t i = 0; i < c->attach.n; i++) {
		buf_printf(out, "--%s\n", b);
		if (put_attachment(out, c->attach.v[i], max, err, errlen) == -1)
			return -1;
	}
	buf_printf(out, "--%s--\n", b);
	return 0;
enc:
	snprintf(err, errlen, "cannot encode the text: %s", strerror(errno));
	return -1;
}

static int
put_from(const struct compose *c, struct buf *out, char *err,
    size_t errlen)
{
	if (c->from == NULL)
		return 0;
	buf_adds(out, "From: ");
	if (put_entry(out, c->from, c->hostname) == -1) {
		snprintf(err, errlen, "-r: '%.64s' is not an address", c->from);
		errno = EINVAL;
		return -1;
	}
	buf_addc(out, '\n');
	return 0;
}

int
compose_build(const struct compose *c, struct buf *out, size_t max,
    char *err, size_t errlen)
{
	if (put_from(c, out, err, errlen) == -1 ||
	    put_list(out, "To", &c->to, c->hostname, err, errlen) == -1 ||
	    put_list(out, "Cc", &c->cc, c->hostname, err, errlen) == -1)
		return -1;
	if (c->subject != NULL && *c->subject != '\0' &&
	    mime_header_encode(out, "Subject", c->subject) == -1) {
		snprintf(err, errlen, "the subject is not valid UTF-8 or has a "
		    "control character");
		errno = EINVAL;
		return -1;
	}
	for (size_t i = 0; i < c->extra.n; i++)
		buf_printf(out, "%s\n", c->extra.v[i]);
	if (c->attach.n > 0) {
		if (put_multipart(c, out, max, err, errlen) == -1)
			return -1;
	} else if (put_text(out, &c->body, 1) == -1) {
		snprintf(err, errlen, "cannot encode the text: %s",
		    strerror(errno));
		return -1;
	}
	if (buf_failed(out) || (max != 0 && out->len > max)) {
		snprintf(err, errlen, "%s", buf_failed(out) &&
		    out->err == ENOMEM ? strerror(ENOMEM) : "the message is "
		    "larger than the largest allowed (max_size)");
		errno = buf_failed(out) && out->err == ENOMEM ? ENOMEM : E2BIG;
		return -1;
	}
	return 0;
}

int
compose_rcpts(const struct compose *c, int (*cb)(void *, const char *),
    void *ctx, char *err, size_t errlen)
{
	const struct compose_list *l[] = { &c->to, &c->cc, &c->bcc };
	char	 why[LIM_ERR];

	for (size_t k = 0; k < 3; k++)
		for (size_t i = 0; i < l[k]->n; i++)
			if (addr_list_parse(l[k]->v[i], cb, ctx, why,
			    sizeof(why)) == -1) {
				snprintf(err, errlen, "bad address '%.64s': %s",
				    l[k]->v[i], why[0] ? why : "refused");
				errno = EINVAL;
				return -1;
			}
	return 0;
}

int
compose_sender(const struct compose *c, char *out, size_t len, char *err,
    size_t errlen)
{
	char	 a[LIM_ADDR] = "";

	out[0] = '\0';
	if (c->from == NULL)
		return 0;
	if (addr_list_parse(c->from, first_addr, a, err, errlen) == -1)
		return -1;
	snprintf(out, len, "%s", a);
	return 0;
}

/* The exit code for a failure of ours before sendmail runs. */
static int
build_code(int e)
{
	switch (e) {
	case EINVAL: case E2BIG:
		return EX_DATAERR;
	case ENOENT:
		return EX_NOINPUT;
	case EACCES: case EPERM:
		return EX_NOPERM;
	case ENOMEM: case EAGAIN: case EIO:
		return EX_TEMPFAIL;
	default:
		return EX_OSERR;
	}
}

static int
add_rcpt(void *ctx, const char *addr)
{
	return compose_list_add(ctx, addr);
}

/*
 * "sendmail -i -f SENDER [-F NAME] [-odi] -- RCPT...": after "--" an
 * address that begins with '-' is an address, never an option; -f and
 * -F take the next word whatever it is.
 */
static char **
sendmail_argv(const struct compose_env *e, const struct compose_list *rl)
{
	char	**av;
	size_t	 i = 0;

	if ((av = calloc(rl->n + 10, sizeof(*av))) == NULL)
		return NULL;
	av[i++] = "sendmail";
	av[i++] = "-i";
	av[i++] = "-f";
	av[i++] = (char *)e->sender;
	if (e->from_name != NULL && *e->from_name != '\0') {
		av[i++] = "-F";
		av[i++] = (char *)e->from_name;
	}
	if (e->foreground)
		av[i++] = "-odi";
	av[i++] = "--";
	for (size_t k = 0; k < rl->n; k++)
		av[i++] = rl->v[k];
	av[i] = NULL;
	return av;
}

/* fd moved above 0, 1 and 2 (still close-on-exec), so that making it
   the child's stdin is a real dup2 even when we were started without
   a stdin.  -1 when it cannot be. */
static int
above_stdio(int fd)
{
	int	 n;

	if (fd > 2)
		return fd;
	n = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	close(fd);
	return n;
}

/*
 * Start sendmail: this program (/proc/self/exe; the name it was run by
 * when /proc is not mounted) unless e->program, with the read end of a
 * pipe as its stdin, every other descriptor of ours closed (they are
 * all close-on-exec), an empty signal mask and every signal at its
 * default.  *in gets the write end.  0, or an exit code with err set.
 */
static int
spawn(const struct compose_env *e, char **av, pid_t *pid, int *in,
    char *err, size_t errlen)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t sa;
	sigset_t	 all, none;
	const char	*prog = e->program ? e->program : "/proc/self/exe";
	int		 p[2], r;

	if (pipe2(p, O_CLOEXEC) == -1 || (p[0] = above_stdio(p[0])) == -1) {
		snprintf(err, errlen, "cannot make a pipe to sendmail: %s",
		    strerror(errno));
		return EX_TEMPFAIL;
	}
	sigfillset(&all);
	sigemptyset(&none);
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&sa);
	if ((r = posix_spawn_file_actions_adddup2(&fa, p[0], 0)) == 0 &&
	    (r = posix_spawnattr_setsigdefault(&sa, &all)) == 0 &&
	    (r = posix_spawnattr_setsigmask(&sa, &none)) == 0 &&
	    (r = posix_spawnattr_setflags(&sa, POSIX_SPAWN_SETSIGDEF |
	    POSIX_SPAWN_SETSIGMASK)) == 0) {
		r = posix_spawn(pid, prog, &fa, &sa, av, environ);
		if (r == ENOENT && e->program == NULL &&
		    (prog = (const char *)getauxval(AT_EXECFN)) != NULL)
			r = posix_spawn(pid, prog, &fa, &sa, av, environ);
	}
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&sa);
	close(p[0]);
	if (r != 0) {
		close(p[1]);
		snprintf(err, errlen, "cannot run %s as sendmail: %s",
		    prog != NULL ? prog : "this program", strerror(r));
		return r == EAGAIN || r == ENOMEM ? EX_TEMPFAIL :
		    EX_UNAVAILABLE;
	}
	*in = p[1];
	return 0;
}

/* The message into sendmail's stdin, then its exit status, mapped. */
static int
feed(pid_t pid, int in, const struct buf *msg, char *err, size_t errlen)
{
	int	 st, werr = 0;

	if (fdio_write_all(in, msg->s, msg->len) == -1)
		werr = errno;
	close(in);
	while (waitpid(pid, &st, 0) == -1)
		if (errno != EINTR) {
			snprintf(err, errlen, "cannot wait for sendmail: %s",
			    strerror(errno));
			return EX_OSERR;
		}
	if (WIFSIGNALED(st)) {
		snprintf(err, errlen, "sendmail was killed by signal %d",
		    WTERMSIG(st));
		return EX_TEMPFAIL;
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) != 0) {
		snprintf(err, errlen, "sendmail exited %d", WEXITSTATUS(st));
		return WEXITSTATUS(st);
	}
	if (werr != 0) {
		snprintf(err, errlen, "cannot write the message to sendmail: "
		    "%s", strerror(werr));
		return EX_IOERR;
	}
	return 0;
}

/*
 * sendmail runs with the signals that end us held (an entry is whole
 * or absent: sendmail itself looks after its own), SIGPIPE ignored (a
 * sendmail gone early is a write error) and SIGCHLD at its default
 * (so that its status can be had whatever we inherited).
 */
static int
run(const struct compose_env *e, char **av, const struct buf *msg,
    char *err, size_t errlen)
{
	struct sigaction ign, dfl, opipe, ochld;
	sigset_t	 hold, mask;
	pid_t		 pid;
	int		 in, r;

	sigemptyset(&hold);
	sigaddset(&hold, SIGINT);
	sigaddset(&hold, SIGTERM);
	sigaddset(&hold, SIGHUP);
	sigaddset(&hold, SIGQUIT);
	sigprocmask(SIG_BLOCK, &hold, &mask);
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	dfl = ign;
	dfl.sa_handler = SIG_DFL;
	sigaction(SIGPIPE, &ign, &opipe);
	sigaction(SIGCHLD, &dfl, &ochld);
	if ((r = spawn(e, av, &pid, &in, err, errlen)) == 0)
		r = feed(pid, in, msg, err, errlen);
	sigaction(SIGCHLD, &ochld, NULL);
	sigaction(SIGPIPE, &opipe, NULL);
	sigprocmask(SIG_SETMASK, &mask, NULL);
	return r;
}

int
compose_send(const struct compose *c, const struct compose_env *e,
    struct buf *msg, char *err, size_t errlen)
{
	struct compose_list	 rl = { NULL, 0 };
	char			**av = NULL;
	int			 r;

	if (compose_build(c, msg, (size_t)e->conf->max_size, err,
	    errlen) == -1)
		return build_code(errno);
	if (compose_rcpts(c, add_rcpt, &rl, err, errlen) == -1)
		r = EX_DATAERR;
	else if (rl.n == 0) {
		snprintf(err, errlen, "no recipients");
		r = EX_USAGE;
	} else if ((av = sendmail_argv(e, &rl)) == NULL) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		r = EX_TEMPFAIL;
	} else
		r = run(e, av, msg, err, errlen);
	free(av);
	compose_list_clear(&rl);
	return r;
}
