#!/usr/bin/env bash
# check.sh — the rooms of docs/architecture.md, checked from the sources:
# every quoted #include names a header of the file's own room or of a
# lower one, and the rooms before storage/ never touch SQLite.  The build
# enforces the first already (include directories follow the library
# chain); this check also names the offending line and covers the
# headers, and it fails when a folder appears that is not a room.
# Usage: check.sh SOURCE_DIR
set -u
top=${1:-.}
rooms=(base server parse diagnose storage report alert web cmd)
declare -A rank
for i in "${!rooms[@]}"; do rank[${rooms[$i]}]=$i; done

declare -A home
for r in "${rooms[@]}"; do
	for h in "$top/$r"/*.h "$top/$r"/*.c; do
		[ -e "$h" ] && home[$(basename "$h")]=$r
	done
done

bad=0
for r in "${rooms[@]}"; do
	for f in "$top/$r"/*.[ch]; do
		[ -e "$f" ] || continue
		while IFS= read -r line; do
			n=${line%%:*}
			inc=$(sed -n "${n}p" "$f" | sed 's/.*#include "\([^"]*\)".*/\1/')
			h=${home[$inc]:-}
			if [ -z "$h" ]; then
				echo "$r/$(basename "$f"):$n: includes \"$inc\", which is in no room"
				bad=1
			elif [ "${rank[$h]}" -gt "${rank[$r]}" ]; then
				echo "$r/$(basename "$f"):$n: includes $h/$inc: $h is above $r"
				bad=1
			fi
		done < <(grep -n '^#include "' "$f")
		# OpenSSL stays in the network room (docs/tls.md).
		if [ "$r" != server ] && grep -n '#include <openssl/' "$f" >/dev/null; then
			echo "$r/$(basename "$f"): includes OpenSSL; only server/ does TLS"
			bad=1
		fi
		# So does librelp (server/relp.c, docs/operations.md "RELP").
		if [ "$r" != server ] && grep -n '#include <librelp.h>' "$f" >/dev/null; then
			echo "$r/$(basename "$f"): includes librelp; only server/ speaks RELP"
			bad=1
		fi
		case $r in
		base|server|parse|diagnose)
			if grep -n 'sqlite3' "$f" >/dev/null; then
				echo "$r/$(basename "$f"): mentions sqlite3; only storage/ and above use the database"
				bad=1
			fi ;;
		esac
	done
done
# Code folders at the top are rooms, or known non-code folders.
for d in "$top"/*/; do
	[ -e "$d/CMakeCache.txt" ] && continue      # a build directory (generated C)
	d=$(basename "$d")
	case " ${rooms[*]} schema deploy docs tests cmake " in
	*" $d "*) ;;
	*) if ls "$top/$d"/*.c >/dev/null 2>&1; then
		echo "$d/: C sources outside the rooms"; bad=1; fi ;;
	esac
done
[ $bad -eq 0 ] && echo "rooms: every include goes down (${rooms[*]})"
exit $bad
