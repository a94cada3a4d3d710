// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests' access to the engine's decision code: see decide_prog.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../../lib/policy_image.h"
#include "../../lib/policy_maps.h"
#include "decide_prog.h"
#include "libbpf_tap.h"
#include "tap.h"
#include "decide_test.skel.h"

struct decide_args {
	struct vpmu_query q;
	__u32 policy_id;
	__s32 verdict;
};

static struct decide_test *skel;

bool dp_start(int checks)
{
	tap_libbpf_quiet();
	skel = decide_test__open_and_load();
	if (!skel) {
		if (errno == EPERM || errno == EACCES)
			tap_skip_all("loading BPF needs root (CAP_BPF): %s",
				     strerror(errno));
		tap_plan(1);
		tap_check(false, "the host verifier accepts the decision code: %s",
			  strerror(errno));
		return false;
	}
	tap_plan(checks + 1);
	tap_check(true, "the host verifier accepts the decision code");
	return true;
}

int dp_prog_fd(void)
{
	return bpf_program__fd(skel->progs.decide);
}

void dp_close(void)
{
	decide_test__destroy(skel);
	skel = NULL;
}

struct vpmu_policy_maps dp_maps(void)
{
	return VPMU_POLICY_MAPS_OF(skel);
}

void dp_publish(int fd)
{
	struct vpmu_policy_maps m = dp_maps();
	int err;

	if (fd < 0)
		tap_bail("laying out a policy: %s", strerror(-fd));
	err = vpmu_policy_publish_fd(&m, DP_POLICY_ID, fd);
	if (err)
		tap_bail("publishing a policy: %s", strerror(-err));
	close(fd);
}

void dp_load(struct vpmu_rule *rules, unsigned int nr, int dflt)
{
	struct vpmu_policy_header h = vpmu_policy_header(nr, dflt);

	qsort(rules, nr, sizeof(*rules), dp_cmp_rule);
	dp_publish(vpmu_policy_map_create(&h, rules, nr, "test_policy"));
}

int dp_decide(const struct vpmu_query *q)
{
	struct decide_args args = { .q = *q, .policy_id = DP_POLICY_ID,
				    .verdict = -1 };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = &args,
		    .ctx_size_in = sizeof(args));

	if (bpf_prog_test_run_opts(bpf_program__fd(skel->progs.decide), &opts) ||
	    opts.retval)
		tap_bail("running decide: %s (retval %u)", strerror(errno),
			 opts.retval);
	return args.verdict;
}

int dp_cmp_rule(const void *a, const void *b)
{
	const struct vpmu_rule *x = a, *y = b;
	__u64 kx = vpmu_rule_key(x->space, x->event);
	__u64 ky = vpmu_rule_key(y->space, y->event);

	return kx < ky ? -1 : kx > ky;
}

struct vpmu_rule dp_x86(__u32 sel, __u8 mask, __u8 match, int action,
			int flags)
{
	return (struct vpmu_rule){ .event = sel, .space = VPMU_SPACE_X86_GP,
				   .action = action, .flags = flags,
				   .kinds = VPMU_KIND_ANY, .umask_mask = mask,
				   .umask_match = match };
}

struct vpmu_rule dp_arm(__u32 ev, int action, int kinds, int flags)
{
	return (struct vpmu_rule){ .event = ev, .space = VPMU_SPACE_ARM64,
				   .action = action, .flags = flags,
				   .kinds = kinds };
}

struct vpmu_query dp_qx86(__u32 sel, __u8 umask)
{
	return (struct vpmu_query){ .event = sel, .unit_mask = umask,
				    .space = VPMU_SPACE_X86_GP, .kind = K_GP,
				    .raw_selector = (sel & 0xff) | (umask << 8) |
						    ((__u64)(sel >> 8) << 32) };
}

struct vpmu_query dp_qarm(__u32 ev, int kind)
{
	return (struct vpmu_query){ .event = ev, .space = VPMU_SPACE_ARM64,
				    .kind = kind, .raw_selector = ev };
}
