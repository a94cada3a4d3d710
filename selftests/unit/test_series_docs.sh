#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The series' documentation, as the patched tree has it: every rst file the
# series adds or changes parses without a docutils warning
# (scripts/check-rst.py), every header it adds passes scripts/kernel-doc
# -Wall, and every `.. kernel-doc::` directive names a file that exists.
# Applies kernel/series to a scratch worktree of the pristine tree that
# `make kernel` keeps ($VPMU_CACHE/src/linux-source-7.3, tag "pristine").
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/scripts/lib.sh"
tree=${VPMU_SERIES_TREE:-$VPMU_CACHE/src/linux-source-7.3}
base=refs/tags/pristine

if ! git -C "$tree" rev-parse -q --verify "$base" >/dev/null 2>&1; then
	echo "1..0 # SKIP no pristine tree at $tree (run make kernel)"
	exit 0
fi
tmp=$(mktemp -d)
cleanup() { git -C "$tree" worktree remove --force "$tmp/tree" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
git -C "$tree" worktree add -q --detach "$tmp/tree" "$base" ||
	{ echo "Bail out! cannot check out $base of $tree"; exit 1; }
cd "$tmp/tree" || exit 1
while read -r p; do
	p=${p%%#*}
	[[ -n ${p//[[:space:]]/} ]] || continue
	git -c user.name=vpmu -c user.email=vpmu@localhost am -q --keep-cr "$top/kernel/$p" ||
		{ echo "Bail out! kernel/$p does not apply"; exit 1; }
done <"$top/kernel/series"
mapfile -t rst < <(git diff --name-only --diff-filter=AM "$base" HEAD -- '*.rst')
mapfile -t hdr < <(git diff --name-only --diff-filter=A "$base" HEAD -- '*.h')
echo "1..$((${#rst[@]} * 2 + ${#hdr[@]}))"
n=0
for f in "${rst[@]}"; do
	n=$((n + 1))
	if out=$("$top/scripts/check-rst.py" "$f" 2>&1); then
		echo "ok $n - $f parses without docutils warnings"
	else
		echo "not ok $n - $f parses without docutils warnings"
		sed 's/^/# /' <<<"$out"
	fi
	n=$((n + 1))
	bad=$(sed -n 's/^\.\. kernel-doc:: *//p' "$f" | while read -r p; do
		[[ -f $p ]] || echo "$p"; done)
	if [[ -z $bad ]]; then
		echo "ok $n - $f: every kernel-doc directive names an existing file"
	else
		echo "not ok $n - $f: kernel-doc directives name missing files: $bad"
	fi
done
for f in "${hdr[@]}"; do
	n=$((n + 1))
	if out=$(scripts/kernel-doc -Wall -none "$f" 2>&1) && [[ -z $out ]]; then
		echo "ok $n - $f: kernel-doc -Wall is clean"
	else
		echo "not ok $n - $f: kernel-doc -Wall is clean"
		sed 's/^/# /' <<<"$out"
	fi
done
