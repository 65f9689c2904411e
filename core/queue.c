/*
 * The spool: IDs, commit, envelopes, locks, listing, removal.
 *
 * IDs are ten characters of [0-9A-Za-z] (in ASCII order, so that the
 * IDs sort as the times they encode): six for the seconds since the
 * epoch, four for the microseconds.  Two processes that draw the same
 * ID in the same microsecond are kept apart by O_EXCL on tmp/ID, and a
 * committed entry by the check on msg/ID.
 */
#include <dirent.h>
#include <sys/syscall.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "limits.h"
#include "privs.h"
#include "queue.h"
#include "rand.h"
#include "str.h"

#define ID_LEN	10
#define SPARES	1024	/* emptied files kept in tmp/ for reuse */
#define SPARE_TRIES 32	/* slots tried, one after the other from a
			   random one, before making a file */
#define SPARE_GIVES 8	/* the same before removing one (a full pool) */
#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE	1
#endif
#define DONE_PER_LINE	50	/* keys on one D line of an envelope */

/* The spool, opened once by queue_init: every file operation below is
   relative to these descriptors, so no symlink in the spool is followed. */
static char spool[LIM_PATH - 64];	/* for messages */
static int spool_fd = -1, tmp_fd = -1, msg_fd = -1, env_fd = -1;
static uid_t spool_uid;			/* owner given to files root makes */
static gid_t spool_gid;

/* Set-group-ID: the spool group, kept as the saved gid only. */
static gid_t kept_gid;
static int kept;

static const char b62[] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/*
 * The spool group is in force only between up() and down(), around
 * the queue's own system calls.  Going back to the real gid cannot
 * fail for a process that holds it as its real gid; if it ever did,
 * nothing may go on with the group, so the process stops there.
 */
static int
up(void)
{
	return kept ? setegid(kept_gid) : 0;
}

static void
down(void)
{
	int	 saved = errno;

	if (kept && setegid(getgid()) == -1)
		abort();
	errno = saved;
}

int
queue_keep_group(gid_t gid)
{
	gid_t	 r = getgid();

	/* effective back to the real gid; the saved gid keeps the group */
	if (setresgid(r, r, gid) == -1 || getegid() != r)
		return -1;
	kept_gid = gid;
	kept = 1;
	return 0;
}

int
queue_group_kept(void)
{
	return kept;
}

int
queue_drop_group(char *err, size_t errlen)
{
	if (privs_drop_setgid(err, errlen) == -1)
		return -1;
	kept = 0;
	return 0;
}

/* Who may own the spool's directories: root, the `user` account and,
   for a process that is not root, the caller itself (a private spool). */
static const char *
check_dir(const struct stat *st, uid_t owner)
{
	if (!S_ISDIR(st->st_mode))
		return "is not a directory";
	if (st->st_uid != 0 && st->st_uid != owner &&
	    (getuid() == 0 || kept || st->st_uid != getuid()))
		return "belongs to someone else (not root, not the spool's "
		    "user)";
	if (st->st_mode & S_IWOTH)
		return "is writable by everyone";
	return NULL;
}

/* Open dir (relative to at) as a directory, never through a symlink,
   and check it; mkmode != 0: make it when missing (as root, owned by
   uid/gid).  -1 with errno, or -2 with err set when it fails a check. */
static int
open_dir(int at, const char *name, const char *shown, mode_t mkmode,
    uid_t owner, gid_t group, int *fdp, char *err, size_t errlen)
{
	struct stat	 st;
	const char	*bad;
	int		 fd, made = 0;

	if (mkmode != 0 && mkdirat(at, name, mkmode) == 0)
		made = 1;
	else if (mkmode != 0 && errno != EEXIST)
		goto fail;
	if ((fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1) {
		if (errno == ELOOP || errno == ENOTDIR) {
			struct stat lst;

			bad = fstatat(at, name, &lst, AT_SYMLINK_NOFOLLOW) == 0 &&
			    S_ISLNK(lst.st_mode) ? "is a symbolic link" :
			    "is not a directory";
			snprintf(err, errlen, "spool %s %s", shown, bad);
			return -2;
		}
		goto fail;
	}
	if (made && geteuid() == 0 && (fchown(fd, owner, group) == -1 ||
	    fchmod(fd, mkmode) == -1))
		goto fail_fd;
	if (fstat(fd, &st) == -1)
		goto fail_fd;
	if ((bad = check_dir(&st, owner)) != NULL) {
		close(fd);
		snprintf(err, errlen, "spool %s %s", shown, bad);
		return -2;
	}
	*fdp = fd;
	return 0;
fail_fd:
	{
		int saved = errno;

		close(fd);
		errno = saved;
	}
fail:
	{
		int saved = errno;

		snprintf(err, errlen, "cannot %s spool %s: %s", mkmode != 0 ?
		    "create" : "open", shown, strerror(saved));
		errno = saved;
	}
	return -1;
}

void
queue_close(void)
{
	int	*fds[] = { &spool_fd, &tmp_fd, &msg_fd, &env_fd };

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] != -1)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

/* The trigger: a FIFO that a running daemon reads.  Made by root or
   a private spool's owner; a set-group-ID run may not make it (a spool
   made before the trigger existed simply has none until root's next
   run: nobody is poked). */
static int
make_trigger(uid_t owner, gid_t group)
{
	if (kept)
		return 0;
	if (mkfifoat(spool_fd, "trigger", geteuid() == 0 ? 0620 : 0600) == -1)
		return errno == EEXIST ? 0 : -1;
	if (geteuid() == 0 && (fchownat(spool_fd, "trigger", owner, group,
	    AT_SYMLINK_NOFOLLOW) == -1 || fchmodat(spool_fd, "trigger", 0620,
	    0) == -1))
		return -1;
	return 0;
}

int
queue_init(const char *dir, int create, uid_t owner, gid_t group, char *err,
    size_t errlen)
{
	static const char *const subs[] = { "tmp", "msg", "env" };
	int		*fds[] = { &tmp_fd, &msg_fd, &env_fd };
	char		 shown[LIM_PATH];
	int		 root = geteuid() == 0, r;
	mode_t		 mode = create ? (root ? 0770 : 0700) : 0;

	queue_close();
	if (strlen(dir) >= sizeof(spool)) {
		snprintf(err, errlen, "spool path too long: %s", dir);
		errno = ENAMETOOLONG;
		return -1;
	}
	snprintf(spool, sizeof(spool), "%s", dir);
	spool_uid = owner;
	spool_gid = group;
	if (up() == -1) {
		snprintf(err, errlen, "unable to take the spool group: %s",
		    strerror(errno));
		return -1;
	}
	r = open_dir(AT_FDCWD, spool, spool, create ? (root ? 0755 : 0700) :
	    0, owner, group, &spool_fd, err, errlen);
	for (size_t i = 0; i < 3 && r == 0; i++) {
		snprintf(shown, sizeof(shown), "%s/%s", spool, subs[i]);
		r = open_dir(spool_fd, subs[i], shown, mode, owner, group,
		    fds[i], err, errlen);
	}
	if (r == 0 && create && make_trigger(owner, group) == -1) {
		snprintf(err, errlen, "cannot create %s/trigger: %s", spool,
		    strerror(errno));
		r = -1;
	}
	down();
	if (r != 0)
		queue_close();
	return r;
}

int
queue_poke(void)
{
	struct stat	 st;
	int		 fd, r = -1;

	if (spool_fd == -1) {
		errno = EBADF;
		return -1;
	}
	if (up() == -1)
		return -1;
	fd = openat(spool_fd, "trigger", O_WRONLY | O_NONBLOCK | O_NOFOLLOW |
	    O_CLOEXEC);
	down();
	if (fd == -1)
		return errno == ENXIO || errno == ENOENT ? 0 : -1;
	if (fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode)) {
		r = write(fd, "!", 1) == 1 ? 1 : errno == EAGAIN ? 1 : -1;
	} else
		errno = EINVAL;
	close(fd);
	return r;
}

int
queue_trigger_open(void)
{
	struct stat	 st;
	int		 fd;

	if (spool_fd == -1) {
		errno = EBADF;
		return -1;
	}
	if ((fd = openat(spool_fd, "trigger", O_RDWR | O_NONBLOCK |
	    O_NOFOLLOW | O_CLOEXEC)) == -1)
		return -1;
	if (fstat(fd, &st) == -1 || !S_ISFIFO(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	return fd;
}

int
queue_valid_id(const char *s)
{
	size_t	 i;

	for (i = 0; s[i] != '\0'; i++)
		if (i >= ID_LEN || strchr(b62, s[i]) == NULL)
			return 0;
	return i == ID_LEN;
}

static void
encode(char *out, unsigned long long v, int n)
{
	for (int i = n - 1; i >= 0; i--) {
		out[i] = b62[v % 62];
		v /= 62;
	}
}

static void
new_id(char *id)
{
	static struct timeval	 last;
	struct timeval		 tv;

	gettimeofday(&tv, NULL);
	/* strictly increasing within this process */
	if (tv.tv_sec < last.tv_sec || (tv.tv_sec == last.tv_sec &&
	    tv.tv_usec <= last.tv_usec)) {
		tv = last;
		if (++tv.tv_usec >= 1000000) {
			tv.tv_usec = 0;
			tv.tv_sec++;
		}
	}
	last = tv;
	encode(id, (unsigned long long)tv.tv_sec, 6);
	encode(id + 6, (unsigned long long)tv.tv_usec, 4);
	id[ID_LEN] = '\0';
}

/* A file the queue makes: group-readable whatever the umask (mailq of
   other users reads envelopes through the group), and given to the
   spool's owner when root makes it. */
static int
own_file(int fd)
{
	if (fchmod(fd, 0640) == -1)
		return -1;
	if (geteuid() == 0 && fchown(fd, spool_uid, spool_gid) == -1)
		return -1;
	return 0;
}

/*
 * Spare files.  A file the queue is done with (the envelope and the
 * message of a delivered entry) is emptied and kept as tmp/spare.N, and
 * the next file the queue needs is one of those renamed, not a new one:
 * on a file system that must skip every recently freed inode to make a
 * new one (ext4 without a journal), making and removing three files per
 * message costs more than all the rest of its way through.  A spare is
 * taken only by the account it belongs to, never by a set-group-ID
 * submitter, and only when it is still a plain file of one link.
 */
static int spares_off;		/* the kernel has no renameat2 */

static int
rename_noreplace(int fd1, const char *a, int fd2, const char *b)
{
	long	 r;

	if (spares_off) {
		errno = ENOSYS;
		return -1;
	}
	r = syscall(SYS_renameat2, fd1, a, fd2, b, RENAME_NOREPLACE);
	if (r == -1 && (errno == ENOSYS || errno == EINVAL))
		spares_off = 1;
	return r == -1 ? -1 : 0;
}

static int
may_reuse(const struct stat *st)
{
	if (!S_ISREG(st->st_mode) || st->st_nlink != 1 || kept)
		return 0;
	if (st->st_uid == spool_uid)
		return geteuid() == 0 || geteuid() == spool_uid;
	return st->st_uid == geteuid();
}

/* tmp/name from a spare, opened for writing and emptied; or -1. */
static int
spare_take(const char *name)
{
	struct stat	 st;
	char		 s[16];
	unsigned	 at = rand_u32() % SPARES;
	int		 fd;

	if (kept)
		return -1;	/* a set-group-ID submitter makes its own */
	for (int i = 0; i < SPARE_TRIES; i++) {
		snprintf(s, sizeof(s), "spare.%u", (at + (unsigned)i) % SPARES);
		if (rename_noreplace(tmp_fd, s, tmp_fd, name) == -1) {
			if (errno == ENOSYS)
				return -1;
			continue;
		}
		/* emptied only once it is known to be ours alone */
		fd = openat(tmp_fd, name, O_WRONLY | O_CLOEXEC | O_NOFOLLOW |
		    O_NONBLOCK);
		if (fd != -1 && fstat(fd, &st) == 0 && may_reuse(&st) &&
		    ftruncate(fd, 0) == 0 && fcntl(fd, F_SETFL, 0) == 0)
			return fd;
		if (fd != -1)
			close(fd);
		unlinkat(tmp_fd, name, 0);
	}
	return -1;
}

/* Empty dirfd/name and keep it as a spare, or remove it. */
static int
spare_give(int dirfd, const char *name)
{
	struct stat	 st;
	char		 s[16];
	unsigned	 at = rand_u32() % SPARES;
	int		 fd, ok;

	fd = openat(dirfd, name, O_WRONLY | O_CLOEXEC | O_NOFOLLOW |
	    O_NONBLOCK);
	ok = fd != -1 && fstat(fd, &st) == 0 && may_reuse(&st) &&
	    ftruncate(fd, 0) == 0;
	if (fd != -1)
		close(fd);
	for (int i = 0; ok && i < SPARE_GIVES; i++) {
		snprintf(s, sizeof(s), "spare.%u", (at + (unsigned)i) % SPARES);
		if (rename_noreplace(dirfd, name, tmp_fd, s) == 0)
			return 0;
		if (errno == ENOSYS)
			break;
	}
	return unlinkat(dirfd, name, 0);
}

static int
not_open(void)
{
	if (spool_fd != -1)
		return 0;
	errno = EBADF;
	return -1;
}

int
queue_open(struct queue_writer *w, char *err, size_t errlen)
{
	struct stat	 st;
	int		 fd = -1, saved;

	memset(w, 0, sizeof(*w));
	if (not_open() == -1 || up() == -1)
		goto fail;
	for (int tries = 0; tries < 1000; tries++) {
		new_id(w->id);
		if ((fd = spare_take(w->id)) == -1)
			fd = openat(tmp_fd, w->id, O_WRONLY | O_CREAT | O_EXCL |
			    O_CLOEXEC | O_NOFOLLOW, 0640);
		if (fd == -1 && errno == EEXIST)
			continue;
		if (fd == -1)
			break;
		if (fstatat(msg_fd, w->id, &st, AT_SYMLINK_NOFOLLOW) == 0) {
			/* taken by a committed entry */
			close(fd);
			unlinkat(tmp_fd, w->id, 0);
			fd = -1;
			continue;
		}
		if (own_file(fd) == -1 || (w->fp = fdopen(fd, "w")) == NULL)
			break;
		snprintf(w->tmp, sizeof(w->tmp), "%s", w->id);
		down();
		return 0;
	}
	saved = errno;
	if (fd != -1) {
		close(fd);
		unlinkat(tmp_fd, w->id, 0);
	}
	down();
	errno = saved;
fail:
	saved = errno;
	snprintf(err, errlen, "cannot create queue file in %s/tmp: %s", spool,
	    fd == -1 && errno != 0 ? strerror(errno) : "out of IDs");
	w->id[0] = '\0';
	errno = saved;
	return -1;
}

void
queue_abort(struct queue_writer *w)
{
	int	 saved = errno;

	if (w->fp != NULL)
		fclose(w->fp);
	w->fp = NULL;
	if (w->tmp[0] != '\0' && tmp_fd != -1 && up() == 0) {
		unlinkat(tmp_fd, w->tmp, 0);
		down();
	}
	w->tmp[0] = '\0';
	errno = saved;
}

void
queue_abort_signal(const struct queue_writer *w)
{
	if (w->tmp[0] != '\0' && tmp_fd != -1 && up() == 0)
		unlinkat(tmp_fd, w->tmp, 0);
}

/* Printable, one line: control characters become '?'. */
static void
put_value(FILE *fp, const char *tag, const char *v)
{
	fputs(tag, fp);
	for (; *v != '\0'; v++)
		fputc((unsigned char)*v < 0x20 || *v == 0x7f ? '?' : *v, fp);
	fputc('\n', fp);
}

/* The done list in lines of at most DONE_PER_LINE keys. */
static void
put_done(FILE *fp, const char *done)
{
	const char	*p = done, *start;
	int		 k;

	while (p != NULL && *p != '\0') {
		start = p;
		for (k = 0; k < DONE_PER_LINE && *p != '\0'; k++) {
			p += strcspn(p, " ");
			if (k + 1 < DONE_PER_LINE && *p == ' ')
				p++;
		}
		while (p > start && p[-1] == ' ')
			p--;
		fprintf(fp, "D %.*s\n", (int)(p - start), start);
		while (*p == ' ')
			p++;
	}
}

/*
 * The length of the key at k (QUEUE_KEY_LEN lower-case hex digits, or
 * 16 in an envelope written when keys were 64-bit: such a key is kept
 * but matches no new one, so its destination is delivered once more),
 * or 0 when k holds no key.
 */
static size_t
key_len(const char *k)
{
	size_t	 n = 0;

	while (n < QUEUE_KEY_LEN && ((k[n] >= '0' && k[n] <= '9') ||
	    (k[n] >= 'a' && k[n] <= 'f')))
		n++;
	if ((n == QUEUE_KEY_LEN || n == 16) && (k[n] == '\0' || k[n] == ' '))
		return n;
	return 0;
}

int
qrcpt_done(const struct qrcpt *r, const char *key)
{
	const char	*p = r->done;
	size_t		 kl = strlen(key), n;

	while (p != NULL && *p != '\0') {
		n = strcspn(p, " ");
		if (n == kl && strncmp(p, key, n) == 0)
			return 1;
		p += n;
		if (*p == ' ')
			p++;
	}
	return 0;
}

int
qrcpt_set_done(struct qrcpt *r, const char *key)
{
	size_t	 n = r->done != NULL ? strlen(r->done) : 0, kl = key_len(key);
	char	*d;

	if (kl == 0 || key[kl] != '\0') {
		errno = EINVAL;
		return -1;
	}
	if (qrcpt_done(r, key))
		return 0;
	if ((d = realloc(r->done, n + kl + 2)) == NULL)
		return -1;
	snprintf(d + n, kl + 2, "%s%s", n > 0 ? " " : "", key);
	r->done = d;
	return 0;
}

/* A D line: keys separated by single spaces. */
static int
read_done(struct qrcpt *r, const char *v)
{
	char	 key[QUEUE_KEY_LEN + 1];
	size_t	 n;

	if (*v == '\0')
		return -1;
	for (;;) {
		if ((n = key_len(v)) == 0)
			return -1;
		memcpy(key, v, n);
		key[n] = '\0';
		if (qrcpt_set_done(r, key) == -1)
			return -1;
		v += n;
		if (*v == '\0')
			return 0;
		v++;		/* the one space */
	}
}

/* A recipient's N, A and Y lines, those it has. */
static void
put_dsn(FILE *fp, const struct qrcpt *r)
{
	char	 n[32];

	if (r->notify != 0) {
		dsn_notify_text(r->notify, n, sizeof(n));
		fprintf(fp, "N %s\n", n);
	}
	if (r->orcpt != NULL)
		put_value(fp, "A ", r->orcpt);
	if (r->owed != DSN_ACTION_NONE)
		fprintf(fp, "Y %s\n", dsn_action_name(r->owed));
}

/* Write the envelope into tmp/NAME, fsync'd (called between up/down). */
static int
write_env_file(const char *name, const struct qenv *env)
{
	static const char st[] = "PSF";
	FILE	*fp;
	int	 fd, saved;

	if ((fd = spare_take(name)) == -1)
		fd = openat(tmp_fd, name, O_WRONLY | O_CREAT | O_TRUNC |
		    O_CLOEXEC | O_NOFOLLOW, 0640);
	if (fd == -1)
		return -1;
	if (own_file(fd) == -1 || (fp = fdopen(fd, "w")) == NULL) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	fprintf(fp, "V 1\nT %lld\nU %lu\nW %d\n", (long long)env->arrival,
	    (unsigned long)env->uid, env->warned);
	put_value(fp, "S ", env->sender);
	if (env->envid != NULL)
		put_value(fp, "I ", env->envid);
	if (env->ret != DSN_RET_NONE)
		fprintf(fp, "B %s\n", dsn_ret_name(env->ret));
	if (env->smtputf8)
		fputs("X SMTPUTF8\n", fp);
	if (env->sender_given)
		fputs("K 1\n", fp);
	for (int i = 0; i < env->nrcpt; i++) {
		const struct qrcpt *r = &env->rcpt[i];

		fprintf(fp, "R %c %d %lld ", st[r->status], r->attempts,
		    (long long)r->next_try);
		put_value(fp, "", r->addr);
		put_value(fp, "O ", r->orig ? r->orig : r->addr);
		put_dsn(fp, r);
		if (r->error != NULL)
			put_value(fp, "E ", r->error);
		put_done(fp, r->done);
	}
	if (fflush(fp) == EOF || ferror(fp) || fsync(fd) == -1) {
		saved = errno;
		fclose(fp);
		errno = saved;
		return -1;
	}
	return fclose(fp) == EOF ? -1 : 0;
}

/* The steps of a commit, with the group in force; what failed in *what. */
static int
commit_steps(struct queue_writer *w, struct qenv *env, const char **what)
{
	char	 etmp[LIM_QID + 8];
	int	 saved;

	snprintf(etmp, sizeof(etmp), "%s.env", w->id);
	*what = "write envelope";
	if (write_env_file(etmp, env) == -1)
		goto fail_env;
	*what = "rename";
	if (renameat(tmp_fd, w->tmp, msg_fd, w->id) == -1)
		goto fail_env;
	w->tmp[0] = '\0';
	if (renameat(tmp_fd, etmp, env_fd, w->id) == -1) {
		saved = errno;
		unlinkat(msg_fd, w->id, 0);
		errno = saved;
		goto fail_env;
	}
	*what = "sync";
	if (fsync(msg_fd) == -1 || fsync(env_fd) == -1) {
		/* not durable: take it back rather than acknowledge it */
		saved = errno;
		unlinkat(env_fd, w->id, 0);
		unlinkat(msg_fd, w->id, 0);
		errno = saved;
		return -1;
	}
	return 0;
fail_env:
	saved = errno;
	unlinkat(tmp_fd, etmp, 0);
	errno = saved;
	return -1;
}

int
queue_commit(struct queue_writer *w, struct qenv *env, char *err,
    size_t errlen)
{
	const char	*what = "write";
	int		 fd = fileno(w->fp), saved, r;

	snprintf(env->id, sizeof(env->id), "%s", w->id);
	if (fflush(w->fp) == EOF || ferror(w->fp) || fsync(fd) == -1)
		goto fail;
	what = "close";
	r = fclose(w->fp);
	w->fp = NULL;
	if (r == EOF)
		goto fail;
	if (up() == -1)
		goto fail;
	r = commit_steps(w, env, &what);
	down();
	if (r == 0)
		return 0;
fail:
	saved = errno;
	snprintf(err, errlen, "cannot %s queue file %s: %s", what, w->id,
	    strerror(saved));
	queue_abort(w);
	errno = saved;
	return -1;
}

static int
add_to_hop(struct qhop *h, int i)
{
	int	*v;

	if ((v = realloc(h->rcpt, sizeof(*v) * ((size_t)h->n + 1))) == NULL)
		return -1;
	h->rcpt = v;
	v[h->n++] = i;
	return 0;
}

int
qenv_hops(const struct qenv *env, const int *which, int n,
    struct qhop **hops, int *nhops)
{
	struct qhop	*v = NULL, *nv;
	const char	*at;
	int		 nh = 0, h;

	*hops = NULL;
	*nhops = 0;
	for (int k = 0; k < n; k++) {
		if (which[k] < 0 || which[k] >= env->nrcpt ||
		    (at = strrchr(env->rcpt[which[k]].addr, '@')) == NULL ||
		    at[1] == '\0' || strlen(at + 1) > LIM_DOMAIN) {
			errno = EINVAL;
			goto fail;
		}
		for (h = 0; h < nh; h++)
			if (strcasecmp(v[h].domain, at + 1) == 0)
				break;
		if (h == nh) {
			if ((nv = realloc(v, sizeof(*v) * ((size_t)nh + 1))) ==
			    NULL)
				goto fail;
			v = nv;
			memset(&v[nh], 0, sizeof(v[nh]));
			snprintf(v[nh].domain, sizeof(v[nh].domain), "%s",
			    at + 1);
			nh++;
		}
		if (add_to_hop(&v[h], which[k]) == -1)
			goto fail;
	}
	*hops = v;
	*nhops = nh;
	return 0;
fail:
	qhops_free(v, nh);
	return -1;
}

void
qhops_free(struct qhop *hops, int nhops)
{
	int	 saved = errno;

	for (int h = 0; h < nhops; h++)
		free(hops[h].rcpt);
	free(hops);
	errno = saved;
}

time_t
qenv_next_try(const struct qenv *env)
{
	time_t	 t = -1;

	for (int i = 0; i < env->nrcpt; i++)
		if (env->rcpt[i].status == RCPT_PENDING &&
		    (t == -1 || env->rcpt[i].next_try < t))
			t = env->rcpt[i].next_try;
	return t;
}

int
qenv_add_rcpt(struct qenv *env, const char *addr, const char *orig)
{
	struct qrcpt	*r;

	if (env->nrcpt >= LIM_RCPT_HARD) {
		errno = E2BIG;
		return -1;
	}
	if ((r = realloc(env->rcpt, sizeof(*r) * (size_t)(env->nrcpt + 1))) ==
	    NULL)
		return -1;
	env->rcpt = r;
	r = &env->rcpt[env->nrcpt];
	memset(r, 0, sizeof(*r));
	if ((r->addr = strdup(addr)) == NULL)
		return -1;
	if (orig != NULL && strcmp(orig, addr) != 0 &&
	    (r->orig = strdup(orig)) == NULL) {
		free(r->addr);
		return -1;
	}
	env->nrcpt++;
	return 0;
}

void
qenv_free(struct qenv *env)
{
	for (int i = 0; i < env->nrcpt; i++) {
		free(env->rcpt[i].addr);
		free(env->rcpt[i].orig);
		free(env->rcpt[i].error);
		free(env->rcpt[i].done);
		free(env->rcpt[i].orcpt);
	}
	free(env->rcpt);
	free(env->sender);
	free(env->envid);
	env->rcpt = NULL;
	env->sender = NULL;
	env->envid = NULL;
	env->nrcpt = 0;
}

/* A line about the last recipient; -1 with errno EINVAL when malformed
   (or when there is no recipient yet). */
static int
rcpt_line(struct qrcpt *r, const char *line)
{
	const char	*v = line + 2;
	int		 a;

	if (r == NULL)
		goto bad;
	switch (line[0]) {
	case 'O':
		return strcmp(v, r->addr) == 0 ? 0 : str_set(&r->orig, v);
	case 'E':
		return str_set(&r->error, v);
	case 'D':
		return read_done(r, v) == -1 ? (errno = EINVAL, -1) : 0;
	case 'N':
		return dsn_notify_parse(v, &r->notify) == -1 ?
		    (errno = EINVAL, -1) : 0;
	case 'A':
		if (!dsn_orcpt_valid(v))
			goto bad;
		return str_set(&r->orcpt, v);
	case 'Y':
		if ((a = dsn_action_parse(v)) != DSN_ACTION_DELIVERED &&
		    a != DSN_ACTION_RELAYED && a != DSN_ACTION_EXPANDED)
			goto bad;
		r->owed = (enum dsn_action)a;
		return 0;
	}
bad:
	errno = EINVAL;
	return -1;
}

/* A message's DSN and SMTPUTF8 line (I, B, X); -1 with errno EINVAL
   when malformed. */
static int
msg_dsn_line(struct qenv *env, const char *line)
{
	const char	*v = line + 2;
	int		 ret;

	switch (line[0]) {
	case 'I':
		if (!dsn_envid_valid(v))
			break;
		return str_set(&env->envid, v);
	case 'B':
		if ((ret = dsn_ret_parse(v)) == -1 || strcmp(v,
		    dsn_ret_name((enum dsn_ret)ret)) != 0)
			break;
		env->ret = (enum dsn_ret)ret;
		return 0;
	case 'X':
		if (strcmp(v, "SMTPUTF8") != 0)
			break;
		env->smtputf8 = 1;
		return 0;
	}
	errno = EINVAL;
	return -1;
}

/* One line of an envelope file; -1 with errno EINVAL when malformed. */
static int
env_line(struct qenv *env, char *line)
{
	struct qrcpt	*r = env->nrcpt ? &env->rcpt[env->nrcpt - 1] : NULL;
	char		 st, num[64];
	int		 att, n = 0;
	long long	 t;
	const char	*v = line + 2;

	if (line[0] == '\0' || line[1] != ' ')
		goto bad;
	switch (line[0]) {
	case 'V':
		return strcmp(v, "1") == 0 ? 0 : (errno = EINVAL, -1);
	case 'T':
		if (sscanf(v, "%lld%n", &t, &n) != 1 || v[n] != '\0')
			goto bad;
		env->arrival = (time_t)t;
		return 0;
	case 'U':
		/* no wrap: 2^32 must not read as uid 0 */
		if (sscanf(v, "%lld%n", &t, &n) != 1 || v[n] != '\0' || t < 0 ||
		    (long long)(uid_t)t != t)
			goto bad;
		env->uid = (uid_t)t;
		return 0;
	case 'W':
		env->warned = strcmp(v, "1") == 0;
		return 0;
	case 'K':
		env->sender_given = strcmp(v, "1") == 0;
		return 0;
	case 'S':
		return str_set(&env->sender, v);
	case 'I': case 'B': case 'X':
		return msg_dsn_line(env, line);
	case 'R':
		if (sscanf(v, "%c %d %lld %n", &st, &att, &t, &n) != 3 || n == 0 ||
		    strchr("PSF", st) == NULL || v[n] == '\0')
			goto bad;
		/* only as write_env_file puts it ("R P0 0x" would come back
		   longer, past LIM_ENV_LINE, and an overflowed count changed) */
		snprintf(num, sizeof(num), "%c %d %lld ", st, att, t);
		if (strncmp(v, num, strlen(num)) != 0)
			goto bad;
		if (qenv_add_rcpt(env, v + n, NULL) == -1)
			return -1;
		r = &env->rcpt[env->nrcpt - 1];
		r->status = st == 'P' ? RCPT_PENDING : st == 'S' ? RCPT_SENT :
		    RCPT_FAILED;
		r->attempts = att;
		r->next_try = (time_t)t;
		return 0;
	}
	return rcpt_line(r, line);
bad:
	errno = EINVAL;
	return -1;
}

/* Open NAME in the directory dfd for reading, with the group. */
static int
open_in(int dfd, const char *name)
{
	int	 fd;

	if (not_open() == -1 || up() == -1)
		return -1;
	fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	down();
	return fd;
}

int
queue_read_env(const char *id, struct qenv *env, char *err, size_t errlen)
{
	char	 line[LIM_ENV_LINE + 2];
	FILE	*fp = NULL;
	int	 lineno = 0, saved, fd = -1;
	size_t	 n, i;

	memset(env, 0, sizeof(*env));
	errno = EINVAL;
	if (!queue_valid_id(id) || (fd = open_in(env_fd, id)) == -1 ||
	    (fp = fdopen(fd, "r")) == NULL) {
		saved = errno;
		if (fd != -1)
			close(fd);
		snprintf(err, errlen, "cannot open envelope %s: %s", id,
		    strerror(saved));
		errno = saved;
		return -1;
	}
	snprintf(env->id, sizeof(env->id), "%s", id);
	while (fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		n = strlen(line);
		if (n == 0 || line[n - 1] != '\n')
			goto bad;
		line[n - 1] = '\0';
		/* write_env_file never writes a control character: a line
		   with one is damaged, and a rewrite would not keep it */
		for (i = 0; i + 1 < n; i++)
			if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f) {
				errno = EINVAL;
				goto bad;
			}
		if (env_line(env, line) == -1)
			goto bad;
	}
	if (ferror(fp) || env->sender == NULL || env->arrival == 0)
		goto bad;
	fclose(fp);
	return 0;
bad:
	saved = errno ? errno : EINVAL;
	snprintf(err, errlen, "%s/env/%s:%d: malformed envelope", spool, id,
	    lineno);
	fclose(fp);
	qenv_free(env);
	errno = saved == ENOENT ? EINVAL : saved;
	return -1;
}

int
queue_write_env(const struct qenv *env, char *err, size_t errlen)
{
	char	 tmp[LIM_QID + 8];
	int	 saved, r = -1;

	snprintf(tmp, sizeof(tmp), "%s.env", env->id);
	if (queue_valid_id(env->id) && not_open() == 0 && up() == 0) {
		if ((r = write_env_file(tmp, env)) == 0)
			r = renameat(tmp_fd, tmp, env_fd, env->id);
		if (r == -1) {
			saved = errno;
			unlinkat(tmp_fd, tmp, 0);
			errno = saved;
		}
		down();
	} else if (!queue_valid_id(env->id))
		errno = EINVAL;
	if (r == 0)
		return 0;
	saved = errno;
	snprintf(err, errlen, "cannot rewrite envelope %s: %s", env->id,
	    strerror(saved));
	errno = saved;
	return -1;
}

int
queue_lock(const char *id, int wait)
{
	int	 fd, saved;

	if (!queue_valid_id(id)) {
		errno = EINVAL;
		return -1;
	}
	if ((fd = open_in(msg_fd, id)) == -1)
		return -1;
	while (flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) == -1) {
		if (errno == EINTR)
			continue;
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

int
queue_is_locked(const char *id)
{
	int	 fd = queue_lock(id, 0);

	if (fd == -1)
		return errno == EWOULDBLOCK;
	close(fd);
	return 0;
}

int
queue_remove(const char *id)
{
	int	 r = -1;

	if (!queue_valid_id(id)) {
		errno = EINVAL;
		return -1;
	}
	if (not_open() == -1 || up() == -1)
		return -1;
	if ((spare_give(env_fd, id) == 0 || errno == ENOENT) &&
	    (spare_give(msg_fd, id) == 0 || errno == ENOENT))
		r = 0;
	down();
	return r;
}

static int
cmp_ids(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A directory stream over a copy of dfd, from its start. */
static DIR *
open_list(int dfd)
{
	DIR	*d;
	int	 fd;

	if (not_open() == -1 || up() == -1)
		return NULL;
	fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	down();
	if (fd == -1)
		return NULL;
	if ((d = fdopendir(fd)) == NULL)
		close(fd);
	return d;
}

int
queue_list(char ***ids, int *n)
{
	char		**v = NULL, **nv;
	DIR		*d;
	struct dirent	*de;
	int		 cnt = 0, cap = 0, saved;

	*ids = NULL;
	*n = 0;
	if ((d = open_list(env_fd)) == NULL)
		return -1;
	while ((errno = 0, de = readdir(d)) != NULL) {
		if (!queue_valid_id(de->d_name))
			continue;
		if (cnt == cap) {
			cap = cap ? cap * 2 : 64;
			if ((nv = realloc(v, sizeof(*v) * (size_t)cap)) == NULL)
				goto fail;
			v = nv;
		}
		if ((v[cnt] = strdup(de->d_name)) == NULL)
			goto fail;
		cnt++;
	}
	if (errno != 0)
		goto fail;
	closedir(d);
	if (cnt > 1)
		qsort(v, (size_t)cnt, sizeof(*v), cmp_ids);
	*ids = v;
	*n = cnt;
	return 0;
fail:
	saved = errno;
	closedir(d);
	queue_list_free(v, cnt);
	errno = saved;
	return -1;
}

void
queue_list_free(char **ids, int n)
{
	for (int i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
}

off_t
queue_msg_size(const char *id)
{
	struct stat	 st;
	int		 r;

	if (!queue_valid_id(id) || not_open() == -1 || up() == -1)
		return -1;
	r = fstatat(msg_fd, id, &st, AT_SYMLINK_NOFOLLOW);
	down();
	return r == -1 || !S_ISREG(st.st_mode) ? -1 : st.st_size;
}

/* A name the queue gives files in tmp/: ID, or ID.env. */
static int
tmp_name(const char *s)
{
	char	 id[LIM_QID];
	size_t	 n = strlen(s);

	if (n == ID_LEN + 4 && strcmp(s + ID_LEN, ".env") == 0) {
		memcpy(id, s, ID_LEN);
		id[ID_LEN] = '\0';
		return queue_valid_id(id);
	}
	return queue_valid_id(s);
}

/* A message is swept when it is of the queue's form with no envelope. */
static int
orphan_msg(const char *id)
{
	struct stat	 st;

	return queue_valid_id(id) && fstatat(env_fd, id, &st,
	    AT_SYMLINK_NOFOLLOW) == -1 && errno == ENOENT;
}

/* Remove the regular files in dfd older than max_age whose names
   sweepable() takes: only names of the queue's own form. */
static int
sweep(int dfd, time_t max_age, int (*sweepable)(const char *))
{
	DIR		*d;
	struct dirent	*de;
	struct stat	 st;
	time_t		 now = time(NULL);
	int		 removed = 0;

	if ((d = open_list(dfd)) == NULL)
		return -1;
	if (up() == -1) {
		closedir(d);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (!sweepable(de->d_name) ||
		    fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
		    !S_ISREG(st.st_mode) || now - st.st_mtime < max_age)
			continue;
		if (unlinkat(dfd, de->d_name, 0) == 0)
			removed++;
	}
	down();
	closedir(d);
	return removed;
}

int
queue_clean(time_t max_age)
{
	int	 a, b;

	if ((a = sweep(tmp_fd, max_age, tmp_name)) == -1 ||
	    (b = sweep(msg_fd, max_age, orphan_msg)) == -1)
		return -1;
	return a + b;
}
