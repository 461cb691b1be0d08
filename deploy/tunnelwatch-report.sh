#!/bin/sh
# tunnelwatch-report — write dated fleet reports into a folder and keep the
# last N of each format.  Run nightly by tunnelwatch-report.service; it can
# be run by hand too.  Installed as /usr/libexec/tunnelwatch/tunnelwatch-report.
#
# Settings (environment; the service sets them, /etc/default/tunnelwatch-report
# may override them):
#   TW_BIN      the tunnelwatch binary          (tunnelwatch, from PATH)
#   TW_DB       the database                    (/var/lib/tunnelwatch/tunnelwatch.db)
#   TW_REPORTS  the reports folder              (/var/lib/tunnelwatch/reports)
#   TW_SINCE    the period, as for --since      (24h)
#   TW_FORMATS  formats to write: html md json  ("html json")
#   TW_KEEP     reports kept per format         (30)
#
# Files: tunnelwatch-report-YYYYMMDDTHHMMSSZ.<format> (UTC time of the run,
# so names sort by date), and tunnelwatch-report-latest.<format>, a symlink
# to the newest.  Exit status: 0, or 1 when a report failed (the others
# are still written), 2 for a bad setting.
#
# Reports are group-readable, not world-readable (umask 027: files 0640,
# the folder 0750); the folder is made setgid so that reports written by
# hand (as root) get its group too, and the tunnelwatch group can read
# every one of them.
set -eu
umask 027

bin=${TW_BIN:-tunnelwatch}
db=${TW_DB:-/var/lib/tunnelwatch/tunnelwatch.db}
dir=${TW_REPORTS:-/var/lib/tunnelwatch/reports}
since=${TW_SINCE:-24h}
formats=${TW_FORMATS:-html json}
keep=${TW_KEEP:-30}

case $keep in
'' | *[!0-9]*) echo "tunnelwatch-report: TW_KEEP must be a number, not '$keep'" >&2; exit 2 ;;
esac
if [ "$keep" -lt 1 ]; then
	echo "tunnelwatch-report: TW_KEEP must be at least 1" >&2
	exit 2
fi
for fmt in $formats; do
	case $fmt in
	html | md | json) ;;
	*) echo "tunnelwatch-report: unknown format '$fmt' in TW_FORMATS" >&2; exit 2 ;;
	esac
done
mkdir -p -- "$dir"
# Only its owner may change the mode (the service's StateDirectory= made it).
[ ! -O "$dir" ] || chmod g+rxs,o-rwx -- "$dir"

stamp=$(date -u +%Y%m%dT%H%M%SZ)
rc=0
for fmt in $formats; do
	name=tunnelwatch-report-$stamp.$fmt
	# tunnelwatch writes FILE.tmp.PID and renames it: never half a report.
	if "$bin" report --db "$db" --since "$since" --format "$fmt" --out "$dir/$name"; then
		ln -sfn -- "$name" "$dir/tunnelwatch-report-latest.$fmt"
		echo "tunnelwatch-report: wrote $dir/$name"
	else
		echo "tunnelwatch-report: the $fmt report failed" >&2
		rc=1
	fi
	# Keep the newest $keep dated reports of this format (names sort by date).
	d8='[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]'
	d6='[0-9][0-9][0-9][0-9][0-9][0-9]'
	for f in "$dir"/tunnelwatch-report-${d8}T${d6}Z."$fmt"; do
		[ -e "$f" ] && printf '%s\n' "$f"
	done | sort -r | awk -v keep="$keep" 'NR > keep' |
		while IFS= read -r old; do
			rm -f -- "$old"
		done
done
exit $rc
