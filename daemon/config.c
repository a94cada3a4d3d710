// SPDX-License-Identifier: GPL-2.0
/* The main configuration file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/types.h>

#include "../include/vpmu/maps.h"
#include "config.h"
#include "esc.h"
#include "perms.h"
#include "schema.h"

static const char *const config_keys[] = {
	"comment", "default_action", "default_tenant", "audit",
	"denials_per_sec", "log_denials_per_sec", "target", "tenants_dir",
	"pin_dir", "state_dir", "cgroup_root", "machines_dir", "metrics_file",
	"metrics_interval_sec", "metrics_top_events", NULL
};
static const char *const actions[] = { "deny", "allow", NULL };
static const char *const audit_levels[] = { "none", "denials", "all", NULL };

void config_defaults(struct policyd_config *c)
{
	memset(c, 0, sizeof(*c));
	c->default_action = VPMU_DENY;
	c->audit = VPMU_AUDIT_DENIALS;
	c->denials_per_sec = 10;
	c->log_denials_per_sec = 20;
	c->target = vpmu_target_host();
	strcpy(c->tenants_dir, POLICYD_TENANTS_DIR);
	strcpy(c->pin_dir, VPMU_PIN_DIR);
	strcpy(c->state_dir, POLICYD_STATE_DIR);
	strcpy(c->cgroup_root, POLICYD_CGROUP_ROOT);
	strcpy(c->machines_dir, POLICYD_MACHINES_DIR);
	strcpy(c->metrics_file, POLICYD_METRICS_FILE);
	c->metrics_interval_sec = 5;
	c->metrics_top_events = 20;
}

static void path_value(const struct schema *s, const struct json_value *v,
		       const char *key, char *out)
{
	const char *str;

	if (!schema_string(s, v, key, &str))
		return;
	if (str[0] != '/')
		diag_at(s->d, s->file, v->pos,
			"\"%s\" must be an absolute path", key);
	else if (strlen(str) >= PATH_MAX)
		diag_at(s->d, s->file, v->pos,
			"\"%s\" is too long (at most %d bytes)", key,
			PATH_MAX - 1);
	else
		strcpy(out, str);
}

static bool load(const char *path, bool optional, bool root_only,
		 struct policyd_config *out, struct diag *d)
{
	struct schema s = { .file = path, .d = d };
	struct policyd_config c = *out;
	size_t before = diag_count(d), len;
	const struct json_member *m;
	unsigned long long n;
	struct json_error jerr;
	struct json_value *root;
	const char *str;
	char *text;
	int k;

	/*
	 * As a tenant file, and more: whoever can write it, remove it or
	 * swap a directory above it sets default_action, tenants_dir,
	 * state_dir, cgroup_root and machines_dir.
	 */
	if (optional && access(path, F_OK) && errno == ENOENT)
		return !root_only || path_root_only_or_absent(path, d);
	if (root_only && !path_root_only(path, d))
		return false;
	text = read_file(path, 1u << 20, &len, d);
	if (!text)
		return false;
	root = json_parse(text, len, &jerr);
	free(text);
	if (!root) {
		diag_at(d, path, jerr.pos, "%s", jerr.msg);
		return false;
	}
	if (root->type != JSON_OBJECT) {
		diag_at(d, path, root->pos,
			"the configuration must be a JSON object, not %s",
			json_type_name(root->type));
		goto out;
	}
	schema_known_keys(&s, root, config_keys, "the configuration");
	if ((m = json_member(root, "comment")))
		schema_string(&s, m->value, "comment", &str);
	if ((m = json_member(root, "default_action")) &&
	    (k = schema_enum(&s, m->value, m->key, actions)) >= 0)
		c.default_action = k;
	if ((m = json_member(root, "default_tenant"))) {
		if (m->value->type == JSON_NULL)
			c.default_tenant[0] = 0;
		else if (schema_string(&s, m->value, m->key, &str)) {
			if (!tenant_name_valid(str))
				diag_at(d, path, m->value->pos,
					"\"default_tenant\": \"%s\" is not a valid tenant name",
					ESC(str));
			else
				strcpy(c.default_tenant, str);
		}
	}
	if ((m = json_member(root, "audit")) &&
	    (k = schema_enum(&s, m->value, m->key, audit_levels)) >= 0)
		c.audit = k;
	if ((m = json_member(root, "denials_per_sec")) &&
	    schema_uint(&s, m->value, m->key, 1000000, &n))
		c.denials_per_sec = n;
	if ((m = json_member(root, "log_denials_per_sec")) &&
	    schema_uint(&s, m->value, m->key, 1000000, &n))
		c.log_denials_per_sec = n;
	if ((m = json_member(root, "target")) &&
	    schema_string(&s, m->value, m->key, &str)) {
		k = strcmp(str, "auto") ? vpmu_target_parse(str) :
					  vpmu_target_host();
		if (k < 0 && !strcmp(str, "auto"))
			diag_at(d, path, m->value->pos,
				"\"target\": \"auto\", but this host's CPU is not one of \"arm64\", \"x86-intel\" or \"x86-amd\"");
		else if (k < 0)
			diag_at(d, path, m->value->pos,
				"\"target\" must be \"auto\", \"arm64\", \"x86-intel\" or \"x86-amd\", not \"%s\"",
				ESC(str));
		else
			c.target = k;
	}
	if ((m = json_member(root, "tenants_dir")))
		path_value(&s, m->value, m->key, c.tenants_dir);
	if ((m = json_member(root, "pin_dir")))
		path_value(&s, m->value, m->key, c.pin_dir);
	if ((m = json_member(root, "state_dir")))
		path_value(&s, m->value, m->key, c.state_dir);
	if ((m = json_member(root, "cgroup_root")))
		path_value(&s, m->value, m->key, c.cgroup_root);
	if ((m = json_member(root, "machines_dir")))
		path_value(&s, m->value, m->key, c.machines_dir);
	/* "" (or null) turns the metrics file off. */
	if ((m = json_member(root, "metrics_file"))) {
		if (m->value->type == JSON_NULL ||
		    (m->value->type == JSON_STRING && !m->value->string.s[0]))
			c.metrics_file[0] = 0;
		else
			path_value(&s, m->value, m->key, c.metrics_file);
	}
	if ((m = json_member(root, "metrics_interval_sec")) &&
	    schema_uint(&s, m->value, m->key, 3600, &n)) {
		if (!n)
			diag_at(d, path, m->value->pos,
				"\"metrics_interval_sec\" must be 1 to 3600");
		else
			c.metrics_interval_sec = n;
	}
	if ((m = json_member(root, "metrics_top_events")) &&
	    schema_uint(&s, m->value, m->key, 1000, &n))
		c.metrics_top_events = n;
out:
	json_free(root);
	if (diag_count(d) != before)
		return false;
	*out = c;
	return true;
}

bool config_load(const char *path, bool optional, struct policyd_config *out,
		 struct diag *d)
{
	return load(path, optional, true, out, d);
}

bool config_check(const char *path, bool optional, struct policyd_config *out,
		  struct diag *d)
{
	return load(path, optional, false, out, d);
}
