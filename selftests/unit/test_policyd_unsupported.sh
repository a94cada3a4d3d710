#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vpmu-policyd on a kernel without the feature (this host's: no vpmu-policy
# series) fails with a message naming what is missing: no bpffs at the pin
# directory, no privilege, no kvm_pmu_policy_ops struct_ops type.  And a
# broken main configuration is refused with its position and exit 78.
#
# The main configuration must be root's, as tenant files must: a file
# others may write, one owned by another user, one in a directory another
# user owns, or a missing one whose absence another user decides, is
# refused with the file and the problem and exit 78.  A missing one in a
# root-only directory is no error, and vpmuctl check still checks a
# draft's contents wherever it is.  Files are under /run (root's; /tmp is
# world-writable), so this needs root.
top=$(cd "$(dirname "$0")/../.." && pwd)
O=${O:-$top/build}
daemon=$O/daemon/x86_64/vpmu-policyd
ctl=$O/daemon/x86_64/vpmuctl
if [[ ! -x $daemon || ! -x $ctl ]]; then
	echo "1..0 # SKIP $daemon or $ctl not built"
	exit 0
fi
if [[ $(id -u) != 0 ]]; then
	echo "1..0 # SKIP needs root: the configuration must be root's"
	exit 0
fi
echo "1..10"
umask 022
tmp=$(mktemp -d /run/vpmu-unsupported-XXXXXX)
chmod 755 "$tmp"
trap 'umount "$tmp/bpf" 2>/dev/null; rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bpf" "$tmp/plain" "$tmp/usr"
chown 1000 "$tmp/usr"
n=0 failed=0
. "$top/selftests/lib/policyd_expect.sh"

conf "$tmp/plain/vpmu"
expect "no bpffs at the pin directory: named, with the mount command" 1 \
	"no BPF filesystem at $tmp/plain: mount bpffs there" \
	"$daemon" --config "$tmp/conf.json"

if mount -t bpf bpf "$tmp/bpf" 2>/dev/null; then
	conf "$tmp/bpf/vpmu"
	expect "no kvm_pmu_policy_ops in the kernel's BTF: named, with the series and config" 1 \
		"the kernel has no kvm_pmu_policy_ops struct_ops type: it needs CONFIG_KVM_PMU_POLICY=y" \
		"$daemon" --config "$tmp/conf.json"
	chmod 755 "$tmp"
	expect "no privilege: named" 1 "missing privilege: loading the engine needs CAP_BPF" \
		setpriv --reuid=65534 --regid=65534 --clear-groups "$daemon" --config "$tmp/conf.json"
else
	n=$((n + 2))
	echo "ok $((n - 1)) # SKIP cannot mount bpffs"
	echo "ok $n # SKIP cannot mount bpffs"
fi

printf '{ "default_action": "permit" }\n' >"$tmp/bad.json"
expect "a broken main config: its position and problem, exit 78 (no restart)" 78 \
	"$tmp/bad.json:1:21: \"default_action\" must be \"deny\" or \"allow\", not \"permit\"" \
	"$daemon" --config "$tmp/bad.json"

pconf()	# pconf FILE MODE OWNER: a configuration that would allow everything
{
	printf '{ "default_action": "allow", "pin_dir": "%s/plain/vpmu", "tenants_dir": "%s/t", "state_dir": "%s/s" }\n' \
		"$tmp" "$tmp" "$tmp" >"$1"
	chmod "$2" "$1"
	chown "$3" "$1"
}

pconf "$tmp/ww.json" 0666 0
expect "a world-writable configuration: the file, its mode, exit 78" 78 \
	"$tmp/ww.json: not used: $tmp/ww.json: writable by group or others (mode 0666)" \
	"$daemon" --config "$tmp/ww.json"
pconf "$tmp/u.json" 0644 1000
expect "a configuration owned by uid 1000: the owner, exit 78" 78 \
	"$tmp/u.json: not used: $tmp/u.json: owned by uid 1000, not root" \
	"$daemon" --config "$tmp/u.json"
pconf "$tmp/usr/c.json" 0644 0
expect "a root's configuration in uid 1000's directory: exit 78" 78 \
	"$tmp/usr/c.json: not used: $tmp/usr: owned by uid 1000, not root" \
	"$daemon" --config "$tmp/usr/c.json"
# As nobody: were the absence believed, the defaults are the host's pins.
expect "a missing configuration in uid 1000's directory: exit 78" 78 \
	"$tmp/usr/none.json: not used: $tmp/usr: owned by uid 1000, not root" \
	setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$daemon" --config "$tmp/usr/none.json"
pconf "$tmp/ok.json" 0644 0
# (Not the daemon: with the defaults it would use the host's pins.)
expect "vpmuctl: a missing configuration in a root-only directory is no error" 0 \
	"$tmp/ok.json: ok" \
	eval '"$ctl" --config "$tmp/none.json" check --target x86-intel --config "$tmp/ok.json" &&
	! "$ctl" --config "$tmp/none.json" check --target x86-intel --config "$tmp/ok.json" 2>&1 >/dev/null | grep .'
expect "vpmuctl check --config: a draft's contents, wherever it is" 0 \
	"$tmp/ww.json: ok" \
	"$ctl" check --target x86-intel --config "$tmp/ww.json"
exit $failed
