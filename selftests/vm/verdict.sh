# SPDX-License-Identifier: GPL-2.0
#
# Judging a guest run, shared by run-vm.sh and the systemd harness
# (sourced).  A run passes only if QEMU ended with the guest's own "pass"
# (exit status 1: semihosting or isa-debug-exit code 0), the console shows
# no kernel splat, and every framing marker the caller requires is there;
# TAP counts come from the framed console output.

verdict_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# verdict_judge LOG STATUS TIMEOUT: sets passed failed skipped verdict reason.
verdict_judge()
{
	local log=$1 status=$2 timeout=$3 splats
	read -r passed failed skipped < <(awk -v framed=1 \
		-f "$verdict_dir/../tap-count.awk" "$log")
	verdict=pass
	reason=
	if ! splats=$("$verdict_dir/splat-scan.sh" "$log"); then
		verdict=fail
		reason+="kernel splat on the console:"$'\n'"$splats"$'\n'
	fi
	case $status in
	1) ;;
	3) verdict=fail; reason+="guest reported failure"$'\n' ;;
	124|137) verdict=fail; reason+="timed out after ${timeout}s"$'\n' ;;
	*) verdict=fail; reason+="QEMU exited with status $status and no verdict (guest crashed, panicked or never powered off)"$'\n' ;;
	esac
}

# verdict_has LOG MARKER: whether the console shows a line starting so.
verdict_has()
{
	grep -aq "^$2" <(tr -d '\r' <"$1")
}

# verdict_fail REASON
verdict_fail()
{
	verdict=fail
	reason+="$1"$'\n'
}

# verdict_report PREFIX WHAT ELAPSED LOG SUMMARY: print, write the summary
# ("passed failed skipped") and exit with the verdict.
verdict_report()
{
	# A broken run must fail even if no single TAP check did.
	if [[ $verdict == fail ]] && ((failed == 0)); then
		failed=1
	fi
	[[ -n $5 ]] && echo "$passed $failed $skipped" >"$5"
	echo "### $1: $2 $3s: $passed passed, $failed failed, $skipped skipped; verdict $verdict (console log: $4)"
	if [[ $verdict == fail ]]; then
		printf '%s' "$reason" | sed "s/^/### $1: /"
		exit 1
	fi
	exit 0
}
