# SPDX-License-Identifier: GPL-2.0
#
# Count TAP results: prints "passed failed skipped".
#
# Two input forms: a plain TAP stream (a host test), or a console log in
# which each test's output is framed by "### vpmu-test-begin NAME" and
# "### vpmu-test-end NAME rc=N" (set framed=1).  A test that exits non-zero
# without a failing check, or never reaches its end marker, counts as one
# failure, so a crash can never look like a pass.
{ sub(/\r$/, "") }
framed && /^### vpmu-test-begin / { name = $3; inside = 1; bad = 0; planned = -1; seen = 0; next }
framed && /^### vpmu-test-end / {
	rc = $4; sub(/^rc=/, "", rc)
	if (planned >= 0 && seen != planned && !bad) {
		failed++; bad = 1
		print "test " name ": planned " planned " checks, ran " seen > "/dev/stderr"
	}
	if (rc != 0 && !bad) {
		failed++
		print "test " name " exited rc=" rc > "/dev/stderr"
	}
	inside = 0; next
}
framed && !inside { next }
/^1\.\.0 # SKIP/ { skipped++; seen = planned = 0; next }
/^1\.\.[0-9]+/ { planned = substr($1, 4) + 0; next }
/^ok [0-9]+.*# SKIP/ { skipped++; seen++; next }
/^ok [0-9]+/ { passed++; seen++; next }
/^not ok [0-9]+/ { failed++; seen++; bad = 1; next }
/^Bail out!/ { if (!bad) failed++; bad = 1; next }
END {
	if (framed && inside) {
		failed++
		print "test " name " never finished" > "/dev/stderr"
	}
	if (!framed && planned >= 0 && seen != planned && !bad) {
		failed++
		print "planned " planned " checks, ran " seen > "/dev/stderr"
	}
	printf "%d %d %d\n", passed, failed, skipped
}
