/*
 * twsend.c — a test and benchmark sender for syslog over UDP or TCP.
 *
 *   twsend (--udp|--tcp) HOST:PORT [--count N] [--rate MSG/S] [--conns C]
 *          [--octet] [--file LINES] [--host-prefix P]
 *
 * Sends N messages (default 1000): the lines of --file in turn, or
 * generated RFC 3164 charon lines that each carry a unique sequence number
 * ("seq=N") so that tests can check exactly which arrived.  --rate paces
 * the sender (0 = as fast as possible); TCP uses LF framing, or RFC 6587
 * octet counting with --octet, over C connections in turn.  It prints what
 * it sent; loss is always counted at the receiver, never trusted from here.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 256

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int
parse_addr(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[128];
	const char *colon = strrchr(s, ':');
	size_t hl;

	if (colon == NULL || (hl = (size_t)(colon - s)) >= sizeof host)
		return -1;
	memcpy(host, s, hl);
	host[hl] = '\0';
	memset(ss, 0, sizeof *ss);
	if (host[0] == '[') {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
		host[hl - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, &a->sin6_addr) != 1)
			return -1;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)atoi(colon + 1));
		*len = sizeof *a;
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;
		if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
			return -1;
		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)atoi(colon + 1));
		*len = sizeof *a;
	}
	return 0;
}

static int
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "udp", required_argument, NULL, 'u' },
		{ "tcp", required_argument, NULL, 't' },
		{ "count", required_argument, NULL, 'n' },
		{ "rate", required_argument, NULL, 'r' },
		{ "conns", required_argument, NULL, 'c' },
		{ "octet", no_argument, NULL, 'o' },
		{ "file", required_argument, NULL, 'f' },
		{ "host-prefix", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	struct sockaddr_storage ss;
	socklen_t sslen = 0;
	const char *target = NULL, *file = NULL, *hprefix = "vedge";
	int tcp = 0, octet = 0, conns = 1, fds[MAX_CONNS], c, i;
	long long count = 1000, rate = 0, sent = 0;
	char **lines = NULL;
	size_t nlines = 0;
	int64_t start;
	char msg[70000], frame[70100];

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'u': target = optarg; tcp = 0; break;
		case 't': target = optarg; tcp = 1; break;
		case 'n': count = atoll(optarg); break;
		case 'r': rate = atoll(optarg); break;
		case 'c': conns = atoi(optarg); break;
		case 'o': octet = 1; break;
		case 'f': file = optarg; break;
		case 'p': hprefix = optarg; break;
		default:
			fprintf(stderr, "usage: twsend (--udp|--tcp) HOST:PORT [--count N] "
			    "[--rate R] [--conns C] [--octet] [--file F]\n");
			return 2;
		}
	}
	if (target == NULL || parse_addr(target, &ss, &sslen) != 0 || conns < 1 ||
	    conns > MAX_CONNS) {
		fprintf(stderr, "twsend: need --udp or --tcp HOST:PORT\n");
		return 2;
	}
	if (file != NULL) {
		FILE *f = fopen(file, "r");
		char *line = NULL;
		size_t cap = 0;
		ssize_t n;
		if (f == NULL) {
			perror(file);
			return 1;
		}
		while ((n = getline(&line, &cap, f)) > 0) {
			if (line[n - 1] == '\n')
				line[n - 1] = '\0';
			lines = realloc(lines, (nlines + 1) * sizeof *lines);
			lines[nlines++] = strdup(line);
		}
		free(line);
		fclose(f);
		if (nlines == 0)
			return 1;
	}
	for (i = 0; i < conns; i++) {
		fds[i] = socket(ss.ss_family, tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
		if (fds[i] < 0 || connect(fds[i], (struct sockaddr *)&ss, sslen) != 0) {
			perror("twsend: connect");
			return 1;
		}
		if (!tcp) {
			int sz = 4 * 1024 * 1024;
			setsockopt(fds[i], SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
		}
	}
	start = now_ns();
	for (sent = 0; sent < count; sent++) {
		size_t len;
		int fd = fds[sent % conns];
		if (lines != NULL)
			len = (size_t)snprintf(msg, sizeof msg, "%s", lines[sent % (long long)nlines]);
		else
			len = (size_t)snprintf(msg, sizeof msg,
			    "<30>Nov 27 10:00:00 %s%03lld charon: 16[NET] sending packet: "
			    "from 192.0.2.1[4500] to 198.51.100.1[4500] (76 bytes) seq=%lld",
			    hprefix, sent % 100, sent);
		if (rate > 0) {
			int64_t due = start + (int64_t)(sent * 1000000000LL / rate);
			while (now_ns() < due)
				;
		}
		if (!tcp) {
			while (send(fd, msg, len, 0) < 0) {
				if (errno != ENOBUFS && errno != EAGAIN && errno != ECONNREFUSED) {
					perror("twsend: send");
					return 1;
				}
			}
			continue;
		}
		if (octet)
			len = (size_t)snprintf(frame, sizeof frame, "%zu %s", len, msg);
		else
			len = (size_t)snprintf(frame, sizeof frame, "%s\n", msg);
		if (write_all(fd, frame, len) != 0) {
			perror("twsend: write");
			return 1;
		}
	}
	for (i = 0; i < conns; i++)
		close(fds[i]);
	{
		double secs = (double)(now_ns() - start) / 1e9;
		fprintf(stderr, "twsend: sent %lld messages in %.3f s (%.0f msg/s)\n", sent,
		    secs, secs > 0 ? (double)sent / secs : 0.0);
	}
	return 0;
}
