/*
 * sender_limits.c — sender allowlists and the per-sender token bucket.
 * See sender_limits.h for the design.
 *
 * Token arithmetic is in integer millionths of a message, so a rate of a
 * few messages per second refills smoothly from a millisecond clock and no
 * floating point is involved.  The rate is capped at 10^9 messages per
 * second, which keeps burst (rate * 10^6) and every refill product far
 * below INT64_MAX.
 */
#include "sender_limits.h"
#include "log.h"
#include "util.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#define LIMITS_UNIT      1000000LL           /* one message, in millionths */
#define LIMITS_RATE_MAX  1000000000ULL
#define LIMITS_SETS      (LIMITS_SLOTS / LIMITS_WAYS)
#define LIMITS_LOG_US    (10 * 1000000LL)    /* one log line per site per 10 s */

/* The address a sender is known by: IPv4-mapped IPv6 counts as IPv4, so a
 * dual-stack socket and an IPv4 one see the same sender.  Returns the
 * family (AF_INET / AF_INET6), or 0 for anything else. */
static int
limits_key(const struct sockaddr *sa, uint8_t addr[16])
{
	memset(addr, 0, 16);
	if (sa->sa_family == AF_INET) {
		memcpy(addr, &((const struct sockaddr_in *)sa)->sin_addr, 4);
		return AF_INET;
	}
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a6 = &((const struct sockaddr_in6 *)sa)->sin6_addr;
		if (IN6_IS_ADDR_V4MAPPED(a6)) {
			memcpy(addr, &a6->s6_addr[12], 4);
			return AF_INET;
		}
		memcpy(addr, a6, 16);
		return AF_INET6;
	}
	return 0;
}

/* sa as an IPv4 sockaddr when it is IPv4-mapped, for the CIDR check. */
static const struct sockaddr *
limits_unmap(const struct sockaddr *sa, struct sockaddr_in *tmp)
{
	uint8_t addr[16];

	if (sa->sa_family != AF_INET6 || limits_key(sa, addr) != AF_INET)
		return sa;
	memset(tmp, 0, sizeof *tmp);
	tmp->sin_family = AF_INET;
	memcpy(&tmp->sin_addr, addr, 4);
	tmp->sin_port = ((const struct sockaddr_in6 *)sa)->sin6_port;
	return (const struct sockaddr *)tmp;
}

static uint32_t
limits_hash(uint32_t seed, int family, const uint8_t *addr)
{
	uint32_t h = 2166136261u ^ seed;
	int i, n = family == AF_INET ? 4 : 16;

	h = (h ^ (uint32_t)family) * 16777619u;
	for (i = 0; i < n; i++)
		h = (h ^ addr[i]) * 16777619u;
	return h ^ (h >> 15);
}

static void
limits_refill(const struct limits *l, struct limits_slot *s, int64_t now_us)
{
	int64_t elapsed = now_us - s->last_us;

	if (elapsed <= 0)
		return;
	/* A bucket is full after one second; longer gaps change nothing and
	 * would only risk overflow. */
	if (elapsed > 2 * LIMITS_UNIT)
		elapsed = 2 * LIMITS_UNIT;
	s->tokens += elapsed * (int64_t)l->rate;
	if (s->tokens > l->burst)
		s->tokens = l->burst;
	s->last_us = now_us;
}

/*
 * The slot of sa's sender, refilled to now.  With create, a sender not in
 * the table gets a slot (an empty one of its set, else the least recently
 * seen one, which is evicted) and starts with a full bucket.  NULL when
 * there is no table, an unknown family, or (without create) no slot.
 */
static struct limits_slot *
limits_slot(struct limits *l, const struct sockaddr *sa, int64_t now_us, int create)
{
	uint8_t addr[16];
	int family = limits_key(sa, addr), i;
	struct limits_slot *set, *victim = NULL;

	if (l->slots == NULL || family == 0)
		return NULL;
	set = &l->slots[(limits_hash(l->seed, family, addr) % LIMITS_SETS) * LIMITS_WAYS];
	for (i = 0; i < LIMITS_WAYS; i++) {
		struct limits_slot *s = &set[i];
		if (s->family == family && memcmp(s->addr, addr, 16) == 0) {
			limits_refill(l, s, now_us);
			return s;
		}
		if (victim == NULL || victim->family != 0) {
			if (s->family == 0 || victim == NULL || s->last_us < victim->last_us)
				victim = s;
		}
	}
	if (!create)
		return NULL;
	if (victim->family != 0)
		ctr_add(l->ctr, CTR_RATE_LIMIT_EVICTIONS, 1);
	memset(victim, 0, sizeof *victim);
	victim->family = (uint8_t)family;
	memcpy(victim->addr, addr, 16);
	victim->tokens = l->burst;
	victim->last_us = now_us;
	return victim;
}

static void
limits_wake_cb(uv_timer_t *h)
{
	struct limits *l = h->data;

	if (l->wake_cb != NULL)
		l->wake_cb(l->wake_arg);
}

static int
limits_any_hosts(const struct cfg_cidr *list, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (list[i].hosts[0] != '\0')
			return 1;
	return 0;
}

int
limits_init(struct limits *l, const struct config *cfg, struct counters *ctr,
    uv_loop_t *loop, void (*wake_cb)(void *), void *arg)
{
	int r;

	memset(l, 0, sizeof *l);
	l->cfg = cfg;
	l->ctr = ctr;
	l->wake_cb = wake_cb;
	l->wake_arg = arg;
	l->rate = cfg->sender_rate_limit > LIMITS_RATE_MAX ? LIMITS_RATE_MAX :
	    cfg->sender_rate_limit;
	l->burst = (int64_t)l->rate * LIMITS_UNIT;
	if (getrandom(&l->seed, sizeof l->seed, GRND_NONBLOCK) != (ssize_t)sizeof l->seed)
		l->seed = (uint32_t)util_mono_us() ^ (uint32_t)getpid();
	if ((r = uv_timer_init(loop, &l->wake)) != 0) {
		log_warnx("sender limits: timer: %s: %s", uv_err_name(r), uv_strerror(r));
		return -1;
	}
	l->wake.data = l;
	l->wake_init = 1;
	if (l->rate > 0) {
		if ((l->slots = calloc(LIMITS_SLOTS, sizeof *l->slots)) == NULL) {
			log_warnx("sender limits: out of memory");
			return -1;
		}
		log_info("sender rate limit: %llu messages/s per sender address",
		    (unsigned long long)l->rate);
	}
	if (cfg->n_udp_allow > 0)
		log_info("udp: accepting datagrams from %d allowed network(s) only",
		    cfg->n_udp_allow);
	if (cfg->n_tcp_allow > 0)
		log_info("tcp: accepting connections from %d allowed network(s) only",
		    cfg->n_tcp_allow);
	if (limits_any_hosts(cfg->udp_allow, cfg->n_udp_allow) ||
	    limits_any_hosts(cfg->tcp_allow, cfg->n_tcp_allow))
		log_info("identity binding: senders in ranges given as CIDR=HOST,... speak "
		    "only for those hosts");
	return 0;
}

void
limits_close(struct limits *l)
{
	if (l->wake_init && !uv_is_closing((uv_handle_t *)&l->wake))
		uv_close((uv_handle_t *)&l->wake, NULL);
}

void
limits_free(struct limits *l)
{
	free(l->slots);
	l->slots = NULL;
}

int
limits_udp_admit(struct limits *l, const struct sockaddr *sa, int64_t now_us)
{
	static struct log_throttle deny_thr, rate_thr;
	struct sockaddr_in tmp;
	struct limits_slot *s;
	char who[64];

	if (!cfg_cidr_allows(l->cfg->udp_allow, l->cfg->n_udp_allow,
	    limits_unmap(sa, &tmp))) {
		ctr_add(l->ctr, CTR_UDP_DROPPED_NOT_ALLOWED, 1);
		log_ratelimited(&deny_thr, LIMITS_LOG_US,
		    "udp: dropping datagrams from %s: not in udp_allow",
		    util_format_ip(who, sizeof who, sa));
		return 0;
	}
	if ((s = limits_slot(l, sa, now_us, 1)) == NULL || s->tokens >= LIMITS_UNIT) {
		if (s != NULL)
			s->tokens -= LIMITS_UNIT;
		return 1;
	}
	s->dropped++;
	ctr_add(l->ctr, CTR_UDP_DROPPED_RATE_LIMIT, 1);
	log_ratelimited(&rate_thr, LIMITS_LOG_US,
	    "udp: %s is over sender_rate_limit (%llu/s): dropping datagrams "
	    "(%llu from it so far)", util_format_ip(who, sizeof who, sa),
	    (unsigned long long)l->rate, (unsigned long long)s->dropped);
	return 0;
}

const char *
limits_speaks_for(struct limits *l, const struct sockaddr *sa, int udp)
{
	struct sockaddr_in tmp;
	const struct cfg_cidr *best = udp ?
	    cfg_cidr_best(l->cfg->udp_allow, l->cfg->n_udp_allow, limits_unmap(sa, &tmp)) :
	    cfg_cidr_best(l->cfg->tcp_allow, l->cfg->n_tcp_allow, limits_unmap(sa, &tmp));

	return best != NULL && best->hosts[0] != '\0' ? best->hosts : NULL;
}

int
limits_tcp_allowed(struct limits *l, const struct sockaddr *sa)
{
	static struct log_throttle thr;
	struct sockaddr_in tmp;
	char who[64];

	if (cfg_cidr_allows(l->cfg->tcp_allow, l->cfg->n_tcp_allow, limits_unmap(sa, &tmp)))
		return 1;
	ctr_add(l->ctr, CTR_TCP_REJECTED_NOT_ALLOWED, 1);
	log_ratelimited(&thr, LIMITS_LOG_US,
	    "tcp: refusing connection from %s: not in tcp_allow",
	    util_format_sockaddr(who, sizeof who, sa));
	return 0;
}

int
limits_take(struct limits *l, const struct sockaddr *sa, int64_t now_us)
{
	struct limits_slot *s = limits_slot(l, sa, now_us, 1);

	if (s == NULL)
		return 1;
	if (s->tokens < LIMITS_UNIT)
		return 0;
	s->tokens -= LIMITS_UNIT;
	return 1;
}

void
limits_refund(struct limits *l, const struct sockaddr *sa)
{
	struct limits_slot *s = limits_slot(l, sa, 0, 0);

	if (s == NULL)
		return;
	s->tokens += LIMITS_UNIT;
	if (s->tokens > l->burst)
		s->tokens = l->burst;
}

int64_t
limits_wait_us(struct limits *l, const struct sockaddr *sa, int64_t now_us)
{
	struct limits_slot *s = limits_slot(l, sa, now_us, 0);

	if (s == NULL || s->tokens >= LIMITS_UNIT || l->rate == 0)
		return 0;
	return (LIMITS_UNIT - s->tokens + (int64_t)l->rate - 1) / (int64_t)l->rate;
}

void
limits_tcp_paused(struct limits *l, const struct sockaddr *sa,
    const char *peer_text, int64_t now_us)
{
	static struct log_throttle thr;
	struct limits_slot *s = limits_slot(l, sa, now_us, 0);
	int64_t wait = limits_wait_us(l, sa, now_us);
	uint64_t due_ms;
	int r;

	ctr_add(l->ctr, CTR_TCP_PAUSED_RATE_LIMIT, 1);
	if (s != NULL)
		s->paused++;
	log_ratelimited(&thr, LIMITS_LOG_US,
	    "tcp %s: over sender_rate_limit (%llu/s): pausing reads (%llu pauses "
	    "for this sender so far)", peer_text, (unsigned long long)l->rate,
	    (unsigned long long)(s != NULL ? s->paused : 0));
	if (!l->wake_init || uv_is_closing((uv_handle_t *)&l->wake))
		return;
	if (wait > LIMITS_WAKE_MAX_US)
		wait = LIMITS_WAKE_MAX_US;
	due_ms = (uint64_t)(wait + 999) / 1000;
	if (due_ms == 0)
		due_ms = 1;
	if (uv_is_active((uv_handle_t *)&l->wake) &&
	    uv_timer_get_due_in(&l->wake) <= due_ms)
		return;
	if ((r = uv_timer_start(&l->wake, limits_wake_cb, due_ms, 0)) != 0)
		log_warnx("sender limits: timer: %s: %s", uv_err_name(r), uv_strerror(r));
}
