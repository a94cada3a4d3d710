#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A libFuzzer run of one fuzz target, as TAP: one check, "no crash, leak
# or sanitizer report".  make check runs each target for FUZZ_SECONDS (20
# by default); make fuzz-long sets FUZZ_RUNS (10^6) to run a number of
# inputs instead, however long that takes.  Either starts from an empty
# corpus.
fuzzer=$1
secs=${FUZZ_SECONDS:-20}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
if [[ -n ${FUZZ_RUNS:-} ]]; then
	limit=-runs=$FUZZ_RUNS
else
	limit=-max_total_time=$secs
fi
echo "1..1"
start=$(date +%s)
if "$fuzzer" "$limit" -rss_limit_mb=1024 -print_final_stats=1 \
	"$dir" >"$dir/log" 2>&1; then
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$dir/log")
	echo "ok 1 - $(basename "$fuzzer"): $runs inputs in $(($(date +%s) - start))s ($rate/s), no crash or sanitizer report"
else
	echo "not ok 1 - $(basename "$fuzzer") found a problem"
	grep -E 'ERROR|SUMMARY|==[0-9]+==' "$dir/log" | head -20 | sed 's/^/# /'
	exit 1
fi
