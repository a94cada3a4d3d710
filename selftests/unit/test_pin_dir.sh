#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The pin directory must be safe to adopt from: whoever can write it can
# replace a pinned map with their own, which the daemon would then fill
# and vpmuctl show while the attached engine reads another.  So it must
# be a directory on bpffs, root's, with no group or other access, and not
# a symbolic link; otherwise vpmu-policyd refuses it, naming the path,
# owner and mode, with exit 78 (the unit does not restart on it), and
# vpmuctl refuses to read it.  Its parent must be a BPF filesystem (exit
# 1: a prerequisite, as before, now checked when adopting too).
#
# vpmuctl attach loads only kvm_pmu_policy_ops struct_ops objects: one of
# another type is refused before it is loaded.
#
# This host's kernel has no kvm_pmu_policy_ops, so nothing here pins an
# engine: an acceptable directory falls through to that missing type.
# Needs root (bpffs, chown).
top=$(cd "$(dirname "$0")/../.." && pwd)
O=${O:-$top/build}
daemon=${DAEMON:-$O/daemon/x86_64/vpmu-policyd}
ctl=${CTL:-$O/daemon/x86_64/vpmuctl}
other=$O/selftests/x86_64/tests/not_pmu_ops.bpf.o
if [[ ! -x $daemon || ! -x $ctl ]]; then
	echo "1..0 # SKIP $daemon or $ctl not built"
	exit 0
fi
if [[ $(id -u) != 0 ]]; then
	echo "1..0 # SKIP needs root: bpffs and chown"
	exit 0
fi
tmp=$(mktemp -d /run/vpmu-pindir-XXXXXX)
chmod 755 "$tmp"
mkdir -p "$tmp/bpf" "$tmp/plain" "$tmp/t"
if ! mount -t bpf bpf "$tmp/bpf" 2>/dev/null; then
	rm -rf "$tmp"
	echo "1..0 # SKIP cannot mount bpffs"
	exit 0
fi
trap 'umount "$tmp/bpf/mnt" 2>/dev/null; umount "$tmp/bpf"; rm -rf "$tmp"' EXIT
echo "1..10"
n=0 failed=0
. "$top/selftests/lib/policyd_expect.sh"
B=$tmp/bpf

mkdir -m 0755 "$B/open"
conf "$B/open"
expect "a pin directory others may read: refused, with path, owner and mode, exit 78" 78 \
	"the pin directory $B/open has owner uid 0 and mode 0755: it must be root's with mode 0700" \
	"$daemon" --config "$tmp/conf.json"
# An engine "pinned" there (any pin): adopting is refused the same way.
bpftool map create "$B/open/vpmu_engine" type array key 4 value 4 entries 1 name fake
test -e "$B/open/vpmu_engine" || echo "# bpftool map create failed"
expect "... also when adopting an engine pinned there" 78 \
	"the pin directory $B/open has owner uid 0 and mode 0755" \
	"$daemon" --config "$tmp/conf.json"
expect "... and vpmuctl will not read it" 1 \
	"the pin directory $B/open has owner uid 0 and mode 0755" \
	"$ctl" --config "$tmp/conf.json" vms

mkdir -m 0700 "$B/user"
chown 1000 "$B/user"
conf "$B/user"
expect "a pin directory owned by uid 1000: refused, exit 78" 78 \
	"the pin directory $B/user has owner uid 1000 and mode 0700" \
	"$daemon" --config "$tmp/conf.json"

mkdir -m 0700 "$B/real"
ln -s real "$B/link"
conf "$B/link"
expect "a pin directory that is a symbolic link: refused, exit 78" 78 \
	"the pin directory $B/link is not a directory" \
	"$daemon" --config "$tmp/conf.json"

mkdir -m 0700 "$B/mnt"
mount -t tmpfs -o mode=0700 tmpfs "$B/mnt"
touch "$B/mnt/vpmu_engine"
conf "$B/mnt"
expect "a tmpfs mounted at the pin directory: refused, exit 78" 78 \
	"the pin directory $B/mnt is not on a BPF filesystem" \
	"$daemon" --config "$tmp/conf.json"

mkdir -m 0700 "$tmp/plain/vpmu"
touch "$tmp/plain/vpmu/vpmu_engine"
conf "$tmp/plain/vpmu"
expect "an engine \"pinned\" on tmpfs: not adopted (no bpffs), exit 1" 1 \
	"no BPF filesystem at $tmp/plain: mount bpffs there" \
	"$daemon" --config "$tmp/conf.json"

mkdir -m 0700 "$B/ok"
conf "$B/ok"
expect "a root-only pin directory on bpffs passes (to the missing struct_ops type)" 1 \
	"the kernel has no kvm_pmu_policy_ops struct_ops type" \
	"$daemon" --config "$tmp/conf.json"

if [[ -e $other ]]; then
	expect "vpmuctl attach: a struct_ops object of another type is refused before loading" 1 \
		"$other: struct_ops map other_ops is of type not_a_pmu_policy_ops, not kvm_pmu_policy_ops: not loading it" \
		"$ctl" --config "$tmp/conf.json" attach "$other"
	expect "... and nothing was pinned" 0 "" \
		test ! -e "$B/ok/filters"
else
	n=$((n + 2))
	echo "ok $((n - 1)) # SKIP $other not built"
	echo "ok $n # SKIP $other not built"
fi
exit $failed
