/*
 * simulate.c — twsim: a deterministic vEdge fleet that logs like one.
 *
 *   twsim [--devices N] [--tunnels M] [--peers P] [--seed S]
 *         [--start YYYY-MM-DDTHH:MM:SS] [--duration DUR] [--speed F]
 *         [--dpd-interval DUR] [--idle-fraction X] [--child-rekey DUR]
 *         [--ike-rekey DUR] [--retransmits N] [--dup X]
 *         [--flaps K] [--pfs K] [--deletes K] [--outages K] [--no-failures]
 *         [--out FILE] [--truth FILE] [--udp HOST:PORT | --tcp HOST:PORT]
 *         [--octet] [--no-pri]
 *
 * N vEdges (hostnames vedge0001…, system-ips 10.0.x.y) each terminate M
 * IPsec tunnels (interfaces ipsec1…ipsecM, IKE connections ipsecN_1) to P
 * shared peers (203.0.113.x, then 198.51.100.x), from one tunnel-source per
 * device (192.0.2.x).  A discrete-event simulation on a simulated clock
 * writes what each device's charon and FTMD would log, in the formats of
 * docs/log-formats.md (charon kinds, field-guide lines), as RFC 3164 lines with a PRI:
 *
 *  - establishment (vici initiate, IKE_SA_INIT, IKE_AUTH, established);
 *  - DPD chatter on idle tunnels (charon sends DPD only when no traffic
 *    arrived for dpd_delay, so busy tunnels log none): sending DPD request,
 *    generating INFORMATIONAL request N [ ], packets, parsed response;
 *  - CHILD_SA rekeys (new CHILD_SA established, old one closed and deleted)
 *    and IKE_SA rekeys (rekeyed between, old IKE_SA deleted);
 *
 * and injects failures, recorded in a ground-truth JSON (--truth):
 *
 *  - flap / dpd_timeout: the path to the peer goes dark for a few minutes;
 *    a DPD request is retransmitted with strongSwan's timing (4 s · 1.8^n),
 *    "giving up after N retransmits", FTMD reports the interface down,
 *    charon restarts the CHILD_SA and re-initiates until the peer answers,
 *    FTMD reports it up;
 *  - stuck / pfs_mismatch: the vEdge gets perfect-forward-secrecy group-16;
 *    the peer's CREATE_CHILD_SA (no KE) is refused (received/configured
 *    proposals, no acceptable proposal found, failed to establish
 *    CHILD_SA, keeping IKE_SA) at every attempt, the CHILD_SA expires and
 *    the interface goes down for good;
 *  - stuck / peer_delete: a bare DELETE for the IKE_SA, no re-initiation
 *    (CSCvx86427);
 *  - fleet outage: one peer goes dark; every tunnel to it (one per
 *    device) goes through the DPD flap above within a minute.
 *
 * Output: a file (--out, default stdout; for `tunnelwatch import`) in
 * device-time order, or a live stream over UDP or TCP paced by the
 * simulated clock (--speed F: F simulated seconds per second; 0 = as fast
 * as possible).  Everything derives from --seed: the same arguments give
 * the same bytes.  All tunnel addresses are in documentation ranges.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SEC        1000000LL
#define MAX_TUN    64
#define MAX_PEERS  508

/* ---- deterministic random numbers (splitmix64) ----------------------- */

static uint64_t rng_state;

static uint64_t
rng_next(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int64_t
rng_range(int64_t lo, int64_t hi)      /* [lo, hi] */
{
	if (hi <= lo)
		return lo;
	return lo + (int64_t)(rng_next() % (uint64_t)(hi - lo + 1));
}

static double
rng_unit(void)
{
	return (double)(rng_next() >> 11) / 9007199254740992.0;
}

/* ---- model ------------------------------------------------------------ */

enum fail_kind { F_NONE, F_FLAP, F_PFS, F_DELETE };

/* What a tunnel does next. */
enum phase {
	P_ESTABLISH,       /* initial bring-up */
	P_UP,              /* next: DPD chatter, CHILD or IKE rekey */
	P_DPD_RETX,        /* an unanswered DPD request: next retransmit/give-up */
	P_INIT_RETX,       /* re-initiation: IKE_SA_INIT retransmits */
	P_REINIT,          /* a new attempt after "peer not responding" */
	P_PFS_RETRY,       /* the peer's next CREATE_CHILD_SA, refused */
	P_PFS_EXPIRE,      /* the refused CHILD_SA's hard lifetime ends */
	P_DEAD             /* stuck for good: nothing more */
};

struct tunnel {
	int dev, idx;              /* device index, 0-based tunnel index */
	int peer;                  /* peer index */
	int idle;                  /* logs DPD chatter */
	int idle0;                 /* ... when not failing */
	enum phase phase;
	int64_t next_at;
	int64_t next_dpd, next_child, next_ike;
	uint32_t ike_uid, child_uid;
	uint32_t spi_i, spi_o;
	uint32_t msgid;            /* next request message ID of the IKE_SA */
	uint32_t peer_msgid;       /* next request ID the peer uses */
	int retx;                  /* retransmits done in the current exchange */
	int64_t retx_base;         /* time of the first send */
	uint32_t pending_msgid;
	int64_t dark_from, dark_until;   /* peer unreachable [from, until) */
	enum fail_kind fail;
	int64_t fail_at;
	int truth;                 /* index into truth[] or -1 */
	int down;                  /* FTMD reported down */
	int pfs_failed;
	int64_t expire_at;
};

struct device {
	char host[16];
	char sysip[24];
	char local[24];
	int ftmd_pid;
	uint32_t next_uid, next_child;
};

struct truth {
	int dev, idx, peer;
	const char *symptom, *cause;
	int64_t start_us, end_us;  /* end_us 0: still open at the end */
	int64_t first_us;          /* first evidence line */
	int fleet;                 /* fleet event index or -1 */
};

struct outage {
	int peer;
	int64_t from, until;
	int64_t first_down, last_down;
	int devices, tunnels;
};

struct heap_item {
	int64_t at;
	uint64_t seq;
	int tunnel;
};

struct sim {
	int ndev, ntun, npeers;
	int64_t start, end;
	int64_t dpd_interval, child_rekey, ike_rekey, pfs_retry, pfs_margin;
	int retransmits;
	double idle_fraction, dup;
	int pri;
	struct device *dev;
	struct tunnel *tun;
	char peers[MAX_PEERS][24];
	struct truth *truth;
	int ntruth, truth_cap;
	struct outage *outages;
	int noutages;
	struct heap_item *heap;
	int nheap;
	uint64_t seq;
	int thread;                /* charon thread of the current job */

	/* output */
	FILE *out;
	int sock, tcp, octet;
	double speed;
	int64_t wall0_ns;
	uint64_t lines, bytes;
	char *obuf;
	size_t olen, ocap;
};

/* ---- heap of (time, seq) ---------------------------------------------- */

static int
heap_less(const struct heap_item *a, const struct heap_item *b)
{
	return a->at < b->at || (a->at == b->at && a->seq < b->seq);
}

static void
heap_push(struct sim *s, int tunnel, int64_t at)
{
	int i = s->nheap++;

	s->heap[i].at = at;
	s->heap[i].seq = s->seq++;
	s->heap[i].tunnel = tunnel;
	while (i > 0) {
		int p = (i - 1) / 2;
		if (!heap_less(&s->heap[i], &s->heap[p]))
			break;
		struct heap_item t = s->heap[i];
		s->heap[i] = s->heap[p];
		s->heap[p] = t;
		i = p;
	}
}

static struct heap_item
heap_pop(struct sim *s)
{
	struct heap_item top = s->heap[0];
	int i = 0;

	s->heap[0] = s->heap[--s->nheap];
	for (;;) {
		int l = 2 * i + 1, r = l + 1, m = i;
		if (l < s->nheap && heap_less(&s->heap[l], &s->heap[m]))
			m = l;
		if (r < s->nheap && heap_less(&s->heap[r], &s->heap[m]))
			m = r;
		if (m == i)
			break;
		struct heap_item t = s->heap[i];
		s->heap[i] = s->heap[m];
		s->heap[m] = t;
		i = m;
	}
	return top;
}

/* ---- output ------------------------------------------------------------ */

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void
sim_flush(struct sim *s)
{
	size_t off = 0;

	if (s->olen == 0)
		return;
	if (s->out != NULL) {
		if (fwrite(s->obuf, 1, s->olen, s->out) != s->olen) {
			perror("twsim: write");
			exit(1);
		}
	} else if (s->tcp) {
		while (off < s->olen) {
			ssize_t w = write(s->sock, s->obuf + off, s->olen - off);
			if (w < 0) {
				if (errno == EINTR)
					continue;
				perror("twsim: tcp write");
				exit(1);
			}
			off += (size_t)w;
		}
	}
	s->olen = 0;
}

static void
sim_emit_raw(struct sim *s, int64_t at, const char *line, size_t len)
{
	if (s->sock >= 0 && s->speed > 0) {
		int64_t due = s->wall0_ns + (int64_t)((double)(at - s->start) * 1000.0 / s->speed);
		if (now_ns() < due) {
			sim_flush(s);
			while (now_ns() < due) {
				struct timespec ts = { 0, 200000 };
				if (due - now_ns() > 1000000)
					nanosleep(&ts, NULL);
			}
		}
	}
	if (s->sock >= 0 && !s->tcp) {
		while (send(s->sock, line, len, 0) < 0) {
			if (errno != ENOBUFS && errno != EAGAIN && errno != ECONNREFUSED &&
			    errno != EINTR) {
				perror("twsim: udp send");
				exit(1);
			}
		}
	} else {
		char pfx[16];
		int pl = 0;
		if (s->octet)
			pl = snprintf(pfx, sizeof pfx, "%zu ", len);
		if (s->olen + len + (size_t)pl + 1 > s->ocap)
			sim_flush(s);
		memcpy(s->obuf + s->olen, pfx, (size_t)pl);
		s->olen += (size_t)pl;
		memcpy(s->obuf + s->olen, line, len);
		s->olen += len;
		if (!s->octet)
			s->obuf[s->olen++] = '\n';
	}
	s->lines++;
	s->bytes += len + 1;
}

static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

/* One line: "<PRI>Mmm dd hh:mm:ss HOST PROG: body". */
static void __attribute__((format(printf, 6, 7)))
emit(struct sim *s, int64_t at, const struct device *d, int pri, const char *prog,
    const char *fmt, ...)
{
	char line[1024];
	time_t t = (time_t)(at / SEC);
	struct tm tm;
	int n = 0;
	va_list ap;

	gmtime_r(&t, &tm);
	if (s->pri)
		n = snprintf(line, sizeof line, "<%d>", pri);
	n += snprintf(line + n, sizeof line - (size_t)n, "%s %2d %02d:%02d:%02d %s %s: ",
	    months[tm.tm_mon], tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, d->host, prog);
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof line)
		n = (int)sizeof line - 1;
	sim_emit_raw(s, at, line, (size_t)n);
}

/* charon: "NN[GRP] text", daemon.info; duplicated with --dup (auth sink). */
static void __attribute__((format(printf, 5, 6)))
ch(struct sim *s, int64_t at, const struct device *d, const char *grp, const char *fmt, ...)
{
	char body[900];
	int thread = s->thread;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(body, sizeof body, fmt, ap);
	va_end(ap);
	emit(s, at, d, 30, "charon", "%02d[%s] %s", thread, grp, body);
	if (s->dup > 0 && rng_unit() < s->dup)
		emit(s, at, d, 86, "charon", "%02d[%s] %s", thread, grp, body);
}

static void
ftmd(struct sim *s, int64_t at, const struct device *d, int ifidx, int up)
{
	time_t t = (time_t)(at / SEC);
	struct tm tm;

	char prog[24];

	gmtime_r(&t, &tm);
	snprintf(prog, sizeof prog, "FTMD[%d]", d->ftmd_pid);
	emit(s, at, d, 190, prog, "%%Viptela-%s-FTMD-6-INFO-1000001: VPN 1 Interface ipsec%d %s",
	    d->host, ifidx + 1, up ? "UP" : "DOWN");
	emit(s, at, d, 190, prog, "%%Viptela-%s-ftmd-6-INFO-1400002: Notification: "
	    "%d/%d/%d %d:%02d:%02d interface-state-change severity-level:major "
	    "host-name:\"%s\" system-ip:%s vpn-id:1 if-name:\"ipsec%d\" new-state:%s",
	    d->host, tm.tm_mon + 1, tm.tm_mday, tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
	    tm.tm_sec, d->host, d->sysip, ifidx + 1, up ? "up" : "down");
}

/* ---- charon sequences --------------------------------------------------- */

#define L(t)   (s->dev[(t)->dev].local)
#define PEER(t) (s->peers[(t)->peer])

static void
pkt_out(struct sim *s, int64_t at, struct tunnel *t, int port, int bytes)
{
	ch(s, at, &s->dev[t->dev], "NET", "sending packet: from %s[%d] to %s[%d] (%d bytes)",
	    L(t), port, PEER(t), port, bytes);
}

/* A new charon job: its lines share a worker thread number. */
static void
new_job(struct sim *s)
{
	s->thread = (int)rng_range(1, 16);
}

static void
pkt_in(struct sim *s, int64_t at, struct tunnel *t, int port, int bytes)
{
	new_job(s);
	ch(s, at, &s->dev[t->dev], "NET", "received packet: from %s[%d] to %s[%d] (%d bytes)",
	    PEER(t), port, L(t), port, bytes);
}

static void
child_up(struct sim *s, int64_t at, struct tunnel *t, const char *prefix)
{
	struct device *d = &s->dev[t->dev];

	t->child_uid = ++d->next_child;
	t->spi_i = (uint32_t)rng_next() | 0xc0000000u;
	t->spi_o = (uint32_t)rng_next();
	ch(s, at, d, "IKE", "%sCHILD_SA child_ipsec%d_1{%u} established with SPIs %08x_i "
	    "%08x_o and TS 0.0.0.0/0 === 0.0.0.0/0", prefix, t->idx + 1, t->child_uid,
	    t->spi_i, t->spi_o);
}

/* IKE_SA_INIT request sent (first try): initiating ... sending packet. */
static void
init_start(struct sim *s, int64_t at, struct tunnel *t, int vici)
{
	struct device *d = &s->dev[t->dev];

	if (vici)
		ch(s, at, d, "CFG", "vici initiate 'child_ipsec%d_1'", t->idx + 1);
	t->ike_uid = ++d->next_uid;
	ch(s, at, d, "IKE", "initiating IKE_SA ipsec%d_1[%u] to %s", t->idx + 1, t->ike_uid,
	    PEER(t));
	ch(s, at, d, "ENC", "generating IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) "
	    "N(NATD_D_IP) N(FRAG_SUP) N(HASH_ALG) N(REDIR_SUP) ]");
	pkt_out(s, at, t, 500, 464);
	t->retx = 0;
	t->retx_base = at;
}

/* The peer answered IKE_SA_INIT: IKE_AUTH, established, CHILD_SA up. */
static void
init_finish(struct sim *s, int64_t at, struct tunnel *t)
{
	struct device *d = &s->dev[t->dev];
	int64_t rk = s->ike_rekey - s->ike_rekey / 10;

	pkt_in(s, at, t, 500, 456);
	ch(s, at, d, "ENC", "parsed IKE_SA_INIT response 0 [ SA KE No N(NATD_S_IP) "
	    "N(NATD_D_IP) N(FRAG_SUP) N(HASH_ALG) N(CHDLESS_SUP) N(MULT_AUTH) ]");
	ch(s, at, d, "CFG", "selected proposal: IKE:AES_CBC_256/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_2048");
	ch(s, at, d, "IKE", "authentication of '%s' (myself) with pre-shared key", L(t));
	ch(s, at, d, "IKE", "establishing CHILD_SA child_ipsec%d_1{%u}", t->idx + 1,
	    d->next_child + 1);
	ch(s, at, d, "ENC", "generating IKE_AUTH request 1 [ IDi N(INIT_CONTACT) IDr AUTH "
	    "SA TSi TSr N(MOBIKE_SUP) N(NO_ADD_ADDR) N(MULT_AUTH) N(EAP_ONLY) N(MSG_ID_SYN_SUP) ]");
	pkt_out(s, at, t, 4500, 316);
	pkt_in(s, at, t, 4500, 252);
	ch(s, at, d, "ENC", "parsed IKE_AUTH response 1 [ IDr AUTH SA TSi TSr ]");
	ch(s, at, d, "IKE", "authentication of '%s' with pre-shared key successful", PEER(t));
	ch(s, at, d, "IKE", "IKE_SA ipsec%d_1[%u] established between %s[%s]...%s[%s]",
	    t->idx + 1, t->ike_uid, L(t), L(t), PEER(t), PEER(t));
	ch(s, at, d, "IKE", "scheduling rekeying in %llds", (long long)(rk / SEC));
	ch(s, at, d, "IKE", "maximum IKE_SA lifetime %llds", (long long)(s->ike_rekey * 11 / 10 / SEC));
	ch(s, at, d, "CFG", "selected proposal: ESP:AES_GCM_16_256/NO_EXT_SEQ");
	child_up(s, at, t, "");
	t->msgid = 2;
	t->peer_msgid = 0;
	t->next_child = at + rng_range(s->child_rekey * 9 / 10, s->child_rekey);
	t->next_ike = at + rng_range(s->ike_rekey * 9 / 10, s->ike_rekey);
	t->next_dpd = at + rng_range(s->dpd_interval * 9 / 10, s->dpd_interval * 11 / 10);
}

static void
dpd_ok(struct sim *s, int64_t at, struct tunnel *t)
{
	struct device *d = &s->dev[t->dev];

	if (rng_next() % 4 == 0) {
		/* The peer probes us. */
		uint32_t n = t->peer_msgid++;
		pkt_in(s, at, t, 4500, 76);
		ch(s, at, d, "ENC", "parsed INFORMATIONAL request %u [ ]", n);
		ch(s, at, d, "ENC", "generating INFORMATIONAL response %u [ ]", n);
		pkt_out(s, at, t, 4500, 76);
		return;
	}
	uint32_t n = t->msgid++;
	ch(s, at, d, "IKE", "sending DPD request");
	ch(s, at, d, "ENC", "generating INFORMATIONAL request %u [ ]", n);
	pkt_out(s, at, t, 4500, 76);
	pkt_in(s, at, t, 4500, 76);
	ch(s, at, d, "ENC", "parsed INFORMATIONAL response %u [ ]", n);
}

static void
child_rekey_ok(struct sim *s, int64_t at, struct tunnel *t)
{
	struct device *d = &s->dev[t->dev];
	uint32_t n = t->msgid++, old = t->child_uid, oi = t->spi_i, oo = t->spi_o;

	ch(s, at, d, "KNL", "creating rekey job for CHILD_SA ESP/0x%08x/%s", oi, L(t));
	ch(s, at, d, "ENC", "generating CREATE_CHILD_SA request %u [ N(REKEY_SA) SA No KE TSi TSr ]", n);
	pkt_out(s, at, t, 4500, 476);
	pkt_in(s, at, t, 4500, 460);
	ch(s, at, d, "ENC", "parsed CREATE_CHILD_SA response %u [ SA No KE TSi TSr ]", n);
	ch(s, at, d, "CFG", "selected proposal: ESP:AES_GCM_16_256/MODP_2048/NO_EXT_SEQ");
	child_up(s, at, t, "");
	ch(s, at, d, "IKE", "closing CHILD_SA child_ipsec%d_1{%u} with SPIs %08x_i (%u bytes) "
	    "%08x_o (%u bytes) and TS 0.0.0.0/0 === 0.0.0.0/0", t->idx + 1, old, oi,
	    (unsigned)rng_range(1000, 90000000), oo, (unsigned)rng_range(1000, 90000000));
	ch(s, at, d, "IKE", "sending DELETE for ESP CHILD_SA with SPI %08x", oi);
	n = t->msgid++;
	ch(s, at, d, "ENC", "generating INFORMATIONAL request %u [ D ]", n);
	pkt_out(s, at, t, 4500, 76);
	pkt_in(s, at, t, 4500, 76);
	ch(s, at, d, "ENC", "parsed INFORMATIONAL response %u [ D ]", n);
	ch(s, at, d, "IKE", "CHILD_SA closed");
}

static void
ike_rekey_ok(struct sim *s, int64_t at, struct tunnel *t)
{
	struct device *d = &s->dev[t->dev];
	uint32_t n = t->msgid++, old = t->ike_uid;
	int64_t rk = s->ike_rekey - s->ike_rekey / 10;

	ch(s, at, d, "ENC", "generating CREATE_CHILD_SA request %u [ SA No KE ]", n);
	pkt_out(s, at, t, 4500, 348);
	pkt_in(s, at, t, 4500, 348);
	ch(s, at, d, "ENC", "parsed CREATE_CHILD_SA response %u [ SA No KE ]", n);
	ch(s, at, d, "CFG", "selected proposal: IKE:AES_CBC_256/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_2048");
	ch(s, at, d, "IKE", "scheduling rekeying in %llds", (long long)(rk / SEC));
	ch(s, at, d, "IKE", "maximum IKE_SA lifetime %llds", (long long)(s->ike_rekey * 11 / 10 / SEC));
	t->ike_uid = ++d->next_uid;
	ch(s, at, d, "IKE", "IKE_SA ipsec%d_1[%u] rekeyed between %s[%s]...%s[%s]",
	    t->idx + 1, t->ike_uid, L(t), L(t), PEER(t), PEER(t));
	ch(s, at, d, "IKE", "deleting IKE_SA ipsec%d_1[%u] between %s[%s]...%s[%s]",
	    t->idx + 1, old, L(t), L(t), PEER(t), PEER(t));
	ch(s, at, d, "IKE", "sending DELETE for IKE_SA ipsec%d_1[%u]", t->idx + 1, old);
	n = t->msgid++;
	ch(s, at, d, "ENC", "generating INFORMATIONAL request %u [ D ]", n);
	pkt_out(s, at, t, 4500, 76);
	pkt_in(s, at, t, 4500, 76);
	ch(s, at, d, "ENC", "parsed INFORMATIONAL response %u [ D ]", n);
	ch(s, at, d, "IKE", "IKE_SA deleted");
	t->msgid = 0;
	t->peer_msgid = 0;
}

/* The peer's CREATE_CHILD_SA without KE, refused: our proposal has MODP_4096. */
static void
pfs_refuse(struct sim *s, int64_t at, struct tunnel *t)
{
	struct device *d = &s->dev[t->dev];
	uint32_t n = t->peer_msgid++;

	pkt_in(s, at, t, 4500, 412);
	ch(s, at, d, "ENC", "parsed CREATE_CHILD_SA request %u [ N(REKEY_SA) SA No TSi TSr ]", n);
	ch(s, at, d, "CFG", "received proposals: ESP:AES_GCM_16_256/NO_EXT_SEQ, "
	    "ESP:AES_CBC_256/HMAC_SHA1_96/NO_EXT_SEQ, ESP:3DES_CBC/HMAC_SHA1_96/NO_EXT_SEQ");
	ch(s, at, d, "CFG", "configured proposals: ESP:AES_CBC_256/HMAC_SHA1_96/MODP_4096/NO_EXT_SEQ");
	ch(s, at, d, "IKE", "no acceptable proposal found");
	ch(s, at, d, "IKE", "failed to establish CHILD_SA, keeping IKE_SA");
	ch(s, at, d, "ENC", "generating CREATE_CHILD_SA response %u [ N(NO_PROP) ]", n);
	pkt_out(s, at, t, 4500, 76);
}

/* ---- truth ---------------------------------------------------------------- */

static int
truth_add(struct sim *s, struct tunnel *t, const char *symptom, const char *cause)
{
	if (s->ntruth == s->truth_cap) {
		s->truth_cap = s->truth_cap ? s->truth_cap * 2 : 64;
		s->truth = realloc(s->truth, (size_t)s->truth_cap * sizeof *s->truth);
		if (s->truth == NULL) {
			perror("twsim");
			exit(1);
		}
	}
	struct truth *r = &s->truth[s->ntruth];
	memset(r, 0, sizeof *r);
	r->dev = t->dev;
	r->idx = t->idx;
	r->peer = t->peer;
	r->symptom = symptom;
	r->cause = cause;
	r->fleet = -1;
	return s->ntruth++;
}

/* ---- the state machine ------------------------------------------------------ */

/* strongSwan: retransmit n goes out 4 s · 1.8^(n-1) after the previous send. */
static int64_t
retx_delay(int n)
{
	double d = 4.0;
	int i;

	for (i = 1; i < n; i++)
		d *= 1.8;
	return (int64_t)(d * SEC);
}

static int
dark(const struct sim *s, const struct tunnel *t, int64_t at)
{
	int i;

	if (at >= t->dark_from && at < t->dark_until)
		return 1;
	for (i = 0; i < s->noutages; i++)
		if (s->outages[i].peer == t->peer && at >= s->outages[i].from &&
		    at < s->outages[i].until)
			return 1;
	return 0;
}

static void
schedule_up(struct sim *s, struct tunnel *t)
{
	int64_t n = t->next_child < t->next_ike ? t->next_child : t->next_ike;

	if (t->idle && t->next_dpd < n)
		n = t->next_dpd;
	if (t->fail != F_NONE && t->fail_at < n && !t->pfs_failed)
		n = t->fail_at;
	t->phase = P_UP;
	t->next_at = n;
}

static void
go_down(struct sim *s, int64_t at, struct tunnel *t)
{
	ftmd(s, at, &s->dev[t->dev], t->idx, 0);
	t->down = 1;
}

static void
step(struct sim *s, struct tunnel *t, int64_t at)
{
	struct device *d = &s->dev[t->dev];

	new_job(s);
	switch (t->phase) {
	case P_ESTABLISH:
		init_start(s, at, t, 1);
		init_finish(s, at, t);
		schedule_up(s, t);
		return;
	case P_UP:
		if (t->fail == F_DELETE && at >= t->fail_at) {
			uint32_t n = t->peer_msgid++;
			t->fail = F_NONE;
			pkt_in(s, at, t, 4500, 76);
			ch(s, at, d, "ENC", "parsed INFORMATIONAL request %u [ D ]", n);
			ch(s, at, d, "IKE", "received DELETE for IKE_SA ipsec%d_1[%u]", t->idx + 1,
			    t->ike_uid);
			ch(s, at, d, "IKE", "deleting IKE_SA ipsec%d_1[%u] between %s[%s]...%s[%s]",
			    t->idx + 1, t->ike_uid, L(t), L(t), PEER(t), PEER(t));
			ch(s, at, d, "IKE", "IKE_SA deleted");
			ch(s, at, d, "ENC", "generating INFORMATIONAL response %u [ ]", n);
			pkt_out(s, at, t, 4500, 76);
			ch(s, at, d, "KNL", "Deleting SAD entry with SPI %08x", t->spi_i);
			go_down(s, at, t);
			s->truth[t->truth].start_us = s->truth[t->truth].first_us = at;
			t->phase = P_DEAD;
			return;
		}
		if (t->fail == F_PFS && at >= t->fail_at && !t->pfs_failed) {
			t->pfs_failed = 1;
			pfs_refuse(s, at, t);
			s->truth[t->truth].start_us = s->truth[t->truth].first_us = at;
			t->expire_at = at + s->pfs_margin;
			t->phase = P_PFS_RETRY;
			t->next_at = at + s->pfs_retry;
			if (t->next_at > t->expire_at)
				t->next_at = t->expire_at;
			return;
		}
		if (t->fail == F_FLAP && at >= t->fail_at) {
			t->fail = F_NONE;
			if (s->truth[t->truth].fleet < 0) {
				t->dark_from = at;
				t->dark_until = at + rng_range(200, 320) * SEC;
			}
			/* Traffic stops: DPD goes out within the next 30 s. */
			t->next_dpd = at + rng_range(1, 30) * SEC;
			t->next_at = t->next_dpd;
			t->phase = P_UP;
			t->idle = 1;
			return;
		}
		if (dark(s, t, at)) {
			/* Whatever was due, the request goes unanswered. */
			uint32_t n = t->msgid++;
			ch(s, at, d, "IKE", "sending DPD request");
			ch(s, at, d, "ENC", "generating INFORMATIONAL request %u [ ]", n);
			pkt_out(s, at, t, 4500, 76);
			t->pending_msgid = n;
			t->retx = 0;
			t->retx_base = at;
			t->phase = P_DPD_RETX;
			t->next_at = at + retx_delay(1);
			return;
		}
		if (t->next_ike <= at && !t->pfs_failed) {
			ike_rekey_ok(s, at, t);
			t->next_ike = at + rng_range(s->ike_rekey * 9 / 10, s->ike_rekey);
		} else if (t->next_child <= at && !t->pfs_failed) {
			child_rekey_ok(s, at, t);
			t->next_child = at + rng_range(s->child_rekey * 9 / 10, s->child_rekey);
		} else if (t->next_dpd <= at && t->idle) {
			dpd_ok(s, at, t);
			t->next_dpd = at + rng_range(s->dpd_interval * 9 / 10,
			    s->dpd_interval * 11 / 10);
		}
		schedule_up(s, t);
		return;
	case P_DPD_RETX:
	case P_INIT_RETX: {
		int is_dpd = t->phase == P_DPD_RETX;
		uint32_t n = is_dpd ? t->pending_msgid : 0;
		if (!dark(s, t, at) && t->retx < s->retransmits) {
			/* The peer is back: the next retransmit is answered. */
			if (is_dpd) {
				ch(s, at, d, "IKE", "retransmit %d of request with message ID %u",
				    t->retx + 1, n);
				pkt_out(s, at, t, 4500, 76);
				pkt_in(s, at, t, 4500, 76);
				ch(s, at, d, "ENC", "parsed INFORMATIONAL response %u [ ]", n);
				t->next_dpd = at + s->dpd_interval;
				schedule_up(s, t);
			} else {
				ch(s, at, d, "IKE", "retransmit %d of request with message ID 0",
				    t->retx + 1);
				pkt_out(s, at, t, 500, 464);
				init_finish(s, at, t);
				ftmd(s, at, d, t->idx, 1);
				t->down = 0;
				if (t->truth >= 0 && s->truth[t->truth].end_us == 0)
					s->truth[t->truth].end_us = at;
				t->idle = t->idle0;
				schedule_up(s, t);
			}
			return;
		}
		if (t->retx < s->retransmits) {
			t->retx++;
			ch(s, at, d, "IKE", "retransmit %d of request with message ID %u", t->retx, n);
			pkt_out(s, at, t, is_dpd ? 4500 : 500, is_dpd ? 76 : 464);
			t->next_at = at + retx_delay(t->retx + 1);
			return;
		}
		ch(s, at, d, "IKE", "giving up after %d retransmits", s->retransmits);
		if (is_dpd) {
			struct truth *r = t->truth >= 0 ? &s->truth[t->truth] : NULL;
			go_down(s, at, t);
			if (r != NULL && r->start_us == 0) {
				r->start_us = at;
				r->first_us = t->retx_base;
			}
			if (r != NULL && r->fleet >= 0) {
				struct outage *o = &s->outages[r->fleet];
				if (o->first_down == 0 || at < o->first_down)
					o->first_down = at;
				if (at > o->last_down)
					o->last_down = at;
			}
			ch(s, at, d, "IKE", "restarting CHILD_SA child_ipsec%d_1", t->idx + 1);
			init_start(s, at, t, 0);
		} else {
			ch(s, at, d, "IKE", "establishing IKE_SA failed, peer not responding");
			t->phase = P_REINIT;
			t->next_at = at + 10 * SEC;
			return;
		}
		t->phase = P_INIT_RETX;
		t->next_at = at + retx_delay(1);
		return;
	}
	case P_REINIT:
		init_start(s, at, t, 1);
		t->phase = P_INIT_RETX;
		t->next_at = at + retx_delay(1);
		return;
	case P_PFS_RETRY:
		if (at >= t->expire_at && !t->down) {
			ch(s, at, d, "IKE", "closing expired CHILD_SA child_ipsec%d_1{%u} with SPIs "
			    "%08x_i %08x_o and TS 0.0.0.0/0 === 0.0.0.0/0", t->idx + 1, t->child_uid,
			    t->spi_i, t->spi_o);
			ch(s, at, d, "IKE", "sending DELETE for ESP CHILD_SA with SPI %08x", t->spi_i);
			go_down(s, at, t);
			t->next_at = at + 10 * s->pfs_retry;
			return;
		}
		pfs_refuse(s, at, t);
		if (t->idle && t->next_dpd <= at) {
			new_job(s);
			dpd_ok(s, at, t);
			t->next_dpd = at + s->dpd_interval;
		}
		/* The peer retries every minute, then (CHILD_SA gone) every 10. */
		t->next_at = at + (t->down ? 10 * s->pfs_retry : s->pfs_retry);
		if (!t->down && t->next_at > t->expire_at)
			t->next_at = t->expire_at;
		return;
	case P_PFS_EXPIRE:
	case P_DEAD:
		t->next_at = INT64_MAX;
		return;
	}
}

/* ---- setup --------------------------------------------------------------- */

static int
parse_duration(const char *s, int64_t *out)
{
	char *end;
	double v = strtod(s, &end);
	int64_t mul = SEC;

	if (end == s || v < 0)
		return -1;
	if (*end == '\0' || strcmp(end, "s") == 0)
		mul = SEC;
	else if (strcmp(end, "ms") == 0)
		mul = 1000;
	else if (strcmp(end, "m") == 0)
		mul = 60 * SEC;
	else if (strcmp(end, "h") == 0)
		mul = 3600 * SEC;
	else if (strcmp(end, "d") == 0)
		mul = 86400 * SEC;
	else
		return -1;
	*out = (int64_t)(v * (double)mul);
	return 0;
}

static int
parse_start(const char *s, int64_t *out)
{
	struct tm tm;

	memset(&tm, 0, sizeof tm);
	if (sscanf(s, "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
	    &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	*out = (int64_t)timegm(&tm) * SEC;
	return 0;
}

static int
parse_target(const char *arg, struct sockaddr_in *a)
{
	char host[64];
	const char *c = strrchr(arg, ':');

	if (c == NULL || (size_t)(c - arg) >= sizeof host)
		return -1;
	memcpy(host, arg, (size_t)(c - arg));
	host[c - arg] = '\0';
	memset(a, 0, sizeof *a);
	a->sin_family = AF_INET;
	a->sin_port = htons((uint16_t)atoi(c + 1));
	return inet_pton(AF_INET, host, &a->sin_addr) == 1 ? 0 : -1;
}

static void
fmt_time(char *buf, size_t n, int64_t us)
{
	time_t t = (time_t)(us / SEC);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void
write_truth(struct sim *s, const char *path, uint64_t seed)
{
	FILE *f = fopen(path, "w");
	char a[32], b[32];
	int i, written = 0;

	if (f == NULL) {
		perror(path);
		exit(1);
	}
	fmt_time(a, sizeof a, s->start);
	fmt_time(b, sizeof b, s->end);
	fprintf(f, "{\n  \"generator\": \"twsim\",\n  \"seed\": %" PRIu64 ",\n"
	    "  \"devices\": %d,\n  \"tunnels_per_device\": %d,\n  \"peers\": %d,\n"
	    "  \"start\": \"%s\",\n  \"end\": \"%s\",\n  \"lines\": %" PRIu64 ",\n"
	    "  \"bytes\": %" PRIu64 ",\n  \"incidents\": [", seed, s->ndev, s->ntun, s->npeers,
	    a, b, s->lines, s->bytes);
	for (i = 0; i < s->ntruth; i++) {
		struct truth *r = &s->truth[i];
		char st[32], en[32], fi[32];
		if (r->start_us == 0)
			continue;      /* never happened inside the window */
		fmt_time(st, sizeof st, r->start_us);
		fmt_time(fi, sizeof fi, r->first_us);
		if (r->end_us != 0)
			fmt_time(en, sizeof en, r->end_us);
		fprintf(f, "%s\n    {\"device\": \"%s\", \"system_ip\": \"%s\", \"tunnel\": "
		    "\"ipsec%d\", \"peer_ip\": \"%s\", \"symptom\": \"%s\", \"root_cause\": \"%s\", "
		    "\"start\": \"%s\", \"start_us\": %" PRId64 ", \"first_evidence\": \"%s\", "
		    "\"end\": %s%s%s, \"fleet_event\": %d}",
		    written++ ? "," : "", s->dev[r->dev].host, s->dev[r->dev].sysip, r->idx + 1,
		    s->peers[r->peer], r->symptom, r->cause, st, r->start_us, fi,
		    r->end_us ? "\"" : "", r->end_us ? en : "null", r->end_us ? "\"" : "",
		    r->fleet);
	}
	fprintf(f, "\n  ],\n  \"fleet_events\": [");
	for (i = 0; i < s->noutages; i++) {
		struct outage *o = &s->outages[i];
		char st[32], fd[32], ld[32];
		fmt_time(st, sizeof st, o->from);
		fmt_time(fd, sizeof fd, o->first_down);
		fmt_time(ld, sizeof ld, o->last_down);
		fprintf(f, "%s\n    {\"id\": %d, \"peer_ip\": \"%s\", \"dark_from\": \"%s\", "
		    "\"start\": \"%s\", \"start_us\": %" PRId64 ", \"last_down\": \"%s\", "
		    "\"devices\": %d, \"tunnels\": %d, \"root_cause\": \"dpd_timeout\"}",
		    i ? "," : "", i, s->peers[o->peer], st, fd, o->first_down, ld, o->devices,
		    o->tunnels);
	}
	fprintf(f, "\n  ]\n}\n");
	fclose(f);
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: twsim [--devices N] [--tunnels M] [--peers P] [--seed S]\n"
	    "             [--start YYYY-MM-DDTHH:MM:SS] [--duration DUR] [--speed F]\n"
	    "             [--dpd-interval DUR] [--idle-fraction X] [--child-rekey DUR]\n"
	    "             [--ike-rekey DUR] [--retransmits N] [--dup X]\n"
	    "             [--flaps K] [--pfs K] [--deletes K] [--outages K] [--no-failures]\n"
	    "             [--out FILE] [--truth FILE] [--udp|--tcp HOST:PORT] [--octet] [--no-pri]\n");
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "devices", required_argument, NULL, 'N' },
		{ "tunnels", required_argument, NULL, 'M' },
		{ "peers", required_argument, NULL, 'P' },
		{ "seed", required_argument, NULL, 's' },
		{ "start", required_argument, NULL, 'S' },
		{ "duration", required_argument, NULL, 'D' },
		{ "speed", required_argument, NULL, 'x' },
		{ "dpd-interval", required_argument, NULL, 'i' },
		{ "idle-fraction", required_argument, NULL, 'I' },
		{ "child-rekey", required_argument, NULL, 'c' },
		{ "ike-rekey", required_argument, NULL, 'k' },
		{ "retransmits", required_argument, NULL, 'r' },
		{ "dup", required_argument, NULL, 'd' },
		{ "flaps", required_argument, NULL, 'F' },
		{ "pfs", required_argument, NULL, 'p' },
		{ "deletes", required_argument, NULL, 'e' },
		{ "outages", required_argument, NULL, 'o' },
		{ "no-failures", no_argument, NULL, 'z' },
		{ "out", required_argument, NULL, 'O' },
		{ "truth", required_argument, NULL, 'T' },
		{ "udp", required_argument, NULL, 'u' },
		{ "tcp", required_argument, NULL, 't' },
		{ "octet", no_argument, NULL, 'q' },
		{ "no-pri", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	/* Static: what it points to stays reachable until exit (LeakSanitizer). */
	static struct sim sim;
	struct sim *s = &sim;
	uint64_t seed = 1;
	int64_t duration = 3600 * SEC;
	long nflaps = -1, npfs = -1, ndel = -1, nout = -1;
	const char *outpath = NULL, *truthpath = NULL, *target = NULL;
	int c, i, j;

	memset(s, 0, sizeof *s);
	s->ndev = 10;
	s->ntun = 4;
	s->npeers = 16;
	s->dpd_interval = 30 * SEC;
	s->idle_fraction = 0.1;
	s->child_rekey = 3600 * SEC;
	s->ike_rekey = 14400 * SEC;
	s->retransmits = 5;
	s->pfs_retry = 60 * SEC;
	s->pfs_margin = 540 * SEC;
	s->pri = 1;
	s->speed = 0;
	s->sock = -1;
	parse_start("2024-06-01T00:00:00", &s->start);

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'N': s->ndev = atoi(optarg); break;
		case 'M': s->ntun = atoi(optarg); break;
		case 'P': s->npeers = atoi(optarg); break;
		case 's': seed = strtoull(optarg, NULL, 10); break;
		case 'S':
			if (parse_start(optarg, &s->start) != 0)
				goto bad;
			break;
		case 'D':
			if (parse_duration(optarg, &duration) != 0)
				goto bad;
			break;
		case 'x': s->speed = atof(optarg); break;
		case 'i':
			if (parse_duration(optarg, &s->dpd_interval) != 0 || s->dpd_interval < SEC)
				goto bad;
			break;
		case 'I': s->idle_fraction = atof(optarg); break;
		case 'c':
			if (parse_duration(optarg, &s->child_rekey) != 0 || s->child_rekey < 60 * SEC)
				goto bad;
			break;
		case 'k':
			if (parse_duration(optarg, &s->ike_rekey) != 0 || s->ike_rekey < 60 * SEC)
				goto bad;
			break;
		case 'r': s->retransmits = atoi(optarg); break;
		case 'd': s->dup = atof(optarg); break;
		case 'F': nflaps = atol(optarg); break;
		case 'p': npfs = atol(optarg); break;
		case 'e': ndel = atol(optarg); break;
		case 'o': nout = atol(optarg); break;
		case 'z': nflaps = npfs = ndel = nout = 0; break;
		case 'O': outpath = optarg; break;
		case 'T': truthpath = optarg; break;
		case 'u': target = optarg; s->tcp = 0; break;
		case 't': target = optarg; s->tcp = 1; break;
		case 'q': s->octet = 1; break;
		case 'n': s->pri = 0; break;
		case 'h': usage(); return 0;
		default:
bad:
			usage();
			return 2;
		}
	}
	if (s->ndev < 1 || s->ndev > 99999 || s->ntun < 1 || s->ntun > MAX_TUN ||
	    s->npeers < s->ntun || s->npeers > MAX_PEERS || s->retransmits < 1 ||
	    s->retransmits > 10 || duration < 60 * SEC) {
		fprintf(stderr, "twsim: need 1 <= devices <= 99999, 1 <= tunnels <= %d <= peers "
		    "<= %d, retransmits 1..10, duration >= 1m\n", MAX_TUN, MAX_PEERS);
		return 2;
	}
	s->end = s->start + duration;
	rng_state = seed * 0x2545f4914f6cdd1dULL + 1;

	/* Fleet. */
	s->dev = calloc((size_t)s->ndev, sizeof *s->dev);
	s->tun = calloc((size_t)s->ndev * (size_t)s->ntun, sizeof *s->tun);
	s->heap = calloc((size_t)s->ndev * (size_t)s->ntun + 1, sizeof *s->heap);
	s->ocap = 1 << 20;
	s->obuf = malloc(s->ocap);
	if (s->dev == NULL || s->tun == NULL || s->heap == NULL || s->obuf == NULL) {
		perror("twsim");
		return 1;
	}
	for (i = 0; i < s->npeers; i++) {
		if (i < 254)
			snprintf(s->peers[i], sizeof s->peers[i], "203.0.113.%d", i + 1);
		else
			snprintf(s->peers[i], sizeof s->peers[i], "198.51.100.%d", (i - 254) % 254 + 1);
	}
	for (i = 0; i < s->ndev; i++) {
		struct device *d = &s->dev[i];
		int n = i + 1;
		snprintf(d->host, sizeof d->host, s->ndev > 9999 ? "vedge%05d" : "vedge%04d", n);
		snprintf(d->sysip, sizeof d->sysip, "10.%d.%d.%d", (n >> 16) & 255, (n >> 8) & 255,
		    n & 255);
		/* Tunnel sources: distinct last octets, reused beyond 254 devices
		 * (devices are told apart by hostname and system-ip). */
		if ((i / 254) % 2 == 0)
			snprintf(d->local, sizeof d->local, "192.0.2.%d", i % 254 + 1);
		else
			snprintf(d->local, sizeof d->local, "198.51.100.%d", i % 254 + 1);
		d->ftmd_pid = 1000 + (int)(rng_next() % 8000);
		d->next_uid = (uint32_t)rng_range(1, 5000);
		d->next_child = (uint32_t)rng_range(1, 5000);
	}
	for (i = 0; i < s->ndev; i++)
		for (j = 0; j < s->ntun; j++) {
			struct tunnel *t = &s->tun[i * s->ntun + j];
			t->dev = i;
			t->idx = j;
			t->peer = (i + j * (s->npeers / s->ntun)) % s->npeers;
			t->idle = t->idle0 = rng_unit() < s->idle_fraction;
			t->truth = -1;
			t->phase = P_ESTABLISH;
			/* Bring-up spread over the first minute. */
			t->next_at = s->start + rng_range(0, 60 * SEC);
		}

	/* Failures: inside [start + 10 min, end - 25 min], so each plays out. */
	{
		int64_t lo = s->start + 600 * SEC, hi = s->end - 1500 * SEC;
		long ntun_total = (long)s->ndev * s->ntun;
		double tdays = (double)ntun_total * (double)duration / (86400.0 * SEC);
		double days = (double)duration / (86400.0 * SEC);
		int used_peer[MAX_PEERS] = { 0 };
		long k, avail;

		if (nflaps < 0)
			nflaps = tdays / 50 > 1 ? (long)(tdays / 50) : 1;
		if (npfs < 0)
			npfs = tdays / 500 > 1 ? (long)(tdays / 500) : 1;
		if (ndel < 0)
			ndel = tdays / 500 > 1 ? (long)(tdays / 500) : 1;
		if (nout < 0)
			nout = days / 7 > 1 ? (long)(days / 7) : 1;
		if (hi <= lo) {
			if (nflaps + npfs + ndel + nout > 0)
				fprintf(stderr, "twsim: duration under 35 min: no failures injected\n");
			nflaps = npfs = ndel = nout = 0;
		}
		if (nout > s->npeers / 2)
			nout = s->npeers / 2;
		if (nout > 0 && s->ndev < 3)
			nout = 0;      /* one device is no fleet */
		s->outages = calloc((size_t)nout + 1, sizeof *s->outages);
		for (k = 0; k < nout; k++) {
			struct outage *o = &s->outages[s->noutages];
			int p;
			do
				p = (int)(rng_next() % (uint64_t)s->npeers);
			while (used_peer[p]);
			used_peer[p] = 1;
			o->peer = p;
			o->from = rng_range(lo, hi);
			o->until = o->from + rng_range(240, 330) * SEC;
			for (i = 0; i < ntun_total; i++) {
				struct tunnel *t = &s->tun[i];
				if (t->peer != p)
					continue;
				t->truth = truth_add(s, t, "flap", "dpd_timeout");
				s->truth[t->truth].fleet = s->noutages;
				t->fail = F_FLAP;
				t->fail_at = o->from;
				t->dark_from = o->from;
				t->dark_until = o->until;
				o->tunnels++;
				o->devices++;      /* one tunnel per device and peer */
			}
			s->noutages++;
		}
		/* Single-tunnel failures on tunnels whose peer has no outage. */
		avail = 0;
		for (i = 0; i < ntun_total; i++)
			avail += !used_peer[s->tun[i].peer];
		if (nflaps + npfs + ndel > avail) {
			fprintf(stderr, "twsim: only %ld tunnels free for %ld failures: capped\n",
			    avail, nflaps + npfs + ndel);
			while (nflaps + npfs + ndel > avail) {
				if (nflaps > 0)
					nflaps--;
				else if (npfs > 0)
					npfs--;
				else
					ndel--;
			}
		}
		for (k = 0; k < nflaps + npfs + ndel; k++) {
			struct tunnel *t;
			do
				t = &s->tun[rng_next() % (uint64_t)ntun_total];
			while (used_peer[t->peer] || t->fail != F_NONE);
			if (k < nflaps) {
				t->fail = F_FLAP;
				t->truth = truth_add(s, t, "flap", "dpd_timeout");
			} else if (k < nflaps + npfs) {
				t->fail = F_PFS;
				t->truth = truth_add(s, t, "stuck", "pfs_mismatch");
			} else {
				t->fail = F_DELETE;
				t->truth = truth_add(s, t, "stuck", "peer_delete");
			}
			t->fail_at = rng_range(lo, hi);
		}
	}

	/* Output. */
	if (target != NULL) {
		struct sockaddr_in a;
		if (parse_target(target, &a) != 0) {
			fprintf(stderr, "twsim: bad target %s (IPv4 HOST:PORT)\n", target);
			return 2;
		}
		s->sock = socket(AF_INET, s->tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
		if (s->sock < 0 || connect(s->sock, (struct sockaddr *)&a, sizeof a) != 0) {
			perror("twsim: connect");
			return 1;
		}
		if (!s->tcp) {
			int sz = 4 * 1024 * 1024;
			setsockopt(s->sock, SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
		}
	} else if (outpath == NULL || strcmp(outpath, "-") == 0) {
		s->out = stdout;
	} else if ((s->out = fopen(outpath, "w")) == NULL) {
		perror(outpath);
		return 1;
	}
	s->wall0_ns = now_ns();

	for (i = 0; i < s->ndev * s->ntun; i++)
		heap_push(s, i, s->tun[i].next_at);
	while (s->nheap > 0) {
		struct heap_item it = heap_pop(s);
		struct tunnel *t = &s->tun[it.tunnel];
		if (it.at >= s->end)
			break;
		step(s, t, it.at);
		if (t->next_at < s->end)
			heap_push(s, it.tunnel, t->next_at);
	}
	sim_flush(s);
	if (s->out != NULL && s->out != stdout)
		fclose(s->out);
	else if (s->out == stdout)
		fflush(stdout);
	if (s->sock >= 0)
		close(s->sock);
	if (truthpath != NULL)
		write_truth(s, truthpath, seed);
	fprintf(stderr, "twsim: %d devices x %d tunnels, %.1f h: %" PRIu64 " lines, %" PRIu64
	    " bytes, %d incidents, %d fleet events\n", s->ndev, s->ntun,
	    (double)duration / (3600.0 * SEC), s->lines, s->bytes, s->ntruth, s->noutages);
	free(s->dev);
	free(s->tun);
	free(s->heap);
	free(s->obuf);
	free(s->truth);
	free(s->outages);
	return 0;
}
