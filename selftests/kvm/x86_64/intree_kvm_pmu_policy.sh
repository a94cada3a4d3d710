#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# intree_kvm_pmu_policy: the series' own KVM selftest,
# tools/testing/selftests/kvm/x86/pmu_policy_test.c, built from the
# patched tree by scripts/build-intree-tests.sh.
exec /tests/intree/ksft-wrap.sh /tests/intree/kvm/pmu_policy_test
