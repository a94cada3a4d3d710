#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Unit test of selftests/tap-count.awk, which every result of `make check`
# goes through: crashes and short runs must count as failures.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
awkf=$here/../tap-count.awk
n=0 failed=0

# expect "P F S" framed DESCRIPTION INPUT
expect()
{
	local want=$1 framed=$2 desc=$3 got
	got=$(printf '%s\n' "$4" | awk -v framed="$framed" -f "$awkf" 2>/dev/null)
	n=$((n + 1))
	if [[ $got == "$want" ]]; then
		echo "ok $n - $desc"
	else
		echo "not ok $n - $desc: expected '$want', got '$got'"
		failed=1
	fi
}

echo "TAP version 13"
echo "1..9"
expect "2 1 1" 0 "plain TAP: pass, fail and skip" \
'1..4
ok 1 - a
not ok 2 - b
ok 3 - c # SKIP no PMU
ok 4 - d'
expect "0 0 1" 0 "a whole-binary skip counts once" '1..0 # SKIP no hardware PMU'
expect "1 1 0" 0 "a short run is a failure" \
'1..3
ok 1 - a'
expect "1 1 0" 0 "bail out is a failure" \
'1..3
ok 1 - a
Bail out! setup failed'
expect "1 0 0" 1 "framed: one passing test" \
'### vpmu-test-begin t1
1..1
ok 1 - a
### vpmu-test-end t1 rc=0'
expect "1 1 0" 1 "framed: non-zero exit with passing checks fails" \
'### vpmu-test-begin t1
1..1
ok 1 - a
### vpmu-test-end t1 rc=139'
expect "1 1 0" 1 "framed: a test that never ends fails" \
'### vpmu-test-begin t1
1..2
ok 1 - a'
expect "1 0 0" 1 "framed: lines outside tests are ignored" \
'ok 99 - kernel noise
### vpmu-test-begin t1
1..1
ok 1 - a
### vpmu-test-end t1 rc=0
not ok 5 - noise after'
expect "1 0 0" 1 "framed: CRLF from the serial console" \
$'### vpmu-test-begin t1\r\n1..1\r\nok 1 - a\r\n### vpmu-test-end t1 rc=0\r'
exit $failed
