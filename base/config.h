/*
 * config.h — the collector's configuration: defaults, the JSON config file,
 * and command-line flags, in that order of precedence (flags win).
 *
 * The struct is filled once at start and read-only afterwards; every module
 * receives a const pointer.  Which flag or key sets which field, with its
 * type, default and range, is the table in base/options.c; this file keeps
 * the struct and the value parsers the table calls (listeners, ranges,
 * zones).  docs/configuration.md lists every key.
 */
#ifndef TW_CONFIG_H
#define TW_CONFIG_H

#include <limits.h>
#include <stdint.h>
#include <sys/socket.h>

#define CFG_MAX_LISTENERS  16
#define CFG_MAX_TZ         256
#define CFG_MAX_CIDR       64
#define CFG_MAX_ZONES      32   /* distinct IANA zones loaded */
#define CFG_MAX_ALERT_DESTS 16  /* alert destinations (webhooks, commands) */
#define CFG_MAX_ALERT_RULES 32
#define CFG_MAX_ALERT_MATCH 16  /* root causes or device globs in one rule */
#define CFG_MAX_ALERT_HDRS  4   /* extra HTTP headers of one webhook */

struct tzif;

struct cfg_listen {
	struct sockaddr_storage addr;
	char text[80];
};

/* How a device writes local time: a fixed offset, or an IANA zone whose
 * daylight saving time tzif.c applies (docs/configuration.md, "Time zones"). */
struct cfg_zone {
	int off_min;                 /* minutes east of UTC, when zone is NULL */
	const struct tzif *zone;     /* owned by config.zones; NULL: fixed */
};

struct cfg_tz {
	char host[256];
	struct cfg_zone z;
};

struct cfg_cidr {
	int family;
	uint8_t addr[16];
	int prefix;
	/* Allowlists only: "CIDR=HOST,HOST" — the hosts this range may speak
	 * for (docs/tls.md, "Identity binding"); empty: any. */
	char hosts[256];
};

struct cfg_tz_net {                  /* a zone for a range of sender addresses */
	struct cfg_cidr net;
	struct cfg_zone z;
};

/* Alerts (alert/, docs/alerts.md): where they go and which go where. */
enum cfg_alert_preset { CFG_PRESET_GENERIC, CFG_PRESET_SLACK, CFG_PRESET_TEAMS };

struct cfg_alert_dest {
	char name[64];
	int exec;                     /* 0: webhook (POST), 1: command (sh -c) */
	int preset;                   /* enum cfg_alert_preset; webhooks */
	char target[2048];            /* the URL, or the command */
	char headers[CFG_MAX_ALERT_HDRS][512];   /* "Name: value" */
	int n_headers;
	int64_t timeout_us;           /* one attempt */
	int retries;                  /* attempts after the first */
	int rate_limit;               /* alerts per rate_window; 0 = no limit */
	int64_t rate_window_us;
};

struct cfg_alert_rule {
	uint32_t to;                  /* destination bits (index in dest[]) */
	unsigned events;              /* 1 << enum cfg_alert_event; 0 = all */
	unsigned symptoms;            /* 1 << enum cfg_alert_symptom; 0 = all */
	char causes[CFG_MAX_ALERT_MATCH][48];     /* globs; none = all */
	int n_causes;
	char devices[CFG_MAX_ALERT_MATCH][128];   /* hostname or system-ip globs */
	int n_devices;
	int64_t min_duration_us;      /* -1: alerts.debounce */
};

/* The alert events (payload "event") and incident symptoms, by bit. */
enum cfg_alert_event {
	CFG_EV_OPENED, CFG_EV_ESCALATED, CFG_EV_CLOSED, CFG_EV_FLAPPING,
	CFG_EV_FLEET_OPENED, CFG_EV_FLEET_CLOSED, CFG_EV_MAX
};
enum cfg_alert_symptom {
	CFG_SYM_NEVER_ESTABLISHED, CFG_SYM_FLAP, CFG_SYM_STUCK, CFG_SYM_DOWN,
	CFG_SYM_DEGRADED, CFG_SYM_FLAPPING, CFG_SYM_MAX
};
extern const char *const cfg_alert_event_names[CFG_EV_MAX];
extern const char *const cfg_alert_symptom_names[CFG_SYM_MAX];

struct cfg_alerts {
	struct cfg_alert_dest dest[CFG_MAX_ALERT_DESTS];
	int n_dest;
	struct cfg_alert_rule rule[CFG_MAX_ALERT_RULES];
	int n_rules;
	int64_t debounce_us;          /* an incident open this long is alerted */
	int64_t interval_us;          /* how often the database is looked at */
};

struct config {
	char db_path[PATH_MAX];
	char config_path[PATH_MAX];

	struct cfg_listen udp[CFG_MAX_LISTENERS];
	int n_udp;
	struct cfg_listen tcp[CFG_MAX_LISTENERS];
	int n_tcp;
	struct cfg_listen tls[CFG_MAX_LISTENERS];   /* RFC 5425 (docs/tls.md) */
	int n_tls;
	struct cfg_listen relp[CFG_MAX_LISTENERS];  /* RELP (server/relp.c, librelp) */
	int n_relp;

	/* TLS (server/tls.c): files are read at start and on SIGHUP */
	char tls_cert[PATH_MAX];      /* server certificate chain, PEM */
	char tls_key[PATH_MAX];       /* its private key, PEM */
	char tls_ca[PATH_MAX];        /* CAs trusted for client certificates */
	char tls_client_auth[16];     /* none | optional | required */
	char tls_ciphers[512];        /* TLS 1.2 cipher list (OpenSSL syntax) */
	char tls_ciphersuites[512];   /* TLS 1.3 suites; "" = OpenSSL's */
	char tls_identity_map[PATH_MAX];  /* certificate name -> hosts; "" = none */
	int tls_bind_identity;        /* a client speaks only for its certificate's names */
	int64_t tls_handshake_timeout_us;
	int tls_max_handshakes;       /* handshakes in progress at once */

	uint64_t udp_rcvbuf;          /* bytes asked of the kernel per UDP socket */
	uint32_t max_frame;           /* largest message kept, bytes */
	int64_t tcp_idle_timeout_us;  /* 0 = none */
	int tcp_max_conns;
	int tcp_max_conns_per_ip;

	uint64_t queue_max_bytes;
	uint64_t queue_max_msgs;
	int spool;                    /* the disk spool (server/spool.h): on by default */
	int no_spool;                 /* --no-spool */
	char spool_dir[PATH_MAX];     /* "": DB.spool */
	int64_t spool_sync_us;        /* fdatasync the active segment this often */
	uint64_t spool_max_bytes;     /* full: TCP paused, UDP dropped */
	int batch_rows;               /* commit after this many rows ... */
	int64_t flush_us;             /* ... or this long, whichever first */
	int64_t shutdown_grace_us;    /* drain time after SIGTERM */
	int64_t stats_interval_us;

	int tz_default_off_min;       /* for lines without an offset */
	const struct tzif *tz_default_zone;  /* NULL: tz_default_off_min */
	struct cfg_tz tz[CFG_MAX_TZ]; /* per-device overrides, by hostname */
	int n_tz;
	struct cfg_tz_net tz_net[CFG_MAX_CIDR];  /* by sender range, after hostnames */
	int n_tz_net;
	struct tzif *zones[CFG_MAX_ZONES];  /* loaded once, shared; cfg_free */
	int n_zones;

	int log_level;

	/* import */
	int import_year;              /* 0 = infer */
	int import_strict;            /* fail when a file has no header understood */

	/* correlator (storage/correlator.c) */
	int64_t corr_interval_us;     /* how often serve runs it */
	int64_t lateness_us;          /* how late a line may arrive and still count */
	int64_t stuck_after_us;       /* down longer than this: stuck */
	int flap_count;               /* >= this many flaps ... */
	int64_t flap_window_us;       /* ... within this window: flapping */
	int64_t flap_half_life_us;    /* flap score decay (RFC 2439 style) */
	int fleet_min_devices;        /* a fleet event needs this many devices ... */
	int64_t fleet_window_us;      /* ... losing the same peer within this */

	/* retention */
	int64_t retention_messages_us;    /* raw messages older than this are pruned */
	int64_t retention_events_us;      /* events, incidents, fleet events */

	/* sender allowlists and limits (empty list = everyone) */
	struct cfg_cidr udp_allow[CFG_MAX_CIDR];
	int n_udp_allow;
	struct cfg_cidr tcp_allow[CFG_MAX_CIDR];
	int n_tcp_allow;
	uint64_t sender_rate_limit;   /* messages per second per sender, 0 = off */

	struct cfg_alerts alerts;

	/* the live web view and /metrics (web/, docs/web.md) */
	struct cfg_listen http;       /* valid when http_on */
	int http_on;
	struct cfg_cidr http_allow[CFG_MAX_CIDR];   /* empty: loopback only */
	int n_http_allow;
	char http_token_file[PATH_MAX];   /* "": no bearer token */
	char http_auth_file[PATH_MAX];    /* "": no basic-auth users */
	char user[PATH_MAX];          /* serve started as root runs as this user; "": none */
	char reports_dir[PATH_MAX];       /* the nightly reports, listed by the web view */

	/* query and report commands */
	struct cfg_query {
		const char *since;        /* "24h", or an ISO time */
		const char *format;       /* html | md | json */
		const char *out;          /* output file, NULL = stdout */
		int json;                 /* --json */
		const char *state;        /* tunnels --state */
		int flapping;             /* tunnels --flapping */
		int bfd;                  /* tunnels --bfd: the BFD sessions */
		const char *device;       /* hostname or system-ip */
		const char *tunnel;
		const char *root_cause;
		const char *around;       /* timeline --around TIME */
		int64_t window_us;        /* timeline --window 15m */
		int raw;                  /* --raw: log lines as received */
	} q;
};

/* The defaults of the options table (opt_defaults, base/options.c). */
void cfg_defaults(struct config *cfg);
/* Parses "192.0.2.0/24", "2001:db8::/32", "192.0.2.7". Returns 0 or -1. */
int cfg_parse_cidr(const char *s, struct cfg_cidr *out);
/* An allowlist entry: a CIDR, or "CIDR=HOST,HOST" (the hosts that range
 * may speak for).  Returns 0 or -1. */
int cfg_parse_allow(const char *s, struct cfg_cidr *out);
/* The most specific of the n CIDRs holding sa's address, or NULL. */
const struct cfg_cidr *cfg_cidr_best(const struct cfg_cidr *list, int n,
    const struct sockaddr *sa);
/* 1 when sa's address is inside one of the n CIDRs (or n == 0). */
int cfg_cidr_allows(const struct cfg_cidr *list, int n, const struct sockaddr *sa);
/* Parses "+09:00", "-0530", "UTC", "Z". Returns 0 or -1. */
int cfg_parse_tz(const char *s, int *off_min);
/* Adds a listener from "HOST:PORT"; kind selects the list (CFG_UDP,
 * CFG_TCP, CFG_TLS). */
#define CFG_UDP 0
#define CFG_TCP 1
#define CFG_TLS 2
#define CFG_RELP 3
int cfg_add_listener(struct config *cfg, int kind, const char *hostport,
    char *err, size_t errsz);
/*
 * Parses a zone: a fixed offset (as cfg_parse_tz) or an IANA name
 * ("Europe/Berlin") loaded from the system's tzdata once and kept in
 * cfg->zones.  Returns 0, or -1 with err filled ("unknown time zone ...").
 */
int cfg_parse_zone(struct config *cfg, const char *s, struct cfg_zone *out,
    char *err, size_t errsz);
/* Adds a rule "HOST=ZONE" or "CIDR=ZONE" (a key with '/' is a sender
 * range: 192.0.2.0/24, 192.0.2.7/32).  Returns 0 or -1 with err filled. */
int cfg_add_tz_rule(struct config *cfg, const char *key, const char *zone,
    char *err, size_t errsz);
/*
 * The zone for a line: the hostname rule for host (len bytes; the last
 * one given), else the most specific sender range holding addr (family
 * AF_INET / AF_INET6, addr NULL when there is no sender, as on import),
 * else the default.
 */
struct cfg_zone cfg_zone_for(const struct config *cfg, const char *host,
    size_t len, int family, const uint8_t *addr);
/*
 * Alerts: adds a destination from the command line (--alert-webhook URL,
 * generic preset; --alert-exec COMMAND), or reads the config's "alerts"
 * object (base/alertcfg.c; json is a json_t *).  Return 0, or -1 with err
 * filled.
 */
int cfg_alert_add_flag(struct config *cfg, int exec, const char *target,
    char *err, size_t errsz);
int cfg_alerts_from_json(struct config *cfg, const void *json, char *err, size_t errsz);
/* The bit of a name in names[n], or -1. */
int cfg_alert_name_bit(const char *const *names, int n, const char *name);

/* Frees what cfg owns (the loaded zones), not cfg itself. */
void cfg_free(struct config *cfg);

#endif
