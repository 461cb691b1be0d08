#!/usr/bin/env bash
# The quick start (issue #15: tunnelwatch was not on the PATH afterwards and
# the README's next step needed sqlite3, which nothing installed): README.md
# still has exactly two commands in its quick start; deploy/quickstart.sh
# installs the sqlite3 shell and puts the built binary and its man page on
# the PATH (tw_put_on_path, run here into a scratch prefix), from where
# `tunnelwatch` runs by name.
. "$(dirname "$0")/lib.sh"
cd "$T"

# Exactly two commands between the quick start heading and "Then, ...".
n=$(awk '/^## Quick start/ { on = 1; next } /^Then, / { on = 0 } /^## / { on = 0 }
	on && /^    [^ ]/ { n++ } END { print n + 0 }' "$TW_SOURCE_DIR/README.md")
eq "$n" "2" "commands in README.md's quick start"
grep -q "^    bash deploy/quickstart.sh$" "$TW_SOURCE_DIR/README.md" || fail "README: quickstart.sh"

qs=$TW_SOURCE_DIR/deploy/quickstart.sh
grep -q '^tw_apt_install sqlite3$' "$qs" || fail "quickstart.sh does not install sqlite3"
grep -q '^tw_put_on_path "\$tw_root/build"$' "$qs" || fail "quickstart.sh does not put tunnelwatch on the PATH"
# Its order: install, build, put on the PATH, then run (exec) the collector.
eq "$(grep -nE '^(tw_install|tw_apt_install sqlite3|tw_build|tw_put_on_path|exec )' "$qs" |
	cut -d: -f2 | cut -d' ' -f1 | tr '\n' ' ')" "tw_install tw_apt_install tw_build tw_put_on_path exec " \
	"quickstart steps"

# tw_put_on_path itself, into a scratch prefix.
(
	# shellcheck source=deploy/build.sh
	. "$TW_SOURCE_DIR/deploy/build.sh"
	tw_put_on_path "$(dirname "$TW_BIN")" "$T/prefix"
) 2>put.log || { cat put.log; fail "tw_put_on_path"; }
[ -x "$T/prefix/bin/tunnelwatch" ] || fail "no $T/prefix/bin/tunnelwatch"
PATH=$T/prefix/bin:$PATH tunnelwatch --version | grep -q "^tunnelwatch " || fail "tunnelwatch by name"
if [ -f "$(dirname "$TW_BIN")/tunnelwatch.8.gz" ]; then
	zcat "$T/prefix/share/man/man8/tunnelwatch.8.gz" | grep -q '^.TH TUNNELWATCH 8' ||
		fail "man page not installed beside it"
fi
# Run again: refreshed in place, no error.
( . "$TW_SOURCE_DIR/deploy/build.sh"; tw_put_on_path "$(dirname "$TW_BIN")" "$T/prefix" ) 2>/dev/null ||
	fail "tw_put_on_path a second time"
ok "quick start: two commands; sqlite3 installed; tunnelwatch and its man page on the PATH"
