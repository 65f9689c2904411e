/*
 * errno to sysexits(3): see exits.h.
 */
#include <errno.h>
#include <sysexits.h>

#include "exits.h"

int
exits_errno(int err)
{
	switch (err) {
	case ENOSPC: case EDQUOT: case EIO: case ENOMEM: case EAGAIN:
	case EMFILE: case ENFILE: case EINTR: case ETIMEDOUT: case EROFS:
	case EFBIG:
		return EX_TEMPFAIL;
	case EACCES: case EPERM:
		return EX_NOPERM;
	case ENOENT: case ENOTDIR:
		return EX_CANTCREAT;
	default:
		return EX_OSERR;
	}
}
