#!/usr/bin/env bash
# The command line as a new user meets it (issue #15, first-run friction;
# the options table in base/options.c): `help` lists the commands, each
# `COMMAND --help` is short and names only its own flags with defaults, a
# typo gets a "did you mean", a flag of another command, an abbreviation
# and a stray argument are refused in a few lines naming the problem,
# durations need a unit, fatal errors say "error:", and the exit codes
# are 0 for help, 2 for a usage error.
. "$(dirname "$0")/lib.sh"
cd "$T"

# expect_fail WANT_TEXT ARGS...: exit 2, at most 3 lines on stderr, naming WANT_TEXT.
expect_fail() {
	local want=$1 rc=0
	shift
	"$TW_BIN" "$@" >out.txt 2>err.txt || rc=$?
	[ "$rc" -eq 2 ] || { cat err.txt; fail "'$*': exit $rc, expected 2"; }
	[ ! -s out.txt ] || { cat out.txt; fail "'$*': wrote to stdout"; }
	[ "$(wc -l <err.txt)" -le 3 ] || { cat err.txt; fail "'$*': more than 3 lines"; }
	grep -qF -- "$want" err.txt || { cat err.txt; fail "'$*': no '$want'"; }
	grep -q "error:" err.txt || { cat err.txt; fail "'$*': not labelled error:"; }
	if grep -q "warning:" err.txt; then cat err.txt; fail "'$*': labelled warning:"; fi
	ok "$* -> $(head -n 1 err.txt)"
}

# help: the commands and where their options are, short, exit 0.
"$TW_BIN" help >help.txt || fail "help exit $?"
for c in serve import parse report tunnels incidents timeline; do
	grep -q "^  $c " help.txt || fail "help lacks $c"
done
grep -q -- "--help" help.txt || fail "help does not point at COMMAND --help"
[ "$(wc -l <help.txt)" -le 20 ] || fail "help is $(wc -l <help.txt) lines"
ok "help: $(wc -l <help.txt) lines"

# Each command's --help (and help COMMAND, and -h): its own flags only.
for c in serve import parse report tunnels incidents timeline; do
	"$TW_BIN" "$c" --help >"h_$c.txt" || fail "$c --help exit $?"
	"$TW_BIN" help "$c" | cmp -s - "h_$c.txt" || fail "help $c differs from $c --help"
	"$TW_BIN" "$c" -h | cmp -s - "h_$c.txt" || fail "$c -h differs from $c --help"
	head -n 1 "h_$c.txt" | grep -q "^usage: tunnelwatch $c " || fail "$c --help: usage line"
	# serve has the most flags (TLS, docs/tls.md; alerts; the web view;
	# RELP and the spool): 50.
	max=40; [ "$c" != serve ] || max=50
	[ "$(wc -l <"h_$c.txt")" -lt $max ] || fail "$c --help is $(wc -l <"h_$c.txt") lines"
	ok "$c --help: $(wc -l <"h_$c.txt") lines"
done
grep -q -- "--udp HOST:PORT" h_serve.txt || fail "serve --help lacks --udp"
grep -q -- "--stuck-after DUR .*(default 5m)" h_serve.txt || fail "serve --help: --stuck-after default"
grep -q -- "--flap-count N .*(default 3 flaps; 1..1000)" h_serve.txt || fail "serve --help: --flap-count range"
grep -q -- "--max-frame SIZE .*(default 64K bytes" h_serve.txt || fail "serve --help: --max-frame unit"
grep -q -- "--since" h_serve.txt && fail "serve --help shows --since"
grep -q -- "--year YYYY" h_import.txt || fail "import --help lacks --year"
grep -q -- "--udp" h_import.txt && fail "import --help shows --udp"
grep -q -- "--since PERIOD" h_report.txt || fail "report --help lacks --since"
grep -q -- "--stuck-after" h_report.txt && fail "report --help shows --stuck-after"
grep -q -- "--window DUR .*(default 15m)" h_timeline.txt || fail "timeline --help: --window"
grep -q -- "--db" h_parse.txt && fail "parse --help shows --db"
ok "per-command help names its own flags"

# Typos, foreign flags, abbreviations, stray arguments.
expect_fail "unknown option '--stuck-afte' (did you mean --stuck-after?)" serve --stuck-afte 5m
expect_fail "(did you mean --since?)" report --sinse 24h
expect_fail "--udp is not an option of report (it is one of serve)" report --udp 127.0.0.1:1
expect_fail "--since is not an option of tunnels" tunnels --since 24h
expect_fail "--db is not an option of parse" parse --db x.db
expect_fail "did you mean --stuck-after?" import --stuck 5m
expect_fail "unexpected argument 'yesterday' (report takes no arguments)" report --since 24h yesterday
expect_fail "unexpected argument 'x'" tunnels x
expect_fail "unknown command 'imprt'" imprt x.log
expect_fail "--json takes no value" tunnels --json=1
# Bad values name the option, the value and what is expected.
expect_fail "--year: bad value '26' (expected a 4-digit year 1970..9999)" import --year 26 x.log
expect_fail "--since: bad value '24' (expected a duration with a unit" report --since 24
expect_fail "--lateness: bad value '120'" serve --lateness 120
expect_fail "--flap-count: bad value '5000' (expected an integer 1..1000)" serve --flap-count 5000
expect_fail "--fleet-min-devices: bad value '1' (expected an integer 2..100000)" import --fleet-min-devices 1
expect_fail "--window: bad value '5'" timeline --device d --tunnel t --window 5
expect_fail "--lateness: missing value" serve --lateness
[ ! -e tunnelwatch.db ] || fail "a refused command created a database"

# The config file goes through the same table: same ranges, same words.
printf '{"flap_count": 5000}\n' >bad.json
expect_fail "bad.json: flap_count: bad value '5000' (expected an integer 1..1000)" import --config bad.json x.log
printf '{"stuck_afterr": "5m"}\n' >typo.json
expect_fail "unknown key \"stuck_afterr\" (did you mean \"stuck_after\"?)" import --config typo.json x.log
printf '{"lateness": 120}\n' >bare.json
expect_fail "lateness: bad value '120' (expected a duration with a unit" import --config bare.json x.log

# What used to work still does: a flag after the files, --opt=value, the config then flags.
printf '<30>Nov 27 02:29:03 vedge01 charon: 16[IKE] initiating IKE_SA ipsec2_1[7] to 198.51.100.1\n' >a.log
printf '{"db": "fromfile.db", "stuck_after": "10m"}\n' >good.json
"$TW_BIN" import --config good.json a.log --year=2024 --db "$DB" 2>imp.txt || { cat imp.txt; fail "import"; }
[ -e "$DB" ] && [ ! -e fromfile.db ] || fail "--db did not override the file's db"
"$TW_BIN" tunnels --db "$DB" --json >/dev/null || fail "tunnels --json"
"$TW_BIN" report --db "$DB" --since 24h --format json >/dev/null || fail "report --since 24h"
ok "import with the config, then flags; tunnels and report"
# A failure that stops a command is an error, not a warning.
rc=0; "$TW_BIN" serve --db "$T/no/such/dir/x.db" --udp 127.0.0.1:0 --tcp 127.0.0.1:0 2>fatal.txt || rc=$?
[ "$rc" -ne 0 ] || fail "serve with an unopenable database exited 0"
grep -q "error: database: " fatal.txt || { cat fatal.txt; fail "serve: database failure not labelled error:"; }
rc=0; "$TW_BIN" import --db "$T/no/such/dir/x.db" a.log 2>fatal.txt || rc=$?
[ "$rc" -ne 0 ] || fail "import with an unopenable database exited 0"
grep -q "error: database: " fatal.txt || { cat fatal.txt; fail "import: database failure not labelled error:"; }
grep -q "warning: database" fatal.txt && fail "import: database failure labelled warning:"
ok "a fatal failure says error:"
"$TW_BIN" --version | grep -q "^tunnelwatch " || fail "--version"
ok "cli help and errors"
# A missing database to a reading command: named, with the hint, labelled error:, nothing created.
for c in tunnels incidents report; do
	rc=0; "$TW_BIN" "$c" --db "$T/absent.db" >/dev/null 2>missing.txt || rc=$?
	eq "$rc" "1" "$c with a missing database: exit status"
	grep -q "error: $c: $T/absent.db: no such database; give --db PATH" missing.txt ||
		{ cat missing.txt; fail "$c: a missing database without the hint"; }
	[ ! -e "$T/absent.db" ] || fail "$c created the missing database"
done
ok "a missing database is named, with a hint"
