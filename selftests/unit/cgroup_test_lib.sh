# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Sourced by the host tests that run vpmuctl on cgroups of their own
# (test_vpmuctl_match.sh, test_kubevirt.sh).  cgroup_test_setup NAME, as
# root, sets $tmp, a 0755 directory under /run for tenant files and
# configurations (not /tmp: it is world-writable, which the daemon's
# root-only checks refuse), and $cg, a cgroup made for the test under
# the first cgroup2 mount ($cg2; one is mounted if there is none); both
# go at exit.  What cannot be had skips the whole test with the reason.
# check/has print TAP from $out, $err and $rc; cgroup_test_done checks
# the count against $plan and exits with the verdict.

skip_all()
{
	echo "1..0 # SKIP $1"
	exit 0
}

cgroup_test_cleanup()
{
	[[ -n ${cg-} && -d $cg ]] && find "$cg" -depth -type d -exec rmdir {} +
	[[ -n ${mnt-} ]] && umount "$mnt"
	rm -rf "$tmp"
}

cgroup_test_setup()	# cgroup_test_setup NAME
{
	[[ $(id -u) == 0 ]] || skip_all "needs root (cgroups, trusted.* xattrs)"
	umask 022
	tmp=$(mktemp -d "/run/$1-XXXXXX") || skip_all "mktemp in /run failed"
	chmod 755 "$tmp"
	mnt=
	trap cgroup_test_cleanup EXIT
	cg2=$(findmnt -n -t cgroup2 -o TARGET | head -n 1)
	if [[ -z $cg2 ]]; then
		mkdir "$tmp/cg2"
		mount -t cgroup2 none "$tmp/cg2" ||
			skip_all "no cgroup2 hierarchy, and mount -t cgroup2 failed"
		mnt=$tmp/cg2 cg2=$mnt
	fi
	cg=$cg2/$1-$$
	mkdir "$cg" || skip_all "cannot make a cgroup in $cg2"
}

n=0 failed=0
check()	# check WHAT CONDITION...
{
	local what=$1
	shift
	n=$((n + 1))
	if "$@"; then
		echo "ok $n - $what"
	else
		echo "not ok $n - $what (exit ${rc-})"
		sed 's/^/# out: /' <<<"${out-}"
		sed 's/^/# err: /' <<<"${err-}"
		failed=1
	fi
}

has()	# has TEXT FIXED-STRING
{
	grep -qF -- "$2" <<<"$1"
}

cgroup_test_done()	# the tests set $plan
{
	# shellcheck disable=SC2154
	((n == plan)) || { echo "# ran $n checks, planned $plan"; failed=1; }
	exit $failed
}
