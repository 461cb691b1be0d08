#!/usr/bin/env python3
"""tests/robustness/transform.py — the robustness matrix's transforms.

Each transform takes the lines of one syslog file (as stored by a vEdge or
by the lab's rsyslog) and rewrites them the way logs really arrive: every
line twice, reordered within a second, cut mid-stream, split over two
files, with a mangled hostname, in RFC 5424 or BusyBox form, or merged with
other devices' logs.  Apart from what a transform is about, a line keeps
its original form (RFC 3164 header, `<PRI>` or `daemon.info: ` prefix, tag,
message), so a difference in diagnosis comes from that one change.

Used as a module by matrix.py and by hand:

    transform.py TRANSFORM [--seed N] [--k N] [--year Y] FILE     > out.log
    transform.py split --part 1|2 FILE                             > part.log
    transform.py interleave9 --year Y FILE [OTHER...]              > merged.log

Only the Python standard library is used.
"""

import argparse
import datetime as dt
import heapq
import random
import re
import sys

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun",
          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

# syslog(3) facility and severity names, RFC 5424 §6.2.1 numbering.
FACILITIES = ["kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news",
              "uucp", "cron", "authpriv", "ftp", "ntp", "security", "console",
              "cron2", "local0", "local1", "local2", "local3", "local4",
              "local5", "local6", "local7"]
SEVERITIES = ["emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"]
DEFAULT_PRI = 3 * 8 + 6          # daemon.info, what charon and FTMD use

# An RFC 3164 line as the fixtures hold it: an optional `<PRI>` or
# `facility.level: ` prefix, `Mmm dd hh:mm:ss`, the host, then TAG MSG.
LINE_RE = re.compile(
    r"^(?P<pre><\d{1,3}>|[a-z0-9]+\.[a-z]+: )?"
    r"(?P<mon>[A-Z][a-z]{2}) (?P<day>[ \d]\d) (?P<hms>\d\d:\d\d:\d\d) "
    r"(?P<host>\S+) (?P<rest>.*)$")
TAG_RE = re.compile(r"^(?P<app>[^\s\[\]:]+)(?:\[(?P<pid>[^\]]*)\])?: ?(?P<msg>.*)$")


class Line:
    """One parsed line; unparsed lines (no RFC 3164 header) keep .raw only."""

    def __init__(self, raw, year):
        self.raw = raw
        m = LINE_RE.match(raw)
        self.ok = m is not None and m.group("mon") in MONTHS
        if not self.ok:
            return
        self.pre = m.group("pre") or ""
        self.host = m.group("host")
        self.rest = m.group("rest")
        h, mi, s = (int(x) for x in m.group("hms").split(":"))
        self.time = dt.datetime(year, MONTHS.index(m.group("mon")) + 1,
                                int(m.group("day")), h, mi, s)

    def pri(self):
        """The line's PRI: from `<PRI>`, from `facility.level: `, else daemon.info."""
        if self.pre.startswith("<"):
            return int(self.pre[1:-1])
        if self.pre:
            fac, sev = self.pre[:-2].split(".")
            if fac in FACILITIES and sev in SEVERITIES:
                return FACILITIES.index(fac) * 8 + SEVERITIES.index(sev)
        return DEFAULT_PRI

    def format(self):
        """The RFC 3164 line again, with its original prefix."""
        if not self.ok:
            return self.raw
        t = self.time
        return "%s%s %2d %s %s %s" % (self.pre, MONTHS[t.month - 1], t.day,
                                      t.strftime("%H:%M:%S"), self.host, self.rest)


def parse(lines, year):
    return [Line(x, year) for x in lines]


def read_lines(path):
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        return f.read().splitlines()


# --- the transforms: list of lines in, list of lines out --------------------

def dup(lines):
    """Every line twice in a row (charon logging to two sinks, a relay resending)."""
    out = []
    for x in lines:
        out += [x, x]
    return out


def second_key(x, year):
    """The device second a line belongs to (None: no header, never moved)."""
    ln = Line(x, year)
    return ln.time if ln.ok else None


def shuffle(lines, seed, year):
    """Lines permuted within each second of device time.

    The lines of one device second are permuted among the positions they
    occupy, so the file's sequence of seconds is unchanged (also in a file
    that is not in time order) and only the order within a second, which
    UDP and charon's worker threads do not guarantee, differs.
    """
    rng = random.Random(seed)
    groups = {}
    for i, x in enumerate(lines):
        k = second_key(x, year)
        if k is not None:
            groups.setdefault(k, []).append(i)
    out = list(lines)
    for k in sorted(groups):
        pos = groups[k]
        picked = [lines[i] for i in pos]
        rng.shuffle(picked)
        for i, x in zip(pos, picked):
            out[i] = x
    return out


def cut(lines, k):
    """The file from its line k on (0-based): a capture that starts mid-stream."""
    return lines[k:]


def split(lines):
    """First half and second half: messages.1 and messages."""
    n = len(lines) // 2
    return lines[:n], lines[n:]


def mangle_host(x, letter, year):
    ln = Line(x, year)
    if not ln.ok:
        return x
    ln.host = letter + ln.host
    return ln.format()


def mangle10(lines, seed, year):
    """One uppercase letter prepended to the host on 10 % of the lines
    (at least one), like the field guide's `Lvedge01` / `Avedge01`."""
    rng = random.Random(seed)
    n = max(1, round(len(lines) / 10))
    picked = set(rng.sample(range(len(lines)), min(n, len(lines))))
    return [mangle_host(x, rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), year)
            if i in picked else x for i, x in enumerate(lines)]


def mangle1st(lines, year):
    """Only the first line's host mangled (`Lvedge01`)."""
    if not lines:
        return []
    return [mangle_host(lines[0], "L", year)] + lines[1:]


def rfc5424(lines, year):
    """`<PRI>1 YYYY-MM-DDTHH:MM:SS+00:00 HOST APP PROCID - - MSG`, same device
    time (the import's default zone is UTC), same PRI (daemon.info if the
    line had none), APP and PROCID from the RFC 3164 tag."""
    out = []
    for ln in parse(lines, year):
        if not ln.ok:
            out.append(ln.raw)
            continue
        m = TAG_RE.match(ln.rest)
        if m:
            app, pid, msg = m.group("app"), m.group("pid") or "-", m.group("msg")
        else:
            app, pid, msg = "-", "-", ln.rest
        out.append("<%d>1 %s+00:00 %s %s %s - - %s" % (
            ln.pri(), ln.time.strftime("%Y-%m-%dT%H:%M:%S"), ln.host, app, pid, msg))
    return out


def busybox(lines, year):
    """`Nov 27 02:29:03 vedge01 daemon.info charon: MSG` (BusyBox syslogd's
    file, relays): TIMESTAMP HOST facility.level TAG MSG, no `<PRI>`."""
    out = []
    for ln in parse(lines, year):
        if not ln.ok:
            out.append(ln.raw)
            continue
        pri = ln.pri()
        fac = FACILITIES[pri // 8] if pri // 8 < len(FACILITIES) else "daemon"
        sev = SEVERITIES[pri % 8]
        ln.pre = ""
        ln.rest = "%s.%s %s" % (fac, sev, ln.rest)
        out.append(ln.format())
    return out


# --- interleave: nine scenarios on nine devices ----------------------------

NAME_RE = re.compile(r"^(?P<stem>.*?)(?P<num>\d*)$")


def renamed(name, dev):
    """`vedge01` -> `vedge13` for device 13: trailing digits replaced
    (appended when there are none); mangled names keep their extra letter."""
    m = NAME_RE.match(name)
    return "%s%02d" % (m.group("stem"), dev)


def rename_line(ln, dev, names):
    """Device `dev`'s copy of a line: syslog host, FTMD tag host, FTMD
    host-name and system-ip made unique to it.  `names` maps each original
    name (also a mangled one) to its new one, filled as names are seen."""
    def sub_name(name):
        if name not in names:
            names[name] = renamed(name, dev)
        return names[name]
    ln.host = sub_name(ln.host)
    rest = re.sub(r"%Viptela-([^-\s]+)-",
                  lambda m: "%%Viptela-%s-" % sub_name(m.group(1)), ln.rest)
    rest = re.sub(r'host-name:"([^"]*)"',
                  lambda m: 'host-name:"%s"' % sub_name(m.group(1)), rest)
    rest = re.sub(r"system-ip:(\d+)\.(\d+)\.(\d+)\.(\d+)",
                  lambda m: "system-ip:10.%d.%s.%s" % (200 + dev % 50, m.group(3), m.group(4)),
                  rest)
    ln.rest = rest


def interleave(files, year, first_dev=11, align="end"):
    """Merge several scenarios' lines, scenario i on device first_dev+i.

    files: list of line lists.  Each scenario's times are shifted so that
    its latest line falls on the first scenario's latest second (align
    "end"; "start": earliest on earliest); the streams are merged by time
    with each file's own order kept (a file that is out of time order stays
    so within its stream).  Returns the merged lines and, per scenario, the
    map of original to new host names.

    Ends are aligned by default so that the end of the data is every
    device's own last line: a down that its original file leaves `down`
    (younger than stuck_after at the end of the file) stays so whether the
    collector ends a device's clock at its own last line or at the file's.
    """
    streams, maps = [], []
    anchor = None
    for i, lines in enumerate(files):
        parsed = parse(lines, year)
        times = [ln.time for ln in parsed if ln.ok]
        if not times:
            maps.append({})
            continue
        pick = max if align == "end" else min
        if anchor is None:
            anchor = pick(times)
        shift = anchor - pick(times)
        names = {}
        stream = []
        for pos, ln in enumerate(parsed):
            if not ln.ok:
                continue
            ln.time = ln.time + shift
            rename_line(ln, first_dev + i, names)
            stream.append((ln.time, i, pos, ln.format()))
        streams.append(stream)
        maps.append(names)
    merged = [x[3] for x in heapq.merge(*streams, key=lambda x: (x[0], x[1]))]
    return merged, maps


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("transform", choices=["dup", "shuffle", "cut", "split", "mangle10",
                                          "mangle1st", "rfc5424", "busybox", "interleave9"])
    ap.add_argument("files", nargs="+")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--k", type=int, default=0, help="cut: first line kept (0-based)")
    ap.add_argument("--part", type=int, choices=[1, 2], default=1, help="split: which half")
    ap.add_argument("--year", type=int, default=2026)
    ap.add_argument("--align", choices=["end", "start"], default="end",
                    help="interleave9: align the scenarios' last (or first) lines")
    a = ap.parse_args(argv)
    lines = read_lines(a.files[0])
    t = a.transform
    if t == "dup":
        out = dup(lines)
    elif t == "shuffle":
        out = shuffle(lines, a.seed, a.year)
    elif t == "cut":
        out = cut(lines, a.k)
    elif t == "split":
        out = split(lines)[a.part - 1]
    elif t == "mangle10":
        out = mangle10(lines, a.seed, a.year)
    elif t == "mangle1st":
        out = mangle1st(lines, a.year)
    elif t == "rfc5424":
        out = rfc5424(lines, a.year)
    elif t == "busybox":
        out = busybox(lines, a.year)
    else:
        out, _ = interleave([lines] + [read_lines(f) for f in a.files[1:]], a.year,
                            align=a.align)
    sys.stdout.write("".join(x + "\n" for x in out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
