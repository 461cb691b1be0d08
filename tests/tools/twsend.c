/*
 * twsend.c — a test and benchmark sender for syslog over UDP or TCP.
 *
 *   twsend (--udp|--tcp|--tls) HOST:PORT [--count N] [--rate MSG/S] [--conns C]
 *          [--octet] [--file LINES] [--host-prefix P] [--batch B]
 *          [--duration SECS] [--ca FILE] [--cert FILE --key FILE]
 *
 * Sends N messages (default 1000): the lines of --file in turn, or
 * generated RFC 3164 charon lines that each carry a unique sequence number
 * ("seq=N") so that tests can check exactly which arrived.  --rate paces
 * the sender (0 = as fast as possible); --duration D with --rate R sends
 * R·D messages, without --rate it sends as fast as it can for D seconds.  TCP uses LF framing, or RFC 6587 octet counting with
 * --octet, over C connections in turn.  It prints what it sent, and the
 * rate it achieved; loss is always counted at the receiver, never trusted
 * from here.
 *
 * Speed (so that the sender is not what a benchmark measures): UDP goes
 * out with sendmmsg(2), up to --batch datagrams per call (default 32); a
 * paced sender sends, each time round, the messages whose due time has
 * come, so the bursts are at most B long.  TCP frames are gathered into a
 * 256 KiB buffer per connection and written when it is full, or — paced —
 * when nothing more is due yet.
 *
 * TLS (RFC 5425): --tls is TCP with octet counting inside TLS (OpenSSL,
 * blocking); --ca checks the server's certificate, --cert/--key present a
 * client certificate.  Each connection ends with a close_notify.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#define MAX_CONNS  256
#define MAX_BATCH  1024
#define TCP_BUF    (256 * 1024)
#define MSG_MAX    70000

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

/* The lines of a file, in one allocation: the first `max` of them (a
 * sender of N messages needs no more; a large file costs seconds to read). */
struct lines {
	char *buf;
	size_t *off, *len;
	size_t n;
};

static int
load_lines(const char *path, struct lines *l, long long max)
{
	FILE *f = fopen(path, "r");
	size_t cap = 0, bcap = 0, blen = 0;
	char *line = NULL;
	size_t lcap = 0;
	ssize_t n;

	memset(l, 0, sizeof *l);
	if (f == NULL) {
		perror(path);
		return -1;
	}
	while ((long long)l->n < max && (n = getline(&line, &lcap, f)) > 0) {
		if (line[n - 1] == '\n')
			n--;
		if (n > 0 && line[n - 1] == '\r')
			n--;
		if (n == 0)
			continue;
		if (n > MSG_MAX - 32)
			n = MSG_MAX - 32;
		if (l->n == cap) {
			cap = cap ? cap * 2 : 4096;
			l->off = realloc(l->off, cap * sizeof *l->off);
			l->len = realloc(l->len, cap * sizeof *l->len);
			if (l->off == NULL || l->len == NULL)
				goto oom;
		}
		if (blen + (size_t)n > bcap) {
			bcap = bcap ? bcap * 2 : 1 << 20;
			while (blen + (size_t)n > bcap)
				bcap *= 2;
			if ((l->buf = realloc(l->buf, bcap)) == NULL)
				goto oom;
		}
		memcpy(l->buf + blen, line, (size_t)n);
		l->off[l->n] = blen;
		l->len[l->n] = (size_t)n;
		blen += (size_t)n;
		l->n++;
	}
	free(line);
	fclose(f);
	return l->n > 0 ? 0 : -1;
oom:
	fprintf(stderr, "twsend: out of memory reading %s\n", path);
	fclose(f);
	return -1;
}

struct conn {
	int fd;
	SSL *ssl;               /* --tls */
	char *buf;
	size_t len;
};

static int
conn_flush(struct conn *c)
{
	if (c->len == 0)
		return 0;
	if (c->ssl != NULL) {
		size_t off = 0;
		while (off < c->len) {
			int w = SSL_write(c->ssl, c->buf + off, (int)(c->len - off));
			if (w <= 0) {
				ERR_print_errors_fp(stderr);
				fprintf(stderr, "twsend: SSL_write failed\n");
				return -1;
			}
			off += (size_t)w;
		}
	} else if (write_all(c->fd, c->buf, c->len) != 0) {
		perror("twsend: write");
		return -1;
	}
	c->len = 0;
	return 0;
}

/* A client context: the server checked against ca (if given), a client
 * certificate presented (if given). */
static SSL_CTX *
tls_client(const char *ca, const char *cert, const char *key)
{
	SSL_CTX *x = SSL_CTX_new(TLS_client_method());

	if (x == NULL)
		return NULL;
	SSL_CTX_set_min_proto_version(x, TLS1_2_VERSION);
	if (ca != NULL) {
		if (SSL_CTX_load_verify_locations(x, ca, NULL) != 1)
			goto fail;
		SSL_CTX_set_verify(x, SSL_VERIFY_PEER, NULL);
	}
	if (cert != NULL && (SSL_CTX_use_certificate_chain_file(x, cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(x, key != NULL ? key : cert, SSL_FILETYPE_PEM) != 1))
		goto fail;
	return x;
fail:
	ERR_print_errors_fp(stderr);
	SSL_CTX_free(x);
	return NULL;
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
		{ "batch", required_argument, NULL, 'b' },
		{ "duration", required_argument, NULL, 'd' },
		{ "tls", required_argument, NULL, 'T' },
		{ "ca", required_argument, NULL, 'A' },
		{ "cert", required_argument, NULL, 'C' },
		{ "key", required_argument, NULL, 'K' },
		{ NULL, 0, NULL, 0 },
	};
	struct sockaddr_storage ss;
	socklen_t sslen = 0;
	const char *target = NULL, *file = NULL, *hprefix = "vedge";
	const char *ca = NULL, *cert = NULL, *key = NULL;
	SSL_CTX *tls = NULL;
	int use_tls = 0;
	int tcp = 0, octet = 0, nconns = 1, batch = 32, c, i;
	long long count = 1000, rate = 0, sent = 0;
	double duration = 0;
	struct lines lines = { 0 };
	struct conn conns[MAX_CONNS];
	static struct mmsghdr mm[MAX_BATCH];
	static struct iovec iov[MAX_BATCH];
	static char gen[MAX_BATCH][512];
	static char msg[MSG_MAX];
	int64_t start, deadline = 0;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'u': target = optarg; tcp = 0; break;
		case 't': target = optarg; tcp = 1; break;
		case 'n': count = atoll(optarg); break;
		case 'r': rate = atoll(optarg); break;
		case 'c': nconns = atoi(optarg); break;
		case 'o': octet = 1; break;
		case 'f': file = optarg; break;
		case 'p': hprefix = optarg; break;
		case 'b': batch = atoi(optarg); break;
		case 'd': duration = atof(optarg); break;
		case 'T': target = optarg; tcp = 1; octet = 1; use_tls = 1; break;
		case 'A': ca = optarg; break;
		case 'C': cert = optarg; break;
		case 'K': key = optarg; break;
		default:
			fprintf(stderr, "usage: twsend (--udp|--tcp|--tls) HOST:PORT [--count N] "
			    "[--rate R] [--conns C] [--octet] [--file F] [--batch B] "
			    "[--duration S] [--ca F] [--cert F --key F]\n");
			return 2;
		}
	}
	if (target == NULL || parse_addr(target, &ss, &sslen) != 0 || nconns < 1 ||
	    nconns > MAX_CONNS || batch < 1 || batch > MAX_BATCH) {
		fprintf(stderr, "twsend: need --udp, --tcp or --tls HOST:PORT (conns 1..%d, "
		    "batch 1..%d)\n", MAX_CONNS, MAX_BATCH);
		return 2;
	}
	if (duration > 0 && rate > 0)
		count = (long long)(duration * (double)rate);
	else if (duration > 0)
		count = 1LL << 62;      /* until the deadline */
	if (file != NULL && load_lines(file, &lines, count) != 0)
		return 1;
	if (use_tls && (tls = tls_client(ca, cert, key)) == NULL)
		return 1;
	for (i = 0; i < nconns; i++) {
		conns[i].len = 0;
		conns[i].buf = NULL;
		conns[i].ssl = NULL;
		conns[i].fd = socket(ss.ss_family, tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
		if (conns[i].fd < 0 ||
		    connect(conns[i].fd, (struct sockaddr *)&ss, sslen) != 0) {
			perror("twsend: connect");
			return 1;
		}
		if (!tcp) {
			int sz = 4 * 1024 * 1024;
			setsockopt(conns[i].fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
		} else if ((conns[i].buf = malloc(TCP_BUF)) == NULL) {
			return 1;
		}
		if (tls != NULL && ((conns[i].ssl = SSL_new(tls)) == NULL ||
		    SSL_set_fd(conns[i].ssl, conns[i].fd) != 1 ||
		    SSL_connect(conns[i].ssl) != 1)) {
			ERR_print_errors_fp(stderr);
			fprintf(stderr, "twsend: TLS handshake failed\n");
			return 1;
		}
	}
	start = now_ns();
	if (duration > 0 && rate == 0)
		deadline = start + (int64_t)(duration * 1e9);
	while (sent < count) {
		long long due = count, n, k;

		if (deadline != 0 && (sent & 1023) < (long long)batch && now_ns() >= deadline)
			break;
		if (rate > 0) {
			int64_t el = now_ns() - start;
			due = (long long)((__int128)el * rate / 1000000000) + 1;
			if (due > count)
				due = count;
			if (due <= sent) {
				/* Nothing due: put out what TCP gathered, then wait. */
				for (i = 0; tcp && i < nconns; i++)
					if (conn_flush(&conns[i]) != 0)
						return 1;
				continue;
			}
		}
		n = due - sent;
		if (n > batch)
			n = batch;
		if (!tcp) {
			struct conn *cn = &conns[sent % nconns];
			for (k = 0; k < n; k++) {
				long long seq = sent + k;
				if (lines.n > 0) {
					size_t li = (size_t)(seq % (long long)lines.n);
					iov[k].iov_base = lines.buf + lines.off[li];
					iov[k].iov_len = lines.len[li];
				} else {
					int len = snprintf(gen[k], sizeof gen[k],
					    "<30>Nov 27 10:00:00 %s%03lld charon: 16[NET] sending packet: "
					    "from 192.0.2.1[4500] to 198.51.100.1[4500] (76 bytes) seq=%lld",
					    hprefix, seq % 100, seq);
					iov[k].iov_base = gen[k];
					iov[k].iov_len = (size_t)len;
				}
				memset(&mm[k].msg_hdr, 0, sizeof mm[k].msg_hdr);
				mm[k].msg_hdr.msg_iov = &iov[k];
				mm[k].msg_hdr.msg_iovlen = 1;
			}
			k = 0;
			while (k < n) {
				int r = sendmmsg(cn->fd, mm + k, (unsigned)(n - k), 0);
				if (r < 0) {
					if (errno == ENOBUFS || errno == EAGAIN || errno == EINTR ||
					    errno == ECONNREFUSED)
						continue;
					perror("twsend: sendmmsg");
					return 1;
				}
				k += r;
			}
			sent += n;
			continue;
		}
		for (k = 0; k < n; k++, sent++) {
			struct conn *cn = &conns[sent % nconns];
			const char *m;
			size_t len;
			if (lines.n > 0) {
				size_t li = (size_t)(sent % (long long)lines.n);
				m = lines.buf + lines.off[li];
				len = lines.len[li];
			} else {
				len = (size_t)snprintf(msg, MSG_MAX,
				    "<30>Nov 27 10:00:00 %s%03lld charon: 16[NET] sending packet: "
				    "from 192.0.2.1[4500] to 198.51.100.1[4500] (76 bytes) seq=%lld",
				    hprefix, sent % 100, sent);
				m = msg;
			}
			if (cn->len + len + 16 > TCP_BUF && conn_flush(cn) != 0)
				return 1;
			if (octet)
				cn->len += (size_t)snprintf(cn->buf + cn->len, 16, "%zu ", len);
			memcpy(cn->buf + cn->len, m, len);
			cn->len += len;
			if (!octet)
				cn->buf[cn->len++] = '\n';
		}
	}
	for (i = 0; i < nconns; i++) {
		if (tcp && conn_flush(&conns[i]) != 0)
			return 1;
		if (conns[i].ssl != NULL) {
			SSL_shutdown(conns[i].ssl);
			SSL_free(conns[i].ssl);
		}
		close(conns[i].fd);
		free(conns[i].buf);
	}
	{
		double secs = (double)(now_ns() - start) / 1e9;
		fprintf(stderr, "twsend: sent %lld messages in %.3f s (%.0f msg/s)\n", sent,
		    secs, secs > 0 ? (double)sent / secs : 0.0);
	}
	free(lines.buf);
	free(lines.off);
	free(lines.len);
	SSL_CTX_free(tls);
	return 0;
}
