#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make deb: vpmu-policyd_VERSION_amd64.deb and _arm64.deb (and the source
# package) with debhelper, from a copy of the tree in $O/deb (the
# tree itself stays clean), each checked by lintian.  One arch is the
# build machine's; the other is a cross build (dpkg-buildpackage -a) with
# Debian's cross compiler and the multiarch -dev packages scripts/deps.sh
# --deb installs.  Output in $O/deb: the .debs, .changes, .buildinfo,
# the source package and lintian-ARCH.log.
#
# Usage: scripts/build-deb.sh [ARCH...]     (default: amd64 arm64)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
. "$here/lib.sh"

O=${O:-$top/build}
out=$O/deb
arches=("$@")
((${#arches[@]})) || arches=(amd64 arm64)
native=$(dpkg --print-architecture)
version=$(cd "$top" && dpkg-parsechangelog -SVersion)
src=$out/vpmu-policy-$version

step "building vpmu-policyd $version for ${arches[*]} in $out"
rm -rf "$out"
mkdir -p "$src"
# The tree's files (a git checkout's tracked and new ones), not build
# output.
if git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
	(cd "$top" && git ls-files -z --cached --others --exclude-standard) |
		(cd "$top" && xargs -0 cp --parents -t "$src")
else
	tar -C "$top" --exclude=./.git --exclude="./$(basename "$O")" -cf - . |
		tar -C "$src" -xf -
fi

# The source package goes with the first arch's build, the build
# machine's arch first so that a failure there is not a cross problem.
source_opt=
for a in "${arches[@]}"; do
	[[ $a == "$native" ]] || continue
	arches=("$a" "${arches[@]/$a}")
	break
done
for a in ${arches[*]}; do
	if [[ -z $source_opt ]]; then
		source_opt=-F	# source and binary
	else
		source_opt=-b
	fi
	info "dpkg-buildpackage -a$a $source_opt"
	(cd "$src" && dpkg-buildpackage -a"$a" $source_opt -us -uc) \
		>"$out/build-$a.log" 2>&1 ||
		{ tail -30 "$out/build-$a.log" >&2; die "dpkg-buildpackage for $a failed; see $out/build-$a.log"; }
	changes=$out/vpmu-policy_${version}_$a.changes
	# --fail-on error,warning: a warning must be fixed or overridden
	# (debian/*.lintian-overrides, with the reason).
	if ! lintian --fail-on error,warning --info "$changes" >"$out/lintian-$a.log" 2>&1; then
		cat "$out/lintian-$a.log" >&2
		die "lintian found problems in the $a package ($out/lintian-$a.log)"
	fi
	info "lintian $a: $(grep -c . "$out/lintian-$a.log" || true) lines (see $out/lintian-$a.log)"
done
rm -rf "$src"
ls "$out"/vpmu-policyd_"$version"_*.deb
