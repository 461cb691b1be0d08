/*
 * report.h — the fleet report's model and the helpers it shares with the
 * query commands (cmd/query_cmd.c).
 *
 * report.c reads the database once (read-only, through the indexes only:
 * incidents_started, incidents_tunnel, the primary keys; never a scan of
 * messages or events) into a struct report: plain C arrays, every string
 * owned by one arena that report_free() releases at once.  The three
 * renderers (report_html.c, report_md.c, report_json.c) only read the
 * model, so the formats cannot disagree about what happened.
 */
#ifndef TW_REPORT_H
#define TW_REPORT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define REPORT_MAX_LISTED     1000   /* incidents shown in full */
#define REPORT_MAX_EVIDENCE   64     /* evidence lines per incident */
#define REPORT_MAX_TIMELINES  100    /* tunnels drawn */
#define REPORT_MAX_TOP        10     /* top offenders */
#define REPORT_ONGOING        INT64_MAX
/* The longest period or window accepted: 100 years, so that no time
 * arithmetic on it can overflow. */
#define REPORT_MAX_SPAN_US    (100LL * 366 * 86400 * 1000000)

enum report_symptom {
	REPORT_SYM_NEVER, REPORT_SYM_FLAP, REPORT_SYM_STUCK, REPORT_SYM_DOWN,
	REPORT_SYM_DEGRADED, REPORT_SYM_MAX
};

enum report_band_state { REPORT_UP, REPORT_DOWN, REPORT_DEGRADED };

/* Root causes in the order of schema/0003_correlator.sql; the last is
 * "unknown", which also takes any value this build does not know. */
#define REPORT_CAUSE_MAX 11

struct report_band {
	int state;                    /* enum report_band_state */
	int64_t start_us, end_us;
};

struct report_evidence {
	int64_t us;                   /* device time; INT64_MIN when unknown */
	const char *kind;             /* NULL when the event was pruned */
	const char *line;             /* the evidence's own copy of the line */
	const char *shown;            /* "device-time host program: message" (showline.h) */
};

/* The tunnel's pulse just before an incident began (heartbeat,
 * schema/0008): did its DPD probes still get answers? */
#define REPORT_PULSE_WINDOW_US   (10 * 60 * 1000000LL)   /* counted before the start */
#define REPORT_PULSE_LOOKBACK_US (24 * 3600 * 1000000LL) /* last answer searched */
struct report_pulse {
	int minutes;                  /* minutes with a pulse in the window; 0: none */
	int64_t dpd_sent, dpd_answered, retransmits;
	int64_t last_answer_minute_us;/* the last minute with an answer; INT64_MIN none */
};

struct report_incident {
	int64_t id, tunnel_id, device_id, fleet_event_id;   /* fleet 0: none */
	const char *symptom, *root_cause, *summary, *peer_ip;
	int sym;                      /* enum report_symptom, -1 unknown */
	int cause;                    /* index into the cause table */
	int64_t started_us, ended_us; /* ended REPORT_ONGOING while open */
	int tunnel;                   /* index into report.tunnels, -1 none */
	struct report_evidence *ev;
	int nev, ev_omitted;
	struct report_pulse pulse;    /* listed incidents only */
};

struct report_tunnel {
	int64_t id, device_id, merged_into, first_us;
	int64_t dev_first_us, dev_last_us;
	const char *hostname, *system_ip, *name, *peer_ip, *state;
	int flapping_now;
	double flap_score;
	/* the current period */
	int64_t obs_start, obs_end, down_us, degraded_us;
	int n_incidents, n_flaps;
	struct report_band *bands;
	int nbands;
	int first_inc, ninc;          /* slice of report.by_tunnel */
};

struct report_affected {
	const char *hostname, *system_ip, *tunnel;
};

#define REPORT_MAX_AFFECTED   1000   /* devices listed per fleet event */

struct report_fleet {
	int64_t id, started_us, ended_us;   /* ended REPORT_ONGOING while open */
	const char *peer_ip, *root_cause, *summary;
	int cause, devices, tunnels;
	struct report_affected *affected;
	int naffected, affected_omitted;
};

struct report_stats {
	int64_t start_us, end_us;
	int devices;                  /* devices that logged in the period */
	int tunnels;                  /* tunnels observed in the period */
	int64_t observed_us, down_us, degraded_us;
	int incidents;
	int by_symptom[REPORT_SYM_MAX];
	int by_cause[REPORT_CAUSE_MAX];
	int fleet_events;
};

/* An overlay (BFD) session that went down in the period or is down at
 * its end (bfd_sessions, schema/0006_overlay.sql). */
struct report_bfd {
	const char *hostname, *system_ip, *local_color, *remote_system_ip,
	    *remote_color, *state, *last_flap_reason;
	int64_t flaps, state_since_us, last_down_us;   /* INT64_MIN: unknown */
};

#define REPORT_MAX_BFD        200    /* BFD sessions listed */

/* Which tunnels a report covers (report_build_filtered): all when both
 * ids are 0, else one tunnel (with those merged into it) or one device's. */
struct report_filter {
	int64_t tunnel_id, device_id;
};

/* A minute of a tunnel's pulse (heartbeat, schema/0008), drawn under its
 * timeline when the report covers one tunnel. */
struct report_beat {
	int64_t minute_us;
	int64_t dpd_sent, dpd_answered, retransmits, packets, other;
};
#define REPORT_MAX_BEATS      (8 * 24 * 60)   /* minutes drawn: 8 days */

struct report_arena;

struct report {
	struct report_arena *arena;
	int64_t generated_us;
	int devices_known, tunnels_known;
	struct report_stats cur, prev;

	struct report_tunnel *tunnels;    /* by tunnel_id, merged ones too */
	int ntunnels;
	struct report_incident *incidents;/* current period, by start */
	int nincidents;
	int *by_tunnel;                   /* incident indexes grouped by tunnel */
	struct report_fleet *fleet;
	int nfleet;

	int *stuck;  int nstuck;          /* open incidents at the end */
	int *flapping; int nflapping;     /* tunnel indexes */
	int *top; int ntop;               /* tunnel indexes */
	int *timelines; int ntimelines, timelines_omitted;
	int listed, listed_omitted;       /* incidents[0..listed) in full */
	int flap_count;                   /* the flapping threshold used */
	int raw_lines;                    /* --raw: evidence as received, not shown */
	struct report_bfd *bfd;           /* down first, then most flaps */
	int nbfd, bfd_omitted;

	struct report_filter filter;
	struct report_beat *beats;        /* filter.tunnel_id only, by minute */
	int nbeats;
	/* Set by the live view (web/) before rendering: names and incidents
	 * link to its pages (/tunnel/ID, /device/ID, /incident/ID) instead of
	 * to anchors in the one file. */
	int live_links;
};

/* s as Markdown inline text, escaped only where Markdown would misread it
 * (report_md.c). */
void report_md_inline(FILE *f, const char *s);

/* The one-line headline: "6 tunnels down now, 1 flapping, 1 provider
 * event" ("at the end" for a past period; "All tunnels up, ..." when
 * nothing is).  Returns buf. */
char *report_headline(const struct report *r, char *buf, size_t sz);

/* The evidence line as the report shows it: e->shown, or e->line with
 * --raw; NULL when the line is no longer stored. */
const char *report_ev_text(const struct report *r, const struct report_evidence *e);

/*
 * The ids of the incidents with any part in [?1, ?2), through the indexes
 * only: those that started in it (incidents_started), and those that
 * started before it and were still open at ?1, found among the last few
 * incidents of each tunnel before ?1 (incidents_tunnel).  The correlator
 * keeps one incident at a time per tunnel, so the last one is enough; 8
 * leaves room.  A scan of every older incident instead costs seconds on a
 * year of history (random row reads), this costs one seek per tunnel.
 */
#define REPORT_PERIOD_IDS_SQL \
	"SELECT incident_id FROM incidents WHERE started_us >= ?1 AND started_us < ?2" \
	" UNION ALL SELECT i.incident_id FROM tunnels t JOIN incidents i" \
	" ON i.incident_id IN (SELECT j.incident_id FROM incidents j" \
	"   WHERE j.tunnel_id = t.tunnel_id AND j.started_us < ?1" \
	"   ORDER BY j.started_us DESC, j.incident_id DESC LIMIT 8)" \
	" WHERE i.ended_us IS NULL OR i.ended_us > ?1"

/* Builds the report for [start_us, end_us) and the window of equal length
 * before it.  Returns 0, or -1 with err filled; report_free() either way. */
struct db;
int report_build(struct db *db, int64_t start_us, int64_t end_us, int flap_count,
    struct report *r, char *err, size_t errsz);
/* The same for the tunnels f selects (NULL: all); the tunnel a filter
 * names is drawn even without incidents, with its pulse. */
int report_build_filtered(struct db *db, int64_t start_us, int64_t end_us, int flap_count,
    const struct report_filter *f, struct report *r, char *err, size_t errsz);
void report_free(struct report *r);

/* Renderers.  Each returns 0 or -1 (a write error, errno set). */
int report_write_html(const struct report *r, FILE *f);

/* The HTML renderer's parts, for pages made of some of its sections (the
 * live view, web/): the sections of report_write_html(), the page frame
 * (one inline stylesheet, nothing external; refresh_s > 0 reloads the
 * page), and the escaping every text from a log or a device goes through. */
enum report_html_section {
	REPORT_HTML_SUMMARY = 0x01, REPORT_HTML_FLEET = 0x02, REPORT_HTML_STUCK = 0x04,
	REPORT_HTML_FLAPPING = 0x08, REPORT_HTML_BFD = 0x10, REPORT_HTML_TOP = 0x20,
	REPORT_HTML_TIMELINES = 0x40, REPORT_HTML_INCIDENTS = 0x80,
	REPORT_HTML_ALL = 0xff
};
void report_write_html_sections(const struct report *r, unsigned sections, FILE *f);
/* One incident, r->incidents[i], as in the report's list. */
void report_write_html_incident(const struct report *r, int i, FILE *f);
void report_html_page_begin(FILE *f, const char *title, int refresh_s);
void report_html_page_end(FILE *f);
void report_html_escape(FILE *f, const char *s);
/* "<a href=\"/tunnel/7\">" (live links) or "<a href=\"#incident-7\">". */
void report_html_incident_link(FILE *f, const struct report *r, int64_t incident_id);
int report_write_md(const struct report *r, FILE *f);
json_t *report_to_json(const struct report *r);     /* caller decrefs */
/* The pulse before in as one sentence ("In the 10 minutes before: ...");
 * "" when no pulse was recorded.  Returns buf. */
const char *report_pulse_text(const struct report_incident *in, char *buf, size_t sz);
/* r rendered as format ("html", "md" or "json") to f; 0, or -1 with errno. */
int report_write(const struct report *r, const char *format, FILE *f);

/* The plain-words table (report.c). */
const char *report_cause_name(int cause);
const char *report_cause_text(int cause);
const char *report_cause_remedy(int cause);
int report_cause_index(const char *name);
const char *report_symptom_name(int sym);
const char *report_symptom_text(int sym);
int report_symptom_index(const char *name);

/* "2024-06-18", "2024-06-18T00:31:17Z", "2024-06-18 00:31", with an
 * optional fraction and Z or ±HH:MM (none means UTC).  0 or -1. */
int report_parse_time(const char *s, int64_t *us);
/* --since: "24h" (back from now), a time (to now), "TIME/TIME" or
 * "TIME/24h".  0 or -1 with err filled. */
int report_parse_period(const char *s, int64_t now_us, int64_t *start_us,
    int64_t *end_us, char *err, size_t errsz);
/* "3d 4h", "12m 05s", "42s". */
char *report_format_duration(char *buf, size_t sz, int64_t us);
/* Writes a time (ISO 8601 UTC, or an em dash when unknown or ongoing) and
 * a duration to f: the same text in every format. */
void report_fput_time(FILE *f, int64_t us);
void report_fput_duration(FILE *f, int64_t us);
/* A tunnel's stretches that were not up, "down 2024-06-18T00:31:17Z →
 * 2024-06-18T00:33:02Z (1m 45s); degraded …", or "no down time": plain
 * text that needs no escaping in HTML or Markdown. */
void report_fput_bands(FILE *f, const struct report_tunnel *t);
/* The incident's peer address, else its tunnel's; NULL when neither is known. */
const char *report_incident_peer(const struct report *r, const struct report_incident *in);
/* "99.953 %" of (observed - down) / observed; "n/a" when nothing was. */
char *report_format_pct(char *buf, size_t sz, int64_t observed, int64_t down);
/* 1 when the period ends about when the report was made ("right now"). */
int report_is_now(const struct report *r);

#endif
