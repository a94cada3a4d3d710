#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build libbpf from the Linux 7.3 tree (tools/lib/bpf) as a static library
# for one arch and print the directory holding include/ and lib64/.
#
# The test programs use this rather than Debian's libbpf-dev: it matches
# the kernel under test, and it is newer than the libbpf that bpftool's
# skeletons are generated for (bookworm-backports ships bpftool 7.5 with
# libbpf 1.5 but libbpf-dev 1.4, whose headers lack what 1.5 skeletons
# use).  Cached in $VPMU_CACHE/libbpf/ARCH-HASH.
#
# Usage: scripts/build-libbpf.sh x86_64|arm64
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

arch=${1:?usage: build-libbpf.sh x86_64|arm64}
case $arch in
x86_64) karch=x86; cross= ;;
arm64) karch=arm64; cross=aarch64-linux-gnu- ;;
*) die "unknown arch '$arch'" ;;
esac

tree=$("$here/linux-source.sh")
hash=$({ cat "$tree/.vpmu-origin" "$0"; "${cross}gcc" --version | head -1; } |
	sha256sum | cut -c1-16)
out=$VPMU_CACHE/libbpf/$arch-$hash
if [[ -f $out/.done ]]; then
	echo "$out"
	exit 0
fi

step "building libbpf for $arch from $(cat "$tree/.vpmu-origin")"
# Build from a private copy: the shared tree may be checked out at any
# patch level by a kernel build.
src=$(mktemp -d "$VPMU_CACHE/libbpf-src.XXXXXX")
trap 'rm -rf "$src" "$out.tmp"' EXIT
git -C "$tree" archive refs/tags/pristine tools/lib/bpf tools/include \
	tools/scripts tools/build tools/arch scripts/bpf_doc.py include/uapi \
	"arch/$karch/include/uapi" | tar -x -C "$src"
rm -rf "$out.tmp"
mkdir -p "$out.tmp/obj"
make -s -C "$src/tools/lib/bpf" ARCH="$karch" CROSS_COMPILE="$cross" \
	OUTPUT="$out.tmp/obj/" BUILD_STATIC_ONLY=1 DESTDIR="$out.tmp" \
	prefix= install >"$out.tmp/build.log" 2>&1 ||
	{ tail -20 "$out.tmp/build.log" >&2; die "libbpf build for $arch failed"; }
rm -rf "$out.tmp/obj"
touch "$out.tmp/.done"
rm -rf "$out" && mv "$out.tmp" "$out"
info "libbpf for $arch: $out"
echo "$out"
