#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The series' documentation, as the patched tree has it: every rst file the
# series adds or changes parses without a docutils warning
# (scripts/check-rst.py), every header it adds passes scripts/kernel-doc
# -Wall, and every `.. kernel-doc::` directive names a file that exists.
# Reads the tree that `make kernel` left at the whole series (branch
# "vpmu" of $VPMU_CACHE/src/linux-source-7.3).
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/scripts/lib.sh"
tree=${VPMU_SERIES_TREE:-$VPMU_CACHE/src/linux-source-7.3}
base=refs/tags/pristine
tip=${VPMU_SERIES_TIP:-vpmu}

if ! git -C "$tree" rev-parse -q --verify "$tip" >/dev/null 2>&1; then
	echo "1..0 # SKIP no patched tree at $tree (run make kernel)"
	exit 0
fi
nr=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$top/kernel/series" | wc -l)
have=$(git -C "$tree" rev-list --count "$base..$tip")
if [[ $have != "$nr" ]]; then
	echo "1..0 # SKIP $tree holds $have of the series' $nr patches (run make kernel)"
	exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git -C "$tree" worktree add -q --detach "$tmp/tree" "$tip" 2>/dev/null ||
	{ echo "Bail out! cannot check out $tip of $tree"; exit 1; }
trap 'git -C "$tree" worktree remove --force "$tmp/tree"; rm -rf "$tmp"' EXIT
cd "$tmp/tree" || exit 1
mapfile -t rst < <(git diff --name-only --diff-filter=AM "$base" HEAD -- '*.rst')
mapfile -t hdr < <(git diff --name-only --diff-filter=A "$base" HEAD -- '*.h')
echo "1..$((${#rst[@]} * 2 + ${#hdr[@]}))"
n=0
for f in "${rst[@]}"; do
	n=$((n + 1))
	if out=$(python3 "$top/scripts/check-rst.py" "$f" 2>&1); then
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
