/*
 * D. J. Bernstein's constant database, the format of aliases.db (as
 * tinycdb and Postfix's cdb: tables read it): a 2048-octet header of 256
 * (position, length) pairs naming hash tables; the records (key length,
 * data length, key, data); then the tables of (hash, position) slots.
 * All numbers are 32-bit little-endian; a file is at most 4 GiB.  A
 * lookup reads two slots on average: O(1), whatever the size.
 */
#ifndef HIKYAKU_CDB_H
#define HIKYAKU_CDB_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

uint32_t cdb_hash(const void *p, size_t n);

/* A database being made, in memory until cdb_make_finish writes it. */
struct cdb_make {
	struct buf	 out;		/* header, then the records */
	struct cdb_slot	*slot;		/* one per record */
	size_t		 n, cap;
	int		 err;		/* sticky: ENOMEM, EFBIG */
};

void	cdb_make_start(struct cdb_make *m);
/* 0, or -1 with errno (the error is sticky, finish fails too). */
int	cdb_make_add(struct cdb_make *m, const void *key, size_t klen,
	    const void *data, size_t dlen);
/* Build the tables and write the whole database to fd (not synced,
   not closed).  0, or -1 with errno. */
int	cdb_make_finish(struct cdb_make *m, int fd);
void	cdb_make_free(struct cdb_make *m);

/* A database read through a private map of its file. */
struct cdb {
	const unsigned char	*map;
	size_t			 size;
};

/* 0, or -1 with errno (EINVAL: too short to be a cdb). */
int	cdb_open(struct cdb *db, int fd);
void	cdb_close(struct cdb *db);
/* The first record with this key: 1 with *data and *dlen pointing into the
   map, 0 when there is none, -1 with EINVAL when the file is damaged. */
int	cdb_find(const struct cdb *db, const void *key, size_t klen,
	    const char **data, size_t *dlen);

#endif
