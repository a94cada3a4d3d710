// SPDX-License-Identifier: GPL-2.0
/*
 * test_json: the daemon's JSON parser (daemon/json.c), on the host.  The
 * daemon reports policy errors with the positions and messages the parser
 * gives, so both are checked exactly: a drift in either would point users
 * at the wrong character.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../daemon/json.h"
#include "../lib/tap.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct bad_input {
	const char *text;
	size_t len; /* 0: strlen(text) */
	unsigned int line, col;
	const char *msg;
};

static const struct bad_input bad_inputs[] = {
	{ "", 0, 1, 1, "expected a value, found end of input" },
	{ "  \n\t ", 0, 2, 3, "expected a value, found end of input" },
	{ "// comment\n1", 0, 1, 1, "expected a value, found '/'" },
	{ "'a'", 0, 1, 1, "expected a value, found \"'\"" },
	{ "NaN", 0, 1, 1, "expected a value, found 'N'" },
	{ "-Infinity", 0, 1, 2, "expected a digit after '-', found 'I'" },
	{ ".5", 0, 1, 1, "expected a value, found '.'" },
	{ "+1", 0, 1, 1, "expected a value, found '+'" },
	{ "01", 0, 1, 2,
	  "numbers must not have leading zeros, found '1' after '0'" },
	{ "[-]", 0, 1, 3, "expected a digit after '-', found ']'" },
	{ "1.", 0, 1, 3, "expected a digit after '.', found end of input" },
	{ "1.e5", 0, 1, 3, "expected a digit after '.', found 'e'" },
	{ "1e+", 0, 1, 4,
	  "expected a digit in the exponent, found end of input" },
	{ "tru", 0, 1, 4, "expected 'e' in 'true', found end of input" },
	{ "nul1", 0, 1, 4, "expected 'l' in 'null', found '1'" },
	{ "True", 0, 1, 1, "expected a value, found 'T'" },
	{ "[1,]", 0, 1, 4, "expected a value after ',', found ']'" },
	{ "[1 2]", 0, 1, 4,
	  "expected ',' or ']' after an array element, found '2'" },
	{ "[1,\n2", 0, 2, 2,
	  "expected ',' or ']' after an array element, found end of input" },
	{ "[\x01]", 0, 1, 2, "expected a value or ']', found '\\x01'" },
	{ "{\"a\":1,}", 0, 1, 8, "expected a string key after ',', found '}'" },
	{ "{a:1}", 0, 1, 2, "expected a string key or '}', found 'a'" },
	{ "{\"a\" 1}", 0, 1, 6, "expected ':' after an object key, found '1'" },
	{ "{\"a\":}", 0, 1, 6, "expected a value after ':', found '}'" },
	{ "{\"a\":1 \"b\":2}", 0, 1, 8,
	  "expected ',' or '}' after an object member, found '\"'" },
	{ "[1] x", 0, 1, 5,
	  "expected end of input after the value, found 'x'" },
	{ "{}}", 0, 1, 3, "expected end of input after the value, found '}'" },
	{ "[1]\0", 4, 1, 4,
	  "expected end of input after the value, found '\\x00'" },
	{ "1\r\n\r\n x", 0, 3, 2,
	  "expected end of input after the value, found 'x'" },
	{ "1\r x", 0, 1, 4,
	  "expected end of input after the value, found 'x'" },
	{ "\"\xc3\xa9\" x", 0, 1, 5,
	  "expected end of input after the value, found 'x'" },
	{ "\xc3\xa9", 0, 1, 1, "expected a value, found U+00E9" },
	{ "\xef\xbb\xbf\xef\xbb\xbf", 0, 1, 1,
	  "expected a value, found U+FEFF" },
	{ "{\n  \"abc", 0, 2, 3, "unterminated string" },
	{ "\"abc\\", 0, 1, 1, "unterminated string" },
	{ "[\"\\u12", 0, 1, 2, "unterminated string" },
	{ "\"a\tb\"", 0, 1, 3,
	  "control characters in strings must be escaped, found '\\x09'" },
	{ "[\"a\n\"]", 0, 1, 4,
	  "control characters in strings must be escaped, found '\\x0a'" },
	{ "\"\\q\"", 0, 1, 3,
	  "expected one of \"\\/bfnrtu after '\\', found 'q'" },
	{ "\"\\u12G4\"", 0, 1, 6,
	  "expected a hex digit in a \\u escape, found 'G'" },
	{ "\"ab\\uD800\"", 0, 1, 4,
	  "high surrogate \\uD800 without a low surrogate after it" },
	{ "\"\\udbff\\u0041\"", 0, 1, 2,
	  "high surrogate \\uDBFF without a low surrogate after it" },
	{ "\"\\uDC00\\uD800\"", 0, 1, 2,
	  "low surrogate \\uDC00 without a high surrogate before it" },
	{ "\"a\xff\"", 0, 1, 3, "invalid UTF-8 byte '\\xff'" },
	{ "[\x80]", 0, 1, 2, "invalid UTF-8 byte '\\x80'" },
	{ "\"\xc0\xaf\"", 0, 1, 2, "invalid UTF-8 byte '\\xc0'" },
	{ "\"\xc3\x28\"", 0, 1, 2, "invalid UTF-8 sequence '\\xc3\\x28'" },
	{ "\"\xe0\x80\x80\"", 0, 1, 2, "invalid UTF-8 sequence '\\xe0\\x80'" },
	{ "\"\xed\xa0\x80\"", 0, 1, 2, "invalid UTF-8 sequence '\\xed\\xa0'" },
	{ "\"\xf4\x90\x80\x80\"", 0, 1, 2,
	  "invalid UTF-8 sequence '\\xf4\\x90'" },
	{ "\"\xe2\x82", 0, 1, 2,
	  "truncated UTF-8 sequence '\\xe2\\x82' at end of input" },
	{ "{\"a\": 1,\n \"b\": 2,\n \"a\": 3}", 0, 3, 2,
	  "duplicate key \"a\" (first at line 1, column 2)" },
	{ "{\"a\":1,\"\\u0061\":2}", 0, 1, 8,
	  "duplicate key \"a\" (first at line 1, column 2)" },
	{ "{\"q\\\"\\n\":{},\"q\\\"\\n\":[]}", 0, 1, 13,
	  "duplicate key \"q\\\"\\x0a\" (first at line 1, column 2)" },
	{ "{\"\":1,\"\":2}", 0, 1, 7,
	  "duplicate key \"\" (first at line 1, column 2)" },
	{ "{\"a\\u0000\":1}", 0, 1, 4, "object keys must not contain \\u0000" },
};

/* The checks outside bad_inputs[], to plan for. */
#define FIXED_CHECKS 77

static struct json_value *parse(const char *text)
{
	struct json_error err;
	struct json_value *v = json_parse(text, strlen(text), &err);

	if (!v)
		tap_diag("unexpected error %u:%u: %s", err.pos.line,
			 err.pos.col, err.msg);
	return v;
}

static bool pos_is(struct json_pos pos, unsigned int line, unsigned int col)
{
	if (pos.line == line && pos.col == col)
		return true;
	tap_diag("  at %u:%u, expected %u:%u", pos.line, pos.col, line, col);
	return false;
}

static const struct json_value *get(const struct json_value *obj,
				    const char *key)
{
	const struct json_member *m = json_member(obj, key);

	return m ? m->value : NULL;
}

static void test_types(void)
{
	static const char *const names[] = {
		"null",	    "a boolean", "a number",
		"a string", "an array",	 "an object",
	};
	struct json_value *v = parse("{\"n\": null, \"t\": true, \"f\": false, "
				     "\"x\": 1, \"s\": \"\", \"a\": [], "
				     "\"o\": {}}");
	const struct json_value *x;
	unsigned int t;

	if (!tap_check(v && v->type == JSON_OBJECT && v->object.n == 7,
		       "an object of seven members"))
		tap_bail("cannot go on");
	x = get(v, "n");
	tap_check(x && x->type == JSON_NULL, "null");
	x = get(v, "t");
	tap_check(x && x->type == JSON_BOOL && x->boolean, "true");
	x = get(v, "f");
	tap_check(x && x->type == JSON_BOOL && !x->boolean, "false");
	x = get(v, "x");
	tap_check(x && x->type == JSON_NUMBER, "number");
	x = get(v, "s");
	tap_check(x && x->type == JSON_STRING && x->string.len == 0 &&
			  !x->string.s[0],
		  "empty string");
	x = get(v, "a");
	tap_check(x && x->type == JSON_ARRAY && x->array.n == 0, "empty array");
	x = get(v, "o");
	tap_check(x && x->type == JSON_OBJECT && x->object.n == 0,
		  "empty object");
	tap_check(!strcmp(v->object.members[3].key, "x") &&
			  !strcmp(v->object.members[6].key, "o"),
		  "members in source order");
	tap_check(!json_member(v, "nope") && !json_member(get(v, "a"), "x") &&
			  !json_member(NULL, "x"),
		  "json_member() of a missing key or a non-object");
	json_free(v);

	for (t = JSON_NULL; t <= JSON_OBJECT; t++)
		tap_check(!strcmp(json_type_name(t), names[t]),
			  "json_type_name(%u) is \"%s\"", t, names[t]);
	json_free(NULL);

	v = json_parse("  \"top\"  ", 9, NULL);
	tap_check(v && v->type == JSON_STRING && !strcmp(v->string.s, "top"),
		  "a scalar at the top level, with a NULL error pointer");
	json_free(v);
	tap_check(!json_parse("[", 1, NULL),
		  "an error, with a NULL error pointer");
}

static void test_positions(void)
{
	/* line 3 has a two-byte character before values, line 4 a CRLF */
	struct json_value *v = parse("{\n"
				     "\t\"a\": 1,\n"
				     "  \"\xc3\xa9\": \"\xc3\xbc\",  "
				     "\"b\"\t:\t[true,\r\n"
				     "\t\tnull]\n"
				     "}");
	const struct json_member *m;
	const struct json_value *b;

	if (!tap_check(v != NULL, "multi-line document"))
		tap_bail("cannot go on");
	tap_check(pos_is(v->pos, 1, 1), "object at 1:1");
	m = json_member(v, "a");
	tap_check(m && pos_is(m->key_pos, 2, 2), "key after a tab at 2:2");
	tap_check(m && pos_is(m->value->pos, 2, 7), "its value at 2:7");
	m = json_member(v, "\xc3\xa9");
	tap_check(m && pos_is(m->key_pos, 3, 3), "key \"\xc3\xa9\" at 3:3");
	tap_check(m && pos_is(m->value->pos, 3, 8),
		  "value after a two-byte character at 3:8");
	m = json_member(v, "b");
	tap_check(m && pos_is(m->key_pos, 3, 14),
		  "key after two-byte characters at 3:14");
	b = m ? m->value : NULL;
	tap_check(b && b->type == JSON_ARRAY && b->array.n == 2 &&
			  pos_is(b->pos, 3, 20),
		  "array after tabs at 3:20");
	tap_check(b && b->array.n == 2 && pos_is(b->array.items[0]->pos, 3, 21),
		  "first element at 3:21");
	tap_check(b && b->array.n == 2 && pos_is(b->array.items[1]->pos, 4, 3),
		  "element after CRLF and tabs at 4:3");
	json_free(v);

	/* a four-byte character is one column too */
	v = parse("[\"\xf0\x9f\x98\x80\", 5]");
	tap_check(v && v->array.n == 2 && pos_is(v->array.items[1]->pos, 1, 7),
		  "value after a four-byte character at 1:7");
	json_free(v);

	v = parse("\xef\xbb\xbf 7");
	tap_check(v && v->type == JSON_NUMBER && pos_is(v->pos, 1, 2),
		  "a BOM is skipped and takes no column");
	json_free(v);
}

static void check_int(const char *text, bool negative,
		      unsigned long long magnitude, double real)
{
	struct json_value *v = parse(text);

	if (!tap_check(v && v->type == JSON_NUMBER, "%s is a number", text)) {
		json_free(v);
		tap_check(false, "%s: value", text);
		return;
	}
	tap_check(
		v->number.is_integer && !v->number.overflow &&
			v->number.negative == negative &&
			v->number.magnitude == magnitude &&
			v->number.real == real && !strcmp(v->number.text, text),
		"%s: integer, magnitude %llu, real %g", text, magnitude, real);
	json_free(v);
}

static void check_real(const char *text, double real)
{
	struct json_value *v = parse(text);

	tap_check(v && v->type == JSON_NUMBER && !v->number.is_integer &&
			  !v->number.overflow && v->number.magnitude == 0 &&
			  v->number.real == real &&
			  !strcmp(v->number.text, text),
		  "%s: real %g", text, real);
	json_free(v);
}

static void test_numbers(void)
{
	struct json_value *v;

	check_int("0", false, 0, 0);
	check_int("-0", true, 0, 0);
	check_int("42", false, 42, 42);
	check_int("-42", true, 42, -42);
	check_int("18446744073709551615", false, 18446744073709551615ULL,
		  18446744073709551615.0);
	check_int("-9223372036854775808", true, 9223372036854775808ULL,
		  -9223372036854775808.0);

	v = parse("18446744073709551616");
	tap_check(v && v->number.is_integer && v->number.overflow &&
			  !v->number.negative &&
			  v->number.real == 18446744073709551616.0,
		  "2^64 overflows, real 2^64");
	json_free(v);
	v = parse("-100000000000000000000000");
	tap_check(v && v->number.is_integer && v->number.overflow &&
			  v->number.negative && v->number.real == -1e23,
		  "-1e23 written out overflows, real -1e23");
	json_free(v);

	check_real("1.5", 1.5);
	check_real("-0.25", -0.25);
	check_real("-2.5e3", -2500);
	check_real("1E+2", 100);
	check_real("1e-2", 0.01);
	check_real("0e0", 0);

	v = parse("-0");
	tap_check(v && signbit(v->number.real), "-0 is a negative zero");
	json_free(v);
	v = parse("1e400");
	tap_check(v && isinf(v->number.real), "1e400 is infinite");
	json_free(v);
	v = parse("[1,-2.0,3e1]");
	tap_check(v && v->array.n == 3 &&
			  v->array.items[2]->number.real == 30 &&
			  pos_is(v->array.items[2]->pos, 1, 9),
		  "numbers in an array end where they should");
	json_free(v);
}

static bool bytes_are(const struct json_value *v, const char *want, size_t len)
{
	return v && v->type == JSON_STRING && v->string.len == len &&
	       !memcmp(v->string.s, want, len + 1);
}

static void test_strings(void)
{
	static const struct {
		const char *in, *out;
		size_t len;
	} cases[] = {
		{ "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\b\f\n\r\t", 8 },
		{ "\"\\u0041\\u00e9\\u20AC\"", "A\xc3\xa9\xe2\x82\xac", 6 },
		{ "\"\\uD83D\\uDE00\"", "\xf0\x9f\x98\x80", 4 },
		{ "\"\\udbff\\udfff\"", "\xf4\x8f\xbf\xbf", 4 },
		{ "\"a\\u0000b\"", "a\0b", 3 },
		{ "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\x7f\"",
		  "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\x7f", 10 },
		{ "\"\xef\xbb\xbf\"", "\xef\xbb\xbf", 3 },
	};
	struct json_value *v;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		v = parse(cases[i].in);
		tap_check(bytes_are(v, cases[i].out, cases[i].len), "string %s",
			  cases[i].in);
		json_free(v);
	}
	v = parse("{\"k\\u00e9\\n\":\"\\u0000\"}");
	tap_check(v && v->object.n == 1 &&
			  !strcmp(v->object.members[0].key, "k\xc3\xa9\n") &&
			  bytes_are(v->object.members[0].value, "\0", 1),
		  "escaped key, NUL in a value");
	json_free(v);
}

/*
 * @levels arrays and objects nested alternately around a 1, written to
 * @buf; returns its length.
 */
static size_t nest(char *buf, int levels)
{
	size_t n = 0;
	int i;

	for (i = 0; i < levels; i++)
		n += sprintf(buf + n, i % 2 ? "[" : "{\"a\":");
	buf[n++] = '1';
	for (i = levels - 1; i >= 0; i--)
		buf[n++] = i % 2 ? ']' : '}';
	return n;
}

static void test_depth(void)
{
	static const char *const msg = "more than 64 nested arrays and objects";
	char text[65 * 6 + 1];
	struct json_error err;
	struct json_value *v;
	size_t len;

	len = nest(text, 64);
	v = json_parse(text, len, &err);
	tap_check(v != NULL, "64 nested arrays and objects");
	json_free(v);

	/* 32 objects and 32 arrays take 32 * 5 + 32 columns */
	len = nest(text, 65);
	v = json_parse(text, len, &err);
	tap_check(!v && pos_is(err.pos, 1, 193) && !strcmp(err.msg, msg),
		  "65 nested: error at the 65th");
	json_free(v);

	memset(text, '[', 65);
	v = json_parse(text, 65, &err);
	tap_check(!v && pos_is(err.pos, 1, 65) && !strcmp(err.msg, msg),
		  "65 open arrays: error at the 65th");
	json_free(v);
}

/* Enough members and elements to grow the arrays and the key table. */
static void test_large(void)
{
	static char text[300 * 12 + 16];
	struct json_error err;
	struct json_value *v;
	const struct json_member *m;
	size_t n = 0, len, first;
	bool found = true;
	char key[8], want[80];
	int i;

	text[n++] = '{';
	for (i = 0; i < 300; i++)
		n += sprintf(text + n, "%s\"k%d\":%d", i ? "," : "", i, i);
	len = n;
	text[n++] = '}';
	v = json_parse(text, n, &err);
	for (i = 0; v && i < 300; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		m = json_member(v, key);
		found &= m && m->value->number.magnitude == (unsigned int)i;
	}
	tap_check(v && v->object.n == 300 && found, "300 distinct keys");
	json_free(v);

	/* the input is ASCII on one line: columns are offsets + 1 */
	first = strstr(text, "\"k150\"") - text + 1;
	snprintf(want, sizeof(want),
		 "duplicate key \"k150\" (first at line 1, column %zu)", first);
	n = len + sprintf(text + len, ",\"k150\":0}");
	v = json_parse(text, n, &err);
	tap_check(!v && pos_is(err.pos, 1, len + 2) && !strcmp(err.msg, want),
		  "a duplicate of the 151st of 300 keys");
	json_free(v);

	n = 0;
	text[n++] = '[';
	for (i = 0; i < 1000; i++)
		n += sprintf(text + n, "%s%d", i ? "," : "", i % 10);
	text[n++] = ']';
	v = json_parse(text, n, &err);
	tap_check(v && v->array.n == 1000 &&
			  v->array.items[999]->number.magnitude == 9 &&
			  pos_is(v->array.items[999]->pos, 1, 2000),
		  "an array of 1000 elements");
	json_free(v);
}

/* What one parse did, in a child process so that its peak RSS is its own. */
struct parse_cost {
	bool ok;
	struct json_error err;
	long peak_kib; /* RSS high-water mark, over the child's at its start */
};

static struct parse_cost parse_in_child(const char *text, size_t len)
{
	struct parse_cost c = { .ok = false };
	struct json_value *v;
	struct rusage before, after;
	int fd[2], status;
	pid_t pid;

	if (pipe(fd))
		tap_bail("pipe: %m");
	pid = fork();
	if (pid < 0)
		tap_bail("fork: %m");
	if (!pid) {
		close(fd[0]);
		getrusage(RUSAGE_SELF, &before);
		v = json_parse(text, len, &c.err);
		getrusage(RUSAGE_SELF, &after);
		c.ok = v != NULL;
		c.peak_kib = after.ru_maxrss - before.ru_maxrss;
		json_free(v);
		_exit(write(fd[1], &c, sizeof(c)) != sizeof(c));
	}
	close(fd[1]);
	if (read(fd[0], &c, sizeof(c)) != sizeof(c))
		tap_bail("no answer from the parsing child");
	close(fd[0]);
	waitpid(pid, &status, 0);
	return c;
}

/* Under ASan, RSS also holds shadow memory and the free() quarantine. */
#if defined(__SANITIZE_ADDRESS__)
#define RSS_MEANINGFUL false
#else
#define RSS_MEANINGFUL true
#endif

/* The budget, plus what malloc keeps besides the chunks charge() counts. */
#define PEAK_MAX_KIB ((JSON_MAX_BYTES + JSON_MAX_BYTES / 8) >> 10)

static void check_peak(const struct parse_cost *c, const char *what)
{
	if (!RSS_MEANINGFUL) {
		tap_skip("RSS is not the heap under ASan", "%s: peak memory",
			 what);
		return;
	}
	tap_check(c->peak_kib < PEAK_MAX_KIB, "%s: peak %ld KiB < %d KiB",
		  what, c->peak_kib, PEAK_MAX_KIB);
}

/*
 * The budget, on documents as large as a tenant file may be (4 MiB):
 * each value costs more heap than text, so small ones are the worst.
 */
static void test_budget(void)
{
	const size_t size = 4u << 20;
	char *text = malloc(size), want[80];
	struct parse_cost c;
	size_t n, i;

	if (!text)
		tap_bail("out of memory");

	/* [0,0,...,0]: the outer array and 499,999 zeros are the limit */
	n = 0;
	text[n++] = '[';
	for (i = 0; i < JSON_MAX_VALUES - 1; i++) {
		text[n++] = '0';
		text[n++] = ',';
	}
	text[n - 1] = ']';
	c = parse_in_child(text, n);
	tap_check(c.ok, "%u values, the limit, parse", JSON_MAX_VALUES);

	/* one more zero is the 500,001st value, at column 2 * 500,000 */
	text[n - 1] = ',';
	text[n++] = '0';
	text[n++] = ']';
	c = parse_in_child(text, n);
	snprintf(want, sizeof(want), "too many values (limit %u)",
		 JSON_MAX_VALUES);
	tap_check(!c.ok && pos_is(c.err.pos, 1, 2 * JSON_MAX_VALUES) &&
			  !strcmp(c.err.msg, want),
		  "%u values: 1:%u: %s", JSON_MAX_VALUES + 1,
		  2 * JSON_MAX_VALUES, want);

	/* 4 MiB of [0,0,...]: 2 million values; 208 MiB without a budget */
	n = 0;
	text[n++] = '[';
	while (n < size - 1) {
		text[n++] = '0';
		text[n++] = ',';
	}
	text[n - 1] = ']';
	c = parse_in_child(text, n);
	tap_check(!c.ok && pos_is(c.err.pos, 1, 2 * JSON_MAX_VALUES) &&
			  !strcmp(c.err.msg, want),
		  "4 MiB of [0,0,...]: 1:%u: %s", 2 * JSON_MAX_VALUES, want);
	check_peak(&c, "4 MiB of [0,0,...]");

	/* [[],[],...]: 3 bytes a value */
	n = 0;
	text[n++] = '[';
	while (n < size - 3)
		n += sprintf(text + n, "[],");
	text[n - 1] = ']';
	c = parse_in_child(text, n);
	tap_check(!c.ok && !strcmp(c.err.msg, want), "4 MiB of [[],[],...]: %s",
		  want);
	check_peak(&c, "4 MiB of [[],[],...]");

	/* members cost a key, a slot and a key table entry besides a value */
	n = 0;
	i = 0;
	text[n++] = '{';
	while (n < size - 16)
		n += sprintf(text + n, "\"%zx\":0,", i++);
	text[n - 1] = '}';
	c = parse_in_child(text, n);
	snprintf(want, sizeof(want),
		 "values need too much memory (limit %u MiB)",
		 JSON_MAX_BYTES >> 20);
	tap_check(!c.ok && c.err.pos.line == 1 && !strcmp(c.err.msg, want),
		  "4 MiB of {\"0\":0,...}: %s", want);
	if (c.ok || strcmp(c.err.msg, want))
		tap_diag("  got %s%u:%u: %s", c.ok ? "a value, " : "",
			 c.err.pos.line, c.err.pos.col, c.err.msg);
	check_peak(&c, "4 MiB of {\"0\":0,...}");

	/* a long string costs what it is long */
	text[0] = '"';
	memset(text + 1, 'a', size - 2);
	text[size - 1] = '"';
	c = parse_in_child(text, size);
	tap_check(c.ok, "a 4 MiB string parses");
	check_peak(&c, "a 4 MiB string");

	free(text);
}

static void test_errors(void)
{
	const struct bad_input *b;
	struct json_error err;
	struct json_value *v;
	size_t i, len;

	for (i = 0; i < ARRAY_SIZE(bad_inputs); i++) {
		b = &bad_inputs[i];
		len = b->len ? b->len : strlen(b->text);
		memset(&err, 0, sizeof(err));
		v = json_parse(b->text, len, &err);
		if (!tap_check(!v && err.pos.line == b->line &&
				       err.pos.col == b->col &&
				       !strcmp(err.msg, b->msg),
			       "error %zu: %u:%u: %s", i, b->line, b->col,
			       b->msg))
			tap_diag("  got %s%u:%u: %s", v ? "a value, " : "",
				 err.pos.line, err.pos.col, err.msg);
		json_free(v);
	}
}

int main(void)
{
	tap_plan(FIXED_CHECKS + ARRAY_SIZE(bad_inputs));
	test_types();
	test_positions();
	test_numbers();
	test_strings();
	test_depth();
	test_large();
	test_budget();
	test_errors();
	return tap_finish();
}
