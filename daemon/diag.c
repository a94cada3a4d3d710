// SPDX-License-Identifier: GPL-2.0
/* Diagnostics collected as "file:line:column: message" strings. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "esc.h"

void diag_init(struct diag *d)
{
	memset(d, 0, sizeof(*d));
}

void diag_free(struct diag *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		free(d->msgs[i]);
	diag_init(d);
}

static void add(struct diag *d, char *prefix, const char *fmt, va_list ap)
{
	char *body = NULL, *msg = NULL;

	if (d->n >= DIAG_MAX) {
		d->dropped++;
		free(prefix);
		return;
	}
	if (vasprintf(&body, fmt, ap) < 0)
		body = NULL;
	if (!prefix || !body || asprintf(&msg, "%s%s", prefix, body) < 0)
		msg = strdup("out of memory while reporting an error");
	free(prefix);
	free(body);
	d->msgs[d->n++] = msg;
}

void diag_at(struct diag *d, const char *file, struct json_pos pos,
	     const char *fmt, ...)
{
	char *prefix, shown[1024];
	va_list ap;

	/* A file's name is chosen by whoever may write its directory. */
	if (asprintf(&prefix, "%s:%u:%u: ", esc(shown, sizeof(shown), file),
		     pos.line, pos.col) < 0)
		prefix = NULL;
	va_start(ap, fmt);
	add(d, prefix, fmt, ap);
	va_end(ap);
}

void diag_file(struct diag *d, const char *file, const char *fmt, ...)
{
	char *prefix, shown[1024];
	va_list ap;

	if (asprintf(&prefix, "%s: ", esc(shown, sizeof(shown), file)) < 0)
		prefix = NULL;
	va_start(ap, fmt);
	add(d, prefix, fmt, ap);
	va_end(ap);
}

size_t diag_count(const struct diag *d)
{
	return d->n + d->dropped;
}

void diag_move(struct diag *dst, struct diag *src)
{
	size_t i;

	for (i = 0; i < src->n; i++) {
		if (dst->n < DIAG_MAX)
			dst->msgs[dst->n++] = src->msgs[i];
		else {
			dst->dropped++;
			free(src->msgs[i]);
		}
	}
	dst->dropped += src->dropped;
	diag_init(src);
}
