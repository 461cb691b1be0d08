#!/usr/bin/env python3
"""tests/robustness/matrix.py — the robustness matrix (run it through run.sh).

Every scenario (a tests/fixtures/**/NAME.log with a NAME.expect beside it)
is imported as it is and under each transform of transform.py; the
diagnosis of an import, the sorted set of (hostname, tunnel, symptom,
root_cause) rows of v_incidents, must be the one its .expect states.  One
table (transform x scenario) and the totals are printed; known failures
(known-failures.txt) are shown as xfail and do not fail the run, but a
listed cell that passes does ("now passing: remove from known-failures").
README.md describes the .expect format and the rules.
"""

import argparse
import concurrent.futures
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
FIXTURES = os.path.join(ROOT, "tests", "fixtures")
KNOWN = os.path.join(HERE, "known-failures.txt")
sys.path.insert(0, HERE)
import transform as tf  # noqa: E402

TRANSFORMS = ["original", "dup", "shuffle", "cut", "split", "mangle10", "mangle1st",
              "rfc5424", "busybox", "interleave9"]
SEEDS = [1, 2, 3, 4, 5]
QUICK_SEEDS = [1, 2]
INTERLEAVE_N = 9
CUT_ALL, CUT_WINDOW, CUT_STRIDE = 150, 40, 10
FIRST_DEVICE = 11
QUERY = "SELECT hostname, tunnel, symptom, root_cause FROM v_incidents"


class Scenario:
    """One NAME.log with its NAME.expect."""

    def __init__(self, log, expect):
        self.log = log
        self.expect = expect
        rel = os.path.relpath(log, FIXTURES)[:-len(".log")]
        self.name = rel
        self.year = 2026
        self.args = []
        self.decisive = None
        self.cut_allow = set()
        self.incidents = set()
        self._read()
        self.lines = tf.read_lines(log)
        self.decisive_at = None
        if self.decisive is not None:
            rx = re.compile(self.decisive)
            for i, x in enumerate(self.lines):
                if rx.search(x):
                    self.decisive_at = i
                    break
            if self.decisive_at is None:
                raise SystemExit("%s: decisive /%s/ matches no line" % (expect, self.decisive))

    def _read(self):
        with open(self.expect, encoding="utf-8") as f:
            for n, raw in enumerate(f, 1):
                line = raw.strip()
                if not line or line.startswith("#"):
                    continue
                word, _, rest = line.partition(" ")
                rest = rest.strip()
                if word == "year":
                    self.year = int(rest)
                elif word == "args":
                    self.args = rest.split()
                elif word == "decisive":
                    self.decisive = rest
                elif word == "cut-allow":
                    self.cut_allow |= set(rest.split())
                elif word == "incident":
                    f4 = rest.split()
                    if len(f4) != 4:
                        raise SystemExit("%s:%d: incident needs 4 fields" % (self.expect, n))
                    self.incidents.add(tuple(f4))
                else:
                    raise SystemExit("%s:%d: unknown keyword %r" % (self.expect, n, word))

    def short(self):
        s = os.path.basename(self.name)
        s = re.sub(r"^guide_", "g_", s)
        s = s.replace("_forward", "_fw").replace("delete", "del")
        return s


def discover(only=None):
    out = []
    for d, _, files in os.walk(FIXTURES):
        for fn in sorted(files):
            if not fn.endswith(".expect"):
                continue
            log = os.path.join(d, fn[:-len(".expect")] + ".log")
            if os.path.exists(log):
                out.append(Scenario(log, os.path.join(d, fn)))
    out.sort(key=lambda s: (not s.name.startswith("real/"), s.name))
    if only:
        out = [s for s in out if s.name in only or s.short() in only]
    return out


def fmt_set(rows):
    if not rows:
        return "{no incident}"
    return "{" + ", ".join("(%s)" % " ".join(r) for r in sorted(rows)) + "}"


# --- variants ----------------------------------------------------------------

def variants(transform, sc, quick):
    """The variant labels of one cell, in order."""
    n = len(sc.lines)
    if transform in ("shuffle", "mangle10"):
        return [str(s) for s in (QUICK_SEEDS if quick else SEEDS)]
    if transform == "cut":
        return [str(k) for k in cut_points(sc, quick)]
    if transform == "split":
        return ["older-first", "newer-first"]
    return [""]


def cut_points(sc, quick):
    """Every k in 1..n-1 for a file of up to CUT_ALL lines.  In a longer one
    (level-2 captures, hundreds of lines of periodic DPDs and rekeys) every
    k within CUT_WINDOW lines of the decisive line and of both ends, and
    every CUT_STRIDE-th elsewhere.  --quick: the ends, around the decisive
    line, every 8th."""
    n = len(sc.lines)
    d = sc.decisive_at if sc.decisive_at is not None else n // 2
    ks = range(1, n)
    if quick:
        keep = {1, 2, d - 1, d, d + 1, n - 1} | set(range(1, n, 8))
    elif n <= CUT_ALL:
        keep = set(ks)
    else:
        w = CUT_WINDOW
        keep = set(range(1, w + 1)) | set(range(d - w, d + w + 1)) | \
            set(range(n - w, n)) | set(range(1, n, CUT_STRIDE))
    return [k for k in ks if k in keep]


def partners(sc, all_sc):
    """The eight scenarios interleaved with sc: the next ones in the list."""
    i = [s.name for s in all_sc].index(sc.name)
    out = []
    j = i
    while len(out) < INTERLEAVE_N - 1 and len(all_sc) > 1:
        j = (j + 1) % len(all_sc)
        if j == i:
            continue
        out.append(all_sc[j])
    return out


def write(path, lines):
    with open(path, "w", encoding="utf-8", errors="surrogateescape") as f:
        f.write("".join(x + "\n" for x in lines))


def make_inputs(transform, variant, sc, all_sc, d):
    """Write the variant's input file(s) into d.  Returns (files in import
    order, expected rows, rule, host filter)."""
    L, y = sc.lines, sc.year
    exp, rule, host = sc.incidents, "exact", None
    if transform == "original":
        files = [("a.log", L)]
    elif transform == "dup":
        files = [("a.log", tf.dup(L))]
    elif transform == "shuffle":
        files = [("a.log", tf.shuffle(L, int(variant), y))]
    elif transform == "cut":
        k = int(variant)
        files = [("a.log", tf.cut(L, k))]
        if sc.decisive_at is not None and k > sc.decisive_at:
            rule = "weak"
    elif transform == "split":
        a, b = tf.split(L)
        files = [("older.log", a), ("newer.log", b)]
        if variant == "newer-first":
            files.reverse()
    elif transform == "mangle10":
        files = [("a.log", tf.mangle10(L, int(variant), y))]
    elif transform == "mangle1st":
        files = [("a.log", tf.mangle1st(L, y))]
    elif transform == "rfc5424":
        files = [("a.log", tf.rfc5424(L, y))]
    elif transform == "busybox":
        files = [("a.log", tf.busybox(L, y))]
    elif transform == "interleave9":
        group = [sc] + partners(sc, all_sc)
        merged, maps = tf.interleave([s.lines for s in group], y, FIRST_DEVICE)
        files = [("a.log", merged)]
        names = maps[0]
        exp = {(names.get(h, tf.renamed(h, FIRST_DEVICE)), t, s, r)
               for (h, t, s, r) in sc.incidents}
        host = tf.renamed("vedge01", FIRST_DEVICE)
    else:
        raise ValueError(transform)
    paths = []
    for name, lines in files:
        p = os.path.join(d, name)
        write(p, lines)
        paths.append(p)
    return paths, exp, rule, host


# --- running one variant -------------------------------------------------------

def run_import(binary, sc, paths, d, timeout=120):
    """Import paths one run each into d/tw.db; returns (rows, error)."""
    db = os.path.join(d, "tw.db")
    for p in paths:
        cmd = [binary, "import", "--db", db, "--year", str(sc.year)] + sc.args + [p]
        try:
            r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               timeout=timeout)
        except subprocess.TimeoutExpired:
            return None, "import of %s timed out after %ds" % (os.path.basename(p), timeout)
        if r.returncode != 0:
            last = r.stdout.decode(errors="replace").strip().splitlines()[-1:] or [""]
            return None, "import exited %d: %s" % (r.returncode, last[0])
    # Python's sqlite3 module (the same library as the CLI) instead of one
    # more process per variant: on a loaded machine a spawn costs ~0.1 s.
    try:
        con = sqlite3.connect(db)
        try:
            rows = {tuple("" if v is None else str(v) for v in r)
                    for r in con.execute(QUERY)}
        finally:
            con.close()
    except sqlite3.Error as e:
        return None, "sqlite3: %s" % e
    return rows, None


def judge(rows, exp, rule, host, sc):
    """None if the variant passes, else what came out (for the report)."""
    if host is not None:
        rows = {r for r in rows if r[0].endswith(host)}
    if rule == "exact":
        return None if rows == exp else fmt_set(rows)
    allowed = {r[3] for r in exp} | sc.cut_allow | {"unknown"}
    bad = {r for r in rows if r[3] not in allowed}
    return None if not bad else fmt_set(rows)


def expected_text(exp, rule, sc):
    if rule == "exact":
        return fmt_set(exp)
    allowed = sorted({r[3] for r in exp} | sc.cut_allow | {"unknown"})
    return "no incident with a root cause other than " + "/".join(allowed)


def run_variant(job):
    binary, transform, variant, sc, all_sc, tmp = job
    d = tempfile.mkdtemp(prefix="v.", dir=tmp)
    try:
        paths, exp, rule, host = make_inputs(transform, variant, sc, all_sc, d)
        rows, err = run_import(binary, sc, paths, d)
        if err:
            return job, False, exp, rule, err
        got = judge(rows, exp, rule, host, sc)
        return job, got is None, exp, rule, got
    finally:
        shutil.rmtree(d, ignore_errors=True)


# --- known failures ------------------------------------------------------------

def read_known():
    known = {}
    if not os.path.exists(KNOWN):
        return known
    with open(KNOWN, encoding="utf-8") as f:
        for raw in f:
            body, _, why = raw.partition("#")
            w = body.split()
            if len(w) >= 2:
                known[(w[0], w[1])] = why.strip()
    return known


def guess(exp, got):
    """A few words on how got differs from exp, for known-failures.txt."""
    if got.startswith("import") or got.startswith("sqlite3"):
        return got
    rows = set(re.findall(r"\(([^)]*)\)", got))
    rows = {tuple(r.split()) for r in rows}
    if not rows and exp:
        return "no incident"
    if not exp:
        return "incident where none: " + ", ".join(
            "%s %s" % (r[2], r[3]) + ("" if r[0] == "vedge01" else " on " + r[0])
            for r in sorted(rows))
    et = {r[1] for r in exp}
    gt = {r[1] for r in rows}
    eh = {r[0] for r in exp}
    gh = {r[0] for r in rows}
    ec = {r[3] for r in exp}
    gc = {r[3] for r in rows}
    words = []
    if gh - eh:
        words.append("host " + ",".join(sorted(gh - eh)))
    if gt - et:
        words.append("tunnel " + ",".join(sorted(gt - et)) +
                     (" besides " if et <= gt else " instead of ") +
                     (",".join(sorted(et)) or "none"))
    if gc - ec:
        words.append("root cause " + ",".join(sorted(gc - ec)))
    es = {r[2] for r in exp}
    gs = {r[2] for r in rows}
    if gs - es:
        words.append("symptom " + ",".join(sorted(gs - es)))
    if not words:
        words.append("missing " + fmt_set(exp - rows))
    return "; ".join(words)


def write_known(cells, known, ran, quick=False):
    """known-failures.txt: the failing cells of this run, plus listed cells
    this run did not cover (--only, --quick).  The reason is written anew:
    the first failing variant and how its diagnosis differs."""
    out = {}
    for key, why in known.items():
        if key not in ran:
            out[key] = why
    for key, c in cells.items():
        if quick and key in known and c["total"] > 1 and c["passed"] == c["total"]:
            out[key] = known[key]       # not all variants were run
        elif c["passed"] < c["total"]:
            v = c["first"][0]
            out[key] = "%d/%d%s: %s" % (c["passed"], c["total"],
                                        ", first " + v if v else "", c["guess"])
    with open(KNOWN, "w", encoding="utf-8") as f:
        f.write("# tests/robustness/known-failures.txt — cells of the robustness matrix that\n"
                "# fail today (TRANSFORM SCENARIO  # why).  run.sh fails on a failing cell\n"
                "# that is not listed and on a listed cell that passes; regenerate with\n"
                "# `tests/robustness/run.sh --update-known` after a rebuild.  Goal: empty.\n")
        for (t, s) in sorted(out, key=lambda k: (TRANSFORMS.index(k[0])
                                                if k[0] in TRANSFORMS else 99, k[1])):
            f.write("%-11s %-22s # %s\n" % (t, s, out[(t, s)]))


# --- main --------------------------------------------------------------------------

def scratch_dir():
    """$TMPDIR if set, else /dev/shm when writable (each import creates and
    syncs a database: tmpfs halves the run time), else the default."""
    if os.environ.get("TMPDIR"):
        return None
    if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK):
        return "/dev/shm"
    return None


def repro_cmd(binary, transform, variant, sc):
    spec = transform + (":" + variant if variant else "")
    return "tests/robustness/run.sh --bin %s --repro %s %s" % (binary, spec, sc.name)


def repro(binary, spec, name, all_sc):
    transform, _, variant = spec.partition(":")
    sc = [s for s in all_sc if s.name == name or s.short() == name]
    if not sc or transform not in TRANSFORMS:
        print("repro: no scenario %r or transform %r" % (name, transform), file=sys.stderr)
        return 2
    sc = sc[0]
    d = tempfile.mkdtemp(prefix="tw-robustness-repro.")
    paths, exp, rule, host = make_inputs(transform, variant, sc, all_sc, d)
    db = os.path.join(d, "tw.db")
    for p in paths:
        cmd = [binary, "import", "--db", db, "--year", str(sc.year)] + sc.args + [p]
        print("$ " + " ".join(cmd))
        subprocess.run(cmd)
    q = "SELECT hostname, tunnel, symptom, root_cause, summary FROM v_incidents"
    print("$ sqlite3 %s '%s'" % (db, q))
    subprocess.run(["sqlite3", "-batch", db, q])
    print("expected (%s%s): %s" % (rule, ", only hosts *" + host if host else "",
                                   expected_text(exp, rule, sc)))
    print("input and database kept in " + d)
    return 0


def main(argv):
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only", action="append", default=[])
    ap.add_argument("--update-known", action="store_true")
    ap.add_argument("--repro", nargs=2, metavar=("TRANSFORM[:VARIANT]", "SCENARIO"))
    ap.add_argument("--jobs", type=int, default=int(os.environ.get("TW_ROBUSTNESS_JOBS", "2")))
    a = ap.parse_args(argv)

    all_sc = discover()
    if a.repro:
        return repro(a.bin, a.repro[0], a.repro[1], all_sc)
    scs = [s for s in all_sc if not a.only or s.name in a.only or s.short() in a.only]
    if not scs:
        print("robustness: no scenario (tests/fixtures/**/NAME.expect)", file=sys.stderr)
        return 2
    t0 = time.time()
    tmp = tempfile.mkdtemp(prefix="tw-robustness.", dir=scratch_dir())
    jobs = []
    for sc in scs:
        for t in TRANSFORMS:
            for v in variants(t, sc, a.quick):
                jobs.append((a.bin, t, v, sc, all_sc, tmp))
    cells = {}
    for sc in scs:
        for t in TRANSFORMS:
            cells[(t, sc.name)] = {"passed": 0, "total": 0, "first": None, "guess": ""}
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, a.jobs)) as ex:
            results = list(ex.map(run_variant, jobs))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    order = {id(j): i for i, j in enumerate(jobs)}
    results.sort(key=lambda r: order[id(r[0])])
    for job, ok, exp, rule, got in results:
        _, t, v, sc, _, _ = job
        c = cells[(t, sc.name)]
        c["total"] += 1
        if ok:
            c["passed"] += 1
        elif c["first"] is None:
            c["first"] = (v, exp, rule, got, sc)
            c["guess"] = guess(exp, got) if rule == "exact" else "cut past decisive: " + got
    wall = time.time() - t0

    known = read_known()
    ran = set(cells)
    passed = failed = 0
    unexpected, now_passing = [], []
    table = []
    for t in TRANSFORMS:
        row = [t]
        for sc in scs:
            c = cells[(t, sc.name)]
            key = (t, sc.name)
            frac = "%d/%d" % (c["passed"], c["total"])
            if c["passed"] == c["total"]:
                passed += 1
                cell = "ok"
                if key in known:
                    now_passing.append(key)
                    cell = "ok (xpass)"
            else:
                failed += 1
                bad = frac if c["total"] > 1 else "FAIL"
                if key in known:
                    cell = "xfail " + (frac if c["total"] > 1 else "")
                else:
                    cell = bad
                    unexpected.append(key)
            row.append(cell.strip())
        table.append(row)
    table.insert(0, ["transform"] + [s.short() for s in scs])
    widths = [max(len(r[j]) for r in table) + 2 for j in range(len(table[0]))]
    for row in table:
        print("".join("%-*s" % (w, c) for w, c in zip(widths, row)).rstrip())
    print("scenarios: " + ", ".join("%s = %s" % (s.short(), os.path.relpath(s.log, ROOT))
                                    for s in scs))
    print("robustness: %d passed, %d failed" % (passed, failed))
    print("robustness: %d imports in %.1f s wall (%d jobs)%s" % (
        len(jobs), wall, a.jobs, ", --quick" if a.quick else ""))
    for t in TRANSFORMS:
        for sc in scs:
            c = cells[(t, sc.name)]
            if c["first"] is None:
                continue
            v, exp, rule, got, _ = c["first"]
            tag = "xfail" if (t, sc.name) in known else "FAIL"
            print("%s %s %s%s (%d/%d): expected %s, got %s; reproduce: %s" % (
                tag, t, sc.name, " [" + v + "]" if v else "", c["passed"], c["total"],
                expected_text(exp, rule, sc), got, repro_cmd(a.bin, t, v, sc)))
    rc = 0
    if a.update_known:
        write_known(cells, known, ran, a.quick)
        print("robustness: %s rewritten (%d failing cells)" % (
            os.path.relpath(KNOWN, ROOT), failed))
        return 0
    for key in now_passing:
        if a.quick and cells[key]["total"] > 1:
            print("robustness: %s %s passes in --quick (not all variants run)" % key)
            continue
        print("now passing: remove from known-failures: %s %s" % key)
        rc = 1
    for key in unexpected:
        print("robustness: unexpected failure (not in known-failures.txt): %s %s" % key)
        rc = 1
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
