/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A string -> uint32 hash map (open addressing), so that the daemon's
 * per-tenant bookkeeping stays linear with 10,000 tenants.
 */
#ifndef VPMUD_STRMAP_H
#define VPMUD_STRMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct strmap_slot;

struct strmap {
	struct strmap_slot *slots;
	size_t cap;		/* a power of two, or 0 */
	size_t used;		/* live + deleted slots */
	size_t n;		/* live entries */
};

/* Set @key (copied) to @val; false only when out of memory. */
bool strmap_put(struct strmap *m, const char *key, uint32_t val);
bool strmap_get(const struct strmap *m, const char *key, uint32_t *val);
void strmap_del(struct strmap *m, const char *key);
void strmap_clear(struct strmap *m);
/* The keys (malloc'ed copies in a malloc'ed array of *@n), NULL on ENOMEM. */
char **strmap_keys(const struct strmap *m, size_t *n);

#endif /* VPMUD_STRMAP_H */
