/*
 * libFuzzer target for the queue envelope reader: the input is
 * env/AAAAAAAAAA of a spool in a temporary directory.  Property checked:
 * an envelope that queue_read_env takes, written back by
 * queue_write_env, reads back as the same struct (DSN and SMTPUTF8
 * records included).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "queue.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define ID	"AAAAAAAAAA"

static char	 envpath[LIM_PATH];

static void
fail(const char *what, const char *a, const char *b)
{
	fprintf(stderr, "f_env: %s\n  first:  \"%s\"\n  second: \"%s\"\n",
	    what, a != NULL ? a : "(null)", b != NULL ? b : "(null)");
	abort();
}

static void
same_str(const char *what, const char *a, const char *b)
{
	if ((a == NULL) != (b == NULL) || (a != NULL && strcmp(a, b) != 0))
		fail(what, a, b);
}

static void
same(const struct qenv *a, const struct qenv *b)
{
	char	 x[64], y[64];
	int	 i;

	if (strcmp(a->id, b->id) != 0)
		fail("id differs", a->id, b->id);
	snprintf(x, sizeof(x), "T %lld U %lu W %d N %d B %d X %d",
	    (long long)a->arrival, (unsigned long)a->uid, a->warned, a->nrcpt,
	    (int)a->ret, a->smtputf8);
	snprintf(y, sizeof(y), "T %lld U %lu W %d N %d B %d X %d",
	    (long long)b->arrival, (unsigned long)b->uid, b->warned, b->nrcpt,
	    (int)b->ret, b->smtputf8);
	if (strcmp(x, y) != 0)
		fail("fields differ", x, y);
	same_str("sender differs", a->sender, b->sender);
	same_str("envid differs", a->envid, b->envid);
	for (i = 0; i < a->nrcpt; i++) {
		const struct qrcpt *r = &a->rcpt[i], *s = &b->rcpt[i];

		same_str("rcpt addr differs", r->addr, s->addr);
		same_str("rcpt orig differs", r->orig, s->orig);
		same_str("rcpt error differs", r->error, s->error);
		same_str("rcpt orcpt differs", r->orcpt, s->orcpt);
		snprintf(x, sizeof(x), "%d %d %lld %u %d", (int)r->status,
		    r->attempts, (long long)r->next_try, r->notify,
		    (int)r->owed);
		snprintf(y, sizeof(y), "%d %d %lld %u %d", (int)s->status,
		    s->attempts, (long long)s->next_try, s->notify,
		    (int)s->owed);
		if (strcmp(x, y) != 0)
			fail("rcpt fields differ", x, y);
	}
}

static char	 spooldir[64];

/* libFuzzer leaves by exit(): take the spool away then. */
static void
cleanup(void)
{
	static const char *const files[] = { "env/" ID, "tmp/" ID ".env",
	    "env", "tmp", "msg", "" };
	char	 p[128];
	size_t	 i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", spooldir, files[i]);
		(void)remove(p);
	}
}

static void
setup(void)
{
	char	 dir[64], err[LIM_ERR] = "";

	/* tmpfs when there is one: the writer fsyncs every envelope */
	snprintf(dir, sizeof(dir), "%s/f_env.XXXXXX",
	    access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (mkdtemp(dir) == NULL ||
	    queue_init(dir, 1, getuid(), getgid(), err, sizeof(err)) == -1) {
		fprintf(stderr, "f_env: setup: %s\n", err);
		abort();
	}
	snprintf(envpath, sizeof(envpath), "%s/env/" ID, dir);
	snprintf(spooldir, sizeof(spooldir), "%s", dir);
	atexit(cleanup);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct qenv	 a, b;
	char		 err[LIM_ERR + LIM_PATH];
	FILE		*fp;

	if (envpath[0] == '\0')
		setup();
	if ((fp = fopen(envpath, "w")) == NULL)
		abort();
	if (size > 0 && fwrite(data, 1, size, fp) != size)
		abort();
	if (fclose(fp) == EOF)
		abort();
	if (queue_read_env(ID, &a, err, sizeof(err)) == -1)
		return 0;
	if (queue_write_env(&a, err, sizeof(err)) == -1)
		fail("cannot write back", err, "");
	if (queue_read_env(ID, &b, err, sizeof(err)) == -1)
		fail("written envelope does not read back", err, "");
	same(&a, &b);
	qenv_free(&a);
	qenv_free(&b);
	return 0;
}
