// SPDX-License-Identifier: GPL-2.0
/* strmap: the daemon's string -> id map, at the sizes the daemon uses. */
#include <stdio.h>

#include "../lib/tap.h"
#include "strmap.h"

#define N 20000

int main(void)
{
	struct strmap m = { 0 };
	bool all = true, ok;
	uint32_t v, i;
	char key[32];

	tap_plan(8);
	tap_check(!strmap_get(&m, "x", &v), "an empty map has no keys");
	for (i = 0; i < N; i++) {
		snprintf(key, sizeof(key), "tenant-%u", i);
		all &= strmap_put(&m, key, i);
	}
	tap_check(all && m.n == N, "%d keys put (n = %zu)", N, m.n);
	for (i = 0, all = true; i < N; i++) {
		snprintf(key, sizeof(key), "tenant-%u", i);
		all &= strmap_get(&m, key, &v) && v == i;
	}
	tap_check(all, "every key maps to its value after the map grew");
	tap_check(strmap_put(&m, "tenant-7", 99) && strmap_get(&m, "tenant-7", &v) &&
		  v == 99 && m.n == N, "putting an existing key replaces its value");
	for (i = 0; i < N; i += 2) {
		snprintf(key, sizeof(key), "tenant-%u", i);
		strmap_del(&m, key);
	}
	for (i = 0, all = true; i < N; i++) {
		snprintf(key, sizeof(key), "tenant-%u", i);
		ok = strmap_get(&m, key, &v);
		all &= (i % 2) ? ok && (i == 7 ? v == 99 : v == i) : !ok;
	}
	tap_check(all && m.n == N / 2, "deleting every other key leaves exactly the rest");
	for (i = 0, all = true; i < N; i += 2) {
		snprintf(key, sizeof(key), "tenant-%u", i);
		all &= strmap_put(&m, key, i + 1);
	}
	tap_check(all && m.n == N, "deleted keys can be put again (tombstones reused)");
	tap_check(strmap_get(&m, "tenant-0", &v) && v == 1, "and read back");
	strmap_clear(&m);
	tap_check(!strmap_get(&m, "tenant-1", &v) && m.n == 0, "clear empties the map");
	return tap_finish();
}
