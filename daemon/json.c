// SPDX-License-Identifier: GPL-2.0
/*
 * json: a strict RFC 8259 parser for vpmu-policyd's policy files.  json-c
 * cannot say where a value came from, and every policy error must be
 * reported as file:line:column, so this one records positions.
 *
 * The input is read once, left to right, by recursive descent, and the
 * first problem stops the parse: the error reported is the first one a
 * reader of the file would meet, at the character that is wrong.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* strtod_l() */
#endif
#include <limits.h>
#include <locale.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esc.h"
#include "json.h"

#define JSON_MAX_DEPTH 64

struct parser {
	const unsigned char *s;
	size_t len, off;
	struct json_pos pos;	 /* of s[off] */
	struct json_pos str_pos; /* opening quote of the string being read */
	unsigned int depth;	 /* arrays and objects open around s[off] */
	size_t values;		 /* made so far */
	size_t bytes;		 /* heap held by them, as charge() counts */
	locale_t c_locale;	 /* for strtod_l(), made on first use */
	struct json_error *err;
};

static struct json_value *parse_value(struct parser *p, const char *what);

static void __attribute__((format(printf, 3, 4)))
fail(struct parser *p, struct json_pos pos, const char *fmt, ...)
{
	va_list ap;

	p->err->pos = pos;
	va_start(ap, fmt);
	vsnprintf(p->err->msg, sizeof(p->err->msg), fmt, ap);
	va_end(ap);
}

static void oom(struct parser *p)
{
	fail(p, p->pos, "out of memory");
}

/*
 * What malloc(@n) takes from the heap: glibc's chunk, its size word
 * included, 16-byte aligned, at least 32 bytes.  A tiny value costs far
 * more than its text (a 0 in [0,0,...] costs 2 bytes of text and over
 * 100 of heap), so this, not the file's size, is what the budget counts.
 */
static size_t heap_cost(size_t n)
{
	if (n > SIZE_MAX - 32)
		return SIZE_MAX;
	return n < 24 ? 32 : (n + 8 + 15) & ~(size_t)15;
}

/*
 * Count @now bytes of heap in place of @before (a block grown by
 * realloc(), or replaced), failing at @pos past JSON_MAX_BYTES.
 */
static bool charge(struct parser *p, struct json_pos pos, size_t before,
		   size_t now)
{
	size_t cost = heap_cost(now) - (before ? heap_cost(before) : 0);

	if (cost > JSON_MAX_BYTES - p->bytes) {
		fail(p, pos, "values need too much memory (limit %u MiB)",
		     JSON_MAX_BYTES >> 20);
		return false;
	}
	p->bytes += cost;
	return true;
}

static int peek(const struct parser *p)
{
	return p->off < p->len ? p->s[p->off] : -1;
}

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* Step over one ASCII character; multibyte ones only occur in strings. */
static void next(struct parser *p)
{
	if (p->s[p->off++] == '\n') {
		p->pos.line++;
		p->pos.col = 1;
	} else {
		/* including '\r': "\r\n" is one newline, a lone '\r' none */
		p->pos.col++;
	}
}

static void skip_ws(struct parser *p)
{
	int c;

	while ((c = peek(p)) == ' ' || c == '\t' || c == '\n' || c == '\r')
		next(p);
}

/*
 * Decode the UTF-8 sequence at s[0..n), n >= 1, as Table 3-7 of the
 * Unicode standard allows it: no overlong forms, no surrogates, nothing
 * past U+10FFFF.  Returns its length and sets *cp.  If it is invalid,
 * returns 0 and sets *bad to the number of bytes up to and including the
 * first wrong one; if the input ends inside it, returns -1.
 */
static int utf8_decode(const unsigned char *s, size_t n, unsigned int *cp,
		       size_t *bad)
{
	unsigned int c = s[0], lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c < 0xc2 || c > 0xf4) {
		*bad = 1;
		return 0;
	}
	if (c < 0xe0) {
		len = 2;
		c &= 0x1f;
	} else if (c < 0xf0) {
		len = 3;
		if (c == 0xe0)
			lo = 0xa0;
		if (c == 0xed)
			hi = 0x9f;
		c &= 0x0f;
	} else {
		len = 4;
		if (c == 0xf0)
			lo = 0x90;
		if (c == 0xf4)
			hi = 0x8f;
		c &= 0x07;
	}
	for (i = 1; i < len; i++) {
		if (i == n)
			return -1;
		if (s[i] < lo || s[i] > hi) {
			*bad = i + 1;
			return 0;
		}
		c = c << 6 | (s[i] & 0x3f);
		/* only the second byte has a narrower range */
		lo = 0x80;
		hi = 0xbf;
	}
	*cp = c;
	return len;
}

/* Report the invalid UTF-8 at s[off], showing its bytes. */
static void utf8_error(struct parser *p)
{
	const unsigned char *s = p->s + p->off;
	size_t n = p->len - p->off, bad = 0, i, used = 0;
	char hex[4 * 4 + 1] = "";
	unsigned int cp;
	int r = utf8_decode(s, n, &cp, &bad);

	if (r == -1)
		bad = n;
	for (i = 0; i < bad && i < 4; i++)
		used += snprintf(hex + used, sizeof(hex) - used, "\\x%02x",
				 s[i]);
	if (r == -1)
		fail(p, p->pos, "truncated UTF-8 sequence '%s' at end of input",
		     hex);
	else if (bad == 1)
		fail(p, p->pos, "invalid UTF-8 byte '%s'", hex);
	else
		fail(p, p->pos, "invalid UTF-8 sequence '%s'", hex);
}

/*
 * Report that s[off] is not @what.  Invalid UTF-8 is reported as such,
 * since no expectation could have been met by it.
 */
static void unexpected(struct parser *p, const char *what)
{
	unsigned int cp;
	size_t bad;
	char found[16];
	int c = peek(p);

	if (c == -1) {
		snprintf(found, sizeof(found), "end of input");
	} else if (c == '\'') {
		snprintf(found, sizeof(found), "\"'\"");
	} else if (c >= 0x20 && c < 0x7f) {
		snprintf(found, sizeof(found), "'%c'", c);
	} else if (c < 0x80) {
		snprintf(found, sizeof(found), "'\\x%02x'", c);
	} else if (utf8_decode(p->s + p->off, p->len - p->off, &cp, &bad) > 0) {
		/* a code point, not the character: it might be invisible */
		snprintf(found, sizeof(found), "U+%04X", cp);
	} else {
		utf8_error(p);
		return;
	}
	fail(p, p->pos, "expected %s, found %s", what, found);
}

static struct json_value *new_value(struct parser *p, enum json_type type,
				    struct json_pos pos)
{
	struct json_value *v;

	if (p->values == JSON_MAX_VALUES) {
		fail(p, pos, "too many values (limit %u)", JSON_MAX_VALUES);
		return NULL;
	}
	if (!charge(p, pos, 0, sizeof(*v)))
		return NULL;
	v = calloc(1, sizeof(*v));
	if (!v) {
		oom(p);
		return NULL;
	}
	p->values++;
	v->type = type;
	v->pos = pos;
	return v;
}

/*
 * Make room for element @n of @arr, which has room for *@cap elements of
 * @size bytes.  Returns the (possibly moved) array, or NULL with @arr
 * untouched.
 */
static void *grow(struct parser *p, void *arr, size_t n, size_t *cap,
		  size_t size)
{
	size_t c = *cap ? *cap * 2 : 4;
	void *new;

	if (n < *cap)
		return arr;
	if (c > SIZE_MAX / size) {
		oom(p);
		return NULL;
	}
	if (!charge(p, p->pos, *cap * size, c * size))
		return NULL;
	if (!(new = realloc(arr, c * size))) {
		oom(p);
		return NULL;
	}
	*cap = c;
	return new;
}

static struct json_value *parse_literal(struct parser *p, const char *word,
					enum json_type type, bool boolean)
{
	struct json_pos pos = p->pos;
	struct json_value *v;
	char what[16];
	size_t i;

	for (i = 0; word[i]; i++) {
		if (peek(p) != word[i]) {
			snprintf(what, sizeof(what), "'%c' in '%s'", word[i],
				 word);
			unexpected(p, what);
			return NULL;
		}
		next(p);
	}
	v = new_value(p, type, pos);
	if (v && type == JSON_BOOL)
		v->boolean = boolean;
	return v;
}

static struct json_value *parse_number(struct parser *p)
{
	struct json_pos pos = p->pos;
	size_t start = p->off, i;
	struct json_value *v;
	bool is_int = true;
	char *text;

	if (peek(p) == '-')
		next(p);
	if (!is_digit(peek(p))) {
		unexpected(p, "a digit after '-'");
		return NULL;
	}
	if (peek(p) == '0') {
		next(p);
		if (is_digit(peek(p))) {
			fail(p, p->pos,
			     "numbers must not have leading zeros, found '%c' after '0'",
			     peek(p));
			return NULL;
		}
	}
	while (is_digit(peek(p)))
		next(p);
	if (peek(p) == '.') {
		is_int = false;
		next(p);
		if (!is_digit(peek(p))) {
			unexpected(p, "a digit after '.'");
			return NULL;
		}
		while (is_digit(peek(p)))
			next(p);
	}
	if (peek(p) == 'e' || peek(p) == 'E') {
		is_int = false;
		next(p);
		if (peek(p) == '+' || peek(p) == '-')
			next(p);
		if (!is_digit(peek(p))) {
			unexpected(p, "a digit in the exponent");
			return NULL;
		}
		while (is_digit(peek(p)))
			next(p);
	}

	v = new_value(p, JSON_NUMBER, pos);
	if (!v)
		return NULL;
	if (!charge(p, pos, 0, p->off - start + 1)) {
		free(v);
		return NULL;
	}
	text = malloc(p->off - start + 1);
	if (!text) {
		free(v);
		free(text);
		oom(p);
		return NULL;
	}
	memcpy(text, p->s + start, p->off - start);
	text[p->off - start] = '\0';
	v->number.text = text;
	v->number.is_integer = is_int;
	v->number.negative = text[0] == '-';

	for (i = v->number.negative; is_int && text[i]; i++) {
		unsigned int d = text[i] - '0';

		if (v->number.magnitude > (ULLONG_MAX - d) / 10) {
			v->number.overflow = true;
			v->number.magnitude = 0;
			break;
		}
		v->number.magnitude = v->number.magnitude * 10 + d;
	}
	if (is_int && !v->number.overflow) {
		v->number.real = v->number.magnitude;
		if (v->number.negative)
			v->number.real = -v->number.real;
		return v;
	}
	/*
	 * strtod() would take the decimal point from the process's locale,
	 * which is none of this parser's business.
	 */
	if (!p->c_locale)
		p->c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
	if (!p->c_locale) {
		oom(p);
		free(text);
		free(v);
		return NULL;
	}
	v->number.real = strtod_l(text, NULL, p->c_locale);
	return v;
}

static int hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The four hex digits of a \u escape, at s[off]. */
static bool parse_hex4(struct parser *p, unsigned int *v)
{
	int i, d;

	*v = 0;
	for (i = 0; i < 4; i++) {
		if (peek(p) == -1) {
			fail(p, p->str_pos, "unterminated string");
			return false;
		}
		d = hex_digit(peek(p));
		if (d < 0) {
			unexpected(p, "a hex digit in a \\u escape");
			return false;
		}
		*v = *v << 4 | d;
		next(p);
	}
	return true;
}

static char *put_utf8(char *out, unsigned int cp)
{
	if (cp < 0x80) {
		*out++ = cp;
	} else if (cp < 0x800) {
		*out++ = 0xc0 | cp >> 6;
		*out++ = 0x80 | (cp & 0x3f);
	} else if (cp < 0x10000) {
		*out++ = 0xe0 | cp >> 12;
		*out++ = 0x80 | (cp >> 6 & 0x3f);
		*out++ = 0x80 | (cp & 0x3f);
	} else {
		*out++ = 0xf0 | cp >> 18;
		*out++ = 0x80 | (cp >> 12 & 0x3f);
		*out++ = 0x80 | (cp >> 6 & 0x3f);
		*out++ = 0x80 | (cp & 0x3f);
	}
	return out;
}

/*
 * The escape whose backslash is at s[off], decoded to @out.  Returns the
 * new end of @out, or NULL on error.
 */
static char *parse_escape(struct parser *p, char *out, bool is_key)
{
	struct json_pos at = p->pos;
	unsigned int cp, low;
	int c;

	next(p);
	c = peek(p);
	switch (c) {
	case -1:
		fail(p, p->str_pos, "unterminated string");
		return NULL;
	case '"':
	case '\\':
	case '/':
		break;
	case 'b':
		c = '\b';
		break;
	case 'f':
		c = '\f';
		break;
	case 'n':
		c = '\n';
		break;
	case 'r':
		c = '\r';
		break;
	case 't':
		c = '\t';
		break;
	case 'u':
		next(p);
		goto unicode;
	default:
		unexpected(p, "one of \"\\/bfnrtu after '\\'");
		return NULL;
	}
	next(p);
	*out++ = c;
	return out;

unicode:
	if (!parse_hex4(p, &cp))
		return NULL;
	if (cp >= 0xdc00 && cp <= 0xdfff) {
		fail(p, at,
		     "low surrogate \\u%04X without a high surrogate before it",
		     cp);
		return NULL;
	}
	if (cp >= 0xd800 && cp <= 0xdbff) {
		/* UTF-16: the low half must be the very next escape */
		if (p->len - p->off < 2 || p->s[p->off] != '\\' ||
		    p->s[p->off + 1] != 'u')
			goto lone;
		next(p);
		next(p);
		if (!parse_hex4(p, &low))
			return NULL;
		if (low < 0xdc00 || low > 0xdfff)
			goto lone;
		cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
	}
	/* keys are C strings, and a cut-short key could look like a dup */
	if (cp == 0 && is_key) {
		fail(p, at, "object keys must not contain \\u0000");
		return NULL;
	}
	return put_utf8(out, cp);

lone:
	fail(p, at, "high surrogate \\u%04X without a low surrogate after it",
	     cp);
	return NULL;
}

/*
 * The string whose opening quote is at s[off], unescaped into a new
 * buffer.  Unescaping never lengthens the text (\uXXXX stands for at most
 * 3 bytes of UTF-8, a surrogate pair of 12 for 4), so the buffer is sized
 * by a first pass that finds the closing quote.
 */
static bool parse_string(struct parser *p, char **str, size_t *len, bool is_key)
{
	size_t end = p->off + 1, bad;
	unsigned int cp;
	char *buf, *out;
	int c, n;

	while (end < p->len && p->s[end] != '"')
		end += p->s[end] == '\\' ? 2 : 1;
	/* the bytes between the quotes, and a NUL */
	if (!charge(p, p->pos, 0, end - p->off))
		return false;
	buf = malloc(end - p->off);
	if (!buf) {
		oom(p);
		return false;
	}
	out = buf;
	p->str_pos = p->pos;
	next(p);
	while ((c = peek(p)) != '"') {
		if (c == -1) {
			fail(p, p->str_pos, "unterminated string");
			goto error;
		} else if (c == '\\') {
			out = parse_escape(p, out, is_key);
			if (!out)
				goto error;
		} else if (c < 0x20) {
			fail(p, p->pos,
			     "control characters in strings must be escaped, found '\\x%02x'",
			     c);
			goto error;
		} else if (c < 0x80) {
			*out++ = c;
			next(p);
		} else {
			n = utf8_decode(p->s + p->off, p->len - p->off, &cp,
					&bad);
			if (n <= 0) {
				utf8_error(p);
				goto error;
			}
			memcpy(out, p->s + p->off, n);
			out += n;
			p->off += n;
			p->pos.col++;
		}
	}
	next(p);
	*out = '\0';
	*str = buf;
	*len = out - buf;
	return true;

error:
	free(buf);
	return false;
}

static struct json_value *parse_array(struct parser *p)
{
	struct json_value *v = new_value(p, JSON_ARRAY, p->pos);
	struct json_value **items;
	const char *what;
	size_t cap = 0;

	if (!v)
		return NULL;
	p->depth++;
	next(p);
	skip_ws(p);
	if (peek(p) == ']')
		goto done;
	for (;;) {
		items = grow(p, v->array.items, v->array.n, &cap,
			     sizeof(*items));
		if (!items)
			goto error;
		v->array.items = items;
		what = v->array.n ? "a value after ','" : "a value or ']'";
		items[v->array.n] = parse_value(p, what);
		if (!items[v->array.n])
			goto error;
		v->array.n++;
		skip_ws(p);
		if (peek(p) == ']')
			break;
		if (peek(p) != ',') {
			unexpected(p, "',' or ']' after an array element");
			goto error;
		}
		next(p);
	}
done:
	next(p);
	p->depth--;
	return v;

error:
	json_free(v);
	return NULL;
}

/*
 * The keys of one object so far, to find duplicates without a quadratic
 * scan: open addressing, at most half full, each slot holding a member's
 * index + 1, or 0 if free.
 */
struct keyset {
	size_t *slot;
	size_t mask;
};

static size_t hash_key(const char *k)
{
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a */

	while (*k) {
		h ^= (unsigned char)*k++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* The slot holding @key among @m, or the free slot where it would go. */
static size_t *keyset_find(const struct keyset *ks, const struct json_member *m,
			   const char *key)
{
	size_t i = hash_key(key) & ks->mask;

	while (ks->slot[i] && strcmp(m[ks->slot[i] - 1].key, key))
		i = (i + 1) & ks->mask;
	return &ks->slot[i];
}

/* Make room for a key besides the @n of @m, which are in @ks. */
static bool keyset_reserve(struct parser *p, struct keyset *ks,
			   const struct json_member *m, size_t n)
{
	size_t size = ks->slot ? ks->mask + 1 : 0, i;
	struct keyset new;

	if (2 * (n + 1) <= size)
		return true;
	new.mask = (size ? size * 2 : 8) - 1;
	if (!charge(p, p->pos, size * sizeof(*new.slot),
		    (new.mask + 1) * sizeof(*new.slot)))
		return false;
	new.slot = calloc(new.mask + 1, sizeof(*new.slot));
	if (!new.slot) {
		oom(p);
		return false;
	}
	for (i = 0; i < n; i++)
		*keyset_find(&new, m, m[i].key) = i + 1;
	free(ks->slot);
	*ks = new;
	return true;
}

static struct json_value *parse_object(struct parser *p)
{
	struct json_value *v = new_value(p, JSON_OBJECT, p->pos);
	struct keyset keys = { NULL, 0 };
	struct json_member *m;
	struct json_pos key_pos;
	size_t cap = 0, len, *slot;
	char *key, shown[48];

	if (!v)
		return NULL;
	p->depth++;
	next(p);
	skip_ws(p);
	if (peek(p) == '}')
		goto done;
	for (;;) {
		if (peek(p) != '"') {
			unexpected(p, v->object.n ? "a string key after ','"
						  : "a string key or '}'");
			goto error;
		}
		key_pos = p->pos;
		if (!parse_string(p, &key, &len, true))
			goto error;
		if (!keyset_reserve(p, &keys, v->object.members, v->object.n)) {
			free(key);
			goto error;
		}
		slot = keyset_find(&keys, v->object.members, key);
		if (*slot) {
			m = &v->object.members[*slot - 1];
			fail(p, key_pos,
			     "duplicate key \"%s\" (first at line %u, column %u)",
			     esc(shown, sizeof(shown), key), m->key_pos.line,
			     m->key_pos.col);
			free(key);
			goto error;
		}
		m = grow(p, v->object.members, v->object.n, &cap, sizeof(*m));
		if (!m) {
			free(key);
			goto error;
		}
		v->object.members = m;
		m += v->object.n;
		m->key = key;
		m->key_pos = key_pos;
		m->value = NULL;
		*slot = ++v->object.n;

		skip_ws(p);
		if (peek(p) != ':') {
			unexpected(p, "':' after an object key");
			goto error;
		}
		next(p);
		m->value = parse_value(p, "a value after ':'");
		if (!m->value)
			goto error;
		skip_ws(p);
		if (peek(p) == '}')
			break;
		if (peek(p) != ',') {
			unexpected(p, "',' or '}' after an object member");
			goto error;
		}
		next(p);
		skip_ws(p);
	}
done:
	next(p);
	p->depth--;
	free(keys.slot);
	return v;

error:
	free(keys.slot);
	json_free(v);
	return NULL;
}

/* The value at s[off], after any whitespace; @what names it if missing. */
static struct json_value *parse_value(struct parser *p, const char *what)
{
	struct json_value *v;
	int c;

	skip_ws(p);
	c = peek(p);
	switch (c) {
	case '[':
	case '{':
		if (p->depth == JSON_MAX_DEPTH) {
			fail(p, p->pos,
			     "more than %d nested arrays and objects",
			     JSON_MAX_DEPTH);
			return NULL;
		}
		return c == '[' ? parse_array(p) : parse_object(p);
	case '"':
		v = new_value(p, JSON_STRING, p->pos);
		if (v &&
		    !parse_string(p, &v->string.s, &v->string.len, false)) {
			free(v);
			v = NULL;
		}
		return v;
	case 't':
		return parse_literal(p, "true", JSON_BOOL, true);
	case 'f':
		return parse_literal(p, "false", JSON_BOOL, false);
	case 'n':
		return parse_literal(p, "null", JSON_NULL, false);
	case '-':
	case '0' ... '9':
		return parse_number(p);
	default:
		unexpected(p, what);
		return NULL;
	}
}

struct json_value *json_parse(const char *text, size_t len,
			      struct json_error *err)
{
	struct json_error ignored;
	struct parser p = {
		.s = (const unsigned char *)text,
		.len = len,
		.pos = { 1, 1 },
		.err = err ? err : &ignored,
	};
	struct json_value *v;

	/* a BOM is not part of the text: the next character is column 1 */
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		p.off = 3;
	v = parse_value(&p, "a value");
	if (v) {
		skip_ws(&p);
		if (p.off < p.len) {
			unexpected(&p, "end of input after the value");
			json_free(v);
			v = NULL;
		}
	}
	if (p.c_locale)
		freelocale(p.c_locale);
	return v;
}

void json_free(struct json_value *v)
{
	size_t i;

	if (!v)
		return;
	switch (v->type) {
	case JSON_NUMBER:
		free((char *)v->number.text);
		break;
	case JSON_STRING:
		free(v->string.s);
		break;
	case JSON_ARRAY:
		for (i = 0; i < v->array.n; i++)
			json_free(v->array.items[i]);
		free(v->array.items);
		break;
	case JSON_OBJECT:
		for (i = 0; i < v->object.n; i++) {
			free(v->object.members[i].key);
			json_free(v->object.members[i].value);
		}
		free(v->object.members);
		break;
	default:
		break;
	}
	free(v);
}

const struct json_member *json_member(const struct json_value *obj,
				      const char *key)
{
	size_t i;

	if (!obj || obj->type != JSON_OBJECT)
		return NULL;
	for (i = 0; i < obj->object.n; i++)
		if (!strcmp(obj->object.members[i].key, key))
			return &obj->object.members[i];
	return NULL;
}

const char *json_type_name(enum json_type t)
{
	static const char *const names[] = {
		[JSON_NULL] = "null",
		[JSON_BOOL] = "a boolean",
		[JSON_NUMBER] = "a number",
		[JSON_STRING] = "a string",
		[JSON_ARRAY] = "an array",
		[JSON_OBJECT] = "an object",
	};

	if ((unsigned int)t >= sizeof(names) / sizeof(names[0]))
		return "an unknown type";
	return names[t];
}
