/*
 * cdb: the writer and the reader agree on many keys, empty keys and
 * values, keys whose hashes collide in a table; absent keys are
 * absent; a damaged file is an error, not a crash; and the layout is
 * D. J. Bernstein's (checked against the format by hand).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "cdb.h"

static char path[] = "/tmp/t_cdb.XXXXXX";

static int
make(int n, int fd)
{
	struct cdb_make	 m;
	char		 k[32], v[64];
	int		 rc;

	cdb_make_start(&m);
	for (int i = 0; i < n; i++) {
		snprintf(k, sizeof(k), "key%d", i);
		snprintf(v, sizeof(v), "value of %d", i);
		cdb_make_add(&m, k, strlen(k), v, strlen(v));
	}
	cdb_make_add(&m, "", 0, "empty key", 9);
	cdb_make_add(&m, "nothing", 7, "", 0);
	cdb_make_add(&m, "key1", 4, "second key1", 11);
	rc = cdb_make_finish(&m, fd);
	cdb_make_free(&m);
	return rc;
}

static uint32_t
le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

int
main(void)
{
	struct cdb	 db;
	const char	*v;
	size_t		 vlen;
	char		 k[32], want[64];
	unsigned char	 hdr[2048 + 8 + 4 + 1];
	int		 fd, bad = 0, n = 20000;

	is_int(cdb_hash("", 0), 5381, "hash of nothing is 5381");
	is_int(cdb_hash("a", 1), ((5381u << 5) + 5381u) ^ 'a', "djb hash, xor form");

	fd = mkstemp(path);
	ok(fd != -1, "temporary file");
	is_int(make(n, fd), 0, "wrote %d records", n + 3);
	is_int(cdb_open(&db, fd), 0, "opened");
	for (int i = 0; i < n; i++) {
		snprintf(k, sizeof(k), "key%d", i);
		snprintf(want, sizeof(want), "value of %d", i);
		if (cdb_find(&db, k, strlen(k), &v, &vlen) != 1 ||
		    vlen != strlen(want) || memcmp(v, want, vlen) != 0)
			bad++;
	}
	is_int(bad, 0, "every key finds its value");
	is_int(cdb_find(&db, "key1", 4, &v, &vlen), 1, "duplicate key found");
	ok(vlen == 10 && memcmp(v, "value of 1", 10) == 0, "the first record wins");
	is_int(cdb_find(&db, "", 0, &v, &vlen), 1, "empty key");
	ok(vlen == 9 && memcmp(v, "empty key", 9) == 0, "its value");
	is_int(cdb_find(&db, "nothing", 7, &v, &vlen), 1, "empty value found");
	is_int(vlen, 0, "of length 0");
	is_int(cdb_find(&db, "key20000", 8, &v, &vlen), 0, "absent key");
	is_int(cdb_find(&db, "KEY1", 4, &v, &vlen), 0, "keys are exact");
	cdb_close(&db);

	/* the layout: first record right after the 2048-byte header */
	ok(pread(fd, hdr, sizeof(hdr), 0) == (ssize_t)sizeof(hdr), "read header");
	is_int(le32(hdr + 2048), 4, "record 1: key length 4 (key0)");
	is_int(le32(hdr + 2052), 10, "record 1: data length 10");
	ok(memcmp(hdr + 2056, "key0", 4) == 0, "record 1: key bytes");
	{
		uint32_t h = cdb_hash("key0", 4), tpos = le32(hdr + (h & 255) * 8),
		    tlen = le32(hdr + (h & 255) * 8 + 4);
		unsigned char slot[8];
		int found = 0;

		ok(tlen > 0 && tlen % 2 == 0, "its table has twice its entries");
		for (uint32_t j = 0; j < tlen && !found; j++) {
			uint32_t s = ((h >> 8) + j) % tlen;

			if (pread(fd, slot, 8, tpos + s * 8) != 8)
				break;
			found = le32(slot) == h && le32(slot + 4) == 2048;
		}
		ok(found, "a slot (hash, 2048) from (hash >> 8) %% length on");
	}

	/* damage: a table pointing past the end */
	memset(hdr, 0xff, 8 * 256);
	ok(pwrite(fd, hdr, 8 * 256, 0) == 8 * 256, "header damaged");
	is_int(cdb_open(&db, fd), 0, "a damaged file still opens");
	errno = 0;
	is_int(cdb_find(&db, "key5", 4, &v, &vlen), -1, "lookup says it is damaged");
	is_int(errno, EINVAL, "EINVAL");
	cdb_close(&db);
	ok(ftruncate(fd, 100) == 0, "truncated");
	is_int(cdb_open(&db, fd), -1, "shorter than a header: refused");
	close(fd);
	unlink(path);
	return done_testing();
}
