/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A strict RFC 8259 JSON parser that records where every value and key
 * starts, so that policy errors can be reported as file:line:column.
 *
 * Beyond the RFC: the input must be valid UTF-8 (a leading BOM is
 * skipped), keys must be unique within an object and must not contain
 * \u0000, and arrays and objects nest at most 64 deep.
 *
 * A document is also held to a budget, since policy files may come from
 * tenants: at most JSON_MAX_VALUES values, and at most JSON_MAX_BYTES of
 * heap for the tree (malloc's chunk overhead included, a block that is
 * being grown counted once).  Without it, 4 MiB of "[0,0,...]" took
 * 208 MiB.
 */
#ifndef VPMU_DAEMON_JSON_H
#define VPMU_DAEMON_JSON_H

#include <stdbool.h>
#include <stddef.h>

#define JSON_MAX_VALUES 500000u
#define JSON_MAX_BYTES	(64u << 20)

enum json_type {
	JSON_NULL,
	JSON_BOOL,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT
};

/* 1-based; col counts UTF-8 characters, a tab is 1 */
struct json_pos {
	unsigned int line, col;
};

struct json_value;
struct json_member {
	char *key;		 /* NUL-terminated, unescaped */
	struct json_pos key_pos; /* of the opening quote of the key */
	struct json_value *value;
};

struct json_value {
	enum json_type type;
	struct json_pos pos; /* first character of the value */
	union {
		bool boolean;
		struct {
			/* the lexeme as written, NUL-terminated copy */
			const char *text;
			/* no fraction/exponent */
			bool is_integer;
			bool negative;
			/* |value| if is_integer and it fits in 64 bits */
			unsigned long long magnitude;
			/* integer lexeme did not fit in 64 bits */
			bool overflow;
			/* nearest double, even if an integer; maybe inf */
			double real;
		} number;
		/* unescaped, NUL-terminated; may contain NUL if \u0000 */
		struct {
			char *s;
			size_t len;
		} string;
		struct {
			struct json_value **items;
			size_t n;
		} array;
		/* in source order */
		struct {
			struct json_member *members;
			size_t n;
		} object;
	};
};

struct json_error {
	struct json_pos pos; /* where the problem is */
	/* e.g. "expected ',' or '}' after an object member, found 'x'" */
	char msg[160];
};

/*
 * Parse @len bytes.  Returns NULL and fills @err (if not NULL) on error;
 * only the first error is reported.
 */
struct json_value *json_parse(const char *text, size_t len,
			      struct json_error *err);
void json_free(struct json_value *v);
/* The member named @key of object @obj, or NULL (also if @obj is no object). */
const struct json_member *json_member(const struct json_value *obj,
				      const char *key);
/* "null", "a boolean", "a number", "a string", "an array", "an object" */
const char *json_type_name(enum json_type t);

#endif /* VPMU_DAEMON_JSON_H */
