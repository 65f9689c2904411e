/*
 * libFuzzer target for core/mbox: the input written to a temporary
 * file, opened as an mbox, every message read (whole, header, body),
 * then every other message deleted, every third moved to a second
 * mbox and the rest marked read, synced, and both files opened again.
 * Properties checked:
 *  - the sizes of the messages add up to the file's size;
 *  - every message read ends with LF, and holds no CR before a LF;
 *  - after the sync the mailbox opens again with as many messages as
 *    were kept, the second mbox with as many as were moved.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "mbox.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char	 path[64], moved[64];

static void
cleanup(void)
{
	unlink(path);
	unlink(moved);
}

static void
fail(const char *what, const char *why)
{
	fprintf(stderr, "f_mbox: %s: %s\n", what, why);
	abort();
}

static void
read_all(struct mbox *mb)
{
	struct stat	 st;
	struct buf	 b;
	char		 why[512];
	size_t		 i;
	off_t		 total = 0;

	buf_init(&b, 0);
	for (i = 0; i < mbox_count(mb); i++) {
		total += mbox_get(mb, i)->size;
		buf_reset(&b);
		if (mbox_read(mb, i, &b, why, sizeof(why)) == -1)
			fail("read", why);
		if (b.len > 0 && b.s[b.len - 1] != '\n')
			fail("read", "message without a final LF");
		if (b.len > 0 && memmem(b.s, b.len, "\r\n", 2) != NULL)
			fail("read", "CR LF left");
		buf_reset(&b);
		if (mbox_header(mb, i, &b, why, sizeof(why)) == -1 ||
		    mbox_body(mb, i, &b, why, sizeof(why)) == -1)
			fail("header/body", why);
	}
	buf_free(&b);
	if (mbox_count(mb) > 0 && (stat(path, &st) == -1 ||
	    st.st_size != total))
		fail("sizes", "do not add up to the file");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mbox_result	 res;
	struct mbox		*mb;
	char			 why[512];
	size_t			 i;
	int			 fd;

	if (path[0] == '\0') {
		snprintf(path, sizeof(path), "/tmp/f_mbox.%d", (int)getpid());
		snprintf(moved, sizeof(moved), "%s.moved", path);
		atexit(cleanup);
	}
	unlink(moved);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1 ||
	    write(fd, data, size) != (ssize_t)size || close(fd) == -1)
		fail("cannot write", path);
	if ((mb = mbox_open(path, 0, why, sizeof(why))) == NULL) {
		if (errno != EINVAL || size == 0)
			fail("open", why);
		return 0;
	}
	read_all(mb);
	for (i = 0; i < mbox_count(mb); i++)
		if (i % 2)
			mbox_get(mb, i)->disp = MBOX_DELETE;
		else if (i % 3 == 0)
			mbox_get(mb, i)->disp = MBOX_MOVE;
		else
			mbox_get(mb, i)->flags |= MBOX_READ | MBOX_OLD;
	if (mbox_sync(mb, moved, &res, why, sizeof(why)) == -1)
		fail("sync", why);
	mbox_close(mb);
	if ((mb = mbox_open(path, 0, why, sizeof(why))) == NULL)
		fail("reopen", why);
	if (mbox_count(mb) != res.kept)
		fail("reopen", "a different number of messages");
	read_all(mb);
	mbox_close(mb);
	if (res.moved > 0) {
		if ((mb = mbox_open(moved, 0, why, sizeof(why))) == NULL)
			fail("open moved", why);
		if (mbox_count(mb) != res.moved)
			fail("moved", "a different number of messages");
		mbox_close(mb);
	}
	return 0;
}
