/*
 * Writing and sending a message: see compose.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "addr.h"
#include "app.h"
#include "buf.h"
#include "compose.h"
#include "limits.h"
#include "mime.h"
#include "msg.h"
#include "rand.h"
#include "submit.h"

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

struct rcpt_ctx {
	struct submit	*s;
	char		*err;
	size_t		 errlen;
	size_t		 n;
};

static int
count_rcpt(void *ctx, const char *addr)
{
	(void)addr;
	((struct rcpt_ctx *)ctx)->n++;
	return 0;
}

static int
add_rcpt(void *ctx, const char *addr)
{
	struct rcpt_ctx	*r = ctx;

	return submit_rcpt(r->s, addr, r->err, r->errlen);
}

/* Block the signals that end us (the old mask into old). */
static void
hold_signals(sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	sigprocmask(SIG_BLOCK, &set, old);
}

/* The queue entry: every line of msg, then the commit. */
static int
submit_msg(struct submit *s, const struct buf *msg, char *qid,
    size_t qidlen, char *err, size_t errlen)
{
	const char	*p = msg->s, *end = msg->s + msg->len, *nl;

	while (p < end) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if (submit_line(s, p, (size_t)(nl - p)) == -1) {
			snprintf(err, errlen, "%s", s->m.errtext);
			errno = s->m.err == MSG_ERR_IO ? s->m.sys_errno :
			    s->m.err == MSG_ERR_NOMEM ? ENOMEM : EINVAL;
			submit_abort(s);
			return -1;
		}
		p = nl + 1;
	}
	app_spool_gid(1);
	if (submit_commit(s, qid, qidlen, err, errlen) == -1) {
		app_spool_gid(0);
		return -1;
	}
	app_spool_gid(0);
	return 0;
}

int
compose_send(const struct compose *c, const struct compose_env *e,
    struct buf *msg, char *qid, size_t qidlen, char *err, size_t errlen)
{
	struct submit		 s;
	struct submit_opts	 so;
	struct rcpt_ctx		 rc;
	sigset_t		 mask;
	char			*ids[1];
	int			 r;

	if (compose_build(c, msg, (size_t)e->conf->max_size, err,
	    errlen) == -1)
		return -1;
	memset(&rc, 0, sizeof(rc));
	if (compose_rcpts(c, count_rcpt, &rc, err, errlen) == -1)
		return -1;
	if (rc.n == 0) {
		snprintf(err, errlen, "no recipients");
		errno = EDESTADDRREQ;
		return -1;
	}
	memset(&so, 0, sizeof(so));
	so.sender = e->sender;
	so.add_missing = 1;
	so.from_name = e->from_name;
	so.uid = e->uid;
	hold_signals(&mask);	/* an entry is whole or absent */
	app_spool_gid(1);
	r = submit_begin(&s, e->conf, &so, err, errlen);
	app_spool_gid(0);
	if (r == 0) {
		rc.s = &s;
		rc.err = err;
		rc.errlen = errlen;
		if ((r = compose_rcpts(c, add_rcpt, &rc, err, errlen)) == -1)
			submit_abort(&s);
		else
			r = submit_msg(&s, msg, qid, qidlen, err, errlen);
	}
	sigprocmask(SIG_SETMASK, &mask, NULL);
	if (r == -1)
		return -1;
	ids[0] = qid;
	app_kick(e->conf, ids, 1, e->foreground);
	return 0;
}
