// SPDX-License-Identifier: GPL-2.0
/* Typed access to parsed JSON, reporting what is wrong and where. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esc.h"
#include "schema.h"

unsigned int schema_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	unsigned int row[64], prev, tmp, best;

	if (la >= 63 || lb >= 63)
		return 255;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			tmp = row[j];
			best = prev + (tolower((unsigned char)a[i - 1]) !=
				       tolower((unsigned char)b[j - 1]));
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = tmp;
		}
	}
	return row[lb];
}

static const char *suggest(const char *key, const char *const *keys)
{
	const char *best = NULL;
	unsigned int d, best_d = 3;

	for (; *keys; keys++) {
		d = schema_distance(key, *keys);
		if (d < best_d || (d == best_d && !best && d <= 2)) {
			best = *keys;
			best_d = d;
		}
	}
	return best;
}

bool schema_known_keys(const struct schema *s, const struct json_value *obj,
		       const char *const *keys, const char *what)
{
	const char *const *k;
	const char *hint;
	bool ok = true;
	size_t i;

	for (i = 0; i < obj->object.n; i++) {
		const struct json_member *m = &obj->object.members[i];

		for (k = keys; *k && strcmp(*k, m->key); k++)
			;
		if (*k)
			continue;
		hint = suggest(m->key, keys);
		if (hint)
			diag_at(s->d, s->file, m->key_pos,
				"unknown key \"%s\" in %s (did you mean \"%s\"?)",
				ESC(m->key), what, hint);
		else
			diag_at(s->d, s->file, m->key_pos,
				"unknown key \"%s\" in %s", ESC(m->key), what);
		ok = false;
	}
	return ok;
}

bool schema_type(const struct schema *s, const struct json_value *v,
		 const char *key, enum json_type t)
{
	if (v->type == t)
		return true;
	diag_at(s->d, s->file, v->pos, "\"%s\" must be %s, not %s", ESC(key),
		json_type_name(t), json_type_name(v->type));
	return false;
}

bool schema_bool(const struct schema *s, const struct json_value *v,
		 const char *key, bool *out)
{
	if (!schema_type(s, v, key, JSON_BOOL))
		return false;
	*out = v->boolean;
	return true;
}

bool schema_string(const struct schema *s, const struct json_value *v,
		   const char *key, const char **out)
{
	if (!schema_type(s, v, key, JSON_STRING))
		return false;
	if (strlen(v->string.s) != v->string.len) {
		diag_at(s->d, s->file, v->pos, "\"%s\" must not contain NUL",
			ESC(key));
		return false;
	}
	*out = v->string.s;
	return true;
}

bool schema_parse_uint(const char *text, unsigned long long *out)
{
	char *end;
	int base = 10;

	if (text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
		base = 16;
		text += 2;
		/* strtoull() would take a second "0x" */
		if (text[0] == '0' && (text[1] == 'x' || text[1] == 'X'))
			return false;
	}
	if (!isxdigit((unsigned char)text[0]))
		return false;
	errno = 0;
	*out = strtoull(text, &end, base);
	return !errno && !*end;
}

bool schema_uint(const struct schema *s, const struct json_value *v,
		 const char *key, unsigned long long max,
		 unsigned long long *out)
{
	unsigned long long n;
	bool hex = false;

	if (v->type == JSON_STRING) {
		if (strlen(v->string.s) != v->string.len) {
			diag_at(s->d, s->file, v->pos,
				"\"%s\" must not contain NUL", ESC(key));
			return false;
		}
		if (!schema_parse_uint(v->string.s, &n)) {
			diag_at(s->d, s->file, v->pos,
				"\"%s\": \"%s\" is not a number (write 12 or \"0x0c\")",
				ESC(key), ESC(v->string.s));
			return false;
		}
		hex = v->string.s[1] == 'x' || v->string.s[1] == 'X';
	} else if (v->type == JSON_NUMBER) {
		if (!v->number.is_integer || v->number.negative ||
		    v->number.overflow) {
			diag_at(s->d, s->file, v->pos,
				"\"%s\": %s is not an unsigned integer", ESC(key),
				v->number.text);
			return false;
		}
		n = v->number.magnitude;
	} else {
		diag_at(s->d, s->file, v->pos,
			"\"%s\" must be a number or a hex string, not %s", ESC(key),
			json_type_name(v->type));
		return false;
	}
	/* In the base it was written in. */
	if (n > max) {
		diag_at(s->d, s->file, v->pos,
			hex ? "\"%s\": 0x%llx is out of range (at most 0x%llx)" :
			      "\"%s\": %llu is out of range (at most %llu)",
			ESC(key), n, max);
		return false;
	}
	*out = n;
	return true;
}

bool schema_int(const struct schema *s, const struct json_value *v,
		const char *key, long long min, long long max, long long *out)
{
	long long n;

	if (!schema_type(s, v, key, JSON_NUMBER))
		return false;
	if (!v->number.is_integer || v->number.overflow ||
	    v->number.magnitude > (1ULL << 62)) {
		diag_at(s->d, s->file, v->pos,
			"\"%s\": %s is not an integer in [%lld, %lld]", ESC(key),
			v->number.text, min, max);
		return false;
	}
	n = (long long)v->number.magnitude;
	if (v->number.negative)
		n = -n;
	if (n < min || n > max) {
		diag_at(s->d, s->file, v->pos,
			"\"%s\": %lld is out of range [%lld, %lld]", ESC(key), n,
			min, max);
		return false;
	}
	*out = n;
	return true;
}

int schema_enum(const struct schema *s, const struct json_value *v,
		const char *key, const char *const *names)
{
	char list[256] = "";
	const char *str;
	size_t len;
	int i;

	if (!schema_string(s, v, key, &str))
		return -1;
	for (i = 0; names[i]; i++)
		if (!strcmp(str, names[i]))
			return i;
	for (i = 0; names[i]; i++) {
		len = strlen(list);
		snprintf(list + len, sizeof(list) - len, "%s\"%s\"",
			 i ? (names[i + 1] ? ", " : " or ") : "", names[i]);
	}
	diag_at(s->d, s->file, v->pos, "\"%s\" must be %s, not \"%s\"",
		ESC(key), list, ESC(str));
	return -1;
}
