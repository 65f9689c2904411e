/*
 * mailq — what is waiting in the queue, and why.
 *
 * usage: mailq [-C file]
 *
 * The listing has Postfix's shape: queue ID ('*' while a runner is
 * delivering it), size, arrival time, sender; under it each recipient
 * still pending, after the reason of its last failed try in
 * parentheses; at the end "-- N Kbytes in M Requests.", or "Mail queue
 * is empty".
 *
 * Exit codes (sysexits(3)): 0; 64 usage; 75 the queue cannot be read
 * now; 77 permission denied; 78 configuration.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "exits.h"
#include "applets.h"
#include "conf.h"
#include "queue.h"

/* Postfix's mailq columns (short queue IDs) */
#define HEAD_FORMAT	"%-11s %7s %-20s %s\n"
#define ENTRY_FORMAT	"%-11s %7lld %20.20s %s\n"

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: mailq [-C file]\n\n"
	    "Lists the messages waiting in the queue: ID ('*' while being\n"
	    "delivered), size, arrival time, sender, and under each the\n"
	    "recipients still pending, after the reason they are waiting.\n");
}

/* Control characters in addresses or reasons are shown as '?'. */
static void
printable(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

/* A reason line is shown when it differs from the one before. */
static void
show_reason(const char *why, const char **last)
{
	const char	*show = *why ? why : "reason unavailable";
	int		 pad;

	if (strcmp(*last, why) == 0)
		return;
	*last = why;
	pad = 76 - (int)strlen(show);
	printf("%*s(%s)\n", pad > 0 ? pad : 0, "", show);
}

static void
show_entry(const struct qenv *env, off_t size)
{
	char		 when[32], idst[LIM_QID + 1];
	const char	*last = "";

	ctime_r(&env->arrival, when);
	printable(env->sender);
	snprintf(idst, sizeof(idst), "%s%s", env->id,
	    queue_is_locked(env->id) ? "*" : "");
	printf(ENTRY_FORMAT, idst, (long long)size, when,
	    env->sender[0] ? env->sender : "MAILER-DAEMON");
	for (int i = 0; i < env->nrcpt; i++) {
		struct qrcpt *r = &env->rcpt[i];

		if (r->status != RCPT_PENDING)
			continue;
		if (r->error != NULL)
			printable(r->error);
		show_reason(r->error ? r->error : "", &last);
		printable(r->addr);
		printf(HEAD_FORMAT, "", "", "", r->addr);
	}
}

int
mailq_main(int argc, char **argv)
{
	static struct conf c;	/* lives as long as the process */
	struct qenv	 env;
	const char	*cflag = NULL;
	char		**ids, err[LIM_ERR];
	int		 n, ch, shown = 0;
	unsigned long long total = 0;
	off_t		 size;

	if (argc > 1 && strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return 0;
	}
	while ((ch = getopt(argc, argv, "C:")) != -1) {
		if (ch != 'C') {
			usage(stderr);
			return EX_USAGE;
		}
		cflag = optarg;
	}
	if (optind != argc) {
		usage(stderr);
		return EX_USAGE;
	}
	app_conf_or_die(&c, cflag);
	/* a spool nobody has made yet is an empty queue; nothing is made */
	ids = NULL;
	n = 0;
	if (app_spool(&c, 0) == 0 && queue_list(&ids, &n) == -1)
		app_die(exits_errno(errno), "cannot read the queue in %s: %s",
		    c.spool, strerror(errno));
	for (int i = 0; i < n; i++) {
		if (queue_read_env(ids[i], &env, err, sizeof(err)) == -1) {
			if (errno != ENOENT)	/* ENOENT: just delivered */
				app_warn("%s", err);
			continue;
		}
		if ((size = queue_msg_size(ids[i])) < 0)
			size = 0;
		if (shown++ == 0)
			printf(HEAD_FORMAT, "-Queue ID-", "--Size--",
			    "----Arrival Time----", "-Sender/Recipient-------");
		else
			printf("\n");
		show_entry(&env, size);
		total += (unsigned long long)size;
		qenv_free(&env);
	}
	queue_list_free(ids, n);
	if (shown == 0)
		printf("Mail queue is empty\n");
	else
		printf("\n-- %llu Kbytes in %d Request%s.\n", total / 1024, shown,
		    shown == 1 ? "" : "s");
	return fflush(stdout) == EOF ? EX_IOERR : 0;
}
