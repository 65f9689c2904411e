/*
 * Local users from a passwd-format file.  The file is read with stdio
 * but every line is bounded: a line over LIM_PW_LINE is skipped whole,
 * so that its tail can never be taken for a line of its own.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"
#include "str.h"
#include "users.h"

#define NFIELDS	7

/* uid_t and gid_t are 32 bits on Linux; (uid_t)-1 means "no change". */
#define ID_MAX	0xfffffffeUL

static int
parse_id(const char *s, unsigned long *out)
{
	char		*end;
	unsigned long	 v;

	/* strtoul accepts blanks and a sign; a passwd field has neither */
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > ID_MAX)
		return -1;
	*out = v;
	return 0;
}

static int
copy_field(char *dst, size_t size, const char *src)
{
	size_t	 n = strlen(src);

	if (n >= size)
		return -1;
	memcpy(dst, src, n + 1);
	return 0;
}

/* Split line (no newline) into u; -1 if it is malformed. */
static int
parse_line(char *line, struct user *u)
{
	char		*f[NFIELDS], *p = line;
	unsigned long	 uid, gid;
	int		 n;

	for (n = 0; n < NFIELDS; n++) {
		f[n] = p;
		if ((p = strchr(p, ':')) == NULL)
			break;
		*p++ = '\0';
	}
	/* exactly six colons: n stops at 6 with p == NULL */
	if (n != NFIELDS - 1 || p != NULL)
		return -1;
	if (f[0][0] == '\0' || parse_id(f[2], &uid) == -1 ||
	    parse_id(f[3], &gid) == -1)
		return -1;
	memset(u, 0, sizeof(*u));
	if (copy_field(u->name, sizeof(u->name), f[0]) == -1 ||
	    copy_field(u->gecos, sizeof(u->gecos), f[4]) == -1 ||
	    copy_field(u->home, sizeof(u->home), f[5]) == -1 ||
	    copy_field(u->shell, sizeof(u->shell), f[6]) == -1)
		return -1;
	u->uid = (uid_t)uid;
	u->gid = (gid_t)gid;
	return 0;
}

/* Throw away the rest of an over-long line.  -1 on a read error. */
static int
skip_rest(FILE *fp)
{
	int	 ch;

	while ((ch = getc(fp)) != EOF)
		if (ch == '\n')
			return 0;
	return ferror(fp) ? -1 : 0;
}

struct match {
	const char	*name;	/* by name when not NULL, else by uid */
	uid_t		 uid;
};

static int
matches(const struct match *m, const struct user *u)
{
	if (m->name != NULL)
		return strcmp(m->name, u->name) == 0;
	return m->uid == u->uid;
}

static int
scan(const char *passwd, const struct match *m, struct user *out)
{
	FILE		*fp;
	char		 line[LIM_PW_LINE + 2];	/* the line, '\n', NUL */
	struct user	 u;
	size_t		 n;
	int		 r = 0, saved;

	if ((fp = fopen(passwd, "re")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL) {
		n = strlen(line);
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		else if (n > LIM_PW_LINE) {
			if (skip_rest(fp) == -1)
				break;
			continue;
		}
		if (n == 0 || line[0] == '#' || parse_line(line, &u) == -1)
			continue;
		if (matches(m, &u)) {
			*out = u;
			r = 1;
			break;
		}
	}
	if (r == 0 && ferror(fp)) {
		saved = errno != 0 ? errno : EIO;
		fclose(fp);
		errno = saved;
		return -1;
	}
	fclose(fp);
	return r;
}

int
users_by_name(const char *passwd, const char *name, struct user *u)
{
	struct match	 m = { name, 0 };

	return scan(passwd, &m, u);
}

int
users_by_uid(const char *passwd, uid_t uid, struct user *u)
{
	struct match	 m = { NULL, uid };

	return scan(passwd, &m, u);
}

int
users_by_localpart(const char *passwd, const char *localpart, struct user *u)
{
	char	 name[LIM_USER + 1];

	if (strlen(localpart) > LIM_USER)
		return 0;
	snprintf(name, sizeof(name), "%s", localpart);
	return users_by_name(passwd, str_lower(name), u);
}

int
users_groups(const struct user *u, gid_t *groups, int max)
{
	struct passwd	*pw;
	int		 n = max;

	groups[0] = u->gid;
	if (max <= 1 || (pw = getpwnam(u->name)) == NULL ||
	    pw->pw_uid != u->uid)
		return 1;
	/* -1: more than max; the first max are there all the same */
	if (getgrouplist(u->name, u->gid, groups, &n) == -1 || n > max)
		n = max;
	if (n < 1) {
		groups[0] = u->gid;
		n = 1;
	}
	return n;
}
