#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Sourced by the guest's daemon tests (daemon_e2e.sh, daemon_stress.sh),
# not a test itself: TAP checks that show the daemon's log ($LOG) when
# they fail.
#   ok RC TEXT       one TAP line from an exit status
#   check CMD TEXT   run CMD (eval), then ok; on failure its output and
#                    the daemon log's last lines as TAP comments
n=0 failed=0
ok()
{
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=1
	fi
}
check()
{
	eval "$1" >/tmp/check.out 2>&1
	r=$?
	ok $r "$2"
	[ $r = 0 ] && return
	sed 's/^/# /' /tmp/check.out | head -20
	echo "# daemon log (last lines):"
	tail -n 8 $LOG | sed 's/^/#   /'
}
