#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Sourced by the real-VMM tests in the systemd guest (e2e_qemu.sh,
# e2e_libvirt.sh), not a test itself.  Installed with the L2 guest at
# /usr/lib/vpmu-e2e/l2 by their .prepare script.
#
# The daemon:
#   vpmu_start           a host default of deny, audit of denials, then
#                        systemctl enable --now vpmu-policyd
#   tenant NAME MATCH DENY   write tenants.d/NAME.json: MATCH a match
#                        clause, every event allowed but DENY (a list)
#   vm_id PATTERN        the id of the VM whose cgroup matches PATTERN
#   map_has MAP ID       the engine's MAP holds an entry of VM ID (0),
#                        does not (1), cannot be dumped (2)
#   vm_gone ID           VM ID left vpmuctl vms and every per-VM map
# TAP:
#   check CMD TEXT     run CMD (eval); ok/not ok; on failure its output
#                      and the daemon's last journal lines as comments
#   skip TEXT REASON   a check that cannot run here, and why
# The L2 guest (Debian's kernel, l2/init) behind a console FIFO pair
# (QEMU's "pipe" chardev: DIR/con.in is the guest's input, DIR/con.out
# its output, copied to DIR/console by a reader):
#   l2_console DIR        make the FIFOs and start the reader; prints
#                         the QEMU arguments for that console
#   l2_wait_ready DIR S   until the guest's init says it is ready
#   l2_run DIR CMD        run CMD in the guest; its output on stdout;
#                         fails if the guest does not answer in L2_CMD_TIMEOUT s
#   l2_poweroff DIR PID   power the guest off; wait for QEMU (PID) to exit
#   l2_perf DIR EVENTS    `perf stat -x,` of the workload: "EVENT VALUE"
#                         lines, VALUE a count or what perf printed instead
L2=/usr/lib/vpmu-e2e/l2
L2_CMD_TIMEOUT=${L2_CMD_TIMEOUT:-300}
# The workload's user-space instructions (l2/workload.S).
L2_WORKLOAD_INSNS=2000005

n=0 failed=0
check()
{
	n=$((n + 1))
	if eval "$1" >/tmp/check.out 2>&1; then
		echo "ok $n - $2"
	else
		failed=$((failed + 1))
		echo "not ok $n - $2"
		sed 's/^/# /' /tmp/check.out | head -30
		journalctl -u vpmu-policyd --no-pager -n 8 | sed 's/^/#   /'
	fi
}
skip()
{
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2"
}

# The package of make deb, as in e2e_daemon (enabled, not started).
vpmu_install()
{
	dpkg -s vpmu-policyd >/dev/null 2>&1 ||
		dpkg -i /usr/local/lib/vpmu-test/vpmu-policyd_*_arm64.deb >/dev/null
}

vpmu_start()
{
	vpmu_install || return 1
	printf '{ "default_action": "deny", "audit": "denials" }\n' \
		>/etc/vpmu-policyd/vpmu-policyd.json
	systemctl enable --now vpmu-policyd && systemctl is-active vpmu-policyd
}

tenant()
{
	printf '{ "match": %s, "default": "allow", "deny": [ %s ] }\n' \
		"$2" "$3" >"/etc/vpmu-policyd/tenants.d/$1.json"
}

vm_id()
{
	vpmuctl --json vms | tr '{' '\n' | sed -n "s|.*\"vm_id\":\([0-9]*\),.*$1.*|\1|p"
}

# (audit and denial_rate are not pinned: found by name.)
map_has()
{
	local m=/sys/fs/bpf/vpmu/$1 out=/tmp/map.$1.json
	if [[ -e $m ]]; then
		bpftool -j map dump pinned "$m"
	else
		bpftool -j map dump name "$1"
	fi >$out 2>&1 || { echo "cannot dump $1: $(head -c 200 $out)"; return 2; }
	grep -Eq "\"vm_id\": ?$2[,}]|\"key\": ?$2[,}]" $out
}

vm_gone()
{
	local i m
	for ((i = 0; i < 50; i++)); do
		vpmuctl --json vms | grep -q "\"vm_id\":$1," || break
		sleep 0.2
	done
	if vpmuctl --json vms | grep -q "\"vm_id\":$1,"; then
		echo "vpmuctl still lists VM $1"
		return 1
	fi
	for m in vm_policy audit audit_vms denial_rate; do
		map_has $m "$1"
		(($? == 1)) || { echo "$m still holds VM $1, or cannot be read"; return 1; }
	done
}

# The kernel command line of the L2 guest: serial console only, the
# initramfs's own init, no modules, quiet.
L2_APPEND="console=ttyAMA0 rdinit=/init quiet loglevel=1 panic=-1"

l2_console()
{
	mkdir -p "$1"
	rm -f "$1/con.in" "$1/con.out"
	mkfifo "$1/con.in" "$1/con.out"
	: >"$1/console"
	# Opening the FIFO waits for QEMU; the reader ends when QEMU exits.
	(sed -u 's/\r$//' <"$1/con.out" >>"$1/console") >/dev/null 2>&1 &
	echo "-chardev pipe,id=con,path=$1/con -serial chardev:con"
}

# dones DIR: how many commands the guest has answered.
dones() { grep -c '^### l2-done ' "$1/console" || true; }

l2_wait_ready()
{
	local i
	for ((i = 0; i < $2 * 2; i++)); do
		grep -q '^### l2-ready' "$1/console" && return 0
		sleep 0.5
	done
	echo "no '### l2-ready' from the L2 guest in $2 s; its console:"
	tail -20 "$1/console"
	return 1
}

l2_run()
{
	local dir=$1 before i
	shift
	before=$(dones "$dir")
	echo "$*" >"$dir/con.in"
	for ((i = 0; i < L2_CMD_TIMEOUT * 4; i++)); do
		if (($(dones "$dir") > before)); then
			awk -v n="$before" '/^### l2-done / { if (seen++ == n) exit; next }
				seen == n && !/^### l2-ready/' "$dir/console"
			return 0
		fi
		sleep 0.25
	done
	echo "the L2 guest did not answer '$*' in $L2_CMD_TIMEOUT s"
	return 1
}

l2_poweroff()
{
	echo "poweroff -f" >"$1/con.in"
	timeout "$L2_CMD_TIMEOUT" tail --pid="$2" -f /dev/null
}

l2_perf()
{
	local dir=$1 events=$2
	l2_run "$dir" "perf stat -x, -e $events /bin/workload" |
		awk -F, 'NF >= 3 && $3 != "" { print $3, $1 }'
}

# value_of EVENT < l2_perf output
value_of() { awk -v e="$1" '$1 == e { sub(/^[^ ]* /, ""); print; exit }'; }

# within VALUE EXPECTED PERMILLE: VALUE is a count within PERMILLE/1000
# of EXPECTED.
within()
{
	[[ $1 =~ ^[0-9]+$ ]] || return 1
	local d=$(($1 - $2))
	((d < 0)) && d=$((-d))
	((d * 1000 <= $2 * $3))
}
