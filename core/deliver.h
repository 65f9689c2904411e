/*
 * The queue runner: takes committed entries, routes each pending
 * recipient (local domain -> the MDA; other domains -> deferred until
 * remote delivery exists), records results, bounces, removes.
 */
#ifndef HIKYAKU_DELIVER_H
#define HIKYAKU_DELIVER_H

#include <stddef.h>

#include "conf.h"

/*
 * One entry.  An entry locked by another runner is skipped (0).  With
 * force, retry times are ignored.  A recipient whose mailbox belongs
 * to another user is left for a runner that may write it (root).
 * Returns 0, or -1 with err (the entry is left as it was).
 */
int	deliver_entry(const struct conf *c, const char *id, int force,
	    char *err, size_t errlen);

/* Every entry, oldest first; also removes stale files from tmp/.
   Returns the number of entries that failed (logged), or -1 if the
   queue could not be listed. */
int	deliver_queue(const struct conf *c, int force, char *err,
	    size_t errlen);

#endif
