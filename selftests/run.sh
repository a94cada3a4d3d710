#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run every vpmu-policy test and print one closing line:
#   N passed, N failed, N skipped
# Exit status is non-zero if anything failed.
#
# Usage: selftests/run.sh [--only "NAME ..."] [--verbose] [--stress]
#
# Test kinds, in order:
#   unit      selftests/unit/test_*      host programs printing TAP (scripts,
#                                        and C built into build/selftests/x86_64/unit)
#   vm        selftests/vm/suites/*.suite  a QEMU boot each, tests in the guest
#   systemd   selftests/systemd/e2e_*.sh  a Debian guest with systemd as init
#   harness   selftests/harness/test_*   host scripts that drive the harness
# --only runs just the named tests: unit/harness file names without
# "test_", in-guest test names (alone, or as SUITE/NAME when two suites
# have one of that name), or whole suites, e.g.
#   --only "pmu_filter splat_detect x86_64/pmu_counts arm64-nested".
# --stress runs the stress suites instead, vm/suites/*.stress (make
# stress), and nothing else: a suite named *.stress is never part of a
# plain run (make check).
# Expects `make kernel selftests` to have run (make check does it).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
O=${O:-$top/build}
export O

only= verbose= stress=
while (($#)); do
	case $1 in
	--only) only=" $2 "; shift 2 ;;
	--verbose) verbose=--verbose; shift ;;
	--stress) stress=1; shift ;;
	*) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done

logs=$O/logs
mkdir -p "$logs"
total_pass=0 total_fail=0 total_skip=0
failures=()

selected() { [[ -z $only || $only == *" $1 "* ]]; }

add_counts()
{
	local what=$1 p f s
	read -r p f s <<<"$2"
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	total_skip=$((total_skip + s))
	((f)) && failures+=("$what")
	printf '    %s: %d passed, %d failed, %d skipped\n' "$what" "$p" "$f" "$s"
}

# A host program that prints TAP: echo its checks, count them.
run_host_tap()
{
	local name=$1 prog=$2 log=$logs/${1//\//-}.log rc counts
	shift 2
	printf '==> %s\n' "$name"
	"$prog" "$@" >"$log" 2>&1
	rc=$?
	grep -aE '^(not ok|Bail out!)|^#' "$log" | sed 's/^/    /'
	counts=$(awk -f "$here/tap-count.awk" "$log")
	if ((rc != 0)) && [[ $(cut -d' ' -f2 <<<"$counts") == 0 ]]; then
		counts=$(awk '{ print $1, $2 + 1, $3 }' <<<"$counts")
		echo "    $name exited with status $rc (log: $log)"
	fi
	add_counts "$name" "$counts"
}

run_suite()
{
	local suite=$1 name ARCH APPEND MODULES TESTS TIMEOUT tests=() t kdir
	local initrd summary rc counts bpftool
	name=$(basename "$suite"); name=${name%.*}
	# shellcheck disable=SC1090
	. "$suite"
	for t in $TESTS; do
		if selected "$t" || selected "$name/$t" || selected "$name"; then
			tests+=("$t")
		fi
	done
	((${#tests[@]})) || return 0
	kdir=$O/kernel-$ARCH
	printf '==> vm suite %s: booting the %s kernel (%s)\n' "$name" "$ARCH" "${tests[*]}"
	initrd=$O/initramfs-$name.cpio
	# bpftool for the guest's arch, with its shared libraries.
	if [[ $ARCH == x86_64 ]]; then
		bpftool=/usr/sbin/bpftool
	else
		bpftool=${VPMU_CACHE:-/var/cache/vpmu-policy}/bpftool-$ARCH/sbin/bpftool
	fi
	# The daemon and vpmuctl, as installed.
	adds=(--add "$bpftool:/usr/sbin/bpftool")
	for p in vpmu-policyd vpmuctl; do
		[[ -x $O/daemon/$ARCH/$p ]] && adds+=(--add "$O/daemon/$ARCH/$p:/usr/sbin/$p")
	done
	if ! "$here/vm/mkinitramfs.sh" --arch "$ARCH" --kernel "$kdir" \
		--tests "$O/selftests/$ARCH/tests" --modules "$MODULES" \
		"${adds[@]}" --out "$initrd"; then
		add_counts "vm/$name" "0 1 0"
		return
	fi
	summary=$logs/vm-$name.summary
	rm -f "$summary"
	"$here/vm/run-vm.sh" --arch "$ARCH" --kernel "$kdir" --initramfs "$initrd" \
		--tests "${tests[*]}" --append "$APPEND" --timeout "$TIMEOUT" \
		--log "$logs/vm-$name.console" --summary "$summary" $verbose |
		sed 's/^/    /'
	rc=${PIPESTATUS[0]}
	counts=$(cat "$summary" 2>/dev/null || echo "0 1 0")
	if ((rc != 0)) && [[ $(cut -d' ' -f2 <<<"$counts") == 0 ]]; then
		counts=$(awk '{ print $1, $2 + 1, $3 }' <<<"$counts")
	fi
	add_counts "vm/$name" "$counts"
}

finish()
{
	echo
	if ((${#failures[@]})); then
		echo "failed: ${failures[*]} (logs in $logs)"
	fi
	echo "$total_pass passed, $total_fail failed, $total_skip skipped"
	((total_fail == 0))
}

if [[ -n $stress ]]; then
	for s in "$here"/vm/suites/*.stress; do
		run_suite "$s"
	done
	finish
	exit
fi

for t in "$here"/unit/test_*; do
	[[ -x $t ]] || continue
	n=$(basename "$t"); n=${n#test_}; n=${n%.*}
	selected "$n" && run_host_tap "unit/$n" "$t"
done
# Host unit tests written in C, built with the x86_64 test programs.
for t in "$O"/selftests/x86_64/unit/test_*; do
	[[ -x $t ]] || continue
	n=$(basename "$t"); n=${n#test_}
	selected "$n" && run_host_tap "unit/$n" "$t"
done
# The daemon's host tests: plain, then with ASan+UBSan; then a short
# libFuzzer run of each fuzz target.
# A full run without them is a broken build, not a pass.
if [[ -z $only ]] && ! compgen -G "$O/daemon/x86_64/tests/test_*" >/dev/null; then
	echo "==> daemon"
	echo "    no daemon host tests in $O/daemon/x86_64/tests: not built"
	add_counts daemon "0 1 0"
fi
for t in "$O"/daemon/x86_64/tests/test_* "$O"/daemon/x86_64/tests-asan/test_*; do
	[[ -x $t ]] || continue
	n=$(basename "$t"); n=${n#test_}
	[[ $t == */tests-asan/* ]] && v=daemon-asan || v=daemon
	selected "$n" || selected "$v" || selected "$v/$n" && run_host_tap "$v/$n" "$t"
done
for t in "$O"/daemon/x86_64/fuzz/fuzz_*; do
	[[ -x $t ]] || continue
	n=$(basename "$t")
	selected "$n" || selected fuzz &&
		run_host_tap "fuzz/$n" "$here/daemon/fuzz-short.sh" "$t"
done
for s in "$here"/vm/suites/*.suite; do
	run_suite "$s"
done
# systemd end to end: a Debian arm64 root with systemd as PID 1 (built and
# cached by scripts/build-rootfs.sh), our kernel, `make install` output.
run_systemd()
{
	local t=$1 name rootfs summary rc counts kdeb prep extra=()
	name=$(basename "$t" .sh)
	printf '==> systemd %s\n' "$name"
	if ! rootfs=$("$top/scripts/build-rootfs.sh"); then
		add_counts "systemd/$name" "0 1 0"
		return
	fi
	# NAME.prepare builds what the test needs beyond the rootfs and
	# prints more run-systemd-vm.sh arguments (the later ones win).
	if [[ -x ${t%.sh}.prepare ]]; then
		if ! prep=$("${t%.sh}.prepare"); then
			echo "    ${t%.sh}.prepare failed"
			add_counts "systemd/$name" "0 1 0"
			return
		fi
		mapfile -t extra <<<"$prep"
	fi
	summary=$logs/systemd-$name.summary
	rm -f "$summary"
	# The test kernel as a host installs it: its linux-image .deb
	# (build-kernel.sh builds it with bindeb-pkg).
	kdeb=$(ls "$O"/kernel-arm64/deb/linux-image-*_arm64.deb 2>/dev/null)
	if [[ $(wc -w <<<"$kdeb") != 1 ]]; then
		echo "    not one linux-image .deb in $O/kernel-arm64/deb: '$kdeb'"
		add_counts "systemd/$name" "0 1 0"
		return
	fi
	"$here/systemd/run-systemd-vm.sh" --kernel "$kdeb" --rootfs "$rootfs" \
		--test "$t" --add "$O/install-arm64:/" --timeout 600 "${extra[@]}" \
		--log "$logs/systemd-$name.console" --summary "$summary" 2>&1 |
		grep -E '^(not ok|ok|#|### run-systemd-vm)' | grep -v '^ok' | sed 's/^/    /'
	rc=${PIPESTATUS[0]}
	counts=$(cat "$summary" 2>/dev/null || echo "0 1 0")
	if ((rc != 0)) && [[ $(cut -d' ' -f2 <<<"$counts") == 0 ]]; then
		counts=$(awk '{ print $1, $2 + 1, $3 }' <<<"$counts")
	fi
	add_counts "systemd/$name" "$counts"
}
for t in "$here"/systemd/e2e_*.sh; do
	n=$(basename "$t" .sh)
	selected "$n" || selected systemd && run_systemd "$t"
done
for t in "$here"/harness/test_*; do
	[[ -x $t ]] || continue
	n=$(basename "$t"); n=${n#test_}; n=${n%.*}
	selected "$n" && run_host_tap "harness/$n" "$t"
done
finish
