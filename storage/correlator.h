/*
 * correlator.h — from events to tunnel states, incidents and fleet events.
 *
 * A stage of the writer thread (see docs/architecture.md for why): every
 * correlate_interval, after a commit, corr_run() reads the events stored
 * since its last pass, replays each touched tunnel's new events in device
 * time through the tunnel state machine, opens and closes incidents, names
 * their root cause (rootcause.c), and groups simultaneous losses of one
 * peer into fleet events.  Its progress is in the database (meta
 * corr.last_event_id, tunnel_state), so a restart resumes where it stopped
 * and never re-creates an incident.  `import` runs it once at the end with
 * final = 1: no waiting for late lines, timers measured against the end of
 * the imported data instead of the wall clock.
 */
#ifndef TW_CORRELATOR_H
#define TW_CORRELATOR_H

#include "config.h"
#include "resolve.h"
#include "store.h"

#include <stdint.h>

struct corr;

int corr_open(const struct config *cfg, struct store *st, struct corr **out,
    char *err, size_t errsz);
void corr_free(struct corr *c);

/* One pass in its own transaction (the caller holds none).  Returns
 * SQLITE_OK or an SQLite error code (the pass was rolled back). */
int corr_run(struct corr *c, int64_t now_us, int final);

/* Writes every tunnel machine whose progress (cursor, last line) waits
 * in memory; progress alone is written at most every 10 s.  serve calls it
 * once at shutdown, after its last pass.  Returns SQLITE_OK or an error. */
int corr_flush(struct corr *c);
/*
 * Forgets what it holds in memory (the tunnels' machines, the feed, the
 * dirty set): another process may have moved the tunnels since (several
 * collectors, docs/scale-out.md: the derive lock changed hands).  The next
 * pass reads back and looks at every tunnel, as after a start.
 */
void corr_forget(struct corr *c);

/*
 * serve: the resolver hands every stored event to the correlator too
 * (resolve_set_sink(r, out)), which keeps them per tunnel in memory
 * (diagnose/feed.h) and steps the machines on them without reading the
 * events back or parsing their lines again.  Returns 0, or -1 out of
 * memory.
 */
int corr_sink(struct corr *c, struct resolve_sink *out);

/* Counters of the last pass, for logs and tests. */
struct corr_stats {
	uint64_t events, tunnels, incidents_opened, incidents_closed, too_late;
	uint64_t rederived;           /* tunnels derived again for older lines */
	uint64_t from_memory;         /* tunnels decided from the feed */
	uint64_t read_back;           /* ... from events read back */
};
void corr_get_stats(const struct corr *c, struct corr_stats *out);

/*
 * import: host's lines (any program, understood or not) reach device
 * time us.  Before the final pass; its clock is then the newest line of
 * the device, not only of its charon and FTMD lines.
 */
void corr_note_clock(struct corr *c, const char *host, size_t len, int64_t us);
/* Import: tunnel_id was given DPD lines, which have no events row for a
 * pass to find (resolve_trail_touched), the oldest at device time us. */
void corr_note_trail(struct corr *c, int64_t tunnel_id, int64_t us);

#endif
