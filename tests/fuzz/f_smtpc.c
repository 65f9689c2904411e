/*
 * libFuzzer target for core/smtpc: the input is everything a server
 * says, on a socket pair, to a client that reads the greeting, sends
 * EHLO (HELO when refused) and two transactions of three recipients.
 * Properties checked: a transaction that returns 0 gave every
 * recipient a result; every reason is a terminated string in its
 * buffer with no control character and no 8-bit octet (a server must
 * not write into a log line or a bounce's header); nothing is used
 * after the session broke.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "conf.h"
#include "smtpc.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fail(const char *what, const char *detail)
{
	fprintf(stderr, "f_smtpc: %s: %s\n", what, detail);
	abort();
}

static void
check_text(const char *s, size_t cap)
{
	if (memchr(s, '\0', cap) == NULL)
		fail("reason not terminated", "");
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			fail("a control or 8-bit octet in a reason", s);
}

static void
transaction(struct smtpc *s)
{
	struct smtpc_rcpt	 r[3] = {
		{ "a@x.test", 0, NULL, 0, "" },
		{ "b@x.test", 6, "rfc822;B@x.test", 0, "" },
		{ "c@x.test", 0, NULL, 0, "" } };
	struct smtpc_tx		 tx;
	const char		*m = "Subject: f\n\n.\nbody\r\n";
	int			 rc;

	memset(&tx, 0, sizeof(tx));
	tx.sender = "s@y.test";
	tx.data = m;
	tx.len = strlen(m);
	tx.rcpt = r;
	tx.nrcpt = 3;
	rc = smtpc_send(s, &tx);
	for (int i = 0; i < 3; i++) {
		if (rc == 0 && r[i].res == SMTPC_NONE)
			fail("a recipient without a result", r[i].addr);
		check_text(r[i].why, sizeof(r[i].why));
	}
	check_text(s->why, sizeof(s->why));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const time_t	 tmo[SMTP_T_N] = { 1, 1, 1, 1, 1, 1, 1 };
	struct smtpc		 s;
	int			 sv[2], big = 1 << 20;

	if (size > 65536 || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		return 0;
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	setsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	if (size > 0 && write(sv[0], data, size) != (ssize_t)size) {
		close(sv[0]);
		close(sv[1]);
		return 0;
	}
	shutdown(sv[0], SHUT_WR);	/* the server has said all */
	if (smtpc_attach(&s, sv[1], "mx.test", tmo) == 0 &&
	    smtpc_greeting(&s) == 0 && smtpc_ehlo(&s, "client.test") == 0) {
		transaction(&s);
		if (!s.broken)
			transaction(&s);
	}
	check_text(s.why, sizeof(s.why));
	smtpc_close(&s, 1);		/* closes sv[1] */
	close(sv[0]);
	return 0;
}
