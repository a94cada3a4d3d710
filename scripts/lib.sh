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
