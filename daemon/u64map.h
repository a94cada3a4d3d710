/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A uint64 -> uint64 hash map (open addressing), for the daemon's
 * per-VM and per-cgroup lookups: with 1,000 VMs a pass over them stays
 * linear, not quadratic.
 */
#ifndef VPMUD_U64MAP_H
#define VPMUD_U64MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct u64map_slot;

struct u64map {
	struct u64map_slot *slots;
	size_t cap;		/* a power of two, or 0 */
	size_t used;		/* live + deleted slots */
	size_t n;		/* live entries */
};

/* Set @key to @val; false only when out of memory. */
bool u64map_put(struct u64map *m, uint64_t key, uint64_t val);
bool u64map_get(const struct u64map *m, uint64_t key, uint64_t *val);
void u64map_del(struct u64map *m, uint64_t key);
void u64map_clear(struct u64map *m);

#endif /* VPMUD_U64MAP_H */
