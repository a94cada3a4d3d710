#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# intree_test_progs: the series' tools/testing/selftests/bpf tests
# (prog_tests/kvm_pmu_policy.c: test_kvm_pmu_policy and
# test_kvm_pmu_policy_fail), run by the tree's own test_progs (built by
# scripts/build-intree-tests.sh), its results printed as TAP: one check per
# subtest, and per test that has none.
cd /tests/intree/bpf || { echo "Bail out! no /tests/intree/bpf"; exit 1; }
./test_progs -t kvm_pmu_policy >/tmp/test_progs.log 2>&1
rc=$?
sed 's/^/# /' /tmp/test_progs.log
awk '
/^#[0-9]+(\/[0-9]+)?[ \t]/ {
	id = substr($1, 2); line = $0
	sub(/^#[^ \t]+[ \t]+/, "", line)
	status = line; sub(/.*:/, "", status)
	name = line; sub(/:[A-Z]+$/, "", name)
	split(id, parts, "/")
	if (parts[2] != "")
		has_sub[parts[1]] = 1
	n++; ids[n] = id; names[n] = name; st[n] = status
}
END {
	for (i = 1; i <= n; i++)
		if (index(ids[i], "/") || !has_sub[ids[i]])
			keep[++k] = i
	if (!k) {
		print "Bail out! test_progs ran no test"
		exit
	}
	printf "1..%d\n", k
	for (j = 1; j <= k; j++) {
		i = keep[j]
		if (st[i] == "OK")
			printf "ok %d %s\n", j, names[i]
		else if (st[i] == "SKIP")
			printf "ok %d %s # SKIP (test_progs skipped it)\n", j, names[i]
		else
			printf "not ok %d %s (%s)\n", j, names[i], st[i]
	}
}' /tmp/test_progs.log
exit "$rc"
