// SPDX-License-Identifier: GPL-2.0
/*
 * policyd-bench: latency and footprint measurements of a running
 * vpmu-policyd, for `make bench` (numbers, not a test).
 *
 *   policyd-bench gen DIR N        write N tenant files into DIR
 *   policyd-bench vm N             N times: create a VM, time until the
 *                                  daemon has written its vm_policy entry
 *   policyd-bench file DIR N       N times: rewrite DIR/bench.json, time
 *                                  until its policy is republished
 *   policyd-bench idle PID SECS    the daemon's RSS and wake-ups a second
 *
 * Latencies print as p50/p99/max in microseconds.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "../../../include/vpmu/maps.h"
#include "../../lib/arm64/kvmt_arm64.h"

#define PIN "/sys/fs/bpf/vpmu/"
#define MAX_SAMPLES 1000

/*
 * Integers only: the test programs are built for guest code too
 * (-mgeneral-regs-only).
 */
static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000ULL + ts.tv_nsec / 1000;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void report(const char *what, uint64_t *s, int n)
{
	int p99 = (n * 99) / 100;

	qsort(s, n, sizeof(*s), cmp_u64);
	printf("%s: n=%d p50=%llu us p99=%llu us max=%llu us\n", what, n,
	       (unsigned long long)s[n / 2],
	       (unsigned long long)s[p99 < n ? p99 : n - 1],
	       (unsigned long long)s[n - 1]);
}

static int pinned(const char *name)
{
	char p[256];
	int fd;

	snprintf(p, sizeof(p), PIN "%s", name);
	fd = bpf_obj_get(p);
	if (fd < 0) {
		fprintf(stderr, "policyd-bench: %s: %s\n", p, strerror(errno));
		exit(1);
	}
	return fd;
}

static int gen(const char *dir, int n)
{
	char path[4096];
	FILE *f;
	int i;

	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/t%05d.json", dir, i);
		f = fopen(path, "w");
		if (!f)
			return 1;
		fprintf(f, "{ \"match\": { \"slice\": \"t%05d.slice\" },\n"
			   "  \"default\": \"deny\",\n"
			   "  \"allow\": [ \"INST_RETIRED\", \"CPU_CYCLES\", { \"range\": [ %d, %d ] } ],\n"
			   "  \"deny\": [ { \"event\": \"L1D_CACHE\", \"nested\": \"only\" } ] }\n",
			i, 0x40 + i % 64, 0x40 + i % 64 + 7);
		fclose(f);
	}
	return 0;
}

/* Whether vm_policy has an entry for a VM created by us, other than @skip. */
static __u64 our_vm(int fd, __u64 skip)
{
	__u64 key, next, *prev = NULL;
	struct vpmu_vm v;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (key != skip && !bpf_map_lookup_elem(fd, &key, &v) &&
		    v.tgid == getpid())
			return key;
	}
	return 0;
}

static int vm_latency(int n)
{
	int fd = pinned("vm_policy"), i;
	uint64_t s[MAX_SAMPLES], t0;
	struct kvmt_vm *vm;
	__u64 last = 0, id;

	for (i = 0; i < n && i < MAX_SAMPLES; i++) {
		t0 = now_us();
		vm = kvmt_vm_create();
		if (!vm)
			return 1;
		while (!(id = our_vm(fd, last)))
			;
		s[i] = now_us() - t0;
		last = id;
		kvmt_vm_free(vm);
	}
	report("VM created -> its policy applied", s, i);
	return 0;
}

/* The policy id of tenant @name, found once (a walk of every tenant). */
static __u32 tenant_id(int fd, const char *name)
{
	__u32 key, next, *prev = NULL;
	struct vpmu_tenant t;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (!bpf_map_lookup_elem(fd, &key, &t) && !strcmp(t.name, name))
			return key;
	}
	return 0;
}

static __u32 generation(int fd, __u32 id)
{
	struct vpmu_tenant t;

	return bpf_map_lookup_elem(fd, &id, &t) ? 0 : t.generation;
}

static int file_latency(const char *dir, int n)
{
	int fd = pinned("tenants"), i;
	char tmp[4096], path[4096];
	uint64_t s[MAX_SAMPLES], t0;
	__u32 g, id = 0;
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s/.bench.json.tmp", dir);
	snprintf(path, sizeof(path), "%s/bench.json", dir);
	for (i = 0; i < n && i < MAX_SAMPLES; i++) {
		if (!id)
			id = tenant_id(fd, "bench");
		g = generation(fd, id);
		f = fopen(tmp, "w");
		if (!f)
			return 1;
		fprintf(f, "{ \"match\": { \"slice\": \"bench.slice\" },\n"
			   "  \"deny\": [ %d ] }\n", i % 64);
		fclose(f);
		t0 = now_us();
		rename(tmp, path);
		/* The first write creates the tenant: wait for its id. */
		while (!id && !(id = tenant_id(fd, "bench")))
			;
		while (g && generation(fd, id) == g)
			;
		s[i] = now_us() - t0;
	}
	report("tenant file written -> its policy enforced", s, i);
	return 0;
}

static void proc_status(int pid, long *rss_kb, long *switches)
{
	char path[64], line[256];
	long v;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	*rss_kb = *switches = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "VmRSS: %ld", &v) == 1)
			*rss_kb = v;
		else if (sscanf(line, "voluntary_ctxt_switches: %ld", &v) == 1 ||
			 sscanf(line, "nonvoluntary_ctxt_switches: %ld", &v) == 1)
			*switches += v;
	}
	fclose(f);
}

static int idle(int pid, int secs)
{
	long rss, s0, s1;

	proc_status(pid, &rss, &s0);
	sleep(secs);
	proc_status(pid, &rss, &s1);
	printf("daemon idle: RSS %ld KiB, %ld wake-ups in %d s\n", rss,
	       s1 - s0, secs);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "gen"))
		return gen(argv[2], atoi(argv[3]));
	if (argc == 3 && !strcmp(argv[1], "vm"))
		return vm_latency(atoi(argv[2]));
	if (argc == 4 && !strcmp(argv[1], "file"))
		return file_latency(argv[2], atoi(argv[3]));
	if (argc == 4 && !strcmp(argv[1], "idle"))
		return idle(atoi(argv[2]), atoi(argv[3]));
	fprintf(stderr, "usage: policyd-bench gen DIR N | vm N | file DIR N | idle PID SECS\n");
	return 2;
}
