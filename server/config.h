/*
 * config.h — the collector's configuration: defaults, the JSON config file,
 * and command-line flags, in that order of precedence (flags win).
 *
 * The struct is filled once at start and read-only afterwards; every module
 * receives a const pointer.  docs/configuration.md lists every key.
 */
#ifndef TW_CONFIG_H
#define TW_CONFIG_H

#include <limits.h>
#include <stdint.h>
#include <sys/socket.h>

#define CFG_MAX_LISTENERS  16
#define CFG_MAX_TZ         256
#define CFG_MAX_CIDR       64

struct cfg_listen {
	struct sockaddr_storage addr;
	char text[80];
};

struct cfg_tz {
	char host[256];
	int off_min;
};

struct cfg_cidr {
	int family;
	uint8_t addr[16];
	int prefix;
};

struct config {
	char db_path[PATH_MAX];
	char config_path[PATH_MAX];

	struct cfg_listen udp[CFG_MAX_LISTENERS];
	int n_udp;
	struct cfg_listen tcp[CFG_MAX_LISTENERS];
	int n_tcp;

	uint64_t udp_rcvbuf;          /* bytes asked of the kernel per UDP socket */
	uint32_t max_frame;           /* largest message kept, bytes */
	int64_t tcp_idle_timeout_us;  /* 0 = none */
	int tcp_max_conns;
	int tcp_max_conns_per_ip;

	uint64_t queue_max_bytes;
	uint64_t queue_max_msgs;
	int batch_rows;               /* commit after this many rows ... */
	int64_t flush_us;             /* ... or this long, whichever first */
	int64_t shutdown_grace_us;    /* drain time after SIGTERM */
	int64_t stats_interval_us;

	int tz_default_off_min;       /* for lines without an offset */
	struct cfg_tz tz[CFG_MAX_TZ]; /* per-device overrides, by hostname */
	int n_tz;

	int log_level;

	/* import */
	int import_year;              /* 0 = infer */
};

void cfg_defaults(struct config *cfg);
/* Loads a JSON config file over cfg.  Returns 0 or -1 with err filled. */
int cfg_load_file(struct config *cfg, const char *path, char *err, size_t errsz);
/* Parses "+09:00", "-0530", "UTC", "Z". Returns 0 or -1. */
int cfg_parse_tz(const char *s, int *off_min);
/* Adds a listener from "HOST:PORT"; tcp selects the list. */
int cfg_add_listener(struct config *cfg, int tcp, const char *hostport,
    char *err, size_t errsz);
/* The offset that applies to lines from hostname (len bytes). */
int cfg_tz_for_host(const struct config *cfg, const char *host, size_t len);

#endif
