#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# e2e_qemu: vpmu-policyd with the VMM operators run.  In the Debian guest
# with systemd as init (the --vmm rootfs: Debian's QEMU), two tenants with
# different policies each start Debian's qemu-system-aarch64 with KVM and
# the guest PMU under `systemd-run --scope --slice=TENANT.slice`.  The L2
# guests run Debian's own arm64 kernel and Debian's perf
# (scripts/build-l2-guest.sh), and what their perf sees is checked:
# allowed events count (instructions exactly enough, against the
# workload's known count), denied ones read 0, perf list hides what the
# policy hides (PMCEID), a tenant-file edit changes the next perf stat of
# the running guest, QEMU's exit removes the VM from vpmuctl and the
# engine's maps, and the journal holds the denials with VM_ID and TENANT.
#
# Nested: this guest runs under TCG at EL2, and its KVM runs the L2 guests.
# TCG's PMU counts instructions exactly with -icount (run-systemd-vm.sh).
set -u
. /usr/lib/vpmu-e2e/l2/l2_lib.sh

T=/run/e2e-qemu
mkdir -p $T
t0=$SECONDS
echo "1..22"
timeout 300 systemctl is-system-running --wait >/dev/null 2>&1

# acme may count instructions, not cycles; globex the other way round.
mkdir -p /etc/vpmu-policyd/tenants.d
vpmu_install
tenant acme '{ "slice": "acme.slice" }' '"CPU_CYCLES"'
tenant globex '{ "slice": "globex.slice" }' '"INST_RETIRED"'
check "vpmuctl check /etc/vpmu-policyd/tenants.d/*.json" "vpmuctl check: tenants acme and globex"
check vpmu_start "vpmu-policyd is running (host default deny)"

# start_vm NAME: QEMU under systemd-run in NAME.slice, as operators do.
start_vm()
{
	local dir=$T/$1 con
	con=$(l2_console "$dir")
	# shellcheck disable=SC2086 # the console arguments are words
	systemd-run --quiet --scope --slice="$1.slice" --unit="vm-$1" -- \
		qemu-system-aarch64 -M virt,gic-version=3 -accel kvm -cpu host,pmu=on \
		-smp 1 -m 384 -nodefaults -no-user-config -display none -no-reboot \
		$con \
		-kernel $L2/Image -initrd $L2/initramfs.cpio -append "$L2_APPEND" \
		>"$T/$1.qemu.log" 2>&1 &
	echo $! >"$dir/pid"
}
start_vm acme
start_vm globex
check "l2_wait_ready $T/acme 900 && l2_wait_ready $T/globex 900" \
	"both L2 guests boot Debian's kernel under KVM"
echo "# $(grep -h '^### l2-ready' $T/acme/console) ($((SECONDS - t0)) s)"
check "vpmuctl vms | grep -E 'acme.slice/vm-acme.scope +acme ' &&
	vpmuctl vms | grep -E 'globex.slice/vm-globex.scope +globex '" \
	"vpmuctl vms: each QEMU under its tenant"
acme_id=$(vm_id acme.slice) globex_id=$(vm_id globex.slice)
echo "# VM ids: acme $acme_id, globex $globex_id"

# --- what each guest's perf sees -------------------------------------
l2_perf $T/acme instructions:u,cycles:u >$T/acme.perf
l2_perf $T/acme r08:u,r11:u >$T/acme.raw
l2_perf $T/globex instructions:u,cycles:u >$T/globex.perf
l2_perf $T/globex r08:u,r11:u >$T/globex.raw
for f in acme.perf acme.raw globex.perf globex.raw; do
	echo "# $f: $(tr '\n' ';' <$T/$f)"
done
v() { value_of "$2" <"$T/$1"; }
check "within '$(v acme.perf instructions:u)' $L2_WORKLOAD_INSNS 10" \
	"acme: perf stat instructions:u counts the workload ($(v acme.perf instructions:u) of $L2_WORKLOAD_INSNS, 1%)"
check "within '$(v acme.raw r08:u)' $L2_WORKLOAD_INSNS 10" \
	"acme: raw r08 (INST_RETIRED) counts the same ($(v acme.raw r08:u))"
check "[[ '$(v acme.perf cycles:u)' == '<not supported>' ]]" \
	"acme: cycles (denied, not in PMCEID) is '<not supported>' (got '$(v acme.perf cycles:u)')"
check "[[ '$(v acme.raw r11:u)' == 0 ]]" \
	"acme: raw r11 (CPU_CYCLES, denied) reads 0 (got '$(v acme.raw r11:u)')"
check "[[ '$(v globex.perf cycles:u)' =~ ^[1-9][0-9]*$ ]]" \
	"globex: perf stat cycles:u counts ($(v globex.perf cycles:u))"
check "[[ '$(v globex.perf instructions:u)' == '<not supported>' ]]" \
	"globex: instructions (denied, not in PMCEID) is '<not supported>' (got '$(v globex.perf instructions:u)')"
check "[[ '$(v globex.raw r08:u)' == 0 ]]" \
	"globex: raw r08 (INST_RETIRED, denied) reads 0 (got '$(v globex.raw r08:u)')"

l2_run $T/acme "perf list pmu" >$T/acme.list
l2_run $T/globex "perf list pmu" >$T/globex.list
# "inst_retired OR armv8_pmuv3/inst_retired/   [Kernel PMU event]"
has() { grep -Eq "armv8_pmuv3(_0)?/$2/" "$T/$1.list"; }
check "has acme inst_retired && ! has acme cpu_cycles" \
	"acme: perf list shows inst_retired, not cpu_cycles"
check "has globex cpu_cycles && ! has globex inst_retired" \
	"globex: perf list shows cpu_cycles, not inst_retired"

# --- a tenant-file edit reaches the running guest ---------------------
tenant globex '{ "slice": "globex.slice" }' ''
check "systemctl reload vpmu-policyd" "globex's file edited (deny nothing), systemctl reload"
l2_perf $T/globex r08:u >$T/globex.after
check "within '$(v globex.after r08:u)' $L2_WORKLOAD_INSNS 10" \
	"globex: the next perf stat in the same guest counts r08 ($(v globex.after r08:u))"

# --- the journal ------------------------------------------------------
check "journalctl -u vpmu-policyd -o verbose --no-pager TENANT=globex VM_ID=$globex_id | grep -q 'EVENT=INST_RETIRED' &&
	journalctl -u vpmu-policyd -o verbose --no-pager TENANT=globex VM_ID=$globex_id | grep -q 'ACTION=deny'" \
	"the journal holds globex's INST_RETIRED denials with VM_ID=$globex_id, TENANT=globex"
check "journalctl -u vpmu-policyd -o verbose --no-pager TENANT=acme VM_ID=$acme_id | grep -q 'EVENT=CPU_CYCLES'" \
	"the journal holds acme's CPU_CYCLES denials with VM_ID=$acme_id, TENANT=acme"

# --- QEMU's exit ------------------------------------------------------
check "map_has vm_policy $acme_id && map_has audit $acme_id && map_has audit_vms $acme_id && map_has denial_rate $acme_id" \
	"while it runs, acme's VM is in vm_policy, audit, audit_vms and denial_rate"
l2_poweroff $T/acme "$(cat $T/acme/pid)"
check "! systemctl is-active vm-acme.scope" "the L2 guest powered off: QEMU exited, its scope is gone"
check "vm_gone $acme_id" "VM $acme_id is gone from vpmuctl vms and from vm_policy, audit, audit_vms, denial_rate"
check "vpmuctl vms | grep -E 'globex.slice/vm-globex.scope +globex '" "globex's VM is still there"
l2_poweroff $T/globex "$(cat $T/globex/pid)"
check "! vpmuctl --json vms | grep -q '\"vm_id\"'" "after both QEMUs exited, vpmuctl vms lists no VM"
echo "# e2e_qemu: $((SECONDS - t0)) s"
exit $((failed > 0))
