// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_json: libFuzzer target for the daemon's JSON parser.  Policy files
 * may come from tenants, so any input must parse or fail cleanly; with
 * ASan and UBSan that covers memory safety, and the walk below checks
 * what callers rely on: every node reachable, positions that move
 * forward through the text, unique keys that json_member() finds.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined \
 *	selftests/daemon/fuzz_json.c daemon/json.c -o fuzz_json
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../daemon/json.h"

#define CHECK(cond)                       \
	do {                              \
		if (!(cond))              \
			__builtin_trap(); \
	} while (0)

static bool before(struct json_pos a, struct json_pos b)
{
	return a.line < b.line || (a.line == b.line && a.col < b.col);
}

/* Check @v and everything below it; children start after their parent. */
static void walk(const struct json_value *v, unsigned int lines)
{
	const struct json_member *m;
	struct json_pos prev = v->pos;
	size_t i;

	CHECK(v->pos.line >= 1 && v->pos.line <= lines && v->pos.col >= 1);
	CHECK(json_type_name(v->type)[0]);
	switch (v->type) {
	case JSON_NULL:
	case JSON_BOOL:
		break;
	case JSON_NUMBER:
		CHECK(v->number.text && v->number.text[0]);
		CHECK(v->number.negative == (v->number.text[0] == '-'));
		if (!v->number.is_integer || v->number.overflow)
			CHECK(!v->number.magnitude);
		break;
	case JSON_STRING:
		CHECK(v->string.s[v->string.len] == '\0');
		CHECK(strlen(v->string.s) <= v->string.len);
		break;
	case JSON_ARRAY:
		for (i = 0; i < v->array.n; i++) {
			CHECK(v->array.items[i]);
			CHECK(before(prev, v->array.items[i]->pos));
			walk(v->array.items[i], lines);
			prev = v->array.items[i]->pos;
		}
		break;
	case JSON_OBJECT:
		for (i = 0; i < v->object.n; i++) {
			m = &v->object.members[i];
			CHECK(m->value);
			CHECK(before(prev, m->key_pos));
			CHECK(before(m->key_pos, m->value->pos));
			/* keys are unique, so this finds m itself */
			CHECK(json_member(v, m->key) == m);
			walk(m->value, lines);
			prev = m->value->pos;
		}
		break;
	default:
		CHECK(0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned int lines = 1;
	struct json_error err;
	struct json_value *v;
	size_t i;

	for (i = 0; i < size; i++)
		lines += data[i] == '\n';
	memset(&err, 0xa5, sizeof(err));
	v = json_parse((const char *)data, size, &err);
	if (v) {
		walk(v, lines);
		json_free(v);
	} else {
		CHECK(err.pos.line >= 1 && err.pos.line <= lines);
		CHECK(err.pos.col >= 1 && err.pos.col <= size + 1);
		CHECK(memchr(err.msg, '\0', sizeof(err.msg)) && err.msg[0]);
	}
	return 0;
}
