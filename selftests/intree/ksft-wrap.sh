#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run one of the series' in-tree kselftests in the test guest:
#   ksft-wrap.sh PROGRAM [ARGS...]
# kselftest programs print TAP and exit 4 (KSFT_SKIP) when they skip: the
# skip is already in their TAP ("1..0 # SKIP" or "ok N # SKIP"), so that
# status is not a failure here.  Any other non-zero status is.
"$@"
rc=$?
[ "$rc" = 4 ] && exit 0
exit "$rc"
