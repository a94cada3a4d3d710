#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# daemon_audit: audit mode, per-VM status and suggested policies, with
# vpmu-policyd started directly (no systemd) and exact counts.  The host
# counts nothing itself ("audit": "none"): audit mode counts anyway.
#   tenant aud  "mode": "audit", denies INST_RETIRED (would)
#   tenant enf  enforce, denies INST_RETIRED
#   no tenant   other.slice: the host default (deny)
# Slices of A's VM (tools/vm_count):
#   slice 0  audit: A counts exactly, would-deny > 0 per VM and tenant,
#            logged as would-deny; vpmuctl suggest --tenant aud gives
#            exactly INST_RETIRED and CPU_CYCLES, and vpmuctl check takes it
#   slice 1  aud.json edited to "mode": "enforce": A reads 0 from here
#   slice 2  the suggested file written as aud.json: A counts both events
# and the STATE and REASON columns say audit / enforced / host-default /
# degraded with why, in text and --json.
echo "TAP version 13"
echo "1..31"
. "$(dirname "$0")/check_lib.sh"
. "$(dirname "$0")/daemon_lib.sh"

CG=/sys/fs/cgroup
DIR=/etc/vpmu-audit
CONF=$DIR/vpmu-policyd.json
LOG=/tmp/policyd-audit.log
T=/tmp/audit
vms=
mkdir -p $DIR/tenants.d $T/a $T/e $T/o
mkdir -p $CG/aud.slice/vm-a.scope $CG/enf.slice/vm-e.scope $CG/other.slice/vm-o.scope
: >$LOG

cat >$CONF <<JSON
{
	"comment": "audit mode test: the host counts nothing itself",
	"default_action": "deny",
	"audit": "none",
	"tenants_dir": "$DIR/tenants.d",
	"state_dir": "/run/vpmu-audit-state"
}
JSON
# put FILE: write a tenant file whole (as an editor's rename does).
put()
{
	cat >$DIR/tenants.d/.$1.tmp && mv $DIR/tenants.d/.$1.tmp $DIR/tenants.d/$1
}
aud_file()
{
	put aud.json <<JSON
{
	"match": { "slice": "aud.slice" },
	"mode": "$1",
	"default": "allow",
	"deny": [ "INST_RETIRED" ]
}
JSON
}
aud_file audit
put enf.json <<'JSON'
{
	"match": { "slice": "enf.slice" },
	"default": "allow",
	"deny": [ "INST_RETIRED" ]
}
JSON

VPMUCTL="vpmuctl --config $CONF"
ctl() { $VPMUCTL "$@"; }
# The --json vms object of the VM in cgroup $1, on one line.
vm_json() { ctl --json vms | tr '{' '\n' | grep "\"cgroup\":\"/$1\""; }
num() { sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"; }
# The allow list of a tenant file, one name a line, without quotes.
allow_list() { sed -n '/"allow"/,/]/p' "$1" | sed -n 's/^[[:space:]]*"\([^"]*\)",*$/\1/p'; }

# Nothing of an earlier test may be attached: its engine would decide too.
if [ -e /sys/fs/bpf/vpmu ]; then
	vpmuctl unpin >/dev/null 2>&1
fi
vpmu-policyd --config $CONF >>$LOG 2>&1 &
echo $! >$T/pid
check "i=0; while [ \$i -lt 200 ] && ! grep -q ': ready' $LOG; do sleep 0.1; i=\$((i + 1)); done; grep -q ': ready' $LOG" \
	"vpmu-policyd starts"
check "grep -q 'tenant aud: policy [0-9]* published (1 rules, default allow, mode audit)' $LOG" \
	"the daemon publishes tenant aud in audit mode (logged)"

# E's and O's VMs wait before their second slice: they stay listed.
vm a aud.slice/vm-a.scope 3
vm e enf.slice/vm-e.scope 2
vm o other.slice/vm-o.scope 2
sa=$(slice a 0); ca=$(slice a 0 cycles)
exact=$(expect a)
check "[ -n '$exact' ] && [ '$sa' = '$exact' ] && [ '$ca' = '$exact' ]" \
	"slice 0: audit mode: A's guest counts INST_RETIRED exactly $exact, as if allowed (got $sa, cycles $ca)"
se=$(slice e 0)
check "[ '$se' = 0 ]" "the enforcing tenant's guest reads 0 INST_RETIRED (got $se)"
slice o 0 >/dev/null

ja=$(vm_json aud.slice/vm-a.scope)
je=$(vm_json enf.slice/vm-e.scope)
jo=$(vm_json other.slice/vm-o.scope)
wd=$(echo "$ja" | num would_deny)
check "[ '${wd:-0}' -gt 0 ]" "vpmuctl --json vms: A's VM would-deny > 0 (got $wd)"
check "echo '$ja' | grep -q '\"state\":\"audit\",\"reason\":\"tenant aud in audit mode: its denials are counted as would-deny, not applied\"'" \
	"vpmuctl --json vms: A's VM is in state audit, with the reason"
check "[ \"\$(echo '$je' | num would_deny)\" = 0 ] && echo '$je' | grep -q '\"state\":\"enforced\",\"reason\":\"tenant enf, generation 1\"'" \
	"vpmuctl --json vms: the enforcing tenant's VM is enforced, no would-deny"
check "echo '$jo' | grep -q '\"state\":\"host-default\",\"reason\":\"matched no tenant: host default action deny\"'" \
	"vpmuctl --json vms: a VM of no tenant is host-default, with the reason"
check "ctl vms | grep -E 'aud.slice/vm-a.scope +aud +[0-9]+ +[0-9]+ +0 +$wd +0 +audit +tenant aud in audit mode'" \
	"vpmuctl vms: A's row has the WOULD-DENY count ($wd), STATE audit and the REASON"
check "ctl vms | head -1 | grep -E 'ALLOWED +DENIED +WOULD-DENY +OVERFLOW +STATE +REASON$'" \
	"vpmuctl vms: the WOULD-DENY and REASON columns"
check "ctl status | grep -E '^would-deny: aud: mode audit, 1 VM, $wd would-deny$'" \
	"vpmuctl status: tenant aud's would-deny count ($wd)"
check "ctl --json status | grep -q '\"would_deny\":\[{\"tenant\":\"aud\",\"mode\":\"audit\",\"vms\":1,\"would_deny\":$wd}\]'" \
	"vpmuctl --json status: the same"
vm_a=$(echo "$ja" | num vm_id)
check "grep -E 'VM $vm_a \(tenant aud, cgroup /aud.slice/vm-a.scope\) vCPU 0: would-deny INST_RETIRED' $LOG" \
	"the daemon logs the would-deny decision with the VM and tenant"
check "! grep -E 'VM $vm_a .*: deny ' $LOG" "and logs no denial for A's VM"
check "ctl explain --vm $vm_a --event INST_RETIRED | grep -q 'mode audit: a DENY below is counted as would-deny and not applied'" \
	"vpmuctl explain says the deny is not applied in audit mode"

ctl vms | sed 's/^/# /'

# Suggested policy: what A's guest programmed.
check "ctl suggest --tenant aud >$T/suggest.json && [ \"\$(allow_list $T/suggest.json | tr '\n' ' ')\" = 'CPU_CYCLES INST_RETIRED ' ]" \
	"vpmuctl suggest --tenant aud: allows exactly CPU_CYCLES and INST_RETIRED"
sed 's/^/# /' $T/suggest.json
check "grep -q '\"match\": { \"slice\": \"aud.slice\" }' $T/suggest.json && grep -q '\"default\": \"deny\"' $T/suggest.json && grep -q '\"mode\": \"enforce\"' $T/suggest.json" \
	"the suggestion keeps aud's match, denies by default and enforces"
check "ctl check $T/suggest.json" "vpmuctl check accepts the suggestion"
check "ctl suggest --vm $vm_a >$T/suggest-vm.json && cmp $T/suggest.json $T/suggest-vm.json" \
	"vpmuctl suggest --vm gives the same for A's VM"
check "ctl suggest --tenant nosuch 2>$T/nosuch.err; [ \$? = 1 ] && grep -q 'no tenant \"nosuch\" in the engine' $T/nosuch.err" \
	"vpmuctl suggest for an unknown tenant says so"

# Enforce: an edit, from the next slice.
r=$(reloads)
aud_file enforce
check "wait_reload $r" "aud.json edited to \"mode\": \"enforce\" reloads"
check "grep -q 'tenant aud: policy [0-9]* published (1 rules, default allow, mode enforce)' $LOG" \
	"the daemon publishes aud in enforce mode"
wd1=$(vm_json aud.slice/vm-a.scope | num would_deny)
touch $T/a/go.1
sa=$(slice a 1)
check "[ '$sa' = 0 ]" "slice 1: enforce: A's guest reads 0 INST_RETIRED (got $sa)"
check "[ \"\$(vm_json aud.slice/vm-a.scope | num would_deny)\" = '$wd1' ]" \
	"A's VM: no new would-deny ($wd1)"
check "vm_json aud.slice/vm-a.scope | grep -q '\"state\":\"enforced\"' && ctl vms | grep -E 'aud.slice/vm-a.scope .* enforced +tenant aud, generation 2'" \
	"A's VM is enforced now (generation 2)"
check "ctl status | grep -E '^would-deny: aud: mode enforce, 1 VM, $wd1 would-deny$'" \
	"vpmuctl status: aud in enforce mode, its VM's earlier would-deny kept"

# A broken edit: degraded, with the reason.
r=$(reloads)
printf '{ "match": { "slice": "aud.slice" }, "mode": "enforcing" }\n' | put aud.json
check "wait_reload $r && grep -q 'aud.json:1:.*\"mode\" must be \"enforce\" or \"audit\", not \"enforcing\"' $LOG" \
	"a bad \"mode\" is rejected with file:line:column"
check "ctl vms | grep -E 'aud.slice/vm-a.scope .* degraded +tenant aud: its file is rejected; its last good version is in force'" \
	"vpmuctl vms: A's VM is degraded, because the file is rejected"

# The suggested file as aud's: both events count.
r=$(reloads)
put aud.json <$T/suggest.json
check "wait_reload $r && ctl vms | grep -E 'aud.slice/vm-a.scope .* enforced +tenant aud, generation 3'" \
	"the suggestion, written as aud.json, is accepted"
touch $T/a/go.2
sa=$(slice a 2); ca=$(slice a 2 cycles)
check "[ '$sa' = '$exact' ] && [ '$ca' = '$exact' ]" \
	"slice 2: under the suggested policy A's guest counts both events exactly (inst $sa, cycles $ca)"

touch $T/e/go.1 $T/o/go.1
wait $vms
kill "$(cat $T/pid)" 2>/dev/null
sleep 0.3
check "vpmuctl unpin && ! grep -q vpmu_engine /sys/kernel/debug/kvm/pmu_policies" \
	"the engine is unpinned at the end"
exit $failed
