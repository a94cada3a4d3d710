// SPDX-License-Identifier: GPL-2.0
/* Escaping untrusted bytes for messages (see esc.h). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "esc.h"

char *esc(char *buf, size_t size, const char *s)
{
	const unsigned char *k = (const unsigned char *)s;
	size_t n = 0;

	/* Each step leaves room for one \xNN, then "..." and the NUL. */
	for (; *k && n + 8 <= size; k++) {
		if (*k == '"' || *k == '\\') {
			buf[n++] = '\\';
			buf[n++] = *k;
		} else if (*k >= 0x20 && *k < 0x7f) {
			buf[n++] = *k;
		} else {
			n += snprintf(buf + n, size - n, "\\x%02x", *k);
		}
	}
	strcpy(buf + n, *k ? "..." : "");
	return buf;
}

/* The length of the valid UTF-8 sequence at @s, its code point in *@cp; 0 if none. */
static size_t utf8_seq(const unsigned char *s, unsigned int *cp)
{
	unsigned int c = s[0], min;
	size_t n, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2, c &= 0x1f, min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3, c &= 0x0f, min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4, c &= 0x07, min = 0x10000;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)	/* the NUL too */
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/* What a terminal obeys or reorders by rather than shows. */
static bool json_control(unsigned int cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp < 0xa0) ||
	       cp == 0x200e || cp == 0x200f ||
	       (cp >= 0x2028 && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

void esc_json(FILE *f, const char *s)
{
	const unsigned char *k = (const unsigned char *)s;
	unsigned int cp;
	size_t n;

	fputc('"', f);
	while (*k) {
		n = utf8_seq(k, &cp);
		if (!n)
			fprintf(f, "\\u%04x", *k++);
		else if (cp == '"' || cp == '\\')
			fprintf(f, "\\%c", cp);
		else if (json_control(cp))
			fprintf(f, "\\u%04x", cp);
		else
			fwrite(k, 1, n, f);
		k += n;
	}
	fputc('"', f);
}
