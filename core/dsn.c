/*
 * RFC 3461 values and xtext, RFC 3464 field values.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "dsn.h"
#include "limits.h"
#include "mime.h"

static const struct {
	const char	*name;
	unsigned	 bit;
} notify_words[] = {
	{ "SUCCESS", DSN_NOTIFY_SUCCESS },
	{ "FAILURE", DSN_NOTIFY_FAILURE },
	{ "DELAY", DSN_NOTIFY_DELAY },
	{ "NEVER", DSN_NOTIFY_NEVER },
};

#define NWORDS	(sizeof(notify_words) / sizeof(notify_words[0]))

static const char *const action_names[] = {
	[DSN_ACTION_NONE] = "",
	[DSN_ACTION_FAILED] = "failed",
	[DSN_ACTION_DELAYED] = "delayed",
	[DSN_ACTION_DELIVERED] = "delivered",
	[DSN_ACTION_RELAYED] = "relayed",
	[DSN_ACTION_EXPANDED] = "expanded",
};

#define NACTIONS (sizeof(action_names) / sizeof(action_names[0]))

int
dsn_notify_parse(const char *v, unsigned *notify)
{
	unsigned	 bits = 0, bit;
	size_t		 n, i;

	for (;;) {
		n = strcspn(v, ",");
		bit = 0;
		for (i = 0; i < NWORDS; i++)
			if (strlen(notify_words[i].name) == n &&
			    strncasecmp(v, notify_words[i].name, n) == 0)
				bit = notify_words[i].bit;
		if (bit == 0 || (bits & bit) != 0)
			return -1;	/* unknown, empty, or said twice */
		bits |= bit;
		if (v[n] == '\0')
			break;
		v += n + 1;
	}
	if (!dsn_notify_valid(bits))
		return -1;
	*notify = bits;
	return 0;
}

int
dsn_notify_valid(unsigned notify)
{
	if (notify & ~(DSN_NOTIFY_SUCCESS | DSN_NOTIFY_FAILURE |
	    DSN_NOTIFY_DELAY | DSN_NOTIFY_NEVER))
		return 0;
	return !(notify & DSN_NOTIFY_NEVER) || notify == DSN_NOTIFY_NEVER;
}

void
dsn_notify_text(unsigned notify, char *out, size_t len)
{
	size_t	 n = 0;

	if (len == 0)
		return;
	out[0] = '\0';
	for (size_t i = 0; i < NWORDS && n < len; i++)
		if (notify & notify_words[i].bit)
			n += (size_t)snprintf(out + n, len - n, "%s%s",
			    n > 0 ? "," : "", notify_words[i].name);
}

int
dsn_wants(unsigned notify, unsigned kind)
{
	if (notify == 0)	/* RFC 3461 4.1: FAILURE,DELAY */
		return kind == DSN_NOTIFY_FAILURE || kind == DSN_NOTIFY_DELAY;
	return (notify & kind) != 0;
}

int
dsn_ret_parse(const char *v)
{
	if (strcasecmp(v, "FULL") == 0)
		return DSN_RET_FULL;
	if (strcasecmp(v, "HDRS") == 0)
		return DSN_RET_HDRS;
	return -1;
}

const char *
dsn_ret_name(enum dsn_ret ret)
{
	return ret == DSN_RET_FULL ? "FULL" : ret == DSN_RET_HDRS ? "HDRS" :
	    "";
}

const char *
dsn_action_name(enum dsn_action a)
{
	return (size_t)a < NACTIONS ? action_names[a] : "";
}

int
dsn_action_parse(const char *name)
{
	for (size_t i = 1; i < NACTIONS; i++)
		if (strcmp(name, action_names[i]) == 0)
			return (int)i;
	return -1;
}

static int
uhex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* An octet xtext writes as it is. */
static int
xchar(int c)
{
	return c >= 0x21 && c <= 0x7e && c != '+' && c != '=';
}

int
dsn_xtext_decode(const char *in, char *out, size_t outlen)
{
	size_t	 n = 0;
	int	 c, hi, lo;

	for (; *in != '\0'; in++) {
		c = (unsigned char)*in;
		if (c == '+') {
			if ((hi = uhex((unsigned char)in[1])) == -1 ||
			    (lo = uhex((unsigned char)in[2])) == -1 ||
			    (c = hi * 16 + lo) == 0)
				goto bad;
			in += 2;
		} else if (!xchar(c))
			goto bad;
		if (n + 1 >= outlen) {
			errno = ERANGE;
			return -1;
		}
		out[n++] = (char)c;
	}
	if (outlen == 0) {
		errno = ERANGE;
		return -1;
	}
	out[n] = '\0';
	return 0;
bad:
	errno = EINVAL;
	return -1;
}

int
dsn_xtext_encode(const char *in, char *out, size_t outlen)
{
	size_t	 n = 0;
	int	 c;

	for (; *in != '\0'; in++) {
		c = (unsigned char)*in;
		if (n + (xchar(c) ? 1 : 3) >= outlen) {
			errno = ERANGE;
			return -1;
		}
		if (xchar(c))
			out[n++] = (char)c;
		else
			n += (size_t)snprintf(out + n, outlen - n, "+%02X", c);
	}
	if (outlen == 0) {
		errno = ERANGE;
		return -1;
	}
	out[n] = '\0';
	return 0;
}

/* 0x20-0x7e and at least one octet. */
static int
printable(const char *v)
{
	if (*v == '\0')
		return 0;
	for (; *v != '\0'; v++)
		if ((unsigned char)*v < 0x20 || (unsigned char)*v > 0x7e)
			return 0;
	return 1;
}

int
dsn_envid_parse(const char *param, char *out, size_t outlen)
{
	if (strlen(param) > LIM_DSN_ENVID) {
		errno = ERANGE;
		return -1;
	}
	if (dsn_xtext_decode(param, out, outlen) == -1)
		return -1;
	if (!printable(out)) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int
dsn_envid_valid(const char *envid)
{
	char	 x[LIM_DSN_ENVID + 1];

	return printable(envid) && dsn_xtext_encode(envid, x, sizeof(x)) == 0;
}

/* The length of an ORCPT's addr-type (an atom), 0 when there is none. */
static size_t
addr_type_len(const char *v)
{
	size_t	 n = 0;

	while (v[n] != '\0' && ((v[n] >= 'a' && v[n] <= 'z') ||
	    (v[n] >= 'A' && v[n] <= 'Z') || (v[n] >= '0' && v[n] <= '9') ||
	    strchr("!#$%&'*+-/=?^_`{|}~", v[n]) != NULL))
		n++;
	return n;
}

int
dsn_orcpt_parse(const char *param, char *out, size_t outlen)
{
	size_t	 t = addr_type_len(param);

	if (strlen(param) > LIM_DSN_ORCPT) {
		errno = ERANGE;
		return -1;
	}
	if (t == 0 || param[t] != ';' || t + 1 >= outlen) {
		errno = EINVAL;
		return -1;
	}
	memcpy(out, param, t + 1);
	if (dsn_xtext_decode(param + t + 1, out + t + 1, outlen - t - 1) ==
	    -1)
		return -1;
	if (!printable(out + t + 1)) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int
dsn_orcpt_valid(const char *orcpt)
{
	char	 x[LIM_DSN_ORCPT + 1];
	size_t	 t = addr_type_len(orcpt);

	/* the xtext form, after "type;", within LIM_DSN_ORCPT */
	if (t == 0 || orcpt[t] != ';' || !printable(orcpt + t + 1) ||
	    t + 1 >= sizeof(x))
		return 0;
	return dsn_xtext_encode(orcpt + t + 1, x, sizeof(x) - t - 1) == 0;
}

int
dsn_field_text(const char *v, char *out, size_t len)
{
	const char	*p;

	/* a space at either end would be lost to a reader's unfolding */
	if (*v == ' ' || (*v != '\0' && v[strlen(v) - 1] == ' '))
		return dsn_xtext_encode(v, out, len);
	for (p = v; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			return dsn_xtext_encode(v, out, len);
	if (strlen(v) >= len) {
		errno = ERANGE;
		return -1;
	}
	memcpy(out, v, strlen(v) + 1);
	return 0;
}

/* The code point of the well-formed UTF-8 sequence of k octets at p. */
static unsigned long
code_point(const unsigned char *p, size_t k)
{
	static const unsigned char lead[] = { 0, 0x7f, 0x1f, 0x0f, 0x07 };
	unsigned long	 cp = p[0] & lead[k];

	for (size_t i = 1; i < k; i++)
		cp = cp << 6 | (p[i] & 0x3f);
	return cp;
}

/*
 * RFC 6533 utf-8-addr-xtext: ASCII graphic octets but '+', '=' and
 * '\' as they are, any other character as "\x{HEX}".  An octet that is
 * not well-formed UTF-8 (never in an address we took) as U+FFFD.
 */
static int
utf8_xtext(const char *addr, char *out, size_t len, size_t n)
{
	const unsigned char *p = (const unsigned char *)addr;
	size_t		 k, left = strlen(addr);
	int		 w;

	for (; *p != '\0'; p += k, left -= k) {
		if ((k = mime_utf8_len(p, left)) == 1 && xchar(*p) &&
		    *p != '\\') {
			if (n + 1 >= len)
				goto full;
			out[n++] = (char)*p;
			continue;
		}
		w = snprintf(out + n, len - n, "\\x{%02lX}", k == 0 ?
		    0xfffdUL : code_point(p, k));
		if (w < 0 || (size_t)w >= len - n)
			goto full;
		n += (size_t)w;
		if (k == 0)
			k = 1;
	}
	out[n] = '\0';
	return 0;
full:
	errno = ERANGE;
	return -1;
}

int
dsn_field_addr(const char *addr, char *out, size_t len)
{
	int	 w;

	if (mime_is_ascii(addr, strlen(addr))) {
		w = snprintf(out, len, "rfc822; %s", addr);
		if (w < 0 || (size_t)w >= len) {
			errno = ERANGE;
			return -1;
		}
		return 0;
	}
	if (len < sizeof("utf-8; ")) {
		errno = ERANGE;
		return -1;
	}
	memcpy(out, "utf-8; ", sizeof("utf-8; "));
	return utf8_xtext(addr, out, len, sizeof("utf-8; ") - 1);
}
