// SPDX-License-Identifier: GPL-2.0
/* Escaping untrusted bytes for messages (see esc.h). */
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
