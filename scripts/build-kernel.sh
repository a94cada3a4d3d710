#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build one test kernel (x86_64 or arm64) from Linux 7.3 + kernel/series +
# kernel/configs/{vpmu-policy,vpmu-policy-ARCH,common,ARCH}.config, the
# way `make kernel-deb` builds one from a distribution's config: with the
# kernel's `make bindeb-pkg`.  The kernel and modules every test boots
# are the ones in that package.  Prints the directory that holds:
#
#   deb/              the packages (linux-image-RELEASE_VERSION_ARCH.deb,
#                     linux-libc-dev), as scripts/kernel-deb.sh makes them
#   Image | bzImage   the kernel, from the linux-image package
#   vmlinux           symbols and BTF (debug info stripped)
#   config            the final .config
#   modules/          the package's modules (x86_64 KVM is modular)
#   headers/          headers_install output (UAPI headers for tests)
#   release           `uname -r` of the kernel
#
# The result is cached in $VPMU_CACHE/kernels/ARCH-HASH, where HASH covers
# the source's origin, every patch in kernel/series that changes the kernel
# (not the ones touching only tools/testing or Documentation), the config fragments,
# this script and its helpers, the compiler, pahole and dpkg-dev versions,
# so an unchanged tree never
# rebuilds.  Object directories are kept per arch so a changed patch only
# rebuilds what it touches.
#
# Usage: scripts/build-kernel.sh x86_64|arm64
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
. "$here/lib.sh"
. "$here/kbuild-lib.sh"

arch=${1:?usage: build-kernel.sh x86_64|arm64}
kbuild_arch "$arch"
klabel=$arch

# What make kernel-deb adds to a distribution's config, then what the
# tests need.
fragments=("$top/kernel/configs/vpmu-policy.config"
	   "$top/kernel/configs/vpmu-policy-$arch.config"
	   "$top/kernel/configs/common.config" "$top/kernel/configs/$arch.config")

# The patches named in kernel/series, in order (blank lines and # comments
# are skipped).
series_patches
patches=("${PATCHES[@]}")
for p in "${patches[@]}"; do
	[[ -f $p ]] || die "kernel/series names $p, which does not exist"
done
# VPMU_SERIES_LIMIT=N builds with only the first N patches (see
# scripts/check-series.sh); options the later patches add may then be
# missing from the config, which is reported but not fatal.
limit=${VPMU_SERIES_LIMIT:-}
if [[ -n $limit ]]; then
	patches=("${patches[@]:0:limit}")
fi
kernel_only "${patches[@]}"
patches=("${KPATCHES[@]}")

tree=$("$here/linux-source.sh")

input_hash()
{
	{
		cat "$tree/.vpmu-origin"
		"${cross}gcc" --version | head -1
		pahole --version
		dpkg-buildpackage --version | head -1
		cat "$0" "$here/kbuild-lib.sh" "$here/check-kconfig.sh" "${fragments[@]}"
		for p in "${patches[@]}"; do
			echo "patch $(basename "$p")"
			cat "$p"
		done
	} | sha256sum | cut -c1-16
}

hash=$(input_hash)
out=$VPMU_CACHE/kernels/$arch-$hash
if [[ -f $out/.done ]]; then
	info "$arch kernel: cached ($out)"
	echo "$out"
	exit 0
fi

mkdir -p "$VPMU_CACHE/kernels" "$VPMU_CACHE/obj"
exec 9>"$VPMU_CACHE/kernel-build.lock"
flock 9	# the source tree is shared by both arches

# Put the source tree at pristine + series.  Only files that differ are
# rewritten, so their mtimes (and so make's rebuild set) stay minimal.
apply_series "$tree" "${patches[@]}"
obj=$VPMU_CACHE/obj/$arch
# The pristine kernel (VPMU_SERIES_LIMIT=0, for make bench-kernel) keeps
# its own objects, so that switching to it and back rebuilds neither.
[[ $limit == 0 ]] && obj=$VPMU_CACHE/obj/$arch-pristine
mkdir -p "$obj"
log=$VPMU_CACHE/kernels/$arch-$hash.log

step "configuring the $arch kernel (tinyconfig + ${fragments[*]##*/})"
kmake tinyconfig >"$log" 2>&1
(cd "$obj" && "$tree/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "${fragments[@]}") >>"$log" 2>&1
kmake olddefconfig >>"$log" 2>&1
# Every option a fragment sets must survive olddefconfig: a silently
# dropped option (an unmet dependency) would make tests lie.
if ! "$here/check-kconfig.sh" "$obj/.config" "${fragments[@]}"; then
	[[ -n $limit ]] || die "the $arch config lost options; see above"
	info "(first $limit patches only: options added later are expected to be missing)"
fi

step "building the $arch kernel and its packages with bindeb-pkg (log: $log)"
rm -rf "$out.tmp" && mkdir -p "$out.tmp"
bindeb_pkg "$out.tmp/deb" "$log.make" 0
cat "$log.make" >>"$log" && rm -f "$log.make"

step "collecting the $arch kernel from its package into $out"
release=$(kmake -s kernelrelease)
echo "$release" >"$out.tmp/release"
deb=$(ls "$out.tmp"/deb/linux-image-"$release"_*.deb)
dpkg-deb -x "$deb" "$out.tmp/pkg"
vmlinuz=$out.tmp/pkg/boot/vmlinuz-$release
# arm64 packages Image.gz (its KBUILD_IMAGE), x86 bzImage.
if [[ $karch == arm64 ]]; then
	gzip -dc "$vmlinuz" >"$out.tmp/Image"
else
	cp "$vmlinuz" "$out.tmp/bzImage"
fi
cmp -s "$out.tmp/$(basename "$kimage")" "$obj/$kimage" ||
	die "the kernel in $(basename "$deb") is not the one just built ($obj/$kimage)"
cp "$out.tmp/pkg/boot/config-$release" "$out.tmp/config"
mkdir -p "$out.tmp/modules/lib"
mods=$(find "$out.tmp/pkg" -path "*/modules/$release" -type d)
[[ -n $mods ]] || die "$(basename "$deb") has no modules directory for $release"
mv "$(dirname "$mods")" "$out.tmp/modules/lib/modules"
rm -rf "$out.tmp/pkg"
"${cross}strip" --strip-debug -o "$out.tmp/vmlinux" "$obj/vmlinux"
kmake -s INSTALL_HDR_PATH="$out.tmp/headers" headers_install >>"$log" 2>&1
touch "$out.tmp/.done"
rm -rf "$out" && mv "$out.tmp" "$out"
info "$arch kernel $(cat "$out/release") ready"
echo "$out"
