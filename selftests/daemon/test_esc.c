// SPDX-License-Identifier: GPL-2.0
/*
 * test_esc: quoting bytes others chose (cgroup names, file names) for
 * messages and for vpmuctl's --json (daemon/esc.c): a terminal must show
 * them, not obey them, and the JSON must be valid UTF-8 that the
 * daemon's own strict parser reads back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esc.h"
#include "json.h"
#include "../lib/tap.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
	const char *in, *json, *what;
} cases[] = {
	{ "a\"b\\c", "\"a\\\"b\\\\c\"", "quote and backslash" },
	{ "/vm\x1b[2J.scope", "\"/vm\\u001b[2J.scope\"", "ESC (C0)" },
	{ "a\nb\tc", "\"a\\u000ab\\u0009c\"", "newline and tab" },
	{ "x\x7f", "\"x\\u007f\"", "DEL" },
	{ "\xc2\x85\xc2\x9b", "\"\\u0085\\u009b\"", "C1 controls (NEL, CSI) in UTF-8" },
	{ "a\xe2\x80\xae" "b\xe2\x81\xa6", "\"a\\u202eb\\u2066\"", "bidi override and isolate" },
	{ "\xe2\x80\xa8", "\"\\u2028\"", "line separator" },
	{ "caf\xc3\xa9 \xf0\x9f\x98\x80", "\"caf\xc3\xa9 \xf0\x9f\x98\x80\"", "valid UTF-8 kept" },
	{ "\xff", "\"\\u00ff\"", "a byte that is no UTF-8" },
	{ "\xc0\xaf", "\"\\u00c0\\u00af\"", "an overlong form" },
	{ "\xed\xa0\x80", "\"\\u00ed\\u00a0\\u0080\"", "a surrogate" },
	{ "\xf4\x90\x80\x80", "\"\\u00f4\\u0090\\u0080\\u0080\"", "past U+10FFFF" },
	{ "a\xe2\x82", "\"a\\u00e2\\u0082\"", "a sequence cut short" },
	{ "\xe2\x82" "A", "\"\\u00e2\\u0082A\"", "a sequence broken by ASCII" },
};

static void test_json_str(void)
{
	struct json_error err;
	struct json_value *v;
	size_t i, len, j;
	char *out;
	bool raw;
	FILE *f;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		out = NULL;
		f = open_memstream(&out, &len);
		if (!f)
			tap_bail("open_memstream");
		esc_json(f, cases[i].in);
		fclose(f);
		/* No control byte, and valid JSON the daemon reads back. */
		raw = false;
		for (j = 0; j < len; j++)
			raw |= (unsigned char)out[j] < 0x20 || out[j] == 0x7f;
		v = json_parse(out, len, &err);
		if (!tap_check(!strcmp(out, cases[i].json) && !raw && v &&
				       v->type == JSON_STRING,
			       "esc_json: %s", cases[i].what))
			tap_diag("  got %s, want %s%s", ESC(out),
				 ESC(cases[i].json),
				 v ? "" : " (not valid JSON)");
		json_free(v);
		free(out);
	}
}

static void test_esc(void)
{
	char buf[16];

	tap_check(!strcmp(ESC("/a\x1b[2J\xff\"b"), "/a\\x1b[2J\\xff\\\"b"),
		  "esc: control and non-ASCII bytes as \\xNN, '\"' quoted");
	tap_check(!strcmp(esc(buf, sizeof(buf), "0123456789abcdef"),
			  "012345678..."),
		  "esc: a long string ends in \"...\"");
}

int main(void)
{
	tap_plan(ARRAY_SIZE(cases) + 2);
	test_json_str();
	test_esc();
	return tap_finish();
}
