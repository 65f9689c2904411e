/*
 * mailx settings and start-up files: see mailrc.h.
 *
 * The lists are small (tens of entries) and looked up by name with a
 * linear search: simpler than a table and fast enough for a person.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "limits.h"
#include "mailrc.h"

/* Commands a start-up file may not give (POSIX mailx, "Start-up"). */
static const char *const not_in_rc[] = {
	"!", "Copy", "edit", "followup", "Followup", "hold", "mail",
	"preserve", "reply", "Reply", "shell", "visual", NULL
};

void
mailrc_init(struct mailrc *rc, int sending)
{
	memset(rc, 0, sizeof(*rc));
	rc->sending = sending;
	mailrc_set(rc, "asksub", NULL);
	mailrc_set(rc, "header", NULL);
	mailrc_set(rc, "save", NULL);
	mailrc_set(rc, "prompt", "& ");
	mailrc_set(rc, "escape", "~");
	mailrc_set(rc, "toplines", "5");
	mailrc_set(rc, "indentprefix", "\t");
}

static void
free_list(char **l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(l[i]);
	free(l);
}

void
mailrc_free(struct mailrc *rc)
{
	for (size_t i = 0; i < rc->nvars; i++) {
		free(rc->vars[i].name);
		free(rc->vars[i].value);
	}
	free(rc->vars);
	for (size_t i = 0; i < rc->naliases; i++) {
		free(rc->aliases[i].name);
		free_list(rc->aliases[i].addrs, rc->aliases[i].naddrs);
	}
	free(rc->aliases);
	free_list(rc->ignore, rc->nignore);
	free_list(rc->retain, rc->nretain);
	memset(rc, 0, sizeof(*rc));
}

static struct mailrc_var *
find_var(const struct mailrc *rc, const char *name)
{
	for (size_t i = 0; i < rc->nvars; i++)
		if (strcmp(rc->vars[i].name, name) == 0)
			return &rc->vars[i];
	return NULL;
}

const char *
mailrc_get(const struct mailrc *rc, const char *name)
{
	struct mailrc_var	*v = find_var(rc, name);

	return v != NULL ? v->value : getenv(name);
}

int
mailrc_bool(const struct mailrc *rc, const char *name)
{
	return mailrc_get(rc, name) != NULL;
}

long
mailrc_num(const struct mailrc *rc, const char *name, long dflt)
{
	const char	*s = mailrc_get(rc, name);
	char		*end;
	long		 n;

	if (s == NULL || *s == '\0')
		return dflt;
	errno = 0;
	n = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || n < 0)
		return dflt;
	return n;
}

static int
good_name(const char *name)
{
	if (*name == '\0')
		return 0;
	for (const char *p = name; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || *p == '=' || *p == 0x7f)
			return 0;
	return 1;
}

int
mailrc_set(struct mailrc *rc, const char *name, const char *value)
{
	struct mailrc_var	*v, *nv;
	char			*val;

	if (!good_name(name)) {
		errno = EINVAL;
		return -1;
	}
	if ((val = strdup(value != NULL ? value : "")) == NULL)
		return -1;
	if ((v = find_var(rc, name)) != NULL) {
		free(v->value);
		v->value = val;
		return 0;
	}
	nv = realloc(rc->vars, (rc->nvars + 1) * sizeof(*nv));
	if (nv == NULL)
		goto fail;
	rc->vars = nv;
	if ((nv[rc->nvars].name = strdup(name)) == NULL)
		goto fail;
	nv[rc->nvars++].value = val;
	return 0;
fail:
	free(val);
	return -1;
}

void
mailrc_unset(struct mailrc *rc, const char *name)
{
	struct mailrc_var	*v = find_var(rc, name);
	size_t			 i;

	if (v == NULL)
		return;
	i = (size_t)(v - rc->vars);
	free(v->name);
	free(v->value);
	memmove(v, v + 1, (rc->nvars - i - 1) * sizeof(*v));
	rc->nvars--;
}

/* One word of line from *pp into out (NUL-terminated); 1 a word, 0 at
   the end, -1 an unbalanced quote. */
static int
word(const char **pp, char **out)
{
	const char	*p = *pp;
	char		*o = *out;
	int		 q = 0;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0')
		return 0;
	for (; *p != '\0'; p++) {
		if (q == 0 && (*p == ' ' || *p == '\t'))
			break;
		if (q == 0 && (*p == '"' || *p == '\''))
			q = *p;
		else if (q != 0 && *p == q)
			q = 0;
		else if (*p == '\\' && q != '\'' && p[1] != '\0')
			*o++ = *++p;
		else
			*o++ = *p;
	}
	*o++ = '\0';
	*pp = p;
	*out = o;
	return q != 0 ? -1 : 1;
}

int
mailrc_split(const char *line, char ***argv, int *argc, char *err,
    size_t errlen)
{
	size_t		 n = strlen(line);
	char		**v, *o, *w;
	const char	*p = line;
	int		 c = 0, r;

	/* one block: the pointers, then the words (never longer than line) */
	v = malloc((LIM_MAILRC_WORDS + 1) * sizeof(*v) + n + 1);
	if (v == NULL) {
		snprintf(err, errlen, "%s", strerror(errno));
		return -1;
	}
	o = (char *)(v + LIM_MAILRC_WORDS + 1);
	for (;;) {
		w = o;
		if ((r = word(&p, &o)) == 0)
			break;
		if (r == -1 || c == LIM_MAILRC_WORDS) {
			snprintf(err, errlen, r == -1 ? "unbalanced quote" :
			    "more than %d words", LIM_MAILRC_WORDS);
			free(v);
			return -1;
		}
		v[c++] = w;
	}
	v[c] = NULL;
	*argv = v;
	*argc = c;
	return 0;
}

static int
list_has(char **l, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(l[i], s) == 0)
			return 1;
	return 0;
}

static int
list_add(char ***l, size_t *n, const char *s)
{
	char	**nl, *c;

	if (list_has(*l, *n, s))
		return 0;
	if ((nl = realloc(*l, (*n + 1) * sizeof(*nl))) == NULL)
		return -1;
	*l = nl;
	if ((c = strdup(s)) == NULL)
		return -1;
	for (char *p = c; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	nl[(*n)++] = c;
	return 0;
}

static void
list_del(char **l, size_t *n, const char *s)
{
	for (size_t i = 0; i < *n; i++)
		if (strcasecmp(l[i], s) == 0) {
			free(l[i]);
			memmove(l + i, l + i + 1, (*n - i - 1) * sizeof(*l));
			(*n)--;
			return;
		}
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
list_show(char **l, size_t n, struct buf *out)
{
	char	**s;

	if (n == 0 || (s = malloc(n * sizeof(*s))) == NULL)
		return;
	memcpy(s, l, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_str);
	for (size_t i = 0; i < n; i++)
		buf_printf(out, "%s\n", s[i]);
	free(s);
}

static int
cmp_var(const void *a, const void *b)
{
	return strcmp(((const struct mailrc_var *)a)->name,
	    ((const struct mailrc_var *)b)->name);
}

static int
cmd_set(struct mailrc *rc, int argc, char **argv, struct buf *out,
    char *err, size_t errlen)
{
	char	*eq;
	int	 r;

	if (argc == 1) {
		qsort(rc->vars, rc->nvars, sizeof(*rc->vars), cmp_var);
		for (size_t i = 0; i < rc->nvars; i++)
			buf_printf(out, "%s\t%s\n", rc->vars[i].name,
			    rc->vars[i].value);
		return 0;
	}
	for (int i = 1; i < argc; i++) {
		if ((eq = strchr(argv[i], '=')) != NULL)
			*eq = '\0';
		if (eq == NULL && strncmp(argv[i], "no", 2) == 0 &&
		    argv[i][2] != '\0') {
			mailrc_unset(rc, argv[i] + 2);
			continue;
		}
		r = mailrc_set(rc, argv[i], eq != NULL ? eq + 1 : NULL);
		if (eq != NULL)
			*eq = '=';
		if (r == -1) {
			snprintf(err, errlen, "cannot set '%.64s': %s", argv[i],
			    errno == EINVAL ? "not a variable name" :
			    strerror(errno));
			return -1;
		}
	}
	return 0;
}

static struct mailrc_alias *
find_alias(const struct mailrc *rc, const char *name)
{
	for (size_t i = 0; i < rc->naliases; i++)
		if (strcmp(rc->aliases[i].name, name) == 0)
			return &rc->aliases[i];
	return NULL;
}

static void
alias_show(const struct mailrc_alias *a, struct buf *out)
{
	buf_printf(out, "%s\t", a->name);
	for (size_t j = 0; j < a->naddrs; j++)
		buf_printf(out, "%s%s", j ? " " : "", a->addrs[j]);
	buf_addc(out, '\n');
}

static int
cmd_alias(struct mailrc *rc, int argc, char **argv, struct buf *out)
{
	struct mailrc_alias	*a, *na;

	if (argc == 1) {
		for (size_t i = 0; i < rc->naliases; i++)
			alias_show(&rc->aliases[i], out);
		return 0;
	}
	if ((a = find_alias(rc, argv[1])) == NULL) {
		if (argc == 2) {
			buf_printf(out, "\"%s\": no such alias\n", argv[1]);
			return 0;
		}
		na = realloc(rc->aliases, (rc->naliases + 1) * sizeof(*na));
		if (na == NULL)
			return -1;
		rc->aliases = na;
		a = &na[rc->naliases];
		memset(a, 0, sizeof(*a));
		if ((a->name = strdup(argv[1])) == NULL)
			return -1;
		rc->naliases++;
	}
	if (argc == 2) {
		alias_show(a, out);
		return 0;
	}
	/* more members are added to an existing alias, as mailx does */
	for (int i = 2; i < argc; i++)
		if (list_add(&a->addrs, &a->naddrs, argv[i]) == -1)
			return -1;
	return 0;
}

static void
cmd_unalias(struct mailrc *rc, int argc, char **argv)
{
	struct mailrc_alias	*a;
	size_t			 i;

	for (int k = 1; k < argc; k++) {
		if ((a = find_alias(rc, argv[k])) == NULL)
			continue;
		i = (size_t)(a - rc->aliases);
		free(a->name);
		free_list(a->addrs, a->naddrs);
		memmove(a, a + 1, (rc->naliases - i - 1) * sizeof(*a));
		rc->naliases--;
	}
}

/* ignore/retain NAME... and their undoing; listing without names. */
static int
cmd_fields(char ***l, size_t *n, int argc, char **argv, int del,
    struct buf *out)
{
	if (argc == 1 && !del) {
		list_show(*l, *n, out);
		return 0;
	}
	for (int i = 1; i < argc; i++) {
		if (del && strcmp(argv[i], "*") == 0) {
			free_list(*l, *n);
			*l = NULL;
			*n = 0;
		} else if (del)
			list_del(*l, n, argv[i]);
		else if (list_add(l, n, argv[i]) == -1)
			return -1;
	}
	return 0;
}

static int
cmd_if(struct mailrc *rc, int argc, char **argv, char *err, size_t errlen)
{
	if (strcmp(argv[0], "endif") == 0) {
		rc->skip = 0;
		return 0;
	}
	if (strcmp(argv[0], "else") == 0) {
		rc->skip = !rc->skip;
		return 0;
	}
	if (argc != 2 || (strcmp(argv[1], "s") != 0 &&
	    strcmp(argv[1], "r") != 0 && strcmp(argv[1], "t") != 0)) {
		snprintf(err, errlen, "if takes one of r (reading), s "
		    "(sending) or t (terminal)");
		return -1;
	}
	if (argv[1][0] == 's')
		rc->skip = !rc->sending;
	else if (argv[1][0] == 'r')
		rc->skip = rc->sending;
	else
		rc->skip = 0;
	return 0;
}

static int
is(const char *cmd, const char *full, size_t minlen)
{
	size_t	 n = strlen(cmd);

	return n >= minlen && n <= strlen(full) && strncmp(cmd, full, n) == 0;
}

int
mailrc_command(struct mailrc *rc, int argc, char **argv, struct buf *out,
    char *err, size_t errlen)
{
	const char	*c = argv[0];
	int		 r = 0;

	err[0] = '\0';
	if (strcmp(c, "if") == 0 || strcmp(c, "else") == 0 ||
	    strcmp(c, "endif") == 0)
		return cmd_if(rc, argc, argv, err, errlen);
	if (rc->skip)
		return 0;
	if (is(c, "set", 2))
		return cmd_set(rc, argc, argv, out, err, errlen);
	if (is(c, "unset", 3)) {
		for (int i = 1; i < argc; i++)
			mailrc_unset(rc, argv[i]);
		return 0;
	}
	if (is(c, "alias", 1) || is(c, "group", 1))
		r = cmd_alias(rc, argc, argv, out);
	else if (is(c, "unalias", 3))
		cmd_unalias(rc, argc, argv);
	else if (is(c, "ignore", 2) || is(c, "discard", 3))
		r = cmd_fields(&rc->ignore, &rc->nignore, argc, argv, 0, out);
	else if (is(c, "retain", 3))
		r = cmd_fields(&rc->retain, &rc->nretain, argc, argv, 0, out);
	else if (strcmp(c, "unignore") == 0 || strcmp(c, "undiscard") == 0)
		r = cmd_fields(&rc->ignore, &rc->nignore, argc, argv, 1, out);
	else if (strcmp(c, "unretain") == 0)
		r = cmd_fields(&rc->retain, &rc->nretain, argc, argv, 1, out);
	else if (is(c, "source", 2)) {
		if (argc != 2) {
			snprintf(err, errlen, "source takes one file name");
			return -1;
		}
		if (rc->depth >= LIM_MAILRC_DEPTH) {
			snprintf(err, errlen, "source: nested more than %d "
			    "deep", LIM_MAILRC_DEPTH);
			return -1;
		}
		rc->depth++;
		mailrc_load(rc, argv[1], out);	/* its errors are in out */
		rc->depth--;
		return 0;
	} else
		return 1;
	if (r == -1)
		snprintf(err, errlen, "%s", strerror(errno));
	return r;
}

static int
forbidden(const char *cmd)
{
	for (int i = 0; not_in_rc[i] != NULL; i++)
		if (strcmp(not_in_rc[i], cmd) == 0)
			return 1;
	return 0;
}

static int
rc_line(struct mailrc *rc, const char *path, long lineno, const char *line,
    struct buf *errs)
{
	char	 err[512], **argv;
	int	 argc, r;

	while (*line == ' ' || *line == '\t')
		line++;
	if (*line == '#' || *line == '\0')
		return 0;
	if (mailrc_split(line, &argv, &argc, err, sizeof(err)) == -1)
		goto bad;
	if (argc == 0) {
		free(argv);
		return 0;
	}
	r = mailrc_command(rc, argc, argv, errs, err, sizeof(err));
	if (r == 1) {
		r = -1;
		snprintf(err, sizeof(err), "'%.64s' %s", argv[0],
		    forbidden(argv[0]) ? "cannot be used in a start-up file" :
		    "is not a command of start-up files");
	}
	free(argv);
	if (r == 0)
		return 0;
bad:
	buf_printf(errs, "%s:%ld: %s\n", path, lineno, err);
	return 1;
}

int
mailrc_load(struct mailrc *rc, const char *path, struct buf *errs)
{
	FILE		*f;
	struct buf	 line;
	char		 chunk[1024];
	long		 lineno = 0, start = 1;
	int		 nerr = 0, r = 0;
	size_t		 n;

	if ((f = fopen(path, "r")) == NULL) {
		if (errno == ENOENT)
			return 0;
		buf_printf(errs, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	buf_init(&line, LIM_MAILRC_LINE);
	while (fgets(chunk, sizeof(chunk), f) != NULL) {
		n = strlen(chunk);
		if (n > 0 && chunk[n - 1] == '\n') {
			chunk[--n] = '\0';
			lineno++;
		} else if (!feof(f)) {
			buf_add(&line, chunk, n);	/* the rest follows */
			continue;
		} else
			lineno++;
		if (n > 0 && chunk[n - 1] == '\\') {	/* continued */
			buf_add(&line, chunk, n - 1);
			buf_addc(&line, ' ');
			continue;
		}
		buf_add(&line, chunk, n);
		if (buf_failed(&line)) {
			buf_printf(errs, "%s:%ld: line longer than %d bytes\n",
			    path, start, LIM_MAILRC_LINE);
			nerr++;
		} else
			nerr += rc_line(rc, path, start, buf_str(&line), errs);
		buf_free(&line);
		buf_init(&line, LIM_MAILRC_LINE);
		start = lineno + 1;
	}
	if (ferror(f)) {
		buf_printf(errs, "%s: %s\n", path, strerror(errno));
		r = -1;
	}
	if (line.len > 0)	/* a continuation at the end of the file */
		nerr += rc_line(rc, path, start, buf_str(&line), errs);
	buf_free(&line);
	fclose(f);
	if (rc->depth == 0)
		rc->skip = 0;	/* an "if" left open ends with its file */
	return r == -1 ? -1 : nerr;
}

struct seen {
	const char	*names[LIM_MAILRC_DEPTH + 1];
	int		 n;
};

static int
expand(const struct mailrc *rc, const char *name, struct seen *s,
    int (*cb)(void *, const char *), void *ctx)
{
	const struct mailrc_alias	*a = find_alias(rc, name);

	for (int i = 0; i < s->n; i++)
		if (strcmp(s->names[i], name) == 0)
			return cb(ctx, name);	/* a loop: the name itself */
	if (a == NULL || s->n > LIM_MAILRC_DEPTH)
		return cb(ctx, name);
	s->names[s->n++] = name;
	for (size_t i = 0; i < a->naddrs; i++)
		if (expand(rc, a->addrs[i], s, cb, ctx) == -1)
			return -1;
	s->n--;
	return 0;
}

int
mailrc_expand(const struct mailrc *rc, const char *name,
    int (*cb)(void *ctx, const char *addr), void *ctx)
{
	struct seen	 s;

	s.n = 0;
	return expand(rc, name, &s, cb, ctx);
}

int
mailrc_shown(const struct mailrc *rc, const char *name, size_t n)
{
	char	 f[128];

	if (n >= sizeof(f))
		return rc->nretain == 0;
	memcpy(f, name, n);
	f[n] = '\0';
	if (rc->nretain > 0)
		return list_has(rc->retain, rc->nretain, f);
	return !list_has(rc->ignore, rc->nignore, f);
}
