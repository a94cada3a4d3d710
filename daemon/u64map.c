// SPDX-License-Identifier: GPL-2.0
/* uint64 -> uint64 map: linear probing, tombstones, doubling. */
#include <stdlib.h>

#include "u64map.h"

enum { EMPTY, LIVE, DELETED };

struct u64map_slot {
	uint64_t key;
	uint64_t val;
	uint8_t state;
};

static size_t hash(uint64_t k, size_t mask)
{
	/* VM and cgroup ids are sequential: spread them (splitmix64). */
	k ^= k >> 30;
	k *= 0xbf58476d1ce4e5b9ULL;
	k ^= k >> 27;
	k *= 0x94d049bb133111ebULL;
	k ^= k >> 31;
	return k & mask;
}

static struct u64map_slot *find(const struct u64map *m, uint64_t key)
{
	size_t i, mask = m->cap - 1;

	if (!m->cap)
		return NULL;
	for (i = hash(key, mask);; i = (i + 1) & mask) {
		struct u64map_slot *s = &m->slots[i];

		if (s->state == EMPTY)
			return NULL;
		if (s->state == LIVE && s->key == key)
			return s;
	}
}

static bool grow(struct u64map *m)
{
	struct u64map_slot *old = m->slots;
	size_t old_cap = m->cap, i, j, mask;

	m->cap = old_cap ? 2 * old_cap : 64;
	/* Only live entries move: tombstones go. */
	while (m->n * 2 >= m->cap)
		m->cap *= 2;
	m->slots = calloc(m->cap, sizeof(*m->slots));
	if (!m->slots) {
		m->slots = old;
		m->cap = old_cap;
		return false;
	}
	mask = m->cap - 1;
	for (i = 0; i < old_cap; i++) {
		if (old[i].state != LIVE)
			continue;
		for (j = hash(old[i].key, mask); m->slots[j].state; j = (j + 1) & mask)
			;
		m->slots[j] = old[i];
	}
	m->used = m->n;
	free(old);
	return true;
}

bool u64map_put(struct u64map *m, uint64_t key, uint64_t val)
{
	struct u64map_slot *s = find(m, key);
	size_t i, mask;

	if (s) {
		s->val = val;
		return true;
	}
	/* At most half full, tombstones included: probes stay short. */
	if ((m->used + 1) * 2 > m->cap && !grow(m))
		return false;
	mask = m->cap - 1;
	for (i = hash(key, mask); m->slots[i].state == LIVE; i = (i + 1) & mask)
		;
	if (m->slots[i].state == EMPTY)
		m->used++;
	m->slots[i] = (struct u64map_slot){ .key = key, .val = val, .state = LIVE };
	m->n++;
	return true;
}

bool u64map_get(const struct u64map *m, uint64_t key, uint64_t *val)
{
	const struct u64map_slot *s = find(m, key);

	if (s && val)
		*val = s->val;
	return s;
}

void u64map_del(struct u64map *m, uint64_t key)
{
	struct u64map_slot *s = find(m, key);

	if (!s)
		return;
	s->state = DELETED;
	m->n--;
}

void u64map_clear(struct u64map *m)
{
	free(m->slots);
	*m = (struct u64map){ 0 };
}
