#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the Debian 12 (bookworm) arm64 root filesystem the systemd
# end-to-end tests boot (selftests/systemd): systemd as init, dbus,
# bpftool and libbpf 1.4 from bookworm-backports, and little else.  The
# result is a zstd-compressed newc cpio, booted as an initramfs (root on
# tmpfs, rdinit=/sbin/init), and the script prints its path.
#
# mmdebstrap installs the packages with their maintainer scripts run by
# the arm64 binaries themselves, through qemu-user-static: binfmt_misc
# is registered for aarch64 for the duration of the build only (and
# mounted first if need be), then removed again.  See
# selftests/systemd/README.md for why this over the alternatives.
#
# The result is cached in $VPMU_CACHE/rootfs/debian-arm64-HASH, where
# HASH covers this script (and so the package list): rootfs.cpio.zst,
# packages.txt (what got installed, with versions) and build.log.
#
# Usage: scripts/build-rootfs.sh            build if needed, print the path
#        scripts/build-rootfs.sh --force    rebuild even if cached
#        scripts/build-rootfs.sh --vmm      the same plus Debian's QEMU and
#                                           libvirt (selftests/systemd/e2e_qemu),
#                                           cached as debian-arm64-vmm-HASH
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

# What the guest runs: systemd as PID 1 (dbus for logind and busctl),
# the libraries vpmu-policyd links against, and bpftool to look at BPF
# objects.  udev is left out: nothing in the tests needs device units.
# systemd is Debian 12's own (252), the oldest the unit supports: the
# daemon must run with the libsystemd0 a stock host has.
ROOTFS_PKGS=(
	systemd systemd-sysv libsystemd0 libudev1
	dbus
	libbpf1/bookworm-backports bpftool/bookworm-backports
	libelf1 zlib1g libzstd1
	procps
)
# Documentation, manuals and translations are not installed.
ROOTFS_EXCLUDE=(
	'/usr/share/doc/*' '/usr/share/man/*' '/usr/share/info/*'
	'/usr/share/locale/*' '/usr/share/lintian/*'
	'/usr/share/bash-completion/*' '/usr/share/zsh/*'
)

# --vmm: the VMMs operators run, for the real-VMM tests.  No Recommends
# (no GUI, firmware or network helpers); libvirt's QEMU driver is one.
ROOTFS_VMM_PKGS=(
	qemu-system-arm
	libvirt-daemon-system libvirt-daemon-driver-qemu libvirt-clients
)

force=0 flavor=
for arg; do
	case $arg in
	--force) force=1 ;;
	--vmm) flavor=vmm-; ROOTFS_PKGS+=("${ROOTFS_VMM_PKGS[@]}") ;;
	*) die "build-rootfs: unknown argument $arg" ;;
	esac
done

key=$({ printf '%s\n' "${ROOTFS_PKGS[@]}" "${ROOTFS_EXCLUDE[@]}"; cat "$0"; } |
	sha256sum | cut -c1-16)
out=$VPMU_CACHE/rootfs/debian-arm64-$flavor$key
result=$out/rootfs.cpio.zst

if ((!force)) && [[ -f $out/.done ]]; then
	info "arm64 rootfs: cached ($out)"
	echo "$result"
	exit 0
fi

[[ $(id -u) == 0 ]] || die "building the rootfs needs root (chroot, binfmt_misc)"
command -v mmdebstrap >/dev/null && [[ -x /usr/bin/qemu-aarch64-static ]] ||
	die "mmdebstrap or qemu-user-static missing (run scripts/deps.sh)"

mkdir -p "$VPMU_CACHE/rootfs"
exec 9>"$VPMU_CACHE/rootfs/build.lock"
flock 9	# one build at a time: they share the binfmt registration
if ((!force)) && [[ -f $out/.done ]]; then
	info "arm64 rootfs: built meanwhile ($out)"
	echo "$result"
	exit 0
fi

binfmt=/proc/sys/fs/binfmt_misc
mounted_binfmt=0 registered=0 work=
cleanup()
{
	if ((registered)); then
		echo -1 >"$binfmt/qemu-aarch64" || true
	fi
	if ((mounted_binfmt)); then
		umount "$binfmt" || true
	fi
	if [[ -n $work ]]; then
		# A failed mmdebstrap may leave its mounts behind.
		umount -R "$work/root/proc" "$work/root/sys" "$work/root/dev" 2>/dev/null || true
		rm -rf --one-file-system "$work"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Let the kernel run arm64 ELF files through qemu-user-static.  The F flag
# opens the interpreter now, so it works inside the chroot too.
setup_binfmt()
{
	if [[ ! -e $binfmt/register ]]; then
		mount -t binfmt_misc binfmt_misc "$binfmt" ||
			die "cannot mount binfmt_misc on $binfmt"
		mounted_binfmt=1
	fi
	if [[ ! -e $binfmt/qemu-aarch64 ]]; then
		local magic mask
		magic='\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xb7\x00'
		mask='\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff'
		echo ":qemu-aarch64:M::$magic:$mask:/usr/bin/qemu-aarch64-static:F" \
			>"$binfmt/register" || die "cannot register qemu-aarch64 with binfmt_misc"
		registered=1
		info "registered qemu-aarch64-static with binfmt_misc (until the build ends)"
	fi
	grep -q '^enabled' "$binfmt/qemu-aarch64" ||
		die "binfmt_misc has qemu-aarch64 registered but disabled"
	# A static arm64 binary must run now.
	[[ -x $VPMU_CACHE/busybox-arm64/bin/busybox ]] ||
		die "no arm64 busybox in $VPMU_CACHE (run scripts/deps.sh)"
	"$VPMU_CACHE/busybox-arm64/bin/busybox" true ||
		die "arm64 binaries do not run through binfmt_misc + qemu-user-static"
}

step "building the Debian 12 arm64 rootfs (mmdebstrap + qemu-user-static; ~3 min)"
setup_binfmt
rm -rf "$out.tmp" && mkdir -p "$out.tmp"
work=$(mktemp -d "$VPMU_CACHE/rootfs/work.XXXXXX")
chmod 0755 "$work"	# apt downloads as the _apt user
log=$out.tmp/build.log

mirror=${VPMU_DEBIAN_MIRROR:-http://deb.debian.org/debian}
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
opts=(--mode=root --arch=arm64 --variant=essential
      --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr
      --skip=check/qemu	# checked above, without arch-test
      --include="$(IFS=,; echo "${ROOTFS_PKGS[*]}")")
for p in "${ROOTFS_EXCLUDE[@]}"; do
	opts+=(--dpkgopt="path-exclude=$p")
done
# mmdebstrap prints its stages as "I: ..." lines: those are the progress.
start=$SECONDS
if ! mmdebstrap "${opts[@]}" bookworm "$work/root" \
	"deb [signed-by=$keyring] $mirror bookworm main" \
	"deb [signed-by=$keyring] $mirror bookworm-backports main" 2>&1 |
	tee "$log" | grep --line-buffered '^I: ' | sed -u "s/^I: /    [rootfs] /" >&2; then
	tail -30 "$log" >&2
	die "mmdebstrap failed; full log: $log"
fi
grep -q '^I: success' "$log" || { tail -30 "$log" >&2; die "mmdebstrap failed; full log: $log"; }
info "[rootfs] packages installed in $((SECONDS - start))s"

# Tune the tree for a test VM (no maintainer script of ours runs in it).
root=$work/root
rm -f "$root/usr/bin/qemu-aarch64-static"
echo vpmu-e2e >"$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\tvpmu-e2e\n' >"$root/etc/hosts"
# A fixed machine ID: no first-boot logic, and journald has its directory
# from the first line on.
echo 5f0d8e6a0c9b4c1d9f7a2e3b4c5d6e7f >"$root/etc/machine-id"
# root logs in without a password (the console shell of --shell runs).
sed -i 's/^root:[^:]*:/root::/' "$root/etc/shadow"
# Journal in memory (/run) only: the root is tmpfs anyway.
mkdir -p "$root/etc/systemd/journald.conf.d"
printf '[Journal]\nStorage=volatile\n' >"$root/etc/systemd/journald.conf.d/vpmu-e2e.conf"
# No first-boot questions on the console.
ln -sf /dev/null "$root/etc/systemd/system/systemd-firstboot.service"

dpkg-query --admindir="$root/var/lib/dpkg" -W -f='${Package} ${Version}\n' |
	sort >"$out.tmp/packages.txt"
size=$(du -sm --apparent-size "$root" | cut -f1)
info "[rootfs] $(wc -l <"$out.tmp/packages.txt") packages, ${size} MB; packing"
max=$([[ -n $flavor ]] && echo 600 || echo 300)
((size < max)) || die "the rootfs is ${size} MB (more than $max MB); see $out.tmp/packages.txt"

# Owners are kept (journal, dbus directories).  The "." entry makes the
# guest's / 0755 (the kernel's rootfs starts out world-writable).
chmod 0755 "$root"
(cd "$root" && { echo .; find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort; } |
	cpio -o -H newc --quiet) |
	zstd -q -T0 -12 >"$out.tmp/rootfs.cpio.zst"
touch "$out.tmp/.done"
rm -rf "$out" && mv "$out.tmp" "$out"
info "arm64 rootfs ready in $((SECONDS - start))s: $result ($(du -m "$result" | cut -f1) MB compressed)"
echo "$result"
