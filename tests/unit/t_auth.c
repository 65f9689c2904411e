/*
 * auth: passwords against hashes made by another implementation
 * (Python's crypt module, that is the system's libcrypt), the
 * auth_users file's malformed lines, unsafe files, and shadow(5).
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "auth.h"
#include "limits.h"

static char dir[] = "/tmp/t_auth.XXXXXX";
static char path[LIM_PATH];
static char err[LIM_ERR];

#define NLENS	12

/*
 * Python prints one hash per password given in hex (no quoting
 * trouble): METHOD is SHA512, SHA256 or BLOWFISH; rounds 0 = default.
 * Returns the number of hashes read into out.
 */
static int
pyhash(const char *method, int rounds, const char **pws, int n,
    char out[][256])
{
	char	 cmd[32768], *p = cmd;
	FILE	*fp;
	int	 i, got = 0;
	size_t	 k, len;

	p += snprintf(cmd, sizeof(cmd), "python3 -W ignore -c '"
	    "import crypt, sys\n"
	    "for h in sys.argv[3:]:\n"
	    " m = getattr(crypt, \"METHOD_\" + sys.argv[1])\n"
	    " s = crypt.mksalt(m, rounds=int(sys.argv[2]) or None)\n"
	    " print(crypt.crypt(bytes.fromhex(h[1:]).decode(), s))' %s %d",
	    method, rounds);
	for (i = 0; i < n; i++) {
		*p++ = ' ';
		*p++ = 'x';	/* so that "" is still an argument */
		for (k = 0; pws[i][k] != '\0'; k++)
			p += sprintf(p, "%02x", (unsigned char)pws[i][k]);
	}
	*p = '\0';
	if ((fp = popen(cmd, "r")) == NULL)
		return 0;
	while (got < n && fgets(out[got], 256, fp) != NULL) {
		len = strlen(out[got]);
		if (len > 0 && out[got][len - 1] == '\n')
			out[got][len - 1] = '\0';
		got++;
	}
	pclose(fp);
	return got;
}

static const char *
write_file(const char *name, mode_t mode, const char *text)
{
	FILE	*fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
	fp = fopen(path, "w");
	fputs(text, fp);
	fclose(fp);
	chmod(path, mode);
	return path;
}

static int
check(const char *file, const char *user, const char *pass)
{
	err[0] = 'X';
	err[1] = '\0';
	return auth_check(file, user, pass, err, sizeof(err));
}

static int
has(const char *needle)
{
	return strstr(err, needle) != NULL;
}

int
main(void)
{
	static const char *pws[] = { "secret", "hunter2 with spaces",
	    "p\xc3\xa4ssw\xc3\xb6rd", "" };
	static char	 h512[4][256], h256[4][256], hr[2][256], hb[4][256];
	static char	 text[8192], big[LIM_PASS + 2];
	static const size_t lens[] = { 1, 31, 32, 33, 63, 64, 65, 127, 128,
	    129, 200, 511 };
	static char	 hl[NLENS][256], hl2[NLENS][256], lenpw[NLENS][512];
	const char	*f, *lenp[NLENS];
	int		 i;

	if (mkdtemp(dir) == NULL || system("python3 -W ignore -c "
	    "'import crypt' 2>/dev/null") != 0) {
		printf("1..0 # SKIP no Python crypt module to make hashes\n");
		return 0;
	}
	if (pyhash("SHA512", 0, pws, 4, h512) != 4 ||
	    pyhash("SHA256", 0, pws, 4, h256) != 4 ||
	    pyhash("SHA512", 1000, pws, 1, hr) != 1 ||
	    pyhash("SHA256", 999999, pws + 1, 1, hr + 1) != 1) {
		printf("1..0 # SKIP Python could not make sha-crypt hashes\n");
		return 0;
	}
	ok(strncmp(hr[0], "$6$rounds=1000$", 15) == 0, "rounds= hash made");

	/* one user per hash, with comments and blank lines between */
	snprintf(text, sizeof(text), "# auth_users\n\n"
	    "alice:%s\n#bob:x\n   \nbob:%s\ncarol:%s\ndave:%s\n"
	    "erin:%s\nfrank:%s\nrounds:%s\nslow:%s\n"
	    "locked1:!\nlocked2:*\nlocked3:!%s\n"
	    "Alice:%s\n"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:%s\n",
	    h512[0], h512[1], h512[2], h512[3], h256[0], h256[2], hr[0],
	    hr[1], h512[0], h256[1], h512[0]);
	/* a blank line is "   " above: that has no colon; keep it empty */
	memmove(strstr(text, "   \n"), strstr(text, "   \n") + 3,
	    strlen(strstr(text, "   \n") + 3) + 1);
	f = write_file("users", 0600, text);

	is_int(check(f, "alice", "secret"), 1, "sha512: right password");
	is_str(err, "", "no detail on success");
	is_int(check(f, "alice", "Secret"), 0, "sha512: wrong password");
	is_str(err, "", "no detail for a plain wrong password");
	is_int(check(f, "alice", "secre"), 0, "sha512: a prefix is wrong");
	is_int(check(f, "alice", "secrett"), 0, "sha512: longer is wrong");
	is_int(check(f, "bob", pws[1]), 1, "sha512: spaces");
	is_int(check(f, "carol", pws[2]), 1, "sha512: UTF-8");
	is_int(check(f, "dave", ""), 1, "sha512: empty password hashed");
	is_int(check(f, "dave", "x"), 0, "sha512: empty one, wrong");
	is_int(check(f, "erin", "secret"), 1, "sha256: right password");
	is_int(check(f, "erin", "secreT"), 0, "sha256: wrong password");
	is_int(check(f, "frank", pws[2]), 1, "sha256: UTF-8");
	is_int(check(f, "rounds", "secret"), 1, "sha512 rounds=1000");
	is_int(check(f, "slow", pws[1]), 1, "sha256 rounds=999999");
	is_int(check(f, "nobody", "secret"), 0, "unknown user");
	is_str(err, "", "unknown user: no detail");
	is_int(check(f, "alice ", "secret"), 0, "no trailing blank in names");
	is_int(check(f, "ALICE", "secret"), 0, "names exact: ALICE");
	is_int(check(f, "Alice", "secret"), 0, "Alice is not alice");
	is_int(check(f, "Alice", pws[1]), 1, "Alice has her own hash");
	is_int(check(f, "", "secret"), 0, "empty user");
	is_int(check(f, "#bob", "x"), 0, "a comment is no user");
	is_int(check(f, "locked1", "!"), 0, "locked '!'");
	ok(has("users:13: locked1 is locked"), "note: %s", err);
	is_int(check(f, "locked2", "*"), 0, "locked '*'");
	is_int(check(f, "locked3", "secret"), 0, "'!' before a good hash");
	ok(has("locked"), "note: %s", err);
	is_int(check(f, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "secret"), 1,
	    "a user of LIM_USER bytes");
	is_int(check(f, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "secret"), 0,
	    "a user over LIM_USER");

	/*
	 * Lengths either side of the digest sizes (32, 64) and their
	 * multiples, where sha-crypt repeats blocks, up to 511 (the most
	 * libxcrypt hashes); over LIM_PASS is bad without hashing.
	 */
	for (i = 0; i < NLENS; i++) {
		memset(lenpw[i], 'a' + i % 26, lens[i]);
		lenpw[i][lens[i]] = '\0';
		lenp[i] = lenpw[i];
	}
	if (pyhash("SHA512", 1000, lenp, NLENS, hl) == NLENS &&
	    pyhash("SHA256", 1000, lenp, NLENS, hl2) == NLENS) {
		for (i = 0; i < NLENS; i++) {
			snprintf(text, sizeof(text), "u:%s\nv:%s\n", hl[i],
			    hl2[i]);
			f = write_file("len", 0600, text);
			is_int(check(f, "u", lenpw[i]), 1, "sha512, %zu bytes",
			    lens[i]);
			is_int(check(f, "v", lenpw[i]), 1, "sha256, %zu bytes",
			    lens[i]);
		}
		lenpw[NLENS - 1][lens[NLENS - 1] - 1] ^= 1;
		is_int(check(f, "u", lenpw[NLENS - 1]), 0, "last byte differs");
	} else
		ok(0, "Python hashed passwords of every length");
	memset(big, 'p', LIM_PASS + 1);
	big[LIM_PASS + 1] = '\0';
	is_int(check(f, "u", big), 0, "over LIM_PASS: bad");
	is_str(err, "", "over LIM_PASS: no detail");

	/* bcrypt ($2b$, cost 4): every password, and 72 bytes counting */
	if (pyhash("BLOWFISH", 16, pws, 4, hb) == 4 &&
	    strncmp(hb[0], "$2", 2) == 0) {
		snprintf(text, sizeof(text), "bc:%s\nb2:%s\nb3:%s\nb4:%s\n"
		    "alice:%s\n", hb[0], hb[1], hb[2], hb[3], h512[0]);
		f = write_file("bcrypt", 0600, text);
		is_int(check(f, "bc", "secret"), 1, "bcrypt: the password");
		is_int(check(f, "bc", "Secret"), 0, "bcrypt: another one");
		is_int(check(f, "b2", pws[1]), 1, "bcrypt: with spaces");
		is_int(check(f, "b3", pws[2]), 1, "bcrypt: UTF-8");
		is_int(check(f, "b4", ""), 1, "bcrypt: empty password");
		is_int(check(f, "b4", "x"), 0, "bcrypt: not empty");
		is_int(check(f, "alice", "secret"), 1,
		    "a bcrypt line does not spoil the others");
		is_int(check(f, "nobody", "secret"), 0, "unknown user: 0");
	} else
		for (int j = 0; j < 8; j++)
			printf("ok %d # skip no bcrypt in this system's crypt\n",
			    ++tap_n);
	memset(lenpw[0], 'b', 80);
	lenpw[0][80] = '\0';
	{
		const char	*one[] = { lenpw[0] };

		if (pyhash("BLOWFISH", 16, one, 1, hb) == 1 &&
		    strncmp(hb[0], "$2", 2) == 0) {
			snprintf(text, sizeof(text), "long:%s\n", hb[0]);
			f = write_file("bcrypt", 0600, text);
			is_int(check(f, "long", lenpw[0]), 1,
			    "bcrypt: an 80-byte password");
			lenpw[0][75] = 'c';	/* past the 72 that count */
			is_int(check(f, "long", lenpw[0]), 1,
			    "bcrypt: bytes past 72 do not count, as libcrypt");
			lenpw[0][70] = 'c';
			is_int(check(f, "long", lenpw[0]), 0,
			    "bcrypt: a byte within 72 does");
		} else
			for (int j = 0; j < 3; j++)
				printf("ok %d # skip no bcrypt in this system's "
				    "crypt\n", ++tap_n);
	}

	/* malformed lines: -1, naming file and line */
	f = write_file("m", 0600, "# x\nalice:$1$abcdefgh$"
	    "8ZzmWcVy0Rud0Da6cu32M1\n");
	is_int(check(f, "nobody", "x"), -1, "MD5 hash: malformed");
	ok(has("/m:2: the hash of alice is not"), "err: %s", err);
	f = write_file("m", 0600, "alice:abJnggxhB/yWI\n");
	is_int(check(f, "alice", "x"), -1, "DES hash: malformed");
	ok(has("/m:1:"), "err: %s", err);
	f = write_file("m", 0600, "alice:\n");
	is_int(check(f, "alice", ""), -1, "empty hash: malformed");
	f = write_file("m", 0600, "\n\nalice\n");
	is_int(check(f, "alice", "x"), -1, "no colon");
	ok(has("/m:3: no colon"), "err: %s", err);
	snprintf(text, sizeof(text), ":%s\n", h512[0]);
	f = write_file("m", 0600, text);
	is_int(check(f, "", "secret"), -1, "empty user");
	ok(has("/m:1: empty user"), "err: %s", err);
	snprintf(text, sizeof(text),
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:%s\n", h512[0]);
	f = write_file("m", 0600, text);
	is_int(check(f, "alice", "secret"), -1, "user over LIM_USER");
	ok(has("/m:1: user over 32"), "err: %s", err);
	snprintf(text, sizeof(text), "alice:%s\nbob:%s\nalice:%s\n",
	    h512[0], h512[1], h256[0]);
	f = write_file("m", 0600, text);
	is_int(check(f, "bob", pws[1]), 1, "a user twice: others unharmed");
	is_int(check(f, "alice", "secret"), -1, "a user twice");
	ok(has("/m:3: user alice again (line 1)"), "err: %s", err);
	snprintf(text, sizeof(text), "alice:%s:extra\n", h512[0]);
	f = write_file("m", 0600, text);
	is_int(check(f, "alice", "secret"), -1, "a third field");
	snprintf(text, sizeof(text), "alice:%s\r\n", h512[0]);
	f = write_file("m", 0600, text);
	is_int(check(f, "alice", "secret"), -1, "CRLF line");
	snprintf(text, sizeof(text), "alice:%.*s\n",
	    (int)strlen(h512[0]) - 1, h512[0]);
	f = write_file("m", 0600, text);
	is_int(check(f, "alice", "secret"), -1, "a cut hash");
	f = write_file("m", 0600, "a:$6$rounds=999$salt$"
	    "0000000000000000000000000000000000000000000000000000000000000"
	    "0000000000000000000000000\n");
	is_int(check(f, "a", "x"), -1, "rounds under 1000");
	f = write_file("m", 0600, "a:$6$01234567890123456$"
	    "0000000000000000000000000000000000000000000000000000000000000"
	    "0000000000000000000000000\n");
	is_int(check(f, "a", "x"), -1, "a salt over 16");

	/* LIM_PW_LINE: a comment of exactly that is a line, one more not */
	memset(text, '#', LIM_PW_LINE);
	snprintf(text + LIM_PW_LINE, sizeof(text) - LIM_PW_LINE,
	    "\nalice:%s\n", h512[0]);
	f = write_file("m", 0600, text);
	is_int(check(f, "alice", "secret"), 1, "a line of LIM_PW_LINE");
	memset(text, '#', LIM_PW_LINE + 1);
	snprintf(text + LIM_PW_LINE + 1, sizeof(text) - LIM_PW_LINE - 1,
	    "\nalice:%s\n", h512[0]);
	f = write_file("m", 0600, text);
	is_int(check(f, "alice", "secret"), -1, "a line over LIM_PW_LINE");
	ok(has("/m:1: line over 1024"), "err: %s", err);

	/* the file itself */
	snprintf(text, sizeof(text), "alice:%s\n", h512[0]);
	f = write_file("ok", 0640, text);
	is_int(check(f, "alice", "secret"), 1, "mode 0640 is fine");
	f = write_file("ok", 0644, text);
	is_int(check(f, "alice", "secret"), -1, "readable by others");
	ok(has("mode 644"), "err: %s", err);
	f = write_file("ok", 0620, text);
	is_int(check(f, "alice", "secret"), -1, "writable by group");
	f = write_file("ok", 0602, text);
	is_int(check(f, "alice", "secret"), -1, "writable by others");
	f = write_file("ok", 0600, text);
	snprintf(text, sizeof(text), "%s/link", dir);
	if (symlink(path, text) == -1)
		diag(strerror(errno));
	is_int(check(text, "alice", "secret"), -1, "a symbolic link");
	ok(has("is a symbolic link"), "err: %s", err);
	is_int(check(dir, "alice", "secret"), -1, "a directory");
	ok(has("not a regular file"), "err: %s", err);
	snprintf(text, sizeof(text), "%s/fifo", dir);
	if (mkfifo(text, 0600) == -1)
		diag(strerror(errno));
	is_int(check(text, "alice", "secret"), -1, "a FIFO, without hanging");
	snprintf(text, sizeof(text), "%s/none", dir);
	is_int(check(text, "alice", "secret"), -1, "no file");
	ok(has("No such file"), "err: %s", err);
	if (geteuid() == 0) {
		if (chown(path, 12345, 0) == -1)
			diag(strerror(errno));
		is_int(check(path, "alice", "secret"), -1,
		    "owned by someone else");
		ok(has("owned by uid 12345"), "err: %s", err);
	} else
		ok(1, "# skip chown to another owner needs root");

	/* shadow(5): the system's file, judged more gently */
	snprintf(text, sizeof(text),
	    "root:*:19000:0:99999:7:::\n"
	    "daemon:!:19000::::::\n"
	    "alice:%s:19000:0:99999:7:::\n"
	    "bob:%s:19000:0:99999:7:::\n"
	    "carol:$y$j9T$abcdefghijklmnopqrstuv$"
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ:19000::::::\n"
	    "des:abJnggxhB/yWI:19000::::::\n"
	    "empty::19000::::::\n"
	    "lockd:!%s:19000::::::\n"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:%s:1::::::\n"
	    "alice:%s:19000::::::\n",
	    h512[0], h256[1], h512[0], h512[0], h512[1]);
	f = write_file("shadow", 0640, text);
	is_int(auth_check_shadow(f, "alice", "secret", err, sizeof(err)), 1,
	    "shadow: right password");
	is_int(auth_check_shadow(f, "alice", pws[1], err, sizeof(err)), 0,
	    "shadow: the first entry counts");
	is_int(auth_check_shadow(f, "bob", pws[1], err, sizeof(err)), 1,
	    "shadow: sha256");
	is_int(auth_check_shadow(f, "bob", "x", err, sizeof(err)), 0,
	    "shadow: wrong password");
	is_int(auth_check_shadow(f, "carol", "x", err, sizeof(err)), 0,
	    "shadow: yescrypt is never accepted");
	ok(has("shadow:5: the hash of carol is of a kind not checked"),
	    "err: %s", err);
	is_int(auth_check_shadow(f, "des", "x", err, sizeof(err)), 0,
	    "shadow: DES is never accepted");
	is_int(auth_check_shadow(f, "empty", "", err, sizeof(err)), 0,
	    "shadow: an empty hash is no login");
	ok(has("has no password"), "err: %s", err);
	is_int(auth_check_shadow(f, "root", "*", err, sizeof(err)), 0,
	    "shadow: locked '*'");
	is_int(auth_check_shadow(f, "lockd", "secret", err, sizeof(err)), 0,
	    "shadow: locked '!' before a good hash");
	is_int(auth_check_shadow(f, "nobody", "secret", err, sizeof(err)), 0,
	    "shadow: unknown user");
	is_str(err, "", "shadow: unknown user, no detail");
	f = write_file("shadow", 0640, "root:*:1::::::\ngarbage\n");
	is_int(auth_check_shadow(f, "root", "x", err, sizeof(err)), -1,
	    "shadow: a line without a colon");
	ok(has("shadow:2: no colon"), "err: %s", err);

	snprintf(text, sizeof(text), "rm -rf %s", dir);
	if (system(text) != 0)
		diag("could not remove the temporary directory");
	return done_testing();
}
