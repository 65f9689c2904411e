/*
 * libFuzzer target for the DNS reply parsers: the input is a reply,
 * copied to a buffer of its exact size (so that a read past its end is
 * caught), read as the answer to an MX, an AAAA, an A and a PTR
 * question for "example.test", and for the name its own question
 * carries (so that mutations past the question are reached either
 * way).  Properties checked: an MX list is sorted by preference, of
 * valid lower-case host names, each once, within its bound, and empty
 * only for a null MX; addresses are within their bound and of a known
 * family; a PTR name is a valid host name; the reason is a
 * terminated string in its buffer.
 */
#include <sys/socket.h>
#include <arpa/nameser.h>
#include <resolv.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"

#define MAXMX	12	/* small, so that the best-kept rule is reached */

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fail(const char *what, const char *detail)
{
	fprintf(stderr, "f_dns: %s: %s\n", what, detail);
	abort();
}

static void
check_why(const char *why, size_t len)
{
	if (memchr(why, '\0', len) == NULL)
		fail("reason not terminated", "");
}

static void
check_mx(const unsigned char *ans, size_t n, const char *qname)
{
	struct dns_mx	 mx[MAXMX];
	char		 why[256];
	enum dns_status	 s;
	int		 k = -1;

	memset(why, 'x', sizeof(why));
	s = dns_parse_mx(ans, n, qname, mx, MAXMX, &k, why, sizeof(why));
	if (s != DNS_OK)
		check_why(why, sizeof(why));
	if ((s == DNS_OK) != (k > 0) || k < 0 || k > MAXMX)
		fail("MX count and status disagree", why);
	for (int i = 0; i < k; i++) {
		if (!dns_valid_name(mx[i].name))
			fail("MX target not a host name", mx[i].name);
		for (const char *p = mx[i].name; *p != '\0'; p++)
			if (*p >= 'A' && *p <= 'Z')
				fail("MX target not lower case", mx[i].name);
		if (i > 0 && mx[i].pref < mx[i - 1].pref)
			fail("MX list not sorted", mx[i].name);
		if (mx[i].pref > 65535)
			fail("MX preference past 16 bits", mx[i].name);
		for (int j = 0; j < i; j++)
			if (strcmp(mx[i].name, mx[j].name) == 0)
				fail("MX target twice", mx[i].name);
	}
}

static void
check_addrs(const unsigned char *ans, size_t n, const char *qname, int type)
{
	struct dns_addr	 a[4];
	char		 why[256];
	enum dns_status	 s;
	int		 k = 0;

	memset(why, 'x', sizeof(why));
	s = dns_parse_addrs(ans, n, qname, type, a, 4, &k, why, sizeof(why));
	if (s != DNS_OK)
		check_why(why, sizeof(why));
	if (k < 0 || k > 4)
		fail("address count out of bounds", why);
	for (int i = 0; i < k; i++)
		if (a[i].family != (type == ns_t_a ? AF_INET : AF_INET6))
			fail("address of the wrong family", why);
}

static void
check_ptr(const unsigned char *ans, size_t n, const char *qname)
{
	char		 name[LIM_DOMAIN + 1], why[256];

	memset(why, 'x', sizeof(why));
	memset(name, 'x', sizeof(name));
	if (dns_parse_ptr(ans, n, qname, name, sizeof(name), why,
	    sizeof(why)) != DNS_OK) {
		check_why(why, sizeof(why));
		return;
	}
	if (memchr(name, '\0', sizeof(name)) == NULL || !dns_valid_name(name))
		fail("PTR name not a host name", "");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char	*copy;
	char		 own[NS_MAXDNAME];

	if ((copy = malloc(size ? size : 1)) == NULL)
		return 0;
	memcpy(copy, data, size);
	check_mx(copy, size, "example.test");
	check_addrs(copy, size, "example.test", ns_t_aaaa);
	check_addrs(copy, size, "example.test", ns_t_a);
	check_ptr(copy, size, "example.test");
	if (size > 12 && dn_expand(copy, copy + size, copy + 12, own,
	    sizeof(own)) > 0) {
		check_mx(copy, size, own);
		check_addrs(copy, size, own, ns_t_aaaa);
		check_addrs(copy, size, own, ns_t_a);
		check_ptr(copy, size, own);
	}
	free(copy);
	return 0;
}
