// SPDX-License-Identifier: GPL-2.0
/*
 * bpf_smoke: the test kernel's BPF stack works from a libbpf program
 * carried in the initramfs: the object opens, the verifier accepts it,
 * BPF_PROG_TEST_RUN runs it, and its map is readable.  Every later BPF
 * test relies on this chain (clang -> .bpf.o -> libbpf -> verifier).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../lib/libbpf_tap.h"
#include "../lib/tap.h"

#define OBJ_PATH "/tests/smoke.bpf.o"
#define REPEAT	 5

int main(void)
{
	unsigned char pkt[64] = { 0 };
	struct bpf_program *prog;
	struct bpf_object *obj;
	__u64 runs = 0;
	__u32 key = 0;
	int err, map_fd;
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt,
		    .data_size_in = sizeof(pkt), .repeat = REPEAT);

	tap_libbpf_quiet();
	tap_plan(5);
	obj = bpf_object__open_file(OBJ_PATH, NULL);
	if (!tap_check(obj != NULL, "libbpf opens %s", OBJ_PATH))
		tap_bail("cannot open the object: %s", strerror(errno));
	err = bpf_object__load(obj);
	if (!tap_check(err == 0, "the verifier accepts the program"))
		tap_bail("load failed: %s", strerror(-err));
	prog = bpf_object__find_program_by_name(obj, "smoke");
	tap_check(prog != NULL, "the program is found by name");
	err = bpf_prog_test_run_opts(bpf_program__fd(prog), &opts);
	tap_check(err == 0 && opts.retval == 42,
		  "BPF_PROG_TEST_RUN returns the program's verdict (err %d, "
		  "retval %u)",
		  err, opts.retval);
	map_fd = bpf_object__find_map_fd_by_name(obj, "runs");
	err = bpf_map_lookup_elem(map_fd, &key, &runs);
	tap_check(err == 0 && runs == REPEAT,
		  "the map counted %d runs (got %llu)", REPEAT,
		  (unsigned long long)runs);
	bpf_object__close(obj);
	return tap_finish();
}
