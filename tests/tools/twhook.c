/*
 * twhook.c — a webhook receiver for the alert tests (libmicrohttpd, on
 * 127.0.0.1 only).  Every request becomes one line of the output file:
 * "STATUS METHOD PATH BODY" (the body as received; tunnelwatch's
 * documents are one line), flushed at once.
 *
 * usage: twhook --out FILE --port-file FILE [--fail-first N] [--status CODE]
 *               [--delay-ms MS]
 *   --fail-first N  answer 500 to the first N requests, then --status
 *   --status CODE   the answer otherwise (200)
 *   --delay-ms MS   wait this long before answering (a slow receiver)
 * The port (chosen by the kernel) is written to the port file once
 * listening.  Runs until SIGTERM or SIGINT.
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HOOK_MAX_BODY (1 << 20)

struct hook {
	FILE *out;
	int fail_first, status, delay_ms, seen;
};

struct body {
	char *p;
	size_t n;
	int too_big;
};

static volatile sig_atomic_t hook_stop;

static void
hook_signal(int sig)
{
	(void)sig;
	hook_stop = 1;
}

static enum MHD_Result
hook_answer(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
    const char *version, const char *data, size_t *size, void **state)
{
	struct hook *h = cls;
	struct body *b = *state;
	struct MHD_Response *r;
	enum MHD_Result rc;
	int status;

	(void)version;
	if (b == NULL) {
		if ((b = calloc(1, sizeof *b)) == NULL)
			return MHD_NO;
		*state = b;
		return MHD_YES;
	}
	if (*size > 0) {
		if (b->n + *size > HOOK_MAX_BODY) {
			b->too_big = 1;
		} else {
			char *p = realloc(b->p, b->n + *size + 1);
			if (p == NULL)
				return MHD_NO;
			memcpy(p + b->n, data, *size);
			b->p = p;
			b->n += *size;
			b->p[b->n] = '\0';
		}
		*size = 0;
		return MHD_YES;
	}
	status = h->seen++ < h->fail_first ? 500 : h->status;
	if (b->too_big)
		status = 413;
	if (h->delay_ms > 0)
		usleep((useconds_t)h->delay_ms * 1000);
	fprintf(h->out, "%d %s %s %s\n", status, method, url, b->p != NULL ? b->p : "");
	fflush(h->out);
	r = MHD_create_response_from_buffer(3, (void *)"ok\n", MHD_RESPMEM_PERSISTENT);
	rc = MHD_queue_response(conn, (unsigned)status, r);
	MHD_destroy_response(r);
	return rc;
}

static void
hook_done(void *cls, struct MHD_Connection *conn, void **state,
    enum MHD_RequestTerminationCode toe)
{
	struct body *b = *state;

	(void)cls;
	(void)conn;
	(void)toe;
	if (b != NULL) {
		free(b->p);
		free(b);
		*state = NULL;
	}
}

int
main(int argc, char **argv)
{
	struct hook h = { NULL, 0, 200, 0, 0 };
	const char *out = NULL, *port_file = NULL;
	struct sockaddr_in sa;
	const union MHD_DaemonInfo *info;
	struct MHD_Daemon *d;
	FILE *pf;
	int i;

	for (i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--out") == 0)
			out = argv[i + 1];
		else if (strcmp(argv[i], "--port-file") == 0)
			port_file = argv[i + 1];
		else if (strcmp(argv[i], "--fail-first") == 0)
			h.fail_first = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--status") == 0)
			h.status = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--delay-ms") == 0)
			h.delay_ms = atoi(argv[i + 1]);
		else
			break;
	}
	if (out == NULL || port_file == NULL || i != argc) {
		fprintf(stderr, "usage: twhook --out FILE --port-file FILE [--fail-first N] "
		    "[--status CODE] [--delay-ms MS]\n");
		return 2;
	}
	if ((h.out = fopen(out, "a")) == NULL) {
		perror(out);
		return 1;
	}
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = 0;
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, hook_answer, &h,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
	    MHD_OPTION_NOTIFY_COMPLETED, hook_done, NULL, MHD_OPTION_END);
	if (d == NULL) {
		fprintf(stderr, "twhook: cannot listen on 127.0.0.1\n");
		return 1;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	if (info == NULL || (pf = fopen(port_file, "w")) == NULL) {
		fprintf(stderr, "twhook: cannot tell the port\n");
		MHD_stop_daemon(d);
		return 1;
	}
	fprintf(pf, "%u\n", (unsigned)info->port);
	fclose(pf);
	signal(SIGTERM, hook_signal);
	signal(SIGINT, hook_signal);
	while (!hook_stop)
		pause();
	MHD_stop_daemon(d);
	fclose(h.out);
	return 0;
}
