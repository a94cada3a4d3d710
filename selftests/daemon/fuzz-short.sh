#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A short libFuzzer run of one fuzz target for make check, as TAP: one
# check, "no crash, leak or sanitizer report in N seconds".  Long runs
# (see selftests/daemon/README.md) use the same binary with a corpus.
fuzzer=$1
secs=${FUZZ_SECONDS:-20}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
echo "1..1"
if "$fuzzer" -max_total_time="$secs" -rss_limit_mb=1024 -print_final_stats=1 \
	"$dir" >"$dir/log" 2>&1; then
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log")
	echo "ok 1 - $(basename "$fuzzer"): $runs inputs in ${secs}s, no crash or sanitizer report"
else
	echo "not ok 1 - $(basename "$fuzzer") found a problem"
	grep -E 'ERROR|SUMMARY|==[0-9]+==' "$dir/log" | head -20 | sed 's/^/# /'
	exit 1
fi
