# tests/tools/pgtmp.sh — a throw-away PostgreSQL cluster for the tests that
# run against the PostgreSQL backend (docs/scale-out.md).  Sourced:
#
#   . tests/tools/pgtmp.sh
#   pgtmp_start DIR || exit 77     # sets PGTMP_URI (a libpq URI)
#   ...
#   pgtmp_stop                      # also from an EXIT trap
#
# The cluster lives in DIR/pg (initdb + pg_ctl from Debian's postgresql
# package), listens on a Unix socket in DIR only (listen_addresses = ''),
# trusts local connections, and has fsync off: it holds test data for a
# minute.  initdb refuses to run as root, so as root the cluster belongs to
# the `postgres` user the package creates and DIR is opened to it.
# Returns 1 (with a line on stderr) when PostgreSQL is not installed.

PGTMP_DIR=
PGTMP_URI=
PGTMP_AS=

pgtmp_bin() {
	local d
	for d in /usr/lib/postgresql/*/bin; do
		[ -x "$d/initdb" ] && { echo "$d"; return 0; }
	done
	return 1
}

pgtmp_run() {
	if [ -n "$PGTMP_AS" ]; then
		runuser -u "$PGTMP_AS" -- "$@"
	else
		"$@"
	fi
}

pgtmp_start() {
	local dir=$1 bin
	bin=$(pgtmp_bin) || { echo "pgtmp: PostgreSQL is not installed (apt-get install postgresql)" >&2; return 1; }
	PGTMP_DIR=$dir/pg
	mkdir -p "$PGTMP_DIR"
	if [ "$(id -u)" -eq 0 ]; then
		PGTMP_AS=postgres
		chmod 0755 "$dir"
		chown postgres: "$PGTMP_DIR"
	fi
	pgtmp_run "$bin/initdb" -D "$PGTMP_DIR/data" -U tw --auth=trust \
		--no-sync -E UTF8 --locale=C >"$PGTMP_DIR/initdb.log" 2>&1 ||
		{ echo "pgtmp: initdb failed:" >&2; tail -n 5 "$PGTMP_DIR/initdb.log" >&2; return 1; }
	pgtmp_up || return 1
	pgtmp_run "$bin/createdb" -h "$PGTMP_DIR" -U tw tw ||
		{ echo "pgtmp: createdb failed" >&2; return 1; }
	PGTMP_URI="postgresql://tw@/tw?host=$PGTMP_DIR"
	export PGTMP_URI
}

# pgtmp_down / pgtmp_up: stop the server (fast: sessions are cut) and
# start it again, for the tests of a server that goes away under a client.
pgtmp_down() {
	pgtmp_run "$(pgtmp_bin)/pg_ctl" -D "$PGTMP_DIR/data" -m fast -w stop >/dev/null
}
pgtmp_up() {
	pgtmp_run "$(pgtmp_bin)/pg_ctl" -D "$PGTMP_DIR/data" -l "$PGTMP_DIR/server.log" -w -t 60 \
		-o "-c listen_addresses='' -c unix_socket_directories='$PGTMP_DIR' -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
		start >/dev/null ||
		{ echo "pgtmp: server did not start:" >&2; tail -n 5 "$PGTMP_DIR/server.log" >&2; return 1; }
}

pgtmp_stop() {
	local bin
	[ -n "$PGTMP_DIR" ] && [ -d "$PGTMP_DIR/data" ] || return 0
	bin=$(pgtmp_bin) || return 0
	pgtmp_run "$bin/pg_ctl" -D "$PGTMP_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
	PGTMP_DIR=
}
