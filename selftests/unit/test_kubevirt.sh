#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# examples/kubevirt on this host, as root: the manifests parse and say
# what the daemon needs; their tenant files and main configuration pass
# `vpmuctl check`; a ConfigMap volume as the kubelet lays it out (a 0777
# directory, "..data" -> "..<timestamp>") is refused as tenants.d and
# vpmu-tenants-sync's copy is not; ConfigMap updates (a changed, added
# and removed key) reach the copy; and `vpmuctl match` on a virt-launcher
# pod's cgroups, made under a real cgroup2 mount with the kubelet's
# systemd-driver names, gives the tenant vpmu-label-pod's trusted.* xattr
# names, the default tenant before, a pod-UID slice match for a
# Guaranteed pod, and ignores a user.* xattr on the delegated container
# scope.
#
# The checks are strings check() evals, in single quotes on purpose.
# shellcheck disable=SC2016,SC2317,SC2034
top=$(cd "$(dirname "$0")/../.." && pwd)
O=${O:-$top/build}
ctl=$O/daemon/x86_64/vpmuctl
kv=$top/examples/kubevirt
plan=19
# shellcheck source=selftests/unit/cgroup_test_lib.sh
. "$top/selftests/unit/cgroup_test_lib.sh"
[[ -x $ctl ]] || skip_all "$ctl not built"
python3 -c 'import yaml' 2>/dev/null || skip_all "python3 has no yaml module (Debian: python3-yaml)"
command -v setfattr >/dev/null || skip_all "no setfattr, which vpmu-label-pod uses (Debian: attr)"
# The daemon's cgroup root for this test: the kubelet's slices below it.
cgroup_test_setup vpmu-kubevirt

echo "1..$plan"
run()	# run CMD ARGS...: $out, $err and $rc
{
	out=$("$@" 2>"$tmp/err")
	rc=$?
	err=$(cat "$tmp/err")
}

# The manifests: YAML, and the settings the daemon cannot do without.
run python3 - "$kv" <<'EOF'
import sys, yaml
kv = sys.argv[1]
docs = [d for f in ("vpmu-policyd.yaml", "tenants.yaml")
        for d in yaml.safe_load_all(open(f"{kv}/{f}"))]
kinds = {d["kind"] + "/" + d["metadata"]["name"]: d for d in docs}
ds = kinds["DaemonSet/vpmu-policyd"]["spec"]["template"]["spec"]
assert ds["hostPID"] is True
assert "fsGroup" not in ds.get("securityContext", {}), "fsGroup makes files group-owned/-writable"
c = {x["name"]: x for x in ds["containers"] + ds["initContainers"]}
d = c["vpmu-policyd"]
caps = set(d["securityContext"]["capabilities"]["add"])
assert caps == {"BPF", "PERFMON", "SYS_ADMIN", "DAC_READ_SEARCH"}, caps
m = {x["mountPath"]: x for x in d["volumeMounts"]}
assert m["/etc/vpmu-policyd/tenants.d"]["subPath"] == "tenants.d"
assert m["/etc/vpmu-policyd/vpmu-policyd.json"]["subPath"] == "vpmu-policyd.json"
vols = {v["name"]: v for v in ds["volumes"]}
host = {vols[x["name"]]["hostPath"]["path"]: p for p, x in m.items() if "hostPath" in vols[x["name"]]}
assert host == {"/sys/fs/bpf": "/sys/fs/bpf", "/sys/fs/cgroup": "/host/sys/fs/cgroup",
                "/var/lib/vpmu-policyd": "/var/lib/vpmu-policyd"}, host
for cm in ("tenants-configmap", "config"):
    assert not vols[cm]["configMap"]["defaultMode"] & 0o022, cm
for s in ("tenants-init", "tenants-sync"):
    assert c[s]["command"][1:3] == ["/run/vpmu-configmap", "/run/vpmu-sync/tenants.d"], s
print("ok")
EOF
check "the manifests parse; hostPID, the four capabilities, the mounts, no fsGroup" \
	eval '[[ $rc == 0 && $out == ok ]]'

# A ConfigMap volume as the kubelet's AtomicWriter makes it
# (pkg/volume/util/atomic_writer.go): the directory of a wrapped emptyDir
# (0777), the payload in a 0755 "..<timestamp>" directory, "..data"
# linking to it, and one link per key through "..data".
cmvol()	# cmvol DIR CONFIGMAP-NAME TS [DROP-KEY|- [ADD-KEY FILE]]
{
	KV=$kv python3 - "$@" <<'EOF'
import os, shutil, sys, yaml
a, kv = sys.argv[1:], os.environ["KV"]
vol, name, ts = a[:3]
drop = a[3] if len(a) > 3 and a[3] != "-" else None
add = (a[4], a[5]) if len(a) > 5 else None
data = {}
for f in ("vpmu-policyd.yaml", "tenants.yaml"):
    for d in yaml.safe_load_all(open(f"{kv}/{f}")):
        if d["kind"] == "ConfigMap" and d["metadata"]["name"] == name:
            data = dict(d["data"])
if drop:
    data.pop(drop, None)
if add:
    data[add[0]] = open(add[1]).read()
os.makedirs(vol, exist_ok=True)
os.chmod(vol, 0o777)
new = f"{vol}/..{ts}"
os.mkdir(new)
os.chmod(new, 0o755)
for k, v in data.items():
    with open(f"{new}/{k}", "w") as f:
        f.write(v)
    os.chmod(f"{new}/{k}", 0o444)
old = os.readlink(f"{vol}/..data") if os.path.islink(f"{vol}/..data") else None
os.symlink(f"..{ts}", f"{vol}/..data_tmp")
os.rename(f"{vol}/..data_tmp", f"{vol}/..data")
for k in data:
    if not os.path.islink(f"{vol}/{k}"):
        os.symlink(f"..data/{k}", f"{vol}/{k}")
if old:
    shutil.rmtree(f"{vol}/{old}")
for k in os.listdir(vol):
    if not k.startswith("..") and k not in data:
        os.unlink(f"{vol}/{k}")
EOF
}
cmvol "$tmp/config" vpmu-policyd-config 2026_01_01_00_00_00.1 &&
	cmvol "$tmp/cm" vpmu-tenants 2026_01_01_00_00_00.1
check "ConfigMap volumes made as the kubelet does" eval '[[ -L $tmp/cm/..data && -f $tmp/cm/acme.json ]]'

run "$ctl" check --config "$tmp/config/..data/vpmu-policyd.json"
check "the main configuration passes vpmuctl check --config" eval '[[ $rc == 0 ]]'
ok=0
for t in x86-intel x86-amd arm64; do
	run "$ctl" check --target $t "$tmp"/cm/..data/*.json
	[[ $rc == 0 ]] || ok=1
done
check "the tenant files pass vpmuctl check for x86-intel, x86-amd and arm64" eval '[[ $ok == 0 ]]'

# The daemon's configuration from the ConfigMap, with this test's paths.
conf()	# conf TENANTS-DIR > FILE
{
	python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))
c.update(tenants_dir=sys.argv[2], state_dir=sys.argv[3] + "/state",
         machines_dir=sys.argv[3] + "/no-machined", cgroup_root=sys.argv[4],
         target="x86-intel")
print(json.dumps(c))' "$tmp/config/..data/vpmu-policyd.json" "$1" "$tmp" "$cg"
}
mkdir "$tmp/state"
conf "$tmp/cm" >"$tmp/cm.json"
conf "$tmp/sync/tenants.d" >"$tmp/conf.json"

# A virt-launcher pod's compute container, as the kubelet (systemd cgroup
# driver) and runc (a Delegate=yes scope, which systemd marks with
# trusted.delegate) make it: Burstable, and Guaranteed (no QoS slice).
u1=4d0e2ff5-8f43-4b1e-9a20-2c1e5f3b7a11 u2=0b7c9d41-1e2f-4a3b-8c4d-5e6f7a8b9c0d
id1=$(printf '%064x' 1) id2=$(printf '%064x' 2)
pod1=/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${u1//-/_}.slice
pod2=/kubepods.slice/kubepods-pod${u2//-/_}.slice
vm1=$pod1/cri-containerd-$id1.scope vm2=$pod2/cri-containerd-$id2.scope
mkdir -p "$cg$vm1" "$cg$vm2"
if ! setfattr -n trusted.delegate -v 1 "$cg$vm1" ||
	! setfattr -n trusted.delegate -v 1 "$cg$vm2" ||
	! setfattr -n user.vpmu.tenant -v acme "$cg$vm2"; then
	skip_all "cannot set xattrs on cgroups in $cg2"
fi

run "$ctl" --config "$tmp/cm.json" match --cgroup "$vm1"
check "the ConfigMap volume itself as tenants.d: refused (mode 0777), the daemon would keep what it had" \
	eval '[[ $rc == 1 ]] && has "$err" "$tmp/cm: writable by group or others (mode 0777)" &&
	has "$err" "the daemon keeps the tenants it had"'

run "$kv/vpmu-tenants-sync" "$tmp/cm" "$tmp/sync/tenants.d"
check "vpmu-tenants-sync copies every key" \
	eval '[[ $rc == 0 ]] && has "$out" "acme.json updated" && has "$out" "baseline.json updated" &&
	[[ $(stat -c %a "$tmp/sync/tenants.d") == 755 && $(stat -c %a:%u "$tmp/sync/tenants.d/acme.json") == 644:0 ]]'

run "$ctl" --config "$tmp/conf.json" match --cgroup "$vm1"
check "an unlabelled pod: the default tenant; the container scope is the unit and the delegation boundary" \
	eval '[[ $rc == 0 ]] && has "$out" "tenant:  (host default)" &&
	has "$out" "default: tenant baseline (\"default_tenant\")" &&
	has "$out" "used:    unit \"cri-containerd-$id1.scope\" (depth 4)" &&
	has "$out" "ignored: names below \"$vm1\" (depth 4), and its user.* xattrs: below the delegation boundary"'

run env VPMUCTL=/bin/false "$kv/vpmu-label-pod" "$u1" acme "$cg"
check "vpmu-label-pod: the Burstable pod's slice labelled" \
	eval '[[ $rc == 0 ]] && has "$out" "$pod1: trusted.vpmu.tenant=acme" &&
	[[ $(getfattr --absolute-names --only-values -n trusted.vpmu.tenant "$cg$pod1") == acme ]]'

run "$ctl" --config "$tmp/conf.json" match --cgroup "$vm1"
check "the labelled pod's compute container: tenant acme, by the trusted xattr on the pod slice" \
	eval '[[ $rc == 0 ]] && has "$out" "tenant:  acme" &&
	has "$out" "xattr trusted.vpmu.tenant=\"acme\" on \"$pod1\""'

run "$ctl" --config "$tmp/conf.json" match --cgroup "$vm2"
check "a user.* xattr on the container scope (the delegation boundary): ignored" \
	eval '[[ $rc == 0 ]] && ! has "$out" "tenant:  acme" &&
	has "$out" "ignored: xattr user.vpmu.tenant=\"acme\" on \"$vm2\""'

run env VPMUCTL=/bin/false "$kv/vpmu-label-pod" 01234567-89ab-cdef-0123-456789abcdef acme "$cg"
check "vpmu-label-pod: a pod with no cgroup here: exit 1, why" \
	eval '[[ $rc == 1 ]] && has "$err" "no cgroup of pod 01234567-89ab-cdef-0123-456789abcdef"'
run "$kv/vpmu-label-pod" "$u1" 'acme;rm' "$cg"
check "vpmu-label-pod: a bad tenant name: exit 2" eval '[[ $rc == 2 ]]'

# A ConfigMap update adding a tenant that claims the Guaranteed pod by its
# UID slice (for either QoS), then one removing it; acme.json unchanged.
cat >"$tmp/lab.json" <<EOF
{ "tenant": "lab", "match": { "slice": "kubepods-*pod${u2//-/_}.slice" }, "allow": ["cycles"] }
EOF
ino=$(stat -c %i "$tmp/sync/tenants.d/acme.json")
cmvol "$tmp/cm" vpmu-tenants 2026_01_01_00_01_00.2 - lab.json "$tmp/lab.json"
run "$kv/vpmu-tenants-sync" "$tmp/cm" "$tmp/sync/tenants.d"
check "a key added to the ConfigMap: copied; unchanged files left alone" \
	eval '[[ $rc == 0 && $out == "vpmu-tenants-sync: lab.json updated" ]] &&
	[[ $(stat -c %i "$tmp/sync/tenants.d/acme.json") == "$ino" ]]'
run "$ctl" --config "$tmp/conf.json" match --cgroup "$vm2"
check "the Guaranteed pod, by its pod-UID slice: tenant lab" \
	eval '[[ $rc == 0 ]] && has "$out" "tenant:  lab" &&
	has "$out" "score:   priority 0, 1 condition, depth 2"'

cmvol "$tmp/cm" vpmu-tenants 2026_01_01_00_02_00.3 lab.json
run "$kv/vpmu-tenants-sync" "$tmp/cm" "$tmp/sync/tenants.d"
check "a key removed from the ConfigMap: removed from tenants.d" \
	eval '[[ $rc == 0 && $out == "vpmu-tenants-sync: lab.json removed" && ! -e $tmp/sync/tenants.d/lab.json ]]'
run "$ctl" --config "$tmp/conf.json" match --cgroup "$vm2"
check "... and the pod falls back to the default tenant" \
	eval '[[ $rc == 0 ]] && has "$out" "tenant:  (host default)" &&
	has "$out" "default: tenant baseline"'

# A changed key: the copy is replaced by a rename (a new inode), never
# rewritten in place, and left as is when nothing changed.
sed 's/"branches",/"branches", "bus-cycles",/' "$tmp/cm/acme.json" >"$tmp/acme2.json"
cmvol "$tmp/cm" vpmu-tenants 2026_01_01_00_03_00.4 acme.json acme.json "$tmp/acme2.json"
run "$kv/vpmu-tenants-sync" "$tmp/cm" "$tmp/sync/tenants.d"
check "a changed key: renamed over the copy, no temporary file left" \
	eval '[[ $rc == 0 && $out == "vpmu-tenants-sync: acme.json updated" ]] &&
	[[ $(stat -c %i "$tmp/sync/tenants.d/acme.json") != "$ino" ]] &&
	has "$(cat "$tmp/sync/tenants.d/acme.json")" bus-cycles &&
	[[ -z $(find "$tmp/sync/tenants.d" -name ".*") ]]'
run "$kv/vpmu-tenants-sync" "$tmp/cm" "$tmp/sync/tenants.d"
check "nothing changed: nothing written" eval '[[ $rc == 0 && -z $out ]]'

run "$kv/vpmu-tenants-sync" "$tmp/cm"
check "vpmu-tenants-sync without DST: usage, exit 2" eval '[[ $rc == 2 ]] && has "$err" usage'

cgroup_test_done
