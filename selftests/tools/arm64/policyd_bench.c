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
 *   policyd-bench scale DIR N PID  N VMs, each in its own tenant's cgroup,
 *                                  against the tenants of gen: classified
 *                                  as they come, all moved to other
 *                                  tenants by one pass (SIGUSR1), then
 *                                  `file DIR 100` with the N VMs alive
 *
 * Latencies print as p50/p99/max in microseconds.  The guest runs under
 * QEMU -icount shift=0, where the emulated PMU counts instructions
 * exactly: the daemon's own (user and kernel) print beside the times,
 * with their equivalent at 3e9 instructions a second (a real core).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "../../../include/vpmu/maps.h"
#include "../../lib/arm64/kvmt_arm64.h"

#define PIN "/sys/fs/bpf/vpmu/"
#define CGROOT "/sys/fs/cgroup"
#define MAX_SAMPLES 1000
#define MAX_VMS 4096
/* A real core retires about this many a second: "ms-equivalent". */
#define INSN_PER_MS 3000000ULL

/*
 * The daemon's instructions retired (user and kernel), or -1 where the
 * PMU cannot count them (no -icount: QEMU's TCG PMU counts instructions
 * only then).
 */
static int insn_counter(int pid)
{
	struct perf_event_attr a = {
		.type = PERF_TYPE_HARDWARE,
		.size = sizeof(a),
		.config = PERF_COUNT_HW_INSTRUCTIONS,
		.exclude_hv = 1,
	};

	return syscall(SYS_perf_event_open, &a, pid, -1, -1, 0);
}

static uint64_t insn(int fd)
{
	uint64_t v = 0;

	if (fd < 0 || read(fd, &v, sizeof(v)) != sizeof(v))
		return 0;
	return v;
}

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

/*
 * Even tenants match their slice t<i>.slice; odd ones, at priority 1,
 * the xattr trusted.vpmu.tenant = "t<i>" (the two ways operators name
 * tenants; scale moves VMs from the first kind to the second).
 */
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
		if (i % 2)
			fprintf(f, "{ \"match\": { \"xattr\": { \"trusted.vpmu.tenant\": \"t%05d\" } },\n"
				   "  \"priority\": 1,\n", i);
		else
			fprintf(f, "{ \"match\": { \"slice\": \"t%05d.slice\" },\n", i);
		fprintf(f, "  \"default\": \"deny\",\n"
			   "  \"allow\": [ \"INST_RETIRED\", \"CPU_CYCLES\", { \"range\": [ %d, %d ] } ],\n"
			   "  \"deny\": [ { \"event\": \"L1D_CACHE\", \"nested\": \"only\" } ] }\n",
			0x40 + i % 64, 0x40 + i % 64 + 7);
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

/* p50/p99/max of @n instruction counts, and in ms at INSN_PER_MS. */
static void report_insn(const char *what, uint64_t *s, int n)
{
	int p99 = (n * 99) / 100;
	uint64_t p50v, p99v;

	qsort(s, n, sizeof(*s), cmp_u64);
	p50v = s[n / 2];
	p99v = s[p99 < n ? p99 : n - 1];
	printf("%s: daemon instructions p50=%llu p99=%llu max=%llu (p50 %llu.%03llu ms-eq, p99 %llu.%03llu ms-eq)\n",
	       what, (unsigned long long)p50v, (unsigned long long)p99v,
	       (unsigned long long)s[n - 1],
	       (unsigned long long)(p50v / INSN_PER_MS),
	       (unsigned long long)(p50v % INSN_PER_MS * 1000 / INSN_PER_MS),
	       (unsigned long long)(p99v / INSN_PER_MS),
	       (unsigned long long)(p99v % INSN_PER_MS * 1000 / INSN_PER_MS));
}

/* @cfd: the daemon's instruction counter, or -1. */
static int file_latency(const char *dir, int n, int cfd)
{
	int fd = pinned("tenants"), i;
	char tmp[4096], path[4096];
	uint64_t s[MAX_SAMPLES], ins[MAX_SAMPLES], t0, i0;
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
		/* Let the daemon finish what the last sample started. */
		usleep(200000);
		i0 = insn(cfd);
		t0 = now_us();
		rename(tmp, path);
		/* The first write creates the tenant: wait for its id. */
		while (!id && !(id = tenant_id(fd, "bench")))
			;
		while (g && generation(fd, id) == g)
			;
		s[i] = now_us() - t0;
		ins[i] = insn(cfd) - i0;
	}
	report("tenant file written -> its policy enforced", s, i);
	if (cfd >= 0)
		report_insn("tenant file written -> its policy enforced", ins, i);
	return 0;
}

/* How many of @vms[@n] have a vm_policy entry other than @old's. */
static int moved(int fd, const __u64 *ids, const __u32 *old, int n)
{
	struct vpmu_vm v;
	int i, k = 0;

	for (i = 0; i < n; i++)
		k += !bpf_map_lookup_elem(fd, &ids[i], &v) &&
		     v.policy_id != old[i] && v.policy_id != VPMU_POLICY_PENDING;
	return k;
}

/* The VM ids in vm_policy of our VMs, in creation order (ids grow). */
static int our_vms(int fd, __u64 *ids, int max)
{
	__u64 key, next, *prev = NULL;
	struct vpmu_vm v;
	int n = 0, i, j;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (n < max && !bpf_map_lookup_elem(fd, &key, &v) &&
		    v.tgid == getpid())
			ids[n++] = key;
	}
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && ids[j - 1] > ids[j]; j--) {
			key = ids[j];
			ids[j] = ids[j - 1];
			ids[j - 1] = key;
		}
	return n;
}

static void join_cgroup(const char *cg)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
	f = fopen(path, "w");
	if (!f || fprintf(f, "%d\n", getpid()) < 0 || fclose(f)) {
		fprintf(stderr, "policyd-bench: joining %s: %s\n", cg, strerror(errno));
		exit(1);
	}
}

static void print_pass(const char *what, int n, uint64_t us, uint64_t ins)
{
	printf("%s: %d VMs in %llu.%03llu s guest time; daemon instructions %llu (%llu ms-eq)\n",
	       what, n, (unsigned long long)(us / 1000000),
	       (unsigned long long)(us % 1000000 / 1000), (unsigned long long)ins,
	       (unsigned long long)(ins / INSN_PER_MS));
}

static int scale(const char *dir, int n, int pid)
{
	static __u64 ids[MAX_VMS];
	static __u32 old[MAX_VMS];
	int fd = pinned("vm_policy"), cfd = insn_counter(pid);
	struct rlimit rl = { MAX_VMS + 64, MAX_VMS + 64 };
	char cg[256], val[16];
	uint64_t t0, i0;
	int kvm, i;

	if (n > MAX_VMS)
		n = MAX_VMS;
	if (cfd < 0)
		printf("no instruction counts: perf_event_open: %s\n", strerror(errno));
	setrlimit(RLIMIT_NOFILE, &rl);
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		return 1;
	for (i = 0; i < n; i++) {
		snprintf(cg, sizeof(cg), CGROOT "/t%05d.slice", 2 * i);
		if (mkdir(cg, 0755) && errno != EEXIST)
			return 1;
	}
	/* Bare VMs, created as fast as KVM_CREATE_VM goes. */
	i0 = insn(cfd);
	t0 = now_us();
	for (i = 0; i < n; i++) {
		snprintf(cg, sizeof(cg), CGROOT "/t%05d.slice", 2 * i);
		join_cgroup(cg);
		if (ioctl(kvm, KVM_CREATE_VM, 0) < 0) {
			fprintf(stderr, "policyd-bench: KVM_CREATE_VM %d: %s\n", i,
				strerror(errno));
			return 1;
		}
	}
	join_cgroup(CGROOT);
	while (our_vms(fd, ids, MAX_VMS) < n)
		usleep(1000);
	memset(old, 0xff, sizeof(old));		/* PENDING: not classified */
	while (moved(fd, ids, old, n) < n)
		usleep(1000);
	print_pass("VMs created, each classified by its vm_init record", n,
		   now_us() - t0, insn(cfd) - i0);

	/* Every VM to another tenant: a pass reads every cgroup again. */
	for (i = 0; i < n; i++) {
		struct vpmu_vm v;

		bpf_map_lookup_elem(fd, &ids[i], &v);
		old[i] = v.policy_id;
		snprintf(cg, sizeof(cg), CGROOT "/t%05d.slice", 2 * i);
		snprintf(val, sizeof(val), "t%05d", 2 * i + 1);
		if (setxattr(cg, "trusted.vpmu.tenant", val, strlen(val), 0))
			return 1;
	}
	i0 = insn(cfd);
	t0 = now_us();
	kill(pid, SIGUSR1);
	while (moved(fd, ids, old, n) < n)
		usleep(1000);
	print_pass("classification pass (SIGUSR1), every VM to another tenant", n,
		   now_us() - t0, insn(cfd) - i0);

	file_latency(dir, 100, cfd);
	close(kvm);	/* the VMs go when the process exits */
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
		return file_latency(argv[2], atoi(argv[3]), -1);
	if (argc == 5 && !strcmp(argv[1], "scale"))
		return scale(argv[2], atoi(argv[3]), atoi(argv[4]));
	if (argc == 4 && !strcmp(argv[1], "idle"))
		return idle(atoi(argv[2]), atoi(argv[3]));
	fprintf(stderr, "usage: policyd-bench gen DIR N | vm N | file DIR N | idle PID SECS | scale DIR N PID\n");
	return 2;
}
