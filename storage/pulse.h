/*
 * pulse.h — a tunnel's pulse: its chatter counted per minute (table
 * heartbeat, view v_heartbeat; docs/schema.md, "The pulse").
 *
 * The resolver calls pulse_add() for every chatter line, DPD exchange and
 * retransmit once it knows the line's tunnel; the counts wait in memory, a
 * bounded table of (tunnel, minute) cells, and reach the database in one
 * upsert per cell at pulse_flush() — before every commit, or earlier when
 * the table is full.  After a rollback, pulse_reset() drops them (the
 * writer's replay adds them again).  Owned by the writer thread.
 */
#ifndef TW_PULSE_H
#define TW_PULSE_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

struct pulse;

/* Prepares the statements on db (schema 0008).  Returns SQLITE_OK, or an
 * SQLite code with err filled; *out is NULL then. */
int pulse_open(sqlite3 *db, struct pulse **out, char *err, size_t errsz);
void pulse_free(struct pulse *p);

/* Counts one line of kind `what` (enum facts_pulse) of tunnel at device
 * time us; bytes for packet lines.  Returns SQLITE_OK or an SQLite code
 * (a full table is flushed first). */
int pulse_add(struct pulse *p, int64_t tunnel_id, int64_t us, int what, int64_t bytes);

/* Writes every waiting cell.  Returns SQLITE_OK or an SQLite code. */
int pulse_flush(struct pulse *p);

/* Drops the waiting cells (their transaction was rolled back). */
void pulse_reset(struct pulse *p);

/* Tunnel `from` turned out to be `into`: its minutes are added to
 * into's.  Flushes first.  Returns SQLITE_OK or an SQLite code. */
int pulse_merge_tunnel(struct pulse *p, int64_t from, int64_t into);

#endif
