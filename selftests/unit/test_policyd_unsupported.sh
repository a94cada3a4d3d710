#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vpmu-policyd on a kernel without the feature (this host's: no vpmu-policy
# series) fails with a message naming what is missing: no bpffs at the pin
# directory, no privilege, no kvm_pmu_policy_ops struct_ops type.  And a
# broken main configuration is refused with its position and exit 78.
top=$(cd "$(dirname "$0")/../.." && pwd)
O=${O:-$top/build}
daemon=$O/daemon/x86_64/vpmu-policyd
echo "1..4"
if [[ ! -x $daemon ]]; then
	echo "1..0 # SKIP $daemon not built"
	exit 0
fi
tmp=$(mktemp -d)
trap 'umount "$tmp/bpf" 2>/dev/null; rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bpf" "$tmp/plain"
n=0 failed=0
expect()	# expect WHAT STATUS PATTERN COMMAND...
{
	local what=$1 want=$2 pattern=$3 out rc
	shift 3
	n=$((n + 1))
	out=$("$@" 2>&1)
	rc=$?
	if [[ $rc == "$want" ]] && grep -q -- "$pattern" <<<"$out"; then
		echo "ok $n - $what"
	else
		echo "not ok $n - $what (exit $rc)"
		sed 's/^/# /' <<<"$out"
		failed=1
	fi
}
conf()
{
	printf '{ "pin_dir": "%s", "tenants_dir": "%s/t", "state_dir": "%s/s" }\n' \
		"$1" "$tmp" "$tmp" >"$tmp/conf.json"
}

conf "$tmp/plain/vpmu"
expect "no bpffs at the pin directory: named, with the mount command" 1 \
	"no BPF filesystem at $tmp/plain: mount bpffs there" \
	"$daemon" --config "$tmp/conf.json"

if [[ $(id -u) == 0 ]] && mount -t bpf bpf "$tmp/bpf" 2>/dev/null; then
	conf "$tmp/bpf/vpmu"
	expect "no kvm_pmu_policy_ops in the kernel's BTF: named, with the series and config" 1 \
		"the kernel has no kvm_pmu_policy_ops struct_ops type: it needs CONFIG_KVM_PMU_POLICY=y" \
		"$daemon" --config "$tmp/conf.json"
	chmod 755 "$tmp"
	expect "no privilege: named" 1 "missing privilege: loading the engine needs CAP_BPF" \
		setpriv --reuid=65534 --regid=65534 --clear-groups "$daemon" --config "$tmp/conf.json"
else
	n=$((n + 2))
	echo "ok $((n - 1)) # SKIP needs root to mount bpffs"
	echo "ok $n # SKIP needs root to mount bpffs"
fi

printf '{ "default_action": "permit" }\n' >"$tmp/bad.json"
expect "a broken main config: its position and problem, exit 78 (no restart)" 78 \
	"$tmp/bad.json:1:21: \"default_action\" must be \"deny\" or \"allow\", not \"permit\"" \
	"$daemon" --config "$tmp/bad.json"
exit $failed
