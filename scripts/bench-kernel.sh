#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench-kernel: what the series costs KVM when no policy is attached,
# and what a policy costs when one is.  Numbers, not a test.
#
# 1. Static: for each hot function, its instruction count in a pristine
#    7.3 build and in the patched build of the same config (both arches;
#    x86 from kvm.ko), from objdump.  The patched body may hold an
#    out-of-line slow path that the static-branch NOP skips, so a larger
#    count there does not mean more executed instructions: 2. says that.
# 2. Executed: the arm64 kernels boot under QEMU -icount shift=0, whose
#    emulated PMU counts instructions exactly, and kvm_pmu_bench counts the
#    L1 kernel's instructions per KVM_RUN round trip and per trapped guest
#    PMEVTYPER write: stock; patched with nothing attached; patched with an
#    allow-all policy; patched with the vpmu engine at 300 rules.
#
# Ends with one line "nothing attached / stock: R" (R = 1.000 is the goal:
# the same instructions, up to static-branch NOPs).
#
# The pristine kernels are built once (about as long as the test kernels
# themselves) and cached like them.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
. "$here/lib.sh"
O=${O:-$top/build}

declare -A FUNCS=(
	[x86_64]="vcpu_enter_guest kvm_arch_vcpu_load kvm_arch_vcpu_put kvm_mediated_pmu_load kvm_mediated_pmu_put kvm_pmu_trigger_event kvm_pmu_instruction_retired kvm_pmu_branch_retired reprogram_counter kvm_pmu_handle_event"
	[arm64]="kvm_arch_vcpu_load kvm_arch_vcpu_put kvm_pmu_create_perf_event kvm_pmu_set_counter_event_type kvm_pmu_counter_increment kvm_pmu_software_increment kvm_vcpu_reload_pmu kvm_pmu_get_pmceid kvm_pmu_nested_transition"
)

# Instructions in FUNC of OBJ, or "-" if it has no such symbol (inlined).
# By the symbol's address and size: objdump --disassemble=SYM finds
# nothing in arm64's vmlinux.
count_insns()
{
	local objdump=$1 obj=$2 func=$3 nm=${1%objdump}nm addr size n
	read -r addr size < <("$nm" -S "$obj" 2>/dev/null |
		awk -v f="$func" '$4 == f && ($3 == "t" || $3 == "T") { print $1, $2; exit }')
	if [[ -z ${size:-} ]]; then
		echo "-"
		return
	fi
	# printf, not $((...)) alone: kernel addresses do not fit a signed
	# 64-bit integer, and the hex of the wrapped sum is still right.
	n=$("$objdump" -d --no-show-raw-insn --start-address="0x$addr" \
		--stop-address="$(printf '0x%x' $((16#$addr + 16#$size)))" "$obj" 2>/dev/null |
		grep -cE '^ *[0-9a-f]+:\s' || true)
	echo "$n"
}

static_table()
{
	local arch=$1 stock=$2 patched=$3 objdump obj_s obj_p f s p
	if [[ $arch == x86_64 ]]; then
		objdump=objdump
		obj_s=$(find "$stock/modules" -name kvm.ko | head -1)
		obj_p=$(find "$patched/modules" -name kvm.ko | head -1)
	else
		objdump=aarch64-linux-gnu-objdump
		obj_s=$stock/vmlinux obj_p=$patched/vmlinux
	fi
	printf '\n%s: instructions per function (objdump), stock 7.3 vs patched, same config\n' "$arch"
	printf '  %-32s %8s %8s %8s\n' function stock patched delta
	for f in ${FUNCS[$arch]}; do
		s=$(count_insns "$objdump" "$obj_s" "$f")
		p=$(count_insns "$objdump" "$obj_p" "$f")
		if [[ $s == - || $p == - ]]; then
			printf '  %-32s %8s %8s %8s\n' "$f" "$s" "$p" "(inlined)"
		else
			printf '  %-32s %8d %8d %+8d\n' "$f" "$s" "$p" $((p - s))
		fi
	done
}

# Boot @kdir with kvm_pmu_bench; print its "bench MODE roundtrip N evtyper N".
icount_run()
{
	local kdir=$1 name=$2 initrd=$O/bench-kernel-$2.cpio log=$O/logs/bench-kernel-$2.console
	mkdir -p "$O/logs"
	"$top/selftests/vm/mkinitramfs.sh" --arch arm64 --kernel "$kdir" \
		--tests "$O/selftests/arm64/tests" --modules "" --out "$initrd" >&2
	"$top/selftests/vm/run-vm.sh" --arch arm64 --kernel "$kdir" --initramfs "$initrd" \
		--tests tools/kvm_pmu_bench --timeout 900 --log "$log" >/dev/null 2>&1 || true
	grep -aoE 'bench [a-z0-9-]+ roundtrip [0-9.]+ evtyper [0-9.]+' "$log" ||
		die "kvm_pmu_bench printed nothing on the $name kernel; see $log"
}

declare -A STOCK PATCHED
for arch in x86_64 arm64; do
	step "the pristine $arch kernel (stock 7.3, the test config without the series)"
	STOCK[$arch]=$(VPMU_SERIES_LIMIT=0 "$here/build-kernel.sh" "$arch")
	PATCHED[$arch]=$("$here/build-kernel.sh" "$arch")
done
for arch in x86_64 arm64; do
	for k in "${STOCK[$arch]}" "${PATCHED[$arch]}"; do
		grep -q '^CONFIG_JUMP_LABEL=y' "$k/config" ||
			die "$k was built without CONFIG_JUMP_LABEL: its static branches are loads"
	done
done

step "booting the stock and the patched arm64 kernels under -icount (kvm_pmu_bench)"
stock_out=$(icount_run "${STOCK[arm64]}" stock)
patched_out=$(icount_run "${PATCHED[arm64]}" patched)

echo
echo "vpmu-policy kernel benchmark ($(cat "${PATCHED[arm64]}/release"))"
for arch in x86_64 arm64; do
	static_table "$arch" "${STOCK[$arch]}" "${PATCHED[$arch]}"
done

printf '\narm64 under QEMU -icount shift=0: L1 kernel instructions (median of 5)\n'
printf '  %-34s %12s %12s %10s %10s\n' kernel roundtrip evtyper "rt/stock" "ev/stock"
read -r _ _ _ s_rt _ s_ev <<<"$(grep ' nothing ' <<<"$stock_out")"
row()
{
	local label=$1 rt=$2 ev=$3
	printf '  %-34s %12s %12s %10s %10s\n' "$label" "$rt" "$ev" \
		"$(awk -v a="$rt" -v b="$s_rt" 'BEGIN { printf "%.3f", a / b }')" \
		"$(awk -v a="$ev" -v b="$s_ev" 'BEGIN { printf "%.3f", a / b }')"
}
row "stock 7.3" "$s_rt" "$s_ev"
while read -r _ mode _ rt _ ev; do
	row "patched, $mode" "$rt" "$ev"
	[[ $mode == nothing ]] && n_rt=$rt n_ev=$ev
done <<<"$patched_out"
echo
awk -v a="$n_rt" -v b="$n_ev" -v c="$s_rt" -v d="$s_ev" \
	'BEGIN { printf "nothing attached / stock: %.3f\n", (a + b) / (c + d) }'
