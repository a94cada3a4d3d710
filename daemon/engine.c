// SPDX-License-Identifier: GPL-2.0
/*
 * Loading, pinning and adopting the BPF engine; writing its maps.
 *
 * A restarted daemon adopts what is pinned instead of loading a new
 * engine: the attached link and its maps keep enforcing the last policies
 * while the daemon starts, so there is no moment in which a running VM is
 * under a weaker policy than configured.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "bpf_objects.h"
#include "engine.h"

#define BPF_FS_MAGIC	0xcafe4a11
#define LINK_PIN	"vpmu_engine"
#define REFRESH_PIN	"vpmu_refresh"
#define CAP_SYS_ADMIN	21
#define CAP_PERFMON	38
#define CAP_BPF		39

const char *const engine_map_names[EM_NR] = {
	[EM_POLICY_CLASS] = VPMU_POLICY_CLASS_MAP,
	[EM_POLICIES_16] = "policies_16", [EM_POLICIES_64] = "policies_64",
	[EM_POLICIES_256] = "policies_256",
	[EM_POLICIES_1024] = "policies_1024",
	[EM_POLICIES_4096] = "policies_4096",
	[EM_POLICIES_8192] = "policies_8192",
	[EM_VM_POLICY] = "vm_policy",
	[EM_CONFIG] = "config",
	[EM_AUDIT] = "audit",		[EM_AUDIT_VMS] = "audit_vms",
	[EM_RECORDS] = "records",	[EM_LIFECYCLE] = "lifecycle",
	[EM_DROPS] = "drops",
	[EM_TENANTS] = "tenants",	[EM_DAEMON] = "daemon",
};

struct refresh_args {
	__u64 vm_id;
	__s32 ret;
};

static void init(struct engine *e, const char *pin_dir)
{
	int i;

	memset(e, 0, sizeof(*e));
	for (i = 0; i < EM_NR; i++)
		e->map_fd[i] = -1;
	e->refresh_fd = -1;
	e->link_fd = -1;
	snprintf(e->pin_dir, sizeof(e->pin_dir), "%s", pin_dir);
}

static void pin_path(const struct engine *e, const char *name, char *buf)
{
	snprintf(buf, PATH_MAX, "%s/%s", e->pin_dir, name);
}

unsigned long long effective_caps(void)
{
	char line[256];
	unsigned long long caps = 0;
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &caps) == 1)
			break;
	fclose(f);
	return caps;
}

static bool has_struct_ops_type(void)
{
	const char *name = "kvm_pmu_policy_ops";
	struct btf *vmlinux, *kvm;
	bool found;

	vmlinux = btf__load_vmlinux_btf();
	if (!vmlinux)
		return false;
	found = btf__find_by_name_kind(vmlinux, name, BTF_KIND_STRUCT) > 0;
	if (!found) {
		/* x86 builds KVM as modules: the type is in kvm.ko's BTF. */
		kvm = btf__load_module_btf("kvm", vmlinux);
		if (kvm) {
			found = btf__find_by_name_kind(kvm, name,
						       BTF_KIND_STRUCT) > 0;
			btf__free(kvm);
		}
	}
	btf__free(vmlinux);
	return found;
}

int engine_check_pin_dir(const char *pin_dir, bool create, char *why,
			 size_t len)
{
	char parent[PATH_MAX], *slash;
	struct statfs sfs;
	struct stat st;
	int err;

	snprintf(parent, sizeof(parent), "%s", pin_dir);
	slash = strrchr(parent, '/');
	if (slash && slash != parent)
		*slash = 0;
	if (statfs(parent, &sfs) || sfs.f_type != BPF_FS_MAGIC) {
		snprintf(why, len,
			 "no BPF filesystem at %s: mount bpffs there (mount -t bpf bpf %s)",
			 parent, parent);
		return -ENODEV;
	}
	if (create && mkdir(pin_dir, 0700) && errno != EEXIST) {
		err = -errno;
		snprintf(why, len, "cannot create %s: %s", pin_dir,
			 strerror(errno));
		return err;
	}
	if (lstat(pin_dir, &st)) {
		if (errno == ENOENT && !create)
			return 0;	/* created 0700 when pinning */
		err = -errno;
		snprintf(why, len, "%s: %s", pin_dir, strerror(errno));
		return err;
	}
	/* A symbolic link may lead anywhere, to pins someone else made. */
	if (!S_ISDIR(st.st_mode)) {
		snprintf(why, len,
			 "the pin directory %s is not a directory (owner uid %u, mode %04o): not using it",
			 pin_dir, st.st_uid, st.st_mode & 07777);
		return -EUCLEAN;
	}
	if (statfs(pin_dir, &sfs) || sfs.f_type != BPF_FS_MAGIC) {
		snprintf(why, len,
			 "the pin directory %s is not on a BPF filesystem (owner uid %u, mode %04o): not using it",
			 pin_dir, st.st_uid, st.st_mode & 07777);
		return -EUCLEAN;
	}
	/* Whoever can write there can swap the pins the daemon adopts. */
	if (st.st_uid != 0 || (st.st_mode & 077)) {
		snprintf(why, len,
			 "the pin directory %s has owner uid %u and mode %04o: it must be root's with mode 0700 (chown root %s; chmod 0700 %s, once you trust its pins; or remove them)",
			 pin_dir, st.st_uid, st.st_mode & 07777, pin_dir,
			 pin_dir);
		return -EUCLEAN;
	}
	return 0;
}

bool engine_unsupported(const char *pin_dir, char *why, size_t len)
{
	unsigned long long caps = effective_caps();

	if (!(caps & (1ULL << CAP_BPF)) && !(caps & (1ULL << CAP_SYS_ADMIN))) {
		snprintf(why, len,
			 "missing privilege: loading the engine needs CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN (run as root)");
		return true;
	}
	if (engine_check_pin_dir(pin_dir, false, why, len))
		return true;
	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		snprintf(why, len,
			 "no kernel BTF (/sys/kernel/btf/vmlinux): the kernel needs CONFIG_DEBUG_INFO_BTF=y");
		return true;
	}
	if (!has_struct_ops_type()) {
		snprintf(why, len,
			 "the kernel has no kvm_pmu_policy_ops struct_ops type: it needs CONFIG_KVM_PMU_POLICY=y from the vpmu-policy kernel series (kernel/), and on x86 the kvm module loaded");
		return true;
	}
	return false;
}

bool engine_pinned(const char *pin_dir)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/" LINK_PIN, pin_dir);
	return !access(p, F_OK);
}

int engine_pinned_u32(const char *pin_dir, enum engine_map m, __u32 *out)
{
	LIBBPF_OPTS(bpf_obj_get_opts, ro, .file_flags = BPF_F_RDONLY);
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info), zero = 0;
	char p[PATH_MAX];
	void *value;
	int fd, err = 0;

	snprintf(p, sizeof(p), "%s/%s", pin_dir, engine_map_names[m]);
	fd = bpf_obj_get_opts(p, &ro);
	if (fd < 0)
		return -errno;
	/* Its value size may be another version's: read all of it. */
	if (bpf_map_get_info_by_fd(fd, &info, &len)) {
		err = -errno;
		goto out;
	}
	if (info.key_size != sizeof(zero) || info.value_size < sizeof(*out)) {
		err = -EPROTO;
		goto out;
	}
	value = calloc(1, info.value_size);
	if (!value) {
		err = -ENOMEM;
		goto out;
	}
	if (bpf_map_lookup_elem(fd, &zero, value))
		err = -errno;
	else
		memcpy(out, value, sizeof(*out));
	free(value);
out:
	close(fd);
	return err;
}

/*
 * An engine pinned by another version may have other maps: say so by
 * its ABI, from the one map every version has (config, ABI version
 * first), before looking for the others.
 */
static int check_pinned_abi(struct engine *e, char *why, size_t len)
{
	__u32 abi = 0;
	int err = engine_pinned_u32(e->pin_dir, EM_CONFIG, &abi);

	if (err == -ENOENT)
		return 0;	/* reported with the other maps */
	if (err || abi != VPMU_ABI_VERSION) {
		snprintf(why, len,
			 "the engine pinned at %s has ABI %u, this daemon %u: stop its VMs' policy with 'vpmuctl unpin' first",
			 e->pin_dir, abi, VPMU_ABI_VERSION);
		return -EPROTO;
	}
	return 0;
}

/* The BTF of the kvm_pmu_policy_ops value type: vmlinux's or kvm.ko's. */
static struct btf *ops_btf(struct btf **vmlinux, __s32 *value_id)
{
	const char *name = "bpf_struct_ops_kvm_pmu_policy_ops";
	struct btf *kvm;

	*vmlinux = btf__load_vmlinux_btf();
	if (!*vmlinux)
		return NULL;
	*value_id = btf__find_by_name_kind(*vmlinux, name, BTF_KIND_STRUCT);
	if (*value_id > 0)
		return *vmlinux;
	kvm = btf__load_module_btf("kvm", *vmlinux);
	if (!kvm)
		return NULL;
	*value_id = btf__find_by_name_kind(kvm, name, BTF_KIND_STRUCT);
	if (*value_id > 0)
		return kvm;
	btf__free(kvm);
	return NULL;
}

/*
 * The ids of the programs in struct_ops map @fd's value: the kernel
 * reads a program's id back in the place of each function pointer.
 */
static int struct_ops_progs(int fd, __u32 value_size, __u32 *ids, int max)
{
	const struct btf_member *m;
	const struct btf_type *t, *data = NULL;
	struct btf *vmlinux = NULL, *btf;
	__u32 zero = 0, off = 0, k;
	__s32 value_id;
	__u64 id;
	void *value;
	int n = 0, i;

	btf = ops_btf(&vmlinux, &value_id);
	value = calloc(1, value_size);
	if (!btf || !value || bpf_map_lookup_elem(fd, &zero, value)) {
		n = errno ? -errno : -ENOENT;
		goto out;
	}
	t = btf__type_by_id(btf, value_id);
	m = btf_members(t);
	for (i = 0; i < (int)btf_vlen(t); i++, m++)
		if (!strcmp(btf__name_by_offset(btf, m->name_off), "data")) {
			off = m->offset / 8;
			data = btf__type_by_id(btf, m->type);
		}
	if (!data || !btf_is_struct(data)) {
		n = -EPROTO;
		goto out;
	}
	m = btf_members(data);
	for (i = 0; i < (int)btf_vlen(data) && n < max; i++, m++) {
		k = btf__resolve_type(btf, m->type);
		t = btf__type_by_id(btf, k);
		if (!t || !btf_is_ptr(t))
			continue;
		t = btf__type_by_id(btf, btf__resolve_type(btf, t->type));
		if (!t || !btf_is_func_proto(t) ||
		    off + m->offset / 8 + sizeof(id) > value_size)
			continue;
		memcpy(&id, (char *)value + off + m->offset / 8, sizeof(id));
		if (id)
			ids[n++] = id;
	}
out:
	free(value);
	if (btf != vmlinux)
		btf__free(btf);
	btf__free(vmlinux);
	return n;
}

/* Add the ids of the maps program @fd uses to @ids (*@n of @max). */
static int prog_maps(int fd, __u32 *ids, int *n, int max, __u32 *type,
		     char *name)
{
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info), nr;

	if (bpf_prog_get_info_by_fd(fd, &info, &len))
		return -errno;
	nr = info.nr_map_ids < (__u32)(max - *n) ? info.nr_map_ids :
						   (__u32)(max - *n);
	*type = info.type;
	memcpy(name, info.name, sizeof(info.name));
	memset(&info, 0, sizeof(info));
	info.nr_map_ids = nr;
	info.map_ids = (__u64)(unsigned long)(ids + *n);
	len = sizeof(info);
	if (bpf_prog_get_info_by_fd(fd, &info, &len))
		return -errno;
	*n += nr;
	return 0;
}

/*
 * Maps no engine program uses (the daemon writes them for vpmuctl): they
 * can only be checked for their shape.
 */
static bool map_unused_by_progs(enum engine_map m)
{
	return m == EM_TENANTS || m == EM_DAEMON;
}

static bool map_shaped(int fd, enum engine_map m)
{
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info);

	if (bpf_map_get_info_by_fd(fd, &info, &len) ||
	    strcmp(info.name, engine_map_names[m]) ||
	    info.key_size != sizeof(__u32))
		return false;
	if (m == EM_TENANTS)
		return info.type == BPF_MAP_TYPE_HASH &&
		       info.value_size == sizeof(struct vpmu_tenant);
	return info.type == BPF_MAP_TYPE_ARRAY && info.max_entries == 1 &&
	       info.value_size == sizeof(struct vpmu_daemon);
}

#define MAX_USED_MAPS	256

/*
 * Someone who could write the pin directory could have replaced a pin
 * with a map of their own: the daemon would then fill, and vpmuctl show,
 * a map the attached engine never reads.  Trust the link (what enforces)
 * and accept only the maps its programs use.
 */
static int check_pinned_set(struct engine *e, char *why, size_t len)
{
	struct bpf_link_info li = { 0 };
	struct bpf_map_info mi = { 0 };
	__u32 l = sizeof(li), progs[16], used[MAX_USED_MAPS], type, map_id;
	char name[BPF_OBJ_NAME_LEN];
	int np, nused = 0, i, k, fd, err;

	if (bpf_link_get_info_by_fd(e->link_fd, &li, &l) ||
	    li.type != BPF_LINK_TYPE_STRUCT_OPS) {
		snprintf(why, len,
			 "%s/" LINK_PIN " is not a struct_ops link: not adopting it",
			 e->pin_dir);
		return -EUCLEAN;
	}
	/*
	 * map_id (Linux 6.4), the union's first field; older
	 * uapi headers (the arm64 cross sysroot's) do not name it.
	 */
	memcpy(&map_id, (char *)&li + offsetof(struct bpf_link_info,
					       raw_tracepoint),
	       sizeof(map_id));
	fd = bpf_map_get_fd_by_id(map_id);
	if (fd < 0) {
		err = -errno;
		snprintf(why, len, "the struct_ops map (id %u) of %s/" LINK_PIN ": %s",
			 map_id, e->pin_dir, strerror(errno));
		return err;
	}
	l = sizeof(mi);
	if (bpf_map_get_info_by_fd(fd, &mi, &l) ||
	    strcmp(mi.name, LINK_PIN)) {
		close(fd);
		snprintf(why, len,
			 "%s/" LINK_PIN " links struct_ops map \"%s\" (id %u), not the engine's: not adopting it",
			 e->pin_dir, mi.name, map_id);
		return -EUCLEAN;
	}
	np = struct_ops_progs(fd, mi.value_size, progs, 16);
	close(fd);
	if (np <= 0) {
		snprintf(why, len,
			 "cannot read the programs of the engine linked at %s/" LINK_PIN ": %s",
			 e->pin_dir, strerror(np ? -np : ENOENT));
		return np ? np : -ENOENT;
	}
	for (i = 0; i < np; i++) {
		fd = bpf_prog_get_fd_by_id(progs[i]);
		if (fd < 0)
			continue;
		prog_maps(fd, used, &nused, MAX_USED_MAPS, &type, name);
		close(fd);
	}
	/* vpmu_refresh is pinned beside the link: it must be the engine's. */
	if (prog_maps(e->refresh_fd, used, &nused, MAX_USED_MAPS, &type,
		      name) || type != BPF_PROG_TYPE_SYSCALL ||
	    strcmp(name, REFRESH_PIN)) {
		snprintf(why, len,
			 "%s/" REFRESH_PIN " is not the engine's refresh program: a pin was replaced; not adopting it",
			 e->pin_dir);
		return -EUCLEAN;
	}
	for (i = 0; i < EM_NR; i++) {
		memset(&mi, 0, sizeof(mi));
		l = sizeof(mi);
		if (bpf_map_get_info_by_fd(e->map_fd[i], &mi, &l))
			return -errno;
		for (k = 0; k < nused && used[k] != mi.id; k++)
			;
		if (k < nused)
			continue;
		if (map_unused_by_progs(i) && map_shaped(e->map_fd[i], i))
			continue;
		snprintf(why, len,
			 "%s/%s (map id %u) is not a map of the engine attached at %s/" LINK_PIN " (struct_ops map id %u): a pin was replaced; not adopting it (see SECURITY in vpmu-policyd(8))",
			 e->pin_dir, engine_map_names[i], mi.id, e->pin_dir,
			 map_id);
		return -EUCLEAN;
	}
	return 0;
}

static int adopt(struct engine *e, const char *pin_dir, __u32 file_flags,
		 char *why, size_t len)
{
	LIBBPF_OPTS(bpf_obj_get_opts, ro, .file_flags = file_flags);
	char p[PATH_MAX];
	int i;

	init(e, pin_dir);
	e->adopted = true;
	i = engine_check_pin_dir(pin_dir, false, why, len);
	if (i)
		return i;
	i = check_pinned_abi(e, why, len);
	if (i)
		return i;
	for (i = 0; i < EM_NR; i++) {
		pin_path(e, engine_map_names[i], p);
		e->map_fd[i] = bpf_obj_get_opts(p, &ro);
		if (e->map_fd[i] < 0)
			goto fail;
	}
	pin_path(e, REFRESH_PIN, p);
	e->refresh_fd = bpf_obj_get(p);
	if (e->refresh_fd < 0)
		goto fail;
	pin_path(e, LINK_PIN, p);
	e->link_fd = bpf_obj_get(p);
	if (e->link_fd < 0)
		goto fail;
	i = check_pinned_set(e, why, len);
	if (i) {
		engine_close(e);
		return i;
	}
	return 0;
fail:
	snprintf(why, len, "cannot open the pinned engine at %s: %s", p,
		 strerror(errno));
	i = -errno;
	engine_close(e);
	return i;
}

int engine_adopt(struct engine *e, const char *pin_dir, char *why, size_t len)
{
	return adopt(e, pin_dir, 0, why, len);
}

int engine_open_rdonly(struct engine *e, const char *pin_dir, char *why,
		       size_t len)
{
	return adopt(e, pin_dir, BPF_F_RDONLY, why, len);
}

static struct bpf_map *obj_map(struct bpf_object *obj, enum engine_map m)
{
	return bpf_object__find_map_by_name(obj, engine_map_names[m]);
}

static struct bpf_map *struct_ops_map(struct bpf_object *obj)
{
	return bpf_object__find_map_by_name(obj, "vpmu_engine");
}

static struct bpf_program *refresh_prog(struct bpf_object *obj)
{
	return bpf_object__find_program_by_name(obj, "vpmu_refresh");
}

/* One of the embedded objects (bpf_objects.S), opened for loading. */
static struct bpf_object *open_embedded(const char *name, const char *start,
					const char *end)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = name);

	return bpf_object__open_mem(start, end - start, &opts);
}

static int quiet_print(enum libbpf_print_level level, const char *fmt,
		       va_list ap)
{
	/* The verifier log is long; show it only when asked to. */
	if (level == LIBBPF_DEBUG && !getenv("VPMU_DEBUG_LIBBPF"))
		return 0;
	return vfprintf(stderr, fmt, ap);
}

void engine_log_setup(void)
{
	libbpf_set_print(quiet_print);
}

int engine_load(struct engine *e, const char *pin_dir, char *why, size_t len)
{
	struct bpf_object *obj;
	int i, err;

	init(e, pin_dir);
	engine_log_setup();
	obj = open_embedded("vpmu_engine", vpmu_engine_obj, vpmu_engine_obj_end);
	if (!obj) {
		snprintf(why, len, "cannot open the engine object: %s",
			 strerror(errno));
		return -errno;
	}
	err = bpf_object__load(obj);
	if (err) {
		snprintf(why, len,
			 "the kernel refused the engine: %s (VPMU_DEBUG_LIBBPF=1 shows the verifier log)",
			 strerror(-err));
		bpf_object__close(obj);
		return err;
	}
	e->obj = obj;
	for (i = 0; i < EM_NR; i++)
		e->map_fd[i] = bpf_map__fd(obj_map(obj, i));
	e->refresh_fd = bpf_program__fd(refresh_prog(obj));
	return 0;
}

int engine_attach_and_pin(struct engine *e, char *why, size_t len)
{
	struct bpf_object *obj = e->obj;
	struct bpf_link *link;
	char p[PATH_MAX];
	int i, err;

	err = engine_check_pin_dir(e->pin_dir, true, why, len);
	if (err)
		return err;
	for (i = 0; i < EM_NR; i++) {
		pin_path(e, engine_map_names[i], p);
		err = bpf_map__pin(obj_map(obj, i), p);
		if (err)
			goto fail;
	}
	pin_path(e, REFRESH_PIN, p);
	err = bpf_program__pin(refresh_prog(obj), p);
	if (err)
		goto fail;
	link = bpf_map__attach_struct_ops(struct_ops_map(obj));
	if (!link) {
		err = -errno;
		snprintf(p, sizeof(p), "attaching kvm_pmu_policy_ops");
		goto fail;
	}
	pin_path(e, LINK_PIN, p);
	err = bpf_link__pin(link, p);
	if (err) {
		bpf_link__destroy(link);
		goto fail;
	}
	e->link_fd = dup(bpf_link__fd(link));
	/* The pin keeps it attached after we exit. */
	bpf_link__disconnect(link);
	bpf_link__destroy(link);
	return 0;
fail:
	snprintf(why, len, "%s: %s", p, strerror(-err));
	engine_unpin(e->pin_dir);
	return err;
}

bool engine_pinned_link_ok(const char *pin_dir)
{
	struct bpf_link_info info;
	__u32 len = sizeof(info);
	char p[PATH_MAX];
	bool ok;
	int fd;

	snprintf(p, sizeof(p), "%s/" LINK_PIN, pin_dir);
	fd = bpf_obj_get(p);
	if (fd < 0)
		return false;
	memset(&info, 0, sizeof(info));
	ok = !bpf_link_get_info_by_fd(fd, &info, &len) &&
	     info.type == BPF_LINK_TYPE_STRUCT_OPS;
	close(fd);
	return ok;
}

/* Pins of earlier ABIs that this one does not have. */
static const char *const old_pins[] = {
	"policies",		/* ABI 1: every policy in one map-of-maps */
	"cgroup_policy",	/* ABI 2: the cgroup fallback */
};

int engine_take_over(struct engine *e, char *why, size_t len)
{
	struct bpf_object *obj = e->obj;
	struct bpf_link *link;
	char p[PATH_MAX];
	size_t k;
	int i, err;

	pin_path(e, LINK_PIN, p);
	link = bpf_link__open(p);
	if (!link) {
		err = -errno;
		snprintf(why, len, "cannot open the pinned link %s: %s", p,
			 strerror(errno));
		return err;
	}
	/* The kernel puts this engine in the old one's place, then tells it
	 * about every VM (its vm_init keeps the entries written already). */
	err = bpf_link__update_map(link, struct_ops_map(obj));
	if (err) {
		snprintf(why, len,
			 "cannot swap this engine into the pinned link %s: %s (the old engine stays attached)",
			 p, strerror(-err));
		bpf_link__destroy(link);
		return err;
	}
	e->link_fd = dup(bpf_link__fd(link));
	bpf_link__disconnect(link);
	bpf_link__destroy(link);
	/* The old maps' pins point at maps nothing uses now: replace them. */
	for (k = 0; k < sizeof(old_pins) / sizeof(old_pins[0]); k++) {
		pin_path(e, old_pins[k], p);
		unlink(p);
	}
	for (i = 0; i < EM_NR; i++) {
		pin_path(e, engine_map_names[i], p);
		unlink(p);
		err = bpf_map__pin(obj_map(obj, i), p);
		if (err)
			goto fail;
	}
	pin_path(e, REFRESH_PIN, p);
	unlink(p);
	err = bpf_program__pin(refresh_prog(obj), p);
	if (err)
		goto fail;
	return 0;
fail:
	/* Attached and enforcing; only the pins for restarts are missing. */
	snprintf(why, len, "the engine is attached, but pinning %s failed: %s",
		 p, strerror(-err));
	return err;
}

int engine_unpin(const char *pin_dir)
{
	char p[PATH_MAX];
	int i;

	snprintf(p, sizeof(p), "%s/" LINK_PIN, pin_dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/" REFRESH_PIN, pin_dir);
	unlink(p);
	for (i = 0; i < EM_NR; i++) {
		snprintf(p, sizeof(p), "%s/%s", pin_dir, engine_map_names[i]);
		unlink(p);
	}
	for (i = 0; i < (int)(sizeof(old_pins) / sizeof(old_pins[0])); i++) {
		snprintf(p, sizeof(p), "%s/%s", pin_dir, old_pins[i]);
		unlink(p);
	}
	return rmdir(pin_dir) && errno != ENOENT && errno != ENOTEMPTY ?
	       -errno : 0;
}

void engine_close(struct engine *e)
{
	int i;

	if (e->obj) {
		bpf_object__close(e->obj);
		e->obj = NULL;
	} else {
		for (i = 0; i < EM_NR; i++)
			if (e->map_fd[i] >= 0)
				close(e->map_fd[i]);
		if (e->refresh_fd >= 0)
			close(e->refresh_fd);
	}
	if (e->link_fd >= 0)
		close(e->link_fd);
	for (i = 0; i < EM_NR; i++)
		e->map_fd[i] = -1;
	e->refresh_fd = e->link_fd = -1;
}

int engine_set_config(struct engine *e, const struct vpmu_config *c)
{
	__u32 zero = 0;

	return bpf_map_update_elem(e->map_fd[EM_CONFIG], &zero, c, BPF_ANY) ?
	       -errno : 0;
}

int engine_get_config(struct engine *e, struct vpmu_config *c)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(e->map_fd[EM_CONFIG], &zero, c) ? -errno : 0;
}

struct vpmu_policy_maps engine_policy_maps(const struct engine *e)
{
	struct vpmu_policy_maps m = { .class_fd = e->map_fd[EM_POLICY_CLASS] };
	int c;

	for (c = 0; c < VPMU_POLICY_CLASSES; c++)
		m.outer_fd[c] = e->map_fd[EM_POLICIES_16 + c];
	return m;
}

int engine_publish(struct engine *e, __u32 id,
		   const struct vpmu_policy_header *hdr,
		   const struct vpmu_rule *rules, size_t nr)
{
	struct vpmu_policy_maps m = engine_policy_maps(e);

	return vpmu_policy_publish(&m, id, hdr, rules, nr);
}

int engine_drop_policy(struct engine *e, __u32 id)
{
	struct vpmu_policy_maps m = engine_policy_maps(e);

	return vpmu_policy_drop(&m, id);
}

int engine_read_policy(struct engine *e, __u32 id,
		       struct vpmu_policy_header *hdr,
		       struct vpmu_rule **rules, size_t *nr)
{
	struct vpmu_policy_maps m = engine_policy_maps(e);
	int fd = vpmu_policy_open(&m, id), err = 0;
	struct vpmu_rule *r;
	__u32 i, k;

	if (fd < 0)
		return fd;
	k = 0;
	if (bpf_map_lookup_elem(fd, &k, hdr)) {
		err = -errno;
		goto out;
	}
	*nr = hdr->nr_rules < VPMU_MAX_RULES ? hdr->nr_rules : VPMU_MAX_RULES;
	r = calloc(*nr + 1, sizeof(*r));
	if (!r) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < *nr; i++) {
		k = i + 1;
		if (bpf_map_lookup_elem(fd, &k, &r[i])) {
			err = -errno;
			free(r);
			goto out;
		}
	}
	*rules = r;
out:
	close(fd);
	return err;
}

int engine_refresh(struct engine *e, uint64_t vm_id)
{
	struct refresh_args args = { .vm_id = vm_id };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = &args,
		    .ctx_size_in = sizeof(args));

	/* A SYSCALL program's context is copied back to ctx_in. */
	if (bpf_prog_test_run_opts(e->refresh_fd, &opts))
		return -errno;
	return args.ret;
}

uint64_t engine_drops(const struct engine *e, unsigned int which)
{
	__u64 n = 0;

	bpf_map_lookup_elem(e->map_fd[EM_DROPS], &which, &n);
	return n;
}

static int cmp_found(const void *a, const void *b)
{
	const struct vpmu_vm_found *x = a, *y = b;

	return x->vm_id < y->vm_id ? -1 : x->vm_id > y->vm_id;
}

int engine_find_vms(struct vpmu_vm_found **out)
{
	struct vpmu_vm_found *v = NULL, rec;
	size_t n = 0, cap = 0, i, k;
	struct bpf_object *obj;
	struct bpf_link *link;
	int fd, err = 0;
	ssize_t got;
	void *p;

	engine_log_setup();
	obj = open_embedded("vpmu_vms", vpmu_vms_obj, vpmu_vms_obj_end);
	if (!obj)
		return -errno;
	if (bpf_object__load(obj)) {
		err = -errno;
		goto out;
	}
	link = bpf_program__attach_iter(
		bpf_object__find_program_by_name(obj, "vpmu_find_vms"), NULL);
	if (!link) {
		err = -errno;
		goto out;
	}
	fd = bpf_iter_create(bpf_link__fd(link));
	if (fd < 0) {
		err = -errno;
		goto out_link;
	}
	while ((got = read(fd, &rec, sizeof(rec))) == sizeof(rec)) {
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			p = realloc(v, cap * sizeof(*v));
			if (!p) {
				err = -ENOMEM;
				break;
			}
			v = p;
		}
		v[n++] = rec;
	}
	if (got < 0)
		err = -errno;
	close(fd);
	if (!err) {
		qsort(v, n, sizeof(*v), cmp_found);
		for (i = 0, k = 0; i < n; i++)
			if (!k || v[k - 1].vm_id != v[i].vm_id)
				v[k++] = v[i];
		*out = v;
		v = NULL;
		err = k;
	}
out_link:
	bpf_link__destroy(link);
out:
	free(v);
	bpf_object__close(obj);
	return err;
}
