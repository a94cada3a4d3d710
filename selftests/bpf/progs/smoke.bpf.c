// SPDX-License-Identifier: GPL-2.0
/*
 * A minimal BPF object for the harness's BPF smoke test: a socket filter
 * that counts its runs in an array map and returns a constant, so a
 * BPF_PROG_TEST_RUN can check both the verdict and the map.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define SMOKE_RETVAL 42

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} runs SEC(".maps");

SEC("socket")
int smoke(struct __sk_buff *skb)
{
	__u32 key = 0;
	__u64 *n = bpf_map_lookup_elem(&runs, &key);

	(void)skb;
	if (n)
		__sync_fetch_and_add(n, 1);
	return SMOKE_RETVAL;
}

char LICENSE[] SEC("license") = "GPL";
