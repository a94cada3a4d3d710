#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The main job's second half (make demo): vpmu-policyd with two tenants on
# the patched arm64 kernel, a VM in each tenant's slice, what their guests
# counted, what vpmuctl and bpftool show (and the metrics), an edit applied
# to a running VM from its next slice, and a third tenant in audit mode,
# its suggested file, then enforced.
CG=/sys/fs/cgroup
ETC=/etc/vpmu-policyd
T=/tmp/demo
LOG=/tmp/vpmu-policyd.log
say() { printf '\n== %s\n' "$*"; }
# A tenant tried out in audit mode, then enforced: its guest counts the
# event its policy denies, vpmuctl shows would-deny and suggests a file,
# and the switch to enforce applies from the VM's next slice.
audit_mode()
{
say "audit mode: tenant trial's policy denies INST_RETIRED; its guest counts it anyway"
mkdir -p $T/t $CG/trial.slice/vm-3.scope
cat >$ETC/tenants.d/trial.json <<'JSON'
{
	"comment": "a new tenant's policy, tried out before it is enforced",
	"match": { "slice": "trial.slice" },
	"mode": "audit",
	"default": "deny",
	"allow": [ "CPU_CYCLES" ]
}
JSON
run "vpmuctl reload"
sh -c "echo \$\$ >$CG/trial.slice/vm-3.scope/cgroup.procs && exec /tests/tools/vm_count 2 $T/t" >$T/t.out 2>&1 &
vm3=$!
i=0; while [ $i -lt 300 ] && ! grep -q '^slice 0' $T/t.out; do sleep 0.1; i=$((i + 1)); done
echo "  trial VM: $(grep '^slice 0' $T/t.out)"
echo "  (INST_RETIRED counted exactly, as if allowed: a would-deny, not a deny)"
run "vpmuctl vms"
run "vpmuctl metrics | grep 'tenant=\"trial\"'"
say "vpmuctl suggest: a tenant file allowing what trial's guest programmed"
run "vpmuctl suggest --tenant trial"
say "trial switched to \"mode\": \"enforce\": its VM reads 0 from the next slice"
sed -i 's/"mode": "audit"/"mode": "enforce"/' $ETC/tenants.d/trial.json
run "vpmuctl reload"
run "vpmuctl vms | grep -E 'STATE|trial'"
touch $T/t/go.1
i=0; while [ $i -lt 300 ] && ! grep -q '^slice 1' $T/t.out; do sleep 0.1; i=$((i + 1)); done
echo "  trial VM, next slice: $(grep '^slice 1' $T/t.out)"
wait $vm3
}
# The harness shows a demo's lines prefixed "demo: " (run-vm.sh's filter).
main()
{
# The guest has no RTC: take the host's time (demo.sh passes it), so
# that vpmuctl shows today's dates, not 1970's.
for arg in $(cat /proc/cmdline); do
	case $arg in vpmu.epoch=*) date -s "@${arg#vpmu.epoch=}" >/dev/null ;; esac
done
run() { printf '$ %s\n' "$*"; sh -c "$*" 2>&1 | sed 's/^/  /'; }
mkdir -p $ETC/tenants.d $T/r $T/s $CG/research.slice/vm-1.scope \
	$CG/sandbox.slice/vm-2.scope
printf '{ "default_action": "deny", "audit": "denials" }\n' >$ETC/vpmu-policyd.json
cp /usr/share/doc/vpmu-policy/research.json $ETC/tenants.d/
cat >$ETC/tenants.d/sandbox.json <<'JSON'
{
	"comment": "untrusted guests: cycles only",
	"match": { "slice": "sandbox.slice" },
	"default": "deny",
	"allow": [ "CPU_CYCLES" ]
}
JSON

say "tenant policies (examples/tenants.d/research.json and an inline one)"
run "vpmuctl check --target arm64 $ETC/tenants.d/*.json"
run "cat $ETC/tenants.d/sandbox.json"

say "vpmu-policyd starts: loads the BPF engine, pins it, publishes the tenants"
# The log exists before the daemon's shell opens it: the wait below
# must not race that redirection.
: >$LOG
vpmu-policyd >$LOG 2>&1 &
daemon=$!
i=0; while [ $i -lt 100 ] && ! grep -q ': ready' $LOG; do sleep 0.1; i=$((i + 1)); done
sed 's/^/  /' $LOG
run "vpmuctl status"
run "ls /sys/fs/bpf/vpmu"

say "a VM in each tenant's slice, counting INST_RETIRED and CPU_CYCLES in slices"
sh -c "echo \$\$ >$CG/research.slice/vm-1.scope/cgroup.procs && exec /tests/tools/vm_count 2 $T/r" >$T/r.out 2>&1 &
vm1=$!
sh -c "echo \$\$ >$CG/sandbox.slice/vm-2.scope/cgroup.procs && exec /tests/tools/vm_count 2 $T/s" >$T/s.out 2>&1 &
vm2=$!
i=0; while [ $i -lt 300 ] && ! { grep -q '^slice 0' $T/r.out && grep -q '^slice 0' $T/s.out; }; do sleep 0.1; i=$((i + 1)); done
echo "  research VM: $(grep '^slice 0' $T/r.out)"
echo "  sandbox VM:  $(grep '^slice 0' $T/s.out)"
echo "  (research may count both; sandbox gets 0 instructions, its cycles count)"
run "vpmuctl vms"
vm=$(vpmuctl --json vms | tr '{' '\n' | sed -n 's/.*"vm_id":\([0-9]*\).*sandbox.slice.*/\1/p')
run "vpmuctl explain --vm $vm --event INST_RETIRED"
say "the daemon's log of the denials (journal fields under systemd)"
grep 'tenant sandbox.*: deny INST_RETIRED' $LOG | head -2 | sed 's/^/  /'
say "what bpftool shows (pinned maps with BTF)"
run "bpftool map dump pinned /sys/fs/bpf/vpmu/vm_policy | head -20"
run "bpftool map dump pinned /sys/fs/bpf/vpmu/audit | head -24"
say "the same as metrics for Prometheus (node_exporter's textfile collector)"
run "vpmuctl metrics | grep -v '^#'"

say "the sandbox tenant is edited to allow INST_RETIRED; its VM keeps running"
sed -i 's/\[ "CPU_CYCLES" \]/[ "CPU_CYCLES", "INST_RETIRED" ]/' $ETC/tenants.d/sandbox.json
run "vpmuctl reload"
touch $T/r/go.1 $T/s/go.1
i=0; while [ $i -lt 300 ] && ! grep -q '^slice 1' $T/s.out; do sleep 0.1; i=$((i + 1)); done
echo "  sandbox VM, next slice: $(grep '^slice 1' $T/s.out)"
wait $vm1 $vm2
audit_mode
kill $daemon
sleep 0.2
}
main 2>&1 | sed 's/^/demo: /'
exit 0
