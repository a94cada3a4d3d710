#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# e2e_libvirt: vpmu-policyd with libvirt, in the Debian guest with systemd
# as init (the --vmm rootfs: libvirt-daemon-system, Debian's QEMU).  Two
# domains, started with virsh: acme's with <resource><partition> (its
# scope lands in machine-acme.slice, matched by slice), globex's in the
# default machine.slice, matched by the name machined registered.  So
# classification sees what libvirt really makes: machined's scope
# machine-qemu\x2dN\x2dNAME.scope (Delegate=yes, so the delegation
# boundary) with QEMU in its libvirt/ child when it creates the VM.  The
# L2 guests are e2e_qemu's (Debian's kernel and perf); the perf checks
# are fewer.  virsh destroy removes the VM from vpmuctl vms and the maps.
set -u
. /usr/lib/vpmu-e2e/l2/l2_lib.sh

T=/run/e2e-libvirt
mkdir -p $T && chmod 0755 $T
t0=$SECONDS
timeout 300 systemctl is-system-running --wait >/dev/null 2>&1
# libvirt takes a cgroup2 tree without controllers as no cgroups at all
# (virCgroupV2Available: "systemd uses cgroup v2 for process tracking
# but no controller is available"): no machined machine, no scope, QEMU
# stays in libvirtd.service, and the VM gets the host default.
if [[ -z $(</sys/fs/cgroup/cgroup.controllers) ]]; then
	echo "1..1"
	skip "libvirt's cgroup layout and machined's machine" \
		"this kernel enables no cgroup controller (/sys/fs/cgroup/cgroup.controllers is empty), so libvirt makes no scope and registers no machine"
	exit 0
fi
echo "1..17"

mkdir -p /etc/vpmu-policyd/tenants.d
vpmu_install
tenant acme '{ "slice": "machine-acme.slice" }' '"CPU_CYCLES"'
tenant globex '{ "machine": "qemu-*-globex" }' '"INST_RETIRED"'
check "vpmuctl check /etc/vpmu-policyd/tenants.d/*.json" \
	"vpmuctl check: acme by slice, globex by machine name"
check vpmu_start "vpmu-policyd is running (host default deny)"

# What udev would do (this guest has none): QEMU runs as libvirt-qemu,
# in group kvm.  The default network needs IP, which the kernel lacks.
chgrp kvm /dev/kvm && chmod 0660 /dev/kvm
rm -f /etc/libvirt/qemu/networks/autostart/default.xml
check "systemctl start libvirtd && virsh -c qemu:///system version" \
	"libvirtd runs; virsh connects ($(virsh -c qemu:///system version 2>/dev/null | sed -n 's/^Running hypervisor: //p'))"
echo "# libvirtd up after $((SECONDS - t0)) s"

# domain NAME [PARTITION]: the domain's XML: Debian's kernel, the perf
# initramfs, the PMU, the console on a FIFO pair (l2_console).
domain()
{
	local dir=$T/$1
	l2_console "$dir" >/dev/null
	chmod 0666 "$dir"/con.in "$dir"/con.out
	cat <<-XML
	<domain type='kvm'>
	  <name>$1</name>
	  <memory unit='MiB'>384</memory>
	  <vcpu>1</vcpu>
	  ${2:+<resource><partition>$2</partition></resource>}
	  <os>
	    <type arch='aarch64' machine='virt'>hvm</type>
	    <kernel>$L2/Image</kernel>
	    <initrd>$L2/initramfs.cpio</initrd>
	    <cmdline>$L2_APPEND</cmdline>
	  </os>
	  <features><gic version='3'/><pmu state='on'/></features>
	  <cpu mode='host-passthrough'/>
	  <on_poweroff>destroy</on_poweroff>
	  <devices>
	    <emulator>/usr/bin/qemu-system-aarch64</emulator>
	    <serial type='pipe'><source path='$dir/con'/><target port='0'/></serial>
	    <controller type='usb' model='none'/>
	    <memballoon model='none'/>
	  </devices>
	</domain>
	XML
}
domain acme /machine/acme >$T/acme.xml
domain globex >$T/globex.xml
virsh() { command virsh -c qemu:///system "$@"; }
check "virsh define $T/acme.xml && virsh start acme && virsh define $T/globex.xml && virsh start globex" \
	"virsh define, virsh start: both domains"
# qemu_diag NAME: what libvirt's QEMU said, and what runs.
qemu_diag()
{
	tail -15 /var/log/libvirt/qemu/$1.log
	ls -la $T/$1
	ps -o pid,user,stat,etime,time,args -C qemu-system-aarch64 | cut -c1-300
}
check "l2_wait_ready $T/acme 90 || { qemu_diag acme; false; }; l2_wait_ready $T/globex 30 || { qemu_diag globex; false; }" \
	"both L2 guests boot Debian's kernel under libvirt's QEMU"
echo "# L2 guests ready after $((SECONDS - t0)) s"

# --- what classification saw ------------------------------------------
for d in acme globex; do
	pid=$(cat /run/libvirt/qemu/$d.pid 2>/dev/null)
	echo "# $d: QEMU $pid in $(cat /proc/$pid/cgroup 2>/dev/null); machine $(machinectl list --no-legend 2>/dev/null | awk -v d="$d" '$1 ~ d { print $1 }')"
done
ls /run/systemd/machines | sed 's/^/# machined: /'
vpmuctl vms | sed 's/^/# /'
acme_id=$(vm_id 'machine-acme.slice/machine-qemu.*acme.scope/libvirt')
globex_id=$(vm_id 'machine.slice/machine-qemu.*globex.scope/libvirt')
check "[[ -n '$acme_id' ]] && vpmuctl vms | grep -E '^ *$acme_id .*/machine-acme.slice/machine-qemu.*acme.scope/libvirt +acme '" \
	"acme's VM ($acme_id), created in its scope's libvirt/ child, is tenant acme's (slice)"
check "[[ -n '$globex_id' ]] && vpmuctl vms | grep -E '^ *$globex_id .*/machine.slice/machine-qemu.*globex.scope/libvirt +globex '" \
	"globex's VM ($globex_id) is tenant globex's (machined's machine name)"
cg=$(sed -n 's/^0:://p' /proc/"$(cat /run/libvirt/qemu/globex.pid)"/cgroup)
vpmuctl match --cgroup "$cg" >$T/match.out 2>&1
sed 's/^/# /' $T/match.out
check "grep -q 'machine \"qemu-[0-9]*-globex\"' $T/match.out && grep -q 'below the delegation boundary' $T/match.out" \
	"vpmuctl match: the machine name counts, libvirt/ is below the boundary (the scope, Delegate=yes)"

# --- perf in the guests -----------------------------------------------
l2_perf $T/acme instructions:u,cycles:u >$T/acme.perf
l2_perf $T/globex instructions:u,cycles:u >$T/globex.perf
echo "# acme: $(tr '\n' ';' <$T/acme.perf) globex: $(tr '\n' ';' <$T/globex.perf)"
v() { value_of "$2" <"$T/$1"; }
check "within '$(v acme.perf instructions:u)' $L2_WORKLOAD_INSNS 10 && [[ '$(v acme.perf cycles:u)' == '<not supported>' ]]" \
	"acme: instructions:u counts the workload ($(v acme.perf instructions:u)), cycles '$(v acme.perf cycles:u)'"
check "[[ '$(v globex.perf cycles:u)' =~ ^[1-9][0-9]*$ && '$(v globex.perf instructions:u)' == '<not supported>' ]]" \
	"globex: cycles:u counts ($(v globex.perf cycles:u)), instructions '$(v globex.perf instructions:u)'"
l2_perf $T/globex r08:u >$T/globex.raw
check "[[ '$(v globex.raw r08:u)' == 0 ]]" "globex: raw r08 (INST_RETIRED, denied) reads 0"
tenant globex '{ "machine": "qemu-*-globex" }' ''
check "systemctl reload vpmu-policyd" "globex's file edited (deny nothing), systemctl reload"
l2_perf $T/globex r08:u >$T/globex.after
check "within '$(v globex.after r08:u)' $L2_WORKLOAD_INSNS 10" \
	"globex: the next perf stat in the same guest counts r08 ($(v globex.after r08:u))"
check "journalctl -u vpmu-policyd -o verbose --no-pager TENANT=globex VM_ID=$globex_id | grep -q 'EVENT=INST_RETIRED'" \
	"the journal holds globex's denials with VM_ID=$globex_id, TENANT=globex"

# --- virsh destroy ------------------------------------------------------
check "map_has vm_policy $acme_id && map_has audit_vms $acme_id" \
	"while it runs, acme's VM is in vm_policy and audit_vms"
check "virsh destroy acme" "virsh destroy acme"
check "vm_gone $acme_id" "VM $acme_id is gone from vpmuctl vms and from vm_policy, audit, audit_vms, denial_rate"
virsh destroy globex >/dev/null 2>&1
check "vm_gone $globex_id && ! vpmuctl --json vms | grep -q '\"vm_id\"'" \
	"virsh destroy globex: no VM left"
if ((failed)); then
	for d in acme globex; do
		tail -5 /var/log/libvirt/qemu/$d.log 2>/dev/null | sed "s/^/# $d.log: /"
	done
	journalctl -u libvirtd --no-pager -n 15 | sed 's/^/# /'
fi
echo "# e2e_libvirt: $((SECONDS - t0)) s"
exit $((failed > 0))
