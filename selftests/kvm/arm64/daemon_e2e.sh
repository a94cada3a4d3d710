#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# daemon_e2e: vpmu-policyd end to end on the patched arm64 kernel, started
# directly (no systemd).  Two tenants by slice; tenant A denies
# INST_RETIRED, B allows everything; each runs a VM (tools/vm_count) in its
# cgroup, counting in slices while the test changes things between them:
#   slice 0  A reads 0, B counts exactly
#   slice 1  A's file broken: rejected, A still reads 0
#   slice 2  A edited to allow: A counts exactly (from the next slice)
#   slice 3  A denies again, then the daemon is killed with SIGKILL:
#            A still reads 0 (the pinned engine enforces without it)
# then a VM started while no daemon runs is held pending (counts nothing,
# even with a permissive host default), a restarted daemon adopts the engine and classifies it, and
# vpmuctl vms lists every VM under the right tenant (a replaced map pin is
# refused first).  vpmuctl status shows the ring buffers' drop counters,
# and a lost lifecycle record makes the daemon find the VMs at once.
# Presets: a tenant with "preset": "architectural" counts INST_RETIRED
# exactly while L1D_CACHE and SW_INCR read 0 (and SW_INCR is not
# advertised); a second adds SW_INCR with an allow entry and takes
# CPU_CYCLES away with a deny entry (tools/vm_events).
# A steady writer of one tenant file does not postpone another's reload;
# a failed publish is retried and never gives a VM policy 0.
# Last, an engine pinned by another ABI version is refused by that
# version, and unpinned.
echo "TAP version 13"
echo "1..103"
. "$(dirname "$0")/check_lib.sh"
. "$(dirname "$0")/daemon_lib.sh"

CG=/sys/fs/cgroup
ETC=/etc/vpmu-policyd
ABI=$(vpmu-policyd --version | sed -n 's/.*(ABI \([0-9]*\))$/\1/p')
LOG=/tmp/policyd.log
vms=
T=/tmp/e2e
mkdir -p $ETC/tenants.d $T/a $T/b $T/c $T/d
echo "+cpu" >/dev/null
mkdir -p $CG/tenant-a.slice/vm-a.scope $CG/tenant-b.slice/vm-b.scope \
	$CG/tenant-a.slice/vm-c.scope $CG/tenant-b.slice/vm-e.scope

cat >$ETC/vpmu-policyd.json <<'JSON'
{
	"comment": "end-to-end test: deny what no tenant allows",
	"default_action": "deny",
	"audit": "denials",
	"state_dir": "/run/vpmu-e2e-state",
	"metrics_file": "/run/vpmu-e2e-metrics/vpmu-policyd.prom",
	"metrics_interval_sec": 1
}
JSON
mkdir -p /run/vpmu-e2e-metrics
deny_a()
{
	cat >$ETC/tenants.d/.a.json.tmp <<'JSON'
{
	"match": { "slice": "tenant-a.slice" },
	"default": "allow",
	"deny": [ "INST_RETIRED" ]
}
JSON
	mv $ETC/tenants.d/.a.json.tmp $ETC/tenants.d/a.json
}
allow_a()
{
	cat >$ETC/tenants.d/.a.json.tmp <<'JSON'
{
	"match": { "slice": "tenant-a.slice" },
	"default": "allow"
}
JSON
	mv $ETC/tenants.d/.a.json.tmp $ETC/tenants.d/a.json
}
deny_a
cat >$ETC/tenants.d/b.json <<'JSON'
{
	"match": { "slice": "tenant-b.slice" },
	"default": "allow"
}
JSON

start_daemon()
{
	before=$(grep -c ': ready' $LOG 2>/dev/null)
	vpmu-policyd >>$LOG 2>&1 &
	echo $! >/tmp/policyd.pid
	i=0
	while [ $i -lt 200 ]; do
		[ "$(grep -c ': ready' $LOG)" -gt "${before:-0}" ] && return 0
		i=$((i + 1))
		sleep 0.1
	done
	return 1
}

check "start_daemon" "vpmu-policyd starts, loads and pins the engine"
check "test -e /sys/fs/bpf/vpmu/vpmu_engine && grep -q '^vpmu_engine ' /sys/kernel/debug/kvm/pmu_policies" \
	"the engine is attached (debugfs) and its link pinned"
check "bpftool map dump pinned /sys/fs/bpf/vpmu/tenants | grep -q tenant-a.slice || bpftool map dump pinned /sys/fs/bpf/vpmu/tenants | grep -q '\"a\"'" \
	"bpftool dumps the pinned tenants map"

vm a tenant-a.slice/vm-a.scope
vm b tenant-b.slice/vm-b.scope 9
sa=$(slice a 0); sb=$(slice b 0); exact=$(expect b)
check "[ '$sa' = 0 ]" "slice 0: tenant A's guest reads 0 INST_RETIRED (got $sa)"
check "[ '$sb' = '$exact' ]" "slice 0: tenant B's guest counts exactly $exact (got $sb)"
check "VPMU_DEBUG_LIBBPF=1 vpmuctl vms | grep -E \"tenant-a.slice/vm-a.scope +a \"" "vpmuctl vms: A's VM under tenant a"
check "VPMU_DEBUG_LIBBPF=1 vpmuctl vms | grep -E \"tenant-b.slice/vm-b.scope +b \"" "vpmuctl vms: B's VM under tenant b"
vm_a=$(vpmuctl --json vms | tr '{' '\n' | sed -n 's/.*"vm_id":\([0-9]*\).*tenant-a.slice.*/\1/p')
check "vpmuctl explain --vm $vm_a --event INST_RETIRED | grep -q 'DENY, by a deny rule'" \
	"vpmuctl explain: A's INST_RETIRED is denied by A's deny rule"
check "vpmuctl explain --vm $vm_a --event CPU_CYCLES | grep -q \"ALLOW, by the policy's default\"" \
	"vpmuctl explain: A's CPU_CYCLES falls to A's default (allow)"
check "vpmuctl --json vms | grep -q '\"tenant\":\"b\"'" "vpmuctl --json vms gives each VM's tenant"
# Files any user can open under a VM's name (adversary M4): a regular
# file named exactly kvm-vm, and a FIFO whose name starts with it.  They
# are no VMs: the iterator must not report them (as VM 0, or with ids
# read from whatever private_data points to).
: >/tmp/kvm-vm
mkfifo /tmp/kvm-vm-fifo
exec 3</tmp/kvm-vm 4<>/tmp/kvm-vm-fifo
check "vpmuctl --json vms >$T/vms.json; cat $T/vms.json; [ \$(grep -o '\"vm_id\":' $T/vms.json | wc -l) = 2 ]" \
	"vpmuctl vms: files named like a VM are not VMs (still 2 VMs)"
check "! grep -q '\"vm_id\":0,' $T/vms.json" "vpmuctl vms: no VM 0 from a plain file"
check "VPMU_DEBUG_LIBBPF=1 vpmuctl vms 2>&1 | grep -E \"extern \\(ksym\\) 'kvm_vm_fops': set to 0x[0-9a-f]*[1-9a-f]\"" \
	"the iterator knows kvm_vm_fops's address (from kallsyms)"
# Without kallsyms addresses (no CAP_SYSLOG under the systemd unit; here
# kptr_restrict=2 hides them from root too), by name on anon_inodefs.
kptr=$(cat /proc/sys/kernel/kptr_restrict)
echo 2 >/proc/sys/kernel/kptr_restrict
check "vpmuctl --json vms >$T/vms.json; cat $T/vms.json; [ \$(grep -o '\"vm_id\":' $T/vms.json | wc -l) = 2 ]" \
	"vpmuctl vms without kallsyms: still 2 VMs, the fake ones left out"
check "grep -q 'tenant-a.slice/vm-a.scope' $T/vms.json && grep -q 'tenant-b.slice/vm-b.scope' $T/vms.json" \
	"vpmuctl vms without kallsyms: A's and B's VMs found"
echo $kptr >/proc/sys/kernel/kptr_restrict
exec 3<&- 4<&-
rm -f /tmp/kvm-vm /tmp/kvm-vm-fifo
check "grep -q 'deny INST_RETIRED' $LOG" "the daemon logs A's denial"
check "bpftool map dump pinned /sys/fs/bpf/vpmu/audit | grep -q denied" \
	"bpftool dumps the audit map with readable fields"
check "vpmuctl status | grep -q '^dropped:   0 decision records, 0 lifecycle records'" \
	"vpmuctl status shows both ring buffers' drop counters"
check "vpmuctl --json status | grep -q '\"dropped\":{\"records\":0,\"lifecycle\":0}'" \
	"vpmuctl --json status too"
check "vpmuctl --json vms | grep -q '\"tenant\":\"a\".*\"audit_overflow\":0'" \
	"vpmuctl --json vms gives each VM's audit overflow"

# Lifecycle records lost (the count forged: filling 64 KiB of them takes
# a thousand VMs): the next record read makes the daemon find the VMs at
# once, not at the 60 s rescan.
bpftool map update pinned /sys/fs/bpf/vpmu/drops key 1 0 0 0 value 3 0 0 0 0 0 0 0
vm e tenant-b.slice/vm-e.scope 1
wait_log()
{
	i=0
	while [ $i -lt 100 ]; do
		grep -q "$1" $LOG && return 0
		i=$((i + 1))
		sleep 0.1
	done
	return 1
}
check "wait_log '3 VM lifecycle records lost (ring buffer full): finding the VMs again'" \
	"a lost lifecycle record makes the daemon find the VMs at once (logged)"
check "vpmuctl status | grep -q ', 3 lifecycle records'" \
	"vpmuctl status counts it"

# Broken edit: rejected, the old (deny) policy stays.
r=$(reloads)
printf '{ "match": { "slice": "tenant-a.slice" }, "default": "allow", "deny": [ "INST_RETIRD" ] }\n' \
	>$ETC/tenants.d/.a.json.tmp && mv $ETC/tenants.d/.a.json.tmp $ETC/tenants.d/a.json
check "wait_reload $r" "a broken edit of a.json triggers a reload"
check "grep -q 'a.json:1:.*unknown event \"INST_RETIRD\"' $LOG" \
	"the daemon logs the error with file:line:column"
check "vpmuctl status | grep -q '1 files rejected'" "vpmuctl status counts the rejected file"
touch $T/a/go.1 $T/b/go.1
check "[ '$(slice a 1)' = 0 ]" "slice 1: A's old policy still denies"
check "[ '$(slice b 1)' = '$exact' ]" "slice 1: B is untouched"
check "vpmuctl status | grep -q '^degraded:  a '" \
	"vpmuctl status: tenant a is degraded (running its last good policy)"
check "vpmuctl vms | grep -E 'tenant-a.slice/vm-a.scope +a .* degraded +tenant a: its file is rejected; its last good version is in force$'" \
	"vpmuctl vms: A's VM is degraded, because A's file is rejected"
check "vpmuctl vms | grep -E 'tenant-b.slice/vm-b.scope +b .* enforced +tenant b, generation [0-9]+$'" \
	"vpmuctl vms: B's VM is enforced"

# A good edit: allowed from the next slice.
r=$(reloads)
allow_a
check "wait_reload $r" "editing a.json to allow reloads"
touch $T/a/go.2 $T/b/go.2
check "[ '$(slice a 2)' = '$exact' ]" "slice 2: A's guest now counts exactly"
check "! vpmuctl status | grep -q '^degraded:' && vpmuctl vms | grep -E 'tenant-a.slice/vm-a.scope +a .* enforced +tenant a, generation [0-9]+$'" \
	"accepted again: tenant a is no longer degraded"

# Deny again, make the host default permissive (to show that a VM nobody
# classified does not get it), then SIGKILL the daemon: the pinned engine
# enforces alone.
r=$(reloads)
deny_a
wait_reload $r
sed -i 's/"default_action": "deny"/"default_action": "allow"/' $ETC/vpmu-policyd.json
r=$(reloads)
kill -HUP "$(cat /tmp/policyd.pid)"
wait_reload $r
kill -9 "$(cat /tmp/policyd.pid)"
sleep 0.5
touch $T/a/go.3 $T/b/go.3
check "[ '$(slice a 3)' = 0 ] && [ '$(slice b 3)' = '$exact' ]" \
	"slice 3: after kill -9 of the daemon, A is still denied and B still counts"

# A VM created with no daemon: pending (vm_init's entry), so it counts
# nothing although the host default now allows everything.
sh -c "echo \$\$ >$CG/tenant-a.slice/vm-c.scope/cgroup.procs && exec /tests/tools/vm_count 2 $T/c" \
	>$T/c.out 2>&1 &
vms="$vms $!"
check "[ '$(slice c 0)' = 0 ]" "a VM started while no daemon runs counts nothing (pending), though the host default allows"
check "vpmuctl vms | grep -E 'tenant-a.slice/vm-c.scope +\(pending\)'" \
	"vpmuctl vms shows it as pending"
# A VM whose creator left its cgroup and removed it before the daemon saw
# it: its tenant cannot be known, so it stays pending (never "no tenant").
mkdir -p $CG/tenant-a.slice/vm-d.scope
sh -c "echo \$\$ >$CG/tenant-a.slice/vm-d.scope/cgroup.procs && exec /tests/tools/vm_count 2 $T/d" \
	>$T/d.out 2>&1 &
vm_d=$!
vms="$vms $vm_d"
slice d 0 >/dev/null
echo $vm_d >$CG/cgroup.procs
rmdir $CG/tenant-a.slice/vm-d.scope
sed -i 's/"default_action": "allow"/"default_action": "deny"/' $ETC/vpmu-policyd.json
check "vpmuctl status | grep -q 'not running'" "vpmuctl status: daemon not running, engine pinned"
# Someone who could write the pin directory put a map of their own where
# the engine's audit map was: neither the daemon nor vpmuctl adopts it.
P=/sys/fs/bpf/vpmu
audit_id=$(bpftool map show pinned $P/audit | sed -n 's/^\([0-9]*\):.*/\1/p')
rm $P/audit
bpftool map create $P/audit type hash key 4 value 4 entries 1 name audit
check "vpmu-policyd --oneshot 2>$T/swap.err; [ \$? = 78 ] &&
	grep -q '$P/audit (map id [0-9]*) is not a map of the engine attached at $P/vpmu_engine .*a pin was replaced' $T/swap.err" \
	"a replaced map pin: adopting the engine is refused (exit 78)"
check "! vpmuctl vms 2>$T/swapctl.err && grep -q 'a pin was replaced' $T/swapctl.err" \
	"... and vpmuctl does not read it"
# (The engine's programs keep the real one alive: pin it back.)
rm -f $P/audit
bpftool map pin id "$audit_id" $P/audit

check "start_daemon" "the restarted daemon starts"
check "grep -q 'adopted the engine' $LOG" "it adopts the pinned engine instead of loading another"
check "VPMU_DEBUG_LIBBPF=1 vpmuctl vms | grep -E \"tenant-a.slice/vm-c.scope +a \"" \
	"after the restart the new VM is under tenant a (reconciled)"
check "[ \$(grep -c '^vpmu_engine ' /sys/kernel/debug/kvm/pmu_policies) = 1 ]" \
	"exactly one engine is attached"
check "vpmuctl vms | grep -E '\(gone\) +\(pending\)'" \
	"a VM whose cgroup was removed before classification stays pending"
check "grep -q 'pending, every event denied: its cgroup cannot be resolved' $LOG" \
	"the daemon logs why it is pending"
touch $T/c/go.1 $T/d/go.1

# Upgrade across an engine ABI change, as a package upgrade does: the
# pinned engine says ABI 3 (forged in its config map, and without the
# pins of the maps ABI 4 added), the new daemon (ABI $ABI) swaps its own engine into
# the pinned link.  debugfs is polled all along: there must be no moment
# without an engine attached.
P=/sys/fs/bpf/vpmu
kill "$(cat /tmp/policyd.pid)"
sleep 0.5
link_id() { bpftool link show pinned $P/vpmu_engine | sed -n 's/^\([0-9]*\):.*/\1/p'; }
id_before=$(link_id)
bpftool map update pinned $P/config key 0 0 0 0 \
	value 3 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0
rm -f $P/audit_vms $P/lifecycle $P/drops $T/gaps
( while [ ! -e $T/stop-poll ]; do
	grep -q '^vpmu_engine ' /sys/kernel/debug/kvm/pmu_policies || echo gap >>$T/gaps
done ) &
poller=$!
check "start_daemon" "a daemon of ABI $ABI starts over the engine pinned with ABI 3"
touch $T/stop-poll
wait $poller
check "grep -q 'has ABI 3: replacing it in place with ABI $ABI' $LOG && grep -q 'engine upgraded in place: ABI 3 -> $ABI' $LOG" \
	"it replaces the engine in place (logged)"
check "[ ! -e $T/gaps ]" \
	"an engine was attached at every moment of the upgrade (debugfs polled throughout)"
check "[ -n '$id_before' ] && [ \"\$(link_id)\" = '$id_before' ] && [ \$(grep -c '^vpmu_engine ' /sys/kernel/debug/kvm/pmu_policies) = 1 ]" \
	"the pinned link is the same one, now holding the new engine, and only one is attached"
check "vpmuctl vms | grep -E 'tenant-a.slice/vm-a.scope +a '" \
	"A's VM is classified in the new engine's maps"
check "test -e $P/audit_vms && test -e $P/lifecycle && test -e $P/drops &&
	bpftool map show pinned $P/audit | grep -q ': hash ' &&
	vpmuctl status | grep -q '^dropped:   0 decision records, 0 lifecycle records'" \
	"the upgrade pinned the maps ABI 4 added (audit a plain hash, fresh drop counters)"

# Tenant B's file deleted: its VM falls back to the host default (deny).
r=$(reloads)
rm $ETC/tenants.d/b.json
check "wait_reload $r" "deleting b.json reloads"
check "vpmuctl vms | grep -E 'tenant-b.slice/vm-b.scope +\(host default\)'" \
	"B's VM is now under the host default"
check "! bpftool map dump pinned /sys/fs/bpf/vpmu/tenants | grep -q '\"b\"'" \
	"tenant b's policy is gone from the pinned maps"
touch $T/a/go.4 $T/b/go.4
check "[ '$(slice a 4)' = 0 ]" "slice 4: after the upgrade A's guest still reads 0"
check "[ '$(slice b 4)' = 0 ]" "slice 4: B's guest is denied by the host default"

# A change of the main configuration alone (the host default action)
# applies from the next slice, loosened and tightened: a config reload
# makes the vCPUs re-ask.
host_default()
{
	sed -i "s/\"default_action\": \"[a-z]*\"/\"default_action\": \"$1\"/" $ETC/vpmu-policyd.json
	r=$(reloads)
	kill -HUP "$(cat /tmp/policyd.pid)"
	wait_reload $r
}
host_default allow
touch $T/b/go.5
check "[ '$(slice b 5)' = '$exact' ]" "slice 5: a host default loosened by a config reload applies from the next slice"
host_default deny
touch $T/b/go.6
check "[ '$(slice b 6)' = 0 ]" "slice 6: tightened again, B's guest reads 0 from the next slice"
host_default allow

# The administrator quarantines B's VM with a trusted xattr and asks for
# a rescan (SIGUSR1): the new tenant applies from the next slice.  The
# tenant file comes first, and a slice runs under it unmatched, so that
# only the rescan can make the vCPU re-ask.
r=$(reloads)
cat >$ETC/tenants.d/q.json <<'JSON'
{
	"match": { "xattr": { "trusted.vpmu.quarantine": "1" } },
	"priority": 10,
	"default": "allow",
	"deny": [ "INST_RETIRED" ]
}
JSON
wait_reload $r
touch $T/b/go.7
check "[ '$(slice b 7)' = '$exact' ]" "slice 7: B still under the host default (allow)"
/tests/tools/set_xattr $CG/tenant-b.slice/vm-b.scope trusted.vpmu.quarantine 1
kill -USR1 "$(cat /tmp/policyd.pid)"
sleep 1
check "vpmuctl vms | grep -E 'tenant-b.slice/vm-b.scope +q +2 '" \
	"SIGUSR1: B's VM is reclassified to tenant q, which reuses deleted tenant b's policy id 2 (no VM names it)"
touch $T/b/go.8
check "[ '$(slice b 8)' = 0 ]" "slice 8: q's deny applies from the next slice (the rescan refreshed the VM)"
rm $ETC/tenants.d/q.json
host_default deny
wait $vms
vpmuctl vms | sed 's/^/# /'

# A new tenant file that is rejected and has no good version: its tenant
# is unknown and could claim any VM, even one another tenant (here a
# catch-all) matches, so new VMs stay pending until the file is fixed or
# removed, and classified VMs keep their tenants.
mkdir -p $CG/other.slice/vm-e.scope $T/e
r=$(reloads)
printf '{ "match": { "slice": "*.slice" }, "priority": -10, "default": "allow" }\n' \
	>$ETC/tenants.d/all.json
wait_reload $r
r=$(reloads)
printf '{ "match": { "slice": "other.slice" }, "default": "allow", "deny": [ "NO_SUCH" ] }\n' \
	>$ETC/tenants.d/x.json
wait_reload $r
sh -c "echo \$\$ >$CG/other.slice/vm-e.scope/cgroup.procs && exec /tests/tools/vm_count 2 $T/e" \
	>$T/e.out 2>&1 &
vm_e=$!
slice e 0 >/dev/null
check "vpmuctl vms | grep -E 'other.slice/vm-e.scope +\(pending\) .* pending +a tenant file is rejected with no good version: that tenant may be this VM.s$'" \
	"a new VM stays pending while a tenant file is rejected with no good version, though a catch-all matches it"
r=$(reloads)
rm $ETC/tenants.d/x.json
wait_reload $r
check "vpmuctl vms | grep -E 'other.slice/vm-e.scope +all .* enforced +tenant all, generation [0-9]+$'" \
	"once that file is removed, the catch-all tenant gets it"
touch $T/e/go.1
wait $vm_e
rm $ETC/tenants.d/all.json

# While a rejected file's tenant is unknown, classified VMs keep their
# entries; once it is known, what changed meanwhile applies to them too
# (not only to what the last file named).
mkdir -p $CG/moved.slice/vm-f.scope $T/f
r=$(reloads)
put m '{ "match": { "slice": "moved.slice" } }'
wait_reload $r
sh -c "echo \$\$ >$CG/moved.slice/vm-f.scope/cgroup.procs && exec /tests/tools/vm_count 2 $T/f" \
	>$T/f.out 2>&1 &
vm_f=$!
slice f 0 >/dev/null
check "vpmuctl vms | grep -E 'moved.slice/vm-f.scope +m .* enforced +'" \
	"VM f runs under tenant m"
r=$(reloads)
put y '{ "match": '
wait_reload $r
r=$(reloads)
put m '{ "match": { "slice": "elsewhere.slice" } }'
wait_reload $r
check "vpmuctl vms | grep -E 'moved.slice/vm-f.scope +m '" \
	"while y.json's tenant is unknown, VM f keeps its entry, though m no longer matches it"
r=$(reloads)
put y '{ "match": { "slice": "y.slice" } }'
wait_reload $r
check "vpmuctl vms | grep -E 'moved.slice/vm-f.scope +\(host default\)'" \
	"once y.json is fixed, VM f leaves m at once (not at the next rescan)"
touch $T/f/go.1
wait $vm_f
rm $ETC/tenants.d/m.json $ETC/tenants.d/y.json

# tenants.d missing (a mount gone, a directory being replaced): frozen,
# not empty.
# The host's own settings still apply.
mv $ETC/tenants.d $ETC/tenants.d.away
cp $ETC/vpmu-policyd.json $T/config.saved
sed -i 's/"audit": "denials",/"audit": "denials", "denials_per_sec": 7,/' $ETC/vpmu-policyd.json
kill -HUP "$(cat /tmp/policyd.pid)"
sleep 1
check "grep -q 'tenants.d: No such file or directory; keeping the current tenants' $LOG" \
	"a missing tenants.d is logged as such"
check "bpftool map dump pinned /sys/fs/bpf/vpmu/tenants | grep -q '\"a\"'" \
	"tenant a keeps its policy while tenants.d is missing"
check "grep -q 'vpmu-policyd.json: applied while the tenants are frozen' $LOG &&
	bpftool map dump pinned /sys/fs/bpf/vpmu/config | grep -q '\"denials_per_sec\": 7'" \
	"a configuration reloaded while tenants.d is missing applies at once"
cp $T/config.saved $ETC/vpmu-policyd.json
mv $ETC/tenants.d.away $ETC/tenants.d

# Presets, and where a verdict came from.
mkdir -p $CG/tenant-p.slice/vm-p.scope $CG/tenant-q.slice/vm-q.scope
r=$(reloads)
cat >$ETC/tenants.d/p.json <<'JSON'
{
	"match": { "slice": "tenant-p.slice" },
	"preset": "architectural"
}
JSON
cat >$ETC/tenants.d/q.json <<'JSON'
{
	"match": { "slice": "tenant-q.slice" },
	"preset": { "arm64": "architectural", "x86-intel": "standard" },
	"allow": [ "SW_INCR" ],
	"deny": [ "CPU_CYCLES" ]
}
JSON
wait_reload $r
check "vpmuctl check $ETC/tenants.d/p.json | grep -q 'p.json: ok: tenant p, 7 rules for arm64, default deny, preset architectural'" \
	"vpmuctl check: p.json compiles the architectural preset (7 rules)"
check "vpmuctl check --event CPU_CYCLES $ETC/tenants.d/q.json | grep -A1 'on a cycle counter: DENY, by a deny rule' | grep -q 'from $ETC/tenants.d/q.json:5:12'" \
	"vpmuctl check --event: q's CPU_CYCLES is denied by its deny entry at q.json:5:12"
# events VM CGROUP: run vm_events there until $T/NAME.stop exists
events()
{
	sh -c "echo \$\$ >$CG/$2/cgroup.procs && exec /tests/tools/vm_events $T/$1.stop" \
		>$T/$1.out 2>&1 &
	eval "ev_$1=\$!"
	i=0
	while [ $i -lt 600 ] && ! grep -q '^inst ' $T/$1.out; do
		i=$((i + 1))
		sleep 0.1
	done
}
field() { sed -n "s/.* $2 \([0-9a-fx]*\).*/\1/p; s/^$2 \([0-9]*\) .*/\1/p" $T/$1.out | head -1; }
events p tenant-p.slice/vm-p.scope
cat $T/p.out | sed 's/^/# /'
check "[ '$(field p inst)' = '$(field p expect)' ]" \
	"preset architectural: INST_RETIRED counts exactly $(field p expect) (got $(field p inst))"
check "[ '$(field p l1d)' = 0 ]" "preset architectural: L1D_CACHE (0x04) reads 0"
check "[ '$(field p swinc)' = 0 ]" \
	"preset architectural: SW_INCR reads 0 (the guest wrote PMSWINC $(field p swinc_expect) times)"
check "[ '$(field p cycles)' -gt 0 ]" "preset architectural: CPU_CYCLES counts ($(field p cycles))"
pmceid=$(field p pmceid0)
check "[ \$(( $pmceid & 1 )) = 0 ] && [ \$(( ($pmceid >> 8) & 1 )) = 1 ]" \
	"preset architectural: PMCEID0 advertises INST_RETIRED, not SW_INCR ($pmceid)"
vm_p=$(vpmuctl --json vms | tr '{' '\n' | sed -n 's/.*"vm_id":\([0-9]*\).*tenant-p.slice.*/\1/p')
check "vpmuctl explain --vm $vm_p --event INST_RETIRED | grep -q 'ALLOW, by the preset (architectural)'" \
	"vpmuctl explain: INST_RETIRED is allowed by the preset"
check "vpmuctl explain --vm $vm_p --event L1D_CACHE | grep -q \"DENY, by the policy's default\"" \
	"vpmuctl explain: L1D_CACHE is denied by the default, no preset rule"
check "vpmuctl --json explain --vm $vm_p --event INST_RETIRED | grep -q '\"preset\":\"architectural\".*\"by\":\"preset\"'" \
	"vpmuctl --json explain names the preset"
check "wait_log 'tenant p, .*deny L1D_CACHE'" \
	"the engine denied L1D_CACHE for tenant p (logged by the daemon), not only QEMU not counting it"
# Metrics: the textfile node_exporter would read, rewritten every second,
# and vpmuctl metrics (the same text).  The file goes to the console
# between markers: selftests/harness/test_metrics_promtool.sh checks it
# with promtool on the host.
M=/run/vpmu-e2e-metrics/vpmu-policyd.prom
metric_wait()
{
	i=0
	while [ $i -lt 50 ]; do
		grep -q "$1" $M 2>/dev/null && return 0
		i=$((i + 1))
		sleep 0.1
	done
	return 1
}
check "metric_wait '^vpmu_vms{tenant=\"p\",state=\"enforced\"} 1\$'" \
	"metrics file: tenant p has 1 VM, enforced"
check "grep -Eq '^vpmu_guest_decisions\\{tenant=\"p\",event=\"L1D_CACHE\",verdict=\"denied\"\\} [1-9]' $M &&
	grep -Eq '^vpmu_guest_decisions\\{tenant=\"p\",event=\"INST_RETIRED\",verdict=\"allowed\"\\} [1-9]' $M" \
	"metrics file: p's L1D_CACHE denied and INST_RETIRED allowed, counted"
check "grep -q '^vpmu_rejected_files 0\$' $M && grep -Eq '^vpmu_reloads_total [1-9]' $M &&
	grep -q '^vpmu_daemon_up 1\$' $M && ! ls /run/vpmu-e2e-metrics | grep -q tmp" \
	"metrics file: reloads, no rejected file, daemon up, no temporary left"
# (Retried: the daemon may be rewriting the file with newer numbers.)
metrics_same()
{
	i=0
	while [ $i -lt 20 ]; do
		vpmuctl metrics >$T/metrics.out && cmp -s $T/metrics.out $M && return 0
		i=$((i + 1))
		sleep 0.2
	done
	diff $T/metrics.out $M
	return 1
}
check "metrics_same" "vpmuctl metrics prints what the daemon writes"
echo "# vpmu-metrics-begin"
sed 's/^/# /' $M
echo "# vpmu-metrics-end"
touch $T/p.stop
events q tenant-q.slice/vm-q.scope
cat $T/q.out | sed 's/^/# /'
check "[ '$(field q inst)' = '$(field q expect)' ]" \
	"preset + allow + deny: INST_RETIRED still counts exactly (got $(field q inst))"
check "[ '$(field q swinc)' = '$(field q swinc_expect)' ]" \
	"preset + allow SW_INCR: SW_INCR counts exactly $(field q swinc_expect) (got $(field q swinc))"
check "[ '$(field q cycles)' = 0 ]" "preset + deny CPU_CYCLES: the deny wins, CPU_CYCLES reads 0"
check "[ '$(field q l1d)' = 0 ]" "preset + allow + deny: L1D_CACHE still reads 0"
pmceid=$(field q pmceid0)
check "[ \$(( $pmceid & 1 )) = 1 ]" "preset + allow SW_INCR: PMCEID0 advertises SW_INCR ($pmceid)"
vm_q=$(vpmuctl --json vms | tr '{' '\n' | sed -n 's/.*"vm_id":\([0-9]*\).*tenant-q.slice.*/\1/p')
check "vpmuctl explain --vm $vm_q --event SW_INCR | grep -q 'ALLOW, by an allow rule' &&
	vpmuctl explain --vm $vm_q --event CPU_CYCLES | grep -q 'DENY, by a deny rule'" \
	"vpmuctl explain: q's SW_INCR by its allow entry, CPU_CYCLES by its deny entry"
touch $T/q.stop
wait $ev_p $ev_q
r=$(reloads)
rm $ETC/tenants.d/p.json $ETC/tenants.d/q.json
wait_reload $r

# Custom filters beside the engine (no nested guest here: no effect).
check "vpmuctl attach /tests/nested_stop.bpf.o | grep -q 'attached nested_stop'" \
	"vpmuctl attach: a custom filter attached beside the engine"
check "grep -A1 '^vpmu_engine ' /sys/kernel/debug/kvm/pmu_policies | grep -q '^nested_stop '" \
	"it comes after the engine in KVM's order"
check "vpmuctl status | grep -q '2. nested_stop'" "vpmuctl status lists both, in order"
check "vpmuctl attach /tests/nested_stop.bpf.o --before vpmu_engine; [ \$? = 2 ]" \
	"vpmuctl attach --before is refused with its reason"
check "vpmuctl detach nested_stop && ! grep -q '^nested_stop ' /sys/kernel/debug/kvm/pmu_policies" \
	"vpmuctl detach removes it"

# A file rewritten without pause must not postpone every other change:
# a reload comes at most a second after the first change it waits for.
noise()
{
	while [ -e $T/noise.on ]; do
		put noise '{ "match": { "slice": "noise.slice" } }'
	done
}
touch $T/noise.on
noise &
noise_pid=$!
sleep 1
echo '{ "match": { "slice": "steady.slice" } }' >$ETC/tenants.d/steady.json
check "i=0; while [ \$i -lt 40 ] && ! bpftool map dump pinned /sys/fs/bpf/vpmu/tenants | grep -q '\"steady\"'; do sleep 0.1; i=\$((i + 1)); done; [ -e $T/noise.on ] && [ \$i -lt 40 ]" \
	"a steady writer of one file does not postpone another file's reload past the cap"
rm -f $T/noise.on
wait $noise_pid
rm -f $ETC/tenants.d/noise.json $ETC/tenants.d/steady.json

# A publish that fails (here the kernel refuses every write to a frozen
# size class, which each publish cleans) is logged, retried after 2 s and
# then 4 s, leaves the tenant degraded, and never gives its VM policy 0.
# Last in this daemon's life: a frozen map cannot be thawed.
mkdir -p $CG/tenant-a.slice/vm-pf.scope $T/pf
vm pf tenant-a.slice/vm-pf.scope 2
pf_pid=$!
slice pf 0 >/dev/null
r=$(reloads)
put t2 '{ "match": { "slice": "nothing.slice" } }'
wait_reload $r
check "vpmuctl vms | grep -E 'tenant-a.slice/vm-pf.scope +a '" \
	"a VM in tenant a's slice runs under tenant a"
bpftool map freeze pinned /sys/fs/bpf/vpmu/policies_8192
# An edit that would claim a's VM for t2 fails to publish too: the engine
# still runs t2's old version, so the VM must not move to t2.
put t2 '{ "match": { "slice": "tenant-a.slice" }, "priority": 100 }'
cat >$ETC/tenants.d/.a.json.tmp <<'JSON'
{
	"match": { "slice": "tenant-a.slice" },
	"default": "allow",
	"deny": [ "CPU_CYCLES" ]
}
JSON
mv $ETC/tenants.d/.a.json.tmp $ETC/tenants.d/a.json
i=0
while [ $i -lt 150 ] && ! grep -q 'retrying in 4 s' $LOG; do
	sleep 0.1
	i=$((i + 1))
done
check "grep -q 'publishing tenant a: Operation not permitted' $LOG &&
	grep -q 'a policy could not be published; retrying in 2 s' $LOG &&
	grep -q 'a policy could not be published; retrying in 4 s' $LOG" \
	"a failed publish is logged and retried after 2 s, then 4 s"
check "vpmuctl status | grep -qE '^degraded:  (.*, )?a[, ]' &&
	vpmuctl vms | grep -E 'tenant-a.slice/vm-pf.scope +a .* degraded '" \
	"meanwhile tenant a and its VM show degraded, the VM still under a (never policy 0)"
check "vpmuctl vms | grep -E 'tenant-a.slice/vm-pf.scope +a ' && grep -q 'publishing tenant t2: Operation not permitted' $LOG" \
	"t2's unpublished version does not take a's VM (t2's published one would not)"
touch $T/pf/go.1
wait $pf_pid

kill "$(cat /tmp/policyd.pid)" 2>/dev/null
sleep 0.3
check "vpmuctl unpin && sleep 0.5 && ! grep -q vpmu_engine /sys/kernel/debug/kvm/pmu_policies" \
	"vpmuctl unpin detaches the engine once the daemon is stopped"

# What an ABI 1 engine left pinned looks like to this daemon: its config
# map says ABI 1 (struct vpmu_config: abi_version first), and a link pin.
OLD=/sys/fs/bpf/vpmu-old
mkdir -p -m 0700 $OLD
bpftool map create $OLD/config type array key 4 value 16 entries 1 name config
bpftool map update pinned $OLD/config key 0 0 0 0 \
	value 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0
bpftool map create $OLD/vpmu_engine type array key 4 value 4 entries 1 name old_link
bpftool map create $OLD/policies type array key 4 value 4 entries 1 name policies
cat >$ETC/old.json <<JSON
{ "pin_dir": "$OLD", "state_dir": "$T/old-state" }
JSON
check "vpmu-policyd --config $ETC/old.json --oneshot 2>$T/old.err; [ \$? = 78 ] &&
	grep -q 'has ABI 1, this daemon $ABI: stop its VMs. policy with .vpmuctl unpin. first' $T/old.err" \
	"an engine pinned by ABI 1 is refused by its version, with the way out (exit 78)"
check "vpmuctl --config $ETC/old.json unpin && [ ! -e $OLD ]" \
	"vpmuctl unpin removes the old engine's pins, ABI 1's policies map too"
exit $failed
