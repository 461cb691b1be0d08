#!/usr/bin/env bash
# deploy: a scratch build with the default install prefix (/usr/local) and
# debugging symbols, packaged with `cpack -G DEB`, gives a package rooted at
# /usr (issue #15: it used to follow the build's prefix) with a stripped
# binary, tunnelwatch(8), and a postinst that makes the tunnelwatch group
# and user; the .deb unpacked with `dpkg -x` into a scratch root holds
# the binary, the units, the report wrapper, the example configuration (also
# as the conffile /etc/tunnelwatch/tunnelwatch.json) and the docs; every unit
# passes `systemd-analyze verify` there, with no warning; the example
# configuration loads and documents every key the collector knows; the
# report wrapper writes dated, group-readable reports and keeps the last N;
# `cmake --install --prefix /usr` installs the same files, and into
# /usr/local names /usr/local paths in the units.
. "$(dirname "$0")/lib.sh"
cd "$T"

need() {   # need COMMAND PACKAGE: install PACKAGE when COMMAND is missing
	command -v "$1" >/dev/null && return 0
	if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
		export DEBIAN_FRONTEND=noninteractive
		apt-get install -y -qq --no-install-recommends "$2" >/dev/null 2>&1 ||
			{ apt-get update -qq >/dev/null 2>&1 &&
			apt-get install -y -qq --no-install-recommends "$2" >/dev/null 2>&1; } || true
	fi
	command -v "$1" >/dev/null
}
need cmake cmake || { echo "skip: cmake missing"; exit 77; }
need cpack cmake || { echo "skip: cpack missing"; exit 77; }
need dpkg-deb dpkg || { echo "skip: dpkg missing (not a Debian system)"; exit 77; }
need systemd-analyze systemd || { echo "skip: systemd-analyze missing and not installable"; exit 77; }
need python3 python3 || { echo "skip: python3 missing"; exit 77; }
need sqlite3 sqlite3 || { echo "skip: sqlite3 missing"; exit 77; }

# --- the package ------------------------------------------------------------
cmake -S "$TW_SOURCE_DIR" -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTW_TESTS=OFF \
	>cmake.log 2>&1 || { tail -20 cmake.log; fail "configure"; }
cmake --build build -j"$(nproc)" --target tunnelwatch tw_man >build.log 2>&1 ||
	{ tail -30 build.log; fail "build"; }
readelf -S build/tunnelwatch | grep -q "\.debug_info" ||
	fail "the build has no debugging symbols (the strip check below could not fail)"
(cd build && cpack -G DEB >../cpack.log 2>&1) || { tail -30 cpack.log; fail "cpack -G DEB"; }
deb=$(find build -maxdepth 1 -name 'tunnelwatch_*.deb' | head -1)
[ -n "$deb" ] || { ls build; fail "no .deb produced"; }
dpkg-deb --info "$deb" >info.txt || fail "dpkg-deb --info"
grep -q "Package: tunnelwatch" info.txt || fail "package name"
grep -q "Depends:.*libuv1" info.txt || { cat info.txt; fail "dependencies declared"; }
dpkg-deb --ctrl-tarfile "$deb" | tar -xOf - ./conffiles >conffiles 2>/dev/null ||
	fail "no conffiles in the package"
grep -qx "/etc/tunnelwatch/tunnelwatch.json" conffiles || fail "the configuration is a conffile"
dpkg-deb -c "$deb" | awk '{ print $6 }' >contents.txt
if grep -vE '^\./(usr/|etc/|$)' contents.txt || grep -q '^\./usr/local' contents.txt; then
	fail "the package is not rooted at /usr and /etc"
fi
grep -qx './usr/bin/tunnelwatch' contents.txt || fail "dpkg-deb -c: no /usr/bin/tunnelwatch"
grep -qx './usr/share/man/man8/tunnelwatch.8.gz' contents.txt || fail "dpkg-deb -c: no man page"
ok "cpack -G DEB from a /usr/local build directory: $(grep -c . contents.txt) entries, all under /usr and /etc"

# postinst: the group and the user, idempotent; run against stub commands.
dpkg-deb --ctrl-tarfile "$deb" | tar -xOf - ./postinst >postinst 2>/dev/null ||
	fail "no postinst in the package"
dpkg-deb --ctrl-tarfile "$deb" | tar -tvf - ./postinst | grep -q '^-rwxr-xr-x' ||
	fail "postinst is not executable"
mkdir -p stubs
for c in groupadd useradd systemctl; do
	printf '#!/bin/sh\necho "%s $*" >>"%s/calls"\n' "$c" "$T" >"stubs/$c"
done
printf '#!/bin/sh\n[ -e "%s/exists" ] && echo "tunnelwatch:x:999:"\n[ -e "%s/exists" ]\n' "$T" "$T" >stubs/getent
chmod +x stubs/*
PATH=$T/stubs:$PATH sh postinst configure || fail "postinst configure"
grep -qx "groupadd --system tunnelwatch" calls || { cat calls; fail "postinst: groupadd"; }
grep -q "^useradd --system --gid tunnelwatch .* tunnelwatch$" calls || { cat calls; fail "postinst: useradd"; }
: >calls; touch exists
PATH=$T/stubs:$PATH sh postinst configure || fail "postinst configure, second time"
[ ! -s calls ] || { cat calls; fail "postinst made an existing group or user again"; }
ok "postinst makes the tunnelwatch group and user once"

ROOT=$T/root
mkdir -p "$ROOT"
dpkg -x "$deb" "$ROOT" || fail "dpkg -x"
for f in usr/bin/tunnelwatch \
	usr/lib/systemd/system/tunnelwatch.service \
	usr/lib/systemd/system/tunnelwatch-report.service \
	usr/lib/systemd/system/tunnelwatch-report.timer \
	usr/libexec/tunnelwatch/tunnelwatch-report \
	etc/tunnelwatch/tunnelwatch.json \
	usr/share/doc/tunnelwatch/examples/tunnelwatch.example.json \
	usr/share/doc/tunnelwatch/copyright \
	usr/share/doc/tunnelwatch/deployment.md \
	usr/share/doc/tunnelwatch/report.md \
	usr/share/doc/tunnelwatch/querying.md \
	usr/share/doc/tunnelwatch/vedge-setup.md; do
	[ -e "$ROOT/$f" ] || { find "$ROOT" -type f | sort; fail "missing from the .deb: /$f"; }
done
[ -x "$ROOT/usr/bin/tunnelwatch" ] && [ -x "$ROOT/usr/libexec/tunnelwatch/tunnelwatch-report" ] ||
	fail "programs are executable"
"$ROOT/usr/bin/tunnelwatch" --version | grep -q "^tunnelwatch " || fail "packaged binary runs"
if readelf -S "$ROOT/usr/bin/tunnelwatch" | grep -qE "\.debug_info|\.symtab"; then
	fail "the packaged binary is not stripped"
fi
ok "the packaged binary is stripped ($(stat -c %s "$ROOT/usr/bin/tunnelwatch") bytes, build $(stat -c %s build/tunnelwatch))"
zcat "$ROOT/usr/share/man/man8/tunnelwatch.8.gz" >tunnelwatch.8 || fail "man page is not gzip"
if command -v groff >/dev/null; then
	groff -man -Tutf8 -ww -z tunnelwatch.8 2>groff.log || true
	[ ! -s groff.log ] || { cat groff.log; fail "groff warns on tunnelwatch.8"; }
	groff -man -Tutf8 tunnelwatch.8 2>/dev/null | sed 's/.\x08//g' >man.txt
	for w in "TUNNELWATCH(8)" "--stuck-after DUR" "--udp HOST:PORT" "--since PERIOD" "EXIT STATUS"; do
		grep -qF -- "$w" man.txt || fail "the rendered man page lacks '$w'"
	done
	ok "tunnelwatch(8) renders without warnings"
fi
grep -q "^ExecStart=/usr/bin/tunnelwatch serve " "$ROOT/usr/lib/systemd/system/tunnelwatch.service" ||
	fail "unit paths for prefix /usr"
ok ".deb built with cpack and unpacked with dpkg -x: binary, units, wrapper, config, docs"

# --- systemd-analyze verify, in the scratch root ------------------------
# The root needs the system's own units (sysinit.target, …) beside ours.
mkdir -p "$ROOT/usr/lib/systemd/system"
for u in /usr/lib/systemd/system/* /lib/systemd/system/*; do
	[ -e "$u" ] || continue
	n=$ROOT/usr/lib/systemd/system/$(basename "$u")
	[ -e "$n" ] || cp -r "$u" "$n"
done
[ -e "$ROOT/usr/lib/systemd/system/sysinit.target" ] ||
	{ echo "skip: this system has no systemd units (sysinit.target) to verify against"; exit 77; }
# Can systemd-analyze work here at all?  A minimal known-good unit says.
printf '[Service]\nExecStart=/usr/bin/tunnelwatch --version\n' \
	>"$ROOT/usr/lib/systemd/system/twprobe.service"
if ! systemd-analyze --root="$ROOT" verify --man=no twprobe.service >verify.out 2>&1; then
	echo "skip: systemd-analyze verify cannot run in this environment:"
	cat verify.out
	exit 77
fi
rm -f "$ROOT/usr/lib/systemd/system/twprobe.service"
for unit in tunnelwatch.service tunnelwatch-report.service tunnelwatch-report.timer; do
	systemd-analyze --root="$ROOT" verify --man=no "$unit" >verify.out 2>&1 ||
		{ cat verify.out; fail "systemd-analyze verify $unit"; }
	# Unknown keys and bad values are only warnings for systemd: none allowed.
	[ ! -s verify.out ] || { cat verify.out; fail "systemd-analyze verify $unit: warnings"; }
	echo "  $unit: verified"
done
# The check must be able to fail: a misspelt key is reported.
sed 's/^NoNewPrivileges=yes/NoNewPrivilege=yes/' \
	"$ROOT/usr/lib/systemd/system/tunnelwatch.service" >"$ROOT/usr/lib/systemd/system/twbad.service"
systemd-analyze --root="$ROOT" verify --man=no twbad.service >verify.out 2>&1 || true
grep -q "Unknown key" verify.out || { cat verify.out; fail "verify did not catch a bad key"; }
rm -f "$ROOT/usr/lib/systemd/system/twbad.service"
for key in Type=notify WatchdogSec=60s User=tunnelwatch Group=tunnelwatch \
	StateDirectory=tunnelwatch AmbientCapabilities=CAP_NET_BIND_SERVICE \
	CapabilityBoundingSet=CAP_NET_BIND_SERVICE ProtectSystem=strict ProtectHome=yes \
	PrivateTmp=yes NoNewPrivileges=yes "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX" \
	SystemCallFilter=@system-service; do
	grep -qx "$key" "$ROOT/usr/lib/systemd/system/tunnelwatch.service" ||
		fail "tunnelwatch.service lacks $key"
done
grep -q -- "--udp 0.0.0.0:514 --tcp 0.0.0.0:514 --db /var/lib/tunnelwatch/tunnelwatch.db --config /etc/tunnelwatch/tunnelwatch.json" \
	"$ROOT/usr/lib/systemd/system/tunnelwatch.service" || fail "serve command line"
grep -q "^OnCalendar=" "$ROOT/usr/lib/systemd/system/tunnelwatch-report.timer" || fail "timer"
grep -qx "StateDirectory=tunnelwatch tunnelwatch/reports" \
	"$ROOT/usr/lib/systemd/system/tunnelwatch-report.service" || fail "report service: reports folder"
grep -q "DynamicUser=yes" "$ROOT"/usr/lib/systemd/system/tunnelwatch*.service &&
	fail "DynamicUser= hides the state under /var/lib/private, unreadable by the group"
ok "systemd-analyze verify passes on every unit, without warnings"

# --- the configuration --------------------------------------------------------
"$ROOT/usr/bin/tunnelwatch" parse --config "$ROOT/etc/tunnelwatch/tunnelwatch.json" \
	</dev/null >/dev/null 2>err || { cat err; fail "the installed configuration loads"; }
# The keys are the second column of the options table's rows: { "flag", "key", OPT_T_...
keys_code=$(grep -oE '\{ ("[a-z0-9-]+"|NULL), "[a-z_0-9]+", OPT_T_' "$TW_SOURCE_DIR/base/options.c" |
	sed -E 's/.*, "([a-z_0-9]+)", OPT_T_/\1/' | sort -u || true)
python3 - "$ROOT/etc/tunnelwatch/tunnelwatch.json" "$keys_code" <<'EOF' ||
import json, sys
doc = json.load(open(sys.argv[1]))
code = set(sys.argv[2].split())
keys = {k for k in doc if not k.startswith("_")}
if len(code) < 10:   # the table's rows no longer look like { "flag", "key", OPT_T_
    sys.exit("could not list the keys from base/options.c's table")
missing = code - keys
undocumented = {k for k in keys if "_" + k not in doc}
if missing or undocumented:
    sys.exit(f"keys the collector knows but the example lacks: {sorted(missing)}; "
             f"keys without a '_' note: {sorted(undocumented)}")
EOF
	fail "the example configuration must show and document every key"
ok "example configuration loads and documents every key"

# --- the report wrapper ---------------------------------------------------------
printf 'Jun 18 00:31:22 vedge01 charon: 16[IKE] initiating IKE_SA ipsec2_1[7] to 10.10.10.1\n' \
	>one.log
"$ROOT/usr/bin/tunnelwatch" import --db "$DB" --year 2024 one.log 2>/dev/null ||
	fail "import for the wrapper"
for i in 1 2 3; do
	TW_BIN="$ROOT/usr/bin/tunnelwatch" TW_DB="$DB" TW_REPORTS="$T/reports" TW_KEEP=2 \
		TW_SINCE=2024-06-18/24h "$ROOT/usr/libexec/tunnelwatch/tunnelwatch-report" \
		>wrapper.log 2>&1 || { cat wrapper.log; fail "wrapper run $i"; }
	sleep 1.1   # names carry the second
done
eq "$(find reports -name 'tunnelwatch-report-2*Z.html' | wc -l)" "2" "keeps the last 2 HTML"
eq "$(find reports -name 'tunnelwatch-report-2*Z.json' | wc -l)" "2" "keeps the last 2 JSON"
[ -L reports/tunnelwatch-report-latest.html ] && [ -e reports/tunnelwatch-report-latest.json ] ||
	fail "latest symlinks"
newest=$(find reports -name 'tunnelwatch-report-2*Z.html' | sort | tail -1)
eq "$(readlink reports/tunnelwatch-report-latest.html)" "$(basename "$newest")" "latest is the newest"
python3 -c 'import json,sys; r = json.load(open(sys.argv[1])); assert r["tunnelwatch_report"] == 1' \
	reports/tunnelwatch-report-latest.json || fail "the JSON report"
if TW_BIN="$ROOT/usr/bin/tunnelwatch" TW_DB="$DB" TW_REPORTS="$T/reports" TW_KEEP=none \
	"$ROOT/usr/libexec/tunnelwatch/tunnelwatch-report" 2>/dev/null; then
	fail "a bad TW_KEEP is refused"
fi
if TW_BIN="$ROOT/usr/bin/tunnelwatch" TW_DB="$T/absent.db" TW_REPORTS="$T/reports2" \
	"$ROOT/usr/libexec/tunnelwatch/tunnelwatch-report" >/dev/null 2>&1; then
	fail "a failed report is an error"
fi
eq "$(stat -c %a "$newest")" "640" "reports are group-readable, not world-readable"
eq "$(stat -c %a reports)" "2750" "the reports folder: group may enter, setgid"
ok "report wrapper: dated HTML and JSON, 0640 in a 2750 folder, keeps the last N, latest symlinks"

# --- cmake --install --------------------------------------------------------
DESTDIR=$T/inst cmake --install build --prefix /usr >install.log 2>&1 ||
	{ cat install.log; fail "cmake --install"; }
(cd "$ROOT" && find . -type f -o -type l | grep -v '^./usr/lib/systemd/system/' | sort) >deb.list
(cd "$T/inst" && find . -type f -o -type l | grep -v '^./usr/lib/systemd/system/' | sort) >inst.list
diff deb.list inst.list || fail "cmake --install and the .deb install different files"
for u in tunnelwatch.service tunnelwatch-report.service tunnelwatch-report.timer; do
	[ -f "$T/inst/usr/lib/systemd/system/$u" ] || fail "cmake --install: $u"
done
DESTDIR=$T/local cmake --install build >install.log 2>&1 || { cat install.log; fail "cmake --install (/usr/local)"; }
grep -q "^ExecStart=/usr/local/bin/tunnelwatch serve .*--config /usr/local/etc/tunnelwatch/tunnelwatch.json" \
	"$T/local/usr/local/lib/systemd/system/tunnelwatch.service" || fail "units name the /usr/local paths"
[ -f "$T/local/usr/local/share/man/man8/tunnelwatch.8.gz" ] || fail "cmake --install: man page"
ok "cmake --install installs the same files; into /usr/local, the units name /usr/local"
