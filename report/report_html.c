/*
 * report_html.c — the fleet report as one self-contained HTML file.
 *
 * It is mailed and opened offline, so there is nothing external: the CSS
 * is inline (with an @media print block), the timelines are inline SVG,
 * there is no script.  The markup is also well-formed XML (every element
 * closed, attributes quoted, only numeric character references), so a
 * strict parser reads it: tests/integration/t_report.sh checks it with
 * xmllint.
 *
 * Every string that came from a log or from a device (hostnames, tunnel
 * names, summaries, evidence lines) goes through report_html_text(), which
 * escapes & < > " ' and replaces control characters: log text is data and
 * can never become markup.
 */
#include "report.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

#define RH_W        1000      /* SVG user units */
#define RH_LABEL    280       /* label column */
#define RH_X0       290       /* bars start */
#define RH_X1       990       /* bars end */
#define RH_ROW      22
#define RH_BAR      12
#define RH_AXIS     24
#define RH_MIN_MARK 4.0       /* narrowest down/degraded band: a 2 s flap in 24 h shows */

/* Escaped text.  The model holds valid UTF-8 (report.c), so only ASCII
 * needs attention: the five markup characters, and C0 controls and DEL,
 * which XML forbids and a terminal-minded reader would not want. */
static void
report_html_text(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s != NULL ? s : "");

	for (; *p != '\0'; p++) {
		switch (*p) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		case '\t': fputc('\t', f); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fputs("&#xFFFD;", f);
			else
				fputc(*p, f);
		}
	}
}

void
report_html_escape(FILE *f, const char *s)
{
	report_html_text(f, s);
}

void
report_html_incident_link(FILE *f, const struct report *r, int64_t incident_id)
{
	fprintf(f, "<a href=\"%s%lld\">", r->live_links ? "/incident/" : "#incident-",
	    (long long)incident_id);
}

/* At most max characters of s (UTF-8 aware), escaped, with an ellipsis. */
static void
report_html_clip(FILE *f, const char *s, size_t max)
{
	char buf[256];
	size_t i = 0, chars = 0;

	if (s == NULL)
		s = "";
	while (s[i] != '\0' && i < sizeof buf - 4) {
		if (((unsigned char)s[i] & 0xc0) != 0x80 && chars++ == max)
			break;
		i++;
	}
	if (s[i] == '\0') {
		report_html_text(f, s);
		return;
	}
	while (i > 0 && ((unsigned char)s[i] & 0xc0) == 0x80)
		i--;
	memcpy(buf, s, i);
	buf[i] = '\0';
	report_html_text(f, buf);
	fputs("\xe2\x80\xa6", f);
}

/* "vedge01 (4.1.0.1) ipsec2" */
static void
report_html_tunnel(FILE *f, const struct report *r, int ti)
{
	const struct report_tunnel *t;

	if (ti < 0) {
		fputs("(tunnel no longer known)", f);
		return;
	}
	t = &r->tunnels[ti];
	if (r->live_links)
		fprintf(f, "<a href=\"/device/%lld\">", (long long)t->device_id);
	fputs("<span class=\"dev\">", f);
	report_html_text(f, t->hostname != NULL ? t->hostname : "?");
	fputs("</span>", f);
	if (r->live_links)
		fputs("</a>", f);
	if (t->system_ip != NULL) {
		fputs(" <span class=\"sip\">(", f);
		report_html_text(f, t->system_ip);
		fputs(")</span>", f);
	}
	fputs(" ", f);
	if (r->live_links)
		fprintf(f, "<a href=\"/tunnel/%lld\">", (long long)t->id);
	fputs("<span class=\"tun\">", f);
	report_html_text(f, t->name);
	fputs("</span>", f);
	if (r->live_links)
		fputs("</a>", f);
}

static void
report_html_peer(FILE *f, const char *peer)
{
	if (peer == NULL) {
		fputs("\xe2\x80\x94", f);
		return;
	}
	report_html_text(f, peer);
}

/* "+3", "-2", "=" */
static void
report_html_delta_int(FILE *f, int now, int before)
{
	if (now == before)
		fputs("<span class=\"same\">=</span>", f);
	else
		fprintf(f, "<span class=\"%s\">%+d</span>", now > before ? "worse" : "better",
		    now - before);
}

static void
report_html_pct(FILE *f, int64_t observed, int64_t down)
{
	char buf[32];

	fputs(report_format_pct(buf, sizeof buf, observed, down), f);
}

static const char report_html_css[] =
	":root{--up:#2f9e5b;--down:#d1453b;--deg:#e3a21a;--none:#dcdcdc;--ink:#1f2328;"
	"--mute:#656d76;--line:#d8dee4}\n"
	"*{box-sizing:border-box}\n"
	"body{font:14px/1.45 system-ui,-apple-system,\"Segoe UI\",Roboto,\"Helvetica Neue\","
	"Arial,sans-serif;color:var(--ink);max-width:1120px;margin:0 auto;padding:24px}\n"
	"h1{font-size:1.6em;margin:0 0 .2em}\n"
	".headline{font-size:1.25em;font-weight:600;margin:.2em 0}\n"
	"ul.tl-details{margin:.4em 0 1em;padding-left:1.2em;font-size:.92em}\n"
	"h2{font-size:1.25em;border-bottom:2px solid var(--line);padding-bottom:.2em;"
	"margin-top:1.8em}\n"
	"h3{font-size:1.05em;margin:.2em 0}\n"
	".period,.mute{color:var(--mute)}\n"
	"nav{margin:.6em 0 0;font-size:.95em}nav a{margin-right:1em}\n"
	"a{color:#0b62c4}\n"
	"table{border-collapse:collapse;margin:.4em 0 1em;width:100%}\n"
	"th,td{padding:.28em .6em;border-bottom:1px solid var(--line);text-align:left;"
	"vertical-align:top}\n"
	"th{background:#f4f6f8;font-weight:600}\n"
	"td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
	".kpis{display:flex;flex-wrap:wrap;gap:12px;margin:.6em 0 1em}\n"
	".kpi{border:1px solid var(--line);border-radius:6px;padding:.5em .9em;flex:1 1 140px}\n"
	".kpi b{display:block;font-size:1.5em;font-variant-numeric:tabular-nums}\n"
	".kpi span{color:var(--mute);font-size:.9em}\n"
	".cols{display:flex;flex-wrap:wrap;gap:24px}.cols>div{flex:1 1 320px}\n"
	".quiet{background:#eef8f1;border-left:4px solid var(--up);padding:.7em 1em}\n"
	".nodata{background:#fff6e5;border-left:4px solid var(--deg);padding:.7em 1em}\n"
	".worse{color:var(--down)}.better{color:var(--up)}.same{color:var(--mute)}\n"
	".sym{display:inline-block;border-radius:3px;padding:0 .4em;color:#fff;"
	"font-size:.85em;background:var(--down)}\n"
	".sym.degraded{background:var(--deg)}.sym.flap{background:#b5651d}\n"
	".sip{color:var(--mute)}.tun{font-weight:600}\n"
	".incident{border-top:1px solid var(--line);padding:.6em 0 .4em}\n"
	".incident p{margin:.25em 0}\n"
	"pre.evidence{background:#f6f8fa;border:1px solid var(--line);border-radius:4px;"
	"padding:.5em .7em;overflow-x:auto;white-space:pre-wrap;overflow-wrap:anywhere;"
	"font:12px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;margin:.4em 0}\n"
	"pre.evidence .k{color:var(--mute)}\n"
	"svg.timeline{width:100%;height:auto;display:block}\n"
	"svg text{font:11px system-ui,sans-serif;fill:var(--ink)}\n"
	"svg .ax{fill:var(--mute)}svg .tick{stroke:var(--line)}\n"
	"svg .b-none{fill:var(--none)}svg .b-up{fill:var(--up)}svg .b-down{fill:var(--down)}"
	"svg .b-degraded{fill:var(--deg)}svg .mark{fill:var(--ink)}\n"
	".legend span{display:inline-block;width:.9em;height:.9em;vertical-align:-.1em;"
	"margin:0 .3em 0 .9em;border-radius:2px}\n"
	"footer{margin-top:2em;color:var(--mute);font-size:.85em}\n"
	"@media print{\n"
	"  *{-webkit-print-color-adjust:exact;print-color-adjust:exact}\n"
	"  body{max-width:none;padding:0;font-size:10pt}\n"
	"  nav{display:none}\n"
	"  a{color:inherit;text-decoration:none}\n"
	"  h2{break-after:avoid;page-break-after:avoid}\n"
	"  tr,.kpi,.incident,.tl,svg.timeline{break-inside:avoid;page-break-inside:avoid}\n"
	"  pre.evidence{border:none;background:none;padding:0}\n"
	"}\n";

static void
report_html_stat_rows(FILE *f, const char *label, const int *now, const int *before,
    int n, const char *(*name)(int))
{
	int i, any = 0;

	fprintf(f, "<table><thead><tr><th>%s</th><th class=\"n\">this period</th>"
	    "<th class=\"n\">previous</th><th class=\"n\">change</th></tr></thead><tbody>\n",
	    label);
	for (i = 0; i < n; i++) {
		if (now[i] == 0 && before[i] == 0)
			continue;
		any = 1;
		fprintf(f, "<tr><td>%s</td><td class=\"n\">%d</td><td class=\"n\">%d</td>"
		    "<td class=\"n\">", name(i), now[i], before[i]);
		report_html_delta_int(f, now[i], before[i]);
		fputs("</td></tr>\n", f);
	}
	if (!any)
		fputs("<tr><td colspan=\"4\" class=\"mute\">none in either period</td></tr>\n", f);
	fputs("</tbody></table>\n", f);
}

static void
report_html_summary(FILE *f, const struct report *r)
{
	const struct report_stats *c = &r->cur, *p = &r->prev;
	char a[32], b[32];

	fputs("<section id=\"summary\"><h2>Fleet summary</h2>\n", f);
	if (c->devices == 0 && c->tunnels == 0)
		fputs("<p class=\"nodata\"><strong>No data.</strong> No device sent anything in "
		    "this period. If that is unexpected, check that the vEdges still log to "
		    "this collector (docs/vedge-setup.md).</p>\n", f);
	else if (r->nincidents == 0 && r->nfleet == 0)
		fputs("<p class=\"quiet\"><strong>A quiet period.</strong> No tunnel went down, "
		    "failed to come up or degraded, and there was no fleet event.</p>\n", f);
	fputs("<div class=\"kpis\">\n", f);
	fprintf(f, "<div class=\"kpi\"><b>%d</b>devices logging<br/><span>%d known; "
	    "previous period %d</span></div>\n", c->devices, r->devices_known, p->devices);
	fprintf(f, "<div class=\"kpi\"><b>%d</b>tunnels observed<br/><span>%d known; "
	    "previous period %d</span></div>\n", c->tunnels, r->tunnels_known, p->tunnels);
	fprintf(f, "<div class=\"kpi\"><b>%s</b>availability<br/><span>previous period %s"
	    "</span></div>\n", report_format_pct(a, sizeof a, c->observed_us, c->down_us),
	    report_format_pct(b, sizeof b, p->observed_us, p->down_us));
	fputs("<div class=\"kpi\"><b>", f);
	report_fput_duration(f, c->down_us);
	fputs("</b>tunnel down time<br/><span>previous period ", f);
	report_fput_duration(f, p->down_us);
	fputs("</span></div>\n", f);
	fprintf(f, "<div class=\"kpi\"><b>%d</b>incidents<br/><span>previous period %d "
	    "(", c->incidents, p->incidents);
	report_html_delta_int(f, c->incidents, p->incidents);
	fputs(")</span></div>\n", f);
	fprintf(f, "<div class=\"kpi\"><b>%d</b>fleet events<br/><span>previous period %d"
	    "</span></div>\n", c->fleet_events, p->fleet_events);
	fputs("</div>\n", f);
	if (c->degraded_us > 0 || p->degraded_us > 0) {
		fputs("<p class=\"mute\">Degraded (up, IPsec rekeys failing) for ", f);
		report_fput_duration(f, c->degraded_us);
		fputs(" in total (previous period ", f);
		report_fput_duration(f, p->degraded_us);
		fputs("); degraded time is not counted as down.</p>\n", f);
	}
	fputs("<div class=\"cols\"><div>\n", f);
	report_html_stat_rows(f, "Incidents by symptom", c->by_symptom, p->by_symptom,
	    REPORT_SYM_MAX, report_symptom_name);
	fputs("</div><div>\n", f);
	report_html_stat_rows(f, "Incidents by root cause", c->by_cause, p->by_cause,
	    REPORT_CAUSE_MAX, report_cause_name);
	fputs("</div></div>\n", f);
	fputs("<p class=\"mute\">Availability is the time each tunnel was up over the time "
	    "it was observed, summed over the fleet. The previous period is the window of "
	    "equal length just before this one.</p>\n</section>\n", f);
}

static void
report_html_fleet(FILE *f, const struct report *r)
{
	int i, k;

	fputs("<section id=\"fleet\"><h2>Fleet events</h2>\n", f);
	if (r->nfleet == 0) {
		fputs("<p>None: no peer or provider outage hit several devices at once.</p>"
		    "</section>\n", f);
		return;
	}
	fputs("<p class=\"mute\">Several devices losing their tunnels to the same peer at "
	    "the same time: a peer or provider event, not a device fault.</p>\n", f);
	for (i = 0; i < r->nfleet; i++) {
		const struct report_fleet *fe = &r->fleet[i];
		fprintf(f, "<div class=\"incident\" id=\"fleet-%lld\"><h3>Fleet event #%lld "
		    "\xc2\xb7 peer ", (long long)fe->id, (long long)fe->id);
		report_html_peer(f, fe->peer_ip);
		fprintf(f, " \xc2\xb7 %d devices, %d tunnels</h3>\n<p>", fe->devices, fe->tunnels);
		report_fput_time(f, fe->started_us);
		fputs(" \xe2\x86\x92 ", f);
		if (fe->ended_us == REPORT_ONGOING)
			fputs("still open", f);
		else {
			report_fput_time(f, fe->ended_us);
			fputs(" (", f);
			report_fput_duration(f, fe->ended_us - fe->started_us);
			fputs(")", f);
		}
		fputs("</p>\n<p><strong>Root cause:</strong> ", f);
		report_html_text(f, fe->root_cause);
		fputs(" \xe2\x80\x94 ", f);
		report_html_text(f, report_cause_text(fe->cause));
		fputs("</p>\n", f);
		if (fe->summary != NULL && fe->summary[0] != '\0') {
			fputs("<p><strong>What happened:</strong> ", f);
			report_html_text(f, fe->summary);
			fputs("</p>\n", f);
		}
		fputs("<p><strong>Remedy:</strong> ", f);
		report_html_text(f, report_cause_remedy(fe->cause));
		fputs("</p>\n<p><strong>Devices:</strong> ", f);
		for (k = 0; k < fe->naffected; k++) {
			const struct report_affected *x = &fe->affected[k];
			if (k > 0)
				fputs(", ", f);
			report_html_text(f, x->hostname != NULL ? x->hostname : "?");
			if (x->system_ip != NULL) {
				fputs(" (", f);
				report_html_text(f, x->system_ip);
				fputs(")", f);
			}
			fputs(" ", f);
			report_html_text(f, x->tunnel);
		}
		if (fe->affected_omitted > 0)
			fprintf(f, " and %d more", fe->affected_omitted);
		if (fe->naffected == 0)
			fputs("<span class=\"mute\">(their incidents are outside this "
			    "period)</span>", f);
		fputs("</p></div>\n", f);
	}
	fputs("</section>\n", f);
}

static void
report_html_sym(FILE *f, const struct report_incident *in)
{
	fprintf(f, "<span class=\"sym %s\">", report_symptom_name(in->sym));
	report_html_text(f, in->symptom);
	fputs("</span>", f);
}

static void
report_html_stuck(FILE *f, const struct report *r)
{
	int i;

	fprintf(f, "<section id=\"stuck\"><h2>%s</h2>\n", report_is_now(r) ?
	    "Stuck right now" : "Still open at the end of the period");
	if (r->nstuck == 0) {
		fputs("<p>No tunnel is down, stuck or degraded.</p></section>\n", f);
		return;
	}
	fputs("<table><thead><tr><th>Tunnel</th><th>Peer</th><th>Symptom</th>"
	    "<th>Root cause</th><th>Since</th><th class=\"n\">For</th></tr></thead><tbody>\n", f);
	for (i = 0; i < r->nstuck; i++) {
		const struct report_incident *in = &r->incidents[r->stuck[i]];
		fputs("<tr><td>", f);
		report_html_tunnel(f, r, in->tunnel);
		fputs("</td><td>", f);
		report_html_peer(f, report_incident_peer(r, in));
		fputs("</td><td>", f);
		report_html_sym(f, in);
		fputs("</td><td>", f);
		report_html_incident_link(f, r, in->id);
		report_html_text(f, in->root_cause);
		fputs("</a></td><td>", f);
		report_fput_time(f, in->started_us);
		fputs("</td><td class=\"n\">", f);
		report_fput_duration(f, r->cur.end_us - in->started_us);
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody></table></section>\n", f);
}

static void
report_html_flapping(FILE *f, const struct report *r)
{
	int i;

	fputs("<section id=\"flapping\"><h2>Flapping tunnels</h2>\n", f);
	if (r->nflapping == 0) {
		fprintf(f, "<p>None: no tunnel flapped %d times or more, and none is flapping "
		    "now.</p></section>\n", r->flap_count);
		return;
	}
	fprintf(f, "<p class=\"mute\">Tunnels flagged as flapping now, or with %d flaps or "
	    "more in the period.</p>\n", r->flap_count);
	fputs("<table><thead><tr><th>Tunnel</th><th>Peer</th><th class=\"n\">Flaps</th>"
	    "<th>Flapping now</th><th class=\"n\">Flap score</th></tr></thead><tbody>\n", f);
	for (i = 0; i < r->nflapping; i++) {
		const struct report_tunnel *t = &r->tunnels[r->flapping[i]];
		fputs("<tr><td>", f);
		report_html_tunnel(f, r, r->flapping[i]);
		fputs("</td><td>", f);
		report_html_peer(f, t->peer_ip);
		fprintf(f, "</td><td class=\"n\">%d</td><td>%s</td><td class=\"n\">%.1f</td></tr>\n",
		    t->n_flaps, t->flapping_now ? "yes" : "no", t->flap_score);
	}
	fputs("</tbody></table></section>\n", f);
}

static void
report_html_bfd(FILE *f, const struct report *r)
{
	int i;

	fputs("<section id=\"bfd\"><h2>Overlay (BFD) sessions that flapped or are down"
	    "</h2>\n", f);
	if (r->nbfd == 0) {
		fputs("<p>None: no BFD session went down in this period, and none is down."
		    "</p></section>\n", f);
		return;
	}
	fputs("<table><thead><tr><th>Device</th><th>Color</th><th>Remote</th>"
	    "<th>Remote color</th><th>State</th><th>Since</th><th class=\"n\">Flaps</th>"
	    "<th>Last flap-reason</th></tr></thead><tbody>\n", f);
	for (i = 0; i < r->nbfd; i++) {
		const struct report_bfd *b = &r->bfd[i];
		fputs("<tr><td>", f);
		report_html_text(f, b->hostname != NULL ? b->hostname : "?");
		if (b->system_ip != NULL) {
			fputs(" (", f);
			report_html_text(f, b->system_ip);
			fputs(")", f);
		}
		fputs("</td><td>", f);
		report_html_text(f, b->local_color);
		fputs("</td><td>", f);
		report_html_text(f, b->remote_system_ip);
		fputs("</td><td>", f);
		report_html_text(f, b->remote_color);
		fputs("</td><td>", f);
		if (b->state != NULL && strcmp(b->state, "down") == 0)
			fputs("<b>down</b>", f);
		else
			fputs("up", f);
		fputs("</td><td>", f);
		report_fput_time(f, b->state_since_us);
		fprintf(f, "</td><td class=\"n\">%lld</td><td>", (long long)b->flaps);
		report_html_text(f, b->last_flap_reason);
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody></table>", f);
	if (r->bfd_omitted > 0)
		fprintf(f, "<p class=\"mute\">%d more sessions are not listed; "
		    "<code>tunnelwatch tunnels --bfd</code> lists them all.</p>", r->bfd_omitted);
	fputs("</section>\n", f);
}

static void
report_html_top(FILE *f, const struct report *r)
{
	int i;

	fputs("<section id=\"top\"><h2>Top offenders</h2>\n", f);
	if (r->ntop == 0) {
		fputs("<p>None.</p></section>\n", f);
		return;
	}
	fputs("<table><thead><tr><th>Tunnel</th><th>Peer</th><th class=\"n\">Incidents</th>"
	    "<th class=\"n\">Down</th><th class=\"n\">Degraded</th>"
	    "<th class=\"n\">Availability</th></tr></thead><tbody>\n", f);
	for (i = 0; i < r->ntop; i++) {
		const struct report_tunnel *t = &r->tunnels[r->top[i]];
		fputs("<tr><td>", f);
		report_html_tunnel(f, r, r->top[i]);
		fputs("</td><td>", f);
		report_html_peer(f, t->peer_ip);
		fprintf(f, "</td><td class=\"n\">%d</td><td class=\"n\">", t->n_incidents);
		report_fput_duration(f, t->down_us);
		fputs("</td><td class=\"n\">", f);
		report_fput_duration(f, t->degraded_us);
		fputs("</td><td class=\"n\">", f);
		report_html_pct(f, t->obs_end - t->obs_start, t->down_us);
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody></table></section>\n", f);
}

static double
report_html_x(const struct report *r, int64_t us)
{
	double span = (double)(r->cur.end_us - r->cur.start_us);
	double v = (double)(us - r->cur.start_us) / span;

	if (v < 0)
		v = 0;
	if (v > 1)
		v = 1;
	return RH_X0 + v * (RH_X1 - RH_X0);
}

static void
report_html_axis(FILE *f, const struct report *r)
{
	int64_t span = r->cur.end_us - r->cur.start_us;
	char buf[40];
	int i;

	for (i = 0; i <= 4; i++) {
		int64_t at = r->cur.start_us + span / 4 * i;
		double x = report_html_x(r, at);
		util_format_iso(buf, sizeof buf, at, 0);
		/* "2024-06-18T00:31:17Z": the date and hour:minute are enough */
		buf[16] = '\0';
		buf[10] = ' ';
		fprintf(f, "<line class=\"tick\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>",
		    x, RH_AXIS - 6, x, RH_AXIS + 4);
		fprintf(f, "<text class=\"ax\" x=\"%.1f\" y=\"%d\" text-anchor=\"%s\">%s</text>\n",
		    x, RH_AXIS - 10, i == 0 ? "start" : i == 4 ? "end" : "middle", buf);
	}
}

/* What the timeline's tooltips say, as text that mail and print keep:
 * each drawn tunnel's down and degraded stretches and its incidents. */
static void
report_html_timeline_list(FILE *f, const struct report *r)
{
	int i, k;

	fputs("<ul class=\"tl-details\">\n", f);
	for (i = 0; i < r->ntimelines; i++) {
		const struct report_tunnel *t = &r->tunnels[r->timelines[i]];
		fputs("<li><strong>", f);
		report_html_text(f, t->hostname);
		fputs(" ", f);
		report_html_text(f, t->name);
		fputs("</strong>: ", f);
		report_fput_bands(f, t);
		for (k = 0; k < t->ninc; k++) {
			int ii = r->by_tunnel[t->first_inc + k];
			const struct report_incident *in = &r->incidents[ii];
			fputs(k == 0 ? " \xc2\xb7 incidents: " : ", ", f);
			if (ii < r->listed)
				report_html_incident_link(f, r, in->id);
			fprintf(f, "#%lld", (long long)in->id);
			if (ii < r->listed)
				fputs("</a>", f);
			fputs(" ", f);
			report_html_text(f, in->symptom);
			fputs(" ", f);
			report_html_text(f, in->root_cause);
		}
		fputs("</li>\n", f);
	}
	fputs("</ul>\n", f);
}

/* The pulse row: a tick per minute with chatter, green when DPD was
 * answered or packets flowed, red when probes went unanswered or were
 * retransmitted, grey for other chatter (keep-alives, kernel lines). */
static void
report_html_beats(FILE *f, const struct report *r, int y)
{
	int k;

	fprintf(f, "<g><text x=\"0\" y=\"%d\">pulse (v_heartbeat)</text>\n", y + RH_BAR - 2);
	for (k = 0; k < r->nbeats; k++) {
		const struct report_beat *b = &r->beats[k];
		double x0 = report_html_x(r, b->minute_us);
		double w = report_html_x(r, b->minute_us + 60 * 1000000LL) - x0;
		const char *cls = b->retransmits > 0 || b->dpd_sent > b->dpd_answered ?
		    "b-down" : b->dpd_answered > 0 || b->packets > 0 ? "b-up" : "b-none";
		char t[40];
		if (w < 1)
			w = 1;
		util_format_iso(t, sizeof t, b->minute_us, 0);
		fprintf(f, "<rect class=\"%s\" x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\">"
		    "<title>%.16s DPD %lld sent, %lld answered; %lld retransmits; %lld packets"
		    "</title></rect>\n", cls, x0, y, w, RH_BAR, t, (long long)b->dpd_sent,
		    (long long)b->dpd_answered, (long long)b->retransmits, (long long)b->packets);
	}
	fputs("</g>\n", f);
}

static void
report_html_timelines(FILE *f, const struct report *r)
{
	static const char *const cls[] = { "b-up", "b-down", "b-degraded" };
	static const char *const names[] = { "up", "down", "degraded" };
	int i, k, h = RH_AXIS + (r->ntimelines + (r->nbeats > 0)) * RH_ROW + 8;

	fputs("<section id=\"timelines\"><h2>Timelines</h2>\n", f);
	if (r->ntimelines == 0) {
		fputs("<p>No tunnel had an incident in this period.</p></section>\n", f);
		return;
	}
	fputs("<div class=\"tl\"><p class=\"legend mute\">Each affected tunnel over the period:"
	    "<span style=\"background:var(--up)\"></span>up"
	    "<span style=\"background:var(--down)\"></span>down"
	    "<span style=\"background:var(--deg)\"></span>degraded"
	    "<span style=\"background:var(--none)\"></span>not observed"
	    " \xc2\xb7 \xe2\x96\xbc an incident starts; the stretches are listed below "
	    "(short ones drawn wider than they lasted)</p>\n", f);
	fprintf(f, "<svg class=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" "
	    "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"tunnel timelines\">\n", RH_W, h);
	report_html_axis(f, r);
	for (i = 0; i < r->ntimelines; i++) {
		const struct report_tunnel *t = &r->tunnels[r->timelines[i]];
		int y = RH_AXIS + 6 + i * RH_ROW;
		fprintf(f, "<g><text x=\"0\" y=\"%d\"><title>", y + RH_BAR - 2);
		report_html_text(f, t->hostname);
		fputs(" ", f);
		report_html_text(f, t->system_ip);
		fputs(" ", f);
		report_html_text(f, t->name);
		fputs("</title>", f);
		report_html_clip(f, t->hostname, 22);
		fputs(" ", f);
		report_html_clip(f, t->name, 16);
		fprintf(f, "</text>\n<rect class=\"b-none\" x=\"%d\" y=\"%d\" width=\"%d\" "
		    "height=\"%d\"/>\n", RH_X0, y, RH_X1 - RH_X0, RH_BAR);
		for (k = 0; k < t->nbands; k++) {
			const struct report_band *b = &t->bands[k];
			double x0 = report_html_x(r, b->start_us), x1 = report_html_x(r, b->end_us);
			double w = x1 - x0;
			if (b->state != REPORT_UP && w < RH_MIN_MARK)
				w = RH_MIN_MARK;    /* a short outage must stay visible */
			fprintf(f, "<rect class=\"%s\" x=\"%.2f\" y=\"%d\" width=\"%.2f\" "
			    "height=\"%d\"><title>%s ", cls[b->state], x0, y, w, RH_BAR,
			    names[b->state]);
			report_fput_time(f, b->start_us);
			fputs(" \xe2\x86\x92 ", f);
			report_fput_time(f, b->end_us);
			fputs(" (", f);
			report_fput_duration(f, b->end_us - b->start_us);
			fputs(")</title></rect>\n", f);
		}
		for (k = 0; k < t->ninc; k++) {
			int ii = r->by_tunnel[t->first_inc + k];
			const struct report_incident *in = &r->incidents[ii];
			double x = report_html_x(r, in->started_us);
			if (ii < r->listed)
				report_html_incident_link(f, r, in->id);
			fprintf(f, "<path class=\"mark\" d=\"M%.2f %d l-4 -6 h8 z\"><title>#%lld ",
			    x, y, (long long)in->id);
			report_html_text(f, in->symptom);
			fputs(", ", f);
			report_html_text(f, in->root_cause);
			fputs(", ", f);
			report_fput_time(f, in->started_us);
			fputs("</title></path>", f);
			if (ii < r->listed)
				fputs("</a>", f);
			fputs("\n", f);
		}
		fputs("</g>\n", f);
	}
	if (r->nbeats > 0)
		report_html_beats(f, r, RH_AXIS + 6 + r->ntimelines * RH_ROW);
	fputs("</svg></div>\n", f);
	report_html_timeline_list(f, r);
	if (r->timelines_omitted > 0)
		fprintf(f, "<p class=\"mute\">%d more affected tunnels are not drawn (the %d "
		    "with the most down time are).</p>\n", r->timelines_omitted, r->ntimelines);
	fputs("</section>\n", f);
}

static void
report_html_incident(FILE *f, const struct report *r, const struct report_incident *in)
{
	const char *peer = report_incident_peer(r, in);
	char pulse[256];
	int i;

	fprintf(f, "<article class=\"incident\" id=\"incident-%lld\">\n<h3>#%lld ",
	    (long long)in->id, (long long)in->id);
	report_html_sym(f, in);
	fputs(" ", f);
	report_html_tunnel(f, r, in->tunnel);
	fputs(" \xe2\x86\x92 ", f);
	report_html_peer(f, peer);
	fputs("</h3>\n<p class=\"mute\">", f);
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
		fprintf(f, " \xc2\xb7 part of <a href=\"%s#fleet-%lld\">fleet event #%lld</a>",
		    r->live_links ? "/" : "", (long long)in->fleet_event_id,
		    (long long)in->fleet_event_id);
	fputs("</p>\n<p><strong>Symptom:</strong> ", f);
	report_html_text(f, report_symptom_text(in->sym));
	fputs("</p>\n<p><strong>Root cause:</strong> ", f);
	report_html_text(f, in->root_cause);
	fputs(" \xe2\x80\x94 ", f);
	report_html_text(f, report_cause_text(in->cause));
	fputs("</p>\n", f);
	if (in->summary != NULL && in->summary[0] != '\0') {
		fputs("<p><strong>Here:</strong> ", f);
		report_html_text(f, in->summary);
		fputs("</p>\n", f);
	}
	if (report_pulse_text(in, pulse, sizeof pulse)[0] != '\0') {
		fputs("<p><strong>Pulse:</strong> ", f);
		report_html_text(f, pulse);
		fputs("</p>\n", f);
	}
	fputs("<p><strong>Remedy:</strong> ", f);
	report_html_text(f, report_cause_remedy(in->cause));
	fputs("</p>\n", f);
	if (in->nev == 0) {
		fputs("<p class=\"mute\">No evidence lines recorded.</p>\n", f);
	} else {
		fputs("<pre class=\"evidence\">", f);
		for (i = 0; i < in->nev; i++) {
			const struct report_evidence *e = &in->ev[i];
			const char *kind = e->kind != NULL ? e->kind : "?";
			size_t kl = strlen(kind);
			fputs("<span class=\"k\">", f);
			report_html_text(f, kind);
			fprintf(f, "</span>%*s  ", kl < 22 ? (int)(22 - kl) : 0, "");
			if (report_ev_text(r, e) != NULL)
				report_html_text(f, report_ev_text(r, e));
			else
				fputs("<span class=\"k\">(line no longer stored)</span>", f);
			fputs("\n", f);
		}
		fputs("</pre>\n", f);
		if (in->ev_omitted > 0)
			fprintf(f, "<p class=\"mute\">%d more evidence lines not shown.</p>\n",
			    in->ev_omitted);
	}
	fputs("</article>\n", f);
}

void
report_write_html_incident(const struct report *r, int i, FILE *f)
{
	if (i >= 0 && i < r->nincidents)
		report_html_incident(f, r, &r->incidents[i]);
}

void
report_html_page_begin(FILE *f, const char *title, int refresh_s)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n", f);
	if (refresh_s > 0)
		fprintf(f, "<meta http-equiv=\"refresh\" content=\"%d\"/>\n", refresh_s);
	fputs("<title>", f);
	report_html_text(f, title);
	fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", report_html_css);
}

void
report_html_page_end(FILE *f)
{
	fputs("<footer>tunnelwatch " TW_VERSION " \xc2\xb7 times are UTC "
	    "(device clocks) \xc2\xb7 docs/report.md explains every section.</footer>\n"
	    "</body>\n</html>\n", f);
}

void
report_write_html_sections(const struct report *r, unsigned sections, FILE *f)
{
	char a[40], b[40];
	int i;

	if (sections & REPORT_HTML_SUMMARY)
		report_html_summary(f, r);
	if (sections & REPORT_HTML_FLEET)
		report_html_fleet(f, r);
	if (sections & REPORT_HTML_STUCK)
		report_html_stuck(f, r);
	if (sections & REPORT_HTML_FLAPPING)
		report_html_flapping(f, r);
	if (sections & REPORT_HTML_BFD)
		report_html_bfd(f, r);
	if (sections & REPORT_HTML_TOP)
		report_html_top(f, r);
	if (sections & REPORT_HTML_TIMELINES)
		report_html_timelines(f, r);
	if (!(sections & REPORT_HTML_INCIDENTS))
		return;
	util_format_iso(a, sizeof a, r->cur.start_us, 0);
	util_format_iso(b, sizeof b, r->cur.end_us, 0);
	fputs("<section id=\"incidents\"><h2>Incidents</h2>\n", f);
	if (r->nincidents == 0)
		fputs("<p>No incidents in this period.</p>\n", f);
	else
		fprintf(f, "<p class=\"mute\">Every incident with any part in the period, "
		    "oldest first, with the log lines that show it (device time order).</p>\n");
	for (i = 0; i < r->listed; i++)
		report_html_incident(f, r, &r->incidents[i]);
	if (r->listed_omitted > 0)
		fprintf(f, "<p><strong>%d more incidents are not listed here.</strong> "
		    "<code>tunnelwatch incidents --since %s/%s</code> lists them all.</p>\n",
		    r->listed_omitted, a, b);
	fputs("</section>\n", f);
}

int
report_write_html(const struct report *r, FILE *f)
{
	char a[40], b[40], g[40], d[48], hl[160], title[320];

	util_format_iso(a, sizeof a, r->cur.start_us, 0);
	util_format_iso(b, sizeof b, r->cur.end_us, 0);
	util_format_iso(g, sizeof g, r->generated_us, 0);
	report_format_duration(d, sizeof d, r->cur.end_us - r->cur.start_us);
	report_headline(r, hl, sizeof hl);
	snprintf(title, sizeof title, "%s \xe2\x80\x93 tunnelwatch fleet report %s \xe2\x80\x93 %s",
	    hl, a, b);
	report_html_page_begin(f, title, 0);
	fprintf(f, "<header><h1>Fleet report</h1>\n<p class=\"headline\">%s</p>\n"
	    "<p class=\"period\">%s \xe2\x86\x92 %s "
	    "(%s) \xc2\xb7 generated %s by tunnelwatch %s</p>\n", hl, a, b, d, g, TW_VERSION);
	fputs("<nav><a href=\"#summary\">Summary</a><a href=\"#fleet\">Fleet events</a>"
	    "<a href=\"#stuck\">Stuck</a><a href=\"#flapping\">Flapping</a>"
	    "<a href=\"#bfd\">BFD</a>"
	    "<a href=\"#top\">Top offenders</a><a href=\"#timelines\">Timelines</a>"
	    "<a href=\"#incidents\">Incidents</a></nav></header>\n", f);
	report_write_html_sections(r, REPORT_HTML_ALL, f);
	report_html_page_end(f);
	return ferror(f) ? -1 : 0;
}
