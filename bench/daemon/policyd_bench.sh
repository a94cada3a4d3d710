#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# vpmu-policyd benchmarks, in the arm64 test guest (make bench).  Numbers,
# not a test; under QEMU TCG the absolute times are those of an emulated
# CPU, so compare runs on one machine, not with hardware.  The guest runs
# under -icount shift=0: the daemon's instructions retired are exact, and
# are what to compare with a real core (ms-eq: at 3e9 a second).
echo "1..1"
ETC=/etc/vpmu-policyd
B=/tests/tools/policyd_bench
LOG=/tmp/policyd.log
mkdir -p $ETC/tenants.d
printf '{ "default_action": "deny", "audit": "none" }\n' >$ETC/vpmu-policyd.json
now() { cut -d' ' -f1 /proc/uptime; }

echo "# bench: generating 10000 tenant files"
$B gen $ETC/tenants.d 10000
t0=$(now)
vpmu-policyd --oneshot >$LOG 2>&1 || { tail -5 $LOG; exit 1; }
t1=$(now)
echo "# bench: compile + load of 10000 tenants (fresh engine, vpmu-policyd --oneshot): $(echo "$t1 $t0" | awk '{ printf "%.2f s", $1 - $2 }')"
t0=$(now)
vpmuctl check --target arm64 $ETC/tenants.d/*.json >/dev/null 2>&1
t1=$(now)
echo "# bench: compile alone (vpmuctl check of the 10000 files): $(echo "$t1 $t0" | awk '{ printf "%.2f s", $1 - $2 }')"

# The running daemon, adopting that engine with its 10000 tenants.
vpmu-policyd >>$LOG 2>&1 &
pid=$!
i=0; while [ $i -lt 600 ] && [ "$(grep -c ': ready' $LOG)" -lt 1 ]; do sleep 0.1; i=$((i + 1)); done
$B vm 50 | sed "s/^/# bench: /"
# 1,000 VMs against the 10,000 tenants, then file -> enforced with them.
$B scale $ETC/tenants.d 1000 $pid | sed "s/^/# bench: /"
sleep 1
$B idle $pid 10 | sed "s/^/# bench: /"
kill $pid
sleep 0.3
vpmuctl unpin >/dev/null
echo "ok 1 - benchmarks ran"
