/*
 * MIME and RFC 2047: see mime.h.  (Not written yet: every function
 * fails with ENOSYS.)
 */
#include <errno.h>

#include "mime.h"

int mime_is_ascii(const char *p, size_t n) { (void)p; (void)n; return 0; }
int mime_is_utf8(const char *p, size_t n) { (void)p; (void)n; return 0; }
int mime_b64_encode(struct buf *o, const void *p, size_t n) { (void)o; (void)p; (void)n; errno = ENOSYS; return -1; }
int mime_b64_decode(struct buf *o, const char *p, size_t n) { (void)o; (void)p; (void)n; errno = ENOSYS; return -1; }
int mime_qp_encode(struct buf *o, const char *p, size_t n) { (void)o; (void)p; (void)n; errno = ENOSYS; return -1; }
int mime_qp_decode(struct buf *o, const char *p, size_t n) { (void)o; (void)p; (void)n; errno = ENOSYS; return -1; }
int mime_header_encode(struct buf *o, const char *a, const char *v) { (void)o; (void)a; (void)v; errno = ENOSYS; return -1; }
int mime_header_decode(struct buf *o, const char *p, size_t n) { (void)o; (void)p; (void)n; errno = ENOSYS; return -1; }
int mime_to_utf8(struct buf *o, const char *c, const char *p, size_t n) { (void)o; (void)c; (void)p; (void)n; errno = ENOSYS; return -1; }
int mime_header_get(struct buf *o, const char *h, size_t l, const char *n) { (void)o; (void)h; (void)l; (void)n; return 0; }
int mime_param(struct buf *o, const char *v, const char *p) { (void)o; (void)v; (void)p; return 0; }
int mime_body_display(struct buf *o, const char *h, size_t hl, const char *b, size_t bl) { (void)o; (void)h; (void)hl; (void)b; (void)bl; errno = ENOSYS; return -1; }
const char *mime_type_by_name(const char *f) { (void)f; return "application/octet-stream"; }
