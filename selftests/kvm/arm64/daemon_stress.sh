#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# daemon_stress: the stress and fault campaign of vpmu-policyd (issue 11),
# run by `make stress` (suite arm64.stress), not by make check.  Three
# parts, each with its own daemon and pins; the kernel parameters
# vpmu.stress_kills=, vpmu.stress_cycles=, vpmu.stress_seed= and
# vpmu.stress_parts= (kill,churn,flood) scale and select them.
#
# kill   kill -9 of the daemon at STRESS_KILLS random moments: while it
#        starts, reloads (SIGHUP, config edits), publishes (tenant file
#        edits) or classifies new VMs.  Tenant s denies INST_RETIRED,
#        tenant p allows everything; guests of each (tools/vm_count) count
#        in slices.  A strict guest's slice runs across the kill: every
#        slice of every strict guest must read 0 INST_RETIRED.  After each
#        kill, a permissive guest counts exactly if the engine has it
#        classified, and 0 if pending or if no engine was ever attached
#        (the suite boots with kvm.pmu_policy_required=1: without it the
#        first daemon killed before attaching leaves a window, as
#        documented, and this test sees strict guests count in it).  Last, a restarted daemon classifies
#        them all and they count exactly.
# churn  STRESS_CYCLES VMs created and destroyed (tools/vm_churn, one vCPU
#        counting once in each) with the daemon running: then no entry
#        left in vm_policy, audit, audit_vms or denial_rate, and the
#        daemon's fd count and VmRSS have not grown.
# flood  a guest reprogramming its counter through 1024 events in a loop
#        under a denying tenant: VMs created meanwhile are classified (no
#        lifecycle record lost) and count as their tenant says, and
#        another VM's audit entries survive.
echo "TAP version 13"
. "$(dirname "$0")/check_lib.sh"
param()
{
	v=$(tr ' ' '\n' </proc/cmdline | sed -n "s/^vpmu\.$1=//p")
	echo "${v:-$2}"
}
KILLS=$(param stress_kills 100)
CYCLES=$(param stress_cycles 1000)
SEED=$(param stress_seed "")
[ -n "$SEED" ] || SEED=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
PARTS=$(param stress_parts kill,churn,flood)
echo "# stress: seed $SEED, $KILLS kills, $CYCLES VM cycles, parts $PARTS"
R=$SEED
# rand N: RV = a pseudo-random number in [0, N) (an LCG from the seed).
rand()
{
	R=$(((R * 1103515245 + 12345) & 2147483647))
	RV=$(((R >> 8) % $1))
}

CG=/sys/fs/cgroup
ETC=/etc/vpmu-policyd
P=/sys/fs/bpf/vpmu
LOG=/tmp/stress-policyd.log
T=/tmp/stress
mkdir -p $ETC/tenants.d $T
mkdir -p $CG/tenant-s.slice $CG/tenant-p.slice $CG/tenant-f.slice

main_config()
{
	cat >$ETC/.vpmu-policyd.json.tmp <<JSON
{
	"default_action": "$1",
	"audit": "${2:-denials}",
	"state_dir": "/run/vpmu-stress-state"
}
JSON
	mv $ETC/.vpmu-policyd.json.tmp $ETC/vpmu-policyd.json
}
# tenant NAME VARIANT: write tenants.d/NAME.json; every variant of s denies
# INST_RETIRED (by a rule or by its default), every one of p allows it.
tenant()
{
	case $1.$2 in
	s.0) body='"default": "allow", "deny": [ "INST_RETIRED" ]' ;;
	s.1) body='"default": "allow", "deny": [ "INST_RETIRED", "BR_MIS_PRED", "L1D_CACHE" ]' ;;
	s.2) body='"default": "deny", "allow": [ "CPU_CYCLES", "SW_INCR" ]' ;;
	p.0) body='"default": "allow"' ;;
	p.1) body='"default": "deny", "allow": [ "INST_RETIRED", "CPU_CYCLES", "SW_INCR" ]' ;;
	p.2) body='"default": "allow", "deny": [ "BR_MIS_PRED" ]' ;;
	f.*) body='"default": "deny"' ;;
	esac
	printf '{ "match": { "slice": "tenant-%s.slice" }, %s }\n' "$1" "$body" \
		>$ETC/tenants.d/.$1.json.tmp
	mv $ETC/tenants.d/.$1.json.tmp $ETC/tenants.d/$1.json
}

daemon_pid() { cat /tmp/stress-policyd.pid 2>/dev/null; }
spawn_daemon()
{
	READY_BEFORE=$(grep -c ': ready' $LOG 2>/dev/null)
	vpmu-policyd >>$LOG 2>&1 &
	echo $! >/tmp/stress-policyd.pid
}
wait_ready()
{
	i=0
	while [ $i -lt 300 ]; do
		[ "$(grep -c ': ready' $LOG)" -gt "${READY_BEFORE:-0}" ] && return 0
		kill -0 "$(daemon_pid)" 2>/dev/null || return 1
		i=$((i + 1))
		sleep 0.1
	done
	return 1
}
start_daemon() { spawn_daemon; wait_ready; }
stop_daemon()
{
	kill "$(daemon_pid)" 2>/dev/null
	wait "$(daemon_pid)" 2>/dev/null
	rm -f /tmp/stress-policyd.pid
}
kill9_daemon()
{
	kill -9 "$(daemon_pid)" 2>/dev/null
	wait "$(daemon_pid)" 2>/dev/null
	rm -f /tmp/stress-policyd.pid
}
# Start each part from nothing: no daemon, no engine, no state.
fresh()
{
	stop_daemon
	vpmuctl unpin >/dev/null 2>&1
	rm -rf /run/vpmu-stress-state $ETC/tenants.d/*.json $LOG
	main_config deny
}
# slice_of NAME I: the INST count of slice I once printed (60 s at most).
slice_of()
{
	i=0
	while [ $i -lt 600 ]; do
		v=$(sed -n "s/^slice $2 inst \([0-9]*\) .*/\1/p" $T/$1.out)
		[ -n "$v" ] && { echo "$v"; return 0; }
		i=$((i + 1))
		sleep 0.1
	done
	echo "timeout"
	return 1
}
# vms_line CGROUP: vpmuctl vms' line of the VM in CGROUP (tenant: $4).
vms_line() { vpmuctl vms 2>/dev/null | awk -v cg="$1" '$3 == cg || $3 == "/" cg'; }
part() { case ",$PARTS," in *,$1,*) return 0 ;; esac; return 1; }
EXACT=40002	# PMU_LOOP_INSTS(20000), vm_count's loop

# --- kill -------------------------------------------------------------
# Guests: $T/NAME.out (vm_count's output), $T/NAME/ (its go files),
# $T/NAME.next (its next slice), $T/NAME.slices; $T/alive lists them.
seq_vm=0
new_vm()
{
	seq_vm=$((seq_vm + 1))
	name=$1$seq_vm
	rand 6
	sl=$((3 + RV))
	mkdir -p $T/$name $CG/tenant-$1.slice/vm-$name.scope
	sh -c "echo \$\$ >$CG/tenant-$1.slice/vm-$name.scope/cgroup.procs && exec /tests/tools/vm_count $sl $T/$name" \
		>$T/$name.out 2>&1 &
	echo $! >>$T/gpids
	# A strict guest's slice 0 runs now, across what the daemon does.
	[ $1 = s ] && echo 0 >$T/$name.next || echo 1 >$T/$name.next
	echo $sl >$T/$name.slices
	echo $name >>$T/alive
	created=$((created + 1))
}
alive_of() { grep -c "^$1" $T/alive 2>/dev/null; }
# Strict guests: start their next slice now (it runs across the kill).
go_strict()
{
	for g in $(grep '^s' $T/alive); do
		touch $T/$g/go.$(cat $T/$g.next)
	done
}
# After the kill: every strict slice started reads 0; a permissive guest
# counts exactly if classified, 0 if pending.  Guests done leave.
collect()
{
	for g in $(cat $T/alive); do
		s=$(cat $T/$g.next)
		case $g in
		s*)
			v=$(slice_of $g $s)
			strict_slices=$((strict_slices + 1))
			if [ "$v" != 0 ]; then
				bad_strict="$bad_strict $g/$s=$v"
			fi
			;;
		p*)
			st=$(vms_line tenant-p.slice/vm-$g.scope | awk '{ print $4 }')
			touch $T/$g/go.$s
			v=$(slice_of $g $s)
			perm_slices=$((perm_slices + 1))
			case $st in
			p) [ "$v" = $EXACT ] || bad_perm="$bad_perm $g/$s=$v($st)"
			   perm_counted=$((perm_counted + 1)) ;;
			"(pending)") [ "$v" = 0 ] || bad_perm="$bad_perm $g/$s=$v($st)" ;;
			# No engine pinned yet (the first daemon died before
			# attaching it): kvm.pmu_policy_required holds them at 0.
			"") [ "$v" = 0 ] || bad_perm="$bad_perm $g/$s=$v(no engine)" ;;
			*) bad_perm="$bad_perm $g/$s=$v($st)" ;;
			esac
			;;
		esac
		s=$((s + 1))
		echo $s >$T/$g.next
		if [ $s -ge "$(cat $T/$g.slices)" ]; then
			sed -i "/^$g\$/d" $T/alive
		fi
	done
}

if part kill; then
	t0=$(date +%s)
	fresh
	tenant s 0
	tenant p 0
	: >$T/alive
	: >$T/gpids
	created=0 strict_slices=0 perm_slices=0 perm_counted=0
	bad_strict= bad_perm= died=0
	phases=
	k=0
	while [ $k -lt "$KILLS" ]; do
		k=$((k + 1))
		rand 4
		phase=$RV
		rand 1500
		delay=$((RV * 1000))
		[ -n "$(daemon_pid)" ] || spawn_daemon
		if [ $phase != 0 ] && ! wait_ready; then
			died=$((died + 1))
			echo "# kill $k: the daemon did not get ready"
			tail -n 3 $LOG | sed 's/^/#   /'
		fi
		# Keep a guest of each tenant running.
		[ "$(alive_of s)" -gt 0 ] || new_vm s
		[ "$(alive_of p)" -gt 0 ] || new_vm p
		go_strict
		case $phase in
		0) phases="${phases}S" ;;	# start-up: spawned just now
		1)				# reload: main config and SIGHUP
			phases="${phases}R"
			rand 2
			[ $RV = 0 ] && main_config allow all || main_config deny
			kill -HUP "$(daemon_pid)" ;;
		2)				# publish: tenant file edits
			phases="${phases}P"
			rand 3; tenant s $RV
			rand 3; tenant p $RV
			rand 2; [ $RV = 0 ] && kill -HUP "$(daemon_pid)" ;;
		3)				# classification: new VMs
			phases="${phases}C"
			new_vm s
			new_vm p ;;
		esac
		usleep $delay
		kill9_daemon
		collect
	done
	echo "# phases: $phases"
	echo "# $KILLS kills, $created VMs, $strict_slices strict slices, $perm_slices permissive slices ($perm_counted classified)"
	[ -n "$bad_strict" ] && echo "# strict slices that counted (guest/slice=value):$bad_strict"
	[ -n "$bad_perm" ] && echo "# permissive slices off (guest/slice=value(tenant)):$bad_perm"
	check "[ -z '$bad_strict' ]" "kill: no slice of a strict guest counted INST_RETIRED ($strict_slices slices)"
	check "[ -z '$bad_perm' ]" "kill: a permissive guest counted exactly when classified, 0 when pending ($perm_slices slices)"
	check "[ $died = 0 ]" "kill: the daemon got ready after every restart"
	# The end: a daemon that stays classifies every VM left, they count as
	# their tenant says.
	tenant s 0
	tenant p 0
	main_config deny
	check "start_daemon" "kill: a last daemon starts"
	left=$(cat $T/alive)
	bad=
	for g in $left; do
		case $g in s*) tn=s ;; *) tn=p ;; esac
		st=$(vms_line tenant-$tn.slice/vm-$g.scope | awk '{ print $4 }')
		[ "$st" = $tn ] || bad="$bad $g:$st"
		s=$(cat $T/$g.next)
		touch $T/$g/go.$s
		v=$(slice_of $g $s)
		case $tn in s) [ "$v" = 0 ] ;; p) [ "$v" = $EXACT ] ;; esac ||
			bad="$bad $g/$s=$v"
		echo $((s + 1)) >$T/$g.next
	done
	check "[ -z '$bad' ]" "kill: then every guest left is classified and counts as its tenant says ($(echo $left))"
	check "[ \$(grep -c '^vpmu_engine ' /sys/kernel/debug/kvm/pmu_policies) = 1 ]" \
		"kill: exactly one engine attached"
	# Let the guests finish.
	for g in $(cat $T/alive); do
		s=$(cat $T/$g.next)
		while [ $s -lt "$(cat $T/$g.slices)" ]; do
			touch $T/$g/go.$s
			s=$((s + 1))
		done
	done
	# (Not a bare wait: the daemon is a child too.)
	wait $(cat $T/gpids)
	echo "# part kill: $(($(date +%s) - t0)) s"
fi

# --- churn ------------------------------------------------------------
fd_count() { ls /proc/"$(daemon_pid)"/fd | wc -l; }
rss_kb() { awk '$1 == "VmRSS:" { print $2 }' /proc/"$(daemon_pid)"/status; }
# map_entries NAME: the number of entries in the engine's map NAME
# (denial_rate is not pinned: found by name; "error" if no such map).
map_entries()
{
	if [ -e $P/$1 ]; then
		bpftool -j map dump pinned $P/$1
	else
		bpftool -j map dump name $1
	fi >/tmp/map.json 2>&1 || { echo error; return; }
	grep -o '"key"' /tmp/map.json | wc -l
}
# wait_no_vms: until the daemon's engine lists no VM (30 s).
wait_no_vms()
{
	i=0
	while [ $i -lt 300 ]; do
		[ "$(map_entries vm_policy)" = 0 ] && return 0
		i=$((i + 1))
		sleep 0.1
	done
	return 1
}
churn()
{
	sh -c "echo \$\$ >$CG/tenant-$1.slice/churn.scope/cgroup.procs && exec /tests/tools/vm_churn $2 $3" \
		>>$T/churn.out 2>&1
}
if part churn; then
	t0=$(date +%s)
	fresh
	tenant s 0
	tenant p 0
	mkdir -p $CG/tenant-s.slice/churn.scope $CG/tenant-p.slice/churn.scope
	check "start_daemon" "churn: the daemon starts"
	# Warm up (the daemon's allocator and log buffers), then measure.
	churn s 20 run
	churn p 20 run
	wait_no_vms
	fd0=$(fd_count) rss0=$(rss_kb)
	half=$((CYCLES / 2))
	t1=$(date +%s)
	churn s $half run
	churn p $((CYCLES - half - CYCLES / 10)) run
	churn p $((CYCLES / 10)) bare
	echo "# $(grep -c churned $T/churn.out) churn runs: $(sed 's/^/  /' $T/churn.out | tr '\n' ';')"
	echo "# $CYCLES VMs in $(($(date +%s) - t1)) s"
	check "grep -q 'churned $half VMs in .* inst 0\$' $T/churn.out" \
		"churn: tenant s's VMs read 0 INST_RETIRED"
	check "wait_no_vms" "churn: no entry left in vm_policy"
	for m in audit audit_vms denial_rate; do
		check "[ \"\$(map_entries $m)\" = 0 ]" "churn: no entry left in $m"
	done
	fd1=$(fd_count) rss1=$(rss_kb)
	echo "# daemon fds $fd0 -> $fd1, VmRSS $rss0 -> $rss1 kB"
	check "[ '$fd1' = '$fd0' ]" "churn: the daemon's fd count did not grow ($fd0 -> $fd1)"
	# 64 KiB over the cycles: a leak of 64 bytes per VM or more shows.
	check "[ -n '$rss0' ] && [ -n '$rss1' ] && [ \$(($rss1 - $rss0)) -le 64 ]" \
		"churn: the daemon's VmRSS did not grow by more than 64 kB ($rss0 -> $rss1 kB)"
	check "vpmuctl status | grep -q '^dropped:   [0-9]* decision records, 0 lifecycle records'" \
		"churn: no lifecycle record lost ($(vpmuctl status | grep '^dropped:'))"
	check "kill -0 $(daemon_pid)" "churn: the daemon is still running"
	echo "# part churn: $(($(date +%s) - t0)) s"
fi

# --- flood ------------------------------------------------------------
# audit_of VMID: "allowed denied" summed over the VM's audit entries.
audit_of() { vpmuctl vms | awk -v id="$1" '$1 == id { print $6, $7 }'; }
vm_id_of() { vms_line "$1" | awk '{ print $1 }'; }
if part flood; then
	t0=$(date +%s)
	fresh
	tenant s 0
	tenant p 0
	tenant f 0
	rm -rf $T/v $T/stop-flood
	mkdir -p $T/v $CG/tenant-p.slice/victim.scope $CG/tenant-f.slice/flood.scope
	check "start_daemon" "flood: the daemon starts"
	sh -c "echo \$\$ >$CG/tenant-p.slice/victim.scope/cgroup.procs && exec /tests/tools/vm_count 3 $T/v" \
		>$T/victim.out 2>&1 &
	victim=$!
	v0=$(slice_of victim 0)
	i=0
	while [ $i -lt 100 ] && [ "$(vms_line tenant-p.slice/victim.scope | awk '{ print $4 }')" != p ]; do
		i=$((i + 1)); sleep 0.1
	done
	touch $T/v/go.1
	v1=$(slice_of victim 1)
	vid=$(vm_id_of tenant-p.slice/victim.scope)
	a0=$(audit_of "$vid")
	echo "# victim VM $vid: slices $v0 $v1, audit (allowed denied) $a0"
	sh -c "echo \$\$ >$CG/tenant-f.slice/flood.scope/cgroup.procs && exec /tests/tools/vm_flood $T/stop-flood" \
		>$T/flood.out 2>&1 &
	flooder=$!
	i=0
	while [ $i -lt 300 ] && ! grep -q flooding $T/flood.out; do
		i=$((i + 1)); sleep 0.1
	done
	# New VMs while it floods: each classified, counting as its tenant says.
	bad= npids=
	for j in 1 2 3 4 5 6; do
		case $j in 1|3|5) tn=s ;; *) tn=p ;; esac
		name=n$j
		mkdir -p $T/$name $CG/tenant-$tn.slice/vm-$name.scope
		sh -c "echo \$\$ >$CG/tenant-$tn.slice/vm-$name.scope/cgroup.procs && exec /tests/tools/vm_count 2 $T/$name" \
			>$T/$name.out 2>&1 &
		npids="$npids $!"
		slice_of $name 0 >/dev/null
		i=0
		while [ $i -lt 100 ] && [ "$(vms_line tenant-$tn.slice/vm-$name.scope | awk '{ print $4 }')" != $tn ]; do
			i=$((i + 1)); sleep 0.1
		done
		[ $i -lt 100 ] || bad="$bad $name:unclassified"
		touch $T/$name/go.1
		v=$(slice_of $name 1)
		case $tn in s) [ "$v" = 0 ] ;; p) [ "$v" = $EXACT ] ;; esac ||
			bad="$bad $name=$v"
	done
	fid=$(vm_id_of tenant-f.slice/flood.scope)
	fl=$(vpmuctl vms | awk -v id="$fid" '$1 == id')
	st=$(vpmuctl status | grep '^dropped:')
	echo "# flooder: $fl"
	echo "# $st"
	check "[ -z '$bad' ]" "flood: 6 VMs created during the flood were classified and counted as their tenant says"
	check "echo '$st' | grep -q ', 0 lifecycle records'" "flood: no lifecycle record lost"
	a1=$(audit_of "$vid")
	check "[ -n '$a0' ] && echo '$a0 $a1' | awk '{ exit !(\$3 >= \$1 && \$4 >= \$2) }'" \
		"flood: the victim VM's audit counts survive ($a0 -> $a1)"
	check "echo '$fl' | awk '{ exit !(\$8 > 0) }'" \
		"flood: the flooder hit its audit cap (overflow counted)"
	check "[ \"\$(map_entries audit_vms)\" -ge 1 ]" \
		"flood: audit_vms holds entries"
	touch $T/stop-flood
	wait $flooder
	cat $T/flood.out | sed 's/^/# /'
	touch $T/v/go.2
	wait $victim $npids
	check "wait_no_vms && [ \"\$(map_entries audit)\" = 0 ] && [ \"\$(map_entries audit_vms)\" = 0 ]" \
		"flood: once every VM is gone, vm_policy, audit and audit_vms are empty"
	check "kill -0 $(daemon_pid)" "flood: the daemon is still running"
	echo "# part flood: $(($(date +%s) - t0)) s"
fi
stop_daemon
vpmuctl unpin >/dev/null 2>&1
echo "1..$n"
exit $failed
