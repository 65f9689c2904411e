/*
 * The constant database: see cdb.h.  The writer keeps the records in
 * one buffer and one (hash, position) per record, then lays the 256
 * tables out with a counting sort by hash & 255; each table has twice
 * as many slots as entries, filled by linear probing from
 * (hash >> 8) % length, so that a search ends at an empty slot.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "cdb.h"
#include "fdio.h"

#define HEADER	2048

struct cdb_slot {
	uint32_t	 h;
	uint32_t	 pos;
};

uint32_t
cdb_hash(const void *p, size_t n)
{
	const unsigned char	*s = p;
	uint32_t		 h = 5381;

	while (n-- > 0)
		h = ((h << 5) + h) ^ *s++;
	return h;
}

static void
put32(unsigned char *p, uint32_t v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
	p[2] = (v >> 16) & 0xff;
	p[3] = v >> 24;
}

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

void
cdb_make_start(struct cdb_make *m)
{
	static const char zero[HEADER];

	memset(m, 0, sizeof(*m));
	buf_init(&m->out, 0);
	if (buf_add(&m->out, zero, sizeof(zero)) == -1)
		m->err = ENOMEM;
}

int
cdb_make_add(struct cdb_make *m, const void *key, size_t klen,
    const void *data, size_t dlen)
{
	unsigned char	 len[8];
	struct cdb_slot	*s;

	if (m->err == 0 && (klen > UINT32_MAX - 8 || dlen > UINT32_MAX - 8 -
	    klen || m->out.len > UINT32_MAX - 8 - klen - dlen))
		m->err = EFBIG;
	if (m->err == 0 && m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 1024;

		if ((s = realloc(m->slot, cap * sizeof(*s))) == NULL)
			m->err = ENOMEM;
		else {
			m->slot = s;
			m->cap = cap;
		}
	}
	if (m->err != 0) {
		errno = m->err;
		return -1;
	}
	m->slot[m->n].h = cdb_hash(key, klen);
	m->slot[m->n].pos = (uint32_t)m->out.len;
	m->n++;
	put32(len, (uint32_t)klen);
	put32(len + 4, (uint32_t)dlen);
	buf_add(&m->out, len, sizeof(len));
	buf_add(&m->out, key, klen);
	buf_add(&m->out, data, dlen);
	if (buf_failed(&m->out)) {
		m->err = m->out.err == ERANGE ? EFBIG : ENOMEM;
		errno = m->err;
		return -1;
	}
	return 0;
}

/*
 * The tables after the records: table i holds the slots whose hash has
 * i as its low byte, twice as many slots as entries.
 */
static int
make_tables(struct cdb_make *m, struct cdb_slot *sorted, size_t *start,
    unsigned char *tab)
{
	size_t		 count[256] = { 0 }, pos, i, b, len, j;
	uint32_t	 base = (uint32_t)m->out.len;
	unsigned char	*t = tab;

	for (i = 0; i < m->n; i++)
		count[m->slot[i].h & 255]++;
	for (b = 0, pos = 0; b < 256; b++) {
		start[b] = pos;
		pos += count[b];
	}
	start[256] = pos;
	for (i = 0; i < m->n; i++)
		sorted[start[m->slot[i].h & 255]++] = m->slot[i];
	for (b = 0, pos = 0; b < 256; b++) {
		start[b] = pos;
		pos += count[b];
	}
	for (b = 0; b < 256; b++) {
		len = count[b] * 2;
		put32((unsigned char *)m->out.s + b * 8,
		    base + (uint32_t)(t - tab));
		put32((unsigned char *)m->out.s + b * 8 + 4, (uint32_t)len);
		for (i = start[b]; i < start[b] + count[b]; i++) {
			j = (sorted[i].h >> 8) % len;
			while (get32(t + j * 8 + 4) != 0)
				j = (j + 1) % len;
			put32(t + j * 8, sorted[i].h);
			put32(t + j * 8 + 4, sorted[i].pos);
		}
		t += len * 8;
	}
	return 0;
}

int
cdb_make_finish(struct cdb_make *m, int fd)
{
	struct cdb_slot	*sorted = NULL;
	unsigned char	*tab = NULL;
	size_t		*start = NULL, tablen;
	int		 rc = -1;

	if (m->err != 0) {
		errno = m->err;
		return -1;
	}
	tablen = m->n * 2 * 8;
	if (m->out.len + tablen > UINT32_MAX) {
		errno = EFBIG;
		return -1;
	}
	/* slot positions are never 0 (the header is there): 0 = empty */
	if ((sorted = calloc(m->n + 1, sizeof(*sorted))) == NULL ||
	    (start = calloc(257, sizeof(*start))) == NULL ||
	    (tab = calloc(tablen + 1, 1)) == NULL)
		goto out;
	make_tables(m, sorted, start, tab);
	if (fdio_write_all(fd, m->out.s, m->out.len) == -1 ||
	    fdio_write_all(fd, tab, tablen) == -1)
		goto out;
	rc = 0;
out:
	free(sorted);
	free(start);
	free(tab);
	return rc;
}

void
cdb_make_free(struct cdb_make *m)
{
	buf_free(&m->out);
	free(m->slot);
	memset(m, 0, sizeof(*m));
}

int
cdb_open(struct cdb *db, int fd)
{
	struct stat	 st;
	void		*p;

	memset(db, 0, sizeof(*db));
	if (fstat(fd, &st) == -1)
		return -1;
	if (!S_ISREG(st.st_mode) || st.st_size < HEADER ||
	    (uintmax_t)st.st_size > UINT32_MAX) {
		errno = EINVAL;
		return -1;
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		return -1;
	db->map = p;
	db->size = (size_t)st.st_size;
	return 0;
}

void
cdb_close(struct cdb *db)
{
	if (db->map != NULL)
		munmap((void *)db->map, db->size);
	memset(db, 0, sizeof(*db));
}

int
cdb_find(const struct cdb *db, const void *key, size_t klen,
    const char **data, size_t *dlen)
{
	uint32_t	 h = cdb_hash(key, klen), tpos, tlen, sh, pos, kl, dl;
	size_t		 j, i;

	tpos = get32(db->map + (h & 255) * 8);
	tlen = get32(db->map + (h & 255) * 8 + 4);
	if (tlen == 0)
		return 0;
	if (tpos > db->size || tlen > (db->size - tpos) / 8)
		goto bad;
	j = (h >> 8) % tlen;
	for (i = 0; i < tlen; i++, j = (j + 1) % tlen) {
		sh = get32(db->map + tpos + j * 8);
		pos = get32(db->map + tpos + j * 8 + 4);
		if (pos == 0)
			return 0;
		if (sh != h)
			continue;
		if (pos > db->size - 8)
			goto bad;
		kl = get32(db->map + pos);
		dl = get32(db->map + pos + 4);
		if (kl > db->size - pos - 8 || dl > db->size - pos - 8 - kl)
			goto bad;
		if (kl == klen && memcmp(db->map + pos + 8, key, klen) == 0) {
			*data = (const char *)db->map + pos + 8 + kl;
			*dlen = dl;
			return 1;
		}
	}
	return 0;
bad:
	errno = EINVAL;
	return -1;
}
