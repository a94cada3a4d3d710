/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Diagnostics: every problem found in a policy or config file, as
 * "file:line:column: message", collected rather than printed so that the
 * daemon can log them, vpmuctl check can print them, and tests can
 * compare them exactly.
 */
#ifndef VPMUD_DIAG_H
#define VPMUD_DIAG_H

#include <stddef.h>

#include "json.h"

/* More than this many errors in one file are summarised in one line. */
#define DIAG_MAX 32

struct diag {
	char *msgs[DIAG_MAX + 1];
	size_t n;		/* messages kept */
	size_t dropped;		/* errors past DIAG_MAX */
};

void diag_init(struct diag *d);
void diag_free(struct diag *d);
/* An error at @pos in @file. */
void diag_at(struct diag *d, const char *file, struct json_pos pos,
	     const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* An error about @file as a whole (cannot open, too big). */
void diag_file(struct diag *d, const char *file, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Errors so far, counting dropped ones. */
size_t diag_count(const struct diag *d);
/* Move @src's messages to the end of @dst. */
void diag_move(struct diag *dst, struct diag *src);

#endif /* VPMUD_DIAG_H */
