/*
 * users: the passwd-format file, its malformed and over-long lines.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "limits.h"
#include "users.h"

static char dir[] = "/tmp/t_users.XXXXXX";
static char pw[LIM_PATH];

static void
put(FILE *fp, char ch, size_t n)
{
	while (n-- > 0)
		fputc(ch, fp);
}

/*
 * A line of exactly LIM_PW_LINE bytes (accepted) and one of
 * LIM_PW_LINE + 1 (skipped), both for "edge" and "edge2".
 */
static void
edge_line(FILE *fp, const char *name, size_t total)
{
	/* name:x:9:9:gecos:HOME:/bin/sh -- HOME pads to total */
	size_t	 fixed = strlen(name) + strlen(":x:9:9:g::/bin/sh");

	fprintf(fp, "%s:x:9:9:g:/", name);
	put(fp, 'h', total - fixed - 1);
	fprintf(fp, ":/bin/sh\n");
}

static void
write_file(void)
{
	FILE	*fp;
	size_t	 k;
	static const size_t tails[] = { 1020, 1021, 1022, 1023, 1024, 1025,
	    1026, 2045, 2046, 2047, 2048 };

	snprintf(pw, sizeof(pw), "%s/passwd", dir);
	fp = fopen(pw, "w");
	fprintf(fp, "# comment:x:1:1::/:/bin/sh\n\n");
	fprintf(fp, "root:x:0:0:root:/root:/bin/sh\n");
	fprintf(fp, "bob:x:1000:100:Bob Builder:/home/bob:/bin/sh\n");
	fprintf(fp, "bob:x:2000:200:second bob:/home/bob2:/bin/sh\n");
	fprintf(fp, "six:x:1:1:/home/six:/bin/sh\n");
	fprintf(fp, "eight:x:1:1::/home/eight:/bin/sh:extra\n");
	fprintf(fp, "alpha:x:1a:1::/h:/bin/sh\n");
	fprintf(fp, "neg:x:-1:1::/h:/bin/sh\n");
	fprintf(fp, "plus:x:+5:1::/h:/bin/sh\n");
	fprintf(fp, "space:x: 5:1::/h:/bin/sh\n");
	fprintf(fp, "emptyuid:x::1::/h:/bin/sh\n");
	fprintf(fp, "huge:x:99999999999:1::/h:/bin/sh\n");
	fprintf(fp, "minus1:x:4294967295:1::/h:/bin/sh\n");
	fprintf(fp, "maxid:x:4294967294:4294967294::/h:/bin/sh\n");
	fprintf(fp, ":x:77:1::/h:/bin/sh\n");
	fprintf(fp, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:x:3:3::/h:/bin/sh\n");
	fprintf(fp, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:x:4:4::/h:/bin/sh\n");
	edge_line(fp, "edge", LIM_PW_LINE);
	edge_line(fp, "edge2", LIM_PW_LINE + 1);
	/*
	 * Over-long comment lines whose tails, wherever a reader that
	 * cuts lines into pieces would cut them, look like an entry.
	 */
	for (k = 0; k < sizeof(tails) / sizeof(tails[0]); k++) {
		fputc('#', fp);
		put(fp, 'A', tails[k]);
		fprintf(fp, "mallory:x:0:0::/root:/bin/sh\n");
	}
	fprintf(fp, "Carol:x:1001:100::/home/carol:/bin/sh\n");
	fprintf(fp, "last:x:1002:100::/home/last:/bin/false");	/* no '\n' */
	fclose(fp);
}

/* Lines that must be skipped, and the limits just inside them. */
static void
malformed(void)
{
	struct user	 u;

	is_int(users_by_localpart(pw, "BoB", &u), 1, "a local part finds its user "
	    "whatever its case");
	is_int(u.uid, 1000, "the first bob");
	is_int(users_by_localpart(pw, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaAAAAAAAAAA",
	    &u), 0, "a local part longer than a login name names nobody");
	is_int(users_by_name(pw, "six", &u), 0, "six fields skipped");
	is_int(users_by_name(pw, "eight", &u), 0, "eight fields skipped");
	is_int(users_by_name(pw, "alpha", &u), 0, "uid 1a skipped");
	is_int(users_by_name(pw, "neg", &u), 0, "uid -1 skipped");
	is_int(users_by_name(pw, "plus", &u), 0, "uid +5 skipped");
	is_int(users_by_name(pw, "space", &u), 0, "uid ' 5' skipped");
	is_int(users_by_name(pw, "emptyuid", &u), 0, "empty uid skipped");
	is_int(users_by_name(pw, "huge", &u), 0, "uid over 32 bits skipped");
	is_int(users_by_name(pw, "minus1", &u), 0, "uid (uid_t)-1 skipped");
	is_int(users_by_name(pw, "maxid", &u), 1, "uid 4294967294 taken");
	is_int(u.gid, 4294967294U, "gid 4294967294 taken");
	is_int(users_by_name(pw, "", &u), 0, "empty name never matches");
	is_int(users_by_uid(pw, 77, &u), 0, "entry with empty name skipped");
	is_int(users_by_name(pw, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", &u), 0,
	    "33-byte name skipped");
	is_int(users_by_name(pw, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", &u), 1,
	    "32-byte name taken");
	is_int(users_by_name(pw, "edge", &u), 1,
	    "line of exactly LIM_PW_LINE bytes taken");
	is_int(strlen(u.home), LIM_PW_LINE - strlen("edge:x:9:9:g::/bin/sh"),
	    "its home is whole");
	is_int(users_by_name(pw, "edge2", &u), 0,
	    "line of LIM_PW_LINE + 1 bytes skipped");
	is_int(users_by_name(pw, "mallory", &u), 0,
	    "tails of over-long lines are not lines");
}

int
main(void)
{
	struct user	 u;
	char		 missing[LIM_PATH];
	int		 r;

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	write_file();

	is_int(users_by_name(pw, "bob", &u), 1, "bob found");
	is_int(u.uid, 1000, "bob uid is the first entry's");
	is_int(u.gid, 100, "bob gid");
	is_str(u.gecos, "Bob Builder", "bob gecos");
	is_str(u.home, "/home/bob", "bob home");
	is_str(u.shell, "/bin/sh", "bob shell");
	is_str(u.name, "bob", "bob name");
	is_int(users_by_name(pw, "root", &u), 1, "root found");
	is_int(u.uid, 0, "root uid 0");
	is_int(users_by_name(pw, "Bob", &u), 0, "names compare exactly");
	is_int(users_by_name(pw, "carol", &u), 0, "no case folding");
	is_int(users_by_name(pw, "Carol", &u), 1, "Carol found");
	is_int(users_by_name(pw, "nobody-here", &u), 0, "unknown user");
	malformed();
	is_int(users_by_uid(pw, 0, &u), 1, "uid 0 found");
	is_str(u.name, "root", "uid 0 is root, not a tail of a long line");
	is_int(users_by_name(pw, "last", &u), 1, "last line without newline");
	is_str(u.shell, "/bin/false", "its shell is whole");
	is_int(users_by_uid(pw, 2000, &u), 1, "by uid 2000");
	is_str(u.home, "/home/bob2", "by uid finds the second bob");
	is_int(users_by_uid(pw, 1000, &u), 1, "by uid 1000");
	is_str(u.gecos, "Bob Builder", "by uid finds the first bob");
	is_int(users_by_uid(pw, 5, &u), 0, "by uid: unknown");

	snprintf(missing, sizeof(missing), "%s/nope", dir);
	errno = 0;
	r = users_by_name(missing, "bob", &u);
	is_int(r, -1, "missing file: -1");
	is_int(errno, ENOENT, "missing file: ENOENT");
	errno = 0;
	r = users_by_name(dir, "bob", &u);
	is_int(r, -1, "a directory cannot be read: -1");
	ok(errno != 0, "and errno is set (%s)", strerror(errno));

	unlink(pw);
	rmdir(dir);
	{
		/* users_groups: the system's groups only for the system's user */
		struct user	 g;
		gid_t		 gs[LIM_GROUPS];
		int		 n;

		memset(&g, 0, sizeof(g));
		snprintf(g.name, sizeof(g.name), "root");
		g.uid = 4999;	/* not the system's root */
		g.gid = 4998;
		n = users_groups(&g, gs, LIM_GROUPS);
		ok(n == 1 && gs[0] == 4998, "a name that is another uid on "
		    "the system: its own gid only (%d)", n);
		snprintf(g.name, sizeof(g.name), "no-such-user-here");
		n = users_groups(&g, gs, LIM_GROUPS);
		ok(n == 1 && gs[0] == 4998, "a name not on the system: its "
		    "own gid only (%d)", n);
		snprintf(g.name, sizeof(g.name), "root");
		g.uid = 0;
		g.gid = 0;
		n = users_groups(&g, gs, 1);
		ok(n == 1 && gs[0] == 0, "max 1: the gid alone (%d)", n);
	}
	return done_testing();
}
