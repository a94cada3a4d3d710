#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vpmuctl match --cgroup PATH on a real cgroup2 hierarchy, as root: the
# tenant a VM there would get, and the inputs used and ignored (below a
# trusted.delegate boundary, user.* xattrs no clause opts in to, a unit
# that is not right below the slices), --json, and its errors.  The
# configuration and tenants.d are under /run (root's: /tmp is
# world-writable, and tenant files must pass the root-only checks).
#
# The checks are strings check() evals, in single quotes on purpose.
# shellcheck disable=SC2016,SC2317
top=$(cd "$(dirname "$0")/../.." && pwd)
O=${O:-$top/build}
ctl=$O/daemon/x86_64/vpmuctl
plan=20
# shellcheck source=selftests/unit/cgroup_test_lib.sh
. "$top/selftests/unit/cgroup_test_lib.sh"
[[ -x $ctl ]] || skip_all "$ctl not built"
# The daemon's cgroup root for this test: cgroups below it are made by
# root, and the leading ".slice" components are right below it.
cgroup_test_setup vpmu-match

setx()	# setx PATH NAME VALUE
{
	python3 -c 'import os, sys; os.setxattr(sys.argv[1], sys.argv[2], sys.argv[3].encode())' "$@"
}
deleg=/acme.slice/user@1000.service
vm=$deleg/batch-1.service/vm
mkdir -p "$cg/acme.slice/vm-1.scope" "$cg$vm" "$cg/tie.slice/vm-2.scope" \
	"$tmp/tenants.d" "$tmp/state" "$tmp/machines"
if ! setx "$cg$deleg" trusted.delegate 1 ||
	! setx "$cg$deleg/batch-1.service" user.vpmu.tenant globex ||
	! setx "$cg$deleg/batch-1.service" user.team blue; then
	skip_all "cannot set xattrs on cgroups in $cg2"
fi
printf '{ "target": "x86-intel", "cgroup_root": "%s", "tenants_dir": "%s/tenants.d", "state_dir": "%s/state", "machines_dir": "%s/machines", "pin_dir": "%s/bpf/vpmu" }\n' \
	"$cg" "$tmp" "$tmp" "$tmp" "$tmp" >"$tmp/conf.json"
tenant()	# tenant NAME JSON
{
	printf '%s\n' "$2" >"$tmp/tenants.d/$1.json"
}
tenant acme '{ "match": [{ "slice": "acme.slice" }] }'
tenant globex '{ "match": [{ "xattr": { "user.vpmu.tenant": "globex" }, "untrusted_xattrs": true }] }'
tenant batch '{ "match": [{ "unit": "batch-*.service" }] }'
tenant tie-a '{ "match": [{ "slice": "tie.slice" }] }'
tenant tie-b '{ "match": [{ "slice": "tie.slice" }] }'
# Group-writable: not the daemon's, so not vpmuctl's either.
tenant evil '{ "priority": 100, "match": [{ "slice": "acme.slice" }] }'
chmod 664 "$tmp/tenants.d/evil.json"

echo "1..$plan"
run()	# run ARGS...: $out, $err and $rc of vpmuctl --config CONF ARGS...
{
	out=$("$ctl" --config "$tmp/conf.json" "$@" 2>"$tmp/err")
	rc=$?
	err=$(cat "$tmp/err")
}

run match --cgroup /acme.slice/vm-1.scope
check "a slice: its tenant, the score, what was used" \
	eval '[[ $rc == 0 ]] && has "$out" "tenant:  acme" &&
	has "$out" "score:   priority 0, 1 condition, depth 1" &&
	has "$out" "used:    unit \"vm-1.scope\" (depth 2)" && ! has "$out" "tie:"'
check "a tenant file others may write is not used, and says why" \
	eval 'has "$err" "evil.json: not used:" &&
	has "$err" "writable by group or others (mode 0664)"'

run match --cgroup "$vm"
check "below trusted.delegate: still the slice's tenant" \
	eval '[[ $rc == 0 ]] && has "$out" "tenant:  acme" &&
	has "$out" "used:    unit \"user@1000.service\" (depth 2)"'
check "the boundary, with why" \
	eval 'has "$out" "ignored: names below \"$deleg\" (depth 2), and its user.* xattrs: below the delegation boundary (delegated"'
check "a delegate's user.* xattr naming another tenant: ignored, with why" \
	eval 'has "$out" "ignored: xattr user.vpmu.tenant=\"globex\" on \"$deleg/batch-1.service\": at or below the delegation boundary"'
check "a delegate's batch-1.service: no unit, with why" \
	eval 'has "$out" "ignored: unit \"batch-1.service\" (depth 3): below the delegation boundary" &&
	! has "$out" "tenant:  batch"'
check "a user.* xattr no clause opts in to: ignored as untrusted" \
	eval 'has "$out" "ignored: xattr user.team=\"blue\" on \"$deleg/batch-1.service\": untrusted namespace"'

run match --cgroup "$cg$vm" --json
check "an absolute path into the cgroup root; --json is one JSON object" \
	eval '[[ $rc == 0 ]] && python3 -c "
import json, sys
o = json.load(sys.stdin)
assert o[\"cgroup\"] == sys.argv[1], o
assert o[\"tenant\"] == \"acme\" and o[\"tie\"] == [], o
assert o[\"score\"] == {\"priority\": 0, \"conditions\": 1, \"depth\": 1}, o
assert o[\"trusted_xattrs_readable\"] is True, o
assert any(\"batch-1.service\" in s and \"delegation boundary\" in s for s in o[\"ignored\"]), o
assert any(\"user@1000.service\" in s for s in o[\"used\"]), o
" "$vm" <<<"$out"'

run --json match --cgroup /tie.slice/vm-2.scope
check "a tie: the first by name, the other named (--json before the command)" \
	eval '[[ $rc == 0 ]] && python3 -c "
import json, sys
o = json.load(sys.stdin)
assert o[\"tenant\"] == \"tie-a\" and o[\"tie\"] == [\"tie-b\"], o
" <<<"$out"'

run match --cgroup /
check "no tenant: (host default), and what that is" \
	eval '[[ $rc == 0 ]] && has "$out" "tenant:  (host default)" &&
	has "$out" "default: deny (\"default_action\")"'

run match --cgroup $'/acme.slice/no-such\e[2J.scope'
check "an unknown cgroup: exit 1, named, escaped" \
	eval '[[ $rc == 1 ]] && has "$err" "no cgroup \"/acme.slice/no-such\\x1b[2J.scope\" in $cg" &&
	[[ -z $out ]]'

# A cgroup name with a terminal escape, DEL, a byte that is no UTF-8 and
# a C1 control: --json is valid UTF-8 JSON with them as \uXXXX.
odd=$'/acme.slice/vm\e[2J\x7f\xff\xc2\x85.scope'
mkdir "$cg$odd"
run --json match --cgroup "$odd"
check "--json: control characters and bytes that are no UTF-8 escaped" \
	eval '[[ $rc == 0 ]] && python3 -c "
import json, sys
raw = sys.stdin.buffer.read()
assert not any(b in raw for b in (b\"\x1b\", b\"\x7f\", b\"\xff\", b\"\xc2\x85\")), raw
o = json.loads(raw.decode(\"utf-8\"))
assert o[\"cgroup\"] == \"/acme.slice/vm\x1b[2J\x7f\xff\x85.scope\", o
" <<<"$out"'

run match
check "no --cgroup: usage, exit 2" eval '[[ $rc == 2 ]] && has "$err" "usage: vpmuctl match"'
run match --cgroup /acme.slice/../tie.slice
check "\"..\": exit 2" eval '[[ $rc == 2 ]] && has "$err" "not a cgroup path"'
run match --cgroup /acme.slice extra
check "an extra argument: exit 2" eval '[[ $rc == 2 ]]'

# Without CAP_SYS_ADMIN trusted.delegate cannot be read: the boundary
# is not seen, so the answer may differ from the daemon's.
out=$(setpriv --inh-caps=-sys_admin --bounding-set=-sys_admin \
	"$ctl" --config "$tmp/conf.json" match --cgroup "$vm" 2>"$tmp/err")
rc=$? err=$(cat "$tmp/err")
check "without CAP_SYS_ADMIN: a warning on stderr" \
	eval '[[ $rc == 0 ]] && has "$err" "warning: without CAP_SYS_ADMIN, trusted.* xattrs"'
out=$(setpriv --inh-caps=-sys_admin --bounding-set=-sys_admin \
	"$ctl" --config "$tmp/conf.json" --json match --cgroup "$vm" 2>"$tmp/err")
rc=$? err=$(cat "$tmp/err")
check "without CAP_SYS_ADMIN: \"trusted_xattrs_readable\": false" \
	eval '[[ $rc == 0 ]] && has "$out" "\"trusted_xattrs_readable\":false"'

# A broken tenant file falls back to its good copy, if that is root's.
tenant gc '{ "priority": 200, "match": [{ "slice": "acme.slice" }'
mkdir -m 700 "$tmp/state/good"
printf '{ "priority": 200, "match": [{ "slice": "acme.slice" }] }\n' >"$tmp/state/good/gc.json"
chmod 600 "$tmp/state/good/gc.json"
run match --cgroup /acme.slice/vm-1.scope
check "a broken file: its root-only good copy is used" \
	eval '[[ $rc == 0 ]] && has "$out" "tenant:  gc" &&
	has "$err" "gc.json: rejected; the daemon uses its last good version"'
chmod 666 "$tmp/state/good/gc.json"
run match --cgroup /acme.slice/vm-1.scope
check "a good copy others may write: not used, and why" \
	eval '[[ $rc == 0 ]] && has "$out" "tenant:  acme" &&
	has "$err" "good/gc.json: not used: $tmp/state/good/gc.json: writable by group or others (mode 0666)" &&
	has "$err" "gc.json: rejected and no good version known"'
rm "$tmp/tenants.d/gc.json"

# tenants.d not root's: its listing (which removes tenants) is not
# believed; the daemon freezes, and match says so.
chown 1000 "$tmp/tenants.d"
run match --cgroup /acme.slice/vm-1.scope
check "tenants.d owned by uid 1000: exit 1, why, the daemon keeps its tenants" \
	eval '[[ $rc == 1 ]] && [[ -z $out ]] &&
	has "$err" "tenants.d: owned by uid 1000, not root" &&
	has "$err" "the daemon keeps the tenants it had"'
chown 0 "$tmp/tenants.d"

cgroup_test_done
