/*
 * The one mapping of a failed system call's errno to a sysexits(3)
 * code, for every applet and module that reports one.
 */
#ifndef HIKYAKU_EXITS_H
#define HIKYAKU_EXITS_H

/* EX_TEMPFAIL for ENOSPC, EDQUOT, EIO, ENOMEM, EAGAIN, EMFILE, ENFILE,
   EINTR, ETIMEDOUT, EROFS, EFBIG; EX_NOPERM for EACCES and EPERM;
   EX_CANTCREAT for ENOENT and ENOTDIR; EX_OSERR otherwise. */
int	exits_errno(int err);

#endif
