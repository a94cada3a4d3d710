#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Provide a pristine Linux 7.3 source tree as a git repository and print its
# path.  The tree is Debian's linux-source-7.3 (trixie-backports), fetched
# with `apt-get download` through a private apt configuration, unpacked once
# into $VPMU_CACHE/src and committed as the "pristine" base that the patch
# series is applied on.  With KSRC=/path/to/linux-7.3 that tree is used
# instead (copied, never modified in place).
#
# Usage: scripts/linux-source.sh      prints the git tree's path on stdout
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

LINUX_PKG=${LINUX_PKG:-linux-source-7.3}
LINUX_SUITE=${LINUX_SUITE:-trixie-backports}

src_root=$VPMU_CACHE/src
mkdir -p "$src_root"

# Unpack Debian's package into $1 (a fresh directory); print nothing.
unpack_debian_source()
{
	local dest=$1 dl=$src_root/download deb tarball

	rm -rf "$dl" && mkdir -p "$dl" && chmod 0777 "$dl"	# apt downloads as _apt
	private_apt_update "$LINUX_SUITE"
	step "downloading $LINUX_PKG from $LINUX_SUITE"
	(cd "$dl" && apt-get "${PRIVATE_APT_OPTS[@]}" download -qq "$LINUX_PKG") ||
		die "apt-get download $LINUX_PKG failed"
	deb=$(ls "$dl"/"$LINUX_PKG"_*.deb)
	info "unpacking $(basename "$deb")"
	dpkg-deb -x "$deb" "$dl/root"
	tarball=$(ls "$dl"/root/usr/src/"$LINUX_PKG".tar.*)
	mkdir -p "$dest"
	tar -xf "$tarball" -C "$dest" --strip-components=1
	basename "$deb" >"$dest/.vpmu-origin"
	rm -rf "$dl"
}

copy_ksrc()
{
	local dest=$1
	[[ -f $KSRC/Makefile && -d $KSRC/arch/x86/kvm ]] || die "KSRC=$KSRC is not a Linux source tree"
	step "copying KSRC=$KSRC"
	mkdir -p "$dest"
	rsync -a --exclude=.git --exclude='*.o' --exclude='*.cmd' "$KSRC"/ "$dest"/
	echo "KSRC=$KSRC" >"$dest/.vpmu-origin"
}

if [[ -n ${KSRC:-} ]]; then
	tree=$src_root/ksrc-$(printf '%s' "$(realpath "$KSRC")" | sha256sum | cut -c1-12)
else
	tree=$src_root/$LINUX_PKG
fi

if [[ ! -f $tree.ready ]]; then
	rm -rf "$tree"
	if [[ -n ${KSRC:-} ]]; then
		copy_ksrc "$tree"
	else
		unpack_debian_source "$tree"
	fi
	step "recording the pristine tree as a git repository (once)"
	git -C "$tree" init -q -b pristine
	# -f: Debian's .gitignore ignores everything at the top level.
	git -C "$tree" -c core.autocrlf=false add -f -A . >/dev/null
	git -C "$tree" -c user.name=vpmu -c user.email=vpmu@localhost \
		commit -q -m "pristine $(cat "$tree/.vpmu-origin")"
	git -C "$tree" tag -f pristine >/dev/null
	touch "$tree.ready"
fi
echo "$tree"
