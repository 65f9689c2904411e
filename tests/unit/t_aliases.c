/*
 * aliases: the destination-list syntax (aliases, .forward, :include:),
 * newaliases' compile with its file:line errors, and lookups.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "tap.h"
#include "aliases.h"
#include "buf.h"
#include "limits.h"

static char dir[] = "/tmp/t_aliases.XXXXXX";
static char src[LIM_PATH], db[LIM_PATH];
static int nwarn;
static char lastwarn[LIM_ERR];

static void
warn(const char *m)
{
	nwarn++;
	snprintf(lastwarn, sizeof(lastwarn), "%s", m);
}

/* "kind:value|kind:value" for a list, or "error: ..." */
static const char *
list(const char *s, int newlines)
{
	static char	 out[2048];
	struct dest_list l = { 0 };
	char		 err[LIM_ERR];
	size_t		 n = 0;

	out[0] = '\0';
	if (aliases_parse_list(s, strlen(s), newlines, &l, err,
	    sizeof(err)) == -1) {
		snprintf(out, sizeof(out), "error: %s", err);
		dest_list_free(&l);
		return out;
	}
	for (size_t i = 0; i < l.n; i++)
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%d:%s",
		    i ? "|" : "", (int)l.d[i].kind, l.d[i].value);
	dest_list_free(&l);
	return out;
}

#define like_or(got, needle) do { \
	const char *g_ = (got); \
	ok(strstr(g_, (needle)) != NULL, "\"%s\" in: %s", (needle), g_); \
} while (0)

static void
write_src(const char *text)
{
	FILE	*fp = fopen(src, "w");

	fputs(text, fp);
	fclose(fp);
}

static int
compile(struct aliases_stats *st, char *err, size_t len)
{
	nwarn = 0;
	err[0] = '\0';
	return aliases_compile(src, st, warn, err, len);
}

static const char *
lookup(const char *name)
{
	static char	 out[1024];
	struct aliases	 a;
	struct buf	 v;
	char		 err[LIM_ERR];
	int		 r;

	if (aliases_open(&a, src, err, sizeof(err)) == -1)
		return "open failed";
	buf_init(&v, 0);
	r = aliases_lookup(&a, name, &v);
	snprintf(out, sizeof(out), "%s", r == 1 ? buf_str(&v) : r == 0 ?
	    "(none)" : "(error)");
	buf_free(&v);
	aliases_close(&a);
	return out;
}

static char *
slurp(const char *p, size_t *n)
{
	static char	 b[65536];
	int		 fd = open(p, O_RDONLY);
	ssize_t		 r = fd == -1 ? -1 : read(fd, b, sizeof(b));

	if (fd != -1)
		close(fd);
	*n = r < 0 ? 0 : (size_t)r;
	return b;
}

static void
test_lists(void)
{
	is_str(list("marc, hogehoge@Example.COM", 0),
	    "0:marc|1:hogehoge@example.com", "a user and an address");
	is_str(list("\\hogehoge, hogehoge@example.com", 0),
	    "2:hogehoge|1:hogehoge@example.com", "\\user keeps a copy");
	is_str(list("\"|/usr/bin/prog -a x, y\", /var/log/all", 0),
	    "3:/usr/bin/prog -a x, y|4:/var/log/all", "quoted command, file");
	is_str(list("|/bin/cat", 0), "3:/bin/cat", "unquoted command");
	is_str(list("\"/var/mail/with space\"", 0), "4:/var/mail/with space",
	    "quoted file with a space");
	is_str(list(":include:/etc/mail/staff, :INCLUDE: /x", 0),
	    "5:/etc/mail/staff|5:/x", ":include:, any case, space after");
	is_str(list("<bob@Example.org>", 0), "1:bob@example.org", "angle brackets");
	is_str(list("a,,b,", 0), "0:a|0:b", "empty elements are skipped");
	like_or(list("\"say \\\"hi\\\"\"", 0), "bad address \"say \"hi\"\"");
	like_or(list("\"|unterminated", 0), "unterminated");
	like_or(list(":include:relative", 0), "absolute path");
	like_or(list("\\", 0), "local user name");
	like_or(list("\\a@b", 0), "local user name");
	like_or(list("bob\001", 0), "control character");
	like_or(list("a@", 0), "bad address");
	like_or(list("\"x\" y", 0), "text after a quoted");
	like_or(list("@ex:|cmd", 0), "bad address");	/* found by f_aliases */
	is_str(list("# a comment\nbob\n  carol, dave\n\n#x, y\n", 1),
	    "0:bob|0:carol|0:dave", ".forward: lines, commas, comments");
	is_str(list("bob\ncarol, \"a@\"\n", 1),
	    "error: line 2: bad address \"a@\": empty domain",
	    ".forward errors name the line");
	is_str(list("bob\n", 0), "0:bob", "a newline ends a destination");
}

static void
test_roundtrip(void)
{
	struct dest d[] = {
		{ DEST_PIPE, "/usr/bin/prog -x \"a\", \\b" },
		{ DEST_FILE, "/path with space" },
		{ DEST_INCLUDE, "/etc/x" },
		{ DEST_MAILBOX, "bob" },
		{ DEST_USER, "carol" },
	};
	struct buf	 b;

	buf_init(&b, 0);
	for (size_t i = 0; i < sizeof(d) / sizeof(d[0]); i++) {
		if (i > 0)
			buf_adds(&b, ", ");
		aliases_put_dest(&b, &d[i]);
	}
	is_str(buf_str(&b), "\"|/usr/bin/prog -x \\\"a\\\", \\\\b\", "
	    "\"/path with space\", :include:/etc/x, \\bob, carol",
	    "canonical form quotes where needed");
	is_str(list(buf_str(&b), 0), "3:/usr/bin/prog -x \"a\", \\b|"
	    "4:/path with space|5:/etc/x|2:bob|0:carol", "and reads back");
	buf_free(&b);
}

static void
test_compile(void)
{
	struct aliases_stats st;
	char		 err[LIM_ERR], *before;
	size_t		 n, n2;

	write_src("# aliases\n"
	    "Root: marc, hogehoge\n"
	    "postmaster:root\n"
	    "staff: alice,\n"
	    "# a comment between\n"
	    "\n"
	    "\tbob,\n"
	    "  carol\n"
	    "pipe: \"|/bin/cat > /dev/null\"\n"
	    "root: duplicate\n");
	is_int(compile(&st, err, sizeof(err)), 0, "compiles");
	is_int(st.aliases, 4, "4 aliases");
	is_int(st.longest, strlen("\"|/bin/cat > /dev/null\""), "longest value");
	is_int(st.total, strlen("root") + strlen("marc, hogehoge") +
	    strlen("postmaster") + strlen("root") + strlen("staff") +
	    strlen("alice, bob, carol") + strlen("pipe") +
	    strlen("\"|/bin/cat > /dev/null\""), "bytes total");
	is_int(nwarn, 1, "one warning");
	ok(strstr(lastwarn, ":10: duplicate alias \"root\" (first at line 2)") !=
	    NULL, "duplicate: file:line, the first one counts");
	is_str(lookup("root"), "marc, hogehoge", "names are lower-cased");
	is_str(lookup("ROOT"), "marc, hogehoge", "and looked up in any case");
	is_str(lookup("staff"), "alice, bob, carol", "continuations, comments between");
	is_str(lookup("nobody"), "(none)", "absent name");

	before = slurp(db, &n);
	before = memcpy(malloc(n + 1), before, n);
	write_src("good: bob\nbad line without colon\n");
	is_int(compile(&st, err, sizeof(err)), -1, "a syntax error fails");
	is_int(errno, EINVAL, "EINVAL");
	ok(strstr(err, ":2: missing ':' after the alias name") != NULL,
	    "file:line: missing ':' (%s)", err);
	ok(memcmp(slurp(db, &n2), before, n) == 0 && n2 == n, "old database kept");
	free(before);

	write_src("  # an indented comment first\nx: y,\n  # indented\n\tz # not a comment\n");
	is_int(compile(&st, err, sizeof(err)), -1, "'#' inside a value is no comment");
	write_src("  # an indented comment first\nx: y,\n  # indented\n\tz\n");
	is_int(compile(&st, err, sizeof(err)), 0, "indented comments are comments (%s)", err);
	is_str(lookup("x"), "y, z", "even between continuation lines");
	write_src("  indented: first\n");
	compile(&st, err, sizeof(err));
	ok(strstr(err, ":1: continuation line without an alias") != NULL,
	    "continuation first (%s)", err);
	write_src("a: b,\n c,\n \"|unterminated\n");
	compile(&st, err, sizeof(err));
	ok(strstr(err, ":3: unterminated quoted destination") != NULL,
	    "an error on a continuation line names that line (%s)", err);
	write_src("a:\n");
	compile(&st, err, sizeof(err));
	ok(strstr(err, ":1: alias \"a\" has no destination") != NULL,
	    "no destination (%s)", err);
	write_src("a b: c\n");
	compile(&st, err, sizeof(err));
	ok(strstr(err, ":1: missing ':'") != NULL, "space in a name (%s)", err);
	write_src("a@b: c\n");
	compile(&st, err, sizeof(err));
	ok(strstr(err, ":1: bad alias name \"a@b\"") != NULL, "@ in a name (%s)", err);
	write_src("a: b\0c\n");
	unlink(src);
	is_int(compile(&st, err, sizeof(err)), -1, "no source");
	is_int(errno, ENOENT, "ENOENT");
}

static void
test_open(void)
{
	struct aliases	 a;
	struct aliases_stats st;
	struct timespec	 ts[2];
	char		 err[LIM_ERR];

	write_src("x: y\n");
	compile(&st, err, sizeof(err));
	ts[0].tv_sec = ts[1].tv_sec = time(NULL) + 100;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	utimensat(AT_FDCWD, src, ts, 0);
	is_int(aliases_open(&a, src, err, sizeof(err)), 0, "open");
	is_int(a.stale, 1, "source newer than the database: stale");
	aliases_close(&a);
	unlink(db);
	is_int(aliases_open(&a, src, err, sizeof(err)), 0, "no database: 0");
	is_int(a.missing, 1, "but missing is set");
	aliases_close(&a);
	write_src("not a cdb");
	rename(src, db);
	write_src("x: y\n");
	is_int(aliases_open(&a, src, err, sizeof(err)), -1, "a file that is no cdb");
	ok(strstr(err, "not a cdb database") != NULL, "says so (%s)", err);
	unlink(db);
	unlink(src);
}

int
main(void)
{
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(src, sizeof(src), "%s/aliases", dir);
	snprintf(db, sizeof(db), "%s/aliases.db", dir);
	test_lists();
	test_roundtrip();
	test_compile();
	test_open();
	rmdir(dir);
	return done_testing();
}
