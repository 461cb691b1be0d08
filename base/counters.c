/*
 * counters.c — the public names of the counters (see counters.h).
 */
#include "counters.h"

const char *const counter_names[CTR_MAX] = {
	[CTR_RECEIVED] = "received",
	[CTR_RECEIVED_BYTES] = "received_bytes",
	[CTR_RECEIVED_UDP] = "received_udp",
	[CTR_RECEIVED_TCP] = "received_tcp",
	[CTR_STORED] = "stored",
	[CTR_UNPARSED] = "unparsed",
	[CTR_TRUNCATED] = "truncated",
	[CTR_ESCAPED] = "escaped",
	[CTR_DROPPED_QUEUE_FULL] = "dropped_queue_full",
	[CTR_DROPPED_KERNEL] = "dropped_kernel",
	[CTR_DROPPED_SHUTDOWN] = "dropped_shutdown",
	[CTR_DROPPED_EMPTY] = "dropped_empty",
	[CTR_TCP_ACCEPTED] = "tcp_accepted",
	[CTR_TCP_REJECTED_MAX] = "tcp_rejected_max_conns",
	[CTR_TCP_REJECTED_PER_IP] = "tcp_rejected_per_ip",
	[CTR_TCP_CLOSED_BAD_COUNT] = "tcp_closed_bad_octet_count",
	[CTR_TCP_CLOSED_IDLE] = "tcp_closed_idle",
	[CTR_TCP_CLOSED_ERROR] = "tcp_closed_error",
	[CTR_TCP_PARTIAL_AT_EOF] = "tcp_partial_frame_at_eof",
	[CTR_TCP_PAUSED] = "tcp_paused_backpressure",
	[CTR_DB_BUSY_RETRIES] = "db_busy_retries",
	[CTR_DB_FULL_RETRIES] = "db_full_retries",
	[CTR_DB_ERRORS] = "db_errors",
	[CTR_DB_COMMITS] = "db_commits",
	[CTR_DB_CHECKPOINTS] = "db_checkpoints",
	[CTR_DB_WAL_RESETS] = "db_wal_resets",
	[CTR_UDP_DROPPED_NOT_ALLOWED] = "udp_dropped_not_allowed",
	[CTR_TCP_REJECTED_NOT_ALLOWED] = "tcp_rejected_not_allowed",
	[CTR_UDP_DROPPED_RATE_LIMIT] = "udp_dropped_rate_limit",
	[CTR_TCP_PAUSED_RATE_LIMIT] = "tcp_paused_rate_limit",
	[CTR_RATE_LIMIT_EVICTIONS] = "rate_limit_evictions",
};
