#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build one test kernel (x86_64 or arm64) from Linux 7.3 + kernel/series +
# kernel/configs/{common,ARCH}.config, and print the directory that holds
# the result:
#
#   Image | bzImage   the kernel
#   vmlinux           symbols and BTF (debug info stripped)
#   config            the final .config
#   modules/          modules_install output (x86_64 KVM is modular)
#   headers/          headers_install output (UAPI headers for tests)
#   release           `uname -r` of the kernel
#
# The result is cached in $VPMU_CACHE/kernels/ARCH-HASH, where HASH covers
# the source's origin, every patch in kernel/series that changes the kernel
# (not the ones touching only tools/testing or Documentation), the config fragments,
# this script and the compiler version, so an unchanged tree never
# rebuilds.  Object directories are kept per arch so a changed patch only
# rebuilds what it touches.
#
# Usage: scripts/build-kernel.sh x86_64|arm64
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
. "$here/lib.sh"

arch=${1:?usage: build-kernel.sh x86_64|arm64}
case $arch in
x86_64)	karch=x86; cross=; image=arch/x86/boot/bzImage ;;
arm64)	karch=arm64; cross=aarch64-linux-gnu-; image=arch/arm64/boot/Image ;;
*)	die "unknown arch '$arch' (x86_64 or arm64)" ;;
esac

series_dir=$top/kernel
fragments=("$top/kernel/configs/common.config" "$top/kernel/configs/$arch.config")

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
# Patches that touch only tools/testing/ and Documentation/ (selftests,
# docs) do not change the kernel: leave them out of the build and of its
# cache key, so editing a selftest does not rebuild the kernels.
kernel_patches=()
for p in "${patches[@]}"; do
	if grep '^diff --git a/' "$p" | awk '{ print $3 }' |
		grep -qvE '^a/(tools/testing|Documentation)/'; then
		kernel_patches+=("$p")
	fi
done
patches=("${kernel_patches[@]}")

tree=$("$here/linux-source.sh")

input_hash()
{
	{
		cat "$tree/.vpmu-origin"
		"${cross}gcc" --version | head -1
		pahole --version
		cat "$0" "${fragments[@]}"
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
kmake()
{
	make -C "$tree" O="$obj" ARCH="$karch" CROSS_COMPILE="$cross" "$@"
}

# Every option a fragment sets must survive olddefconfig: a silently
# dropped option (an unmet dependency) would make tests lie.
check_config()
{
	local frag line sym val got bad=0
	for frag in "${fragments[@]}"; do
		while read -r line; do
			[[ $line =~ ^(CONFIG_[A-Za-z0-9_]+)=(.*)$ ]] || continue
			sym=${BASH_REMATCH[1]} val=${BASH_REMATCH[2]}
			got=$(grep -E "^$sym=" "$obj/.config" | cut -d= -f2- || true)
			if [[ $got != "$val" ]]; then
				echo "error: $(basename "$frag"): $sym=$val requested, .config has '${got:-unset}'" >&2
				bad=1
			fi
		done <"$frag"
	done
	return $bad
}

# Run a long make, printing a progress line every 30 seconds instead of
# thousands of lines of build output (kept in the log).
make_with_progress()
{
	local log=$1 start=$SECONDS next=$((SECONDS + 30)) pid n
	shift
	kmake "$@" >"$log" 2>&1 &
	pid=$!
	while kill -0 $pid 2>/dev/null; do
		sleep 2
		((SECONDS >= next)) || continue
		next=$((next + 30))
		n=$(grep -cE '^  (CC|AS|LD|AR|BTF)' "$log" || true)
		info "[$arch] $((SECONDS - start))s: $n build steps, now: $(grep -E '^  (CC|AS|LD|AR|BTF)' "$log" | tail -1 | sed 's/^ *//')"
	done
	wait $pid || { tail -40 "$log" >&2; die "$arch kernel build failed; full log: $log"; }
}

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
if ! check_config; then
	[[ -n $limit ]] || die "the $arch config lost options; see above"
	info "(first $limit patches only: options added later are expected to be missing)"
fi

step "building the $arch kernel (log: $log)"
targets=("$(basename "$image")")
grep -q '^CONFIG_MODULES=y' "$obj/.config" && targets+=(modules)
make_with_progress "$log.make" -j"$(nproc)" "${targets[@]}"
cat "$log.make" >>"$log" && rm -f "$log.make"

step "collecting the $arch kernel into $out"
rm -rf "$out.tmp" && mkdir -p "$out.tmp"
cp "$obj/$image" "$out.tmp/"
cp "$obj/.config" "$out.tmp/config"
"${cross}strip" --strip-debug -o "$out.tmp/vmlinux" "$obj/vmlinux"
kmake -s kernelrelease >"$out.tmp/release"
kmake -s INSTALL_MOD_PATH="$out.tmp/modules" INSTALL_MOD_STRIP=1 modules_install >>"$log" 2>&1
mkdir -p "$out.tmp/modules"
kmake -s INSTALL_HDR_PATH="$out.tmp/headers" headers_install >>"$log" 2>&1
touch "$out.tmp/.done"
rm -rf "$out" && mv "$out.tmp" "$out"
info "$arch kernel $(cat "$out/release") ready"
echo "$out"
