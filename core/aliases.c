/*
 * The aliases file, its cdb database, and the destination lists that
 * ~/.forward and :include: files share with it: see aliases.h.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "addr.h"
#include "aliases.h"
#include "buf.h"
#include "cdb.h"
#include "limits.h"

/* ---- destination lists ---- */

static int
list_add(struct dest_list *l, enum dest_kind kind, const char *v, size_t n)
{
	struct dest	*d;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;

		if ((d = realloc(l->d, cap * sizeof(*d))) == NULL)
			return -1;
		l->d = d;
		l->cap = cap;
	}
	if ((l->d[l->n].value = strndup(v, n)) == NULL)
		return -1;
	l->d[l->n].kind = kind;
	l->n++;
	return 0;
}

/* Empty the list, keeping its array for the next entry. */
static void
list_clear(struct dest_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->d[i].value);
	l->n = 0;
}

void
dest_list_free(struct dest_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->d[i].value);
	free(l->d);
	memset(l, 0, sizeof(*l));
}

static int bad(char *, size_t, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static int
bad(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	errno = EINVAL;
	return -1;
}

/* A local login name as \user or a bare destination may give it. */
static int
good_name(const char *s, size_t n)
{
	if (n == 0 || n > LIM_LOCAL)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f || s[i] == '@' ||
		    s[i] == ',' || s[i] == '"' || s[i] == '\\' || s[i] == ':' ||
		    s[i] == '<' || s[i] == '>' || (unsigned char)s[i] >= 0x80)
			return 0;
	return 1;
}

/* A plain local name ("marc", "john.doe"): nothing to parse. */
static int
simple_name(const char *s, size_t n)
{
	if (n > LIM_LOCAL || s[0] == '.' || s[n - 1] == '.')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' &&
		    s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		    ((s[i] == '.' || s[i] == '-' || s[i] == '_' ||
		    s[i] == '+') && !(s[i] == '.' && s[i + 1] == '.'))))
			return 0;
	return 1;
}

/* One destination's text (unquoted, trimmed) into its kind. */
static int
classify(const char *t, size_t n, struct dest_list *out, char *err,
    size_t errlen)
{
	char	 a[LIM_ADDR + 2], tmp[LIM_ADDR + 2], e[LIM_ERR];

	for (size_t i = 0; i < n; i++)
		if ((unsigned char)t[i] < 0x20 || t[i] == 0x7f)
			return bad(err, errlen, "control character in "
			    "destination");
	if (t[0] == '|') {
		if (n == 1)
			return bad(err, errlen, "empty command after '|'");
		return list_add(out, DEST_PIPE, t + 1, n - 1);
	}
	if (t[0] == '/')
		return list_add(out, DEST_FILE, t, n);
	if (n >= 9 && strncasecmp(t, ":include:", 9) == 0) {
		t += 9;
		n -= 9;
		while (n > 0 && (*t == ' ' || *t == '\t'))
			t++, n--;
		if (n == 0 || *t != '/')
			return bad(err, errlen, ":include: needs an absolute "
			    "path");
		return list_add(out, DEST_INCLUDE, t, n);
	}
	if (t[0] == '\\') {
		if (!good_name(t + 1, n - 1))
			return bad(err, errlen, "\"%.*s\": \\ takes a local "
			    "user name", (int)(n > 80 ? 80 : n), t);
		return list_add(out, DEST_MAILBOX, t + 1, n - 1);
	}
	if (t[0] == '<' && t[n - 1] == '>') {
		t++;
		n -= 2;
	}
	if (n == 0 || n >= sizeof(tmp))
		return bad(err, errlen, "bad address \"%.*s\"",
		    (int)(n > 80 ? 80 : n), t);
	if (simple_name(t, n))
		return list_add(out, DEST_USER, t, n);
	memcpy(tmp, t, n);
	tmp[n] = '\0';
	if (addr_parse_path(tmp, 0, a, sizeof(a), e, sizeof(e)) == -1)
		return bad(err, errlen, "bad address \"%s\": %s", tmp, e);
	/* it must not read back as a command, file, include or \user */
	if (a[0] == '|' || a[0] == '/' || a[0] == '\\' || a[0] == ':')
		return bad(err, errlen, "bad address \"%s\"", tmp);
	if (strchr(a, '@') != NULL)
		return list_add(out, DEST_ADDR, a, strlen(a));
	if (!good_name(a, strlen(a)))
		return bad(err, errlen, "bad local name \"%s\"", a);
	return list_add(out, DEST_USER, a, strlen(a));
}

static int
is_sep(int c, int newlines)
{
	return c == ',' || (newlines && c == '\n');
}

/* A quoted destination from s[*i] (the opening quote) into q. */
static int
unquote(const char *s, size_t len, size_t *i, struct buf *q, char *err,
    size_t errlen)
{
	size_t	 j = *i + 1;

	for (; j < len && s[j] != '"'; j++) {
		if (s[j] == '\n')
			break;
		if (s[j] == '\\' && j + 1 < len && s[j + 1] != '\n')
			j++;
		buf_addc(q, s[j]);
	}
	if (j >= len || s[j] != '"')
		return bad(err, errlen, "unterminated quoted destination");
	*i = j + 1;
	return 0;
}

/* A destination in double quotes, from s[*i] on, into out. */
static int
quoted(const char *s, size_t len, size_t *i, int newlines, struct buf *q,
    struct dest_list *out, char *err, size_t errlen)
{
	buf_reset(q);
	if (unquote(s, len, i, q, err, errlen) != 0)
		return -1;
	while (*i < len && (s[*i] == ' ' || s[*i] == '\t'))
		(*i)++;
	if (*i < len && !is_sep(s[*i], newlines) && s[*i] != '\n')
		return bad(err, errlen, "text after a quoted destination");
	if (buf_failed(q))
		return bad(err, errlen, "quoted destination too long");
	if (q->len == 0)
		return bad(err, errlen, "empty destination");
	return classify(q->s, q->len, out, err, errlen);
}

/*
 * The list parser; *line counts the newlines passed, so a caller can
 * say where an error is.
 */
static int
parse_list(const char *s, size_t len, int newlines, struct dest_list *out,
    size_t *line, char *err, size_t errlen)
{
	struct buf	 q;
	size_t		 i = 0, start, end;
	int		 bol = newlines, rc = 0;

	buf_init(&q, LIM_PATH);
	*line = 0;
	while (i < len && rc == 0) {
		if (s[i] == '\n') {
			(*line)++;
			i++;
			bol = 1;
			continue;
		}
		if (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' ||
		    is_sep(s[i], newlines)) {
			i++;
			continue;
		}
		/* a comment line: in a .forward or include file, and
		   between the continuation lines of an alias */
		if (bol && s[i] == '#') {
			while (i < len && s[i] != '\n')
				i++;
			continue;
		}
		bol = 0;
		if (s[i] == '"') {
			rc = quoted(s, len, &i, newlines, &q, out, err, errlen);
			continue;
		}
		start = i;
		while (i < len && !is_sep(s[i], newlines) && s[i] != '\n')
			i++;
		end = i;
		while (end > start && (s[end - 1] == ' ' ||
		    s[end - 1] == '\t' || s[end - 1] == '\r'))
			end--;
		if (end - start > LIM_PATH)
			rc = bad(err, errlen, "destination too long");
		else
			rc = classify(s + start, end - start, out, err, errlen);
	}
	buf_free(&q);
	return rc;
}

int
aliases_parse_list(const char *s, size_t len, int newlines,
    struct dest_list *out, char *err, size_t errlen)
{
	char	 e[LIM_ERR];
	size_t	 line;

	if (parse_list(s, len, newlines, out, &line, e, sizeof(e)) == 0)
		return 0;
	if (errno != EINVAL)
		snprintf(err, errlen, "%s", strerror(errno));
	else if (newlines)
		snprintf(err, errlen, "line %zu: %s", line + 1, e);
	else
		snprintf(err, errlen, "%s", e);
	return -1;
}

static int
needs_quotes(const char *v)
{
	return strpbrk(v, ", \t\"\\") != NULL;
}

void
aliases_put_dest(struct buf *b, const struct dest *d)
{
	static const char *const pre[] = { "", "", "\\", "|", "", ":include:" };
	const char	*v;

	if (!needs_quotes(d->value)) {
		buf_adds(b, pre[d->kind]);
		buf_adds(b, d->value);
		return;
	}
	buf_addc(b, '"');
	buf_adds(b, pre[d->kind]);
	for (v = d->value; *v != '\0'; v++) {
		if (*v == '"' || *v == '\\')
			buf_addc(b, '\\');
		buf_addc(b, *v);
	}
	buf_addc(b, '"');
}

/* ---- compiling ---- */

/*
 * Names seen so far, for duplicates: open addressing over the records
 * already in the database being made.  A slot holds the record's
 * position + 1 (0: empty), the name's hash (the record is read only when
 * it matches) and the line, side by side: one cache line per probe.
 */
struct nslot {
	uint32_t	 pos1;
	uint32_t	 hash;
	uint32_t	 line;
};

struct names {
	struct nslot	*s;
	size_t		 n, size;
};

static size_t
mix(uint32_t h, size_t size)
{
	return (size_t)((h * 2654435761u) >> 7) & (size - 1);
}

static int
names_grow(struct names *t)
{
	size_t		 size = t->size ? t->size * 2 : 4096, j;
	struct nslot	*ns;

	if ((ns = calloc(size, sizeof(*ns))) == NULL)
		return -1;
	for (size_t i = 0; i < t->size; i++) {
		if (t->s[i].pos1 == 0)
			continue;
		j = mix(t->s[i].hash, size);
		while (ns[j].pos1 != 0)
			j = (j + 1) & (size - 1);
		ns[j] = t->s[i];
	}
	free(t->s);
	t->s = ns;
	t->size = size;
	return 0;
}

/* The slot where name is, or the empty one where it would go. */
static size_t
names_find(const struct names *t, const struct cdb_make *m,
    const char *name, size_t n, uint32_t h)
{
	const unsigned char *r;
	size_t		 j = mix(h, t->size);
	uint32_t	 klen;

	for (; t->s[j].pos1 != 0; j = (j + 1) & (t->size - 1)) {
		if (t->s[j].hash != h)
			continue;
		r = (const unsigned char *)m->out.s + t->s[j].pos1 - 1;
		klen = (uint32_t)r[0] | (uint32_t)r[1] << 8 |
		    (uint32_t)r[2] << 16 | (uint32_t)r[3] << 24;
		if (klen == n && memcmp(r + 8, name, n) == 0)
			break;
	}
	return j;
}

static void
names_free(struct names *t)
{
	free(t->s);
}

struct compile {
	const char	*source;
	struct cdb_make	 mk;
	struct names	 names;
	struct buf	 val;
	struct dest_list l;
	struct aliases_stats *st;
	void		(*warn)(const char *);
	char		*err;
	size_t		 errlen;
};

static int cerr(struct compile *, size_t, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static int
cerr(struct compile *k, size_t line, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	n = snprintf(k->err, k->errlen, "%s:%zu: ", k->source, line);
	if (n < 0 || (size_t)n >= k->errlen)
		n = 0;
	va_start(ap, fmt);
	vsnprintf(k->err + n, k->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	errno = EINVAL;
	return -1;
}

/* One logical entry (continuation lines included) from its first line. */
static int
entry(struct compile *k, const char *s, size_t len, size_t line)
{
	char		 name[LIM_LOCAL + 1], e[LIM_ERR];
	size_t		 i = 0, n, off, slot;
	uint32_t	 pos, h;

	while (i < len && s[i] != ':' && s[i] != ' ' && s[i] != '\t' &&
	    s[i] != '\n')
		i++;
	n = i;
	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i >= len || s[i] != ':')
		return cerr(k, line, "missing ':' after the alias name");
	if (!good_name(s, n))
		return cerr(k, line, "bad alias name \"%.*s\"",
		    (int)(n > 64 ? 64 : n), s);
	for (size_t j = 0; j < n; j++)
		name[j] = s[j] >= 'A' && s[j] <= 'Z' ? (char)(s[j] + 32) : s[j];
	name[n] = '\0';
	i++;
	list_clear(&k->l);
	if (parse_list(s + i, len - i, 0, &k->l, &off, e, sizeof(e)) == -1)
		return errno == EINVAL ? cerr(k, line + off, "%s", e) : -1;
	if (k->l.n == 0)
		return cerr(k, line, "alias \"%s\" has no destination", name);
	if ((k->names.n + 1) * 2 > k->names.size && names_grow(&k->names) == -1)
		return -1;
	h = cdb_hash(name, n);
	slot = names_find(&k->names, &k->mk, name, n, h);
	if (k->names.s[slot].pos1 != 0) {
		if (k->warn != NULL) {
			snprintf(e, sizeof(e), "%s:%zu: duplicate alias \"%s\" "
			    "(first at line %lu), ignored", k->source, line,
			    name, (unsigned long)k->names.s[slot].line);
			k->warn(e);
		}
		return 0;
	}
	buf_reset(&k->val);
	for (size_t j = 0; j < k->l.n; j++) {
		if (j > 0)
			buf_adds(&k->val, ", ");
		aliases_put_dest(&k->val, &k->l.d[j]);
	}
	list_clear(&k->l);
	pos = (uint32_t)k->mk.out.len;
	if (buf_failed(&k->val) || cdb_make_add(&k->mk, name, n, k->val.s,
	    k->val.len) == -1)
		return -1;
	k->names.s[slot].pos1 = pos + 1;
	k->names.s[slot].hash = h;
	k->names.s[slot].line = (uint32_t)line;
	k->names.n++;
	k->st->aliases++;
	k->st->total += n + k->val.len;
	if (k->val.len > k->st->longest)
		k->st->longest = k->val.len;
	return 0;
}

/* Walk the lines: an entry is its first line and the indented ones
   that follow, skipping blank and comment lines on the way. */
static int
walk(struct compile *k, const char *s, size_t len)
{
	size_t	 i = 0, line = 0, eline = 0, estart = 0, eend = 0, n, ws;
	int	 have = 0;
	const char *nl;

	while (i < len) {
		line++;
		nl = memchr(s + i, '\n', len - i);
		n = nl != NULL ? (size_t)(nl - (s + i)) : len - i;
		if (memchr(s + i, '\0', n) != NULL)
			return cerr(k, line, "NUL byte");
		for (ws = 0; ws < n && (s[i + ws] == ' ' || s[i + ws] == '\t' ||
		    s[i + ws] == '\r'); ws++)
			;
		if (ws == n || s[i + ws] == '#') {
			/* blank or comment: skipped (the list parser skips
			   the ones between continuation lines too) */
		} else if (ws > 0) {
			if (!have)
				return cerr(k, line, "continuation line "
				    "without an alias before it");
			eend = i + n;
		} else {
			if (have && entry(k, s + estart, eend - estart,
			    eline) == -1)
				return -1;
			have = 1;
			eline = line;
			estart = i;
			eend = i + n;
		}
		i += n + 1;
	}
	if (have && entry(k, s + estart, eend - estart, eline) == -1)
		return -1;
	return 0;
}

/* The aliases file, mapped read-only (nothing when it is empty). */
static int
map_file(const char *path, const char **map, size_t *len, char *err,
    size_t errlen)
{
	struct stat	 st;
	void		*p;
	int		 fd, saved;

	*map = NULL;
	*len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1) {
		saved = errno;
		snprintf(err, errlen, "cannot open %s: %s", path,
		    strerror(errno));
		errno = saved;
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    (uintmax_t)st.st_size > UINT32_MAX) {
		saved = errno = S_ISREG(st.st_mode) ? EFBIG : EINVAL;
		snprintf(err, errlen, "cannot read %s: %s", path,
		    S_ISREG(st.st_mode) ? strerror(errno) :
		    "not a regular file");
		close(fd);
		errno = saved;
		return -1;
	}
	if (st.st_size > 0) {
		p = mmap(NULL, (size_t)st.st_size, PROT_READ,
		    MAP_PRIVATE | MAP_POPULATE, fd, 0);
		if (p == MAP_FAILED) {
			saved = errno;
			snprintf(err, errlen, "cannot read %s: %s", path,
			    strerror(errno));
			close(fd);
			errno = saved;
			return -1;
		}
		*map = p;
		*len = (size_t)st.st_size;
	}
	close(fd);
	return 0;
}

/* The database into a temporary file beside it, then renamed. */
static int
write_db(struct compile *k, const char *db)
{
	char	 tmp[LIM_PATH], dir[LIM_PATH], *slash;
	int	 fd, dfd, saved;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmpXXXXXX", db) >=
	    sizeof(tmp)) {
		snprintf(k->err, k->errlen, "%s: path too long", db);
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1)
		goto fail;
	if (fchmod(fd, 0644) == -1 || cdb_make_finish(&k->mk, fd) == -1 ||
	    fsync(fd) == -1) {
		saved = errno;
		close(fd);
		unlink(tmp);
		errno = saved;
		goto fail;
	}
	if (close(fd) == -1 || rename(tmp, db) == -1) {
		saved = errno;
		unlink(tmp);
		errno = saved;
		goto fail;
	}
	snprintf(dir, sizeof(dir), "%s", db);
	if ((slash = strrchr(dir, '/')) == NULL)
		snprintf(dir, sizeof(dir), ".");
	else
		slash[slash == dir] = '\0';
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
fail:
	saved = errno;
	snprintf(k->err, k->errlen, "cannot write %s: %s", db,
	    strerror(errno));
	errno = saved;
	return -1;
}

int
aliases_compile(const char *source, struct aliases_stats *st,
    void (*warn)(const char *msg), char *err, size_t errlen)
{
	struct compile	 k;
	const char	*text;
	size_t		 tlen;
	char		 db[LIM_PATH];
	int		 rc = -1, saved;

	memset(st, 0, sizeof(*st));
	if ((size_t)snprintf(db, sizeof(db), "%s%s", source,
	    ALIASES_DB_SUFFIX) >= sizeof(db)) {
		snprintf(err, errlen, "%s: path too long", source);
		errno = ENAMETOOLONG;
		return -1;
	}
	memset(&k, 0, sizeof(k));
	k.source = source;
	k.st = st;
	k.warn = warn;
	k.err = err;
	k.errlen = errlen;
	buf_init(&k.val, 0);
	cdb_make_start(&k.mk);
	if (map_file(source, &text, &tlen, err, errlen) == -1)
		goto out;
	buf_reserve(&k.mk.out, tlen);
	if (walk(&k, text, tlen) == -1) {
		if (errno != EINVAL)
			snprintf(err, errlen, "%s: %s", source,
			    strerror(errno));
		goto out;
	}
	rc = write_db(&k, db);
out:
	saved = errno;
	if (text != NULL)
		munmap((void *)text, tlen);
	buf_free(&k.val);
	dest_list_free(&k.l);
	names_free(&k.names);
	cdb_make_free(&k.mk);
	errno = saved;
	return rc;
}

/* ---- lookups ---- */

int
aliases_open(struct aliases *a, const char *source, char *err,
    size_t errlen)
{
	char		 db[LIM_PATH];
	struct stat	 sst, dst;
	int		 saved, have_src;

	memset(a, 0, sizeof(*a));
	a->fd = -1;
	have_src = source != NULL && stat(source, &sst) == 0;
	if (source == NULL || (size_t)snprintf(db, sizeof(db), "%s%s", source,
	    ALIASES_DB_SUFFIX) >= sizeof(db))
		return 0;
	if ((a->fd = open(db, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1) {
		if (errno == ENOENT) {
			a->missing = have_src;
			return 0;
		}
		goto fail;
	}
	if (fstat(a->fd, &dst) == -1 || cdb_open(&a->db, a->fd) == -1)
		goto fail;
	a->stale = have_src && (sst.st_mtim.tv_sec > dst.st_mtim.tv_sec ||
	    (sst.st_mtim.tv_sec == dst.st_mtim.tv_sec &&
	    sst.st_mtim.tv_nsec > dst.st_mtim.tv_nsec));
	return 0;
fail:
	saved = errno;
	snprintf(err, errlen, "cannot read %s: %s", db,
	    errno == EINVAL ? "not a cdb database (run newaliases)" :
	    strerror(errno));
	if (a->fd != -1)
		close(a->fd);
	a->fd = -1;
	errno = saved;
	return -1;
}

int
aliases_lookup(const struct aliases *a, const char *name, struct buf *value)
{
	char		 key[LIM_LOCAL + 1];
	const char	*v;
	size_t		 n = strlen(name), vlen;
	int		 r;

	if (a->fd == -1 || n > LIM_LOCAL)
		return 0;
	for (size_t i = 0; i <= n; i++)
		key[i] = (char)tolower((unsigned char)name[i]);
	if ((r = cdb_find(&a->db, key, n, &v, &vlen)) != 1)
		return r;
	buf_add(value, v, vlen);
	return buf_failed(value) ? -1 : 1;
}

void
aliases_close(struct aliases *a)
{
	if (a->fd != -1) {
		cdb_close(&a->db);
		close(a->fd);
	}
	a->fd = -1;
}
