#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The metrics vpmu-policyd wrote in the arm64 guest, checked on the host
# with promtool (Debian's prometheus package, unpacked by make deps):
# daemon_e2e.sh prints its metrics file to the console between
# "# vpmu-metrics-begin" and "# vpmu-metrics-end", and this reads the
# last such block from the vm suites' console logs.  It runs after the vm
# suites (selftests/run.sh runs harness tests last).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
O=${O:-$here/../../build}
promtool=${VPMU_PROMTOOL:-${VPMU_CACHE:-/var/cache/vpmu-policy}/promtool/bin/promtool}
[[ -x $promtool ]] || promtool=$(command -v promtool || true)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "TAP version 13"
if [[ -z $promtool ]]; then
	echo "1..0 # SKIP no promtool (make deps unpacks it into /var/cache/vpmu-policy/promtool)"
	exit 0
fi
log=
for f in "$O"/logs/vm-*.console; do
	[[ -f $f ]] && grep -aq '^# vpmu-metrics-begin' "$f" && log=$f
done
if [[ -z $log ]]; then
	echo "1..0 # SKIP no metrics in $O/logs/vm-*.console (daemon_e2e.sh has not run: selftests/run.sh --only daemon_e2e.sh)"
	exit 0
fi
echo "1..3"
echo "# from $log ($(date -r "$log" '+%F %T'))"
# The last block; console lines may end in CR.
tr -d '\r' <"$log" | awk '
	/^# vpmu-metrics-begin$/ { n = 0; inside = 1; next }
	/^# vpmu-metrics-end$/ { inside = 0; next }
	inside { lines[n++] = substr($0, 3) }
	END { for (i = 0; i < n; i++) print lines[i] }' >"$tmp/vpmu-policyd.prom"
ok=0
[[ -s $tmp/vpmu-policyd.prom ]] || ok=1
echo "$([[ $ok = 0 ]] && echo ok || echo not ok) 1 - the guest's metrics file came out of the console log ($(wc -l <"$tmp/vpmu-policyd.prom") lines)"
if "$promtool" check metrics <"$tmp/vpmu-policyd.prom" >"$tmp/out" 2>&1; then
	echo "ok 2 - promtool check metrics accepts what vpmu-policyd wrote in the guest"
else
	echo "not ok 2 - promtool check metrics accepts what vpmu-policyd wrote in the guest"
	sed 's/^/# /' "$tmp/out"
fi
if grep -q '^vpmu_vms{tenant="p",state="enforced"} 1$' "$tmp/vpmu-policyd.prom" &&
   grep -q '^vpmu_guest_decisions{tenant="p",event="L1D_CACHE",verdict="denied"} [1-9]' "$tmp/vpmu-policyd.prom"; then
	echo "ok 3 - it has the preset tenant's VM and its denied L1D_CACHE"
else
	echo "not ok 3 - it has the preset tenant's VM and its denied L1D_CACHE"
fi
