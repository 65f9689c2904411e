/*
 * Sizes, offsets and times that must not fit in 32 bits, for the 32-bit
 * machines (make check ARCH=armhf): time_t and off_t are 64-bit there
 * too (musl >= 1.2), but a size_t, a long or a cast on the way would cut
 * them.  Every value here is past 2^31 or 2^32: a mailbox and a message
 * over 4 GiB (sparse files), max_size near its limit, dates after
 * 2038, retry and queue_lifetime in weeks.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "mailbox.h"
#include "mbox.h"
#include "msg.h"
#include "queue.h"
#include "tap.h"

#define GiB	(1024LL * 1024 * 1024)

static char dir[] = "/tmp/t_wide.XXXXXX";

static void
t_types(void)
{
	char	 line[128];

	snprintf(line, sizeof(line), "sizeof: time_t %zu, off_t %zu, "
	    "size_t %zu, long %zu", sizeof(time_t), sizeof(off_t),
	    sizeof(size_t), sizeof(long));
	diag(line);
	ok(sizeof(time_t) >= 8, "time_t holds dates after 2038");
	ok(sizeof(off_t) >= 8, "off_t holds offsets past 2 GiB");
}

static void
t_sizes(void)
{
	off_t	 v = 0;

	ok(conf_parse_size("3G", &v) == 0 && v == 3 * GiB, "3G: 3 GiB");
	ok(conf_parse_size("4G", &v) == 0 && v == 4 * GiB, "4G: 4 GiB");
	ok(conf_parse_size("4097M", &v) == 0 && v == 4097LL * 1024 * 1024,
	    "4097M");
	ok(conf_parse_size("4294967297", &v) == 0 && v == 4294967297LL,
	    "2^32 + 1 bytes, exactly");
	ok(conf_parse_size("1024G", &v) == 0 && v == 1024 * GiB,
	    "1024G, the largest");
	v = 7;
	ok(conf_parse_size("1025G", &v) == -1 && v == 7,
	    "1025G: refused, nothing stored");
	ok(conf_parse_size("18446744073709551617", &v) == -1,
	    "2^64 + 1: refused");
}

static void
t_times(void)
{
	time_t	 t = 0;

	ok(conf_parse_time("1w", &t) == 0 && t == 604800, "1w");
	ok(conf_parse_time("521w", &t) == 0 && t == 521LL * 604800,
	    "521w: just under ten years");
	ok(conf_parse_time("522w", &t) == -1, "522w: over ten years");
	ok(conf_parse_time("3650d", &t) == 0 && t == 3650LL * 86400,
	    "3650d");
	ok(conf_parse_time("4294967296s", &t) == -1, "2^32 s: refused");
	ok(conf_parse_time("4294967297w", &t) == -1, "2^32 + 1 weeks: refused");
}

static void
t_conf(void)
{
	struct conf	 c;
	char		 path[300], err[512];
	FILE		*f;

	snprintf(path, sizeof(path), "%s/wide.conf", dir);
	if ((f = fopen(path, "w")) == NULL) {
		ok(0, "write %s: %s", path, strerror(errno));
		return;
	}
	fputs("max_size = 4G\nretry = 1w 2w 52w\nqueue_lifetime = 521w\n"
	    "command_timeout = 3w\ndelay_warning = 2w\n", f);
	fclose(f);
	memset(&c, 0, sizeof(c));
	if (!ok(conf_load(&c, path, 1, err, sizeof(err)) == 0,
	    "a config in weeks and gigabytes loads (%s)", err))
		return;
	is_int(c.max_size, 4 * GiB, "max_size = 4G");
	ok(c.nretry == 3 && c.retry[0] == 604800 && c.retry[1] == 1209600 &&
	    c.retry[2] == 52LL * 604800, "retry = 1w 2w 52w");
	is_int(c.queue_lifetime, 521LL * 604800, "queue_lifetime = 521w");
	is_int(c.command_timeout, 3LL * 604800, "command_timeout = 3w");
	is_int(c.delay_warning, 2LL * 604800, "delay_warning = 2w");
	conf_free(&c);
}

static void
t_dates(void)
{
	char	 d[64];

	setenv("TZ", "UTC0", 1);
	tzset();
	msg_date((time_t)2147483647 + 2, d, sizeof(d));
	is_str(d, "Tue, 19 Jan 2038 03:14:09 +0000", "Date: past 2^31 s");
	msg_date((time_t)4102444800LL, d, sizeof(d));
	is_str(d, "Fri, 01 Jan 2100 00:00:00 +0000", "Date: in 2100");
	msg_date((time_t)4294967296LL + 86400, d, sizeof(d));
	is_str(d, "Mon, 08 Feb 2106 06:28:16 +0000", "Date: past 2^32 s");
}

/* A message counted past 4 GiB is still measured against max_size. */
static void
t_msg_size(void)
{
	struct msg_opts	 o;
	struct msg_in	 m;
	FILE		*out;
	int		 r;

	if ((out = fopen("/dev/null", "w")) == NULL) {
		ok(0, "/dev/null: %s", strerror(errno));
		return;
	}
	memset(&o, 0, sizeof(o));
	o.max_size = 4 * GiB + 25;
	msg_in_begin(&m, out, &o);
	ok(msg_in_line(&m, "Subject: big", 12) == 0, "a header line");
	ok(msg_in_line(&m, "", 0) == 0, "the empty line");
	m.size = 4 * GiB - 5;	/* as if 4 GiB had been read */
	r = msg_in_line(&m, "123456789", 9);
	ok(r == 0 && m.size == 4 * GiB + 5, "counted past 4 GiB: %lld",
	    (long long)m.size);
	ok(msg_in_line(&m, "123456789", 9) == 0, "4 GiB + 15: under the limit");
	ok(msg_in_line(&m, "123456789", 9) == 0, "4 GiB + 25: at the limit");
	ok(msg_in_line(&m, "123456789", 9) == -1 && m.err == MSG_ERR_SIZE,
	    "4 GiB + 35: over max_size");
	msg_in_free(&m);
	fclose(out);
}

/* An envelope keeps times after 2038 and 2106; mailq sees a 5 GiB message. */
static void
t_queue(void)
{
	struct queue_writer	 w;
	struct qenv		 env;
	char			 spool[300], path[400], err[512], id[64] = "";
	time_t			 arrival = (time_t)4102444800LL;
	time_t			 next = (time_t)4294967296LL + 7;

	snprintf(spool, sizeof(spool), "%s/spool", dir);
	if (!ok(queue_init(spool, 1, getuid(), getgid(), err,
	    sizeof(err)) == 0, "a spool (%s)", err))
		return;
	if (!ok(queue_open(&w, err, sizeof(err)) == 0, "queue_open (%s)", err))
		return;
	fputs("Subject: later\n\nx\n", w.fp);
	memset(&env, 0, sizeof(env));
	env.arrival = arrival;
	env.sender = strdup("alice@example.org");
	qenv_add_rcpt(&env, "bob@example.org", NULL);
	ok(queue_commit(&w, &env, err, sizeof(err)) == 0, "committed (%s)",
	    err);
	snprintf(id, sizeof(id), "%s", env.id);
	env.rcpt[0].next_try = next;
	env.rcpt[0].attempts = 3;
	ok(queue_write_env(&env, err, sizeof(err)) == 0, "envelope rewritten");
	qenv_free(&env);
	memset(&env, 0, sizeof(env));
	if (ok(queue_read_env(id, &env, err, sizeof(err)) == 0,
	    "read back (%s)", err) && env.nrcpt == 1) {
		is_int(env.arrival, arrival, "arrival in 2100 kept");
		is_int(env.rcpt[0].next_try, next, "next try past 2^32 s kept");
	}
	qenv_free(&env);
	snprintf(path, sizeof(path), "%s/msg/%s", spool, id);
	if (truncate(path, 5 * GiB) == -1) {
		printf("ok %d # skip no sparse 5 GiB file here: %s\n", ++tap_n,
		    strerror(errno));
	} else
		is_int(queue_msg_size(id), 5 * GiB, "a 5 GiB message's size");
	queue_remove(id);
	queue_close();
}

/* Appending to an mbox over 4 GiB (sparse): the new message lands at
   the end, and the size is right. */
static void
t_mbox_append(void)
{
	static const char first[] =
	    "From alice@example.org Thu Jan  1 00:00:00 1970\n"
	    "Subject: first\n\nhello\n";
	char		 path[300], why[512], got[16];
	struct stat	 st;
	off_t		 old = 5 * GiB;
	int		 fd;

	snprintf(path, sizeof(path), "%s/mbox", dir);
	if ((fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600)) == -1 ||
	    write(fd, first, sizeof(first) - 1) != (ssize_t)sizeof(first) - 1 ||
	    pwrite(fd, "\n\n", 2, old - 2) != 2) {
		printf("ok %d # skip no sparse 5 GiB file here: %s\n", ++tap_n,
		    strerror(errno));
		if (fd != -1)
			close(fd);
		unlink(path);
		return;
	}
	close(fd);
	ok(mailbox_put(path, 0, "bob@example.org", NULL,
	    "Subject: second\n\nWIDE\n", 22, why, sizeof(why)) == 0,
	    "appended to a 5 GiB mbox (%s)", why);
	if (stat(path, &st) == 0 && (fd = open(path, O_RDONLY)) != -1) {
		ok(st.st_size > old, "it grew past 5 GiB: %lld",
		    (long long)st.st_size);
		ok(pread(fd, got, 5, old) == 5 && memcmp(got, "From ", 5) == 0,
		    "the new From_ line is at 5 GiB, where the file ended");
		ok(pread(fd, got, 6, st.st_size - 6) == 6 &&
		    memcmp(got, "WIDE\n\n", 6) == 0, "the message is at the end");
		close(fd);
	} else
		ok(0, "stat %s: %s", path, strerror(errno));
	unlink(path);
}

/* Reading an mbox over 4 GiB: where size_t is 32 bits, either an error
   or every message, never the first bytes only. */
static void
t_mbox_read(void)
{
	static const char one[] =
	    "From alice@example.org Thu Jan  1 00:00:00 1970\n"
	    "Subject: one\n\nhello\n";
	static const char two[] =
	    "\nFrom bob@example.org Thu Jan  1 00:00:00 1970\n"
	    "Subject: two\n\nbye\n";
	char		 path[300], why[512];
	struct mbox	*mb;
	int		 fd;

	if (sizeof(size_t) >= 8) {
		printf("ok %d # skip size_t holds any file size here; mapping "
		    "4 GiB of a sparse mbox would only cost time\n", ++tap_n);
		return;
	}
	snprintf(path, sizeof(path), "%s/big", dir);
	if ((fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600)) == -1 ||
	    write(fd, one, sizeof(one) - 1) != (ssize_t)sizeof(one) - 1 ||
	    pwrite(fd, two, sizeof(two) - 1, 4 * GiB) !=
	    (ssize_t)sizeof(two) - 1) {
		printf("ok %d # skip no sparse 4 GiB file here: %s\n", ++tap_n,
		    strerror(errno));
		if (fd != -1)
			close(fd);
		unlink(path);
		return;
	}
	close(fd);
	mb = mbox_open(path, 0, why, sizeof(why));
	/* mapped as (size_t)st_size, a 32-bit machine would see the size
	   modulo 4 GiB: the first message only */
	ok(mb == NULL ? errno == EFBIG : mbox_count(mb) == 2,
	    "a 4 GiB + 67 byte mbox: refused (EFBIG), or both messages (%s)",
	    mb == NULL ? why : "opened");
	if (mb != NULL)
		mbox_close(mb);
	unlink(path);
}

int
main(void)
{
	char	 p[300];

	if (mkdtemp(dir) == NULL) {
		ok(0, "mkdtemp: %s", strerror(errno));
		return done_testing();
	}
	t_types();
	t_sizes();
	t_times();
	t_conf();
	t_dates();
	t_msg_size();
	t_queue();
	t_mbox_append();
	t_mbox_read();
	snprintf(p, sizeof(p), "%s/wide.conf", dir);
	unlink(p);
	snprintf(p, sizeof(p), "rm -rf '%s'", dir);
	if (system(p) != 0)
		diag("cannot remove the test folder");
	return done_testing();
}
