#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot the arm64 test kernel under QEMU TCG with the Debian 12 systemd
# rootfs (scripts/build-rootfs.sh), run one test script in it as the
# systemd unit vpmu-e2e.service, and judge the run.
#
# Usage: run-systemd-vm.sh --kernel KDIR|DEB --rootfs FILE --test SCRIPT
#                          [--add SRC:DST]... [--timeout SECONDS]
#                          [--append ARGS] [--log FILE] [--summary FILE]
#                          [--harness-exit FILE] [--mem MB] [--verbose] [--shell]
#
# --kernel is a kernel directory (build-kernel.sh's: Image, modules/) or
# a linux-image .deb (make kernel-deb; build-kernel.sh's deb/): then the
# kernel and modules it holds are booted, and the guest is told which
# package that is in /usr/lib/vpmu-e2e/kernel-deb (package=, version=,
# release=, and banner=, the image's "Linux version ..." line, which is
# what the running kernel's /proc/version must say; e2e_boot.sh checks),
# with the package itself beside it (e2e_boot.sh installs it with dpkg).
#
# --add copies SRC (a file, or a directory tree merged into DST; a DST
# ending in / is a directory) into the guest; an arm64 ELF brings the libraries the rootfs lacks (from the
# host's arm64 multiarch directories), so `make install DESTDIR=...`
# output can be added as it is:  --add "$destdir:/".
#
# The rootfs stays as it is: the test, the unit, the kernel's modules and
# the --add files go into a second cpio appended to it, which the kernel
# unpacks over the first.  The test's TAP output (on ttyAMA0) is printed;
# the run passes only if the guest's verdict (harness-exit, from the
# shutdown hook, after a clean power-off) says so, the test finished, no
# timeout hit and the console holds no kernel splat
# (selftests/vm/splat-scan.sh).  --verbose echoes the whole console;
# --shell gives a root shell on the console after the test (no timeout).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$top/scripts/lib.sh"
. "$top/selftests/vm/verdict.sh"

kdir= rootfs= test= adds=() timeout=600 append= log= summary= verbose=0 shell=0 mem=2048
hexit=${O:-$top/build}/selftests/arm64/bin/harness-exit
while (($#)); do
	case $1 in
	--kernel) kdir=$2; shift 2 ;;
	--rootfs) rootfs=$2; shift 2 ;;
	--test) test=$2; shift 2 ;;
	--add) adds+=("$2"); shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--append) append=$2; shift 2 ;;
	--log) log=$2; shift 2 ;;
	--summary) summary=$2; shift 2 ;;
	--harness-exit) hexit=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--verbose) verbose=1; shift ;;
	--shell) shell=1; verbose=1; shift ;;
	*) die "run-systemd-vm: unknown argument $1" ;;
	esac
done
[[ -n $kdir && -n $rootfs && -n $test ]] ||
	die "usage: run-systemd-vm.sh --kernel KDIR --rootfs FILE --test SCRIPT [--add SRC:DST]... [--timeout S]"
[[ -f $rootfs ]] || die "no rootfs $rootfs (scripts/build-rootfs.sh builds it)"
[[ -f $test ]] || die "no test $test"
[[ -n $log ]] || log=$(mktemp /tmp/vpmu-systemd-console.XXXXXX)

work=$(mktemp -d /tmp/vpmu-systemd.XXXXXX)
trap 'rm -rf "$work"' EXIT

# unpack_kernel_deb DEB DIR: the package's kernel as DIR/Image, its
# modules in DIR/modules/lib/modules, what it is in DIR/identity.
unpack_kernel_deb()
{
	local deb=$1 dir=$2 pkg release vmlinuz mods
	pkg=$(dpkg-deb -f "$deb" Package 2>/dev/null) || die "$deb is not a Debian package"
	[[ $pkg == linux-image-* && $pkg != *-dbg ]] || die "$deb holds $pkg, not a linux-image package"
	[[ $(dpkg-deb -f "$deb" Architecture) == arm64 ]] || die "$deb is not an arm64 package"
	release=${pkg#linux-image-}
	mkdir -p "$dir"
	dpkg-deb -x "$deb" "$dir/pkg"
	vmlinuz=$dir/pkg/boot/vmlinuz-$release
	[[ -f $vmlinuz ]] || die "$deb has no boot/vmlinuz-$release"
	# arm64's packaged image is Image.gz.
	if gzip -t "$vmlinuz" 2>/dev/null; then
		gzip -dc "$vmlinuz" >"$dir/Image"
	else
		cp "$vmlinuz" "$dir/Image"
	fi
	mkdir -p "$dir/modules/lib/modules"
	mods=$(find "$dir/pkg" -path "*/modules/$release" -type d | head -1)
	[[ -z $mods ]] || mv "$mods" "$dir/modules/lib/modules/"
	{
		echo "package=$pkg"
		echo "version=$(dpkg-deb -f "$deb" Version)"
		echo "release=$release"
		# linux_banner, with the build's time (the image also holds
		# one without it).
		echo "banner=$(strings -n 16 "$dir/Image" |
			grep -m1 -E '^Linux version .* [0-9]{2}:[0-9]{2}:[0-9]{2} ')"
	} >"$dir/identity"
	grep -q '^banner=Linux version ' "$dir/identity" || die "no 'Linux version' banner in $deb's kernel"
	rm -rf "$dir/pkg"
}

kdeb=
if [[ $kdir == *.deb ]]; then
	[[ -f $kdir ]] || die "no kernel package $kdir"
	kdeb=$kdir kdir=$work/kernel
	unpack_kernel_deb "$kdeb" "$kdir"
fi
[[ -f $kdir/Image ]] || die "no arm64 kernel Image in $kdir"

# The rootfs, uncompressed: the kernel unpacks it faster than it could
# decompress it under TCG.
case $rootfs in
*.zst) zstd -q -dc "$rootfs" >"$work/initrd" ;;
*) cp "$rootfs" "$work/initrd" ;;
esac
# What the rootfs holds: "TYPE NAME" per entry, for the top-level
# symlinks (merged /usr), its directories and its libraries.
cpio -itv --quiet <"$work/initrd" 2>/dev/null |
	awk '{ t = substr($1, 1, 1); if (t == "-") t = "f"
	       $1 = $2 = $3 = $4 = $5 = $6 = $7 = $8 = ""
	       sub(/^ +/, ""); sub(/^\.\//, ""); print t " " $0 }' >"$work/base.list"
[[ -s $work/base.list ]] || die "$rootfs is not a cpio archive"

ov=$work/overlay
mkdir -p "$ov" && chmod 0755 "$ov"
# The same top-level symlinks (bin -> usr/bin, lib -> usr/lib, ...), so
# that files added under /lib land in /usr/lib as in the rootfs.
while read -r name target; do
	ln -s "$target" "$ov/$name"
done < <(awk '$1 == "l" && $2 !~ /\// && $3 == "->" { print $2, $4 }' "$work/base.list")

in_base() { grep -qxF "$1 $2" "$work/base.list"; }

# copy_in SRC DST: a file, or a directory tree merged into DST, keeping
# the rootfs's directory symlinks.
copy_in()
{
	local src=$1 dst=$2
	if [[ -d $src ]]; then
		mkdir -p "$ov$dst"
		tar -C "$src" -cf - . | tar -C "$ov$dst" -xf - --keep-directory-symlink --no-same-owner
	else
		[[ $dst == */ ]] && dst+=$(basename "$src")
		mkdir -p "$ov$(dirname "$dst")"
		cp -L "$src" "$ov$dst"
	fi
}

libdirs=(/usr/lib/aarch64-linux-gnu /lib/aarch64-linux-gnu /usr/aarch64-linux-gnu/lib)
# Copy the NEEDED libraries of an arm64 ELF that the rootfs lacks.
add_deps()
{
	local elf=$1 lib d found
	[[ $(head -c4 "$elf" 2>/dev/null | od -An -c | tr -d ' ') == 177ELF ]] || return 0
	if ! readelf -h "$elf" | grep -q 'Machine:.*AArch64'; then
		info "warning: $elf is not an arm64 ELF"
		return 0
	fi
	for lib in $(readelf -d "$elf" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p'); do
		in_base f "usr/lib/aarch64-linux-gnu/$lib" && continue
		in_base l "usr/lib/aarch64-linux-gnu/$lib" && continue
		[[ -e $ov/usr/lib/aarch64-linux-gnu/$lib ]] && continue
		found=
		for d in "${libdirs[@]}"; do
			[[ -e $d/$lib ]] && { found=$d/$lib; break; }
		done
		[[ -n $found ]] || die "$elf needs $lib, which neither the rootfs nor the host (arm64) has"
		info "adding $lib (needed by $(basename "$elf")) from $found"
		mkdir -p "$ov/usr/lib/aarch64-linux-gnu"
		cp -L "$found" "$ov/usr/lib/aarch64-linux-gnu/$lib"
		add_deps "$found"
	done
}

# The harness: test, unit, shutdown hook, verdict tool, kernel modules.
name=$(basename "$test")
name=${name%.sh}
install -D -m 0755 "$test" "$ov/usr/lib/vpmu-e2e/tests/$name"
install -D -m 0755 "$here/guest/vpmu-e2e-run" "$ov/usr/lib/vpmu-e2e/vpmu-e2e-run"
install -D -m 0644 "$here/guest/vpmu-e2e.service" "$ov/etc/systemd/system/vpmu-e2e.service"
mkdir -p "$ov/etc/systemd/system/multi-user.target.wants"
ln -s ../vpmu-e2e.service "$ov/etc/systemd/system/multi-user.target.wants/vpmu-e2e.service"
install -D -m 0755 "$here/guest/vpmu-e2e.shutdown" \
	"$ov/usr/lib/systemd/system-shutdown/vpmu-e2e.shutdown"
if [[ ! -x $hexit ]]; then
	# Not built yet (make selftests-arm64 builds it): it is one small file.
	hexit=$work/harness-exit
	aarch64-linux-gnu-gcc -static -O2 -o "$hexit" "$top/selftests/vm/guest/harness_exit.c" ||
		die "cannot build harness-exit"
fi
install -D -m 0755 "$hexit" "$ov/usr/lib/vpmu-e2e/harness-exit"
if [[ -d $kdir/modules/lib/modules ]]; then
	copy_in "$kdir/modules/lib/modules" /usr/lib/modules
fi
if [[ -n $kdeb ]]; then
	install -D -m 0644 "$kdir/identity" "$ov/usr/lib/vpmu-e2e/kernel-deb"
	install -D -m 0644 "$kdeb" "$ov/usr/lib/vpmu-e2e/$(basename "$kdeb")"
fi
add_deps "$test"
for a in "${adds[@]}"; do
	src=${a%%:*} dst=${a#*:}
	[[ $a == *:* && -n $src && -n $dst ]] || die "--add wants SRC:DST, not '$a'"
	[[ -e $src ]] || die "--add: no $src"
	copy_in "$src" "$dst"
	if [[ -d $src ]]; then
		while IFS= read -r -d '' f; do
			add_deps "$f"
		done < <(find "$src" -type f -print0)
	else
		add_deps "$src"
	fi
done

# Append the overlay, leaving out the top-level symlinks and the
# directories the rootfs has (so their owners and modes stay).
(cd "$ov" && find . -mindepth 1 \( -type d -printf 'd %P\n' \) -o \
	\( -type l -printf 'l %P\n' \) -o -printf 'f %P\n') | LC_ALL=C sort -k2 |
	awk -v base="$work/base.list" '
		BEGIN { while ((getline l < base) > 0) if (l ~ /^d /) dir[substr(l, 3)] = 1 }
		$1 == "l" && $2 !~ /\// { next }
		$1 == "d" && ($2 in dir) { next }
		{ print substr($0, 3) }' >"$work/overlay.list"
(cd "$ov" && cpio -o -H newc -R 0:0 --quiet <"$work/overlay.list") >>"$work/initrd"

# Same machine as selftests/vm/run-vm.sh for arm64.  The test's deadline
# in the guest leaves time for the boot and the power-off.
cmdline="console=ttyAMA0 rdinit=/sbin/init panic=-1 oops=panic loglevel=7"
cmdline+=" systemd.unit=multi-user.target systemd.show_status=auto systemd.getty_auto=0"
# systemd failing to start reboots (QEMU then ends) rather than freezing.
cmdline+=" systemd.crash_reboot=1"
cmdline+=" vpmu.test=$name vpmu.timeout=$((timeout - 120 > 30 ? timeout - 120 : 30))"
((shell)) && cmdline+=" vpmu.shell=1"
qemu=(qemu-system-aarch64
      -M virt,virtualization=on,gic-version=3
      -cpu max,pmu=on,pauth=off -icount shift=0
      -semihosting-config enable=on,target=native,userspace=on
      -kernel "$kdir/Image" -initrd "$work/initrd"
      -m "$mem" -smp 1 -display none -monitor none -no-reboot
      -append "$cmdline $append")

filter()
{
	if ((verbose)); then
		cat
	else
		grep --line-buffered -aE '^(ok|not ok|Bail out!|#|1\.\.[0-9])|WARNING:|BUG:|Kernel panic|Oops|Internal error' || true
	fi
}

info "booting $(basename "${kdeb:-$kdir}") with $(basename "$(dirname "$rootfs")") + $name (console: $log)"
start=$SECONDS
set +e
if ((shell)); then
	"${qemu[@]}" -serial mon:stdio 2>&1 | tee "$log"
	status=${PIPESTATUS[0]}
else
	timeout --foreground -k 10 "$timeout" "${qemu[@]}" -serial stdio </dev/null 2>&1 |
		tee "$log" | tr -d '\r' | filter
	status=${PIPESTATUS[0]}
fi
set -e
elapsed=$((SECONDS - start))

verdict_judge "$log" "$status" "$timeout"
if ! verdict_has "$log" '### vpmu-test-begin '; then
	verdict_fail "the test never started (did systemd reach multi-user.target? see the console log)"
elif ! verdict_has "$log" '### vpmu-test-end '; then
	verdict_fail "the test never finished"
fi
verdict_has "$log" '### vpmu-harness-done' ||
	verdict_fail "the guest never reached its shutdown hook"
verdict_report run-systemd-vm "$name" "$elapsed" "$log" "$summary"
