#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the series' own selftests (the ones its patches add under
# tools/testing/selftests) from the patched Linux tree for one arch, linked
# static for the test initramfs, and print the directory that holds them:
#
#   kvm/pmu_policy_test   tools/testing/selftests/kvm/ARCH/pmu_policy_test
#   bpf/test_progs        tools/testing/selftests/bpf's runner with the
#                         series' tests (selftests/intree/test_progs.mk)
#
# Cached in $VPMU_CACHE/intree/ARCH-HASH (HASH: the series, this script,
# the compilers); the test kernel must be built first (its vmlinux and
# kvm.ko give the BTF the BPF programs are compiled against).
#
# Usage: build-intree-tests.sh x86_64|arm64 KERNEL_DIR
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
. "$here/lib.sh"

arch=${1:?usage: build-intree-tests.sh x86_64|arm64 KERNEL_DIR}
kdir=${2:?usage: build-intree-tests.sh x86_64|arm64 KERNEL_DIR}
case $arch in
x86_64) karch=x86; cross= ;;
arm64) karch=arm64; cross=aarch64-linux-gnu- ;;
*) die "unknown arch '$arch'" ;;
esac
clang=${CLANG:-clang-19}

series_patches
tree=$("$here/linux-source.sh")
hash=$({
	cat "$tree/.vpmu-origin" "$0" "${PATCHES[@]}" "$top/selftests/intree/test_progs.mk"
	"${cross}gcc" --version | head -1
	"$clang" --version | head -1
} | sha256sum | cut -c1-16)
out=$VPMU_CACHE/intree/$arch-$hash
if [[ -f $out/.done ]]; then
	echo "$out"
	exit 0
fi

kvm_btf=
if [[ $arch == x86_64 ]]; then
	kvm_btf=$(find -L "$kdir/modules" -name kvm.ko | head -1)
	[[ -n $kvm_btf ]] || die "no kvm.ko under $kdir/modules"
fi

mkdir -p "$VPMU_CACHE/intree"
exec 9>"$VPMU_CACHE/kernel-build.lock"
flock 9	# the source tree is shared with the kernel builds
apply_series "$tree" "${PATCHES[@]}"

step "building the series' in-tree selftests for $arch"
rm -rf "$out.tmp"
mkdir -p "$out.tmp/kvm" "$out.tmp/bpf" "$out.tmp/obj/bpftool"
log=$out.tmp/build.log
# The tree's bpftool, for the host: its skeletons match the tree's libbpf.
make -C "$tree/tools/bpf/bpftool" OUTPUT="$out.tmp/obj/bpftool/" bootstrap \
	-j"$(nproc)" >"$log" 2>&1 ||
	{ tail -30 "$log" >&2; die "bpftool failed to build; log: $log"; }
bpftool=$out.tmp/obj/bpftool/bootstrap/bpftool
# Static: the test initramfs has no shared libraries.
make -C "$tree/tools/testing/selftests/kvm" ARCH="$karch" \
	CROSS_COMPILE="$cross" OUTPUT="$out.tmp/obj/kvm" \
	KHDR_INCLUDES="-isystem $kdir/headers/include" \
	VMLINUX_BTF="$kdir/vmlinux" KVM_BTF="$kvm_btf" \
	CLANG="$clang" BPFTOOL="$bpftool" LDFLAGS="-static -pthread -no-pie" \
	BPF_LDLIBS="-lelf -lz -lzstd" -j"$(nproc)" \
	"$out.tmp/obj/kvm/$karch/pmu_policy_test" >>"$log" 2>&1 ||
	{ tail -30 "$log" >&2; die "in-tree selftests for $arch failed to build; log: $log"; }
cp "$out.tmp/obj/kvm/$karch/pmu_policy_test" "$out.tmp/kvm/"
make -f "$top/selftests/intree/test_progs.mk" TREE="$tree" ARCH="$karch" \
	CROSS_COMPILE="$cross" OUT="$out.tmp/obj/bpf" \
	KHDR="$kdir/headers/include" VMLINUX_BTF="$kdir/vmlinux" \
	KVM_BTF="$kvm_btf" BPFTOOL="$bpftool" CLANG="$clang" \
	-j"$(nproc)" >>"$log" 2>&1 ||
	{ tail -30 "$log" >&2; die "test_progs for $arch failed to build; log: $log"; }
cp "$out.tmp/obj/bpf/test_progs" "$out.tmp/bpf/"
rm -rf "$out.tmp/obj"
touch "$out.tmp/.done"
rm -rf "$out" && mv "$out.tmp" "$out"
info "in-tree selftests for $arch: $out"
echo "$out"
