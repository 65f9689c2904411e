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
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "limits.h"
#include "queue.h"
#include "str.h"

#define ID_LEN	10
#define DONE_PER_LINE	100	/* keys on one D line of an envelope */

static char spool[LIM_PATH - 64];	/* room for "/tmp/ID.env" */

static const char b62[] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

static int
path(char *out, const char *dir, const char *id, const char *suffix)
{
	if ((size_t)snprintf(out, LIM_PATH, "%s/%s/%s%s", spool, dir, id,
	    suffix) >= LIM_PATH) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

static int
mkdir_owned(const char *p, mode_t mode, uid_t uid, gid_t gid, int root)
{
	struct stat	 st;

	if (mkdir(p, mode) == -1) {
		if (errno != EEXIST)
			return -1;
		if (stat(p, &st) == -1)
			return -1;
		if (!S_ISDIR(st.st_mode)) {
			errno = ENOTDIR;
			return -1;
		}
		return 0;
	}
	if (root && (chown(p, uid, gid) == -1 || chmod(p, mode) == -1))
		return -1;
	return 0;
}

int
queue_setup(const char *dir, uid_t uid, gid_t gid, char *err, size_t errlen)
{
	static const char *const subs[] = { "tmp", "msg", "env" };
	char		 p[LIM_PATH];
	int		 root = geteuid() == 0;
	mode_t		 mode = root ? 0770 : 0700;

	if (strlen(dir) >= sizeof(spool)) {
		snprintf(err, errlen, "spool path too long: %s", dir);
		errno = ENAMETOOLONG;
		return -1;
	}
	snprintf(spool, sizeof(spool), "%s", dir);
	if (mkdir_owned(spool, root ? 0755 : 0700, uid, gid, root) == -1)
		goto fail;
	for (size_t i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s/%s", spool, subs[i]);
		if (mkdir_owned(p, mode, uid, gid, root) == -1) {
			snprintf(err, errlen, "cannot create %s: %s", p,
			    strerror(errno));
			return -1;
		}
	}
	return 0;
fail:
	snprintf(err, errlen, "cannot create spool %s: %s", spool,
	    strerror(errno));
	return -1;
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

int
queue_open(struct queue_writer *w, char *err, size_t errlen)
{
	char		 p[LIM_PATH];
	struct stat	 st;
	int		 fd = -1;

	memset(w, 0, sizeof(*w));
	for (int tries = 0; tries < 1000; tries++) {
		new_id(w->id);
		if (path(w->tmp, "tmp", w->id, "") == -1 ||
		    path(p, "msg", w->id, "") == -1)
			break;
		fd = open(w->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
		    O_NOFOLLOW, 0640);
		if (fd == -1 && errno == EEXIST)
			continue;
		if (fd == -1)
			break;
		if (stat(p, &st) == 0) {	/* taken by a committed entry */
			close(fd);
			unlink(w->tmp);
			fd = -1;
			continue;
		}
		if ((w->fp = fdopen(fd, "w")) == NULL)
			break;
		return 0;
	}
	snprintf(err, errlen, "cannot create queue file in %s/tmp: %s", spool,
	    fd == -1 ? strerror(errno) : "out of IDs");
	if (fd != -1) {
		close(fd);
		unlink(w->tmp);
	}
	return -1;
}

void
queue_abort(struct queue_writer *w)
{
	int	 saved = errno;

	if (w->fp != NULL)
		fclose(w->fp);
	w->fp = NULL;
	if (w->tmp[0] != '\0')
		unlink(w->tmp);
	w->tmp[0] = '\0';
	errno = saved;
}

static int
fsync_dir(const char *dir)
{
	char	 p[LIM_PATH];
	int	 fd, r;

	snprintf(p, sizeof(p), "%s/%s", spool, dir);
	if ((fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	r = fsync(fd);
	close(fd);
	return r;
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
	size_t	 n = done != NULL ? strlen(done) : 0, k;

	while (n > 0) {
		k = n > DONE_PER_LINE * 17 ? DONE_PER_LINE * 17 - 1 : n;
		fprintf(fp, "D %.*s\n", (int)k, done);
		done += k;
		n -= k;
		while (n > 0 && *done == ' ')
			done++, n--;
	}
}

static int
is_key(const char *k)
{
	for (int i = 0; i < 16; i++)
		if (!((k[i] >= '0' && k[i] <= '9') || (k[i] >= 'a' && k[i] <= 'f')))
			return 0;
	return k[16] == '\0' || k[16] == ' ';
}

int
qrcpt_done(const struct qrcpt *r, const char *key)
{
	const char	*p = r->done;

	for (; p != NULL && *p != '\0'; p += p[16] == ' ' ? 17 : 16)
		if (strncmp(p, key, 16) == 0)
			return 1;
	return 0;
}

int
qrcpt_set_done(struct qrcpt *r, const char *key)
{
	size_t	 n = r->done != NULL ? strlen(r->done) : 0;
	char	*d;

	if (qrcpt_done(r, key))
		return 0;
	if ((d = realloc(r->done, n + 18)) == NULL)
		return -1;
	snprintf(d + n, 18, "%s%.16s", n > 0 ? " " : "", key);
	r->done = d;
	return 0;
}

/* A D line: keys of 16 hex digits separated by single spaces. */
static int
read_done(struct qrcpt *r, const char *v)
{
	size_t	 n = strlen(v);

	if (n < 16 || (n + 1) % 17 != 0)
		return -1;
	for (size_t i = 0; i < n; i += 17)
		if (!is_key(v + i) || qrcpt_set_done(r, v + i) == -1)
			return -1;
	return 0;
}

static int
write_env_file(const char *tmp, const struct qenv *env)
{
	static const char st[] = "PSF";
	FILE	*fp;
	int	 fd, saved;

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
	    0640);
	if (fd == -1)
		return -1;
	if ((fp = fdopen(fd, "w")) == NULL) {
		close(fd);
		return -1;
	}
	fprintf(fp, "V 1\nT %lld\nU %lu\nW %d\n", (long long)env->arrival,
	    (unsigned long)env->uid, env->warned);
	put_value(fp, "S ", env->sender);
	for (int i = 0; i < env->nrcpt; i++) {
		const struct qrcpt *r = &env->rcpt[i];

		fprintf(fp, "R %c %d %lld ", st[r->status], r->attempts,
		    (long long)r->next_try);
		put_value(fp, "", r->addr);
		put_value(fp, "O ", r->orig ? r->orig : r->addr);
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

int
queue_commit(struct queue_writer *w, struct qenv *env, char *err,
    size_t errlen)
{
	char	 etmp[LIM_PATH], msg[LIM_PATH], envp[LIM_PATH];
	int	 fd = fileno(w->fp), saved;
	const char *what = "write";

	snprintf(env->id, sizeof(env->id), "%s", w->id);
	if (path(etmp, "tmp", w->id, ".env") == -1 ||
	    path(msg, "msg", w->id, "") == -1 ||
	    path(envp, "env", w->id, "") == -1)
		goto fail;
	if (fflush(w->fp) == EOF || ferror(w->fp) || fsync(fd) == -1)
		goto fail;
	what = "close";
	if (fclose(w->fp) == EOF) {
		w->fp = NULL;
		goto fail;
	}
	w->fp = NULL;
	what = "write envelope";
	if (write_env_file(etmp, env) == -1)
		goto fail_env;
	what = "rename";
	if (rename(w->tmp, msg) == -1)
		goto fail_env;
	w->tmp[0] = '\0';
	if (rename(etmp, envp) == -1) {
		saved = errno;
		unlink(msg);
		errno = saved;
		goto fail_env;
	}
	what = "sync";
	if (fsync_dir("msg") == -1 || fsync_dir("env") == -1) {
		/* not durable: take it back rather than acknowledge it */
		saved = errno;
		unlink(envp);
		unlink(msg);
		errno = saved;
		goto fail;
	}
	return 0;
fail_env:
	saved = errno;
	unlink(etmp);
	errno = saved;
fail:
	saved = errno;
	snprintf(err, errlen, "cannot %s queue file %s: %s", what, w->id,
	    strerror(saved));
	queue_abort(w);
	errno = saved;
	return -1;
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
	}
	free(env->rcpt);
	free(env->sender);
	env->rcpt = NULL;
	env->sender = NULL;
	env->nrcpt = 0;
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
	case 'S':
		return str_set(&env->sender, v);
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
	case 'O':
		if (r == NULL)
			goto bad;
		return strcmp(v, r->addr) == 0 ? 0 : str_set(&r->orig, v);
	case 'E':
		if (r == NULL)
			goto bad;
		return str_set(&r->error, v);
	case 'D':
		if (r == NULL || read_done(r, v) == -1)
			goto bad;
		return 0;
	}
bad:
	errno = EINVAL;
	return -1;
}

int
queue_read_env(const char *id, struct qenv *env, char *err, size_t errlen)
{
	char	 p[LIM_PATH], line[LIM_ENV_LINE + 2];
	FILE	*fp;
	int	 lineno = 0, saved;
	size_t	 n, i;

	memset(env, 0, sizeof(*env));
	if (path(p, "env", id, "") == -1 || (fp = fopen(p, "re")) == NULL) {
		saved = errno;
		snprintf(err, errlen, "cannot open envelope %s: %s", id,
		    strerror(errno));
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
	snprintf(err, errlen, "%s:%d: malformed envelope", p, lineno);
	fclose(fp);
	qenv_free(env);
	errno = saved == ENOENT ? EINVAL : saved;
	return -1;
}

int
queue_write_env(const struct qenv *env, char *err, size_t errlen)
{
	char	 tmp[LIM_PATH], p[LIM_PATH];
	int	 saved;

	if (path(tmp, "tmp", env->id, ".env") == -1 ||
	    path(p, "env", env->id, "") == -1)
		goto fail;
	if (write_env_file(tmp, env) == -1 || rename(tmp, p) == -1) {
		saved = errno;
		unlink(tmp);
		errno = saved;
		goto fail;
	}
	return 0;
fail:
	saved = errno;
	snprintf(err, errlen, "cannot rewrite envelope %s: %s", env->id,
	    strerror(errno));
	errno = saved;
	return -1;
}

int
queue_lock(const char *id, int wait)
{
	char	 p[LIM_PATH];
	int	 fd, saved;

	if (path(p, "msg", id, "") == -1)
		return -1;
	if ((fd = open(p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
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
	char	 p[LIM_PATH];

	if (path(p, "env", id, "") == -1 || (unlink(p) == -1 && errno != ENOENT))
		return -1;
	if (path(p, "msg", id, "") == -1 || (unlink(p) == -1 && errno != ENOENT))
		return -1;
	return 0;
}

static int
cmp_ids(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
queue_list(char ***ids, int *n)
{
	char		 p[LIM_PATH], **v = NULL, **nv;
	DIR		*d;
	struct dirent	*de;
	int		 cnt = 0, cap = 0, saved;

	*ids = NULL;
	*n = 0;
	snprintf(p, sizeof(p), "%s/env", spool);
	if ((d = opendir(p)) == NULL)
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
	char		 p[LIM_PATH];
	struct stat	 st;

	if (path(p, "msg", id, "") == -1 || stat(p, &st) == -1)
		return -1;
	return st.st_size;
}

/* Remove the regular files in DIR older than max_age for which keep()
   says no. */
static int
sweep(const char *sub, time_t max_age, int (*keep)(const char *))
{
	char		 p[LIM_PATH];
	DIR		*d;
	struct dirent	*de;
	struct stat	 st;
	time_t		 now = time(NULL);
	int		 removed = 0;

	snprintf(p, sizeof(p), "%s/%s", spool, sub);
	if ((d = opendir(p)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
		    !S_ISREG(st.st_mode) || now - st.st_mtime < max_age ||
		    (keep != NULL && keep(de->d_name)))
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) == 0)
			removed++;
	}
	closedir(d);
	return removed;
}

/* A message is kept while its envelope exists. */
static int
has_env(const char *id)
{
	char		 p[LIM_PATH];
	struct stat	 st;

	return path(p, "env", id, "") == -1 || lstat(p, &st) == 0 ||
	    errno != ENOENT;
}

int
queue_clean(time_t max_age)
{
	int	 a, b;

	if ((a = sweep("tmp", max_age, NULL)) == -1 ||
	    (b = sweep("msg", max_age, has_env)) == -1)
		return -1;
	return a + b;
}
