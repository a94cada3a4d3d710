#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# e2e_daemon: vpmu-policyd as users run it, in a Debian guest with systemd
# as PID 1 (run by run-systemd-vm.sh with the arm64 package of `make deb`
# added under /usr/local/lib/vpmu-test): install it with dpkg, start the
# unit, drop a tenant file, start a "VM" with systemd-run in the tenant's
# slice, and look with vpmuctl, bpftool and journalctl; then systemctl
# reload applies an edit, and stopping the service leaves the policy
# enforced.  Last, dpkg --purge detaches the engine and leaves nothing of
# the package behind, only the administrator's own tenant file.
set -u

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
diag() { sed 's/^/# /'; }
check()
{
	local what=$2
	if eval "$1" >/tmp/check.out 2>&1; then
		ok "$what"
	else
		not_ok "$what"
		diag </tmp/check.out | head -20
		journalctl -u vpmu-policyd --no-pager -n 10 | diag
	fi
}

echo "1..21"
VM=/usr/local/lib/vpmu-test/vm_count
T=/tmp/e2e
mkdir -p $T
timeout 300 systemctl is-system-running --wait >/dev/null 2>&1

# What the file system holds before the package, to compare after purge
# (not the API file systems, the test's /tmp, logs, or dpkg's database).
snapshot()
{
	find / -xdev \( -path /proc -o -path /sys -o -path /dev -o -path /run \
		-o -path /tmp -o -path /var/log -o -path /var/lib/dpkg \
		-o -path /var/lib/vpmu-e2e \) -prune -o -print | sort
}
snapshot >$T/before
deb=$(ls /usr/local/lib/vpmu-test/vpmu-policyd_*_arm64.deb)
check "dpkg -i $deb" "dpkg -i $(basename "$deb")"
check "systemctl is-enabled vpmu-policyd && ! systemctl is-active vpmu-policyd" \
	"the package enabled the unit but did not start it"
check "test -d /etc/vpmu-policyd/tenants.d && [ \$(stat -c %a /var/lib/vpmu-policyd) = 700 ] && dpkg-query -W -f='\${Conffiles}' vpmu-policyd | grep -q /etc/vpmu-policyd/vpmu-policyd.json" \
	"tenants.d, the state directory (0700, tmpfiles.d) and the conffile are there"
printf '{ "default_action": "deny" }\n' >/etc/vpmu-policyd/vpmu-policyd.json
check "systemctl enable --now vpmu-policyd" "systemctl enable --now vpmu-policyd"
check "systemctl is-active vpmu-policyd" "the service is active (Type=notify-reload: READY sent)"
check "systemctl show -p StatusText vpmu-policyd | grep -q 'tenants'" \
	"its STATUS= text reaches systemd"

cat >/etc/vpmu-policyd/tenants.d/acme.json <<'JSON'
{
	"match": { "slice": "acme.slice" },
	"default": "allow",
	"deny": [ "INST_RETIRED" ]
}
JSON
sleep 1
systemd-run --quiet --scope --slice=acme.slice --unit=vm-acme-1 \
	$VM 2 $T >$T/vm.out 2>&1 &
slice()
{
	local i v
	for i in $(seq 600); do
		v=$(sed -n "s/^slice $1 inst \([0-9]*\) .*/\1/p" $T/vm.out)
		[[ -n $v ]] && { echo "$v"; return; }
		sleep 0.1
	done
	echo timeout
}
s0=$(slice 0)
exact=$(sed -n 's/.* expect \([0-9]*\)$/\1/p' $T/vm.out | head -1)
check "[[ $s0 == 0 ]]" "the VM in acme.slice reads 0 INST_RETIRED (got $s0)"
check "vpmuctl vms | grep -E 'acme.slice/vm-acme-1.scope +acme '" \
	"vpmuctl vms shows the VM under tenant acme"
check "bpftool map dump pinned /sys/fs/bpf/vpmu/audit | grep -q '\"denied\": [1-9]'" \
	"bpftool map dump pinned .../audit shows its denials"
check "journalctl -u vpmu-policyd --no-pager | grep -q 'deny INST_RETIRED'" \
	"journalctl -u vpmu-policyd shows the denial"
check "journalctl -u vpmu-policyd -o verbose --no-pager TENANT=acme | grep -q 'ACTION=deny'" \
	"the journal entry has fields (TENANT=acme, ACTION=deny)"

# vpmuctl's read-only commands open the pinned maps read-only: with the
# map pins made read-only and CAP_DAC_OVERRIDE gone, they still work,
# while a write through the same pins is refused (so the check bites).
# (The kernel opens a pinned program or link only read-write; vpmuctl
# opens the refresh program to check the maps are the ones it uses.)
modes=$(stat -c '%a %n' /sys/fs/bpf/vpmu/*)
for pin in /sys/fs/bpf/vpmu/*; do
	bpftool map show pinned "$pin" >/dev/null 2>&1 && chmod 0400 "$pin"
done
ro() { setpriv --bounding-set=-dac_override,-dac_read_search "$@"; }
check "ro vpmuctl status && ro vpmuctl vms | grep -E 'acme.slice/vm-acme-1.scope +acme '" \
	"vpmuctl status and vms read read-only map pins without CAP_DAC_OVERRIDE"
check "ro bpftool map delete pinned /sys/fs/bpf/vpmu/tenants key 0 0 0 0 2>&1 | grep -q 'Permission denied'" \
	"... where opening a pin for writing is refused"
while read -r mode pin; do chmod "$mode" "$pin"; done <<<"$modes"

sed -i 's/"deny": \[ "INST_RETIRED" \]/"deny": []/' /etc/vpmu-policyd/tenants.d/acme.json
check "systemctl reload vpmu-policyd" "systemctl reload returns (RELOADING=1 then READY=1)"
touch $T/go.1
s1=$(slice 1)
check "[[ $s1 == $exact ]]" "after the reload the running VM counts exactly ($s1 of $exact)"
check "journalctl -u vpmu-policyd --no-pager | grep -q 'SIGHUP'" \
	"the reload came as SIGHUP"

check "systemctl stop vpmu-policyd && test -e /sys/fs/bpf/vpmu/vpmu_engine" \
	"stopping the service leaves the engine pinned"
check "vpmuctl status | grep -q 'not running'" "vpmuctl status: daemon not running"
wait

check "dpkg --purge vpmu-policyd" "dpkg --purge vpmu-policyd"
check "! test -e /sys/fs/bpf/vpmu && ! grep -q '^vpmu_engine ' /sys/kernel/debug/kvm/pmu_policies" \
	"purge detached the engine and removed its pins"
# Left: the administrator's tenant file (policy: never the package's to
# delete) and its directories, and deb-systemd-helper's own state
# directories (init-system-helpers').
snapshot >$T/after
comm -13 $T/before $T/after |
	grep -vxE '/etc/vpmu-policyd(/tenants.d(/acme.json)?)?|/var/lib/systemd/deb-systemd-helper-(enabled|masked)(/multi-user.target.wants)?' \
	>$T/left
check "cat $T/left; ! test -s $T/left && ! dpkg-query -W vpmu-policyd" \
	"nothing of the package is left but the administrator's tenant file"
exit $((failed > 0))
