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
 *
 * The DPD lines (FACTS_PULSE_IS_TRAIL) have no events row, yet the state
 * machine and the root-cause rules read them: their minute also keeps a
 * trail, one entry per line (device time, event id, message id), appended
 * to heartbeat.trail (a JSON array: v_trail lists its lines), from which
 * the correlator reads them back (pulse_trail_decode).  A minute keeps at most PULSE_TRAIL_MAX entries;
 * more (a DPD storm) are counted but not trailed.
 */
#ifndef TW_PULSE_H
#define TW_PULSE_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

struct db;
struct pulse;

/* Prepares the statements on db (schema 0008).  Returns SQLITE_OK, or an
 * SQLite code with err filled; *out is NULL then. */
int pulse_open(struct db *db, struct pulse **out, char *err, size_t errsz);
void pulse_free(struct pulse *p);

/* One line of a minute's trail. */
struct pulse_trail_ent {
	int64_t us;               /* device time */
	int64_t event_id;         /* its place in the event order (no events row) */
	int64_t message_id;       /* its raw line */
};

#define PULSE_TRAIL_MAX 1024      /* entries per tunnel and minute */

/* Counts one line of kind `what` (enum facts_pulse) of tunnel at device
 * time us; bytes for packet lines; event_id and message_id for the trail
 * (FACTS_PULSE_IS_TRAIL).  Returns SQLITE_OK or an SQLite code (a full
 * table is flushed first). */
int pulse_add(struct pulse *p, int64_t tunnel_id, int64_t us, int what, int64_t bytes,
    int64_t event_id, int64_t message_id);

/* The trail's encoding (pure): entries of one minute as JSON text, at
 * most bufsz (PULSE_TRAIL_BYTES each at most, and 2); returns the length. */
#define PULSE_TRAIL_BYTES 64
size_t pulse_trail_encode(const struct pulse_trail_ent *e, size_t n, int64_t minute_us,
    unsigned char *buf, size_t bufsz);
/* The entries of a stored trail (several appended encodings) into
 * out[0..max), sorted by (us, event_id); returns how many, or -1 when the
 * bytes are not a trail. */
int pulse_trail_decode(const unsigned char *b, size_t len, int64_t minute_us,
    struct pulse_trail_ent *out, size_t max);

/* Writes every waiting cell.  Returns SQLITE_OK or an SQLite code. */
int pulse_flush(struct pulse *p);

/* Drops the waiting cells (their transaction was rolled back). */
void pulse_reset(struct pulse *p);

/*
 * Reading a tunnel's trail back, in (device time, event id) order: start
 * after (after_us, after_event) up to to_us; peek gives the next entry (1),
 * the end (0) or an SQLite failure (-1); next moves past it.  One reader
 * serves one walk at a time; stop releases the statement early.
 */
struct pulse_reader;
int pulse_reader_open(struct db *db, struct pulse_reader **out);
void pulse_reader_free(struct pulse_reader *rd);
int pulse_reader_start(struct pulse_reader *rd, int64_t tunnel_id, int64_t after_us,
    int64_t after_event, int64_t to_us);
int pulse_reader_peek(struct pulse_reader *rd, const struct pulse_trail_ent **e);
void pulse_reader_next(struct pulse_reader *rd);
/* The entries read from the database that peek has not passed yet (at
 * most a minute's), for a caller that fetches their lines in one go: *n
 * of them at *ents, valid until the next peek.  Some may lie outside the
 * walk's range. */
void pulse_reader_ahead(const struct pulse_reader *rd, const struct pulse_trail_ent **ents,
    int *n);
void pulse_reader_stop(struct pulse_reader *rd);

/* Entries not trailed since the start (a minute already full). */
uint64_t pulse_trail_dropped(const struct pulse *p);

/* Tunnel `from` turned out to be `into`: its minutes are added to
 * into's.  Flushes first.  Returns SQLITE_OK or an SQLite code. */
int pulse_merge_tunnel(struct pulse *p, int64_t from, int64_t into);

#endif
