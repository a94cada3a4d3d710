#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# e2e_boot: the systemd end-to-end infrastructure itself.  Runs in the
# guest (Debian 12 rootfs, systemd as PID 1) as vpmu-e2e.service, started
# by selftests/systemd/run-systemd-vm.sh, and checks what the daemon's
# tests will rely on: the boot finishes, transient scopes land in tenant
# slices under the cgroup2 hierarchy, journald records, bpffs and debugfs
# are there, bpftool runs, a service's sandboxing takes effect, and the
# kernel running is the one from the linux-image package the harness
# was given, which installs and purges with dpkg.
set -u

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
diag() { sed 's/^/# /'; }

echo "1..10"

# 1: the boot finished (degraded is fine here, but say what failed).
state=$(timeout 300 systemctl is-system-running --wait 2>&1)
case $state in
running)
	ok "systemd finished booting: running" ;;
degraded)
	ok "systemd finished booting: degraded"
	systemctl --failed --no-legend --plain | sed 's/^/failed unit: /' | diag ;;
*)
	not_ok "systemd finished booting (is-system-running says '$state')"
	systemctl --failed --no-legend --plain | sed 's/^/failed unit: /' | diag
	systemctl list-jobs --no-legend | sed 's/^/pending job: /' | diag ;;
esac

# 2: the unified cgroup hierarchy, which the daemon reads tenants from.
fstype=$(stat -f -c %T /sys/fs/cgroup 2>&1)
if [[ $fstype == cgroup2fs ]]; then
	ok "/sys/fs/cgroup is cgroup2"
else
	not_ok "/sys/fs/cgroup is cgroup2 (it is '$fstype')"
fi

# 3-4: a transient scope in a tenant slice, as a VMM would be started.
out=$(systemd-run --quiet --scope --slice=tenant-a.slice \
	sh -c 'p=$(cut -d: -f3 /proc/self/cgroup); echo "cgroup $p";
	       [ -d "/sys/fs/cgroup$p" ] && echo "dir ok"; sleep 1' 2>&1)
rc=$?
if ((rc == 0)); then
	ok "systemd-run --scope --slice=tenant-a.slice sleep 1"
else
	not_ok "systemd-run --scope --slice=tenant-a.slice sleep 1 (rc=$rc)"
	echo "$out" | diag
fi
cg=$(sed -n 's/^cgroup //p' <<<"$out")
if [[ $cg =~ ^/tenant\.slice/tenant-a\.slice/run-[^/]+\.scope$ ]] &&
   grep -qx 'dir ok' <<<"$out"; then
	ok "the scope's cgroup is /sys/fs/cgroup$cg"
else
	not_ok "the scope's cgroup is under /sys/fs/cgroup/tenant.slice/tenant-a.slice (got '$cg')"
	echo "$out" | diag
fi

# 5: journald has this boot, and takes new messages.
marker="vpmu-e2e marker $$ $RANDOM"
echo "$marker" | systemd-cat -t vpmu-e2e
found=0
for _ in $(seq 20); do
	if journalctl -b -q --no-pager -t vpmu-e2e 2>/dev/null | grep -qF "$marker"; then
		found=1
		break
	fi
	sleep 0.5
done
entries=$(journalctl -b -q --no-pager 2>/dev/null | wc -l)
if ((found && entries > 0)); then
	ok "journald works: $entries entries this boot, our message among them"
else
	not_ok "journald works ($entries entries this boot, our message found: $found)"
	journalctl -b -q --no-pager -n 20 2>&1 | diag
fi

# 6: bpffs, mounted by systemd at boot.
bpffs=$(awk '$2 == "/sys/fs/bpf" { print $3 }' /proc/mounts)
if [[ $bpffs == bpf ]]; then
	ok "/sys/fs/bpf is a mounted bpffs"
else
	not_ok "/sys/fs/bpf is a mounted bpffs (mounted: '${bpffs:-nothing}')"
fi

# 7: debugfs (the engine's counters live there) and bpftool.
if ! awk '$2 == "/sys/kernel/debug" && $3 == "debugfs" { f = 1 } END { exit !f }' /proc/mounts; then
	echo "# debugfs was not mounted at boot; mounting it"
	mount -t debugfs debugfs /sys/kernel/debug 2>&1 | diag
fi
dbg=$(awk '$2 == "/sys/kernel/debug" { print $3 }' /proc/mounts)
progs=$(bpftool prog show 2>&1)
rc=$?
if [[ $dbg == debugfs ]] && ((rc == 0)); then
	ok "debugfs is at /sys/kernel/debug, bpftool prog runs ($(grep -c '^[0-9]*:' <<<"$progs") programs loaded)"
	bpftool version 2>&1 | head -2 | diag
else
	not_ok "debugfs at /sys/kernel/debug (got '${dbg:-nothing}') and bpftool prog (rc=$rc)"
	echo "$progs" | diag
fi

# 8: sandboxing as the daemon's unit will use it: the service really gets
# its own network and UTS namespaces and a seccomp filter (systemd skips
# each silently when the kernel lacks it), a read-only /usr and its own
# /tmp.
out=$(systemd-run --quiet --wait --pipe -p PrivateNetwork=yes -p ProtectHostname=yes \
	-p SystemCallFilter=@system-service -p ProtectSystem=strict -p PrivateTmp=yes \
	sh -c 'readlink /proc/self/ns/net /proc/self/ns/uts; grep ^Seccomp: /proc/self/status;
	       touch /usr/vpmu-e2e 2>/dev/null && echo usr-writable;
	       touch /tmp/vpmu-e2e-private && echo tmp-ok' 2>&1)
rc=$?
mine=$(readlink /proc/self/ns/net /proc/self/ns/uts)
svc=$(grep -E '^(net|uts):' <<<"$out")
if ((rc == 0)) && [[ -n $svc && $svc != "$mine" ]] && grep -q $'^Seccomp:\t2' <<<"$out" &&
   ! grep -q usr-writable <<<"$out" && grep -q tmp-ok <<<"$out" && [[ ! -e /tmp/vpmu-e2e-private ]]; then
	ok "a sandboxed service gets its own net and UTS namespaces, a seccomp filter, read-only /usr, private /tmp"
else
	not_ok "a sandboxed service gets its namespaces, seccomp filter, read-only /usr, private /tmp (rc=$rc)"
	echo "$out" | diag
	echo "outside: $mine" | diag
fi

# 9: the kernel is the linux-image package's (make check boots the test
# kernel from the .deb that bindeb-pkg made, as a host would install it):
# its release, and the very build: /proc/version is the banner in the
# package's vmlinuz.
id=/usr/lib/vpmu-e2e/kernel-deb
if [[ -r $id ]]; then
	pkg=$(sed -n 's/^package=//p' $id) ver=$(sed -n 's/^version=//p' $id)
	rel=$(sed -n 's/^release=//p' $id) banner=$(sed -n 's/^banner=//p' $id)
	running=$(cat /proc/version)
	if [[ $(uname -r) == "$rel" && $running == "$banner" ]]; then
		ok "running the kernel of ${pkg}_$ver: uname -r is $rel, /proc/version is its vmlinuz's banner"
	else
		not_ok "running the kernel of ${pkg}_$ver (uname -r: $(uname -r), package: $rel)"
		printf 'running: %s\npackage: %s\n' "$running" "$banner" | diag
	fi
else
	ok "the kernel is a package's # SKIP booted from a kernel directory (run-systemd-vm.sh --kernel DIR), not a .deb"
fi

# 10: that package installs as on a host (dpkg -i: /boot/vmlinuz-RELEASE,
# its config, /lib/modules/RELEASE) and purges without a trace.
deb=$(ls /usr/lib/vpmu-e2e/linux-image-*.deb 2>/dev/null)
if [[ -r $id && -f $deb ]]; then
	out=$(dpkg -i "$deb" 2>&1)
	rc=$?
	installed=$(ls -d /boot/vmlinuz-"$rel" /boot/config-"$rel" /lib/modules/"$rel" 2>/dev/null | wc -l)
	out+=$'\n'$(dpkg -P "$pkg" 2>&1)
	left=$(ls -d /boot/*-"$rel" /lib/modules/"$rel" 2>/dev/null)
	if ((rc == 0 && installed == 3)) && [[ -z $left ]]; then
		ok "dpkg -i ${deb##*/} installs /boot/vmlinuz-$rel, its config and /lib/modules/$rel; dpkg -P removes them"
	else
		not_ok "dpkg -i ${deb##*/} and dpkg -P (rc=$rc, $installed of 3 installed, left: ${left:-nothing})"
		echo "$out" | diag
	fi
else
	ok "the package installs with dpkg # SKIP booted from a kernel directory, not a .deb"
fi

exit $((failed > 0))
