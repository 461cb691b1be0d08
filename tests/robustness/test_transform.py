#!/usr/bin/env python3
"""tests/robustness/test_transform.py — the transforms' own tests, on the
real fixtures: what each transform must keep and what it must change.
run.sh runs these before the matrix (`run.sh --self-test` only these)."""

import collections
import datetime as dt
import os
import re
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.join(HERE, "..", "fixtures")
sys.path.insert(0, HERE)
import transform as tf  # noqa: E402

Y = 2026
FILES = ["real/up.log", "real/dpd.log", "real/pfs.log", "real/psk.log",
         "guide_dpd.log", "guide_pfs.log", "guide_delete.log"]
RFC5424_RE = re.compile(r"^<(\d+)>1 (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\+00:00 (\S+) (\S+) (\S+) - - (.*)$")


def load(name):
    return tf.read_lines(os.path.join(FIX, name))


def norm(rest):
    """A line's text with device names and system-ip blanked out."""
    return re.sub(r"system-ip:\S+", "system-ip:X", re.sub(r"([A-Za-z])\d\d\b", r"\1NN", rest))


def times(lines):
    return [tf.Line(x, Y).time for x in lines]


class Transforms(unittest.TestCase):
    def each(self):
        for name in FILES:
            with self.subTest(fixture=name):
                yield name, load(name)

    def test_every_fixture_line_has_a_header(self):
        for name, lines in self.each():
            self.assertTrue(all(tf.Line(x, Y).ok for x in lines), name)

    def test_format_gives_the_line_back(self):
        for _, lines in self.each():
            self.assertEqual([tf.Line(x, Y).format() for x in lines], lines)

    def test_dup_doubles_each_line_in_place(self):
        for _, lines in self.each():
            out = tf.dup(lines)
            self.assertEqual(len(out), 2 * len(lines))
            self.assertEqual(out[0::2], lines)
            self.assertEqual(out[1::2], lines)

    def test_shuffle_keeps_lines_and_seconds(self):
        for _, lines in self.each():
            moved = 0
            for seed in (1, 2, 3, 4, 5):
                out = tf.shuffle(lines, seed, Y)
                self.assertEqual(collections.Counter(out), collections.Counter(lines))
                self.assertEqual(times(out), times(lines))   # per-second grouping
                moved += out != lines
                self.assertEqual(out, tf.shuffle(lines, seed, Y))   # seeded
            if len(lines) > 20:
                self.assertGreater(moved, 0)

    def test_cut_starts_at_line_k(self):
        lines = load("real/dpd.log")
        for k in range(len(lines)):
            self.assertEqual(tf.cut(lines, k), lines[k:])

    def test_split_halves(self):
        for _, lines in self.each():
            a, b = tf.split(lines)
            self.assertEqual(a + b, lines)
            self.assertLessEqual(abs(len(a) - len(b)), 1)

    def test_mangle10_prepends_one_letter_on_a_tenth(self):
        for _, lines in self.each():
            out = tf.mangle10(lines, 1, Y)
            self.assertEqual(len(out), len(lines))
            changed = [(a, b) for a, b in zip(lines, out) if a != b]
            self.assertEqual(len(changed), max(1, round(len(lines) / 10)))
            for a, b in changed:
                la, lb = tf.Line(a, Y), tf.Line(b, Y)
                self.assertEqual(lb.host[1:], la.host)
                self.assertTrue(lb.host[0].isupper())
                self.assertEqual((lb.time, lb.rest, lb.pre), (la.time, la.rest, la.pre))

    def test_mangle1st_only_first(self):
        lines = load("real/dpd.log")
        out = tf.mangle1st(lines, Y)
        self.assertEqual(out[1:], lines[1:])
        self.assertEqual(tf.Line(out[0], Y).host, "Lvedge01")
        self.assertTrue(out[0].startswith("<46>Nov 27 03:37:55 Lvedge01 rsyslogd: "))

    def test_rfc5424_keeps_time_host_pri_and_message(self):
        for _, lines in self.each():
            for a, b in zip(lines, tf.rfc5424(lines, Y)):
                m = RFC5424_RE.match(b)
                self.assertIsNotNone(m, b)
                la = tf.Line(a, Y)
                self.assertEqual(dt.datetime.fromisoformat(m.group(2)), la.time)
                self.assertEqual(int(m.group(1)), la.pri())
                self.assertEqual(m.group(3), la.host)
                self.assertTrue(la.rest.startswith(m.group(4)))
                self.assertTrue(la.rest.endswith(m.group(6)))

    def test_rfc5424_tag_and_pid(self):
        out = tf.rfc5424(["Jun 18 00:31:17 vedge01 FTMD[1472]: %Viptela-x VPN 1 Interface ipsec2 DOWN",
                          "daemon.info: Apr 27 05:12:56 vedge01 charon: 16[IKE] no acceptable proposal found",
                          "<86>Nov 27 03:37:57 vedge01 charon: 16[IKE] initiating IKE_SA ipsec2_1[1] to 203.0.113.1"], Y)
        self.assertEqual(out, [
            "<30>1 2026-06-18T00:31:17+00:00 vedge01 FTMD 1472 - - %Viptela-x VPN 1 Interface ipsec2 DOWN",
            "<30>1 2026-04-27T05:12:56+00:00 vedge01 charon - - - 16[IKE] no acceptable proposal found",
            "<86>1 2026-11-27T03:37:57+00:00 vedge01 charon - - - 16[IKE] initiating IKE_SA ipsec2_1[1] to 203.0.113.1"])

    def test_busybox_form(self):
        out = tf.busybox(["<86>Nov 27 03:37:57 vedge01 charon: 16[IKE] initiating IKE_SA ipsec2_1[1] to 203.0.113.1",
                          "daemon.info: Apr 27 05:12:56 vedge01 charon: 16[IKE] no acceptable proposal found",
                          "Jun 18 00:31:17 vedge01 FTMD[1472]: VPN 1 Interface ipsec2 DOWN"], Y)
        self.assertEqual(out, [
            "Nov 27 03:37:57 vedge01 authpriv.info charon: 16[IKE] initiating IKE_SA ipsec2_1[1] to 203.0.113.1",
            "Apr 27 05:12:56 vedge01 daemon.info charon: 16[IKE] no acceptable proposal found",
            "Jun 18 00:31:17 vedge01 daemon.info FTMD[1472]: VPN 1 Interface ipsec2 DOWN"])
        for _, lines in self.each():
            for a, b in zip(lines, tf.busybox(lines, Y)):
                la, lb = tf.Line(a, Y), tf.Line(b, Y)
                self.assertEqual((lb.time, lb.host, lb.pre), (la.time, la.host, ""))
                self.assertEqual(lb.rest.split(" ", 1)[1], la.rest)

    def test_interleave_nine_devices(self):
        files = [load(n) for n in FILES] + [load("real/dpd.log"), load("guide_dpd.log")]
        merged, maps = tf.interleave(files, Y, 11)
        self.assertEqual(len(merged), sum(len(f) for f in files))
        parsed = [tf.Line(x, Y) for x in merged]
        hosts = collections.Counter(p.host for p in parsed)
        for i, f in enumerate(files):
            dev = "vedge%02d" % (11 + i)
            self.assertEqual(maps[i]["vedge01"], dev)
            mine = [p for p in parsed if p.host.endswith(dev)]
            self.assertEqual(len(mine), len(f))
            # each device's lines in its file's order, shifted by one offset
            orig = [tf.Line(x, Y) for x in f]
            self.assertEqual([norm(p.rest) for p in mine], [norm(o.rest) for o in orig])
            shifts = {p.time - o.time for p, o in zip(mine, orig)}
            self.assertEqual(len(shifts), 1)
            self.assertEqual(max(p.time for p in mine), max(p.time for p in parsed
                                                           if p.host.endswith("vedge11")))
        self.assertEqual(sum(hosts.values()), len(merged))
        # FTMD host-name and system-ip unique per device
        sysips = collections.defaultdict(set)
        for p in parsed:
            m = re.search(r"system-ip:(\S+)", p.rest)
            if m:
                sysips[m.group(1)].add(p.host[-7:])
        self.assertTrue(sysips)
        self.assertTrue(all(len(v) == 1 for v in sysips.values()), sysips)
        self.assertFalse([p for p in parsed if 'host-name:"vedge01"' in p.rest])
        # merged in time order, except within an out-of-order source file
        in_order = [p.time for p in parsed if not p.host.endswith(("vedge15", "vedge19"))]
        self.assertTrue(in_order == sorted(in_order), "merged lines out of time order")


@unittest.skipUnless(os.environ.get("TW_BIN"), "TW_BIN not set")
class AsTunnelwatchParsesThem(unittest.TestCase):
    """The RFC 5424 rewrite as the collector reads it: the same device
    time, host, PRI (where the original has one), program, message and
    kind as the original line."""

    def parse(self, lines):
        import json
        import subprocess
        r = subprocess.run([os.environ["TW_BIN"], "parse", "--year", str(Y), "-"],
                           input="".join(x + "\n" for x in lines).encode(),
                           stdout=subprocess.PIPE, check=True)
        keys = ("device_time", "hostname", "pri", "program", "msg", "kind")
        return [tuple(json.loads(x).get(k) for k in keys) for x in r.stdout.decode().splitlines()]

    def test_rfc5424_same_fields(self):
        for name in FILES:
            with self.subTest(fixture=name):
                lines = load(name)
                got, want = self.parse(tf.rfc5424(lines, Y)), self.parse(lines)
                self.assertEqual(len(got), len(want))
                for g, w in zip(got, want):
                    if w[2] is None:        # no PRI in the original: daemon.info added
                        g = g[:2] + (None,) + g[3:]
                    self.assertEqual(g, w)


if __name__ == "__main__":
    unittest.main(verbosity=0)
