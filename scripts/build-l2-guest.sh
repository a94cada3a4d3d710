#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the L2 guest of the real-VMM tests (selftests/systemd/e2e_qemu.sh):
# Debian 12's own arm64 kernel (linux-image-arm64, not ours) and a small
# initramfs with busybox, Debian's perf (linux-perf) with the shared
# libraries it needs, the workload of known instruction count
# (selftests/systemd/l2/workload.S) and the init that runs the test's
# commands (selftests/systemd/l2/init).  Prints the directory holding
# Image, initramfs.cpio and packages.txt.
#
# The packages are only downloaded and unpacked (mmdebstrap
# --variant=extract): nothing of them runs on the host, so no
# qemu-user-static is needed.  perf's libraries are found by following
# DT_NEEDED with readelf inside the unpacked tree.
#
# Cached in $VPMU_CACHE/l2guest/debian-arm64-HASH, HASH covering this
# script, the init and the workload.
#
# Usage: scripts/build-l2-guest.sh [--force]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
. "$here/lib.sh"
l2=$top/selftests/systemd/l2

L2_PKGS=(linux-image-arm64 linux-perf)

force=0
[[ ${1:-} == --force ]] && force=1

key=$(cat "$0" "$l2/init" "$l2/workload.S" | sha256sum | cut -c1-16)
out=$VPMU_CACHE/l2guest/debian-arm64-$key

if ((!force)) && [[ -f $out/.done ]]; then
	info "L2 guest: cached ($out)"
	echo "$out"
	exit 0
fi
[[ $(id -u) == 0 ]] || die "building the L2 guest needs root (mmdebstrap --mode=root)"
command -v mmdebstrap >/dev/null || die "mmdebstrap missing (run scripts/deps.sh)"
busybox=$VPMU_CACHE/busybox-arm64/bin/busybox
[[ -x $busybox ]] || die "no arm64 busybox at $busybox (run scripts/deps.sh)"

mkdir -p "$VPMU_CACHE/l2guest"
exec 9>"$VPMU_CACHE/l2guest/build.lock"
flock 9
if ((!force)) && [[ -f $out/.done ]]; then
	echo "$out"
	exit 0
fi

work=$(mktemp -d "$VPMU_CACHE/l2guest/work.XXXXXX")
trap 'rm -rf --one-file-system "$work"' EXIT
chmod 0755 "$work"	# apt downloads as the _apt user
rm -rf "$out.tmp" && mkdir -p "$out.tmp"
log=$out.tmp/build.log

step "building the L2 guest: Debian's arm64 kernel and perf (download and unpack)"
start=$SECONDS
mirror=${VPMU_DEBIAN_MIRROR:-http://deb.debian.org/debian}
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
# The .debs are kept (skip=cleanup/apt/cache) to list what went in.
if ! mmdebstrap --mode=root --arch=arm64 --variant=extract --skip=check/qemu \
	--skip=cleanup/apt/cache \
	--include="$(IFS=,; echo "${L2_PKGS[*]}")" bookworm "$work/root" \
	"deb [signed-by=$keyring] $mirror bookworm main" >"$log" 2>&1; then
	tail -30 "$log" >&2
	die "mmdebstrap failed; full log: $log"
fi
root=$work/root
for deb in "$root"/var/cache/apt/archives/*.deb; do
	dpkg-deb --show --showformat='${Package} ${Version}\n' "$deb"
done | sort >"$out.tmp/packages.txt"

# The kernel: Debian's vmlinuz is a gzip-compressed Image.
vmlinuz=$(ls "$root"/boot/vmlinuz-* 2>/dev/null | sort -V | tail -1 || true)
[[ -n $vmlinuz ]] || die "linux-image-arm64 brought no /boot/vmlinuz-*"
kver=${vmlinuz##*/vmlinuz-}
if gzip -t "$vmlinuz" 2>/dev/null; then
	gzip -dc "$vmlinuz" >"$out.tmp/Image"
else
	cp "$vmlinuz" "$out.tmp/Image"
fi
cp "$root/boot/config-$kver" "$out.tmp/config"

# perf: bookworm's /usr/bin/perf is the program; newer linux-perf
# packages make it a wrapper choosing perf_<version>.
perf=$(ls "$root"/usr/bin/perf_* 2>/dev/null | sort -V | tail -1 || true)
[[ -n $perf ]] || perf=$root/usr/bin/perf
readelf -h "$perf" 2>/dev/null | grep -q 'Machine:.*AArch64' ||
	die "linux-perf brought no arm64 perf program (looked for /usr/bin/perf_* and /usr/bin/perf)"

ir=$work/initramfs
mkdir -p "$ir"/{bin,dev,proc,sys,tmp,usr/bin,usr/lib/aarch64-linux-gnu}
ln -s usr/lib "$ir/lib"
install -m 0755 "$busybox" "$ir/bin/busybox"
install -m 0755 "$l2/init" "$ir/init"
install -m 0755 "$perf" "$ir/usr/bin/perf"
aarch64-linux-gnu-gcc -nostdlib -static -o "$ir/bin/workload" "$l2/workload.S"

# find_lib NAME: the library in the unpacked tree (bookworm's packages
# still ship /lib/...; the tree is not usr-merged).
find_lib()
{
	local d
	for d in usr/lib/aarch64-linux-gnu lib/aarch64-linux-gnu usr/lib lib; do
		[[ -e $root/$d/$1 ]] && { echo "$root/$d/$1"; return; }
	done
	die "perf needs $1, which none of ${L2_PKGS[*]} or their dependencies holds"
}
# add_libs ELF: its DT_NEEDED libraries, recursively.
add_libs()
{
	local lib
	for lib in $(readelf -d "$1" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p'); do
		[[ -e $ir/usr/lib/aarch64-linux-gnu/$lib ]] && continue
		cp -L "$(find_lib "$lib")" "$ir/usr/lib/aarch64-linux-gnu/$lib"
		add_libs "$ir/usr/lib/aarch64-linux-gnu/$lib"
	done
}
add_libs "$ir/usr/bin/perf"
interp=$(readelf -l "$ir/usr/bin/perf" | sed -n 's/.*interpreter: \(.*\)]/\1/p')
[[ $interp == /lib/* ]] || die "perf's interpreter '$interp' is not under /lib"
cp -L "$(find_lib "${interp#/lib/}")" "$ir/usr$interp"

(cd "$ir" && find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort |
	cpio -o -H newc -R 0:0 --quiet) >"$out.tmp/initramfs.cpio"
printf '%s\n' "kernel $kver" "perf $(basename "$perf")" \
	"libraries $(ls "$ir/usr/lib/aarch64-linux-gnu" | wc -l)" >>"$out.tmp/packages.txt"
touch "$out.tmp/.done"
rm -rf "$out" && mv "$out.tmp" "$out"
info "L2 guest ready in $((SECONDS - start))s: kernel $kver, initramfs $(du -m "$out/initramfs.cpio" | cut -f1) MB ($out)"
echo "$out"
