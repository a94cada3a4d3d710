// SPDX-License-Identifier: GPL-2.0
/*
 * vpmuctl reload / attach / detach / unpin.
 *
 * Custom filters are kvm_pmu_policy_ops struct_ops objects attached
 * beside the engine; vpmuctl pins each link under PIN_DIR/filters/NAME so
 * that it outlives vpmuctl, and detaching is unpinning.  KVM runs every
 * attached policy on every decision and a deny wins, so the order of
 * attachment never changes a verdict; the kernel appends, which makes
 * "--after NAME" always true once NAME is attached, and "--before" is not
 * offered (it would need a detach, i.e. a moment with a weaker policy).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "ctl.h"

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static bool is_policyd(int pid)
{
	char path[64], comm[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	if (!fgets(comm, sizeof(comm), f))
		comm[0] = 0;
	fclose(f);
	return !strcmp(comm, "vpmu-policyd\n");
}

int ctl_reload(struct ctl *c)
{
	struct vpmu_daemon st = { 0 }, now;
	struct engine e;
	__u32 zero = 0;
	int i;

	if (ctl_open_engine(c, &e))
		return 1;
	bpf_map_lookup_elem(e.map_fd[EM_DAEMON], &zero, &st);
	/* A pid left by a daemon that died may be someone else's now. */
	if (st.pid <= 0 || !is_policyd(st.pid) || kill(st.pid, SIGHUP)) {
		fprintf(stderr, "vpmuctl: vpmu-policyd is not running\n");
		engine_close(&e);
		return 1;
	}
	for (i = 0; i < 100; i++) {
		sleep_ms(100);
		if (!bpf_map_lookup_elem(e.map_fd[EM_DAEMON], &zero, &now) &&
		    now.reloads != st.reloads) {
			printf("reloaded: %u tenants, %u files rejected (see the daemon's log)\n",
			       now.tenants, now.broken);
			engine_close(&e);
			return now.broken ? 1 : 0;
		}
	}
	fprintf(stderr, "vpmuctl: the daemon did not finish reloading in 10 s\n");
	engine_close(&e);
	return 1;
}

/* The struct type of struct_ops map @map, from the object's BTF. */
static const char *struct_ops_type(struct bpf_object *obj,
				   struct bpf_map *map)
{
	struct btf *btf = bpf_object__btf(obj);
	const struct btf_type *t;
	__u32 i, n;

	if (!btf)
		return NULL;
	/* The map is the variable of that name in .struct_ops[.link]. */
	n = btf__type_cnt(btf);
	for (i = 1; i < n; i++) {
		t = btf__type_by_id(btf, i);
		if (!btf_is_var(t) ||
		    strcmp(btf__name_by_offset(btf, t->name_off),
			   bpf_map__name(map)))
			continue;
		t = btf__type_by_id(btf, btf__resolve_type(btf, t->type));
		return t && btf_is_struct(t) ?
		       btf__name_by_offset(btf, t->name_off) : NULL;
	}
	return NULL;
}

/*
 * Only kvm_pmu_policy_ops: vpmuctl runs as root, and attaching is
 * loading; it must not register a TCP congestion control, a scheduler
 * or any other struct_ops someone passes it.  Checked before loading.
 */
static bool only_pmu_policies(struct bpf_object *obj, const char *path)
{
	struct bpf_map *map;
	const char *type;
	int n = 0;

	bpf_object__for_each_map(map, obj) {
		if (bpf_map__type(map) != BPF_MAP_TYPE_STRUCT_OPS)
			continue;
		type = struct_ops_type(obj, map);
		if (!type || strcmp(type, "kvm_pmu_policy_ops")) {
			fprintf(stderr,
				"vpmuctl: %s: struct_ops map %s is of type %s, not kvm_pmu_policy_ops: not loading it\n",
				path, bpf_map__name(map), type ? type : "(unknown)");
			return false;
		}
		n++;
	}
	if (!n)
		fprintf(stderr,
			"vpmuctl: %s: no kvm_pmu_policy_ops struct_ops map in it: nothing to attach\n",
			path);
	return n > 0;
}

static bool is_attached(const char *name)
{
	char names[16][64];
	int n = ctl_attached(names, 16), i;

	for (i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return true;
	return false;
}

int ctl_attach(struct ctl *c)
{
	static const struct option opts[] = {
		{ "after", required_argument, NULL, 'a' },
		{ "before", required_argument, NULL, 'b' },
		{ 0 }
	};
	char dir[PATH_MAX], pin[PATH_MAX + 80], why[512];
	const char *after = NULL, *path, *name;
	struct bpf_object *obj;
	struct bpf_map *map;
	struct bpf_link *link;
	int o, err, attached = 0;

	while ((o = getopt_long(c->argc, c->argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'a':
			after = optarg;
			break;
		case 'b':
			fprintf(stderr,
				"vpmuctl: --before is not supported: KVM appends policies, and moving one would detach it for a moment; since every policy sees every decision and a deny wins, order does not change verdicts\n");
			return 2;
		default:
			return 2;
		}
	}
	if (optind + 1 != c->argc) {
		fprintf(stderr, "usage: vpmuctl attach OBJ [--after NAME]\n");
		return 2;
	}
	path = c->argv[optind];
	if (after && !is_attached(after)) {
		fprintf(stderr, "vpmuctl: --after %s: no such policy is attached\n",
			after);
		return 1;
	}
	obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		fprintf(stderr, "vpmuctl: %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (!only_pmu_policies(obj, path)) {
		bpf_object__close(obj);
		return 1;
	}
	err = bpf_object__load(obj);
	if (err) {
		fprintf(stderr, "vpmuctl: %s: the kernel refused it: %s\n", path,
			strerror(-err));
		bpf_object__close(obj);
		return 1;
	}
	snprintf(dir, sizeof(dir), "%s/filters", c->cfg.pin_dir);
	if (engine_check_pin_dir(c->cfg.pin_dir, true, why, sizeof(why))) {
		fprintf(stderr, "vpmuctl: %s\n", why);
		bpf_object__close(obj);
		return 1;
	}
	mkdir(dir, 0700);
	bpf_object__for_each_map(map, obj) {
		if (bpf_map__type(map) != BPF_MAP_TYPE_STRUCT_OPS)
			continue;
		name = bpf_map__name(map);
		link = bpf_map__attach_struct_ops(map);
		if (!link) {
			fprintf(stderr, "vpmuctl: attaching %s: %s\n", name,
				strerror(errno));
			continue;
		}
		snprintf(pin, sizeof(pin), "%s/%s", dir, name);
		err = bpf_link__pin(link, pin);
		if (err) {
			fprintf(stderr, "vpmuctl: pinning %s: %s\n", pin,
				strerror(-err));
			bpf_link__destroy(link);
			continue;
		}
		printf("attached %s (pinned at %s)\n", name, pin);
		bpf_link__disconnect(link);
		bpf_link__destroy(link);
		attached++;
	}
	bpf_object__close(obj);
	if (!attached)
		fprintf(stderr, "vpmuctl: %s: nothing attached\n", path);
	return attached ? 0 : 1;
}

int ctl_detach(struct ctl *c)
{
	char pin[PATH_MAX + 80];
	const char *name;
	int i;

	if (c->argc != 2) {
		fprintf(stderr, "usage: vpmuctl detach NAME\n");
		return 2;
	}
	name = c->argv[1];
	if (!strcmp(name, "vpmu_engine")) {
		fprintf(stderr, "vpmuctl: the engine is the daemon's; stop it and run 'vpmuctl unpin' to remove it\n");
		return 1;
	}
	snprintf(pin, sizeof(pin), "%s/filters/%s", c->cfg.pin_dir, name);
	if (unlink(pin)) {
		fprintf(stderr, "vpmuctl: %s: %s (attached with vpmuctl attach?)\n",
			pin, strerror(errno));
		return 1;
	}
	/* The kernel releases an unpinned link a moment later. */
	for (i = 0; i < 50 && is_attached(name); i++)
		sleep_ms(100);
	if (is_attached(name)) {
		fprintf(stderr, "vpmuctl: %s is still attached (another link holds it)\n",
			name);
		return 1;
	}
	printf("detached %s\n", name);
	return 0;
}

int ctl_unpin(struct ctl *c)
{
	__u32 raw = 0;
	pid_t pid;

	if (!ctl_engine_pinned(c))
		return 1;
	/*
	 * Not ctl_open_engine(): an engine pinned by another ABI version
	 * must come off too.  Only the daemon map's pid is needed, and it
	 * leads struct vpmu_daemon in every version.
	 */
	engine_pinned_u32(c->cfg.pin_dir, EM_DAEMON, &raw);
	pid = (__s32)raw;
	if (pid > 0 && !kill(pid, 0)) {
		fprintf(stderr, "vpmuctl: vpmu-policyd (pid %d) is running; stop it first\n",
			pid);
		return 1;
	}
	engine_unpin(c->cfg.pin_dir);
	printf("unpinned %s: the engine detaches once nothing holds it\n",
	       c->cfg.pin_dir);
	return 0;
}
