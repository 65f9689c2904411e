/*
 * libFuzzer target for core/conf: conf_load on the input as a file.
 * Properties checked: on success every numeric setting is in its range
 * and every string is one line (a CR inside a path is a legal byte of a
 * file name, so only LF is checked); on failure the error is
 * "FILE:LINE: what".
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conf.h"
#include "limits.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define TEN_YEARS	(10L * 365 * 86400)

static char	 file[64];

static void
fail(const char *what, const char *detail)
{
	fprintf(stderr, "f_conf: %s: %s\n", what, detail);
	abort();
}

static void
check_ok(const struct conf *c)
{
	const char *const strs[] = { c->hostname, c->domains, c->spool,
	    c->aliases, c->passwd, c->mailbox, c->tls_ca, c->user,
	    c->default_user, c->log };
	const struct conf_addrs *lists[] = { &c->listen, &c->submission,
	    &c->smtps, &c->pop3, &c->pop3s };
	int	 i;

	/* the typed values: ports in range, networks masked and in range */
	for (size_t l = 0; l < sizeof(lists) / sizeof(lists[0]); l++)
		for (i = 0; i < lists[l]->n; i++)
			if (lists[l]->v[i].port == 0 ||
			    strlen(lists[l]->v[i].host) > LIM_DOMAIN)
				fail("a listener out of range", "");
	for (i = 0; i < c->nmynetworks; i++) {
		const struct conf_net *n = &c->mynetworks[i];
		int max = n->family == AF_INET6 ? 128 : 32;

		if ((n->family != AF_INET && n->family != AF_INET6) ||
		    n->bits < 0 || n->bits > max)
			fail("a network out of range", "");
		for (int b = n->bits; b < max; b++)
			if (n->addr[b / 8] & (0x80 >> (b % 8)))
				fail("a network's host part not masked", "");
		if (!conf_in_mynetworks(c, n->family, n->addr))
			fail("a network does not hold its own address", "");
	}

	if (c->max_rcpt < 1 || c->max_rcpt > LIM_RCPT_HARD)
		fail("max_rcpt out of range", "");
	if (c->max_clients < 1 || c->max_clients > 10000)
		fail("max_clients out of range", "");
	if (c->max_per_ip < 1 || c->max_per_ip > 10000)
		fail("max_per_ip out of range", "");
	if (c->max_size < 1 || c->max_size > ((off_t)1 << 40))
		fail("max_size out of range", "");
	if (c->nretry < 1 || c->nretry > LIM_RETRY)
		fail("nretry out of range", "");
	for (i = 0; i < c->nretry; i++)
		if (c->retry[i] < 1 || c->retry[i] > TEN_YEARS)
			fail("retry step out of range", "");
	if (c->queue_lifetime < 1 || c->queue_lifetime > TEN_YEARS)
		fail("queue_lifetime out of range", "");
	if (c->command_timeout < 1 || c->command_timeout > TEN_YEARS)
		fail("command_timeout out of range", "");
	if (c->delay_warning < 0 || c->delay_warning > TEN_YEARS)
		fail("delay_warning out of range", "");
	if ((int)c->tls < TLS_NONE || (int)c->tls > TLS_VERIFY)
		fail("tls out of range", "");
	if (c->mailbox_kind != MAILBOX_MBOX &&
	    c->mailbox_kind != MAILBOX_MAILDIR)
		fail("mailbox kind out of range", "");
	if ((c->allow_commands & ~3) != 0 || (c->allow_files & ~3) != 0)
		fail("allow bits out of range", "");
	if (c->pop3_plaintext != 0 && c->pop3_plaintext != 1)
		fail("pop3_plaintext not 0 or 1", "");
	for (i = 0; i < (int)(sizeof(strs) / sizeof(strs[0])); i++) {
		if (strs[i] == NULL)
			fail("a setting with a default is unset", "");
		if (strchr(strs[i], '\n') != NULL)
			fail("LF in a setting", strs[i]);
	}
	if (strlen(c->hostname) > LIM_HOSTNAME || c->hostname[0] == '\0')
		fail("bad hostname", c->hostname);
	for (i = 0; c->hostname[i] != '\0'; i++)
		if (isupper((unsigned char)c->hostname[i]))
			fail("hostname not in lower case", c->hostname);
}

static void
check_err(const char *err)
{
	size_t	 n = strlen(file);
	const char *p;

	if (strncmp(err, file, n) != 0 || err[n] != ':')
		fail("error does not name the file", err);
	p = err + n + 1;
	if (!isdigit((unsigned char)*p))
		fail("error has no line number", err);
	while (isdigit((unsigned char)*p))
		p++;
	if (p[0] != ':' || p[1] != ' ' || p[2] == '\0')
		fail("error is not FILE:LINE: what", err);
}

static void
cleanup(void)
{
	unlink(file);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf	 c;
	char		 err[LIM_ERR + 64];
	FILE		*fp;

	if (file[0] == '\0') {
		snprintf(file, sizeof(file), "%s/f_conf.%ld.conf",
		    access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp",
		    (long)getpid());
		atexit(cleanup);
	}
	if ((fp = fopen(file, "w")) == NULL)
		abort();
	if (size > 0 && fwrite(data, 1, size, fp) != size)
		abort();
	if (fclose(fp) == EOF)
		abort();
	if (conf_load(&c, file, 1, err, sizeof(err)) == 0)
		check_ok(&c);
	else
		check_err(err);
	conf_free(&c);
	return 0;
}
