#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install everything vpmu-policy needs on Debian 12 (bookworm), idempotently.
#
# Packages come from bookworm, plus bookworm-backports for the ones whose
# bookworm versions are too old (QEMU 10.0 emulates FEAT_NV2; libbpf 1.4 and
# bpftool 7.5 have struct_ops links and skeletons).  Backports are reached
# through a private apt configuration under $VPMU_CACHE/apt, so the machine's
# own apt sources are never changed.  The only lasting system change besides
# the packages is the arm64 foreign architecture (dpkg multiarch), which the
# arm64 static binaries of the test initramfs need.
#
# Usage: scripts/deps.sh [--daemon|--deb] [--check]
#   (none)    everything make check needs: install what is missing
#   --daemon  only what `make daemon` needs (the host's arch, no kernel)
#   --deb     only what `make deb` needs (both arches, debhelper, lintian)
#   --check   exit 1 if anything is missing, install nothing
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

# make daemon: the daemon and the BPF objects it embeds.
DAEMON_BOOKWORM_PKGS=(make gcc libc6-dev clang-19 llvm-19 libpfm4-dev)
DAEMON_BACKPORTS_PKGS=(libbpf-dev libsystemd-dev)
# make deb: debhelper, lintian, and the arm64 cross build's -dev packages.
DEB_BOOKWORM_PKGS=(dpkg-dev debhelper lintian gcc-aarch64-linux-gnu
	libc6-dev:arm64 libpfm4-dev:arm64)
DEB_BACKPORTS_PKGS=(libbpf-dev:arm64 libsystemd-dev:arm64)
# Packages from bookworm proper.
BOOKWORM_PKGS=(
	make gcc libc6-dev clang-19 llvm-19 lld-19
	gcc-aarch64-linux-gnu libc6-dev-arm64-cross
	flex bison bc libelf-dev libssl-dev dwarves cpio xz-utils zstd kmod
	rsync python3 python3-docutils python3-yaml attr perl git openssl
	busybox-static
	libjson-c-dev pkg-config zlib1g-dev libcap-dev
	libzstd-dev libpfm4-dev
	clang-14 libclang-rt-14-dev
	mmdebstrap qemu-user-static
	libelf-dev:arm64 zlib1g-dev:arm64 libzstd-dev:arm64 libcap2:arm64
	"${DAEMON_BOOKWORM_PKGS[@]}" "${DEB_BOOKWORM_PKGS[@]}"
	# The kernel's bindeb-pkg (the test kernels, make kernel-deb): its
	# declared build dependencies beyond the above (debhelper is in
	# DEB_BOOKWORM_PKGS).
	libdw-dev
)
# Packages that must come from bookworm-backports.
BACKPORTS_PKGS=(
	qemu-system-arm qemu-system-x86 bpftool
	"${DAEMON_BACKPORTS_PKGS[@]}" "${DEB_BACKPORTS_PKGS[@]}"
)
# arm64 binaries that conflict with their amd64 packages (same paths) are
# downloaded and unpacked into the cache instead: the test initramfs
# carries them.
ARM64_BUSYBOX=$VPMU_CACHE/busybox-arm64/bin/busybox
ARM64_BPFTOOL=$VPMU_CACHE/bpftool-arm64/sbin/bpftool
# promtool (Debian's prometheus package) validates the metrics output in
# the tests; unpacked into the cache too, so that installing it does not
# install and start a Prometheus server.
PROMTOOL=$VPMU_CACHE/promtool/bin/promtool
# Minimum versions the project relies on (checked after install).
MIN_QEMU=10.0
MIN_LIBBPF=1.4

missing=()
native=$(dpkg --print-architecture)
# Which set: all (make check), daemon or deb.
mode=all check=
for arg; do
	case $arg in
	--daemon) mode=daemon ;;
	--deb) mode=deb ;;
	--check) check=1 ;;
	*) die "deps.sh: unknown argument $arg" ;;
	esac
done
case $mode in
daemon)
	BOOKWORM_PKGS=("${DAEMON_BOOKWORM_PKGS[@]}")
	BACKPORTS_PKGS=("${DAEMON_BACKPORTS_PKGS[@]}") ;;
deb)
	BOOKWORM_PKGS=("${DAEMON_BOOKWORM_PKGS[@]}" "${DEB_BOOKWORM_PKGS[@]}")
	BACKPORTS_PKGS=("${DAEMON_BACKPORTS_PKGS[@]}" "${DEB_BACKPORTS_PKGS[@]}") ;;
esac

pkg_installed()
{
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

collect_missing()
{
	local p
	missing=()
	for p in "$@"; do
		pkg_installed "$p" || missing+=("$p")
	done
}

ensure_arm64_arch()
{
	if ! dpkg --print-foreign-architectures | grep -qx arm64; then
		step "enabling the arm64 foreign architecture (dpkg multiarch)"
		dpkg --add-architecture arm64
		apt-get update -qq
	fi
}

install_bookworm()
{
	collect_missing "${BOOKWORM_PKGS[@]}"
	if ((${#missing[@]} == 0)); then
		info "bookworm packages: all present"
		return
	fi
	step "installing from bookworm: ${missing[*]}"
	# apt's lists may be absent on a fresh machine.
	apt-get update -qq || true
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >"$VPMU_CACHE/apt/install-bookworm.log" 2>&1 ||
		die "apt-get install failed; see $VPMU_CACHE/apt/install-bookworm.log"
}

install_backports()
{
	local qv lv
	collect_missing "${BACKPORTS_PKGS[@]}"
	# Name the native arch: libbpf-dev is installed for arm64 too.
	qv=$(dpkg-query -W -f='${Version}' "qemu-system-arm:$native" 2>/dev/null || true)
	lv=$(dpkg-query -W -f='${Version}' "libbpf-dev:$native" 2>/dev/null || true)
	# make daemon and make deb need no QEMU.
	[[ $mode != all ]] && qv=
	if ((${#missing[@]} == 0)) &&
	   { [[ $mode != all ]] || version_ge "$qv" "1:$MIN_QEMU"; } &&
	   version_ge "$lv" "1:$MIN_LIBBPF"; then
		info "bookworm-backports packages: all present (${qv:+qemu $qv, }libbpf $lv)"
		return
	fi
	step "installing from bookworm-backports: ${BACKPORTS_PKGS[*]}"
	private_apt_update bookworm-backports
	DEBIAN_FRONTEND=noninteractive apt-get "${PRIVATE_APT_OPTS[@]}" install -y -qq \
		--no-install-recommends -t bookworm-backports "${BACKPORTS_PKGS[@]}" \
		>"$VPMU_CACHE/apt/install-backports.log" 2>&1 ||
		die "apt-get install from bookworm-backports failed; see $VPMU_CACHE/apt/install-backports.log"
	[[ $mode != all ]] && return
	qv=$(dpkg-query -W -f='${Version}' "qemu-system-arm:$native")
	version_ge "$qv" "1:$MIN_QEMU" || die "qemu-system-arm $qv is older than $MIN_QEMU"
}

# fetch_binary PKG:ARCH PATH-IN-PACKAGE DEST [apt-get options...]
fetch_binary()
{
	local pkg=$1 inner=$2 dest=$3 dir deb
	shift 3
	[[ -x $dest ]] && { info "$pkg: present"; return; }
	step "fetching $pkg into $(dirname "$dest")"
	dir=$(mktemp -d "$VPMU_CACHE/fetch.XXXXXX")
	chmod 0777 "$dir"	# apt downloads as the _apt user
	(cd "$dir" && apt-get "$@" download -qq "$pkg") ||
		die "apt-get download $pkg failed"
	deb=$(ls "$dir"/"${pkg%%:*}"_*_"${pkg##*:}".deb)
	dpkg-deb -x "$deb" "$dir/root"
	mkdir -p "$(dirname "$dest")"
	install -m 0755 "$dir/root/$inner" "$dest"
	rm -rf "$dir"
}

if [[ -n $check ]]; then
	collect_missing "${BOOKWORM_PKGS[@]}" "${BACKPORTS_PKGS[@]}"
	if [[ $mode == all ]]; then
		[[ -x $ARM64_BUSYBOX ]] || missing+=("busybox-static:arm64 (in $VPMU_CACHE)")
		[[ -x $ARM64_BPFTOOL ]] || missing+=("bpftool:arm64 (in $VPMU_CACHE)")
		[[ -x $PROMTOOL ]] || missing+=("promtool from prometheus (in $VPMU_CACHE)")
	fi
	if ((${#missing[@]})); then
		echo "missing: ${missing[*]}"
		exit 1
	fi
	exit 0
fi

if [[ $(id -u) != 0 ]]; then
	# Without root we can only check.
	if out=$("$0" "$@" --check); then
		info "dependencies ready"
		exit 0
	fi
	die "installing packages needs root; $out"
fi
mkdir -p "$VPMU_CACHE/apt"
[[ $mode == daemon ]] || ensure_arm64_arch
install_bookworm
install_backports
if [[ $mode != all ]]; then
	info "dependencies for make $mode ready"
	exit 0
fi
fetch_binary busybox-static:arm64 bin/busybox "$ARM64_BUSYBOX"
fetch_binary "prometheus:$native" usr/bin/promtool "$PROMTOOL"
private_apt_update bookworm-backports
fetch_binary bpftool:arm64 usr/sbin/bpftool "$ARM64_BPFTOOL" \
	"${PRIVATE_APT_OPTS[@]}" -t bookworm-backports
info "dependencies ready"
