#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Sourced by the guest's daemon tests (daemon_e2e.sh, daemon_audit.sh),
# not a test itself: driving the daemon and VMs that count in slices.
# Uses $CG (the cgroup2 root), $T (the test's scratch directory) and
# $VPMUCTL (how to run vpmuctl; default "vpmuctl").
#   reloads              the daemon's completed reloads (vpmuctl status)
#   wait_reload N        wait until a reload after the N-th has finished
#   vm NAME CGROUP [N]   start tools/vm_count (N slices, default 5) in
#                        CGROUP, output in $T/NAME.out, pid added to $vms;
#                        it waits for $T/NAME/go.I before slice I > 0
#   slice NAME I [cycles] INST_RETIRED (or CPU_CYCLES) of slice I, once
#                        printed
#   expect NAME          the exact count of an allowed INST_RETIRED
# put NAME JSON: write tenants.d/NAME.json as administrators do (a
# temporary name, then rename), so the daemon never reads half a file.
put() { echo "$2" >"$ETC/tenants.d/.$1.tmp" && mv "$ETC/tenants.d/.$1.tmp" "$ETC/tenants.d/$1.json"; }
reloads() { ${VPMUCTL:-vpmuctl} --json status | sed -n 's/.*"reloads":\([0-9]*\).*/\1/p'; }
wait_reload()
{
	i=0
	while [ $i -lt 100 ]; do
		[ "$(reloads)" -gt "$1" ] && return 0
		i=$((i + 1))
		sleep 0.1
	done
	return 1
}
vm()
{
	sh -c "echo \$\$ >$CG/$2/cgroup.procs && exec /tests/tools/vm_count ${3:-5} $T/$1" \
		>$T/$1.out 2>&1 &
	vms="$vms $!"
}
slice()
{
	i=0
	while [ $i -lt 600 ]; do
		v=$(sed -n "s/^slice $2 inst \([0-9]*\) cycles \([0-9]*\) .*/\1 \2/p" $T/$1.out)
		if [ -n "$v" ]; then
			[ "$3" = cycles ] && echo "${v#* }" || echo "${v% *}"
			return 0
		fi
		i=$((i + 1))
		sleep 0.1
	done
	echo "timeout"
	cat $T/$1.out >&2
	return 1
}
expect() { sed -n 's/.* expect \([0-9]*\)$/\1/p' $T/$1.out | head -1; }
