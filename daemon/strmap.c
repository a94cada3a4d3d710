// SPDX-License-Identifier: GPL-2.0
/* String -> uint32 map: linear probing, tombstones, doubling. */
#include <stdlib.h>
#include <string.h>

#include "strmap.h"

#define TOMBSTONE ((char *)1)

struct strmap_slot {
	char *key;		/* NULL: empty; TOMBSTONE: deleted */
	uint32_t val;
};

static uint64_t hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (*s) {
		h ^= (unsigned char)*s++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static struct strmap_slot *find(const struct strmap *m, const char *key)
{
	size_t i, mask = m->cap - 1;

	if (!m->cap)
		return NULL;
	for (i = hash(key) & mask;; i = (i + 1) & mask) {
		struct strmap_slot *s = &m->slots[i];

		if (!s->key)
			return NULL;
		if (s->key != TOMBSTONE && !strcmp(s->key, key))
			return s;
	}
}

static bool grow(struct strmap *m)
{
	struct strmap_slot *old = m->slots, *s;
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
		if (!old[i].key || old[i].key == TOMBSTONE)
			continue;
		for (j = hash(old[i].key) & mask; m->slots[j].key; j = (j + 1) & mask)
			;
		s = &m->slots[j];
		*s = old[i];
	}
	m->used = m->n;
	free(old);
	return true;
}

bool strmap_put(struct strmap *m, const char *key, uint32_t val)
{
	struct strmap_slot *s = find(m, key);
	size_t i, mask;
	char *copy;

	if (s) {
		s->val = val;
		return true;
	}
	if ((m->used + 1) * 4 >= m->cap * 3 && !grow(m))
		return false;
	copy = strdup(key);
	if (!copy)
		return false;
	mask = m->cap - 1;
	for (i = hash(key) & mask;
	     m->slots[i].key && m->slots[i].key != TOMBSTONE;
	     i = (i + 1) & mask)
		;
	if (!m->slots[i].key)
		m->used++;
	m->slots[i].key = copy;
	m->slots[i].val = val;
	m->n++;
	return true;
}

bool strmap_get(const struct strmap *m, const char *key, uint32_t *val)
{
	const struct strmap_slot *s = find(m, key);

	if (s && val)
		*val = s->val;
	return s;
}

void strmap_del(struct strmap *m, const char *key)
{
	struct strmap_slot *s = find(m, key);

	if (!s)
		return;
	free(s->key);
	s->key = TOMBSTONE;
	m->n--;
}

void strmap_clear(struct strmap *m)
{
	size_t i;

	for (i = 0; i < m->cap; i++)
		if (m->slots[i].key && m->slots[i].key != TOMBSTONE)
			free(m->slots[i].key);
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

char **strmap_keys(const struct strmap *m, size_t *n)
{
	char **keys = calloc(m->n + 1, sizeof(*keys));
	size_t i, k = 0;

	if (!keys)
		return NULL;
	for (i = 0; i < m->cap; i++) {
		if (!m->slots[i].key || m->slots[i].key == TOMBSTONE)
			continue;
		keys[k] = strdup(m->slots[i].key);
		if (!keys[k]) {
			while (k--)
				free(keys[k]);
			free(keys);
			return NULL;
		}
		k++;
	}
	*n = k;
	return keys;
}
