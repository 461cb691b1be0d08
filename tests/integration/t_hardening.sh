#!/usr/bin/env bash
# Hardening (issue #17 item 8), each a fault found by probing:
#  - report_out_symlink: `report --out OUT` wrote through OUT.tmp.PID with
#    fopen, following a symlink planted there; now mkstemp + rename, and the
#    planted link's target is left alone.
#  - json_c1: a line holding U+009B (CSI) came out raw in timeline --json;
#    now \u009b.
. "$(dirname "$0")/lib.sh"
cd "$T"

printf 'Jun 18 10:00:00 vedge02 charon: 16[IKE] <ipsec3_1|5> csi\xc2\x9b31m here\n' >c1.log
printf 'Jun 18 10:00:01 vedge02 charon: 16[IKE] <ipsec3_1|5> received AUTHENTICATION_FAILED notify error\n' >>c1.log
"$TW_BIN" import --db "$DB" --year 2024 c1.log 2>import.log || { cat import.log; fail "import"; }

# --- report_out_symlink --------------------------------------------------
echo "precious" >victim
# sh's $$ is the PID that exec hands on to tunnelwatch: the old code's
# temporary name, taken by a symlink first.
sh -c 'ln -s "$1" "$2.tmp.$$"; exec "$3" report --db "$4" --since 2024-06-18/1d --out "$2"' \
	sh "$T/victim" "$T/out.html" "$TW_BIN" "$DB" 2>report.err || { cat report.err; fail "report"; }
eq "$(cat victim)" "precious" "a symlink planted at OUT.tmp.PID leaves its target alone"
[ -f out.html ] && [ ! -L out.html ] || fail "out.html is not a plain file"
grep -q '<html' out.html || fail "out.html is no report"
ok "report --out does not follow a planted symlink"
umask 022
"$TW_BIN" report --db "$DB" --since 2024-06-18/1d --out "$T/mode.html" 2>report.err ||
	{ cat report.err; fail "report"; }
eq "$(stat -c %a mode.html)" "644" "the report is made as fopen would (0666 less the umask)"
[ -z "$(ls "$T" | grep -E '^(out|mode)\.html\.[A-Za-z0-9]{6}$')" ] || fail "temporary files left: $(ls "$T")"
ok "report --out: umask mode, no temporary left"

# --- json_c1 ---------------------------------------------------------------
"$TW_BIN" timeline --db "$DB" --device vedge02 --tunnel ipsec3 \
	--around 2024-06-18T10:00:00Z --raw --json >tl.json 2>tl.err || { cat tl.err; fail "timeline"; }
grep -q 'csi' tl.json || fail "the line is not in the timeline: $(cat tl.json)"
if LC_ALL=C grep -q $'\xc2\x9b' tl.json; then fail "a raw U+009B in timeline --json"; fi
grep -qF 'csi\u009b31m' tl.json || fail "U+009B not escaped as \\u009b: $(grep csi tl.json)"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert any("\u009b" in json.dumps(x, ensure_ascii=False) for x in d)' tl.json ||
	fail "the escaped JSON does not read back to U+009B"
ok "timeline --json escapes C1 controls"
