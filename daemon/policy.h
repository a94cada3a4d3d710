/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tenant: one JSON file under tenants.d, read and compiled into the
 * engine's rule format (include/vpmu/rule.h).  The file format is
 * documented in vpmu-policy.json(5) (man/vpmu-policy.json.5).
 */
#ifndef VPMUD_POLICY_H
#define VPMUD_POLICY_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/types.h>

#include "../include/vpmu/rule.h"
#include "diag.h"
#include "events.h"

#define TENANT_NAME_MAX		64
/* Policy files larger than this are refused (a 4096-rule policy is ~400 KiB). */
#define TENANT_FILE_MAX		(4u << 20)

enum match_field {
	MATCH_CGROUP,	/* glob on the cgroup path or an ancestor's */
	MATCH_SLICE,	/* glob on any systemd slice the cgroup is in */
	MATCH_UNIT,	/* glob on the systemd unit (service/scope) */
	MATCH_MACHINE,	/* glob on the systemd-machined machine name */
	MATCH_XATTR,	/* glob on an xattr of the cgroup or an ancestor */
};

struct match_cond {
	enum match_field field;
	char *pattern;
	char *xattr;		/* MATCH_XATTR: "trusted.tenant" */
};

/* All conditions of a clause must hold; any clause of a tenant may. */
struct match_clause {
	struct match_cond *conds;
	size_t n;
	/* "untrusted_xattrs": user.* xattrs may be named (see match.c) */
	bool untrusted_xattrs;
};

enum nested_mode { NESTED_AUTO, NESTED_ALL, NESTED_NONE };

struct tenant {
	char name[TENANT_NAME_MAX];
	char *file;
	long long priority;
	struct match_clause *clauses;
	size_t nclauses;
	uint8_t default_action;	/* enum vpmu_action */
	int audit;		/* -1: the host's; else enum vpmu_audit */
	enum nested_mode nested;
	int preset;		/* enum vpmu_preset */
	struct vpmu_rule *rules;	/* sorted by vpmu_rule_key() */
	/* where rules[i] came from: its entry, or the "preset" value */
	struct json_pos *where;
	size_t nr;
	uint8_t header_flags;	/* VPMU_POLICY_* for the header */
	uint64_t digest;	/* of the source text: unchanged files are skipped */
};

/*
 * Parse and compile @len bytes of @text, read from @file (used in
 * messages, and for the default tenant name: the file name without
 * ".json"), for target @t.  NULL with errors in @d on failure.
 */
struct tenant *tenant_parse(const char *file, const char *text, size_t len,
			    enum vpmu_target t, struct diag *d);
/* Read @path and tenant_parse() it. */
struct tenant *tenant_load(const char *path, enum vpmu_target t,
			   struct diag *d);
void tenant_free(struct tenant *t);
/* Read a whole file of at most @max bytes (NUL-terminated); NULL + diag. */
char *read_file(const char *path, size_t max, size_t *len, struct diag *d);
/* The header entry (entry 0) of @t's rule map. */
struct vpmu_policy_header tenant_header(const struct tenant *t);
uint64_t digest_bytes(const void *p, size_t len);
bool tenant_name_valid(const char *name);

#endif /* VPMUD_POLICY_H */
