#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Assemble a test initramfs (uncompressed newc cpio) for one arch:
# static busybox, the guest init, the harness tools, every test binary
# built for the arch, the kernel's modules, and any extra files.
#
# Usage: mkinitramfs.sh --arch A --kernel KDIR --tests DIR --out FILE
#                       [--modules "kvm_amd ..."] [--add SRC:DST]...
#
# --add copies SRC to DST inside the initramfs.  A dynamically linked ELF
# brings its interpreter and libraries along (found with readelf in the
# arch's library directories), so libbpf-linked programs and bpftool can
# be carried as they are.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../scripts/lib.sh"

arch= kdir= tests= out= modules= adds=()
while (($#)); do
	case $1 in
	--arch) arch=$2; shift 2 ;;
	--kernel) kdir=$2; shift 2 ;;
	--tests) tests=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--modules) modules=$2; shift 2 ;;
	--add) adds+=("$2"); shift 2 ;;
	*) die "mkinitramfs: unknown argument $1" ;;
	esac
done
[[ -n $arch && -n $kdir && -n $tests && -n $out ]] ||
	die "usage: mkinitramfs.sh --arch A --kernel KDIR --tests DIR --out FILE"

case $arch in
arm64)
	busybox=$VPMU_CACHE/busybox-arm64/bin/busybox
	libdirs=(/usr/aarch64-linux-gnu/lib /usr/lib/aarch64-linux-gnu /lib/aarch64-linux-gnu)
	;;
x86_64)
	busybox=/bin/busybox
	libdirs=(/lib/x86_64-linux-gnu /usr/lib/x86_64-linux-gnu /lib64)
	;;
*) die "unknown arch $arch" ;;
esac
[[ -x $busybox ]] || die "no static busybox for $arch at $busybox (run make deps)"

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,etc,proc,sys,dev,tmp,run,tests,lib,usr/bin,usr/lib}
mkdir -p "$root"/sys/fs/cgroup "$root"/sys/fs/bpf "$root"/sys/kernel/debug
install -m 0755 "$busybox" "$root/bin/busybox"
install -m 0755 "$here/guest/init" "$root/init"
install -m 0755 "$(dirname "$tests")/bin/harness-exit" "$root/bin/harness-exit"
cp -a "$tests"/. "$root/tests/"

if [[ -d $kdir/modules/lib/modules ]]; then
	cp -a "$kdir/modules/lib/modules" "$root/lib/"
fi
printf '%s\n' $modules >"$root/etc/vpmu-modules"

find_lib()
{
	local d
	for d in "${libdirs[@]}"; do
		[[ -e $d/$1 ]] && { echo "$d/$1"; return; }
	done
	die "library $1 not found for $arch"
}

# Copy an ELF's interpreter and NEEDED libraries, recursively.
add_deps()
{
	local elf=$1 interp lib path
	[[ $(head -c4 "$elf" | od -An -c | tr -d ' ') == 177ELF ]] || return 0
	interp=$(readelf -l "$elf" | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
	if [[ -n $interp && ! -e $root$interp ]]; then
		mkdir -p "$root$(dirname "$interp")"
		cp -L "$(find_lib "$(basename "$interp")")" "$root$interp"
	fi
	for lib in $(readelf -d "$elf" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p'); do
		[[ -e $root/lib/$lib ]] && continue
		path=$(find_lib "$lib")
		cp -L "$path" "$root/lib/$lib"
		add_deps "$path"
	done
}

for a in "${adds[@]}"; do
	src=${a%%:*} dst=${a#*:}
	mkdir -p "$root$(dirname "$dst")"
	cp -L "$src" "$root$dst"
	add_deps "$src"
done
# The dynamic loader finds the libraries in /lib.
[[ -d $root/lib64 ]] || ln -s lib "$root/lib64"

mkdir -p "$(dirname "$out")"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$out.tmp"
mv "$out.tmp" "$out"
