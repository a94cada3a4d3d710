// SPDX-License-Identifier: GPL-2.0
/*
 * Tenant policy files: JSON in, sorted engine rules out.
 *
 * Every problem is reported with its position and the whole file is
 * checked (not just up to the first error), so that one `vpmuctl check`
 * shows everything to fix.  A file with any error yields no tenant: the
 * daemon keeps the tenant's previous good version.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "esc.h"
#include "pfm.h"
#include "policy.h"
#include "presets.h"
#include "schema.h"

/* x86 event select bits KVM's static filter does not look at. */
#define X86_SEL_USR	(1ULL << 16)
#define X86_SEL_OS	(1ULL << 17)
#define X86_SEL_EDGE	(1ULL << 18)
#define X86_SEL_INV	(1ULL << 23)
#define X86_SEL_CMASK	(0xffULL << 24)
#define INTEL_SEL_IN_TX		(1ULL << 32)
#define INTEL_SEL_IN_TXCP	(1ULL << 33)
/* x86 FIXED_CTR_CTRL, one counter's field. */
#define FIXED_CTRL_OS	(1ULL << 0)
#define FIXED_CTRL_USR	(1ULL << 1)
/* arm64 PMEVTYPER<n>/PMCCFILTR filter bits. */
#define ARM_SEL_P	(1ULL << 31)	/* do not count at EL1 */
#define ARM_SEL_U	(1ULL << 30)	/* do not count at EL0 */
#define ARM_SEL_NSH	(1ULL << 27)	/* count at EL2 */

#define ARM64_EVENT_MAX	0xffffULL
#define X86_SELECT_MAX	0xfffULL	/* AMD's bits 35:32 as 11:8 */
#define INTEL_SELECT_MAX 0xffULL	/* Intel's bits 35:32 are modifiers */
#define X86_FIXED_MAX	31ULL

static const char *const tenant_keys[] = {
	"tenant", "comment", "priority", "match", "default", "audit",
	"nested_reprogram", "preset", "allow", "deny", NULL
};
static const char *const clause_keys[] = {
	"cgroup", "slice", "unit", "machine", "xattr", "untrusted_xattrs",
	"comment", NULL
};
static const char *const entry_keys[] = {
	"event", "select", "fixed", "range", "cycle_counter", "umask",
	"umask_mask", "umask_match", "counters", "usr", "os", "edge", "inv",
	"cmask", "in_tx", "in_txcp", "el2", "nested", "exclude", "comment",
	NULL
};
static const char *const actions[] = { "deny", "allow", NULL };
static const char *const audit_levels[] = {
	"none", "denials", "all", "host", NULL
};
static const char *const nested_modes[] = { "auto", "all", "none", NULL };
static const char *const nested_conds[] = {
	"any", "only", "never", "hypervisor", NULL
};
static const char *const kind_names[] = {
	"gp", "fixed", "cycle", "probe", NULL
};

struct compiler {
	struct schema s;
	enum vpmu_target target;
	struct vpmu_rule *rules;
	struct json_pos *where;	/* the entry each rule came from */
	size_t nr, cap;
	bool full;		/* VPMU_MAX_RULES reported once */
};

uint64_t digest_bytes(const void *p, size_t len)
{
	const unsigned char *b = p;
	uint64_t h = 0xcbf29ce484222325ULL;

	while (len--) {
		h ^= *b++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

bool tenant_name_valid(const char *name)
{
	size_t n = strlen(name), i;

	if (!n || n >= TENANT_NAME_MAX || name[0] == '.')
		return false;
	for (i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		      c == '.'))
			return false;
	}
	return true;
}

char *read_file(const char *path, size_t max, size_t *len, struct diag *d)
{
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	ssize_t n;
	int fd;

	/* O_NONBLOCK: a FIFO must not hang us; it is refused below. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		diag_file(d, path, "cannot open: %s", strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		diag_file(d, path, "not a regular file");
		goto out;
	}
	if ((size_t)st.st_size > max) {
		diag_file(d, path, "too large (%lld bytes, at most %zu)",
			  (long long)st.st_size, max);
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		diag_file(d, path, "out of memory");
		goto out;
	}
	while (got < (size_t)st.st_size) {
		n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			diag_file(d, path, "read error: %s",
				  n ? strerror(errno) : "file shrank");
			free(buf);
			buf = NULL;
			goto out;
		}
		got += n;
	}
	buf[got] = 0;
	*len = got;
out:
	close(fd);
	return buf;
}

static bool add_rule(struct compiler *c, const struct vpmu_rule *r,
		     struct json_pos pos)
{
	void *p;

	if (c->nr >= VPMU_MAX_RULES) {
		if (!c->full)
			diag_at(c->s.d, c->s.file, pos,
				"too many rules: a policy compiles to at most %u",
				VPMU_MAX_RULES);
		c->full = true;
		return false;
	}
	if (c->nr == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 64;
		p = realloc(c->rules, c->cap * sizeof(*c->rules));
		if (!p)
			goto oom;
		c->rules = p;
		p = realloc(c->where, c->cap * sizeof(*c->where));
		if (!p)
			goto oom;
		c->where = p;
	}
	c->rules[c->nr] = *r;
	c->where[c->nr++] = pos;
	return true;
oom:
	diag_at(c->s.d, c->s.file, pos, "out of memory");
	c->full = true;
	return false;
}

/* What one allow/deny entry adds to each of its rules. */
struct entry {
	struct vpmu_rule tmpl;	/* action, flags, umask, selector conditions */
	bool umask_set;
	uint8_t kinds;		/* 0: each encoding's own */
	bool is_x86;
};

static uint8_t base_kinds(uint8_t space, uint32_t event)
{
	if (space == VPMU_SPACE_X86_FIXED)
		return VPMU_KIND_FIXED | VPMU_KIND_PROBE;
	if (space == VPMU_SPACE_ARM64 && event == 0x11)
		return VPMU_KIND_GP | VPMU_KIND_CYCLE | VPMU_KIND_PROBE;
	return VPMU_KIND_GP | VPMU_KIND_PROBE;
}

/* Is an encoding counted on @kinds left in by the entry's "counters"? */
static bool counted(const struct entry *e, uint8_t kinds)
{
	return !e->kinds || ((kinds | VPMU_KIND_PROBE) & e->kinds);
}

static void no_counter(struct compiler *c, const struct json_value *at)
{
	diag_at(c->s.d, c->s.file, at->pos,
		"\"counters\" leaves no counter this event is counted on");
}

/*
 * A fixed counter's selector is its 4-bit field of FIXED_CTR_CTRL (bit 0
 * counts at ring 0, bit 1 at ring 3), not an event select: move the usr/os
 * conditions there.  Edge, invert, counter mask and the TSX bits do not
 * exist for fixed counters.
 */
static bool fixed_selector(struct compiler *c, struct vpmu_rule *r,
			   const struct json_value *at)
{
	__u64 mask = 0, match = 0;

	if (r->sel_mask & (X86_SEL_EDGE | X86_SEL_INV | X86_SEL_CMASK |
			   INTEL_SEL_IN_TX | INTEL_SEL_IN_TXCP)) {
		diag_at(c->s.d, c->s.file, at->pos,
			"\"edge\", \"inv\", \"cmask\", \"in_tx\" and \"in_txcp\" do not apply to fixed counters; limit the rule with \"counters\": [\"gp\"]");
		return false;
	}
	if (r->sel_mask & X86_SEL_OS) {
		mask |= FIXED_CTRL_OS;
		match |= r->sel_match & X86_SEL_OS ? FIXED_CTRL_OS : 0;
	}
	if (r->sel_mask & X86_SEL_USR) {
		mask |= FIXED_CTRL_USR;
		match |= r->sel_match & X86_SEL_USR ? FIXED_CTRL_USR : 0;
	}
	r->sel_mask = mask;
	r->sel_match = match;
	return true;
}

static bool emit(struct compiler *c, const struct entry *e, uint8_t space,
		 uint32_t event, int umask, uint8_t kinds,
		 const struct json_value *at)
{
	struct vpmu_rule r = e->tmpl;

	r.space = space;
	r.event = event;
	if (space == VPMU_SPACE_X86_GP) {
		if (umask >= 0 && e->umask_set) {
			diag_at(c->s.d, c->s.file, at->pos,
				"this event has a fixed unit mask (0x%02x); do not give one",
				umask);
			return false;
		}
		if (umask >= 0) {
			r.umask_mask = 0xff;
			r.umask_match = umask;
		}
	} else {
		r.umask_mask = 0;
		r.umask_match = 0;
	}
	if (!counted(e, kinds)) {
		no_counter(c, at);
		return false;
	}
	if (space == VPMU_SPACE_X86_FIXED && !fixed_selector(c, &r, at))
		return false;
	kinds |= VPMU_KIND_PROBE;
	if (e->kinds)
		kinds &= e->kinds;
	r.kinds = kinds;
	return add_rule(c, &r, at->pos);
}

static bool by_name(struct compiler *c, const struct entry *e,
		    const struct json_value *v)
{
	struct vpmu_event_enc enc[VPMU_EVENT_MAX_ENCS];
	const char *name = v->string.s, *hint;
	unsigned long long n;
	char why[256];
	int i, cnt, kept;

	if (v->type == JSON_STRING && !schema_string(&c->s, v, "event", &name))
		return false;
	if (schema_parse_uint(name, &n) || v->type == JSON_NUMBER) {
		if (v->type == JSON_NUMBER &&
		    !schema_uint(&c->s, v, "event", UINT64_MAX, &n))
			return false;
		if (c->target == VPMU_TARGET_ARM64) {
			if (n > ARM64_EVENT_MAX) {
				diag_at(c->s.d, c->s.file, v->pos,
					"0x%llx is out of range for an arm64 event number (at most 0x%llx)",
					n, ARM64_EVENT_MAX);
				return false;
			}
			return emit(c, e, VPMU_SPACE_ARM64, n, -1,
				    base_kinds(VPMU_SPACE_ARM64, n), v);
		}
		if (n > X86_SELECT_MAX) {
			diag_at(c->s.d, c->s.file, v->pos,
				"0x%llx is out of range for an x86 event select (at most 0x%llx)",
				n, X86_SELECT_MAX);
			return false;
		}
		return emit(c, e, VPMU_SPACE_X86_GP, n, -1,
			    base_kinds(VPMU_SPACE_X86_GP, n), v);
	}
	if (!strncmp(name, "pfm:", 4)) {
		cnt = vpmu_pfm_lookup(c->target, name + 4, enc, why,
				      sizeof(why));
		if (!cnt) {
			diag_at(c->s.d, c->s.file, v->pos, "%s: %s", ESC(name),
				why);
			return false;
		}
	} else {
		cnt = vpmu_event_lookup(c->target, name, enc);
	}
	if (!cnt) {
		hint = vpmu_event_suggest(c->target, name);
		if (hint)
			diag_at(c->s.d, c->s.file, v->pos,
				"unknown event \"%s\" for %s (did you mean \"%s\"?)",
				ESC(name), vpmu_target_name(c->target), hint);
		else
			diag_at(c->s.d, c->s.file, v->pos,
				"unknown event \"%s\" for %s", ESC(name),
				vpmu_target_name(c->target));
		return false;
	}
	/* "counters" may leave out some of a name's encodings, not all. */
	for (i = kept = 0; i < cnt; i++)
		if (counted(e, enc[i].kinds))
			enc[kept++] = enc[i];
	if (!kept) {
		no_counter(c, v);
		return false;
	}
	for (i = 0; i < kept; i++)
		if (!emit(c, e, enc[i].space, enc[i].event, enc[i].umask,
			  enc[i].kinds, v))
			return false;
	return true;
}

/* Key @m applies to this policy's target if @ok; else say what it is for. */
static bool key_for_target(struct compiler *c, const struct json_member *m,
			   bool ok, const char *what)
{
	if (ok)
		return true;
	diag_at(c->s.d, c->s.file, m->key_pos, "\"%s\" is %s; this policy is for %s",
		ESC(m->key), what, vpmu_target_name(c->target));
	return false;
}

static bool x86_only(struct compiler *c, const struct json_member *m)
{
	return key_for_target(c, m, c->target != VPMU_TARGET_ARM64,
			      "for x86 events");
}

static bool intel_only(struct compiler *c, const struct json_member *m)
{
	return key_for_target(c, m, c->target == VPMU_TARGET_X86_INTEL,
			      "an Intel selector bit");
}

static bool arm64_only(struct compiler *c, const struct json_member *m)
{
	return key_for_target(c, m, c->target == VPMU_TARGET_ARM64,
			      "for arm64 events");
}

/* A selector-bit condition: the rule applies iff (bit set) == @want_set. */
static void sel_cond(struct entry *e, unsigned long long bit, bool want_set)
{
	e->tmpl.sel_mask |= bit;
	if (want_set)
		e->tmpl.sel_match |= bit;
}

static bool entry_conditions(struct compiler *c, const struct json_value *o,
			     struct entry *e)
{
	const struct json_member *mm, *mu;
	unsigned long long n, mask, match;
	const char *str;
	bool b, ok = true;
	size_t i;
	int k;

	for (i = 0; i < o->object.n; i++) {
		const struct json_member *m = &o->object.members[i];
		const struct json_value *v = m->value;

		if (!strcmp(m->key, "comment")) {
			ok &= schema_string(&c->s, v, m->key, &str);
		} else if (!strcmp(m->key, "exclude")) {
			if ((ok &= schema_bool(&c->s, v, m->key, &b)) && b)
				e->tmpl.flags |= VPMU_RULE_EXCLUDE;
		} else if (!strcmp(m->key, "usr") || !strcmp(m->key, "os")) {
			if (!schema_bool(&c->s, v, m->key, &b)) {
				ok = false;
			} else if (c->target == VPMU_TARGET_ARM64) {
				/* The arm64 bits say "do not count there". */
				sel_cond(e, m->key[0] == 'u' ? ARM_SEL_U :
					 ARM_SEL_P, !b);
			} else {
				sel_cond(e, m->key[0] == 'u' ? X86_SEL_USR :
					 X86_SEL_OS, b);
			}
		} else if (!strcmp(m->key, "edge") || !strcmp(m->key, "inv")) {
			if (!x86_only(c, m) || !schema_bool(&c->s, v, m->key, &b))
				ok = false;
			else
				sel_cond(e, m->key[0] == 'e' ? X86_SEL_EDGE :
					 X86_SEL_INV, b);
		} else if (!strcmp(m->key, "cmask")) {
			if (!x86_only(c, m) ||
			    !schema_uint(&c->s, v, m->key, 0xff, &n)) {
				ok = false;
			} else {
				e->tmpl.sel_mask |= X86_SEL_CMASK;
				e->tmpl.sel_match |= n << 24;
			}
		} else if (!strcmp(m->key, "in_tx") ||
			   !strcmp(m->key, "in_txcp")) {
			/* KVM decodes these as modifiers, never as event bits. */
			if (!intel_only(c, m) || !schema_bool(&c->s, v, m->key, &b))
				ok = false;
			else
				sel_cond(e, m->key[5] ? INTEL_SEL_IN_TXCP :
					 INTEL_SEL_IN_TX, b);
		} else if (!strcmp(m->key, "el2")) {
			if (!arm64_only(c, m) || !schema_bool(&c->s, v, m->key, &b))
				ok = false;
			else
				sel_cond(e, ARM_SEL_NSH, b);
		} else if (!strcmp(m->key, "nested")) {
			k = schema_enum(&c->s, v, m->key, nested_conds);
			if (k == 3 && c->target != VPMU_TARGET_ARM64) {
				diag_at(c->s.d, c->s.file, v->pos,
					"\"nested\": \"hypervisor\" is for arm64 (vEL2); this policy is for %s",
					vpmu_target_name(c->target));
				k = -1;
			}
			ok &= k >= 0;
			if (k == 1)
				e->tmpl.flags |= VPMU_RULE_NESTED_ONLY;
			else if (k == 2)
				e->tmpl.flags |= VPMU_RULE_NOT_NESTED;
			else if (k == 3)
				e->tmpl.flags |= VPMU_RULE_HYP_ONLY;
		} else if (!strcmp(m->key, "counters")) {
			if (!schema_type(&c->s, v, m->key, JSON_ARRAY)) {
				ok = false;
				continue;
			}
			if (!v->array.n) {
				diag_at(c->s.d, c->s.file, v->pos,
					"\"counters\" must name at least one kind");
				ok = false;
			}
			for (n = 0; n < v->array.n; n++) {
				k = schema_enum(&c->s, v->array.items[n],
						m->key, kind_names);
				if (k < 0)
					ok = false;
				else
					e->kinds |= 1u << k;
			}
		} else if (!strcmp(m->key, "umask")) {
			if (!x86_only(c, m) ||
			    !schema_uint(&c->s, v, m->key, 0xff, &n)) {
				ok = false;
			} else {
				e->tmpl.umask_mask = 0xff;
				e->tmpl.umask_match = n;
				e->umask_set = true;
			}
		}
	}

	/* KVM's masked entries: both halves or neither. */
	mm = json_member(o, "umask_mask");
	mu = json_member(o, "umask_match");
	if (mm || mu) {
		const struct json_member *have = mm ? mm : mu;

		if (!x86_only(c, have))
			return false;
		if (json_member(o, "umask")) {
			diag_at(c->s.d, c->s.file, have->key_pos,
				"give \"umask\" or \"umask_mask\"/\"umask_match\", not both");
			return false;
		}
		if (!mm || !mu) {
			diag_at(c->s.d, c->s.file, have->key_pos,
				"\"umask_mask\" and \"umask_match\" go together");
			return false;
		}
		if (!schema_uint(&c->s, mm->value, "umask_mask", 0xff, &mask) ||
		    !schema_uint(&c->s, mu->value, "umask_match", 0xff, &match))
			return false;
		if (match & ~mask) {
			diag_at(c->s.d, c->s.file, mu->value->pos,
				"\"umask_match\" 0x%02llx has bits outside \"umask_mask\" 0x%02llx (they could never match)",
				match, mask);
			return false;
		}
		e->tmpl.umask_mask = mask;
		e->tmpl.umask_match = match;
		e->umask_set = true;
	}
	return ok;
}

/* The one key of an entry object that says which events it is about. */
static const char *const what_keys[] = {
	"event", "select", "fixed", "range", "cycle_counter", NULL
};

static bool entry_object(struct compiler *c, const struct json_value *o,
			 struct entry *e)
{
	const struct json_member *what = NULL, *m;
	unsigned long long n, lo, hi;
	const struct json_value *v;
	const char *const *k;
	bool ok, b;

	ok = schema_known_keys(&c->s, o, entry_keys, "a rule");
	for (k = what_keys; *k; k++) {
		m = json_member(o, *k);
		if (!m)
			continue;
		if (what) {
			diag_at(c->s.d, c->s.file, m->key_pos,
				"a rule names its events once: \"%s\" and \"%s\" both given",
				ESC(what->key), ESC(m->key));
			return false;
		}
		what = m;
	}
	if (!what) {
		diag_at(c->s.d, c->s.file, o->pos,
			"a rule needs one of \"event\", \"select\", \"fixed\", \"range\" or \"cycle_counter\"");
		return false;
	}
	ok &= entry_conditions(c, o, e);
	if (!ok)
		return false;
	if (e->umask_set && strcmp(what->key, "select") &&
	    strcmp(what->key, "event")) {
		diag_at(c->s.d, c->s.file, o->pos,
			"a unit mask applies to general-purpose x86 events only");
		return false;
	}

	v = what->value;
	if (!strcmp(what->key, "event")) {
		if (v->type != JSON_STRING && v->type != JSON_NUMBER) {
			diag_at(c->s.d, c->s.file, v->pos,
				"\"event\" must be a name or a number, not %s",
				json_type_name(v->type));
			return false;
		}
		return by_name(c, e, v);
	}
	if (!strcmp(what->key, "select")) {
		if (!x86_only(c, what) ||
		    !schema_uint(&c->s, v, "select", X86_SELECT_MAX, &n))
			return false;
		if (c->target == VPMU_TARGET_X86_INTEL && n > INTEL_SELECT_MAX) {
			/*
			 * KVM never reports such an event on Intel: bits 35:32
			 * of the selector are IN_TX, IN_TXCP, not the event.
			 */
			diag_at(c->s.d, c->s.file, v->pos,
				"\"select\" %#llx has bits above 0xff: on Intel those are selector modifiers (use \"in_tx\", \"in_txcp\"), not event bits",
				n);
			return false;
		}
		return emit(c, e, VPMU_SPACE_X86_GP, n, -1,
			    base_kinds(VPMU_SPACE_X86_GP, n), v);
	}
	if (!strcmp(what->key, "fixed")) {
		if (!x86_only(c, what) ||
		    !schema_uint(&c->s, v, "fixed", X86_FIXED_MAX, &n))
			return false;
		return emit(c, e, VPMU_SPACE_X86_FIXED, n, -1,
			    base_kinds(VPMU_SPACE_X86_FIXED, n), v);
	}
	if (!strcmp(what->key, "cycle_counter")) {
		if (!arm64_only(c, what) ||
		    !schema_bool(&c->s, v, "cycle_counter", &b))
			return false;
		if (!b) {
			diag_at(c->s.d, c->s.file, v->pos,
				"\"cycle_counter\" can only be true");
			return false;
		}
		return emit(c, e, VPMU_SPACE_ARM64, 0x11, -1, VPMU_KIND_CYCLE,
			    v);
	}
	/* range */
	if (!arm64_only(c, what) || !schema_type(&c->s, v, "range", JSON_ARRAY))
		return false;
	if (v->array.n != 2) {
		diag_at(c->s.d, c->s.file, v->pos,
			"\"range\" must be [first, last], not %zu value%s",
			v->array.n, v->array.n == 1 ? "" : "s");
		return false;
	}
	if (!schema_uint(&c->s, v->array.items[0], "range", ARM64_EVENT_MAX, &lo) ||
	    !schema_uint(&c->s, v->array.items[1], "range", ARM64_EVENT_MAX, &hi))
		return false;
	if (lo > hi) {
		diag_at(c->s.d, c->s.file, v->pos,
			"\"range\": first 0x%llx is after last 0x%llx", lo, hi);
		return false;
	}
	if (hi - lo + 1 > VPMU_MAX_RULES) {
		diag_at(c->s.d, c->s.file, v->pos,
			"\"range\" of %llu events is wider than a policy's %u rules",
			hi - lo + 1, VPMU_MAX_RULES);
		return false;
	}
	for (n = lo, b = false; n <= hi; n++) {
		if (!counted(e, base_kinds(VPMU_SPACE_ARM64, n)))
			continue;
		if (!emit(c, e, VPMU_SPACE_ARM64, n, -1,
			  base_kinds(VPMU_SPACE_ARM64, n), v))
			return false;
		b = true;
	}
	if (!b)
		no_counter(c, v);
	return b;
}

static bool compile_list(struct compiler *c, const struct json_value *list,
			 const char *key, uint8_t action)
{
	bool ok = true;
	size_t i;

	if (!schema_type(&c->s, list, key, JSON_ARRAY))
		return false;
	/* Past VPMU_MAX_RULES, entries are still checked, not added. */
	for (i = 0; i < list->array.n; i++) {
		const struct json_value *v = list->array.items[i];
		struct entry e = { .tmpl = { .action = action } };

		if (v->type == JSON_STRING || v->type == JSON_NUMBER)
			ok &= by_name(c, &e, v);
		else if (v->type == JSON_OBJECT)
			ok &= entry_object(c, v, &e);
		else {
			diag_at(c->s.d, c->s.file, v->pos,
				"an entry of \"%s\" must be an event name, a number or an object, not %s",
				ESC(key), json_type_name(v->type));
			ok = false;
		}
	}
	return ok && !c->full;
}

/* One preset name: its enum vpmu_preset, or -1 (reported). */
static int preset_value(struct compiler *c, const struct json_value *v)
{
	const char *name, *hint;
	int p;

	if (!schema_string(&c->s, v, "preset", &name))
		return -1;
	p = vpmu_preset_parse(name);
	if (p >= 0)
		return p;
	hint = vpmu_preset_suggest(name);
	diag_at(c->s.d, c->s.file, v->pos,
		"unknown preset \"%s\" (%s%s%s)", ESC(name),
		hint ? "did you mean \"" : "architectural, standard or enhanced",
		hint ? hint : "", hint ? "\"?" : "");
	return -1;
}

/*
 * "preset": a name, or an object giving one per target.  Returns the
 * preset for this policy's target (VPMU_PRESET_NONE if there is no key),
 * or -1 after reporting why not.
 */
static int preset_for_target(struct compiler *c, const struct json_value *v)
{
	const char *target = vpmu_target_name(c->target);
	const struct json_value *mine = NULL;
	bool ok = true;
	size_t i;
	int t, p;

	if (v->type == JSON_STRING)
		return preset_value(c, v);
	if (v->type != JSON_OBJECT) {
		diag_at(c->s.d, c->s.file, v->pos,
			"\"preset\" must be a preset name or an object of target: preset name, not %s",
			json_type_name(v->type));
		return -1;
	}
	/* Every member is checked, not only this target's. */
	for (i = 0; i < v->object.n; i++) {
		const struct json_member *m = &v->object.members[i];

		t = vpmu_target_parse(m->key);
		if (t < 0) {
			diag_at(c->s.d, c->s.file, m->key_pos,
				"unknown target \"%s\" in \"preset\" (arm64, x86-intel or x86-amd)",
				ESC(m->key));
			ok = false;
			continue;
		}
		if (preset_value(c, m->value) < 0)
			ok = false;
		else if (t == (int)c->target)
			mine = m->value;
	}
	if (!ok)
		return -1;
	if (!mine) {
		diag_at(c->s.d, c->s.file, v->pos,
			"\"preset\" defines no preset for %s, the target this policy is compiled for",
			target);
		return -1;
	}
	p = vpmu_preset_parse(mine->string.s);
	return p;
}

/* The preset's events as allow rules marked VPMU_RULE_PRESET. */
static bool compile_preset(struct compiler *c, const struct json_value *v,
			   struct tenant *t)
{
	const struct vpmu_preset_event *ev;
	size_t i, n;

	t->preset = preset_for_target(c, v);
	if (t->preset < 0) {
		t->preset = VPMU_PRESET_NONE;
		return false;
	}
	if (t->default_action == VPMU_ALLOW) {
		diag_at(c->s.d, c->s.file, v->pos,
			"a preset adds allowed events to \"default\": \"deny\"; with \"default\": \"allow\" it would change nothing");
		return false;
	}
	ev = vpmu_preset_events(c->target, &n);
	for (i = 0; i < n && ev[i].level <= t->preset; i++) {
		struct entry e = {
			.tmpl = { .action = VPMU_ALLOW,
				  .flags = VPMU_RULE_PRESET },
		};

		if (!emit(c, &e, ev[i].space, ev[i].event, ev[i].umask,
			  base_kinds(ev[i].space, ev[i].event), v))
			return false;
	}
	return true;
}

static int cmp_rule(const void *a, const void *b)
{
	const struct vpmu_rule *x = a, *y = b;
	__u64 kx = vpmu_rule_key(x->space, x->event);
	__u64 ky = vpmu_rule_key(y->space, y->event);

	if (kx != ky)
		return kx < ky ? -1 : 1;
	return memcmp(x, y, sizeof(*x));
}

/* Sort, drop exact duplicates, and check the per-key scan bound. */
static bool finish_rules(struct compiler *c, struct tenant *t)
{
	size_t i, out = 0, run = 0;
	struct json_pos *pos_sorted;
	struct {
		struct vpmu_rule r;
		struct json_pos p;
	} *tmp;

	if (!c->nr)
		return true;
	tmp = calloc(c->nr, sizeof(*tmp));
	pos_sorted = calloc(c->nr, sizeof(*pos_sorted));
	if (!tmp || !pos_sorted) {
		free(tmp);
		free(pos_sorted);
		diag_file(c->s.d, c->s.file, "out of memory");
		return false;
	}
	for (i = 0; i < c->nr; i++) {
		tmp[i].r = c->rules[i];
		tmp[i].p = c->where[i];
	}
	/* The struct is rule first: cmp_rule orders by rule alone. */
	qsort(tmp, c->nr, sizeof(*tmp), cmp_rule);
	for (i = 0; i < c->nr; i++) {
		if (out && !memcmp(&tmp[i].r, &c->rules[out - 1],
				   sizeof(tmp[i].r)))
			continue;
		if (out && vpmu_rule_key(tmp[i].r.space, tmp[i].r.event) ==
			   vpmu_rule_key(c->rules[out - 1].space,
					 c->rules[out - 1].event))
			run++;
		else
			run = 1;
		if (run > VPMU_MAX_SAME_KEY) {
			diag_at(c->s.d, c->s.file, tmp[i].p,
				"more than %u rules for one event (0x%x): merge them",
				VPMU_MAX_SAME_KEY, tmp[i].r.event);
			free(tmp);
			free(pos_sorted);
			return false;
		}
		c->rules[out] = tmp[i].r;
		pos_sorted[out++] = tmp[i].p;
	}
	free(tmp);
	t->rules = c->rules;
	t->where = pos_sorted;
	t->nr = out;
	c->rules = NULL;
	return true;
}

static bool parse_clause(struct compiler *c, const struct json_value *o,
			 struct match_clause *cl)
{
	const struct json_member *m;
	size_t i, j, n = 0, max = 0;
	bool ok;

	if (!schema_type(&c->s, o, "match", JSON_OBJECT))
		return false;
	ok = schema_known_keys(&c->s, o, clause_keys, "a match clause");
	/* At most one condition per member, or per attribute of "xattr". */
	for (i = 0; i < o->object.n; i++) {
		const struct json_value *v = o->object.members[i].value;

		max += v->type == JSON_OBJECT ? v->object.n : 1;
	}
	cl->conds = calloc(max + 1, sizeof(*cl->conds));
	if (!cl->conds) {
		diag_file(c->s.d, c->s.file, "out of memory");
		return false;
	}
	if ((m = json_member(o, "untrusted_xattrs")) &&
	    !schema_bool(&c->s, m->value, m->key, &cl->untrusted_xattrs))
		ok = false;
	for (i = 0; i < o->object.n; i++) {
		const struct json_value *v;
		const char *str;
		enum match_field f;

		m = &o->object.members[i];
		v = m->value;
		if (!strcmp(m->key, "untrusted_xattrs"))
			continue;	/* read above */
		if (!strcmp(m->key, "comment")) {
			ok &= schema_string(&c->s, v, m->key, &str);
			continue;
		}
		if (!strcmp(m->key, "xattr")) {
			if (!schema_type(&c->s, v, m->key, JSON_OBJECT)) {
				ok = false;
				continue;
			}
			if (!v->object.n) {
				diag_at(c->s.d, c->s.file, v->pos,
					"\"xattr\" must name at least one attribute");
				ok = false;
			}
			for (j = 0; j < v->object.n; j++) {
				const struct json_member *x = &v->object.members[j];

				if (strncmp(x->key, "user.", 5) &&
				    strncmp(x->key, "trusted.", 8)) {
					diag_at(c->s.d, c->s.file, x->key_pos,
						"xattr \"%s\": only user.* and trusted.* attributes of cgroups can be matched",
						ESC(x->key));
					ok = false;
					continue;
				}
				/*
				 * Whoever may write a cgroup may set its
				 * user.* xattrs: only on the admin's say.
				 */
				if (!strncmp(x->key, "user.", 5) &&
				    !cl->untrusted_xattrs) {
					diag_at(c->s.d, c->s.file, x->key_pos,
						"xattr \"%s\": a cgroup's owner can set user.* attributes; match trusted.* ones, or set \"untrusted_xattrs\": true in this clause",
						ESC(x->key));
					ok = false;
					continue;
				}
				if (!schema_string(&c->s, x->value, x->key, &str)) {
					ok = false;
					continue;
				}
				cl->conds[n].field = MATCH_XATTR;
				cl->conds[n].xattr = strdup(x->key);
				cl->conds[n].pattern = strdup(str);
				if (!cl->conds[n].xattr || !cl->conds[n].pattern) {
					diag_file(c->s.d, c->s.file, "out of memory");
					ok = false;
				}
				n++;
			}
			continue;
		}
		if (!strcmp(m->key, "cgroup"))
			f = MATCH_CGROUP;
		else if (!strcmp(m->key, "slice"))
			f = MATCH_SLICE;
		else if (!strcmp(m->key, "unit"))
			f = MATCH_UNIT;
		else if (!strcmp(m->key, "machine"))
			f = MATCH_MACHINE;
		else
			continue;	/* reported as unknown above */
		if (!schema_string(&c->s, v, m->key, &str)) {
			ok = false;
			continue;
		}
		if (!*str) {
			diag_at(c->s.d, c->s.file, v->pos,
				"\"%s\" must not be empty", ESC(m->key));
			ok = false;
			continue;
		}
		if (f == MATCH_CGROUP && str[0] != '/') {
			diag_at(c->s.d, c->s.file, v->pos,
				"\"cgroup\" is a path from the cgroup2 root and starts with '/': \"%s\"",
				ESC(str));
			ok = false;
			continue;
		}
		cl->conds[n].field = f;
		cl->conds[n].pattern = strdup(str);
		if (!cl->conds[n++].pattern) {
			diag_file(c->s.d, c->s.file, "out of memory");
			ok = false;
		}
	}
	cl->n = n;
	if (ok && !n) {
		diag_at(c->s.d, c->s.file, o->pos,
			"a match clause needs at least one condition");
		ok = false;
	}
	return ok;
}

static bool parse_match(struct compiler *c, const struct json_value *v,
			struct tenant *t)
{
	size_t i, n = v->type == JSON_ARRAY ? v->array.n : 1;
	bool ok = true;

	if (v->type != JSON_ARRAY && v->type != JSON_OBJECT) {
		diag_at(c->s.d, c->s.file, v->pos,
			"\"match\" must be an object or an array of objects, not %s",
			json_type_name(v->type));
		return false;
	}
	if (!n) {
		diag_at(c->s.d, c->s.file, v->pos,
			"\"match\" must have at least one clause (leave it out to match no VM)");
		return false;
	}
	t->clauses = calloc(n, sizeof(*t->clauses));
	if (!t->clauses) {
		diag_file(c->s.d, c->s.file, "out of memory");
		return false;
	}
	t->nclauses = n;
	for (i = 0; i < n; i++)
		ok &= parse_clause(c, v->type == JSON_ARRAY ? v->array.items[i] : v,
				   &t->clauses[i]);
	return ok;
}

static void default_name(const char *file, char *name)
{
	const char *base = strrchr(file, '/');
	size_t n;

	base = base ? base + 1 : file;
	n = strlen(base);
	if (n > 5 && !strcmp(base + n - 5, ".json"))
		n -= 5;
	if (n >= TENANT_NAME_MAX)
		n = 0;	/* not a valid name: "tenant" must give one */
	memcpy(name, base, n);
	name[n] = 0;
}

struct tenant *tenant_parse(const char *file, const char *text, size_t len,
			    enum vpmu_target target, struct diag *d)
{
	struct compiler c = { .s = { .file = file, .d = d }, .target = target };
	const struct json_member *m;
	struct json_error jerr;
	struct json_value *root;
	struct tenant *t;
	size_t before = diag_count(d);
	const char *str;
	int k;

	root = json_parse(text, len, &jerr);
	if (!root) {
		diag_at(d, file, jerr.pos, "%s", jerr.msg);
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (!t || !(t->file = strdup(file))) {
		diag_file(d, file, "out of memory");
		goto fail;
	}
	t->audit = -1;
	t->default_action = VPMU_DENY;
	t->digest = digest_bytes(text, len);
	default_name(file, t->name);

	if (root->type != JSON_OBJECT) {
		diag_at(d, file, root->pos,
			"a tenant file must be a JSON object, not %s",
			json_type_name(root->type));
		goto fail;
	}
	schema_known_keys(&c.s, root, tenant_keys, "the tenant");

	if ((m = json_member(root, "tenant")) &&
	    schema_string(&c.s, m->value, "tenant", &str)) {
		if (!tenant_name_valid(str))
			diag_at(d, file, m->value->pos,
				"tenant name \"%s\" must be 1-%d letters, digits, '-', '_' or '.', not starting with '.'",
				ESC(str), TENANT_NAME_MAX - 1);
		else
			snprintf(t->name, sizeof(t->name), "%s", str);
	} else if (!m && !tenant_name_valid(t->name)) {
		diag_file(d, file,
			  "the file name does not make a valid tenant name; set \"tenant\"");
	}
	if ((m = json_member(root, "comment")))
		schema_string(&c.s, m->value, "comment", &str);
	if ((m = json_member(root, "priority")))
		schema_int(&c.s, m->value, "priority", -1000000, 1000000,
			   &t->priority);
	if ((m = json_member(root, "default")) &&
	    (k = schema_enum(&c.s, m->value, "default", actions)) >= 0)
		t->default_action = k;
	if ((m = json_member(root, "audit")) &&
	    (k = schema_enum(&c.s, m->value, "audit", audit_levels)) >= 0)
		t->audit = k == 3 ? -1 : k;
	if ((m = json_member(root, "nested_reprogram")) &&
	    (k = schema_enum(&c.s, m->value, "nested_reprogram",
			     nested_modes)) >= 0)
		t->nested = k;
	if ((m = json_member(root, "match")))
		parse_match(&c, m->value, t);
	/* After "default", which a preset needs to be "deny". */
	if ((m = json_member(root, "preset")))
		compile_preset(&c, m->value, t);
	if ((m = json_member(root, "allow")))
		compile_list(&c, m->value, "allow", VPMU_ALLOW);
	if ((m = json_member(root, "deny")))
		compile_list(&c, m->value, "deny", VPMU_DENY);

	if (diag_count(d) != before || !finish_rules(&c, t))
		goto fail;
	t->header_flags = vpmu_policy_flags(t->rules, t->nr);
	if (t->nested == NESTED_ALL)
		t->header_flags |= VPMU_POLICY_NESTED;
	else if (t->nested == NESTED_NONE)
		t->header_flags &= ~VPMU_POLICY_NESTED;
	if (t->audit >= 0)
		t->header_flags |= VPMU_POLICY_AUDIT(t->audit);
	t->header_flags |= VPMU_POLICY_PRESET(t->preset);
	json_free(root);
	free(c.where);
	return t;
fail:
	json_free(root);
	free(c.rules);
	free(c.where);
	tenant_free(t);
	return NULL;
}

struct tenant *tenant_load(const char *path, enum vpmu_target target,
			   struct diag *d)
{
	struct tenant *t;
	size_t len;
	char *text = read_file(path, TENANT_FILE_MAX, &len, d);

	if (!text)
		return NULL;
	t = tenant_parse(path, text, len, target, d);
	free(text);
	return t;
}

void tenant_free(struct tenant *t)
{
	size_t i, j;

	if (!t)
		return;
	for (i = 0; i < t->nclauses; i++) {
		for (j = 0; j < t->clauses[i].n; j++) {
			free(t->clauses[i].conds[j].pattern);
			free(t->clauses[i].conds[j].xattr);
		}
		free(t->clauses[i].conds);
	}
	free(t->clauses);
	free(t->rules);
	free(t->where);
	free(t->file);
	free(t);
}

struct vpmu_policy_header tenant_header(const struct tenant *t)
{
	struct vpmu_policy_header h = vpmu_policy_header(t->nr,
							 t->default_action);

	h.flags = t->header_flags;
	return h;
}
