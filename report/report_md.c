/*
 * report_md.c — the fleet report as Markdown, for mail and chat.
 *
 * CommonMark with GitHub-style tables.  Log text is data here too: inline
 * text from the logs is backslash-escaped where Markdown would read it as
 * markup (raw HTML included) and nowhere else, and evidence lines go in a fenced
 * block whose fence is longer than any run of backticks inside it, so no
 * line can close it.  The timelines become one line per affected tunnel
 * listing its down and degraded stretches.
 */
#include "report.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

/* 1 for an ASCII punctuation character (what a backslash may escape). */
static int
report_md_punct(int c)
{
	return c != '\0' && strchr("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", c) != NULL;
}

static int
report_md_alnum(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    c >= 0x80;
}

/*
 * Inline text as plain CommonMark (with GitHub's tables and
 * strikethrough): a character is escaped only where Markdown would read
 * it as markup, so names like never_established and "(2s)" stay as they
 * are when the report is pasted as text.  Escaped: a backslash before
 * punctuation; every backtick (code span) and | (table cell); * and ~
 * touching a non-space (emphasis, strikethrough); _ at a word's edge
 * (intraword _ is never emphasis); < before a letter, / ! or ? (raw HTML,
 * autolinks); & before a letter or # (entities); ] before ( (links,
 * images); and at the start of the text (which may start a line) #, >,
 * -, +, =, * and the . or ) of "1. ".  Control bytes become U+FFFD.  tests/integration/t_report.sh
 * renders hostile text with a CommonMark parser to check it.
 */
void
report_md_inline(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s != NULL ? s : ""), *start = p;

	for (; *p != '\0'; p++) {
		int prev = p > start ? p[-1] : ' ', next = p[1], esc = 0;
		switch (*p) {
		case '\\':
			esc = report_md_punct(next);
			break;
		case '`':
		case '|':
			esc = 1;
			break;
		case '*':
		case '~':
			esc = p == start || !(prev == ' ' && (next == ' ' || next == '\0'));
			break;
		case '.':
		case ')':       /* "1. " or "2) " starting a line: a list item */
			esc = p > start && p - start <= 9 &&
			    strspn((const char *)start, "0123456789") == (size_t)(p - start) &&
			    (next == ' ' || next == '\0');
			break;
		case '_':
			esc = !(report_md_alnum(prev) && report_md_alnum(next));
			break;
		case '<':
			esc = (next >= 'a' && next <= 'z') || (next >= 'A' && next <= 'Z') ||
			    next == '/' || next == '!' || next == '?';
			break;
		case '&':
			esc = report_md_alnum(next) || next == '#';
			break;
		case ']':
			esc = next == '(';
			break;
		case '#':
		case '>':
		case '-':
		case '+':
		case '=':
			esc = p == start;
			break;
		default:
			break;
		}
		if (*p < 0x20 || *p == 0x7f) {
			fputs("\xef\xbf\xbd", f);     /* U+FFFD */
			continue;
		}
		if (esc)
			fputc('\\', f);
		fputc(*p, f);
	}
}

static void
report_md_tunnel(FILE *f, const struct report *r, int ti)
{
	const struct report_tunnel *t;

	if (ti < 0) {
		fputs("(tunnel no longer known)", f);
		return;
	}
	t = &r->tunnels[ti];
	report_md_inline(f, t->hostname != NULL ? t->hostname : "?");
	if (t->system_ip != NULL) {
		fputs(" (", f);
		report_md_inline(f, t->system_ip);
		fputs(")", f);
	}
	fputs(" **", f);
	report_md_inline(f, t->name);
	fputs("**", f);
}

static void
report_md_stats_table(FILE *f, const char *label, const int *now, const int *before,
    int n, const char *(*name)(int))
{
	int i, any = 0;

	fprintf(f, "| %s | this period | previous |\n|---|---:|---:|\n", label);
	for (i = 0; i < n; i++) {
		if (now[i] == 0 && before[i] == 0)
			continue;
		any = 1;
		fputs("| ", f);
		report_md_inline(f, name(i));
		fprintf(f, " | %d | %d |\n", now[i], before[i]);
	}
	if (!any)
		fputs("| none in either period | 0 | 0 |\n", f);
	fputs("\n", f);
}

static void
report_md_summary(FILE *f, const struct report *r)
{
	const struct report_stats *c = &r->cur, *p = &r->prev;
	char a[32], b[32];

	fputs("## Fleet summary\n\n", f);
	if (c->devices == 0 && c->tunnels == 0)
		fputs("**No data.** No device sent anything in this period. If that is "
		    "unexpected, check that the vEdges still log to this collector.\n\n", f);
	else if (r->nincidents == 0 && r->nfleet == 0)
		fputs("**A quiet period.** No tunnel went down, failed to come up or "
		    "degraded, and there was no fleet event.\n\n", f);
	fputs("| | this period | previous |\n|---|---:|---:|\n", f);
	fprintf(f, "| Devices logging (%d known) | %d | %d |\n", r->devices_known,
	    c->devices, p->devices);
	fprintf(f, "| Tunnels observed (%d known) | %d | %d |\n", r->tunnels_known,
	    c->tunnels, p->tunnels);
	fprintf(f, "| Availability | %s | %s |\n",
	    report_format_pct(a, sizeof a, c->observed_us, c->down_us),
	    report_format_pct(b, sizeof b, p->observed_us, p->down_us));
	fputs("| Tunnel down time | ", f);
	report_fput_duration(f, c->down_us);
	fputs(" | ", f);
	report_fput_duration(f, p->down_us);
	fputs(" |\n| Degraded time | ", f);
	report_fput_duration(f, c->degraded_us);
	fputs(" | ", f);
	report_fput_duration(f, p->degraded_us);
	fprintf(f, " |\n| Incidents | %d | %d |\n| Fleet events | %d | %d |\n\n",
	    c->incidents, p->incidents, c->fleet_events, p->fleet_events);
	report_md_stats_table(f, "Incidents by symptom", c->by_symptom, p->by_symptom,
	    REPORT_SYM_MAX, report_symptom_name);
	report_md_stats_table(f, "Incidents by root cause", c->by_cause, p->by_cause,
	    REPORT_CAUSE_MAX, report_cause_name);
}

static void
report_md_fleet(FILE *f, const struct report *r)
{
	int i, k;

	fputs("## Fleet events\n\n", f);
	if (r->nfleet == 0) {
		fputs("None: no peer or provider outage hit several devices at once.\n\n", f);
		return;
	}
	for (i = 0; i < r->nfleet; i++) {
		const struct report_fleet *fe = &r->fleet[i];
		fprintf(f, "- **Fleet event #%lld, peer ", (long long)fe->id);
		report_md_inline(f, fe->peer_ip);
		fprintf(f, "**: %d devices, %d tunnels, ", fe->devices, fe->tunnels);
		report_fput_time(f, fe->started_us);
		fputs(" \xe2\x86\x92 ", f);
		if (fe->ended_us == REPORT_ONGOING)
			fputs("still open", f);
		else
			report_fput_time(f, fe->ended_us);
		fputs(".  \n  Root cause: `", f);
		fputs(report_cause_name(fe->cause), f);
		fputs("` \xe2\x80\x94 ", f);
		report_md_inline(f, report_cause_text(fe->cause));
		if (fe->summary != NULL && fe->summary[0] != '\0') {
			fputs("  \n  ", f);
			report_md_inline(f, fe->summary);
		}
		fputs("  \n  Remedy: ", f);
		report_md_inline(f, report_cause_remedy(fe->cause));
		fputs("  \n  Devices: ", f);
		for (k = 0; k < fe->naffected; k++) {
			const struct report_affected *x = &fe->affected[k];
			if (k > 0)
				fputs(", ", f);
			report_md_inline(f, x->hostname != NULL ? x->hostname : "?");
			if (x->system_ip != NULL) {
				fputs(" (", f);
				report_md_inline(f, x->system_ip);
				fputs(")", f);
			}
			fputs(" ", f);
			report_md_inline(f, x->tunnel);
		}
		if (fe->affected_omitted > 0)
			fprintf(f, " and %d more", fe->affected_omitted);
		fputs("\n", f);
	}
	fputs("\n", f);
}

static void
report_md_stuck(FILE *f, const struct report *r)
{
	int i;

	fprintf(f, "## %s\n\n", report_is_now(r) ? "Stuck right now" :
	    "Still open at the end of the period");
	if (r->nstuck == 0) {
		fputs("No tunnel is down, stuck or degraded.\n\n", f);
		return;
	}
	fputs("| Tunnel | Peer | Symptom | Root cause | Since | For |\n"
	    "|---|---|---|---|---|---:|\n", f);
	for (i = 0; i < r->nstuck; i++) {
		const struct report_incident *in = &r->incidents[r->stuck[i]];
		fputs("| ", f);
		report_md_tunnel(f, r, in->tunnel);
		fputs(" | ", f);
		report_md_inline(f, report_incident_peer(r, in));
		fputs(" | ", f);
		report_md_inline(f, in->symptom);
		fputs(" | ", f);
		report_md_inline(f, in->root_cause);
		fputs(" | ", f);
		report_fput_time(f, in->started_us);
		fputs(" | ", f);
		report_fput_duration(f, r->cur.end_us - in->started_us);
		fputs(" |\n", f);
	}
	fputs("\n", f);
}

static void
report_md_flapping(FILE *f, const struct report *r)
{
	int i;

	fputs("## Flapping tunnels\n\n", f);
	if (r->nflapping == 0) {
		fprintf(f, "None: no tunnel flapped %d times or more, and none is flapping "
		    "now.\n\n", r->flap_count);
		return;
	}
	fputs("| Tunnel | Peer | Flaps | Flapping now | Flap score |\n"
	    "|---|---|---:|---|---:|\n", f);
	for (i = 0; i < r->nflapping; i++) {
		const struct report_tunnel *t = &r->tunnels[r->flapping[i]];
		fputs("| ", f);
		report_md_tunnel(f, r, r->flapping[i]);
		fputs(" | ", f);
		report_md_inline(f, t->peer_ip);
		fprintf(f, " | %d | %s | %.1f |\n", t->n_flaps, t->flapping_now ? "yes" : "no",
		    t->flap_score);
	}
	fputs("\n", f);
}

static void
report_md_bfd(FILE *f, const struct report *r)
{
	int i;

	fputs("## Overlay (BFD) sessions that flapped or are down\n\n", f);
	if (r->nbfd == 0) {
		fputs("None: no BFD session went down in this period, and none is down.\n\n", f);
		return;
	}
	fputs("| Device | Color | Remote | Remote color | State | Since | Flaps "
	    "| Last flap-reason |\n|---|---|---|---|---|---|---:|---|\n", f);
	for (i = 0; i < r->nbfd; i++) {
		const struct report_bfd *b = &r->bfd[i];
		fputs("| ", f);
		report_md_inline(f, b->hostname != NULL ? b->hostname : "?");
		if (b->system_ip != NULL) {
			fputs(" (", f);
			report_md_inline(f, b->system_ip);
			fputs(")", f);
		}
		fputs(" | ", f);
		report_md_inline(f, b->local_color);
		fputs(" | ", f);
		report_md_inline(f, b->remote_system_ip);
		fputs(" | ", f);
		report_md_inline(f, b->remote_color);
		fprintf(f, " | %s | ", b->state != NULL && strcmp(b->state, "down") == 0 ?
		    "**down**" : "up");
		report_fput_time(f, b->state_since_us);
		fprintf(f, " | %lld | ", (long long)b->flaps);
		report_md_inline(f, b->last_flap_reason);
		fputs(" |\n", f);
	}
	if (r->bfd_omitted > 0)
		fprintf(f, "\n%d more sessions are not listed; `tunnelwatch tunnels --bfd` "
		    "lists them all.\n", r->bfd_omitted);
	fputs("\n", f);
}

static void
report_md_top(FILE *f, const struct report *r)
{
	char a[32];
	int i;

	fputs("## Top offenders\n\n", f);
	if (r->ntop == 0) {
		fputs("None.\n\n", f);
		return;
	}
	fputs("| Tunnel | Peer | Incidents | Down | Degraded | Availability |\n"
	    "|---|---|---:|---:|---:|---:|\n", f);
	for (i = 0; i < r->ntop; i++) {
		const struct report_tunnel *t = &r->tunnels[r->top[i]];
		fputs("| ", f);
		report_md_tunnel(f, r, r->top[i]);
		fputs(" | ", f);
		report_md_inline(f, t->peer_ip);
		fprintf(f, " | %d | ", t->n_incidents);
		report_fput_duration(f, t->down_us);
		fputs(" | ", f);
		report_fput_duration(f, t->degraded_us);
		fprintf(f, " | %s |\n", report_format_pct(a, sizeof a,
		    t->obs_end - t->obs_start, t->down_us));
	}
	fputs("\n", f);
}

static void
report_md_timelines(FILE *f, const struct report *r)
{
	int i;

	fputs("## Timelines\n\n", f);
	if (r->ntimelines == 0) {
		fputs("No tunnel had an incident in this period.\n\n", f);
		return;
	}
	for (i = 0; i < r->ntimelines; i++) {
		const struct report_tunnel *t = &r->tunnels[r->timelines[i]];
		fputs("- ", f);
		report_md_tunnel(f, r, r->timelines[i]);
		fputs(": ", f);
		report_fput_bands(f, t);
		fputs("\n", f);
	}
	if (r->timelines_omitted > 0)
		fprintf(f, "- and %d more affected tunnels\n", r->timelines_omitted);
	fputs("\n", f);
}

/* The longest run of backticks in s. */
static int
report_md_ticks(const char *s)
{
	int run = 0, max = 0;

	for (; s != NULL && *s != '\0'; s++) {
		run = *s == '`' ? run + 1 : 0;
		if (run > max)
			max = run;
	}
	return max;
}

static void
report_md_code(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s != NULL ? s : "");

	for (; *p != '\0'; p++) {
		if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
			fputs("\xef\xbf\xbd", f);
		else
			fputc(*p, f);
	}
}

static void
report_md_incident(FILE *f, const struct report *r, const struct report_incident *in)
{
	const char *peer = report_incident_peer(r, in);
	char pulse[256];
	int i, fence = 3;

	fprintf(f, "### #%lld ", (long long)in->id);
	report_md_inline(f, in->symptom);
	fputs(" \xe2\x80\x94 ", f);
	report_md_tunnel(f, r, in->tunnel);
	fputs(" \xe2\x86\x92 ", f);
	report_md_inline(f, peer != NULL ? peer : "?");
	fputs("\n\n", f);
	report_fput_time(f, in->started_us);
	fputs(" \xe2\x86\x92 ", f);
	if (in->ended_us == REPORT_ONGOING) {
		fputs("still open (", f);
		report_fput_duration(f, r->cur.end_us - in->started_us);
		fputs(" at the end of the period)", f);
	} else {
		report_fput_time(f, in->ended_us);
		fputs(" (", f);
		report_fput_duration(f, in->ended_us - in->started_us);
		fputs(")", f);
	}
	if (in->fleet_event_id != 0)
		fprintf(f, ", part of fleet event #%lld", (long long)in->fleet_event_id);
	fputs("\n\n- **Symptom:** ", f);
	report_md_inline(f, report_symptom_text(in->sym));
	fputs("\n- **Root cause:** ", f);
	report_md_inline(f, in->root_cause);
	fputs(" \xe2\x80\x94 ", f);
	report_md_inline(f, report_cause_text(in->cause));
	if (in->summary != NULL && in->summary[0] != '\0') {
		fputs("\n- **Here:** ", f);
		report_md_inline(f, in->summary);
	}
	if (report_pulse_text(in, pulse, sizeof pulse)[0] != '\0') {
		fputs("\n- **Pulse:** ", f);
		report_md_inline(f, pulse);
	}
	fputs("\n- **Remedy:** ", f);
	report_md_inline(f, report_cause_remedy(in->cause));
	fputs("\n\n", f);
	if (in->nev == 0) {
		fputs("No evidence lines recorded.\n\n", f);
		return;
	}
	for (i = 0; i < in->nev; i++) {
		int t = report_md_ticks(report_ev_text(r, &in->ev[i])) + 1;
		if (t > fence)
			fence = t;
	}
	for (i = 0; i < fence; i++)
		fputc('`', f);
	fputs("\n", f);
	for (i = 0; i < in->nev; i++) {
		fprintf(f, "%-24s ", in->ev[i].kind != NULL ? in->ev[i].kind : "?");
		report_md_code(f, report_ev_text(r, &in->ev[i]) != NULL ? report_ev_text(r, &in->ev[i]) :
		    "(line no longer stored)");
		fputs("\n", f);
	}
	for (i = 0; i < fence; i++)
		fputc('`', f);
	fputs("\n\n", f);
	if (in->ev_omitted > 0)
		fprintf(f, "%d more evidence lines not shown.\n\n", in->ev_omitted);
}

int
report_write_md(const struct report *r, FILE *f)
{
	char a[40], b[40], g[40], d[48], hl[160];
	int i;

	util_format_iso(a, sizeof a, r->cur.start_us, 0);
	util_format_iso(b, sizeof b, r->cur.end_us, 0);
	util_format_iso(g, sizeof g, r->generated_us, 0);
	report_format_duration(d, sizeof d, r->cur.end_us - r->cur.start_us);
	fprintf(f, "# Fleet report\n\n**%s**\n\n%s \xe2\x86\x92 %s (%s) \xc2\xb7 generated %s by "
	    "tunnelwatch %s \xc2\xb7 times are UTC\n\n", report_headline(r, hl, sizeof hl), a, b,
	    d, g, TW_VERSION);
	report_md_summary(f, r);
	report_md_fleet(f, r);
	report_md_stuck(f, r);
	report_md_flapping(f, r);
	report_md_bfd(f, r);
	report_md_top(f, r);
	report_md_timelines(f, r);
	fputs("## Incidents\n\n", f);
	if (r->nincidents == 0)
		fputs("No incidents in this period.\n", f);
	for (i = 0; i < r->listed; i++)
		report_md_incident(f, r, &r->incidents[i]);
	if (r->listed_omitted > 0)
		fprintf(f, "**%d more incidents are not listed here;** "
		    "`tunnelwatch incidents --since %s/%s` lists them all.\n", r->listed_omitted,
		    a, b);
	return ferror(f) ? -1 : 0;
}
