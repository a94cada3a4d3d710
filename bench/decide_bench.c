// SPDX-License-Identifier: GPL-2.0
/*
 * decide_bench: the cost of one policy decision, BPF engine against a plain
 * C implementation of KVM's masked-event filter, on the same rules.
 *
 * Rule sets: 10, 300 and 4096 x86 masked entries with distinct event
 * selects (a deny list, default allow), and 300 entries over 100 selects
 * (three unit masks each: KVM walks them, the engine reads their verdict
 * bitmap, include/vpmu/index.h).  Both sides decide the same 256 queries,
 * half matching a rule.
 *
 * BPF: the engine's own code (bpf/lib/vpmu_policies.h) on a policy laid
 * out and published by the daemon's code (lib/), run by the host kernel
 * through BPF_PROG_TEST_RUN, 1024 decisions a run.  Runs that do less of
 * the same work are subtracted: the loop alone, and the loop finding the
 * policy without matching, so that "match" is the matching KVM's filter
 * does, and "find+match" adds finding the policy by id (KVM is handed
 * its filter).  Neither includes the engine's way to a policy id
 * (vm_policy and cgroup lookups), its audit, or the struct_ops call.
 * C: KVM's is_gp_event_allowed(), a sorted u64 array, bsearch() on the
 * event select and a walk over that select's entries, for the include
 * list and then the (empty) exclude list, in userspace (no return thunks
 * or retpolines, which the kernel's bsearch() pays), net of its own loop
 * like the BPF side.
 *
 * Both sides' verdicts are compared first.  Then the kinds of run are
 * interleaved on one CPU, ROUNDS rounds each, and the medians are
 * printed with the ratios.  Not a test: it prints numbers.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../include/vpmu/rule.h"
#include "../lib/policy_maps.h"
#include "decide_bench.skel.h"

#define BATCH 1024
#define QUERIES 256
#define ROUNDS 11
#define RUNS 200
#define POLICY_ID 1

enum { BENCH_DECIDE, BENCH_LOOP, BENCH_FIND };

struct bench_args {
	uint32_t policy_id;
	uint32_t first_query;
	uint32_t count;
	uint32_t mode;
	uint32_t allowed;
};

struct rule_set {
	const char *name;
	unsigned int nr;
	unsigned int per_select;	/* entries (unit masks) per select */
};

static struct decide_bench *skel;

/* KVM's masked entry layout: select 0-7 and 32-35, match 8-15, mask 56-63. */
#define ENC(sel, mask, match)                                                 \
	(((uint64_t)(sel) & 0xff) | (((uint64_t)(sel) & 0xf00) << 24) |       \
	 ((uint64_t)(match) << 8) | ((uint64_t)(mask) << 56))
#define SELECT_BITS 0xf000000ffULL

static uint64_t kvm_list[VPMU_MAX_RULES];
static unsigned int kvm_n;
static uint64_t kvm_excludes[1];
static unsigned int kvm_nr_excludes;

static int cmp_select(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a & SELECT_BITS;
	uint64_t y = *(const uint64_t *)b & SELECT_BITS;

	return x < y ? -1 : x > y;
}

/* KVM's filter_contains_match(): bsearch, then walk both ways. */
static int kvm_contains(const uint64_t *list, unsigned int n, uint64_t eventsel)
{
	uint64_t key = eventsel & SELECT_BITS, umask = (eventsel >> 8) & 0xff;
	const uint64_t *fe = bsearch(&key, list, n, sizeof(key), cmp_select);
	long i, idx;

	if (!fe)
		return 0;
	idx = fe - list;
	for (i = idx; i < (long)n && !cmp_select(&list[i], &key); i++)
		if ((umask & (list[i] >> 56)) == ((list[i] >> 8) & 0xff))
			return 1;
	for (i = idx - 1; i >= 0 && !cmp_select(&list[i], &key); i--)
		if ((umask & (list[i] >> 56)) == ((list[i] >> 8) & 0xff))
			return 1;
	return 0;
}

/* KVM's is_gp_event_allowed() for a deny filter: 1 if allowed. */
static int kvm_allowed(uint64_t eventsel)
{
	return !(kvm_contains(kvm_list, kvm_n, eventsel) &&
		 !kvm_contains(kvm_excludes, kvm_nr_excludes, eventsel));
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

static uint64_t eventsels[QUERIES];

/* Select of rule @i: distinct selects spread over 12 bits. */
static uint32_t select_of(unsigned int i)
{
	return (i * 7 + 3) % 4096;
}

static void setup(const struct rule_set *set)
{
	static struct vpmu_rule r[VPMU_MAX_RULES];
	struct vpmu_policy_maps m = VPMU_POLICY_MAPS_OF(skel);
	struct vpmu_policy_header h = vpmu_policy_header(set->nr, VPMU_ALLOW);
	unsigned int i, selects = set->nr / set->per_select;
	int qfd = bpf_map__fd(skel->maps.queries), err;
	struct vpmu_query q;
	__u32 k;

	for (i = 0; i < set->nr; i++) {
		/* Unit masks 0x01, 0x02, ...: one per entry of a select. */
		uint32_t sel = select_of(i % selects);
		uint8_t umask = 1 << (i / selects);

		r[i] = (struct vpmu_rule){ .event = sel, .space = VPMU_SPACE_X86_GP,
					   .action = VPMU_DENY,
					   .kinds = VPMU_KIND_ANY,
					   .umask_mask = 0xff, .umask_match = umask };
		kvm_list[i] = ENC(sel, 0xff, umask);
	}
	qsort(r, set->nr, sizeof(r[0]), cmp_rule);
	qsort(kvm_list, set->nr, sizeof(kvm_list[0]), cmp_select);
	kvm_n = set->nr;
	err = vpmu_policy_publish(&m, POLICY_ID, &h, r, set->nr);
	if (err) {
		fprintf(stderr, "decide_bench: cannot publish %s: %s\n",
			set->name, strerror(-err));
		exit(1);
	}
	for (i = 0; i < QUERIES; i++) {
		/*
		 * Even queries hit a rule (the last unit mask of a select, so
		 * that both sides go through all its entries), odd ones miss.
		 */
		uint32_t sel = i % 2 ? (i * 13 + 1) % 4096 :
				       select_of(i / 2 % selects);
		uint8_t umask = i % 2 ? 0x80 : 1 << (set->per_select - 1);

		q = (struct vpmu_query){ .event = sel, .unit_mask = umask,
					 .space = VPMU_SPACE_X86_GP,
					 .raw_selector = (sel & 0xff) |
							 ((uint64_t)umask << 8) };
		eventsels[i] = (sel & 0xff) | ((uint64_t)(sel & 0xf00) << 24) |
			       ((uint64_t)umask << 8);
		k = i;
		bpf_map_update_elem(qfd, &k, &q, BPF_ANY);
	}
}

static int bpf_run(struct bench_args *a)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = a, .ctx_size_in = sizeof(*a));

	return bpf_prog_test_run_opts(bpf_program__fd(skel->progs.bench), &opts) ?
	       -errno : (int)opts.retval;
}

/* Both sides allow the same queries, or the numbers mean nothing. */
static void check_same(const struct rule_set *set)
{
	struct bench_args a = { .policy_id = POLICY_ID, .count = QUERIES };
	unsigned int i, c = 0;

	for (i = 0; i < QUERIES; i++)
		c += kvm_allowed(eventsels[i]);
	if (bpf_run(&a) || a.allowed != c || c == 0 || c == QUERIES) {
		fprintf(stderr, "decide_bench: %s: BPF allows %u of %u queries, C %u\n",
			set->name, a.allowed, QUERIES, c);
		exit(1);
	}
}

/* ns per BPF_PROG_TEST_RUN of @count iterations in @mode. */
static double bpf_run_ns(uint32_t count, uint32_t mode)
{
	struct bench_args a = { .policy_id = POLICY_ID, .count = count,
				.mode = mode };
	double t0 = now_ns();
	int i;

	for (i = 0; i < RUNS; i++) {
		a.first_query = (i * 37) % QUERIES;
		bpf_run(&a);
	}
	return (now_ns() - t0) / RUNS;
}

/* ns per C decision, or per iteration of the same loop deciding nothing. */
static double c_round(unsigned long *sink, int decide)
{
	double t0, t1;
	uint64_t sel;
	long i;

	t0 = now_ns();
	for (i = 0; i < (long)RUNS * BATCH; i++) {
		sel = eventsels[i % QUERIES];
		/* One iteration at a time, as the decisions run. */
		__asm__ volatile("" : "+r"(sel));
		*sink += decide ? (uint64_t)kvm_allowed(sel) : sel & 1;
	}
	t1 = now_ns();
	return (t1 - t0) / ((double)RUNS * BATCH);
}

static double median(double *v)
{
	qsort(v, ROUNDS, sizeof(v[0]), cmp_double);
	return v[ROUNDS / 2];
}

/* Stay on one CPU: BPF_PROG_TEST_RUN runs where its caller does. */
static void pin_cpu(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(sched_getcpu(), &set);
	sched_setaffinity(0, sizeof(set), &set);
}

int main(void)
{
	static const struct rule_set sets[] = {
		{ "10 rules", 10, 1 },
		{ "300 rules", 300, 1 },
		{ "4096 rules", 4096, 1 },
		{ "300 masked", 300, 3 },
	};
	double full[ROUNDS], match[ROUNDS], c[ROUNDS], loop[ROUNDS];
	double d, f, l, fm, mm, cm;
	unsigned long sink = 0;
	unsigned int s, r;

	pin_cpu();
	skel = decide_bench__open_and_load();
	if (!skel) {
		fprintf(stderr, "decide_bench: cannot load the BPF side: %s\n",
			strerror(errno));
		return 1;
	}
	printf("ns per decision, median of %d interleaved rounds of %d decisions each.\n"
	       "BPF: the engine's code under BPF_PROG_TEST_RUN, net of its loop;\n"
	       "  match: the index and the rules (what KVM's filter does);\n"
	       "  find+match: also finding the policy by id, as the engine must.\n"
	       "C: KVM's is_gp_event_allowed() (sorted array + bsearch), same rules,\n"
	       "  net of its loop.\n",
	       ROUNDS, RUNS * BATCH);
	printf("%-11s %8s %11s %9s %8s %11s %8s\n", "rules", "match",
	       "find+match", "C (KVM)", "match/C", "find+m./C", "loop");
	for (s = 0; s < sizeof(sets) / sizeof(sets[0]); s++) {
		setup(&sets[s]);
		check_same(&sets[s]);
		for (r = 0; r < ROUNDS; r++) {
			l = bpf_run_ns(BATCH, BENCH_LOOP);
			f = bpf_run_ns(BATCH, BENCH_FIND);
			d = bpf_run_ns(BATCH, BENCH_DECIDE);
			loop[r] = (l - bpf_run_ns(0, BENCH_LOOP)) / BATCH;
			full[r] = (d - l) / BATCH;
			match[r] = (d - f) / BATCH;
			c[r] = c_round(&sink, 1) - c_round(&sink, 0);
		}
		fm = median(full);
		mm = median(match);
		cm = median(c);
		printf("%-11s %8.1f %11.1f %9.1f %8.2f %11.2f %8.1f\n",
		       sets[s].name, mm, fm, cm, mm / cm, fm / cm, median(loop));
	}
	fprintf(stderr, "(checksum %lu)\n", sink);
	decide_bench__destroy(skel);
	return 0;
}
