/*
 * deliver.c — the delivery workers (see deliver.h).
 */
#include "deliver.h"
#include "log.h"
#include "util.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define ALERT_BACKOFF0_US   (1000 * 1000LL)
#define ALERT_BACKOFF_MAX   (60 * 1000 * 1000LL)

struct alert_item {
	struct alert_item *next;
	char *body;
	char event[32];
	char title[256];
};

struct alert_worker {
	struct alert_deliver *dl;
	const struct cfg_alert_dest *d;
	int index;
	pthread_t thread;
	int started;
	struct alert_item *head, *tail;
	int n;
};

struct alert_deliver {
	const struct cfg_alerts *a;
	struct counters *ctr;
	pthread_mutex_t mtx;
	pthread_cond_t cond;
	int stopping;
	int64_t deadline_mono;          /* when stopping: no attempt starts after it */
	struct alert_worker w[CFG_MAX_ALERT_DESTS];
};

/* Waits until until_mono, or the shutdown deadline when that comes first.
 * Returns 0 when the wait ran its course, -1 when shutdown cut it short.
 * Called with mtx held. */
static int
alert_wait_until(struct alert_deliver *dl, int64_t until_mono)
{
	for (;;) {
		int64_t end = until_mono, left;
		struct timespec ts;
		if (dl->stopping && dl->deadline_mono < end)
			end = dl->deadline_mono;
		if ((left = end - util_mono_us()) <= 0)
			return end == until_mono ? 0 : -1;
		util_deadline(&ts, CLOCK_MONOTONIC, left);
		pthread_cond_timedwait(&dl->cond, &dl->mtx, &ts);
	}
}

static size_t
alert_discard(char *p, size_t size, size_t n, void *arg)
{
	return size * n;
}

/* 0: delivered; 1: failed, worth retrying; 2: failed for good. */
static int
alert_post(const struct cfg_alert_dest *d, const char *body, char *why, size_t whysz)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	char errbuf[CURL_ERROR_SIZE] = "";
	long status = 0;
	int i, rc = 1;
	CURLcode cc;

	if (c == NULL) {
		snprintf(why, whysz, "libcurl: cannot make a handle");
		return 1;
	}
	h = curl_slist_append(h, "Content-Type: application/json");
	for (i = 0; i < d->n_headers && h != NULL; i++)
		h = curl_slist_append(h, d->headers[i]);
	curl_easy_setopt(c, CURLOPT_URL, d->target);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "tunnelwatch/" TW_VERSION);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)(d->timeout_us / 1000));
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)(d->timeout_us / 1000));
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, alert_discard);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	cc = curl_easy_perform(c);
	if (cc != CURLE_OK) {
		snprintf(why, whysz, "%s", errbuf[0] != '\0' ? errbuf : curl_easy_strerror(cc));
	} else {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		if (status >= 200 && status < 300)
			rc = 0;
		else
			rc = status >= 500 || status == 408 || status == 429 ? 1 : 2;
		if (rc != 0)
			snprintf(why, whysz, "HTTP status %ld", status);
	}
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return rc;
}

/* The environment of an exec hook: ours, and the alert's event and title. */
static char **
alert_env(const struct alert_item *it, char *ev, size_t evsz, char *ti, size_t tisz)
{
	size_t n = 0, i, k = 0;
	char **env;

	while (environ[n] != NULL)
		n++;
	if ((env = calloc(n + 3, sizeof *env)) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		if (strncmp(environ[i], "TUNNELWATCH_EVENT=", 18) != 0 &&
		    strncmp(environ[i], "TUNNELWATCH_TITLE=", 18) != 0)
			env[k++] = environ[i];
	snprintf(ev, evsz, "TUNNELWATCH_EVENT=%s", it->event);
	snprintf(ti, tisz, "TUNNELWATCH_TITLE=%s", it->title);
	env[k++] = ev;
	env[k++] = ti;
	env[k] = NULL;
	return env;
}

/* Runs the hook; same return values as alert_post. */
static int
alert_exec(const struct cfg_alert_dest *d, const struct alert_item *it, char *why,
    size_t whysz)
{
	char *argv[] = { "/bin/sh", "-c", (char *)d->target, NULL };
	char ev[64], ti[300], **env = alert_env(it, ev, sizeof ev, ti, sizeof ti);
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, dfl;
	int fds[2] = { -1, -1 }, status = 0, rc = 1, fa_ok = 0, attr_ok = 0;
	int64_t deadline = util_mono_us() + d->timeout_us;
	size_t len = strlen(it->body), off = 0;
	pid_t pid = -1;

	if (env == NULL || pipe2(fds, O_CLOEXEC) != 0) {
		snprintf(why, whysz, "cannot make a pipe: %s", strerror(errno));
		goto out;
	}
	sigemptyset(&none);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE);
	if (posix_spawn_file_actions_init(&fa) != 0 || (fa_ok = 1, 0) ||
	    posix_spawn_file_actions_adddup2(&fa, fds[0], 0) != 0 ||
	    posix_spawnattr_init(&attr) != 0 || (attr_ok = 1, 0) ||
	    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF) != 0 ||
	    posix_spawnattr_setsigmask(&attr, &none) != 0 ||
	    posix_spawnattr_setsigdefault(&attr, &dfl) != 0 ||
	    (errno = posix_spawn(&pid, "/bin/sh", &fa, &attr, argv, env)) != 0) {
		snprintf(why, whysz, "cannot start /bin/sh: %s", strerror(errno));
		pid = -1;
		goto out;
	}
	close(fds[0]);
	fds[0] = -1;
	fcntl(fds[1], F_SETFL, O_NONBLOCK);
	/* The document, then EOF; a command that does not read it is fine. */
	while (off < len && util_mono_us() < deadline) {
		struct pollfd p = { fds[1], POLLOUT, 0 };
		ssize_t w;
		if (poll(&p, 1, 100) <= 0)
			continue;
		w = write(fds[1], it->body + off, len - off);
		if (w > 0)
			off += (size_t)w;
		else if (w < 0 && errno != EAGAIN && errno != EINTR)
			break;              /* EPIPE: it exited without reading */
	}
	close(fds[1]);
	fds[1] = -1;
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR) {
			snprintf(why, whysz, "waitpid: %s", strerror(errno));
			pid = -1;
			goto out;
		}
		if (util_mono_us() >= deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			snprintf(why, whysz, "timed out after %lld ms, killed",
			    (long long)(d->timeout_us / 1000));
			pid = -1;
			goto out;
		}
		usleep(10 * 1000);
	}
	pid = -1;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		rc = 0;
	else if (WIFEXITED(status))
		snprintf(why, whysz, "exit status %d", WEXITSTATUS(status));
	else
		snprintf(why, whysz, "killed by signal %d", WIFSIGNALED(status) ?
		    WTERMSIG(status) : 0);
out:
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
	if (fa_ok)
		posix_spawn_file_actions_destroy(&fa);
	if (attr_ok)
		posix_spawnattr_destroy(&attr);
	free(env);
	return rc;
}

static void
alert_deliver_one(struct alert_worker *w, struct alert_item *it)
{
	struct alert_deliver *dl = w->dl;
	int64_t backoff = ALERT_BACKOFF0_US;
	char why[CURL_ERROR_SIZE + 64];
	int attempt, rc = 1;

	for (attempt = 0; ; attempt++) {
		why[0] = '\0';
		rc = w->d->exec ? alert_exec(w->d, it, why, sizeof why) :
		    alert_post(w->d, it->body, why, sizeof why);
		if (rc == 0) {
			ctr_add(dl->ctr, CTR_ALERTS_SENT, 1);
			log_debug("alert %s to %s: delivered", it->event, w->d->name);
			return;
		}
		if (rc == 2 || attempt >= w->d->retries)
			break;
		pthread_mutex_lock(&dl->mtx);
		if (alert_wait_until(dl, util_mono_us() + backoff) != 0) {
			pthread_mutex_unlock(&dl->mtx);
			break;
		}
		pthread_mutex_unlock(&dl->mtx);
		ctr_add(dl->ctr, CTR_ALERTS_RETRIED, 1);
		log_info("alert %s to %s: %s; attempt %d of %d", it->event, w->d->name, why,
		    attempt + 2, w->d->retries + 1);
		backoff = backoff * 2 > ALERT_BACKOFF_MAX ? ALERT_BACKOFF_MAX : backoff * 2;
	}
	ctr_add(dl->ctr, CTR_ALERTS_FAILED, 1);
	log_warnx("alert %s to %s failed: %s (%d attempt%s); given up", it->event, w->d->name,
	    why, attempt + 1, attempt > 0 ? "s" : "");
}

static void *
alert_worker_main(void *arg)
{
	struct alert_worker *w = arg;
	struct alert_deliver *dl = w->dl;
	char name[16];
	sigset_t pipe;

	/* A receiver or hook that goes away mid-write: EPIPE, not SIGPIPE. */
	sigemptyset(&pipe);
	sigaddset(&pipe, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe, NULL);
	snprintf(name, sizeof name, "tw-alert-%d", w->index);
	pthread_setname_np(pthread_self(), name);
	pthread_mutex_lock(&dl->mtx);
	for (;;) {
		struct alert_item *it;
		while (w->head == NULL && !dl->stopping)
			pthread_cond_wait(&dl->cond, &dl->mtx);
		if (w->head == NULL || (dl->stopping && util_mono_us() > dl->deadline_mono))
			break;
		it = w->head;
		w->head = it->next;
		if (w->head == NULL)
			w->tail = NULL;
		w->n--;
		pthread_mutex_unlock(&dl->mtx);
		alert_deliver_one(w, it);
		free(it->body);
		free(it);
		pthread_mutex_lock(&dl->mtx);
	}
	pthread_mutex_unlock(&dl->mtx);
	return NULL;
}

struct alert_deliver *
alert_deliver_start(const struct cfg_alerts *a, struct counters *ctr)
{
	struct alert_deliver *dl = calloc(1, sizeof *dl);
	int i;

	if (dl == NULL)
		return NULL;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_errorx("alerts: libcurl could not initialise");
		free(dl);
		return NULL;
	}
	dl->a = a;
	dl->ctr = ctr;
	pthread_mutex_init(&dl->mtx, NULL);
	util_cond_init_mono(&dl->cond);
	for (i = 0; i < a->n_dest; i++) {
		struct alert_worker *w = &dl->w[i];
		w->dl = dl;
		w->d = &a->dest[i];
		w->index = i + 1;
		if (pthread_create(&w->thread, NULL, alert_worker_main, w) != 0) {
			log_errorx("alerts: cannot start the worker of %s", w->d->name);
			alert_deliver_stop(dl, 0);
			return NULL;
		}
		w->started = 1;
	}
	return dl;
}

void
alert_deliver_push(struct alert_deliver *dl, int dest, const char *event, const char *title,
    char *body)
{
	struct alert_item *it;
	struct alert_worker *w;

	if (dest < 0 || dest >= dl->a->n_dest || (it = calloc(1, sizeof *it)) == NULL) {
		ctr_add(dl->ctr, CTR_ALERTS_FAILED, 1);
		free(body);
		return;
	}
	w = &dl->w[dest];
	it->body = body;
	snprintf(it->event, sizeof it->event, "%s", event);
	snprintf(it->title, sizeof it->title, "%s", title);
	pthread_mutex_lock(&dl->mtx);
	if (w->n >= ALERT_QUEUE_MAX) {
		pthread_mutex_unlock(&dl->mtx);
		ctr_add(dl->ctr, CTR_ALERTS_FAILED, 1);
		log_warnx("alert %s to %s: %d alerts already wait for it; dropped", event,
		    w->d->name, ALERT_QUEUE_MAX);
		free(body);
		free(it);
		return;
	}
	if (w->tail != NULL)
		w->tail->next = it;
	else
		w->head = it;
	w->tail = it;
	w->n++;
	pthread_cond_broadcast(&dl->cond);
	pthread_mutex_unlock(&dl->mtx);
}

void
alert_deliver_stop(struct alert_deliver *dl, int64_t grace_us)
{
	int i;

	if (dl == NULL)
		return;
	pthread_mutex_lock(&dl->mtx);
	dl->stopping = 1;
	dl->deadline_mono = util_mono_us() + grace_us;
	pthread_cond_broadcast(&dl->cond);
	pthread_mutex_unlock(&dl->mtx);
	for (i = 0; i < CFG_MAX_ALERT_DESTS; i++) {
		struct alert_worker *w = &dl->w[i];
		if (w->started)
			pthread_join(w->thread, NULL);
		while (w->head != NULL) {
			struct alert_item *it = w->head;
			w->head = it->next;
			ctr_add(dl->ctr, CTR_ALERTS_FAILED, 1);
			log_warnx("alert %s to %s: not delivered before shutdown", it->event,
			    w->d->name);
			free(it->body);
			free(it);
		}
	}
	pthread_cond_destroy(&dl->cond);
	pthread_mutex_destroy(&dl->mtx);
	curl_global_cleanup();
	free(dl);
}
