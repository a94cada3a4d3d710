#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# deb: the packages `make deb` built (build/deb), per arch: lintian
# reported no error or warning (its log from the build; overrides in
# debian/ carry their reasons), the files are where Debian 12 wants them
# (dpkg-deb -c: the unit under /lib/systemd/system, tmpfiles.d, man
# pages, examples), the main configuration is a conffile, the programs are
# built for the package's arch, and Depends names libbpf1 1.4.  Installing
# and purging is systemd/e2e_daemon's part, in a real Debian guest.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
out=${O:-$top/build}/deb
echo "TAP version 13"
debs=("$out"/vpmu-policyd_*_amd64.deb "$out"/vpmu-policyd_*_arm64.deb)
for d in "${debs[@]}"; do
	if [[ ! -f $d ]]; then
		echo "1..0 # SKIP $d not built (make deb)"
		exit 0
	fi
done
echo "1..$((5 * ${#debs[@]}))"
n=0 failed=0
check()
{
	n=$((n + 1))
	if eval "$1" >"$tmp/out" 2>&1; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		sed 's/^/# /' "$tmp/out" | head -20
		failed=1
	fi
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
want=(./usr/sbin/vpmu-policyd ./usr/sbin/vpmuctl
	./lib/systemd/system/vpmu-policyd.service
	./usr/lib/tmpfiles.d/vpmu-policyd.conf
	./etc/vpmu-policyd/vpmu-policyd.json ./etc/vpmu-policyd/tenants.d/
	./usr/share/man/man5/vpmu-policy.json.5.gz
	./usr/share/man/man8/vpmu-policyd.8.gz ./usr/share/man/man8/vpmuctl.8.gz
	./usr/share/doc/vpmu-policyd/copyright
	./usr/share/doc/vpmu-policyd/examples/vpmu-policyd.json
	./usr/share/doc/vpmu-policyd/examples/tenants.d/research.json)
for d in "${debs[@]}"; do
	arch=$(dpkg-deb -f "$d" Architecture)
	case $arch in
	amd64) machine='Advanced Micro Devices X86-64' ;;
	arm64) machine=AArch64 ;;
	esac
	check "! grep -E '^[EW]: ' '$out/lintian-$arch.log' && test '$out/lintian-$arch.log' -nt '$d'" \
		"$arch: lintian found no error or warning"
	dpkg-deb -c "$d" | awk '{ print $6 }' >"$tmp/contents"
	check "for f in ${want[*]}; do grep -qx \"\$f\" '$tmp/contents' || { echo \"missing \$f\"; exit 1; }; done" \
		"$arch: dpkg-deb -c lists the programs, unit, tmpfiles.d, configuration, man pages, examples"
	check "! grep -E '^\\./(usr/local|usr/lib/systemd/system|var/lib/vpmu-policyd)' '$tmp/contents'" \
		"$arch: nothing under /usr/local, the unit not under /usr/lib (Debian 12), no state shipped"
	check "dpkg-deb --ctrl-tarfile '$d' | tar -xO ./conffiles | grep -qx /etc/vpmu-policyd/vpmu-policyd.json" \
		"$arch: /etc/vpmu-policyd/vpmu-policyd.json is a conffile"
	check "dpkg-deb --fsys-tarfile '$d' | tar -xO ./usr/sbin/vpmu-policyd >'$tmp/bin' && readelf -h '$tmp/bin' | grep -q 'Machine: *$machine' && dpkg-deb -f '$d' Depends | grep -q 'libbpf1 (>= 1:1.4)'" \
		"$arch: vpmu-policyd is a $arch program; Depends: libbpf1 (>= 1:1.4)"
done
exit $failed
