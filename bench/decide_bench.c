// SPDX-License-Identifier: GPL-2.0
/*
 * decide_bench: the cost of one policy decision, BPF engine against a plain
 * C implementation of KVM's masked-event filter, on the same rules.
 *
 * For 10, 300 and 4096 x86 masked rules (distinct event selects, a deny
 * list with a default of allow), both sides decide the same 256 queries
 * (half matching a rule, half not).  The BPF side is the engine's own
 * vpmu_decide() run by the host kernel through BPF_PROG_TEST_RUN, 32
 * decisions per run, with the syscall's cost (runs deciding nothing)
 * subtracted and reported separately; the C side is KVM's algorithm: a sorted u64
 * array, bsearch() on the event select, then a walk over the entries of
 * that select.  The two run interleaved, five rounds each, and the median
 * is reported with the ratio.  Not a test: it prints numbers.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../include/vpmu/rule.h"
#include "decide_bench.skel.h"

#define BATCH 32
#define QUERIES 256
#define ROUNDS 5
#define RUNS 4000

struct bench_args {
	uint32_t first_query;
	uint32_t count;
	uint32_t allowed;
};

static struct decide_bench *skel;

/* KVM's masked entry layout: select 0-7 and 32-35, match 8-15, mask 56-63. */
#define ENC(sel, mask, match)                                                 \
	(((uint64_t)(sel) & 0xff) | (((uint64_t)(sel) & 0xf00) << 24) |       \
	 ((uint64_t)(match) << 8) | ((uint64_t)(mask) << 56))
#define SELECT_BITS 0xf000000ffULL

static uint64_t kvm_list[VPMU_MAX_RULES];
static unsigned int kvm_n;

static int cmp_select(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a & SELECT_BITS;
	uint64_t y = *(const uint64_t *)b & SELECT_BITS;

	return x < y ? -1 : x > y;
}

/* KVM's filter_contains_match(): bsearch, then walk both ways. */
static int kvm_contains(uint64_t eventsel)
{
	uint64_t key = eventsel & SELECT_BITS, umask = (eventsel >> 8) & 0xff;
	uint64_t *fe = bsearch(&key, kvm_list, kvm_n, sizeof(key), cmp_select);
	long i, idx;

	if (!fe)
		return 0;
	idx = fe - kvm_list;
	for (i = idx; i < (long)kvm_n && !cmp_select(&kvm_list[i], &key); i++)
		if ((umask & (kvm_list[i] >> 56)) == ((kvm_list[i] >> 8) & 0xff))
			return 1;
	for (i = idx - 1; i >= 0 && !cmp_select(&kvm_list[i], &key); i--)
		if ((umask & (kvm_list[i] >> 56)) == ((kvm_list[i] >> 8) & 0xff))
			return 1;
	return 0;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int cmp_rule(const void *a, const void *b)
{
	const struct vpmu_rule *x = a, *y = b;
	uint64_t kx = vpmu_rule_key(x->space, x->event);
	uint64_t ky = vpmu_rule_key(y->space, y->event);

	return kx < ky ? -1 : kx > ky;
}

static struct vpmu_query qs[QUERIES];
static uint64_t eventsels[QUERIES];

static void setup(unsigned int n)
{
	static struct vpmu_rule r[VPMU_MAX_RULES];
	struct vpmu_rule h = vpmu_policy_header(n, VPMU_ALLOW);
	int rfd = bpf_map__fd(skel->maps.rules), qfd = bpf_map__fd(skel->maps.queries);
	unsigned int i;
	__u32 k;

	for (i = 0; i < n; i++) {
		/* Distinct selects spread over 12 bits; unit mask 0x01. */
		uint32_t sel = (i * 7 + 3) % 4096;

		r[i] = (struct vpmu_rule){ .event = sel, .space = VPMU_SPACE_X86_GP,
					   .action = VPMU_DENY,
					   .kinds = VPMU_KIND_ANY,
					   .umask_mask = 0xff, .umask_match = 0x01 };
		kvm_list[i] = ENC(sel, 0xff, 0x01);
	}
	qsort(r, n, sizeof(r[0]), cmp_rule);
	qsort(kvm_list, n, sizeof(kvm_list[0]), cmp_select);
	kvm_n = n;
	for (i = 0; i < n; i++) {
		k = i + 1;
		bpf_map_update_elem(rfd, &k, &r[i], BPF_ANY);
	}
	k = 0;
	bpf_map_update_elem(rfd, &k, &h, BPF_ANY);
	for (i = 0; i < QUERIES; i++) {
		/* Even queries hit a rule's select and unit mask, odd miss. */
		uint32_t sel = i % 2 ? (i * 13 + 1) % 4096 :
				       ((i / 2 % n) * 7 + 3) % 4096;
		uint8_t umask = i % 2 ? 0x02 : 0x01;

		qs[i] = (struct vpmu_query){ .event = sel, .unit_mask = umask,
					     .space = VPMU_SPACE_X86_GP,
					     .raw_selector = (sel & 0xff) |
							     ((uint64_t)umask << 8) };
		eventsels[i] = (sel & 0xff) | ((uint64_t)(sel & 0xf00) << 24) |
			       ((uint64_t)umask << 8);
		k = i;
		bpf_map_update_elem(qfd, &k, &qs[i], BPF_ANY);
	}
}

/* ns per BPF_PROG_TEST_RUN making @count decisions. */
static double bpf_run_ns(uint32_t count)
{
	struct bench_args a = { .count = count };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = &a, .ctx_size_in = sizeof(a));
	int fd = bpf_program__fd(skel->progs.bench), i;
	double t0 = now_ns();

	for (i = 0; i < RUNS; i++) {
		a.first_query = (i * BATCH) % QUERIES;
		bpf_prog_test_run_opts(fd, &opts);
	}
	return (now_ns() - t0) / RUNS;
}

static double c_round(unsigned long *sink)
{
	double t0, t1;
	long i;

	t0 = now_ns();
	for (i = 0; i < (long)RUNS * BATCH; i++)
		*sink += !kvm_contains(eventsels[i % QUERIES]);
	t1 = now_ns();
	return (t1 - t0) / ((double)RUNS * BATCH);
}

int main(void)
{
	static const unsigned int sizes[] = { 10, 300, 4096 };
	unsigned long sink = 0;
	unsigned int s, r;
	double b[ROUNDS], c[ROUNDS], e[ROUNDS];

	skel = decide_bench__open_and_load();
	if (!skel) {
		fprintf(stderr, "decide_bench: cannot load the BPF side: %s\n",
			strerror(errno));
		return 1;
	}
	printf("ns per decision, median of %d interleaved rounds of %d decisions each;\n"
	       "BPF: engine code under BPF_PROG_TEST_RUN, net of the syscall (measured\n"
	       "with empty runs); C: KVM's sorted array + bsearch on the same rules\n",
	       ROUNDS, RUNS * BATCH);
	printf("%6s %10s %10s %8s %14s\n", "rules", "BPF", "C (KVM)", "ratio",
	       "syscall/run");
	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		setup(sizes[s]);
		for (r = 0; r < ROUNDS; r++) {
			e[r] = bpf_run_ns(0);
			b[r] = (bpf_run_ns(BATCH) - e[r]) / BATCH;
			c[r] = c_round(&sink);
		}
		qsort(b, ROUNDS, sizeof(b[0]), cmp_double);
		qsort(c, ROUNDS, sizeof(c[0]), cmp_double);
		qsort(e, ROUNDS, sizeof(e[0]), cmp_double);
		printf("%6u %10.1f %10.1f %8.2f %14.0f\n", sizes[s], b[ROUNDS / 2],
		       c[ROUNDS / 2], b[ROUNDS / 2] / c[ROUNDS / 2], e[ROUNDS / 2]);
	}
	fprintf(stderr, "(checksum %lu)\n", sink);
	decide_bench__destroy(skel);
	return 0;
}
