#!/usr/bin/env bash
# deploy/quickstart.sh — install what is missing (and the sqlite3 shell the
# README's next step uses), build, put `tunnelwatch` on the PATH
# (/usr/local/bin, with its man page), and run the collector on its
# defaults: UDP and TCP on 127.0.0.1:5514, database ./tunnelwatch.db.
# Extra arguments go to `tunnelwatch serve` (e.g. --udp 0.0.0.0:514).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=deploy/build.sh
. "$here/build.sh"
tw_install
tw_apt_install sqlite3
tw_build "$tw_root/build"
tw_put_on_path "$tw_root/build"
exec "$tw_root/build/tunnelwatch" serve --db "${TW_DB:-$PWD/tunnelwatch.db}" "$@"
