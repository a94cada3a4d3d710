#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make kernel-deb: build Debian packages of the patched Linux 7.3 kernel
# from a distribution's config.  The config (a /boot/config-* file; .xz
# and .gz are unpacked) gets kernel/configs/vpmu-policy.config and
# vpmu-policy-ARCH.config merged in (merge_config.sh, then olddefconfig),
# every option those fragments set must have survived (check-kconfig.sh
# names any that did not), and the kernel's own `make bindeb-pkg` builds
# linux-image-RELEASE, linux-libc-dev and, for a native build,
# linux-headers-RELEASE (for DKMS and other out-of-tree modules) into the
# output directory.  The test kernels are built the same way
# (build-kernel.sh), from the test configs.
#
# Usage: scripts/kernel-deb.sh --config FILE [--arch x86_64|arm64]
#                              [--out DIR] [--localversion STR]
#                              [--headers 0|1] [--config-only]
#
#   --arch          default: the host's; arm64 on x86_64 is a cross
#                   build (CROSS_COMPILE from the environment, else
#                   aarch64-linux-gnu-)
#   --out           where the packages go (default: build/kernel-deb)
#   --localversion  appended to the release (default: -vpmu, so the
#                   kernel installs beside the distribution's)
#   --headers       build linux-headers-RELEASE (default: 1 for a native
#                   build; a cross build needs the target's libssl-dev)
#   --config-only   stop after the config: write OUT/config-ARCH and
#                   check it, build nothing (seconds, not hours)
#
# Objects are kept in $VPMU_CACHE/obj/deb-ARCH (KDEB_OBJ=DIR elsewhere),
# apart from the test kernels' (so neither rebuilds the other from
# scratch).  A distribution
# config builds thousands of modules: hours on 2 cores.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
. "$here/lib.sh"
. "$here/kbuild-lib.sh"

usage="usage: kernel-deb.sh --config FILE [--arch x86_64|arm64] [--out DIR] [--localversion STR] [--headers 0|1] [--config-only]"
host=$(uname -m)
arch=${host/aarch64/arm64} config= out=${O:-$top/build}/kernel-deb
localversion=-vpmu headers= config_only=0
while (($#)); do
	case $1 in
	--arch) arch=$2; shift 2 ;;
	--config) config=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--localversion) localversion=$2; shift 2 ;;
	--headers) headers=$2; shift 2 ;;
	--config-only) config_only=1; shift ;;
	*) die "kernel-deb: unknown argument '$1'; $usage" ;;
	esac
done
[[ -n $config ]] ||
	die "kernel-deb: no config given and no /boot/config-$(uname -r) here: pass KCONFIG=FILE (make) or --config FILE, e.g. Debian's: \$(scripts/debian-kconfig.sh $arch)"
[[ -r $config ]] || die "kernel-deb: cannot read the config $config"
kbuild_arch "$arch"
cross=${CROSS_COMPILE-$cross}
klabel="$arch deb"
[[ -n $headers ]] || { [[ -z $cross ]] && headers=1 || headers=0; }
fragments=("$top/kernel/configs/vpmu-policy.config" "$top/kernel/configs/vpmu-policy-$arch.config")
mkdir -p "$out"
out=$(cd "$out" && pwd)

# The base config, unpacked, and for the arch asked for: a config's
# header names the arch it was made for ("# Linux/arm64 7.3.4 Kernel
# Configuration"), and building one arch from another's config would
# quietly drop most of it.
base=$(mktemp /tmp/vpmu-kernel-deb.XXXXXX)
trap 'rm -f "$base"' EXIT
case $config in
*.xz) xz -dc "$config" >"$base" ;;
*.gz) gzip -dc "$config" >"$base" ;;
*) cp "$config" "$base" ;;
esac
grep -q '^CONFIG_' "$base" || die "$config holds no CONFIG_ lines: not a kernel config"
made_for=$(sed -n 's|^# Linux/\([^ ]*\) .*Kernel Configuration$|\1|p' "$base" | head -1)
if [[ -n $made_for && $made_for != "$karch" ]]; then
	die "$config is a config for $made_for (its header says so), not for $arch: pass ARCH= to match"
fi

for tool in "${cross}gcc" pahole dpkg-buildpackage dh flex bison bc; do
	command -v "$tool" >/dev/null ||
		die "kernel-deb needs $tool (Debian/Ubuntu: apt install build-essential bc bison flex libelf-dev libdw-dev libssl-dev dwarves debhelper rsync kmod cpio python3${cross:+ gcc-${cross%-}})"
done

tree=$("$here/linux-source.sh")
series_patches
kernel_only "${PATCHES[@]}"
obj=${KDEB_OBJ:-$VPMU_CACHE/obj/deb-$arch}
mkdir -p "$obj"
log=$out/kernel-deb-$arch.log

exec 9>"$VPMU_CACHE/kernel-build.lock"
if ! flock -n 9; then
	info "waiting for another kernel build (the source tree is shared)"
	flock 9
fi
apply_series "$tree" "${KPATCHES[@]}"

step "configuring the $arch kernel ($(basename "$config") + ${fragments[*]##*/})"
cp "$base" "$obj/.config"
(cd "$obj" && "$tree/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "${fragments[@]}") >"$log" 2>&1
# A distribution's signing certificates (Ubuntu names
# debian/canonical-certs.pem) are not in this tree: build without them.
# Modules are then signed with a key generated for this build.
for sym in SYSTEM_TRUSTED_KEYS SYSTEM_REVOCATION_KEYS; do
	val=$(sed -n "s/^CONFIG_$sym=\"\(.*\)\"$/\1/p" "$obj/.config")
	[[ -n $val && ! -e $tree/$val && ! -e $obj/$val ]] || continue
	info "CONFIG_$sym names $val, which is not in the source tree: set to \"\""
	"$tree/scripts/config" --file "$obj/.config" --set-str "$sym" ""
done
kmake olddefconfig >>"$log" 2>&1 || { tail -20 "$log" >&2; die "olddefconfig failed; log: $log"; }
cp "$obj/.config" "$out/config-$arch"
if ! "$here/check-kconfig.sh" "$obj/.config" "${fragments[@]}"; then
	grep -q '^CONFIG_DEBUG_INFO=y' "$obj/.config" ||
		info "DEBUG_INFO (for BTF) needs a DWARF version chosen in the base config, e.g. CONFIG_DEBUG_INFO_DWARF_TOOLCHAIN_DEFAULT=y"
	die "the merged config lost options the feature needs (above): their dependencies are not met in $(basename "$config"); config: $out/config-$arch"
fi
release=$(kmake -s LOCALVERSION="$localversion" kernelrelease)
info "config OK: every option of ${fragments[*]##*/} is set; release $release; $out/config-$arch"
((config_only)) && exit 0

modules=$(grep -c '=m$' "$obj/.config" || true)
step "building linux-image-$release with bindeb-pkg ($modules modules, $(nproc) CPUs; log: $log)"
((modules < 500)) || info "a distribution's config takes hours on a few cores; progress every 30 s"
start=$SECONDS
bindeb_pkg "$out" "$log.make" "$headers" LOCALVERSION="$localversion"
cat "$log.make" >>"$log" && rm -f "$log.make"
step "built in $(((SECONDS - start) / 60)) min; packages in $out:"
printf '    %s\n' "${KDEB_FILES[@]}" >&2
