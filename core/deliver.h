/*
 * The queue runner: takes committed entries, routes each pending
 * recipient (local domain -> the MDA; other domains -> their next hop,
 * core/remote.c), records results, bounces, removes.
 */
#ifndef HIKYAKU_DELIVER_H
#define HIKYAKU_DELIVER_H

#include <stddef.h>

#include "conf.h"

/* The reports (bounces, delay warnings) a run queued: the runner
   delivers them after it, with no entry locked meanwhile. */
struct deliver_made {
	char	**ids;
	int	 n;
};
void	deliver_made_free(struct deliver_made *m);

/*
 * One entry.  An entry locked by another runner is skipped (0).  With
 * force, retry times are ignored.  A recipient whose mailbox belongs
 * to another user is left for a runner that may write it (root).
 * Local recipients are delivered one by one; the others are grouped by
 * next hop (their domain), one transaction each.  The IDs of the
 * reports it queued are appended to made (which may be NULL).
 * Returns 0, or -1 with err (the entry is left as it was).
 */
int	deliver_entry(const struct conf *c, const char *id, int force,
	    struct deliver_made *made, char *err, size_t errlen);

/* These entries, then the reports their runs made; failures logged.
   Returns how many of the entries failed. */
int	deliver_ids(const struct conf *c, char *const *ids, int n, int force);

/* Every entry, oldest first (deliver_ids); also removes stale files
   from tmp/.  Returns the number of entries that failed (logged), or -1
   if the queue could not be listed. */
int	deliver_queue(const struct conf *c, int force, char *err,
	    size_t errlen);

#endif
