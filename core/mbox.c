/*
 * Mailboxes for mail readers: see mbox.h.
 *
 * The scan maps the file and walks it line by line with memchr under a
 * read lock; afterwards messages are read with pread, so a file that
 * shrinks under us (another program that ignores the locks) gives an
 * error, never a SIGBUS.  The rewrite is done in place, as every mail
 * program on the machine expects (a rename would lose mail that a
 * deliverer holding the old file appends): from the first changed
 * message to the end, growth written first, so that a full disk fails
 * before anything is overwritten, and the old bytes put back if a write
 * fails half way.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "limits.h"
#include "lock.h"
#include "mailbox.h"
#include "mbox.h"
#include "str.h"

#define POOL_CHUNK	(64 * 1024)

struct chunk {
	struct chunk	*next;
	size_t		 used, size;
	char		 data[];
};

struct mbox {
	char		*path;
	enum mbox_kind	 kind;
	int		 flags;
	int		 fd;		/* mbox: read-only, for pread */
	dev_t		 dev;
	ino_t		 ino;
	off_t		 size0;		/* mbox: size at open */
	struct timespec	 newmtime;	/* Maildir: new/ at open */
	struct mbox_msg	*m;
	size_t		 n, cap;
	struct chunk	*pool;
};

/* ---- the index ---- */

static const char *
pool_add(struct mbox *mb, const char *p, size_t n)
{
	struct chunk	*c = mb->pool;
	char		*s;

	if (n == 0)
		return "";
	if (c == NULL || c->size - c->used < n + 1) {
		size_t	 sz = n + 1 > POOL_CHUNK ? n + 1 : POOL_CHUNK;

		if ((c = malloc(sizeof(*c) + sz)) == NULL)
			return NULL;
		c->size = sz;
		c->used = 0;
		c->next = mb->pool;
		mb->pool = c;
	}
	s = c->data + c->used;
	memcpy(s, p, n);
	s[n] = '\0';
	c->used += n + 1;
	return s;
}

static struct mbox_msg *
msg_new(struct mbox *mb)
{
	static const struct mbox_msg	 zero = { "", "", "", "", "", "", "",
					    "", "", 0, 0, 0, 0, 0, 0, 0, 0,
					    0, 0 };
	struct mbox_msg			*m;

	if (mb->n == mb->cap) {
		size_t	 nc = mb->cap ? mb->cap * 2 : 256;

		if ((m = realloc(mb->m, nc * sizeof(*m))) == NULL)
			return NULL;
		mb->m = m;
		mb->cap = nc;
	}
	m = &mb->m[mb->n++];
	*m = zero;
	return m;
}

/* The unfolded, trimmed value of the field p..e (name and colon
   included), cut at LIM_MBOX_FIELD on a UTF-8 character boundary. */
static const char *
field_value(struct mbox *mb, const char *p, const char *e)
{
	char	 v[LIM_MBOX_FIELD];
	size_t	 n = 0;

	p = memchr(p, ':', (size_t)(e - p)) + 1;
	for (; p < e && n < sizeof(v); p++)
		if (*p != '\n' && *p != '\r' && (n > 0 || (*p != ' ' &&
		    *p != '\t')))
			v[n++] = *p;
	if (p < e)
		while (n > 0 && ((unsigned char)v[n - 1] & 0xc0) == 0x80)
			n--;	/* a cut character goes whole */
	if (p < e && n > 0 && (unsigned char)v[n - 1] >= 0xc0)
		n--;
	while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	return pool_add(mb, v, n);
}

static unsigned
letters(const char *v, const char *set, const unsigned *bits)
{
	unsigned	 f = 0;
	const char	*s;

	for (; *v != '\0'; v++)
		if ((s = strchr(set, *v)) != NULL)
			f |= bits[s - set];
	return f;
}

static const unsigned status_bits[] = { MBOX_READ, MBOX_OLD };
static const unsigned xstatus_bits[] = { MBOX_ANSWERED, MBOX_FLAGGED,
    MBOX_DRAFT };

/* One header field p..e (its continuation lines included). */
static int
field(struct mbox *mb, struct mbox_msg *m, const char *p, const char *e)
{
	static const struct {
		const char	*name;
		size_t		 off;
	} f[] = {
		{ "from", offsetof(struct mbox_msg, from) },
		{ "to", offsetof(struct mbox_msg, to) },
		{ "subject", offsetof(struct mbox_msg, subject) },
		{ "date", offsetof(struct mbox_msg, date) },
		{ "status", offsetof(struct mbox_msg, status) },
		{ "x-status", offsetof(struct mbox_msg, xstatus) },
		{ "return-path", offsetof(struct mbox_msg, env_from) },
	};
	const char	*colon = memchr(p, ':', (size_t)(e - p)), **dst;
	size_t		 i, nl;

	if (colon == NULL)
		return 0;
	for (nl = (size_t)(colon - p); nl > 0 && (p[nl - 1] == ' ' ||
	    p[nl - 1] == '\t'); nl--)
		;
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		if (strlen(f[i].name) != nl || strncasecmp(p, f[i].name, nl))
			continue;
		dst = (const char **)(void *)((char *)m + f[i].off);
		if (**dst != '\0' || (i == 6 && mb->kind == MBOX_MBOX))
			return 0;	/* the first one counts */
		if ((*dst = field_value(mb, p, e)) == NULL)
			return -1;
		if (i == 4)
			m->flags |= letters(*dst, "RO", status_bits);
		else if (i == 5)
			m->flags |= letters(*dst, "AFT", xstatus_bits);
		return 0;
	}
	return 0;
}

/*
 * The header section starting at p: fields captured; returns where the
 * empty line after it starts (or e), counting the lines.
 */
static const char *
headers(struct mbox *mb, struct mbox_msg *m, const char *p, const char *e,
    size_t *lines, int *err)
{
	const char	*fs = NULL, *le, *nl;

	for (; p < e; p = nl != NULL ? nl + 1 : e) {
		nl = memchr(p, '\n', (size_t)(e - p));
		le = nl != NULL ? nl : e;
		if (le == p || (le == p + 1 && *p == '\r'))
			break;
		if (*p != ' ' && *p != '\t') {
			if (fs != NULL && field(mb, m, fs, p) == -1)
				*err = 1;
			fs = p;
		}
		++*lines;
	}
	if (fs != NULL && field(mb, m, fs, p) == -1)
		*err = 1;
	return p;
}

static int
is_from(const char *p, const char *e)
{
	return e - p >= 5 && memcmp(p, "From ", 5) == 0;
}

/* The From_ line's sender and date. */
static int
from_line(struct mbox *mb, struct mbox_msg *m, const char *p, const char *e)
{
	const char	*s = p + 5, *se, *d;

	while (e > s && (e[-1] == '\r' || e[-1] == ' '))
		e--;
	se = memchr(s, ' ', (size_t)(e - s));
	if (se == NULL)
		se = e;
	for (d = se; d < e && *d == ' '; d++)
		;
	if ((size_t)(se - s) > LIM_MBOX_FIELD)
		se = s + LIM_MBOX_FIELD;
	if ((size_t)(e - d) > LIM_MBOX_FIELD)
		e = d + LIM_MBOX_FIELD;
	m->env_from = pool_add(mb, s, (size_t)(se - s));
	m->env_date = pool_add(mb, d, (size_t)(e - d));
	return m->env_from == NULL || m->env_date == NULL ? -1 : 0;
}

/*
 * One message from the From_ line at p: fields, lines, and where the
 * next From_ line (one after an empty line) or the end of the file is.
 */
static const char *
scan_one(struct mbox *mb, const char *base, const char *p, const char *e,
    int *err)
{
	struct mbox_msg	*m;
	const char	*nl, *le;
	size_t		 lines = 1;
	int		 empty = 0;

	if ((m = msg_new(mb)) == NULL) {
		*err = 1;
		return e;
	}
	nl = memchr(p, '\n', (size_t)(e - p));
	if (from_line(mb, m, p, nl != NULL ? nl : e) == -1)
		*err = 1;
	m->off = p - base;
	m->hoff = (nl != NULL ? nl + 1 : e) - base;
	p = headers(mb, m, base + m->hoff, e, &lines, err);
	for (; p < e; p = nl != NULL ? nl + 1 : e) {
		if (empty && *p == 'F' && is_from(p, e))
			break;
		nl = memchr(p, '\n', (size_t)(e - p));
		le = nl != NULL ? nl : e;
		empty = le == p || (le == p + 1 && *p == '\r');
		lines++;
	}
	m->end = p - base;
	m->size = m->end - m->off;
	m->lines = lines;
	m->sepblank = empty ? (p - 2 >= base && p[-2] == '\r' ? 2 : 1) : 0;
	if (m->hoff + m->sepblank > m->end)
		m->sepblank = 0;
	m->flags0 = m->flags;
	return p;
}

static int
scan_mbox(struct mbox *mb, const char *base, size_t n, char *why, size_t len)
{
	const char	*p = base, *e;
	int		 err = 0;

	if (n == 0)
		return 0;
	e = base + n;
	if (!is_from(base, e))
		return str_fail(why, len, EINVAL, "%s:1: not an mbox mailbox "
		    "(the first line does not begin with \"From \")", mb->path);
	while (p < e && !err)
		p = scan_one(mb, base, p, e, &err);
	if (err)
		return str_fail(why, len, ENOMEM, "cannot index mailbox %s: %s",
		    mb->path, strerror(ENOMEM));
	return 0;
}

static int
open_mbox(struct mbox *mb, int fd, struct stat *st, char *why,
    size_t len)
{
	struct flock	 fl;
	void		*map = NULL;
	int		 r;

	mb->fd = fd;
	if (lock_fcntl(fd, 0, mb->path, why, len) == -1) {
		if (errno != EBADF && errno != ENOLCK)
			errno = EAGAIN;
		return -1;
	}
	/* the size under the lock is the one that counts */
	if (fstat(fd, st) == -1)
		r = str_fail(why, len, errno, "cannot read mailbox %s: %s",
		    mb->path, strerror(errno));
	else if ((unsigned long long)st->st_size > SIZE_MAX)
		/* a 32-bit machine cannot map it whole: never a part */
		r = str_fail(why, len, EFBIG, "cannot read mailbox %s: it is "
		    "larger than this machine can map (%lld bytes)", mb->path,
		    (long long)st->st_size);
	else if (st->st_size > 0 && (map = mmap(NULL, (size_t)st->st_size,
	    PROT_READ, MAP_PRIVATE, fd, 0)) == MAP_FAILED)
		r = str_fail(why, len, errno, "cannot read mailbox %s: %s",
		    mb->path, strerror(errno));
	else {
		mb->size0 = st->st_size;
		r = scan_mbox(mb, map, (size_t)st->st_size, why, len);
		if (st->st_size > 0)
			munmap(map, (size_t)st->st_size);
	}
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_UNLCK;
	fl.l_whence = SEEK_SET;
	fcntl(fd, F_SETLK, &fl);
	return r;
}

/* ---- Maildir ---- */

static const char md_letters[] = "DFRS";
static const unsigned md_bits[] = { MBOX_DRAFT, MBOX_FLAGGED, MBOX_ANSWERED,
    MBOX_READ };

static int
md_info(const char *name, unsigned *flags)
{
	const char	*info = strstr(name, ":2,");

	if (info != NULL)
		*flags |= letters(info + 3, md_letters, md_bits);
	return 0;
}

/* Read a whole small file. */
static int
slurp(const char *path, struct buf *b, char *why, size_t len)
{
	char	 tmp[16384];
	ssize_t	 r;
	int	 fd;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC)) == -1)
		return str_fail(why, len, errno, "cannot read %s: %s", path,
		    strerror(errno));
	while ((r = read(fd, tmp, sizeof(tmp))) > 0)
		buf_add(b, tmp, (size_t)r);
	close(fd);
	if (r == -1)
		return str_fail(why, len, errno, "cannot read %s: %s", path,
		    strerror(errno));
	if (buf_failed(b))
		return str_fail(why, len, b->err, "cannot read %s: %s", path,
		    strerror(b->err));
	return 0;
}

static int
md_one(struct mbox *mb, const char *sub, const char *name, struct buf *b,
    char *why, size_t len)
{
	char		 path[LIM_PATH];
	struct mbox_msg	*m;
	struct stat	 st;
	struct tm	 tm;
	char		 date[64];
	const char	*p;
	size_t		 lines = 0;
	int		 err = 0;

	if (snprintf(path, sizeof(path), "%s/%s/%s", mb->path, sub, name) >=
	    (int)sizeof(path))
		return str_fail(why, len, ENAMETOOLONG, "%s/%s/%s: name too "
		    "long", mb->path, sub, name);
	buf_reset(b);
	if (lstat(path, &st) == -1 || !S_ISREG(st.st_mode))
		return 0;	/* gone meanwhile, or not a message */
	if (slurp(path, b, why, len) == -1)
		return errno == ENOENT ? 0 : -1;
	if ((m = msg_new(mb)) == NULL)
		return str_fail(why, len, ENOMEM, "%s", strerror(ENOMEM));
	snprintf(path, sizeof(path), "%s/%s", sub, name);
	m->file = pool_add(mb, path, strlen(path));
	headers(mb, m, b->s != NULL ? b->s : "", (b->s != NULL ? b->s : "") +
	    b->len, &lines, &err);
	for (p = b->s, lines = 0; p != NULL && (p = memchr(p, '\n',
	    b->len - (size_t)(p - b->s))) != NULL; p++)
		lines++;
	m->lines = lines + (b->len > 0 && b->s[b->len - 1] != '\n');
	m->size = (off_t)b->len;
	if (localtime_r(&st.st_mtime, &tm) != NULL &&
	    strftime(date, sizeof(date), "%a %b %e %H:%M:%S %Y", &tm) > 0)
		m->env_date = pool_add(mb, date, strlen(date));
	if (strcmp(sub, "cur") == 0)
		m->flags |= MBOX_OLD;
	md_info(name, &m->flags);
	m->flags0 = m->flags;
	if (err || m->file == NULL || m->env_date == NULL)
		return str_fail(why, len, ENOMEM, "%s", strerror(ENOMEM));
	return 0;
}

static int
md_cmp(const void *a, const void *b)
{
	const struct mbox_msg	*x = a, *y = b;
	const char		*s = strchr(x->file, '/') + 1;
	const char		*t = strchr(y->file, '/') + 1;
	unsigned long long	 u = strtoull(s, NULL, 10);
	unsigned long long	 v = strtoull(t, NULL, 10);

	if (u != v)
		return u < v ? -1 : 1;
	return strcmp(s, t);
}

static int
open_maildir(struct mbox *mb, char *why, size_t len)
{
	static const char *const sub[] = { "cur", "new" };
	char		 path[LIM_PATH];
	struct dirent	*de;
	struct stat	 st;
	struct buf	 b;
	DIR		*d;
	size_t		 i;
	int		 r = 0;

	mb->kind = MBOX_MAILDIR;
	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s", mb->path, sub[i]);
		if (stat(path, &st) == -1 || !S_ISDIR(st.st_mode))
			return str_fail(why, len, EINVAL, "%s is a directory "
			    "but not a Maildir (it has no %s/)", mb->path,
			    sub[i]);
		if (i == 1)
			mb->newmtime = st.st_mtim;
	}
	buf_init(&b, 0);
	for (i = 0; i < 2 && r == 0; i++) {
		snprintf(path, sizeof(path), "%s/%s", mb->path, sub[i]);
		if ((d = opendir(path)) == NULL) {
			r = str_fail(why, len, errno, "cannot read %s: %s",
			    path, strerror(errno));
			break;
		}
		while (r == 0 && (de = readdir(d)) != NULL)
			if (de->d_name[0] != '.')
				r = md_one(mb, sub[i], de->d_name, &b, why,
				    len);
		closedir(d);
	}
	buf_free(&b);
	if (r == 0 && mb->n > 1)
		qsort(mb->m, mb->n, sizeof(*mb->m), md_cmp);
	return r;
}

/* ---- open, close, the index ---- */

struct mbox *
mbox_open(const char *path, int flags, char *why, size_t len)
{
	struct mbox	*mb;
	struct stat	 st;
	int		 fd, e;

	if ((mb = calloc(1, sizeof(*mb))) == NULL ||
	    (mb->path = strdup(path)) == NULL) {
		free(mb);
		str_fail(why, len, ENOMEM, "%s", strerror(ENOMEM));
		return NULL;
	}
	mb->flags = flags;
	mb->fd = -1;
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC |
	    (flags & MBOX_NOFOLLOW ? O_NOFOLLOW : 0));
	if (fd == -1 || fstat(fd, &st) == -1) {
		e = errno;
		if (e == ELOOP)
			str_fail(why, len, e, "mailbox %s is a symbolic link: "
			    "refused", path);
		else
			str_fail(why, len, e, "%s: %s", path, strerror(e));
		goto fail;
	}
	mb->dev = st.st_dev;
	mb->ino = st.st_ino;
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		if (open_maildir(mb, why, len) == -1)
			goto fail;
	} else if (!S_ISREG(st.st_mode)) {
		close(fd);
		str_fail(why, len, EINVAL, "%s is not a mailbox (neither a "
		    "regular file nor a directory)", path);
		goto fail;
	} else if (open_mbox(mb, fd, &st, why, len) == -1)
		goto fail;
	return mb;
fail:
	e = errno;
	mbox_close(mb);
	errno = e;
	return NULL;
}

void
mbox_close(struct mbox *mb)
{
	struct chunk	*c, *next;

	if (mb == NULL)
		return;
	if (mb->fd != -1)
		close(mb->fd);
	for (c = mb->pool; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	free(mb->m);
	free(mb->path);
	free(mb);
}

size_t
mbox_count(const struct mbox *mb)
{
	return mb->n;
}

struct mbox_msg *
mbox_get(struct mbox *mb, size_t i)
{
	return i < mb->n ? &mb->m[i] : NULL;
}

enum mbox_kind
mbox_kind(const struct mbox *mb)
{
	return mb->kind;
}

const char *
mbox_path(const struct mbox *mb)
{
	return mb->path;
}

/* ---- reading ---- */

static int
pread_all(int fd, char *p, size_t n, off_t off)
{
	ssize_t	 r;

	while (n > 0) {
		if ((r = pread(fd, p, n, off)) <= 0) {
			if (r == -1 && errno == EINTR)
				continue;
			if (r == 0)
				errno = ESTALE;
			return -1;
		}
		p += r;
		n -= (size_t)r;
		off += r;
	}
	return 0;
}

/* LF ends (a CR before LF goes, unless keepcr); for mbox (rd set) one
   '>' less on ">From ", ">>From " ... */
static void
unquote(struct buf *out, const char *p, size_t n, int rd, int keepcr)
{
	const char	*e, *nl, *q;
	size_t		 k;

	if (n == 0)
		return;
	e = p + n;
	for (; p < e; p = nl != NULL ? nl + 1 : e) {
		nl = memchr(p, '\n', (size_t)(e - p));
		k = (size_t)((nl != NULL ? nl : e) - p);
		if (rd && *p == '>') {
			for (q = p; q < p + k && *q == '>'; q++)
				;
			if (is_from(q, p + k)) {
				p++;
				k--;
			}
		}
		while (!keepcr && k > 0 && p[k - 1] == '\r')
			k--;
		buf_add(out, p, k);
		buf_addc(out, '\n');
	}
}

static int
raw_message(struct mbox *mb, size_t i, struct buf *out, int keepcr,
    char *why, size_t len)
{
	struct mbox_msg	*m = mbox_get(mb, i);
	struct buf	 raw;
	char		 path[LIM_PATH], *t;
	size_t		 n;
	int		 r = 0;

	if (m == NULL)
		return str_fail(why, len, EINVAL, "%s: no message %zu",
		    mb->path, i + 1);
	if (mb->kind == MBOX_MAILDIR) {
		buf_init(&raw, 0);
		snprintf(path, sizeof(path), "%s/%s", mb->path, m->file);
		if ((r = slurp(path, &raw, why, len)) == 0)
			unquote(out, raw.s, raw.len, 0, keepcr);
		buf_free(&raw);
	} else {
		n = (size_t)(m->end - m->sepblank - m->off);
		if ((t = malloc(n + 1)) == NULL)
			return str_fail(why, len, ENOMEM, "%s",
			    strerror(ENOMEM));
		if (pread_all(mb->fd, t, n, m->off) == -1 ||
		    !is_from(t, t + n))
			r = str_fail(why, len, ESTALE, "mailbox %s was changed "
			    "by another program: message %zu is no longer "
			    "where it was", mb->path, i + 1);
		else
			unquote(out, t + (m->hoff - m->off), n -
			    (size_t)(m->hoff - m->off), 1, keepcr);
		free(t);
	}
	if (r == 0 && buf_failed(out))
		r = str_fail(why, len, out->err, "%s", strerror(out->err));
	return r;
}

void
mbox_split(const char *msg, size_t n, size_t *hlen, size_t *boff)
{
	const char	*p, *e;

	if (msg == NULL)
		msg = "";
	e = msg + n;
	if (n > 0 && msg[0] == '\n') {
		*hlen = 0;
		*boff = 1;
		return;
	}
	for (p = msg; (p = memchr(p, '\n', (size_t)(e - p))) != NULL; p++)
		if (p + 1 < e && p[1] == '\n') {
			*hlen = (size_t)(p + 1 - msg);
			*boff = *hlen + 1;
			return;
		}
	*hlen = *boff = n;
}

int
mbox_read(struct mbox *mb, size_t i, struct buf *out, char *why, size_t len)
{
	return raw_message(mb, i, out, 0, why, len);
}

/* part 0: the header section, 1: the body */
static int
read_part(struct mbox *mb, size_t i, struct buf *out, int part, char *why,
    size_t len)
{
	struct buf	 t;
	size_t		 hl, boff;
	int		 r;

	buf_init(&t, 0);
	if ((r = raw_message(mb, i, &t, 0, why, len)) == 0) {
		mbox_split(t.s, t.len, &hl, &boff);
		if (part == 0)
			buf_add(out, t.s, hl);
		else if (boff < t.len)
			buf_add(out, t.s + boff, t.len - boff);
		if (buf_failed(out))
			r = str_fail(why, len, out->err, "%s",
			    strerror(out->err));
	}
	buf_free(&t);
	return r;
}

int
mbox_header(struct mbox *mb, size_t i, struct buf *out, char *why,
    size_t len)
{
	return read_part(mb, i, out, 0, why, len);
}

int
mbox_body(struct mbox *mb, size_t i, struct buf *out, char *why, size_t len)
{
	return read_part(mb, i, out, 1, why, len);
}

int
mbox_grew(struct mbox *mb)
{
	char		 path[LIM_PATH];
	struct stat	 st;

	if (mb->kind == MBOX_MAILDIR) {
		snprintf(path, sizeof(path), "%s/new", mb->path);
		if (stat(path, &st) == -1)
			return -1;
		return st.st_mtim.tv_sec != mb->newmtime.tv_sec ||
		    st.st_mtim.tv_nsec != mb->newmtime.tv_nsec;
	}
	if (fstat(mb->fd, &st) == -1)
		return -1;
	return st.st_size > mb->size0;
}

/* ---- writing ---- */

#define DEST_NOCREATE	0x100	/* the mailbox itself: never made anew */

struct dest {
	const char	*path;
	int		 fd, have;
	off_t		 size0;
	dev_t		 dev;
	ino_t		 ino;
};

static void
dest_close(struct dest *d)
{
	if (d->fd != -1)
		close(d->fd);
	d->fd = -1;
	lock_dotunlock(d->path, d->have);
	d->have = 0;
}

/* Open and lock an mbox for writing: dotlock, then a write fcntl lock;
   its size under the locks is where a write would go. */
static int
dest_open(struct dest *d, const char *path, int flags, char *why, size_t len)
{
	char		 reason[LIM_ERR];
	struct stat	 st;
	int		 e;

	memset(d, 0, sizeof(*d));
	d->path = path;
	d->fd = -1;
	if (lock_dot(path, &d->have, reason, sizeof(reason)) == -1)
		return str_fail(why, len, EAGAIN, "%s", reason);
	d->fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC |
	    (flags & DEST_NOCREATE ? 0 : O_CREAT) |
	    (flags & MBOX_NOFOLLOW ? O_NOFOLLOW : 0), 0600);
	if (d->fd == -1 || fstat(d->fd, &st) == -1) {
		e = errno;
		str_fail(why, len, e, "cannot open mailbox %s: %s", path,
		    e == ELOOP ? "it is a symbolic link" : strerror(e));
	} else if (!S_ISREG(st.st_mode))
		str_fail(why, len, EINVAL, "%s is not a regular file", path);
	else if ((flags & MBOX_NOFOLLOW) && st.st_nlink != 1)
		str_fail(why, len, EINVAL, "mailbox %s has %lu links: refused",
		    path, (unsigned long)st.st_nlink);
	else if (lock_fcntl(d->fd, 1, path, reason, sizeof(reason)) == -1)
		str_fail(why, len, EAGAIN, "%s", reason);
	else if (fstat(d->fd, &st) == -1)
		str_fail(why, len, errno, "cannot open mailbox %s: %s", path,
		    strerror(errno));
	else {
		d->size0 = st.st_size;
		d->dev = st.st_dev;
		d->ino = st.st_ino;
		return 0;
	}
	e = errno;
	dest_close(d);
	errno = e;
	return -1;
}

static int
pwrite_all(int fd, const char *p, size_t n, off_t off)
{
	ssize_t	 r;

	while (n > 0) {
		if ((r = pwrite(fd, p, n, off)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += r;
		n -= (size_t)r;
		off += r;
	}
	return 0;
}

/* Truncate back after a failed write; a failure there is added to why. */
static void
rollback(int fd, off_t size, char *why, size_t len)
{
	size_t	 n = strlen(why);

	if ((ftruncate(fd, size) == -1 || fsync(fd) == -1) && n < len)
		snprintf(why + n, len - n, " (and truncating it back failed: "
		    "%s)", strerror(errno));
}

#define STATUS_BITS	(MBOX_READ | MBOX_OLD)
#define XSTATUS_BITS	(MBOX_ANSWERED | MBOX_FLAGGED | MBOX_DRAFT)

static int
field_is(const char *p, const char *e, const char *name)
{
	size_t	 n = strlen(name);

	return (size_t)(e - p) > n && strncasecmp(p, name, n) == 0 &&
	    p[n] == ':';
}

/*
 * The message p..n with Status: (R, O) and X-Status: (A, F, T) as
 * flags say, where what bits say they changed: the old field dropped,
 * the new one put at the end of the header section.
 */
static void
with_status(struct buf *o, const char *p, size_t n, unsigned flags,
    unsigned what)
{
	const char	*e, *nl, *le;
	int		 drop = 0;

	if (p == NULL)
		p = "";
	e = p + n;
	for (; p < e; p = nl != NULL ? nl + 1 : e) {
		nl = memchr(p, '\n', (size_t)(e - p));
		le = nl != NULL ? nl : e;
		if (le == p || (le == p + 1 && *p == '\r'))
			break;
		if (*p != ' ' && *p != '\t')
			drop = ((what & STATUS_BITS) &&
			    field_is(p, le, "Status")) ||
			    ((what & XSTATUS_BITS) &&
			    field_is(p, le, "X-Status"));
		if (!drop) {
			buf_add(o, p, (size_t)(le - p));
			buf_addc(o, '\n');
		}
	}
	if ((what & STATUS_BITS) && (flags & STATUS_BITS))
		buf_printf(o, "Status: %s%s\n", flags & MBOX_READ ? "R" : "",
		    flags & MBOX_OLD ? "O" : "");
	if ((what & XSTATUS_BITS) && (flags & XSTATUS_BITS))
		buf_printf(o, "X-Status: %s%s%s\n",
		    flags & MBOX_ANSWERED ? "A" : "",
		    flags & MBOX_FLAGGED ? "F" : "",
		    flags & MBOX_DRAFT ? "T" : "");
	if (p < e)
		buf_add(o, p, (size_t)(e - p));
}

static unsigned
changes(const struct mbox_msg *m)
{
	return (m->flags ^ m->flags0) & (STATUS_BITS | XSTATUS_BITS);
}

/*
 * One message as read (unquoted, no From_ line) into w, with its
 * From_ line and the status of its flags where what says.
 */
static int
put_entry(struct mailbox *w, const struct mbox_msg *m, const char *msg,
    size_t n, unsigned what, char *why, size_t len)
{
	struct buf	 t;
	int		 r;

	buf_init(&t, 0);
	with_status(&t, msg, n, m->flags, what);
	if (buf_failed(&t))
		r = str_fail(why, len, ENOMEM, "%s", strerror(ENOMEM));
	else if ((r = mailbox_begin(w, m->env_from, m->env_date, why,
	    len)) == 0)
		mailbox_write(w, t.s, t.len);
	buf_free(&t);
	return r;
}

/* Open the mbox movepath for the messages moved out of mb. */
static int
move_open(struct mbox *mb, struct mailbox *w, const char *movepath,
    char *why, size_t len)
{
	return mailbox_open(w, movepath, MAILBOX_MBOX, mb->flags &
	    MBOX_NOFOLLOW ? MAILBOX_NOFOLLOW : 0, NULL, why, len);
}

/* Keep the entries apart: what comes next must follow an empty line. */
static void
separate(struct buf *o)
{
	if (o->len > 0 && o->s[o->len - 1] != '\n')
		buf_addc(o, '\n');
	if (o->len > 1 && o->s[o->len - 2] != '\n')
		buf_addc(o, '\n');
}

/*
 * old holds the file from start to its end now: the messages from
 * first on, then what arrived after mbox_open.  new gets what is kept
 * of it (the moved ones are mbox_move's).
 */
static void
rebuild(struct mbox *mb, size_t first, const struct buf *old, off_t start,
    struct buf *new, struct mbox_result *res)
{
	struct mbox_msg	*m;
	const char	*seg;
	size_t		 i, hl, cl;

	for (i = first; i < mb->n; i++) {
		m = &mb->m[i];
		seg = old->s + (m->off - start);
		hl = (size_t)(m->hoff - m->off);
		cl = (size_t)(m->end - m->sepblank - m->hoff);
		if (m->disp == MBOX_DELETE) {
			res->deleted++;
		} else if (m->disp == MBOX_MOVE) {
			res->moved++;
		} else {
			separate(new);
			buf_add(new, seg, hl);
			with_status(new, seg + hl, cl, m->flags, changes(m));
			buf_add(new, seg + hl + cl, (size_t)m->sepblank);
			res->kept++;
		}
	}
	if ((size_t)(mb->size0 - start) < old->len) {
		separate(new);
		buf_add(new, old->s + (mb->size0 - start), old->len -
		    (size_t)(mb->size0 - start));
	}
}

/*
 * Replace the file from start on (old) by new, growth first; a write
 * that fails puts the old bytes back.
 */
static int
rewrite(struct dest *d, off_t start, const struct buf *old,
    const struct buf *new, char *why, size_t len)
{
	off_t	 cur = start + (off_t)old->len;
	int	 e;

	if (new->len > old->len && pwrite_all(d->fd, new->s + old->len,
	    new->len - old->len, cur) == -1) {
		e = errno;
		str_fail(why, len, e, "cannot write mailbox %s: %s; it is "
		    "unchanged", d->path, strerror(e));
		rollback(d->fd, cur, why, len);
		errno = e;
		return -1;
	}
	if (pwrite_all(d->fd, new->s, new->len < old->len ? new->len :
	    old->len, start) == -1 || (new->len < old->len &&
	    ftruncate(d->fd, start + (off_t)new->len) == -1) ||
	    fsync(d->fd) == -1) {
		e = errno;
		str_fail(why, len, e, "cannot write mailbox %s: %s", d->path,
		    strerror(e));
		if (pwrite_all(d->fd, old->s, old->len, start) == -1)
			snprintf(why + strlen(why), len - strlen(why),
			    " (and putting the old text back failed: %s)",
			    strerror(errno));
		rollback(d->fd, cur, why, len);
		errno = e;
		return -1;
	}
	return 0;
}

/* The mailbox under its locks, as it was at mbox_open (plus new mail)? */
static int
still_ours(struct mbox *mb, const struct dest *d, size_t first,
    const struct buf *old, off_t start, char *why, size_t len)
{
	size_t	 i;

	if (d->dev != mb->dev || d->ino != mb->ino || d->size0 < mb->size0)
		return str_fail(why, len, EAGAIN, "mailbox %s was replaced or "
		    "cut short by another program since it was read", mb->path);
	for (i = first; i < mb->n; i++)
		if (!is_from(old->s + (mb->m[i].off - start), old->s +
		    old->len))
			return str_fail(why, len, EAGAIN, "mailbox %s was "
			    "changed by another program since it was read",
			    mb->path);
	return 0;
}

static int
read_from(struct dest *d, off_t start, struct buf *old, char *why,
    size_t len)
{
	size_t	 n = (size_t)(d->size0 - start);
	char	*s;

	if ((s = malloc(n + 1)) == NULL)
		return str_fail(why, len, ENOMEM, "%s", strerror(ENOMEM));
	buf_free(old);
	old->s = s;
	old->cap = n + 1;
	old->len = n;
	s[n] = '\0';
	if (pread_all(d->fd, old->s, n, start) == -1)
		return str_fail(why, len, errno, "cannot read mailbox %s: %s",
		    d->path, strerror(errno));
	return 0;
}

/* Whether path is the mailbox itself (whose dotlock we hold). */
static int
same_file(const struct mbox *mb, const char *path)
{
	struct stat	 st;

	return stat(path, &st) == 0 && st.st_dev == mb->dev &&
	    st.st_ino == mb->ino;
}

/*
 * The messages to move, from old (the file from start on, quoted as in
 * the file) into w: unquoted here, quoted again by the mailbox, so
 * that every entry gets the one From_ line and quoting of mailbox.h.
 */
static int
move_entries(struct mbox *mb, size_t first, const struct buf *old,
    off_t start, struct mailbox *w, char *why, size_t len)
{
	struct mbox_msg	*m;
	struct buf	 t;
	const char	*seg;
	size_t		 i;
	int		 r = 0;

	buf_init(&t, 0);
	for (i = first; i < mb->n && r == 0; i++) {
		m = &mb->m[i];
		if (m->disp != MBOX_MOVE)
			continue;
		seg = old->s + (m->hoff - start);
		buf_reset(&t);
		unquote(&t, seg, (size_t)(m->end - m->sepblank - m->hoff), 1,
		    1);
		if (buf_failed(&t))
			r = str_fail(why, len, ENOMEM, "%s", strerror(ENOMEM));
		else
			r = put_entry(w, m, t.s, t.len, STATUS_BITS |
			    XSTATUS_BITS, why, len);
	}
	if (r == 0)
		r = mailbox_commit(w, why, len);
	buf_free(&t);
	return r;
}

static int
sync_mbox(struct mbox *mb, const char *movepath, struct mbox_result *res,
    char *why, size_t len)
{
	struct dest	 box;
	struct mailbox	 mv;
	struct buf	 old, new;
	size_t		 first;
	off_t		 start;
	int		 r = -1, moving = 0, e;

	for (first = 0; first < mb->n && mb->m[first].disp == MBOX_KEEP &&
	    changes(&mb->m[first]) == 0; first++)
		;
	res->kept = first;
	if (first == mb->n)
		return 0;
	buf_init(&old, 0);
	buf_init(&new, 0);
	start = mb->m[first].off;
	if (dest_open(&box, mb->path, mb->flags | DEST_NOCREATE, why,
	    len) == -1)
		goto done;
	if (read_from(&box, start, &old, why, len) == -1 ||
	    still_ours(mb, &box, first, &old, start, why, len) == -1)
		goto done;
	rebuild(mb, first, &old, start, &new, res);
	if (buf_failed(&new)) {
		str_fail(why, len, ENOMEM, "%s", strerror(ENOMEM));
		goto done;
	}
	if (res->moved > 0) {
		if (movepath == NULL || same_file(mb, movepath)) {
			str_fail(why, len, EINVAL, "messages of %s cannot be "
			    "moved to %s", mb->path, movepath ? movepath :
			    "nowhere");
			goto done;
		}
		if (move_open(mb, &mv, movepath, why, len) == -1)
			goto done;
		moving = 1;
		if (move_entries(mb, first, &old, start, &mv, why, len) == -1)
			goto done;
	}
	if (rewrite(&box, start, &old, &new, why, len) == -1)
		goto done;
	res->rewritten = 1;
	r = 0;
done:
	e = errno;
	if (moving) {
		if (r == -1)	/* the move is undone with the rewrite */
			mailbox_abort(&mv, why, len);
		mailbox_close(&mv);
	}
	if (box.path != NULL)
		dest_close(&box);
	buf_free(&old);
	buf_free(&new);
	errno = e;
	return r;
}

/* The name a kept Maildir message should have: cur/ once seen, with
   the info flags (sorted, unknown ones kept) of its flags. */
static void
md_name(const struct mbox_msg *m, char *out, size_t size)
{
	const char	*base = m->file + 4, *info = strstr(base, ":2,");
	size_t		 blen = info != NULL ? (size_t)(info - base) :
			    strlen(base), n = 0, i;
	char		 let[32];
	int		 c;

	if (strncmp(m->file, "new/", 4) == 0 && info == NULL &&
	    !(m->flags & (MBOX_OLD | STATUS_BITS | XSTATUS_BITS))) {
		snprintf(out, size, "%s", m->file);
		return;
	}
	for (c = 33; c < 127 && n < sizeof(let) - 1; c++) {
		for (i = 0; i < 4 && md_letters[i] != c; i++)
			;
		if (i < 4 ? (m->flags & md_bits[i]) != 0 : info != NULL &&
		    strchr(info + 3, c) != NULL)
			let[n++] = (char)c;
	}
	let[n] = '\0';
	snprintf(out, size, "cur/%.*s:2,%s", (int)blen, base, let);
}

/* The messages to move out of a Maildir, into the mbox movepath. */
static int
maildir_move(struct mbox *mb, const char *movepath, char *why, size_t len)
{
	struct mailbox	 mv;
	struct buf	 t;
	size_t		 i;
	int		 r = 0, any = 0, e;

	for (i = 0; i < mb->n; i++)
		any |= mb->m[i].disp == MBOX_MOVE;
	if (!any)
		return 0;
	if (movepath == NULL)
		return str_fail(why, len, EINVAL, "cannot move messages of %s: "
		    "nowhere to move them to", mb->path);
	if (move_open(mb, &mv, movepath, why, len) == -1)
		return -1;
	buf_init(&t, 0);
	for (i = 0; i < mb->n && r == 0; i++)
		if (mb->m[i].disp == MBOX_MOVE) {
			buf_reset(&t);
			if ((r = raw_message(mb, i, &t, 1, why, len)) == 0)
				r = put_entry(&mv, &mb->m[i], t.s, t.len,
				    STATUS_BITS | XSTATUS_BITS, why, len);
		}
	if (r == 0)
		r = mailbox_commit(&mv, why, len);
	e = errno;
	if (r == -1)
		mailbox_abort(&mv, why, len);
	mailbox_close(&mv);
	buf_free(&t);
	errno = e;
	return r;
}

static int
sync_maildir(struct mbox *mb, const char *movepath, struct mbox_result *res,
    char *why, size_t len)
{
	char		 from[LIM_PATH], to[LIM_PATH], name[LIM_PATH];
	struct mbox_msg	*m;
	size_t		 i;
	int		 r;

	r = maildir_move(mb, movepath, why, len);
	for (i = 0; i < mb->n && r == 0; i++) {
		m = &mb->m[i];
		snprintf(from, sizeof(from), "%s/%s", mb->path, m->file);
		if (m->disp != MBOX_KEEP) {
			if (unlink(from) == -1 && errno != ENOENT)
				r = str_fail(why, len, errno, "cannot remove "
				    "%s: %s", from, strerror(errno));
			*(m->disp == MBOX_MOVE ? &res->moved :
			    &res->deleted) += 1;
			continue;
		}
		res->kept++;
		md_name(m, name, sizeof(name));
		if (snprintf(to, sizeof(to), "%s/%s", mb->path, name) >=
		    (int)sizeof(to))
			r = str_fail(why, len, ENAMETOOLONG, "%s: name too "
			    "long", from);
		else if (strcmp(name, m->file) != 0 && rename(from, to) == -1 &&
		    errno != ENOENT)
			r = str_fail(why, len, errno, "cannot rename %s to %s: "
			    "%s", from, to, strerror(errno));
	}
	res->rewritten = 1;
	return r;
}

int
mbox_sync(struct mbox *mb, const char *movepath, struct mbox_result *res,
    char *why, size_t len)
{
	struct mbox_result	 dummy;

	if (res == NULL)
		res = &dummy;
	memset(res, 0, sizeof(*res));
	if (mb->kind == MBOX_MAILDIR)
		return sync_maildir(mb, movepath, res, why, len);
	return sync_mbox(mb, movepath, res, why, len);
}

int
mbox_copy(struct mbox *mb, size_t i, const char *path, int flags, char *why,
    size_t len)
{
	struct mbox_msg	*m = mbox_get(mb, i);
	struct buf	 t, o;
	int		 r;

	if (mb->kind == MBOX_MBOX && same_file(mb, path))
		return str_fail(why, len, EINVAL, "a message of %s cannot be "
		    "copied into %s itself", mb->path, path);
	buf_init(&t, 0);
	buf_init(&o, 0);
	if ((r = raw_message(mb, i, &t, 1, why, len)) == 0) {
		with_status(&o, t.s, t.len, m->flags, STATUS_BITS |
		    XSTATUS_BITS);
		r = buf_failed(&o) ? str_fail(why, len, ENOMEM, "%s",
		    strerror(ENOMEM)) : mailbox_put(path, MAILBOX_DETECT |
		    (flags & MBOX_NOFOLLOW ? MAILBOX_NOFOLLOW : 0),
		    m->env_from, m->env_date, o.s, o.len, why, len);
	}
	buf_free(&t);
	buf_free(&o);
	return r;
}
