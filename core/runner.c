/*
 * The queue runner (see runner.h).  Its state is a table of the
 * entries it has seen: when each is next due, and which worker has it.
 * A worker is a fork of the runner that calls deliver_ids on its batch
 * and writes one line per entry on the results pipe; lines are shorter
 * than PIPE_BUF, so the workers' lines never mix.
 */
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "deliver.h"
#include "log.h"
#include "queue.h"
#include "runner.h"

#define TABSIZE		1024
#define CLEAN_EVERY	3600		/* s between queue_clean runs */

struct ent {
	char		 id[LIM_QID];
	time_t		 next;		/* when due; 0: now */
	pid_t		 worker;	/* has it now, or 0 */
	int		 reported;	/* its worker said how it went */
	unsigned	 gen;		/* the last listing that had it */
	struct ent	*hnext;
};

struct runner {
	const struct conf	*c;
	struct ent		*tab[TABSIZE];
	unsigned		 gen;
	pid_t			 workers[RUNNER_WORKERS];
	int			 nworkers;
	int			 trig, res[2];
	char			 rbuf[512];	/* a partial result line */
	size_t			 rlen;
	int			 rescan;
};

static int sigpipe[2] = { -1, -1 };
static volatile sig_atomic_t stopping;

static void
on_signal(int sig)
{
	int	 saved = errno;

	if (sig == SIGTERM || sig == SIGINT)
		stopping = 1;
	(void)!write(sigpipe[1], "s", 1);
	errno = saved;
}

static unsigned
hash(const char *s)
{
	unsigned	 h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h % TABSIZE;
}

static struct ent *
find(struct runner *r, const char *id, int add)
{
	struct ent	**pp = &r->tab[hash(id)], *e;

	for (e = *pp; e != NULL; e = e->hnext)
		if (strcmp(e->id, id) == 0)
			return e;
	if (!add || (e = calloc(1, sizeof(*e))) == NULL)
		return NULL;
	snprintf(e->id, sizeof(e->id), "%s", id);
	e->hnext = *pp;
	*pp = e;
	return e;
}

/* Forget what the last listing did not have and no worker holds. */
static void
prune(struct runner *r)
{
	struct ent	**pp, *e;

	for (int i = 0; i < TABSIZE; i++)
		for (pp = &r->tab[i]; (e = *pp) != NULL; ) {
			if (e->gen != r->gen && e->worker == 0) {
				*pp = e->hnext;
				free(e);
			} else
				pp = &e->hnext;
		}
}

/* The worker's side: deliver, then say when each entry is next due. */
static void
work(const struct runner *r, char **ids, int n)
{
	struct qenv	 env;
	char		 line[LIM_QID + 32], err[LIM_ERR];
	long long	 next;
	int		 len;

	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	deliver_ids(r->c, ids, n, 0);
	for (int i = 0; i < n; i++) {
		memset(&env, 0, sizeof(env));
		if (queue_read_env(ids[i], &env, err, sizeof(err)) == -1)
			next = -1;
		else
			next = (long long)qenv_next_try(&env);
		qenv_free(&env);
		len = snprintf(line, sizeof(line), "%s %lld\n", ids[i], next);
		(void)!write(r->res[1], line, (size_t)len);
	}
	_exit(0);
}

static int
start_worker(struct runner *r, struct ent **batch, int n)
{
	char	*ids[RUNNER_BATCH];
	pid_t	 pid;

	for (int i = 0; i < n; i++)
		ids[i] = batch[i]->id;
	if ((pid = fork()) == -1) {
		log_warn("runner: cannot fork a delivery process: %s",
		    strerror(errno));
		return -1;
	}
	if (pid == 0) {
		close(r->trig);
		close(r->res[0]);
		close(sigpipe[0]);
		close(sigpipe[1]);
		work(r, ids, n);
	}
	for (int i = 0; i < n; i++) {
		batch[i]->worker = pid;
		batch[i]->reported = 0;
	}
	r->workers[r->nworkers++] = pid;
	return 0;
}

/* List the queue and hand the due entries to free workers. */
static void
scan(struct runner *r, time_t now)
{
	struct ent	*batch[RUNNER_BATCH], *e;
	char		**ids;
	int		 n, nb = 0;

	r->rescan = 0;
	if (queue_list(&ids, &n) == -1) {
		log_warn("runner: cannot list the queue: %s", strerror(errno));
		return;
	}
	r->gen++;
	for (int i = 0; i < n; i++) {
		if ((e = find(r, ids[i], 1)) == NULL)
			continue;
		e->gen = r->gen;
		if (e->worker != 0 || e->next > now)
			continue;
		if (r->nworkers == RUNNER_WORKERS) {
			r->rescan = 1;	/* when a worker is free again */
			continue;
		}
		batch[nb++] = e;
		if (nb == RUNNER_BATCH) {
			if (start_worker(r, batch, nb) == -1)
				break;
			nb = 0;
		}
	}
	if (nb > 0)
		(void)start_worker(r, batch, nb);
	queue_list_free(ids, n);
	prune(r);
}

/* "ID next" lines from the workers. */
static void
read_results(struct runner *r, time_t now)
{
	char		*nl, *sp, *line;
	struct ent	*e;
	ssize_t		 n;
	long long	 next;

	while ((n = read(r->res[0], r->rbuf + r->rlen,
	    sizeof(r->rbuf) - 1 - r->rlen)) > 0) {
		r->rlen += (size_t)n;
		r->rbuf[r->rlen] = '\0';
		line = r->rbuf;
		while ((nl = strchr(line, '\n')) != NULL) {
			*nl = '\0';
			if ((sp = strchr(line, ' ')) != NULL) {
				*sp = '\0';
				next = strtoll(sp + 1, NULL, 10);
				if ((e = find(r, line, 0)) != NULL) {
					e->reported = 1;
					/* still due: it was locked elsewhere */
					e->next = next == -1 ? 0 : next <= now ?
					    now + RUNNER_BUSY : (time_t)next;
				}
			}
			line = nl + 1;
		}
		r->rlen -= (size_t)(line - r->rbuf);
		memmove(r->rbuf, line, r->rlen);
		if (r->rlen == sizeof(r->rbuf) - 1)
			r->rlen = 0;	/* never from our workers */
	}
}

/* Reap the workers that ended; their unreported entries wait. */
static void
reap(struct runner *r, time_t now)
{
	struct ent	*e;
	pid_t		 pid;
	int		 status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (int i = 0; i < r->nworkers; i++)
			if (r->workers[i] == pid) {
				r->workers[i] = r->workers[--r->nworkers];
				break;
			}
		if (WIFSIGNALED(status))
			log_warn("runner: delivery process %ld killed by "
			    "signal %d", (long)pid, WTERMSIG(status));
		else if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
			log_warn("runner: delivery process %ld exited with "
			    "status %d", (long)pid, WEXITSTATUS(status));
		read_results(r, now);
		for (int i = 0; i < TABSIZE; i++)
			for (e = r->tab[i]; e != NULL; e = e->hnext)
				if (e->worker == pid) {
					e->worker = 0;
					if (!e->reported)
						e->next = now + RUNNER_LOST;
				}
		r->rescan = 1;
	}
}

/* Milliseconds until the earliest entry not in a worker is due. */
static int
timeout_ms(const struct runner *r, time_t now, time_t wake)
{
	const struct ent	*e;
	time_t			 t = wake;

	for (int i = 0; i < TABSIZE; i++)
		for (e = r->tab[i]; e != NULL; e = e->hnext)
			if (e->worker == 0 && e->next < t)
				t = e->next;
	if (t <= now)
		return 0;
	return t - now > 3600 ? 3600 * 1000 : (int)(t - now) * 1000;
}

static void
drain(int fd)
{
	char	 b[256];

	while (read(fd, b, sizeof(b)) > 0)
		;
}

static int
setup(struct runner *r, char *err, size_t errlen)
{
	struct sigaction sa;

	r->trig = r->res[0] = r->res[1] = -1;
	if (pipe2(sigpipe, O_CLOEXEC | O_NONBLOCK) == -1 ||
	    pipe2(r->res, O_CLOEXEC | O_NONBLOCK) == -1 ||
	    (r->trig = queue_trigger_open()) == -1) {
		snprintf(err, errlen, "runner: cannot start: %s",
		    strerror(errno));
		return -1;
	}
	/* the workers' writes block rather than lose a line */
	fcntl(r->res[1], F_SETFL, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

/* At stop: the workers finish, or are killed after RUNNER_GRACE. */
static void
finish(struct runner *r)
{
	time_t	 end = time(NULL) + RUNNER_GRACE;

	while (r->nworkers > 0 && time(NULL) < end) {
		poll(NULL, 0, 100);
		reap(r, time(NULL));
	}
	for (int i = 0; i < r->nworkers; i++)
		kill(r->workers[i], SIGKILL);
	while (r->nworkers > 0 && waitpid(-1, NULL, 0) > 0)
		reap(r, time(NULL));
}

int
runner_run(const struct conf *c, time_t interval, char *err, size_t errlen)
{
	struct runner	*r;
	struct pollfd	 pf[3];
	time_t		 now, wake, clean = 0;

	if ((r = calloc(1, sizeof(*r))) == NULL) {
		snprintf(err, errlen, "runner: out of memory");
		return -1;
	}
	r->c = c;
	if (setup(r, err, errlen) == -1) {
		free(r);
		return -1;
	}
	r->rescan = 1;
	wake = interval > 0 ? time(NULL) + interval : (time_t)1 << 40;
	while (!stopping) {
		now = time(NULL);
		if (now >= clean) {
			queue_clean(QUEUE_TMP_MAX_AGE);
			clean = now + CLEAN_EVERY;
		}
		if (interval > 0 && now >= wake) {
			/* a full run: what the workers said is forgotten */
			for (int i = 0; i < TABSIZE; i++)
				for (struct ent *e = r->tab[i]; e; e = e->hnext)
					if (e->worker == 0)
						e->next = 0;
			wake = now + interval;
		}
		if (r->rescan && r->nworkers < RUNNER_WORKERS)
			scan(r, now);
		pf[0] = (struct pollfd){ .fd = r->trig, .events = POLLIN };
		pf[1] = (struct pollfd){ .fd = r->res[0], .events = POLLIN };
		pf[2] = (struct pollfd){ .fd = sigpipe[0], .events = POLLIN };
		/* with every worker busy, the next wake-up is one ending */
		if (poll(pf, 3, r->nworkers == RUNNER_WORKERS ? -1 :
		    timeout_ms(r, now, wake < clean ? wake : clean)) == -1 &&
		    errno != EINTR)
			break;
		now = time(NULL);
		if (pf[0].revents & POLLIN) {
			drain(r->trig);
			r->rescan = 1;
		}
		if (pf[1].revents & POLLIN)
			read_results(r, now);
		if (pf[2].revents & POLLIN)
			drain(sigpipe[0]);
		reap(r, now);
		if (timeout_ms(r, now, wake) == 0)
			r->rescan = 1;
	}
	finish(r);
	return 0;
}
