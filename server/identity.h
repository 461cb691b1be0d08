/*
 * identity.h — who a sender is, and which devices it may speak for
 * (docs/tls.md, "Identity binding").
 *
 * A connection (or a datagram's source range) may carry an identity: the
 * peer's name (the TLS client certificate's, "" for a plain sender) and
 * the hosts it may speak for, a comma-separated list ("*": any).  It
 * travels with each message through the queue (msgqueue.h, after the
 * data) as "PEER\0HOST,HOST", and the writer checks the line's syslog
 * HOSTNAME against it when the message is flagged MQ_F_BOUND: a line for
 * another host is stored, flagged forged and counted, and never reaches
 * the resolver, so it cannot move any tunnel.
 *
 * The identity map is the file of exceptions: "NAME HOST[,HOST...]" per
 * line (blanks between hosts allowed too, '#' starts a comment), giving a
 * certificate name more hosts than it names itself — a relay's, or a
 * device whose certificate carries its serial number.
 *
 * Threads: builders run on the loop thread; ident_allows() and
 * ident_peer() are pure and run on the writer thread.
 */
#ifndef TW_IDENTITY_H
#define TW_IDENTITY_H

#include <stddef.h>

#define IDENT_MAX        1024       /* bytes of one identity, both parts */
#define IDENT_PEER_MAX   128        /* bytes of the peer's name */

/* Writes "peer\0hosts" into out[cap]; returns its length, or 0 when it
 * does not fit (the caller then binds to nothing: every line is forged). */
size_t ident_build(char *out, size_t cap, const char *peer, const char *hosts);

/* 1 when the identity's hosts hold host[0..hlen) (ASCII case ignored) or
 * "*"; 0 otherwise, also for an empty host. */
int ident_allows(const char *ident, size_t len, const char *host, size_t hlen);

/* The peer's name, copied into out[cap] ("" when none). */
void ident_peer(const char *ident, size_t len, char *out, size_t cap);

struct ident_map;

/* Loads path; NULL with err filled when it cannot be read or a line is
 * malformed (the line is named). */
struct ident_map *ident_map_load(const char *path, char *err, size_t errsz);
void ident_map_free(struct ident_map *m);
/* Appends ",HOST,..." for name (ASCII case ignored) to list[cap] (a
 * NUL-terminated comma-separated list).  Returns -1 when it does not fit. */
int ident_map_append(const struct ident_map *m, const char *name, char *list, size_t cap);
/* Entries loaded. */
int ident_map_count(const struct ident_map *m);

#endif
