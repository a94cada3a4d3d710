#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Print the path of Debian's own config for its 7.3 kernel on one arch:
# the one linux-image-7.3.*-ARCH from trixie-backports is built with (its
# /boot/config-*), taken from the small linux-config-7.3 package (1 MB,
# every flavour's config) rather than the kernel package.  Downloaded once
# through the private apt configuration (lib.sh) and kept in
# $VPMU_CACHE/debian-config.  Used to test make kernel-deb's config stage
# with a real distribution config, and to cross-build a package for a
# Debian arm64 host from an x86 machine:
#
#   make kernel-deb ARCH=arm64 KCONFIG=$(scripts/debian-kconfig.sh arm64)
#
# Usage: scripts/debian-kconfig.sh x86_64|arm64
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

LINUX_SUITE=${LINUX_SUITE:-trixie-backports}
pkg=linux-config-7.3
case ${1:?usage: debian-kconfig.sh x86_64|arm64} in
x86_64) debarch=amd64 ;;
arm64) debarch=arm64 ;;
*) die "unknown arch '$1' (x86_64 or arm64)" ;;
esac

dir=$VPMU_CACHE/debian-config/$debarch
if [[ ! -f $dir/config ]]; then
	if [[ $debarch != "$(dpkg --print-architecture)" ]] &&
	   ! dpkg --print-foreign-architectures | grep -qx "$debarch"; then
		die "$pkg:$debarch needs dpkg's $debarch architecture (dpkg --add-architecture $debarch; make deps does it)"
	fi
	private_apt_update "$LINUX_SUITE"
	dl=$(mktemp -d "$VPMU_CACHE/debian-config.XXXXXX")
	chmod 0777 "$dl"	# apt downloads as _apt
	step "downloading $pkg:$debarch from $LINUX_SUITE"
	(cd "$dl" && apt-get "${PRIVATE_APT_OPTS[@]}" download -qq "$pkg:$debarch") ||
		die "apt-get download $pkg:$debarch failed"
	deb=$(ls "$dl"/"$pkg"_*_"$debarch".deb)
	dpkg-deb -x "$deb" "$dl/root"
	xz=$dl/root/usr/src/$pkg/config.${debarch}_none_$debarch.xz
	[[ -f $xz ]] || die "$(basename "$deb") has no ${xz##*/}"
	mkdir -p "$dir.tmp"
	xz -dc "$xz" >"$dir.tmp/config"
	basename "$deb" >"$dir.tmp/origin"
	rm -rf "$dl" "$dir" && mv "$dir.tmp" "$dir"
fi
echo "$dir/config"
