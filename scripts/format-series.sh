#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Write kernel/patches from a development branch of the series: `git
# format-patch` of pristine..BRANCH with a cover letter whose subject and
# text come from kernel/cover-letter.txt (first line: the subject), and
# kernel/series listing the patches.
#
# Usage: scripts/format-series.sh TREE [BRANCH] [VERSION]
#   TREE     a git tree with the "pristine" tag (a worktree of
#            $VPMU_CACHE/src/linux-source-7.3, see kernel/README.md)
#   BRANCH   default: HEAD of TREE
#   VERSION  the re-post number for the subject prefix, default 2
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
. "$here/lib.sh"

tree=${1:?usage: format-series.sh TREE [BRANCH] [VERSION]}
branch=${2:-HEAD}
version=${3:-2}
cover=$top/kernel/cover-letter.txt
out=$top/kernel/patches

[[ -f $cover ]] || die "no $cover"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git -C "$tree" format-patch -q --cover-letter --subject-prefix="RFC PATCH v$version" \
	--base=refs/tags/pristine -o "$tmp" "refs/tags/pristine..$branch"

# Subject and blurb from the cover text; everything after the blurb
# (shortlog, diffstat, base) stays as format-patch wrote it.
python3 - "$tmp/0000-cover-letter.patch" "$cover" <<'PY'
import sys
path, cover = sys.argv[1], sys.argv[2]
subject, _, blurb = open(cover).read().partition("\n")
text = open(path).read()
text = text.replace("*** SUBJECT HERE ***", subject.strip(), 1)
text = text.replace("*** BLURB HERE ***", blurb.strip("\n"), 1)
open(path, "w").write(text)
PY

rm -f "$out"/*.patch
cp "$tmp"/*.patch "$out"/
(cd "$out" && ls -1 0*.patch | grep -v '^0000-' | sed 's|^|patches/|') >"$top/kernel/series"
info "wrote $(ls "$out" | wc -l) files to kernel/patches"
