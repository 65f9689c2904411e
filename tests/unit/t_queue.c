/*
 * queue: IDs, commit, envelopes, locks, listing, cleaning.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "queue.h"
#include "tap.h"

static char dir[] = "/tmp/t_queue.XXXXXX";

static int
count(const char *sub)
{
	char		 p[300];
	DIR		*d;
	struct dirent	*de;
	int		 n = 0;

	snprintf(p, sizeof(p), "%s/%s", dir, sub);
	if ((d = opendir(p)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

static int
commit_one(const char *body, const char *rcpt, char *id)
{
	struct queue_writer	 w;
	struct qenv		 env;
	char			 err[512];
	int			 r;

	if (queue_open(&w, err, sizeof(err)) == -1)
		return -1;
	fputs(body, w.fp);
	memset(&env, 0, sizeof(env));
	env.arrival = time(NULL);
	env.sender = strdup("alice@example.org");
	qenv_add_rcpt(&env, rcpt, NULL);
	r = queue_commit(&w, &env, err, sizeof(err));
	if (id != NULL)
		strcpy(id, env.id);
	qenv_free(&env);
	return r;
}

static void
test_ids(void)
{
	struct queue_writer	 w;
	char			 err[512], prev[LIM_QID] = "";
	int			 sorted = 1, valid = 1;

	for (int i = 0; i < 50; i++) {
		if (queue_open(&w, err, sizeof(err)) == -1)
			break;
		valid &= queue_valid_id(w.id);
		sorted &= strcmp(prev, w.id) < 0;
		strcpy(prev, w.id);
		queue_abort(&w);
	}
	ok(valid, "IDs are well-formed");
	ok(sorted, "IDs drawn one after another sort in time order");
	is_int(count("tmp"), 0, "abort leaves nothing in tmp/");
	ok(!queue_valid_id("abc"), "short ID refused");
	ok(!queue_valid_id("../../etc/x"), "path in ID refused");
	ok(!queue_valid_id("0123456789A"), "long ID refused");
}

/* Four processes draw IDs at once: no two alike. */
static void
test_unique(void)
{
	int	 fds[2], n = 0, dup = 0;
	char	 ids[800][LIM_QID];
	FILE	*fp;

	if (pipe(fds) == -1)
		return;
	for (int k = 0; k < 4; k++)
		if (fork() == 0) {
			struct queue_writer w;
			char err[512];

			close(fds[0]);
			for (int i = 0; i < 200; i++) {
				if (queue_open(&w, err, sizeof(err)) == -1)
					_exit(1);
				dprintf(fds[1], "%s\n", w.id);
				fclose(w.fp);	/* keep tmp/ID so it stays taken */
			}
			_exit(0);
		}
	close(fds[1]);
	fp = fdopen(fds[0], "r");
	while (n < 800 && fscanf(fp, "%15s", ids[n]) == 1)
		n++;
	fclose(fp);
	while (wait(NULL) > 0)
		;
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			dup += strcmp(ids[i], ids[j]) == 0;
	is_int(n, 800, "800 IDs drawn by 4 processes");
	is_int(dup, 0, "all of them distinct");
	ok(queue_clean(0) >= 800, "clean_tmp(0) removes the leftovers");
}

static void
test_commit(void)
{
	char		 id[LIM_QID], err[512], **ids;
	struct qenv	 env;
	int		 n, fd, fd2;

	ok(commit_one("Subject: x\n\nbody\n", "bob@example.org", id) == 0,
	    "commit");
	is_int(count("msg"), 1, "one message");
	is_int(count("env"), 1, "one envelope");
	is_int(count("tmp"), 0, "nothing left in tmp/");
	is_int(queue_msg_size(id), 17, "message size");
	ok(queue_read_env(id, &env, err, sizeof(err)) == 0, "read envelope");
	is_str(env.sender, "alice@example.org", "sender kept");
	is_int(env.nrcpt, 1, "one recipient");
	is_str(env.rcpt[0].addr, "bob@example.org", "recipient kept");
	ok(env.rcpt[0].status == RCPT_PENDING, "pending");

	/* rewrite with results, including a control character */
	env.rcpt[0].attempts = 3;
	env.rcpt[0].next_try = 12345;
	env.rcpt[0].error = strdup("4.4.1 refused\r\nX-Evil: 1");
	qenv_add_rcpt(&env, "carol@example.org", "list@example.org");
	env.rcpt[1].status = RCPT_SENT;
	ok(queue_write_env(&env, err, sizeof(err)) == 0, "rewrite envelope");
	qenv_free(&env);
	ok(queue_read_env(id, &env, err, sizeof(err)) == 0, "read it back");
	is_int(env.nrcpt, 2, "two recipients");
	is_int(env.rcpt[0].attempts, 3, "attempts kept");
	is_int(env.rcpt[0].next_try, 12345, "next try kept");
	is_str(env.rcpt[0].error, "4.4.1 refused??X-Evil: 1",
	    "control characters cannot break the envelope's lines");
	is_str(env.rcpt[1].orig, "list@example.org", "original address kept");
	ok(env.rcpt[1].status == RCPT_SENT, "status kept");
	qenv_free(&env);

	/* locks */
	fd = queue_lock(id, 0);
	ok(fd >= 0, "lock");
	ok(queue_is_locked(id), "seen as locked");
	if (fork() == 0)
		_exit(queue_lock(id, 0) == -1 && errno == EWOULDBLOCK ? 0 : 1);
	wait(&n);
	ok(WIFEXITED(n) && WEXITSTATUS(n) == 0,
	    "a second runner cannot take the lock");
	close(fd);
	ok(!queue_is_locked(id), "free again after close");
	fd2 = queue_lock(id, 0);
	ok(fd2 >= 0, "lock again");
	close(fd2);

	ok(queue_list(&ids, &n) == 0 && n == 1 && strcmp(ids[0], id) == 0,
	    "list finds the entry");
	queue_list_free(ids, n);
	ok(queue_remove(id) == 0, "remove");
	is_int(count("msg") + count("env"), 0, "both files gone");
	ok(queue_read_env(id, &env, err, sizeof(err)) == -1 && errno == ENOENT,
	    "a removed entry reads as ENOENT");
}

static void
test_malformed(void)
{
	char	 id[LIM_QID], p[300], err[512];
	struct qenv env;
	FILE	*fp;

	commit_one("x\n", "bob@example.org", id);
	snprintf(p, sizeof(p), "%s/env/%s", dir, id);
	fp = fopen(p, "w");
	fputs("V 1\nT 17\nS a@b\nR Q 0 0 bob@example.org\n", fp);
	fclose(fp);
	ok(queue_read_env(id, &env, err, sizeof(err)) == -1 && errno == EINVAL &&
	    strstr(err, ":4: malformed envelope") != NULL,
	    "a malformed envelope is refused with its line");
	fp = fopen(p, "w");
	fputs("V 1\nT 17\nS a@b\nR P 0 0 bob@example.org", fp);
	fclose(fp);
	ok(queue_read_env(id, &env, err, sizeof(err)) == -1,
	    "a truncated envelope (no final newline) is refused");
	/* found by fuzzing: a control character was taken, then turned
	   into '?' by the next rewrite, changing the recipient */
	fp = fopen(p, "w");
	fputs("V 1\nT 17\nS a@b\nR P 0 0 dave@[192.0.2.\0211]\n", fp);
	fclose(fp);
	ok(queue_read_env(id, &env, err, sizeof(err)) == -1 &&
	    errno == EINVAL && strstr(err, ":4: malformed") != NULL,
	    "a control character in an envelope line is refused");
	fp = fopen(p, "w");
	fputs("V 1\nT 17\nS a\tb@c\nR P 0 0 bob@example.org\n", fp);
	fclose(fp);
	ok(queue_read_env(id, &env, err, sizeof(err)) == -1 &&
	    errno == EINVAL, "a TAB in the sender is refused");
	fp = fopen(p, "w");
	fputs("V 1\nT 17\nU 4294967296\nS a@b\nR P 0 0 b@c\n", fp);
	fclose(fp);
	ok(queue_read_env(id, &env, err, sizeof(err)) == -1 &&
	    errno == EINVAL, "a uid past uid_t does not wrap to root");
	/* found by fuzzing: "R P0 0 x" was read, and rewritten one octet
	   longer; at LIM_ENV_LINE octets that envelope no longer read */
	fp = fopen(p, "w");
	fprintf(fp, "V 1\nT 17\nS a@b\nR P0 0 %0*d\n", LIM_ENV_LINE - 7, 0);
	fclose(fp);
	ok(queue_read_env(id, &env, err, sizeof(err)) == -1 &&
	    errno == EINVAL, "an R line not as the writer puts it is refused");
	fp = fopen(p, "w");
	fputs("V 1\nT 17\nS a@b\nR P 4294967297 0 b@c\n", fp);
	fclose(fp);
	ok(queue_read_env(id, &env, err, sizeof(err)) == -1 &&
	    errno == EINVAL, "an attempt count past int is refused");
	fp = fopen(p, "w");
	fprintf(fp, "V 1\nT 17\nS a@b\nR P 0 0 %0*d\n", LIM_ENV_LINE - 8, 0);
	fclose(fp);
	ok(queue_read_env(id, &env, err, sizeof(err)) == 0 &&
	    queue_write_env(&env, err, sizeof(err)) == 0,
	    "a line of LIM_ENV_LINE octets is read and rewritten");
	qenv_free(&env);
	ok(queue_read_env(id, &env, err, sizeof(err)) == 0 && env.nrcpt == 1 &&
	    strlen(env.rcpt[0].addr) == LIM_ENV_LINE - 8, "and read again");
	qenv_free(&env);
	queue_remove(id);
}

static void
test_clean(void)
{
	char		 p[300], q[300];
	struct timeval	 tv[2] = { { 1000, 0 }, { 1000, 0 } };
	FILE		*fp;

	/* an old file of the queue's form goes; a fresh one, and an old
	   one of any other name, stay: the sweep removes only its own */
	snprintf(p, sizeof(p), "%s/tmp/0aZz9bYy8c.env", dir);
	fp = fopen(p, "w");
	fclose(fp);
	utimes(p, tv);
	snprintf(q, sizeof(q), "%s/tmp/alice", dir);
	fp = fopen(q, "w");
	fclose(fp);
	utimes(q, tv);
	snprintf(p, sizeof(p), "%s/tmp/0aZz9bYy8d", dir);
	fp = fopen(p, "w");
	fclose(fp);
	is_int(queue_clean(3600), 1, "one stale tmp file removed");
	ok(access(p, F_OK) == 0, "the fresh one stays");
	ok(access(q, F_OK) == 0, "a name not of the queue's form stays");
	unlink(p);
	unlink(q);
}

/* Done lists: keys of QUEUE_KEY_LEN hex digits, across several D
   lines, back as they went; a 16-digit key of an older envelope is
   read and kept; anything else is refused. */
static void
test_done(void)
{
	struct qenv	 env, back;
	char		 key[QUEUE_KEY_LEN + 1], err[512], id[LIM_QID], p[300];
	FILE		*fp;
	int		 all = 1;

	ok(commit_one("x\n", "bob@example.org", id) == 0, "an entry");
	ok(queue_read_env(id, &env, err, sizeof(err)) == 0, "read");
	for (int i = 0; i < 120; i++) {
		snprintf(key, sizeof(key), "%032x", i * 7919);
		if (qrcpt_set_done(&env.rcpt[0], key) == -1)
			all = 0;
	}
	ok(all, "120 keys added");
	ok(qrcpt_set_done(&env.rcpt[0], "0123456789abcdef") == 0,
	    "a 16-digit key is a key");
	ok(qrcpt_set_done(&env.rcpt[0], "0123") == -1 && errno == EINVAL,
	    "a short one is not");
	ok(qrcpt_set_done(&env.rcpt[0], "0123456789ABCDEF0123456789ABCDEF")
	    == -1, "nor one in capitals");
	ok(queue_write_env(&env, err, sizeof(err)) == 0, "written");
	ok(queue_read_env(id, &back, err, sizeof(err)) == 0, "read back");
	is_str(back.rcpt[0].done, env.rcpt[0].done, "the same done list");
	snprintf(key, sizeof(key), "%032x", 119 * 7919);
	ok(qrcpt_done(&back.rcpt[0], key), "the last key is there");
	snprintf(key, sizeof(key), "%032x", 120 * 7919);
	ok(!qrcpt_done(&back.rcpt[0], key), "one never added is not");
	ok(!qrcpt_done(&back.rcpt[0], "0123456789abcdef0000000000000000"),
	    "a key is never matched by its 16-digit prefix");
	snprintf(p, sizeof(p), "%s/env/%s", dir, id);
	fp = fopen(p, "a");
	fprintf(fp, "D 0123456789abcdef  fedcba9876543210\n");
	fclose(fp);
	qenv_free(&back);
	ok(queue_read_env(id, &back, err, sizeof(err)) == -1 &&
	    errno == EINVAL, "a D line with two spaces is refused");
	qenv_free(&env);
	queue_remove(id);
}

/* The file env/ID as given; then read, 0 or -1. */
static int
read_as(const char *id, const char *text, struct qenv *env)
{
	char	 p[300], err[512];
	FILE	*fp;

	snprintf(p, sizeof(p), "%s/env/%s", dir, id);
	if ((fp = fopen(p, "w")) == NULL || fputs(text, fp) == EOF ||
	    fclose(fp) == EOF)
		return -2;
	return queue_read_env(id, env, err, sizeof(err));
}

/* DSN and SMTPUTF8: I, B, X, and per recipient N, A, Y, written and
   read back; an envelope without them (as written before they were)
   reads with none; a bad one is refused. */
static void
test_dsn(void)
{
	struct qenv	 env, back;
	char		 id[LIM_QID], err[512];

	ok(commit_one("x\n", "bob@example.org", id) == 0, "an entry");
	ok(queue_read_env(id, &env, err, sizeof(err)) == 0 &&
	    env.envid == NULL && env.ret == DSN_RET_NONE && !env.smtputf8 &&
	    env.rcpt[0].notify == 0 && env.rcpt[0].orcpt == NULL &&
	    env.rcpt[0].owed == DSN_ACTION_NONE, "none of them by default");
	env.envid = strdup("QQ 314159");
	env.ret = DSN_RET_FULL;
	env.smtputf8 = 1;
	env.rcpt[0].notify = DSN_NOTIFY_SUCCESS | DSN_NOTIFY_DELAY;
	env.rcpt[0].orcpt = strdup("rfc822;Bob+tag@example.org");
	env.rcpt[0].owed = DSN_ACTION_DELIVERED;
	qenv_add_rcpt(&env, "carol@example.org", NULL);
	env.rcpt[1].notify = DSN_NOTIFY_NEVER;
	env.rcpt[1].owed = DSN_ACTION_RELAYED;
	qenv_add_rcpt(&env, "dave@example.org", NULL);
	ok(queue_write_env(&env, err, sizeof(err)) == 0, "written");
	ok(queue_read_env(id, &back, err, sizeof(err)) == 0, "read back");
	is_str(back.envid, "QQ 314159", "ENVID");
	is_int(back.ret, DSN_RET_FULL, "RET=FULL");
	is_int(back.smtputf8, 1, "SMTPUTF8");
	is_int(back.rcpt[0].notify, DSN_NOTIFY_SUCCESS | DSN_NOTIFY_DELAY,
	    "NOTIFY=SUCCESS,DELAY");
	is_str(back.rcpt[0].orcpt, "rfc822;Bob+tag@example.org", "ORCPT");
	is_int(back.rcpt[0].owed, DSN_ACTION_DELIVERED, "a report owed");
	is_int(back.rcpt[1].notify, DSN_NOTIFY_NEVER, "NOTIFY=NEVER");
	ok(back.rcpt[1].orcpt == NULL, "no ORCPT");
	is_int(back.rcpt[1].owed, DSN_ACTION_RELAYED, "relayed owed");
	ok(back.nrcpt == 3 && back.rcpt[2].notify == 0 &&
	    back.rcpt[2].owed == DSN_ACTION_NONE, "the third has none");
	qenv_free(&back);
	qenv_free(&env);

	ok(read_as(id, "V 1\nT 17\nU 0\nW 0\nS a@b.example\n"
	    "R P 2 99 bob@example.org\nO list@example.org\nE 4.4.0 later\n"
	    "R S 1 0 carol@example.org\nO carol@example.org\n", &env) == 0,
	    "an envelope as written before DSN reads");
	ok(env.envid == NULL && env.ret == DSN_RET_NONE && !env.smtputf8 &&
	    env.nrcpt == 2 && env.rcpt[0].notify == 0 &&
	    env.rcpt[0].orcpt == NULL && env.rcpt[1].owed == DSN_ACTION_NONE &&
	    strcmp(env.rcpt[0].orig, "list@example.org") == 0 &&
	    env.rcpt[0].attempts == 2, "with none of them, and the rest kept");
	qenv_free(&env);

#define REFUSED(text, what) \
	ok(read_as(id, "V 1\nT 17\nS a@b\n" text, &env) == -1 && \
	    errno == EINVAL, "refused: %s", what)
	REFUSED("R P 0 0 b@c\nN NEVER,SUCCESS\n", "NEVER with another");
	REFUSED("R P 0 0 b@c\nN SUCCESS,BOGUS\n", "an unknown NOTIFY word");
	REFUSED("N FAILURE\nR P 0 0 b@c\n", "N before any recipient");
	REFUSED("R P 0 0 b@c\nA rfc822;\n", "an empty ORCPT");
	REFUSED("R P 0 0 b@c\nA b@c\n", "an ORCPT without a type");
	REFUSED("R P 0 0 b@c\nY failed\n", "a failure is never owed");
	REFUSED("R P 0 0 b@c\nY\n", "Y without a value");
	REFUSED("B full\nR P 0 0 b@c\n", "RET not as the writer puts it");
	REFUSED("B ALL\nR P 0 0 b@c\n", "an unknown RET");
	REFUSED("X 8BITMIME\nR P 0 0 b@c\n", "X other than SMTPUTF8");
	REFUSED("I \xc3\xa9\nR P 0 0 b@c\n", "a non-ASCII ENVID");
#undef REFUSED
	queue_remove(id);
}

/* Next hops: recipients grouped by domain, in order; the next try. */
static void
test_hops(void)
{
	struct qenv	 env;
	struct qhop	*h;
	int		 n, all[] = { 0, 1, 2, 3, 4 }, some[] = { 4, 1 };

	memset(&env, 0, sizeof(env));
	qenv_add_rcpt(&env, "a@one.example", NULL);
	qenv_add_rcpt(&env, "b@two.example", NULL);
	qenv_add_rcpt(&env, "c@ONE.example", NULL);
	qenv_add_rcpt(&env, "d@three.example", NULL);
	qenv_add_rcpt(&env, "e@two.example", NULL);
	ok(qenv_hops(&env, all, 5, &h, &n) == 0 && n == 3, "three domains");
	ok(n == 3 && strcmp(h[0].domain, "one.example") == 0 && h[0].n == 2 &&
	    h[0].rcpt[0] == 0 && h[0].rcpt[1] == 2, "one.example: a and c "
	    "(case does not split a domain)");
	ok(n == 3 && strcmp(h[1].domain, "two.example") == 0 && h[1].n == 2 &&
	    h[1].rcpt[1] == 4 && h[2].n == 1 && h[2].rcpt[0] == 3,
	    "two.example: b and e; three.example: d");
	qhops_free(h, n);
	ok(qenv_hops(&env, some, 2, &h, &n) == 0 && n == 1 && h[0].n == 2 &&
	    h[0].rcpt[0] == 4 && h[0].rcpt[1] == 1, "only those asked for");
	qhops_free(h, n);
	qenv_add_rcpt(&env, "nodomain", NULL);
	all[0] = 5;
	ok(qenv_hops(&env, all, 1, &h, &n) == -1 && errno == EINVAL,
	    "an address without a domain has no next hop");
	env.rcpt[0].next_try = 500;
	env.rcpt[1].next_try = 300;
	env.rcpt[2].next_try = 900;
	env.rcpt[3].next_try = 400;
	env.rcpt[4].next_try = 700;
	env.rcpt[5].next_try = 600;
	env.rcpt[1].status = RCPT_SENT;
	is_int((int)qenv_next_try(&env), 400, "next try: the earliest pending");
	for (int i = 0; i < env.nrcpt; i++)
		env.rcpt[i].status = RCPT_FAILED;
	is_int((int)qenv_next_try(&env), -1, "none pending: -1");
	qenv_free(&env);
}

/* The spool is never followed through a symlink, and must be ours. */
static void
test_checks(void)
{
	char	 err[512], p[64], q[64], cmd[400];

	snprintf(p, sizeof(p), "%s/sp", dir);
	ok(queue_init(p, 1, 0, 0, err, sizeof(err)) == 0, "a second spool");
	snprintf(cmd, sizeof(cmd), "rmdir %s/env && ln -s %s/env %s/env",
	    p, dir, p);
	ok(system(cmd) == 0, "its env/ replaced by a symlink");
	ok(queue_init(p, 1, 0, 0, err, sizeof(err)) == -2 &&
	    strstr(err, "env is a symbolic link") != NULL,
	    "refused, naming env/ and the symlink");
	snprintf(cmd, sizeof(cmd), "rm %s/env && mkdir %s/env && "
	    "chmod 0777 %s/env", p, p, p);
	ok(system(cmd) == 0, "a world-writable env/");
	ok(queue_init(p, 1, 0, 0, err, sizeof(err)) == -2 &&
	    strstr(err, "writable by everyone") != NULL, "refused");
	snprintf(cmd, sizeof(cmd), "chmod 0700 %s/env && ln -s %s %s/ln",
	    p, p, dir);
	ok(system(cmd) == 0, "a symlink to the whole spool");
	snprintf(q, sizeof(q), "%s/ln", dir);
	ok(queue_init(q, 1, 0, 0, err, sizeof(err)) == -2 &&
	    strstr(err, "is a symbolic link") != NULL, "refused");
	if (geteuid() == 0) {
		snprintf(cmd, sizeof(cmd), "chown 4242 %s/msg", p);
		ok(system(cmd) == 0, "msg/ given to another user");
		ok(queue_init(p, 1, 0, 0, err, sizeof(err)) == -2 &&
		    strstr(err, "belongs to someone else") != NULL,
		    "refused when root opens it");
	} else {
		printf("ok %d # skip another owner needs root\n", ++tap_n);
		printf("ok %d # skip another owner needs root\n", ++tap_n);
	}
	ok(queue_init(dir, 1, 0, 0, err, sizeof(err)) == 0, "back to ours");
}

/* How many tmp/spare.* files, and is inode ino one of them? */
static int
spares(ino_t ino, int *has)
{
	char		 p[400];
	struct stat	 st;
	int		 n = 0;

	*has = 0;
	for (int i = 0; i < 1024; i++) {
		snprintf(p, sizeof(p), "%s/tmp/spare.%d", dir, i);
		if (stat(p, &st) == 0) {
			n++;
			*has |= st.st_ino == ino && st.st_size == 0;
		}
	}
	return n;
}

static void
test_spares(void)
{
	char		 id[LIM_QID], id2[LIM_QID], p[400], q[400];
	struct stat	 st, lst;
	ino_t		 ino;
	int		 has, n, fd;

	for (int i = 0; i < 1024; i++) {	/* what earlier tests left */
		snprintf(p, sizeof(p), "%s/tmp/spare.%d", dir, i);
		unlink(p);
	}
	ok(commit_one("to be reused\n", "bob@example.org", id) == 0, "an entry");
	snprintf(p, sizeof(p), "%s/msg/%s", dir, id);
	stat(p, &st);
	ino = st.st_ino;
	ok(queue_remove(id) == 0, "removed");
	n = spares(ino, &has);
	if (n != 2) {
		snprintf(q, sizeof(q), "%d spares", n);
		diag(q);
	}
	ok(n == 2 && has, "its two files are kept, emptied, as spares");
	ok(count("msg") == 0 && count("env") == 0, "and gone from msg/, env/");
	/* every slot a spare of ours: the next entry must take one */
	for (int i = 0; i < 1024; i++) {
		snprintf(p, sizeof(p), "%s/tmp/spare.%d", dir, i);
		fd = open(p, O_WRONLY | O_CREAT, 0640);
		close(fd);
	}
	ok(commit_one("the next one\n", "bob@example.org", id2) == 0,
	    "the next entry");
	snprintf(p, sizeof(p), "%s/msg/%s", dir, id2);
	stat(p, &st);
	ok(spares(0, &has) == 1024 - 2 && st.st_size == 13,
	    "is written into two spares, no new file made");
	queue_remove(id2);
	/* every slot a hard link to a file elsewhere: never taken */
	snprintf(q, sizeof(q), "%s/outside", dir);
	fd = open(q, O_WRONLY | O_CREAT | O_TRUNC, 0640);
	ok(fd != -1 && write(fd, "keep me\n", 8) == 8 && close(fd) == 0,
	    "a file outside the queue");
	for (int i = 0; i < 1024; i++) {
		snprintf(p, sizeof(p), "%s/tmp/spare.%d", dir, i);
		unlink(p);
		link(q, p);
	}
	ok(commit_one("not into a link\n", "bob@example.org", id) == 0,
	    "an entry with only linked spares about");
	stat(q, &lst);
	snprintf(p, sizeof(p), "%s/msg/%s", dir, id);
	stat(p, &st);
	ok(lst.st_size == 8 && st.st_ino != lst.st_ino,
	    "a spare with two links is neither emptied nor used");
	queue_remove(id);
	for (int i = 0; i < 1024; i++) {
		snprintf(p, sizeof(p), "%s/tmp/spare.%d", dir, i);
		unlink(p);
	}
	unlink(q);
}

int
main(void)
{
	char	 err[512], p[300];

	if (mkdtemp(dir) == NULL)
		return 1;
	ok(queue_init(dir, 1, 0, 0, err, sizeof(err)) == 0, "setup");
	ok(count("tmp") == 0 && count("msg") == 0 && count("env") == 0,
	    "tmp/ msg/ env/ made");
	ok(queue_init("/nonexistent/a/b", 1, 0, 0, err, sizeof(err)) == -1 &&
	    strstr(err, "/nonexistent/a/b") != NULL,
	    "setup failure names the spool");
	queue_init(dir, 1, 0, 0, err, sizeof(err));
	test_ids();
	test_unique();
	test_commit();
	test_malformed();
	test_clean();
	test_done();
	test_dsn();
	test_hops();
	test_spares();
	test_checks();
	snprintf(p, sizeof(p), "rm -rf %s", dir);
	if (system(p) != 0)
		diag("could not remove the temporary folder");
	return done_testing();
}
