/*
 * mtad's queue runner: one process that knows when each entry is next
 * due and hands due entries to worker processes (core/deliver.c does
 * the delivering), at most RUNNER_WORKERS at a time, RUNNER_BATCH
 * entries each, oldest first.
 *
 * It wakes when the queue's trigger is poked (a session or sendmail
 * committed something), when the earliest retry time comes, every
 * interval seconds when one is given (sendmail -bd -q30m), and when a
 * worker ends.  The entries' next tries are learned from the workers
 * (each reports "ID next-try" as it finishes an entry), so a queue of
 * thousands of deferred entries costs a directory listing per wake-up,
 * not a read of every envelope.  New entries are due at once.
 */
#ifndef HIKYAKU_RUNNER_H
#define HIKYAKU_RUNNER_H

#include <signal.h>
#include <time.h>

#include "conf.h"

#define RUNNER_WORKERS	4	/* delivery processes at once */
#define RUNNER_BATCH	32	/* entries handed to one of them */
#define RUNNER_BUSY	5	/* s before an entry that could not be
				   taken (locked elsewhere) is tried again */
#define RUNNER_LOST	60	/* s before retrying the entries of a
				   worker that died without reporting */
#define RUNNER_GRACE	10	/* s the workers get to finish at stop */

/*
 * Run until SIGTERM (the caller's handlers are replaced).  The queue
 * must be open (queue_init) and the trigger there.  Returns 0 after a
 * stop, with the workers finished (or killed after RUNNER_GRACE), or
 * -1 with err when it could not start.
 */
int	runner_run(const struct conf *c, time_t interval, char *err,
	    size_t errlen);

#endif
