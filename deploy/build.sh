#!/usr/bin/env bash
# deploy/build.sh — install what is missing (Debian 12, as root) and build.
#
#   bash deploy/build.sh [--test] [BUILD_DIR [CMAKE ARGS...]]
#
# Installs only packages that are not installed yet, so a second run costs
# nothing.  --test adds what the test suite needs.  Sourced by
# deploy/quickstart.sh and tests/run-all.sh.
set -euo pipefail

tw_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

tw_install() {
	# tzdata: IANA time zones (timezone "Europe/Berlin"), read at start.
	# libsystemd-dev: sd_notify for the Type=notify unit.
	# libcurl (OpenSSL): alert webhooks over HTTP(S) (alert/deliver.c);
	# ca-certificates: the CA store their TLS checks against.
	# libssl-dev: TLS listeners (RFC 5425, server/tls.c).
	# librelp-dev: RELP listeners (serve --relp, server/relp.c): rsyslog's
	# librelp, the library omrelp itself uses.
	# libmicrohttpd-dev: the live web view's HTTP server (docs/web.md); also
	# the alert tests' receiver (tests/tools/twhook.c).
	# libpq-dev: the PostgreSQL backend (storage/db.c, docs/scale-out.md).
	local want=(build-essential cmake pkg-config libuv1-dev libsqlite3-dev
		libjansson-dev zlib1g-dev tzdata libsystemd-dev libcurl4-openssl-dev
		ca-certificates libssl-dev libmicrohttpd-dev libpq-dev librelp-dev)
	if [ "${1:-}" = "--test" ]; then
		want+=(libcriterion-dev sqlite3 clang libclang-rt-14-dev bsdutils
			procps iproute2 util-linux
			strongswan-charon strongswan-swanctl libstrongswan-standard-plugins
			libcharon-extra-plugins rsyslog nftables
			openssl rsyslog-openssl rsyslog-gnutls
			rsyslog-relp
			python3 libxml2-utils systemd cmark-gfm chromium
			postgresql)
	fi
	tw_apt_install "${want[@]}"
}

# tw_apt_install PKG...: installs those of PKG that are not installed yet
# (as root; without starting their daemons).  Also used by
# tests/bench/bench.sh for the benchmark's own packages.
tw_apt_install() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
			missing+=("$p")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		echo "installing: ${missing[*]}" >&2
		if [ "$(id -u)" -ne 0 ]; then
			echo "need root to install packages (or install them yourself)" >&2
			return 1
		fi
		export DEBIAN_FRONTEND=noninteractive
		# Packages such as rsyslog and strongSwan would start their
		# daemons on install; tests start what they need themselves.
		local norc=
		if [ ! -e /usr/sbin/policy-rc.d ]; then
			printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
			chmod +x /usr/sbin/policy-rc.d
			norc=1
		fi
		apt-get update -qq
		apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
			{ [ -z "$norc" ] || rm -f /usr/sbin/policy-rc.d; return 1; }
		[ -z "$norc" ] || rm -f /usr/sbin/policy-rc.d
	fi
}

# tw_put_on_path BUILD_DIR [PREFIX]: copies the built tunnelwatch into
# PREFIX/bin (default /usr/local, on root's and every user's PATH) and its
# man page into PREFIX/share/man/man8, so the quick start's next steps can
# say `tunnelwatch …` and `man tunnelwatch`.  A copy, not a link: the
# clone may move; running the quick start again refreshes it.
tw_put_on_path() {
	local dir=$1 prefix=${2:-/usr/local}
	if ! install -D -m 0755 "$dir/tunnelwatch" "$prefix/bin/tunnelwatch" 2>/dev/null; then
		echo "could not install $prefix/bin/tunnelwatch (not root?); use $dir/tunnelwatch" >&2
		return 0
	fi
	[ ! -f "$dir/tunnelwatch.8.gz" ] ||
		install -D -m 0644 "$dir/tunnelwatch.8.gz" "$prefix/share/man/man8/tunnelwatch.8.gz"
	echo "installed $prefix/bin/tunnelwatch" >&2
}

tw_build() {
	local dir=$1
	shift
	cmake -S "$tw_root" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
	cmake --build "$dir" -j"$(nproc)"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	test_deps=
	if [ "${1:-}" = "--test" ]; then
		test_deps=--test
		shift
	fi
	tw_install $test_deps
	tw_build "${1:-$tw_root/build}" "${@:2}"
fi
