#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make kernel-deb's two halves, on the host:
# - the test kernels' packages (build-kernel.sh makes them with the
#   kernel's bindeb-pkg, as make kernel-deb does): a linux-image .deb per
#   arch, named for the kernel's release, holding boot/vmlinuz (the very
#   image every test boots), its config with every option of
#   kernel/configs/vpmu-policy*.config, System.map, and on x86 kvm.ko;
#   the systemd guest boots the arm64 one (e2e_boot.sh checks that);
# - the distribution-config path: Debian's own 7.3 configs for arm64 and
#   amd64 (scripts/debian-kconfig.sh) through make kernel-deb's config
#   stage (merge, olddefconfig, check): every option survives.  Building
#   a kernel from them takes hours on 2 cores, so that is not done here.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/scripts/lib.sh"
O=${O:-$top/build}

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
diag() { sed 's/^/# /'; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "1..10"

# check_package ARCH DEBARCH IMAGE: 4 checks.
check_package()
{
	local arch=$1 debarch=$2 image=$3 kdir=$O/kernel-$1 debs rel deb pkg x
	debs=$(ls "$kdir"/deb/linux-image-*_"$debarch".deb 2>/dev/null)
	rel=$(cat "$kdir/release" 2>/dev/null)
	if [[ $(wc -w <<<"$debs") != 1 || -z $rel ]]; then
		for x in "the package" "its vmlinuz" "its config" "its contents"; do
			not_ok "$arch: $x: not one linux-image package in $kdir/deb (found: '${debs//$'\n'/ }')"
		done
		return
	fi
	deb=$debs
	pkg=$(dpkg-deb -f "$deb" Package Architecture | tr '\n' ' ')
	if [[ $pkg == "Package: linux-image-$rel Architecture: $debarch " ]]; then
		ok "$arch: $(basename "$deb") is linux-image-$rel for $debarch"
	else
		not_ok "$arch: $(basename "$deb") is linux-image-$rel for $debarch (it says: $pkg)"
	fi
	x=$tmp/$arch
	dpkg-deb -x "$deb" "$x"
	if [[ -f $x/boot/vmlinuz-$rel && -f $x/boot/System.map-$rel ]] &&
	   { gzip -dc "$x/boot/vmlinuz-$rel" 2>/dev/null || cat "$x/boot/vmlinuz-$rel"; } |
	   cmp -s - "$kdir/$image"; then
		ok "$arch: its boot/vmlinuz-$rel is the $image the tests boot"
	else
		not_ok "$arch: its boot/vmlinuz-$rel is the $image the tests boot"
		dpkg-deb -c "$deb" | grep ' ./boot/' | diag
	fi
	if out=$("$top/scripts/check-kconfig.sh" "$x/boot/config-$rel" \
		"$top/kernel/configs/vpmu-policy.config" \
		"$top/kernel/configs/vpmu-policy-$arch.config" 2>&1); then
		ok "$arch: its boot/config-$rel has every option of vpmu-policy.config and vpmu-policy-$arch.config"
	else
		not_ok "$arch: its boot/config-$rel has every option of vpmu-policy*.config"
		echo "$out" | diag
	fi
	if [[ $arch == x86_64 ]]; then
		x=$(find "$x" -path "*/modules/$rel/*" -name kvm.ko | sed "s|^$tmp/$arch||")
		if [[ -n $x ]]; then
			ok "$arch: it has kvm.ko ($x)"
		else
			not_ok "$arch: it has kvm.ko"
		fi
	else
		x=$(dpkg-deb -f "$deb" Version)
		if [[ $x == *+vpmu.* ]]; then
			ok "$arch: its version $x names the patch set"
		else
			not_ok "$arch: its version names the patch set (it is $x)"
		fi
	fi
}
check_package arm64 arm64 Image
check_package x86_64 amd64 bzImage

# Debian's configs through the config stage of make kernel-deb.
for arch in arm64 x86_64; do
	if ! cfg=$("$top/scripts/debian-kconfig.sh" "$arch" 2>"$tmp/err"); then
		ok "Debian's $arch config keeps every vpmu-policy option # SKIP cannot get it: $(tail -1 "$tmp/err")"
		continue
	fi
	origin=$(cat "$(dirname "$cfg")/origin")
	# Its own object directory: switching make kernel-deb's between
	# configs would rebuild what depends on every option that differs.
	if out=$(KDEB_OBJ=$VPMU_CACHE/obj/kconfig-debian-$arch \
		"$top/scripts/kernel-deb.sh" --arch "$arch" --config "$cfg" \
		--out "$tmp/deb-$arch" --config-only 2>&1); then
		ok "Debian's $arch config ($origin) keeps every vpmu-policy option after merge + olddefconfig"
	else
		not_ok "Debian's $arch config ($origin) keeps every vpmu-policy option after merge + olddefconfig"
		echo "$out" | tail -20 | diag
	fi
done

exit $((failed > 0))
