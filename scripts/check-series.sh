#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Check that every patch of kernel/series builds: for each N, build both
# test kernels (x86 KVM as modules with KVM_WERROR=y, arm64) with only
# the first N patches applied, and run checkpatch --strict on patch N.
# Builds are incremental and cached like `make kernel`, but a full run
# still takes a while on 2 cores.
#
# Usage: scripts/check-series.sh [FIRST [LAST]]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
. "$here/lib.sh"

mapfile -t series < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$top/kernel/series")
first=${1:-1} last=${2:-${#series[@]}}
tree=$("$here/linux-source.sh")
failed=0

for ((n = first; n <= last; n++)); do
	patch=${series[n - 1]}
	step "patch $n/${#series[@]}: $(basename "$patch")"
	# From outside any git work tree: inside one, checkpatch reports a
	# modified patch file's own diff context as trailing whitespace.
	if ! (cd / && "$tree/scripts/checkpatch.pl" --strict --no-tree -q \
		"$top/kernel/$patch") >/tmp/checkpatch.$$ 2>&1; then
		grep -E '^(ERROR|WARNING|CHECK)' /tmp/checkpatch.$$ | sed 's/^/    checkpatch: /' >&2
	fi
	for arch in x86_64 arm64; do
		if VPMU_SERIES_LIMIT=$n "$here/build-kernel.sh" "$arch" >/dev/null; then
			info "patch $n builds on $arch"
		else
			info "patch $n does NOT build on $arch"
			failed=1
		fi
	done
done
rm -f /tmp/checkpatch.$$
exit $failed
