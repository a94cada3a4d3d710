#!/bin/sh
# In-guest half of the splat-detector test: trigger a harmless WARN()
# through LKDTM (stock kernel code) and report success, so that only the
# host's console scan can turn the run into a failure.
echo "1..1"
if [ -w /sys/kernel/debug/provoke-crash/DIRECT ]; then
	echo WARNING >/sys/kernel/debug/provoke-crash/DIRECT
	echo "ok 1 - provoked a WARN through LKDTM"
else
	echo "not ok 1 - no LKDTM at /sys/kernel/debug/provoke-crash"
fi
exit 0
