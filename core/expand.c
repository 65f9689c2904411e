/*
 * Expansion of a local recipient through aliases, ~/.forward and
 * :include: files: see expand.h for the rules.
 *
 * The walk keeps a chain of frames (one per alias, .forward or include
 * being expanded) for loop detection and for the "via" text -bv shows,
 * and a list of names already expanded, so that a name reached twice
 * by different paths is expanded once (no exponential blow-up).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <bearssl_hash.h>

#include "addr.h"
#include "aliases.h"
#include "asuser.h"
#include "buf.h"
#include "conf.h"
#include "expand.h"
#include "limits.h"
#include "log.h"
#include "queue.h"
#include "users.h"

enum source { SRC_ALIASES, SRC_FORWARD };
enum stage { ST_ALIAS, ST_FORWARD, ST_INCLUDE };

struct frame {
	enum stage	 stage;
	char		 name[LIM_LOCAL + 1];	/* "" for an include */
	char		 label[LIM_PATH + 16];
};

struct xctx {
	const struct conf	*c;
	struct expansion	*x;
	struct aliases		 al;
	int			 al_ok;
	struct frame		 chain[LIM_ALIAS_DEPTH + 1];
	int			 depth;
	char			**done;		/* names expanded */
	size_t			 ndone;
	int			 nodes;
	int			 ignored;	/* includes left out */
	int			 nomem;
};

/* ---- results ---- */

static char *
via_text(const struct xctx *k)
{
	struct buf	 b;
	char		*s;

	buf_init(&b, 0);
	for (int i = 0; i < k->depth; i++) {
		if (i > 0)
			buf_adds(&b, " > ");
		buf_adds(&b, k->chain[i].label);
	}
	buf_addc(&b, '\0');
	if (buf_failed(&b)) {
		buf_free(&b);
		return NULL;
	}
	s = b.s;
	return s;
}

#define FAIL_KEY	9	/* a kind of key no xkind has */

static void make_key(int, const char *, uid_t, char *);

static void fail(struct xctx *, enum xfail_kind, const char *, const char *,
    ...) __attribute__((format(printf, 4, 5)));

static void
fail(struct xctx *k, enum xfail_kind kind, const char *what,
    const char *fmt, ...)
{
	struct expansion	*x = k->x;
	struct xfail		*f;
	char			 why[LIM_ERR];
	va_list			 ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if ((f = realloc(x->f, (x->nf + 1) * sizeof(*f))) == NULL) {
		k->nomem = 1;
		return;
	}
	x->f = f;
	f = &x->f[x->nf];
	f->kind = kind;
	make_key(FAIL_KEY, what, 0, f->key);
	f->what = strdup(what);
	f->why = strdup(why);
	f->via = via_text(k);
	if (f->what == NULL || f->why == NULL || f->via == NULL) {
		free(f->what);
		free(f->why);
		free(f->via);
		k->nomem = 1;
		return;
	}
	x->nf++;
}

/*
 * SHA-256 over the kind, the uid and the value, cut to 128 bits: the
 * destination's id in the queue's done lists.  A user who writes their
 * .forward must not be able to make one destination's key equal
 * another's (a 64-bit FNV-1a could be made to collide), or a real
 * destination would be skipped as done.
 */
static void
make_key(int kind, const char *value, uid_t uid, char *key)
{
	br_sha256_context	 h;
	unsigned char		 pre[2 + 8], out[32];
	unsigned long long	 u = (unsigned long long)uid;

	pre[0] = (unsigned char)kind;
	pre[1] = 0;
	for (int i = 0; i < 8; i++)
		pre[2 + i] = (unsigned char)(u >> (8 * i));
	br_sha256_init(&h);
	br_sha256_update(&h, pre, sizeof(pre));
	br_sha256_update(&h, value, strlen(value));
	br_sha256_out(&h, out);
	for (int i = 0; i < QUEUE_KEY_LEN / 2; i++)
		snprintf(key + 2 * i, 3, "%02x", out[i]);
}

static void
add_dest(struct xctx *k, enum xkind kind, const char *value,
    const struct user *u)
{
	struct expansion	*x = k->x;
	struct xdest		*d;
	char			 key[QUEUE_KEY_LEN + 1];

	make_key(kind, value, u != NULL ? u->uid : 0, key);
	for (size_t i = 0; i < x->n; i++)
		if (strcmp(x->d[i].key, key) == 0)
			return;		/* the same destination again */
	if (x->n >= LIM_ALIAS_DESTS) {
		fail(k, XF_PERM, value, "5.3.4 more than %d destinations",
		    LIM_ALIAS_DESTS);
		return;
	}
	if ((d = realloc(x->d, (x->n + 1) * sizeof(*d))) == NULL) {
		k->nomem = 1;
		return;
	}
	x->d = d;
	d = &x->d[x->n];
	memset(d, 0, sizeof(*d));
	d->kind = kind;
	memcpy(d->key, key, sizeof(key));
	if (u != NULL)
		d->user = *u;
	d->value = strdup(value);
	d->via = via_text(k);
	if (d->value == NULL || d->via == NULL) {
		free(d->value);
		free(d->via);
		k->nomem = 1;
		return;
	}
	x->n++;
}

void
expand_free(struct expansion *x)
{
	for (size_t i = 0; i < x->n; i++) {
		free(x->d[i].value);
		free(x->d[i].via);
	}
	for (size_t i = 0; i < x->nf; i++) {
		free(x->f[i].what);
		free(x->f[i].why);
		free(x->f[i].via);
	}
	free(x->d);
	free(x->f);
	memset(x, 0, sizeof(*x));
}

/* ---- the chain ---- */

static int
push(struct xctx *k, enum stage st, const char *name, const char *what,
    const char *label)
{
	struct frame	*f;

	if (k->depth >= LIM_ALIAS_DEPTH) {
		fail(k, XF_PERM, what, "5.4.6 aliases and forwarding nested "
		    "more than %d deep", LIM_ALIAS_DEPTH);
		return -1;
	}
	f = &k->chain[k->depth++];
	f->stage = st;
	snprintf(f->name, sizeof(f->name), "%s", name);
	snprintf(f->label, sizeof(f->label), "%s", label);
	return 0;
}

/* The nearest frame that has a name (includes have none), or NULL. */
static const struct frame *
parent(const struct xctx *k)
{
	for (int i = k->depth - 1; i >= 0; i--)
		if (k->chain[i].name[0] != '\0')
			return &k->chain[i];
	return NULL;
}

static int
was_done(const struct xctx *k, const char *name)
{
	for (size_t i = 0; i < k->ndone; i++)
		if (strcmp(k->done[i], name) == 0)
			return 1;
	return 0;
}

static void
mark_done(struct xctx *k, const char *name)
{
	char	**d;

	if ((d = realloc(k->done, (k->ndone + 1) * sizeof(*d))) == NULL ||
	    (k->done = d, (d[k->ndone] = strdup(name)) == NULL)) {
		k->nomem = 1;
		return;
	}
	k->ndone++;
}

/* ---- who runs commands and writes files ---- */

static int
default_user(struct xctx *k, struct user *u)
{
	struct passwd	*pw;
	int		 r;

	if ((r = users_by_name(k->c->passwd, k->c->default_user, u)) == 1)
		return 0;
	if (r == 0 && (pw = getpwnam(k->c->default_user)) != NULL) {
		memset(u, 0, sizeof(*u));
		snprintf(u->name, sizeof(u->name), "%s", pw->pw_name);
		u->uid = pw->pw_uid;
		u->gid = pw->pw_gid;
		snprintf(u->home, sizeof(u->home), "%s", pw->pw_dir);
		return 0;
	}
	return -1;
}

/* ---- files: ~/.forward and :include: ---- */

enum fread { FR_NONE, FR_OK, FR_TEMP, FR_SKIP, FR_IGNORED };

static enum fread
read_fd(int fd, const char *path, struct buf *b, char *why, size_t len)
{
	char	 chunk[4096];
	ssize_t	 r;

	while ((r = read(fd, chunk, sizeof(chunk))) != 0) {
		if (r == -1) {
			if (errno == EINTR)
				continue;
			snprintf(why, len, "cannot read %s: %s", path,
			    strerror(errno));
			return FR_TEMP;
		}
		if (b->len + (size_t)r > LIM_FORWARD) {
			snprintf(why, len, "%s is larger than %d bytes", path,
			    LIM_FORWARD);
			return FR_IGNORED;
		}
		buf_add(b, chunk, (size_t)r);
	}
	if (memchr(b->s, '\0', b->len) != NULL) {
		snprintf(why, len, "%s contains a NUL byte", path);
		return FR_IGNORED;
	}
	return buf_failed(b) ? (snprintf(why, len, "%s: %s", path,
	    strerror(ENOMEM)), FR_TEMP) : FR_OK;
}

/* Owned by one of two uids, and not writable as the mask says. */
static const char *
insecure(const struct stat *st, uid_t a, uid_t b, mode_t mask)
{
	if (st->st_uid != a && st->st_uid != b)
		return "it belongs to someone else";
	if (st->st_mode & mask)
		return (st->st_mode & mask & S_IWOTH) ?
		    "it is writable by others" : "it is writable by its group";
	return NULL;
}

/*
 * Open path as reader (see expand.h: who reads what), NULL for this
 * process.  ASUSER_OK with f to read, else an fread with why set
 * (what names the file in messages) or FR_NONE/FR_SKIP.
 */
static int
open_as(const struct user *reader, const char *path, enum asuser_how how,
    struct asuser_file *f, const char *what, char *why, size_t len)
{
	gid_t		 groups[LIM_GROUPS];
	char		 err[LIM_ERR];
	int		 ng = 0;

	if (reader != NULL && geteuid() == 0)
		ng = users_groups(reader, groups, LIM_GROUPS);
	switch (asuser_open(reader, groups, ng, path, how, LIM_FORWARD, f,
	    err, sizeof(err))) {
	case ASUSER_OK:
		return -1;
	case ASUSER_ERRNO:
		break;
	case ASUSER_NOTREG:
		snprintf(why, len, "%s%s: it is not a regular file", what,
		    path);
		return FR_IGNORED;
	case ASUSER_NOPROC:
		snprintf(why, len, "%s%s: it cannot be opened safely here "
		    "(no /proc)", what, path);
		return FR_IGNORED;
	case ASUSER_FAILED:
		snprintf(why, len, "cannot read %s%.200s: %.200s", what,
		    path, err);
		return FR_TEMP;
	}
	if (how == ASUSER_NOFOLLOW && (errno == ENOENT || errno == ENOTDIR))
		return FR_NONE;
	if (errno == EACCES && geteuid() != 0)
		return FR_SKIP;
	if (how == ASUSER_NOFOLLOW && errno == ELOOP) {
		snprintf(why, len, "it is a symbolic link");
		return FR_IGNORED;
	}
	if (how == ASUSER_NOFOLLOW)
		snprintf(why, len, "cannot open it: %s", strerror(errno));
	else
		snprintf(why, len, "cannot open %s%s: %s", what, path,
		    strerror(errno));
	return FR_TEMP;
}

/* The bytes of an open f, checked as read_fd does; f is closed. */
static enum fread
read_as(struct asuser_file *f, const char *path, struct buf *b, char *why,
    size_t len)
{
	enum fread	 r;

	r = read_fd(f->fd, path, b, why, len);
	/* a reader that failed half-way sent a part: not the file */
	if (asuser_close(f) == -1 && r == FR_OK) {
		snprintf(why, len, "cannot read %s: %s", path,
		    strerror(errno));
		r = FR_TEMP;
	}
	return r;
}

/* u's ~/.forward, read as u (see expand.h). */
static enum fread
read_forward(const struct user *u, struct buf *b, char *path, size_t plen,
    char *why, size_t len)
{
	struct asuser_file f;
	struct stat	 st;
	const char	*bad;
	int		 r, root = geteuid() == 0;

	if ((size_t)snprintf(path, plen, "%s/.forward", u->home) >= plen)
		return FR_NONE;
	if (stat(u->home, &st) == -1)
		return errno == EACCES && !root ? FR_SKIP : FR_NONE;
	if ((bad = insecure(&st, u->uid, 0, S_IWGRP | S_IWOTH)) != NULL) {
		snprintf(why, len, "its directory %.200s: %s", u->home, bad);
		return access(path, F_OK) == 0 ? FR_IGNORED : FR_NONE;
	}
	/* no .forward at all, the common case, needs no reader */
	if (lstat(path, &st) == -1 && (errno == ENOENT || errno == ENOTDIR))
		return FR_NONE;
	if (!root && geteuid() != u->uid)
		return FR_SKIP;
	if ((r = open_as(root && u->uid != 0 ? u : NULL, path,
	    ASUSER_NOFOLLOW, &f, "", why, len)) != -1)
		return (enum fread)r;
	if (!S_ISREG(f.mode))
		bad = "it is not a regular file";
	else if ((st.st_mode = f.mode, st.st_uid = f.uid,
	    bad = insecure(&st, u->uid, 0, S_IWGRP | S_IWOTH)) == NULL &&
	    f.uid == 0 && f.nlink != 1)
		bad = "it is root's and has other links";
	if (bad != NULL) {
		asuser_close(&f);
		snprintf(why, len, "%s", bad);
		return FR_IGNORED;
	}
	return read_as(&f, path, b, why, len);
}

/*
 * An include file from the aliases, read as default_user (reader), or
 * from owner's .forward, read as owner.  Only a regular file is ever
 * opened (a path from a user's .forward must not open a device: a tape
 * rewinds when opened).
 */
static enum fread
read_include(const char *path, enum source src, const struct user *owner,
    struct buf *b, char *why, size_t len)
{
	struct asuser_file f;
	struct stat	 st;
	const char	*bad = NULL;
	int		 r;

	if (src == SRC_FORWARD && geteuid() != 0 && geteuid() != owner->uid)
		return FR_SKIP;
	if ((r = open_as(owner->uid != 0 ? owner : NULL, path,
	    ASUSER_REGULAR, &f, "include file ", why, len)) != -1)
		return (enum fread)r;
	memset(&st, 0, sizeof(st));
	st.st_mode = f.mode;
	st.st_uid = f.uid;
	if (!S_ISREG(f.mode))
		bad = "it is not a regular file";
	else if (src == SRC_ALIASES)
		bad = insecure(&st, 0, owner->uid, S_IWOTH);
	else if ((bad = insecure(&st, owner->uid, 0, S_IWGRP | S_IWOTH)) ==
	    NULL && st.st_uid == 0 && !(st.st_mode & S_IROTH))
		bad = "it is root's and not readable by all";
	if (bad != NULL) {
		asuser_close(&f);
		snprintf(why, len, "include file %s: %s", path, bad);
		return FR_IGNORED;
	}
	return read_as(&f, path, b, why, len);
}

/* ---- the walk ---- */

static void expand_name(struct xctx *, const char *);
static void expand_list(struct xctx *, const struct dest_list *,
    enum source, const struct user *);

static void
mailbox(struct xctx *k, const char *name)
{
	struct user	 u;
	int		 r;

	if ((r = users_by_localpart(k->c->passwd, name, &u)) == 1)
		add_dest(k, X_MAILBOX, u.name, &u);
	else if (r == 0)
		fail(k, XF_PERM, name, "5.1.1 unknown user: \"%s\"", name);
	else
		fail(k, XF_TEMP, name, "4.3.0 cannot read %s: %s",
		    k->c->passwd, strerror(errno));
}

/* The user stage: their .forward, else their mailbox. */
static void
user_stage(struct xctx *k, const char *name)
{
	struct dest_list l = { 0 };
	struct user	 u;
	struct buf	 b;
	char		 path[LIM_PATH + 16], why[LIM_ERR], e[LIM_ERR];
	int		 r;

	if ((r = users_by_localpart(k->c->passwd, name, &u)) != 1) {
		mailbox(k, name);	/* the failure, said once */
		return;
	}
	buf_init(&b, 0);
	switch (read_forward(&u, &b, path, sizeof(path), why, sizeof(why))) {
	case FR_NONE:
		break;
	case FR_SKIP:
		fail(k, XF_SKIP, name, "4.3.0 cannot read %s here "
		    "(left for root's queue run)", path);
		goto out;
	case FR_TEMP:
		fail(k, XF_TEMP, name, "4.3.0 %s", why);
		goto out;
	case FR_IGNORED:
		log_warn("ignoring %s: %s", path, why);
		break;
	case FR_OK:
		if (aliases_parse_list(b.s, b.len, 1, &l, e, sizeof(e)) == -1) {
			log_warn("ignoring %s: %s", path, e);
			dest_list_free(&l);
		}
		break;
	}
	if (l.n == 0) {
		add_dest(k, X_MAILBOX, u.name, &u);
		goto out;
	}
	if (push(k, ST_FORWARD, u.name, name, path) == 0) {
		expand_list(k, &l, SRC_FORWARD, &u);
		k->depth--;
	}
out:
	dest_list_free(&l);
	buf_free(&b);
}

/* A name as a destination: self-reference, loop, alias, user. */
static void
expand_name(struct xctx *k, const char *given)
{
	const struct frame *p = parent(k);
	struct dest_list l = { 0 };
	struct buf	 v;
	char		 name[LIM_LOCAL + 1], e[LIM_ERR], label[LIM_LOCAL + 8];
	int		 r;

	if (strlen(given) > LIM_LOCAL) {
		fail(k, XF_PERM, given, "5.1.1 unknown user: \"%.64s...\"",
		    given);
		return;
	}
	for (size_t i = 0; (name[i] = (char)tolower((unsigned char)given[i]));
	    i++)
		;
	if (++k->nodes > LIM_ALIAS_NODES) {
		fail(k, XF_PERM, name, "5.4.6 alias expansion reaches more "
		    "than %d names", LIM_ALIAS_NODES);
		return;
	}
	if (p != NULL && strcmp(p->name, name) == 0) {
		/* "alice: alice, bob"; "alice" in alice's .forward */
		if (p->stage == ST_ALIAS)
			user_stage(k, name);
		else
			mailbox(k, name);
		return;
	}
	for (int i = 0; i < k->depth; i++)
		if (strcmp(k->chain[i].name, name) == 0) {
			char *via = via_text(k);

			fail(k, XF_PERM, name, "5.4.6 mail forwarding loop: %s "
			    "> %s", via != NULL ? via : "", name);
			free(via);
			return;
		}
	if (was_done(k, name))
		return;
	mark_done(k, name);
	buf_init(&v, 0);
	r = k->al_ok ? aliases_lookup(&k->al, name, &v) : 0;
	if (r == -1)
		fail(k, XF_TEMP, name, "4.3.0 cannot read the aliases "
		    "database: %s", strerror(errno));
	else if (r == 0)
		user_stage(k, name);
	else if (aliases_parse_list(v.s, v.len, 0, &l, e, sizeof(e)) == -1)
		fail(k, XF_TEMP, name, "4.3.0 alias \"%s\": %s (run "
		    "newaliases)", name, e);
	else {
		snprintf(label, sizeof(label), "alias %s", name);
		if (push(k, ST_ALIAS, name, name, label) == 0) {
			expand_list(k, &l, SRC_ALIASES, NULL);
			k->depth--;
		}
	}
	dest_list_free(&l);
	buf_free(&v);
}

static int
allowed(int setting, enum source src)
{
	return setting & (src == SRC_ALIASES ? CONF_ALLOW_ALIASES :
	    CONF_ALLOW_FORWARD);
}

/* Who runs a command or writes a file for this source. */
static int
runner(struct xctx *k, enum source src, const struct user *owner,
    struct user *u, const char *what)
{
	if (src == SRC_FORWARD && owner->uid != 0) {
		*u = *owner;
		return 0;
	}
	if (default_user(k, u) == -1) {
		fail(k, XF_TEMP, what, "4.3.0 default_user \"%s\" does not "
		    "exist", k->c->default_user);
		return -1;
	}
	if (u->uid == 0) {
		fail(k, XF_PERM, what, "5.7.1 refused: default_user is root, "
		    "and commands and files are never run as root");
		return -1;
	}
	return 0;
}

static void
include(struct xctx *k, const char *path, enum source src,
    const struct user *owner)
{
	struct dest_list l = { 0 };
	struct user	 du;
	struct buf	 b;
	char		 why[LIM_ERR], e[LIM_ERR], label[LIM_PATH + 16];

	snprintf(label, sizeof(label), ":include:%s", path);
	for (int i = 0; i < k->depth; i++)
		if (strcmp(k->chain[i].label, label) == 0) {
			fail(k, XF_PERM, label, "5.4.6 include loop: %s "
			    "includes itself", path);
			return;
		}
	/* read as default_user, under the rules of commands and files */
	if (src == SRC_ALIASES) {
		if (runner(k, src, NULL, &du, label) == -1)
			return;
		owner = &du;
	}
	buf_init(&b, 0);
	switch (read_include(path, src, owner, &b, why, sizeof(why))) {
	case FR_NONE:
	case FR_OK:
		if (aliases_parse_list(b.s, b.len, 1, &l, e, sizeof(e)) == -1)
			fail(k, XF_TEMP, label, "4.3.0 %s: %s", path, e);
		else if (push(k, ST_INCLUDE, "", label, label) == 0) {
			expand_list(k, &l, src, src == SRC_FORWARD ? owner :
			    NULL);
			k->depth--;
		}
		break;
	case FR_SKIP:
		fail(k, XF_SKIP, label, "4.3.0 cannot read %s here "
		    "(left for root's queue run)", path);
		break;
	case FR_TEMP:
		fail(k, XF_TEMP, label, "4.3.0 %s", why);
		break;
	case FR_IGNORED:
		log_warn("ignoring %s", why);
		k->ignored++;
		break;
	}
	dest_list_free(&l);
	buf_free(&b);
}

static void
command_or_file(struct xctx *k, const struct dest *d, enum source src,
    const struct user *owner)
{
	static const char *const where[] = { "the aliases", ".forward files" };
	int		 pipe = d->kind == DEST_PIPE;
	struct user	 u;

	if (!allowed(pipe ? k->c->allow_commands : k->c->allow_files, src)) {
		fail(k, XF_PERM, d->value, "5.7.1 %s in %s are not allowed "
		    "here (%s)", pipe ? "commands" : "files", where[src],
		    pipe ? "allow_commands" : "allow_files");
		return;
	}
	if (runner(k, src, owner, &u, d->value) == 0)
		add_dest(k, pipe ? X_PIPE : X_FILE, d->value, &u);
}

static void
expand_list(struct xctx *k, const struct dest_list *l, enum source src,
    const struct user *owner)
{
	char	 local[LIM_ADDR], domain[LIM_ADDR];

	for (size_t i = 0; i < l->n && !k->nomem; i++) {
		const struct dest *d = &l->d[i];

		switch (d->kind) {
		case DEST_USER:
			expand_name(k, d->value);
			break;
		case DEST_ADDR:
			if (addr_split(d->value, local, sizeof(local), domain,
			    sizeof(domain)) == 0 &&
			    conf_is_local_domain(k->c, domain))
				expand_name(k, local);
			else
				add_dest(k, X_REMOTE, d->value, NULL);
			break;
		case DEST_MAILBOX:
			mailbox(k, d->value);
			break;
		case DEST_PIPE:
		case DEST_FILE:
			command_or_file(k, d, src, owner);
			break;
		case DEST_INCLUDE:
			include(k, d->value, src, owner);
			break;
		}
	}
}

int
expand_local(const struct conf *c, const char *localpart,
    struct expansion *x)
{
	struct xctx	 k;
	char		 err[LIM_ERR];

	memset(x, 0, sizeof(*x));
	memset(&k, 0, sizeof(k));
	k.c = c;
	k.x = x;
	if (aliases_open(&k.al, c->aliases, err, sizeof(err)) == -1)
		fail(&k, XF_TEMP, localpart, "4.3.0 %s", err);
	else {
		k.al_ok = 1;
		if (k.al.missing)
			log_warn("%s%s does not exist: run newaliases",
			    c->aliases, ALIASES_DB_SUFFIX);
		else if (k.al.stale)
			log_warn("%s is newer than %s%s: run newaliases",
			    c->aliases, c->aliases, ALIASES_DB_SUFFIX);
		expand_name(&k, localpart);
		aliases_close(&k.al);
	}
	if (x->n == 0 && x->nf == 0)
		fail(&k, k.ignored ? XF_TEMP : XF_PERM, localpart, k.ignored ?
		    "4.7.0 no usable destination: an include file was "
		    "ignored (see the log)" : "5.1.1 no destination");
	for (size_t i = 0; i < k.ndone; i++)
		free(k.done[i]);
	free(k.done);
	if (k.nomem) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

int
expand_known(const struct conf *c, const char *localpart)
{
	struct aliases	 al;
	struct user	 u;
	struct buf	 v;
	char		 err[LIM_ERR];
	int		 r;

	if (aliases_open(&al, c->aliases, err, sizeof(err)) == -1)
		return -1;
	buf_init(&v, 0);
	r = aliases_lookup(&al, localpart, &v);
	buf_free(&v);
	aliases_close(&al);
	if (r != 0)
		return r;
	return users_by_localpart(c->passwd, localpart, &u);
}
