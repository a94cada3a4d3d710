/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Quoting bytes the daemon does not control (policy files' keys and
 * values, cgroup paths, xattr values, machine names) for messages: a
 * terminal or the journal must show them, not obey them.
 */
#ifndef VPMUD_ESC_H
#define VPMUD_ESC_H

#include <stddef.h>
#include <stdio.h>

/* Room for an escaped string in a message; longer ones end in "...". */
#define ESC_MAX 256

/*
 * @s into @buf (@size bytes, at least 8) with every byte outside 0x20 to
 * 0x7e written as \xNN (control characters, DEL, and every byte of a
 * multibyte or invalid UTF-8 sequence: C1 controls and bidi overrides
 * are UTF-8 too), and '"' and '\' written as \" and \\, so that the
 * result can stand between double quotes.  Returns @buf.
 */
char *esc(char *buf, size_t size, const char *s);

/* esc() into a buffer that lives until the end of the enclosing block. */
#define ESC(s) esc((char[ESC_MAX]){ 0 }, ESC_MAX, (s))

/*
 * @s as a JSON string (quotes included) to @f, for vpmuctl's --json.
 * Valid UTF-8 is kept, but for '"' and '\', and control and formatting
 * characters (C0, DEL, C1, U+2028/9, bidi marks, overrides and isolates)
 * written as \uXXXX of their code point.  A byte that is not part of
 * valid UTF-8 (an overlong or surrogate form included) is written as
 * \u00XX of the byte: what reads back is U+00XX, not the byte, so such a
 * name shows but does not round-trip.
 */
void esc_json(FILE *f, const char *s);

#endif /* VPMUD_ESC_H */
