/*
 * MIME (RFC 2045-2049) and RFC 2047 encoded words, both directions,
 * and conversion of text in the charsets mail arrives in to UTF-8.
 * Pure functions over buffers: everything is appended to a struct buf
 * (check buf_failed() once at the end); nothing is printed.
 *
 * Text given and produced uses LF line ends (as the queue and the
 * mailboxes store it).
 */
#ifndef HIKYAKU_MIME_H
#define HIKYAKU_MIME_H

#include <stddef.h>

#include "buf.h"

/* 1 when all bytes are 0x01-0x7f, else 0. */
int	mime_is_ascii(const char *p, size_t n);
/* 1 when p is well-formed UTF-8 (no overlongs, no surrogates), else 0. */
int	mime_is_utf8(const char *p, size_t n);

/* Length of the well-formed UTF-8 sequence at p (1 to 4; no overlong
   form, surrogate or code point past U+10FFFF), 0 when there is none. */
size_t	mime_utf8_len(const unsigned char *p, size_t n);

/*
 * Text from a message made safe for a terminal, appended to out: valid
 * UTF-8 kept, any other byte U+FFFD; of the controls, body text keeps
 * TAB and LF (a CR before an LF goes), a header value turns TAB, CR
 * and LF into spaces; every other C0 control, DEL and the C1 controls
 * become U+FFFD.  Running it again changes nothing.  0 or -1.
 */
int	mime_clean(struct buf *out, const char *p, size_t n, int body);

/* base64 (RFC 2045 6.8) in lines of 76 characters, each ending in LF. */
int	mime_b64_encode(struct buf *out, const void *p, size_t n);
/* base64 in one piece, no line break (the text of a B encoded word). */
int	mime_b64_word(struct buf *out, const void *p, size_t n);
/* Decode, skipping white space and line breaks, stopping at padding.
   0, or -1 with EINVAL on a character outside the alphabet (what was
   decoded before it stays appended). */
int	mime_b64_decode(struct buf *out, const char *p, size_t n);

/* Quoted-printable (RFC 2045 6.7) of LF-ended text: lines of at most 76
   characters with soft breaks, "=", controls and 8-bit bytes encoded,
   white space before a line end encoded, a line "From " or "." at the
   start of a line encoded so that no transport can alter it. */
int	mime_qp_encode(struct buf *out, const char *p, size_t n);
/* Decode; a malformed "=" sequence is kept as it is (RFC 2045 6.7 note). */
int	mime_qp_decode(struct buf *out, const char *p, size_t n);

/*
 * Append a whole header field "Name: value\n" for a message being
 * written: the value as it is when it is ASCII, else as RFC 2047 UTF-8
 * encoded words (B or Q, whichever is shorter), folded with "\n " so
 * that no line is longer than 78 octets.  Long ASCII values are folded
 * at white space.  0, or -1 with errno EINVAL when the value has a
 * control character (CR, LF, ...) or is not UTF-8: nothing appended.
 */
int	mime_header_encode(struct buf *out, const char *name,
	    const char *value);
/* An unfolded header value with encoded words (RFC 2047, and the
   RFC 2231 language suffix "*lang") decoded to UTF-8; white space
   between adjacent encoded words dropped; undecodable words kept as
   written; raw 8-bit text taken as UTF-8 when valid, else as
   ISO-8859-1. */
int	mime_header_decode(struct buf *out, const char *p, size_t n);

/* Text in charset converted to UTF-8 by charset_to_utf8() (charset.h
   lists the charsets); names compared without case.
   Bytes that do not convert become U+FFFD.  0, or -1 with ENOTSUP for
   an unknown charset (nothing appended). */
int	mime_to_utf8(struct buf *out, const char *charset, const char *p,
	    size_t n);

/* The unfolded value of the first field called name (case-insensitive)
   in a raw header section (folded lines, LF ends), appended to out.
   1 when found, 0 when not. */
int	mime_header_get(struct buf *out, const char *hdr, size_t hlen,
	    const char *name);
/* The value of parameter param of a structured field value such as
   "text/plain; charset=\"ISO-2022-JP\"" (RFC 2045 5.1; RFC 2231
   continuations and charset'lang' prefix for filename*).  1 found. */
int	mime_param(struct buf *out, const char *value, const char *param);

/*
 * The readable text of a message body, in UTF-8, for display: a
 * single text part decoded (Content-Transfer-Encoding) and converted
 * (charset); multipart bodies walked (nested, depth-limited): text
 * parts shown (of a multipart/alternative, the text/plain one), every
 * other part listed as a line "[-- Attachment #N: NAME (TYPE, SIZE
 * bytes) --]"; text in a charset not known follows a line "[-- charset
 * NAME not supported --]", undecoded (8-bit bytes U+FFFD unless it is
 * UTF-8).  hdr is the message's raw header section.  0 or -1.
 */
int	mime_body_display(struct buf *out, const char *hdr, size_t hlen,
	    const char *body, size_t blen);

/* A Content-Type for an attachment by its file name's extension,
   "application/octet-stream" when unknown. */
const char *mime_type_by_name(const char *filename);

#endif
