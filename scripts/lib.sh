# SPDX-License-Identifier: GPL-2.0
#
# Shared helpers for the build scripts: logging, the cache location and the
# private apt configuration used to reach suites the machine does not list.

VPMU_CACHE=${VPMU_CACHE:-/var/cache/vpmu-policy}
export VPMU_CACHE

step() { printf '==> %s\n' "$*" >&2; }
info() { printf '    %s\n' "$*" >&2; }
die()  { printf 'error: %s\n' "$*" >&2; exit 1; }

# version_ge A B: Debian version A >= B (an empty A is never >= anything).
version_ge()
{
	[[ -n $1 ]] && dpkg --compare-versions "$1" ge "$2"
}

# A private apt configuration: its own sources list, package lists and
# download cache under $VPMU_CACHE/apt, so adding a suite never touches
# /etc/apt.  Fills PRIVATE_APT_OPTS for apt-get/apt-cache.
PRIVATE_APT_OPTS=()
private_apt_update()
{
	local suite=$1 dir="$VPMU_CACHE/apt/$1"
	local keyring=/usr/share/keyrings/debian-archive-keyring.gpg
	local mirror=${VPMU_DEBIAN_MIRROR:-http://deb.debian.org/debian}

	mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
	cat >"$dir/sources.list" <<-EOF
	deb [signed-by=$keyring] $mirror bookworm main
	deb [signed-by=$keyring] $mirror $suite main
	EOF
	PRIVATE_APT_OPTS=(
		-o "Dir::Etc::SourceList=$dir/sources.list"
		-o "Dir::Etc::SourceParts=/dev/null"
		-o "Dir::State::Lists=$dir/lists"
		-o "Dir::Cache=$dir/cache"
	)
	# Refresh at most once an hour; an offline re-run keeps working.
	if [[ -z $(find "$dir/lists" -maxdepth 1 -name '*Packages*' -mmin -60 2>/dev/null) ]]; then
		info "updating the private package lists for $suite"
		apt-get "${PRIVATE_APT_OPTS[@]}" update -qq >/dev/null ||
			die "apt-get update for $suite failed"
	fi
}

# series_patches: the patch files kernel/series lists, in order, into the
# array PATCHES.
series_patches()
{
	local top line
	top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
	PATCHES=()
	while read -r line; do
		line=${line%%#*}
		line=${line//[[:space:]]/}
		[[ -n $line ]] && PATCHES+=("$top/kernel/$line")
	done <"$top/kernel/series"
}

# apply_series TREE PATCH...: check out the pristine tree with exactly
# these patches applied (a no-op if it already is).  The tree is shared:
# hold $VPMU_CACHE/kernel-build.lock around this and whatever reads it.
apply_series()
{
	local tree=$1 want applied= p
	shift
	want=$(for p in "$@"; do sha256sum <"$p"; done | sha256sum | cut -c1-16)
	[[ -f $tree.applied ]] && applied=$(cat "$tree.applied")
	[[ $want == "$applied" ]] && return
	step "applying kernel/series ($# patches) to $tree"
	rm -f "$tree.applied"
	git -C "$tree" am --abort >/dev/null 2>&1 || true
	git -C "$tree" checkout -q -f -B vpmu refs/tags/pristine
	git -C "$tree" clean -q -f -d
	for p in "$@"; do
		info "$(basename "$p")"
		git -C "$tree" -c user.name=vpmu -c user.email=vpmu@localhost \
			am -q --keep-cr "$p" || die "patch $(basename "$p") does not apply"
	done
	echo "$want" >"$tree.applied"
}
