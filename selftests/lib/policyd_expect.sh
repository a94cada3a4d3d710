# SPDX-License-Identifier: GPL-2.0
# Sourced by selftests/unit/test_policyd_*.sh and test_pin_dir.sh, which
# set $tmp (a root-owned scratch directory) and n=0 failed=0.

expect()	# expect WHAT STATUS PATTERN COMMAND...
{
	local what=$1 want=$2 pattern=$3 out rc
	shift 3
	n=$((n + 1))
	out=$("$@" 2>&1)
	rc=$?
	if [[ $rc == "$want" ]] && grep -qF -- "$pattern" <<<"$out"; then
		echo "ok $n - $what"
	else
		echo "not ok $n - $what (exit $rc)"
		sed 's/^/# /' <<<"$out"
		failed=1
	fi
}

conf()	# conf PIN_DIR: $tmp/conf.json with that pin directory
{
	printf '{ "pin_dir": "%s", "tenants_dir": "%s/t", "state_dir": "%s/s" }\n' \
		"$1" "$tmp" "$tmp" >"$tmp/conf.json"
}
