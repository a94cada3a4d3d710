// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../../include/vpmu/maps.h"
#include "../bpf/progs/test_policy.h"
#include "kvmt.h"
#include "policy_test.h"
#include "tap.h"

uint64_t pt_make_cgroup(const char *path)
{
	struct stat st;

	if (mkdir(path, 0755) && errno != EEXIST)
		kvmt_die("mkdir %s: %s", path, strerror(errno));
	if (stat(path, &st))
		kvmt_die("stat %s: %s", path, strerror(errno));
	return st.st_ino;	/* a cgroup v2 id is its directory's inode */
}

void pt_enter_cgroup(const char *cg)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
	fd = open(path, O_WRONLY);
	if (fd < 0 || write(fd, "0", 1) != 1)
		kvmt_die("joining %s: %s", cg, strerror(errno));
	close(fd);
}

const char *pt_read_policies(void)
{
	static char buf[1024];
	char shown[sizeof(buf)], *c;
	int fd = open("/sys/kernel/debug/kvm/pmu_policies", O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = 0;
	strcpy(shown, buf);
	for (c = shown; *c; c++)
		if (*c == '\n')
			*c = '|';
	tap_diag("pmu_policies: %s", shown);
	return buf;
}

long pt_invalid_verdicts(const char *name)
{
	const char *line = pt_read_policies();
	unsigned long long scope;
	long invalid;
	char n[32];

	while (line && *line) {
		if (sscanf(line, "%31s %llu %ld", n, &scope, &invalid) == 3 &&
		    !strcmp(n, name))
			return invalid;
		line = strchr(line, '\n');
		line = line ? line + 1 : NULL;
	}
	return -1;
}

struct bpf_link *pt_attach(struct bpf_map *map)
{
	struct bpf_link *link = bpf_map__attach_struct_ops(map);

	if (!link)
		tap_bail("cannot attach %s: %s", bpf_map__name(map), strerror(errno));
	return link;
}

int pt_refresh(int prog_fd, uint64_t vm_id)
{
	struct refresh_args args = { .vm_id = vm_id };
	/* A SYSCALL program's context is copied back to ctx_in. */
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = &args,
		    .ctx_size_in = sizeof(args));

	if (bpf_prog_test_run_opts(prog_fd, &opts))
		return -errno;
	return args.ret;
}

uint64_t pt_stat(int stats_fd, uint32_t idx)
{
	__u64 v = 0;

	bpf_map_lookup_elem(stats_fd, &idx, &v);
	return v;
}

uint64_t pt_find_vm(int vms_fd, uint64_t cg)
{
	__u64 key, next, mine = 0;
	struct vm_rec rec;
	bool first = true;

	/* VM ids only grow: the newest matching live record is the VM. */
	while (!bpf_map_get_next_key(vms_fd, first ? NULL : &key, &next)) {
		first = false;
		key = next;
		if (!bpf_map_lookup_elem(vms_fd, &key, &rec) && rec.alive &&
		    rec.cgroup_id == cg && rec.tgid == getpid() && key > mine)
			mine = key;
	}
	return mine;
}

bool pt_unprivileged_load_refused(void *(*open_and_load)(void))
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		libbpf_set_print(NULL);
		if (setgid(65534) || setuid(65534))
			_exit(2);
		if (open_and_load())
			_exit(0);
		_exit(errno == EPERM || errno == EACCES ? 1 : 3);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return false;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 1)
		tap_diag("unprivileged load: status 0x%x", status);
	return WIFEXITED(status) && WEXITSTATUS(status) == 1;
}

int pt_host_pmu_errno(void)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_HARDWARE,
		.size = sizeof(attr),
		.config = PERF_COUNT_HW_INSTRUCTIONS,
		.exclude_kernel = 1,
	};
	int fd = syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

int pt_xlated_calls(int prog_fd, const char *callee)
{
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info);
	char cmd[128], line[512];
	int n = 0;
	FILE *f;

	if (bpf_prog_get_info_by_fd(prog_fd, &info, &len))
		return -1;
	snprintf(cmd, sizeof(cmd), "bpftool prog dump xlated id %u 2>/dev/null",
		 info.id);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, ") call ") && strstr(line, callee))
			n++;
	return pclose(f) ? -1 : n;
}

int pt_classify_pending(int vm_policy_fd, uint32_t policy_id, uint32_t flags)
{
	__u64 key, next, *prev = NULL;
	struct vpmu_vm v;
	int n = 0;

	while (!bpf_map_get_next_key(vm_policy_fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(vm_policy_fd, &key, &v) ||
		    v.policy_id != VPMU_POLICY_PENDING)
			continue;
		v.policy_id = policy_id;
		v.flags = flags;
		if (bpf_map_update_elem(vm_policy_fd, &key, &v, BPF_ANY))
			kvmt_die("classifying VM %llu: %s",
				 (unsigned long long)key, strerror(errno));
		n++;
	}
	return n;
}
