/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Typed access to parsed JSON with errors that name the file, the place
 * and the problem: unknown keys (with a suggestion), wrong types, values
 * out of range.  Shared by the tenant policy and main config readers.
 */
#ifndef VPMUD_SCHEMA_H
#define VPMUD_SCHEMA_H

#include <stdbool.h>

#include "diag.h"
#include "json.h"

struct schema {
	const char *file;
	struct diag *d;
};

/*
 * Report every member of object @obj whose key is not in the
 * NULL-terminated @keys; @what names the object ("the tenant").
 */
bool schema_known_keys(const struct schema *s, const struct json_value *obj,
		       const char *const *keys, const char *what);
/* @v (the value of @key) must have type @t. */
bool schema_type(const struct schema *s, const struct json_value *v,
		 const char *key, enum json_type t);
bool schema_bool(const struct schema *s, const struct json_value *v,
		 const char *key, bool *out);
bool schema_string(const struct schema *s, const struct json_value *v,
		   const char *key, const char **out);
/*
 * An unsigned integer no larger than @max: a JSON integer, or a string
 * holding a decimal or 0x-prefixed hexadecimal number (so that encodings
 * can be written as the manuals write them).
 */
bool schema_uint(const struct schema *s, const struct json_value *v,
		 const char *key, unsigned long long max,
		 unsigned long long *out);
bool schema_int(const struct schema *s, const struct json_value *v,
		const char *key, long long min, long long max, long long *out);
/* One of the NULL-terminated @names: returns its index, or -1. */
int schema_enum(const struct schema *s, const struct json_value *v,
		const char *key, const char *const *names);
/* Parse @text as an unsigned number (decimal or 0x hex); false if not one. */
bool schema_parse_uint(const char *text, unsigned long long *out);
/* Levenshtein distance, capped at 255: for "did you mean". */
unsigned int schema_distance(const char *a, const char *b);

#endif /* VPMUD_SCHEMA_H */
