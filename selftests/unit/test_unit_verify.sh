#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# unit_verify: the shipped unit (systemd/vpmu-policyd.service.in, with
# SBINDIR pointing at the daemon built for this host) passes
# `systemd-analyze verify` on this host's systemd, with no unknown or
# deprecated setting.  The systemd end-to-end tests run it under Debian
# 12's systemd 252; the build host has bookworm-backports' 254.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
bin=${O:-$top/build}/daemon/x86_64
echo "TAP version 13"
if ! command -v systemd-analyze >/dev/null; then
	echo "1..0 # SKIP no systemd-analyze on this host"
	exit 0
fi
if [[ ! -x $bin/vpmu-policyd || ! -x $bin/vpmuctl ]]; then
	echo "1..0 # SKIP the daemon is not built ($bin)"
	exit 0
fi
echo "1..2"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
sed "s|@SBINDIR@|$bin|g" "$top/systemd/vpmu-policyd.service.in" \
	>"$dir/vpmu-policyd.service"
out=$(cd "$dir" && systemd-analyze verify --man=no ./vpmu-policyd.service 2>&1)
rc=$?
echo "$out" | sed 's/^/# /'
if ((rc == 0)); then
	echo "ok 1 - systemd-analyze verify accepts the unit ($(systemctl --version | head -1))"
else
	echo "not ok 1 - systemd-analyze verify rejects the unit (rc $rc)"
fi
if grep -qiE 'unknown|ignoring|deprecated' <<<"$out"; then
	echo "not ok 2 - the unit has settings this systemd does not know or deprecates"
else
	echo "ok 2 - no unknown, ignored or deprecated setting"
fi
