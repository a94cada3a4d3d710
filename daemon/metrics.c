// SPDX-License-Identifier: GPL-2.0
/* OpenMetrics text for the daemon's state (see metrics.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "metrics.h"

struct dec {
	char *tenant, *event;
	uint64_t allowed, denied;
	uint64_t would_deny;	/* audit mode: counted as allowed too */
};

struct vmcount {
	char *tenant, *state;
	uint64_t n;
};

struct metrics {
	unsigned int top_n;
	struct dec *dec;
	size_t ndec, capdec;
	struct vmcount *vms;
	size_t nvms, capvms;
};

struct metrics *metrics_new(unsigned int top_n)
{
	struct metrics *m = calloc(1, sizeof(*m));

	if (m)
		m->top_n = top_n;
	return m;
}

void metrics_free(struct metrics *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; i < m->ndec; i++) {
		free(m->dec[i].tenant);
		free(m->dec[i].event);
	}
	for (i = 0; i < m->nvms; i++) {
		free(m->vms[i].tenant);
		free(m->vms[i].state);
	}
	free(m->dec);
	free(m->vms);
	free(m);
}

/* Grow @arr (of @size-byte items) to hold one more; false if out of memory. */
static bool grow(void **arr, size_t *cap, size_t n, size_t size)
{
	void *p;

	if (n < *cap)
		return true;
	p = realloc(*arr, (*cap ? 2 * *cap : 16) * size);
	if (!p)
		return false;
	*arr = p;
	*cap = *cap ? 2 * *cap : 16;
	return true;
}

int metrics_add_decisions(struct metrics *m, const char *tenant,
			  const char *event, uint64_t allowed,
			  uint64_t denied, uint64_t would_deny)
{
	struct dec *d;
	size_t i;

	for (i = 0; i < m->ndec; i++) {
		d = &m->dec[i];
		if (!strcmp(d->tenant, tenant) && !strcmp(d->event, event)) {
			d->allowed += allowed;
			d->denied += denied;
			d->would_deny += would_deny;
			return 0;
		}
	}
	if (!grow((void **)&m->dec, &m->capdec, m->ndec, sizeof(*m->dec)))
		return -1;
	d = &m->dec[m->ndec];
	d->tenant = strdup(tenant);
	d->event = strdup(event);
	if (!d->tenant || !d->event) {
		free(d->tenant);
		free(d->event);
		return -1;
	}
	d->allowed = allowed;
	d->denied = denied;
	d->would_deny = would_deny;
	m->ndec++;
	return 0;
}

int metrics_add_vm(struct metrics *m, const char *tenant, const char *state)
{
	struct vmcount *v;
	size_t i;

	for (i = 0; i < m->nvms; i++) {
		v = &m->vms[i];
		if (!strcmp(v->tenant, tenant) && !strcmp(v->state, state)) {
			v->n++;
			return 0;
		}
	}
	if (!grow((void **)&m->vms, &m->capvms, m->nvms, sizeof(*m->vms)))
		return -1;
	v = &m->vms[m->nvms];
	v->tenant = strdup(tenant);
	v->state = strdup(state);
	if (!v->tenant || !v->state) {
		free(v->tenant);
		free(v->state);
		return -1;
	}
	v->n = 1;
	m->nvms++;
	return 0;
}

/* A label value, escaped as OpenMetrics says: \\, \" and \n. */
static void label(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

/* Most decisions first; then by tenant and event, for a stable output. */
static int cmp_dec(const void *a, const void *b)
{
	const struct dec *x = a, *y = b;
	int c = strcmp(x->tenant, y->tenant);

	if (c)
		return c;
	if (x->allowed + x->denied != y->allowed + y->denied)
		return x->allowed + x->denied > y->allowed + y->denied ? -1 : 1;
	return strcmp(x->event, y->event);
}

static void sample(FILE *f, const char *tenant, const char *event,
		   const char *verdict, uint64_t v)
{
	fputs("vpmu_guest_decisions{tenant=", f);
	label(f, tenant);
	fputs(",event=", f);
	label(f, event);
	fprintf(f, ",verdict=\"%s\"} %llu\n", verdict, (unsigned long long)v);
}

static void print_decisions(const struct metrics *m, FILE *f)
{
	struct dec *d = NULL;
	uint64_t oa = 0, od = 0, ow = 0;
	size_t i, rank = 0;
	bool other = false;

	fputs("# HELP vpmu_guest_decisions Counter programmings the policy decided, per tenant, event and verdict, summed over the VMs that exist now (the top events of each tenant; the rest as event \"other\"; would-deny: denies of a policy in audit mode, which the guest counted).\n"
	      "# TYPE vpmu_guest_decisions gauge\n",
	      f);
	if (m->ndec) {
		d = malloc(m->ndec * sizeof(*d));
		if (!d)
			return;
		memcpy(d, m->dec, m->ndec * sizeof(*d));
		qsort(d, m->ndec, sizeof(*d), cmp_dec);
	}
	for (i = 0; i < m->ndec; i++) {
		bool last = i + 1 == m->ndec ||
			    strcmp(d[i].tenant, d[i + 1].tenant);

		if (strcmp(d[i].event, "other") && rank < m->top_n) {
			rank++;
			sample(f, d[i].tenant, d[i].event, "allowed", d[i].allowed);
			sample(f, d[i].tenant, d[i].event, "denied", d[i].denied);
			/* Only tenants in audit mode have any: no empty series. */
			if (d[i].would_deny)
				sample(f, d[i].tenant, d[i].event, "would-deny",
				       d[i].would_deny);
		} else {
			oa += d[i].allowed;
			od += d[i].denied;
			ow += d[i].would_deny;
			other = true;
		}
		if (!last)
			continue;
		/* The tenant's last row: its "other" series, if any. */
		if (other) {
			sample(f, d[i].tenant, "other", "allowed", oa);
			sample(f, d[i].tenant, "other", "denied", od);
			if (ow)
				sample(f, d[i].tenant, "other", "would-deny", ow);
		}
		oa = od = ow = 0;
		rank = 0;
		other = false;
	}
	free(d);
}

void metrics_print(const struct metrics *m, const struct metrics_daemon *dm,
		   FILE *f)
{
	size_t i;

	fprintf(f, "# HELP vpmu_daemon_up Whether vpmu-policyd runs (the pinned engine enforces either way).\n"
		"# TYPE vpmu_daemon_up gauge\n"
		"vpmu_daemon_up %d\n", dm->running);
	fprintf(f, "# HELP vpmu_reloads_total Reloads of the configuration and tenant files the daemon completed since it started.\n"
		"# TYPE vpmu_reloads_total counter\n"
		"vpmu_reloads_total %u\n", dm->reloads);
	fprintf(f, "# HELP vpmu_last_reload_timestamp_seconds When the last reload completed (0: none yet).\n"
		"# TYPE vpmu_last_reload_timestamp_seconds gauge\n"
		"vpmu_last_reload_timestamp_seconds %llu.%03llu\n",
		(unsigned long long)(dm->last_reload_ns / 1000000000ULL),
		(unsigned long long)(dm->last_reload_ns / 1000000ULL % 1000));
	fprintf(f, "# HELP vpmu_tenants Tenants with a policy in the engine.\n"
		"# TYPE vpmu_tenants gauge\n"
		"vpmu_tenants %u\n", dm->tenants);
	fprintf(f, "# HELP vpmu_rejected_files Tenant files currently rejected (their tenants keep their last good version).\n"
		"# TYPE vpmu_rejected_files gauge\n"
		"vpmu_rejected_files %u\n", dm->rejected);
	fprintf(f, "# HELP vpmu_ring_buffer_drops_total Records lost because their ring buffer was full.\n"
		"# TYPE vpmu_ring_buffer_drops_total counter\n"
		"vpmu_ring_buffer_drops_total{ring=\"decisions\"} %llu\n"
		"vpmu_ring_buffer_drops_total{ring=\"lifecycle\"} %llu\n",
		(unsigned long long)dm->dropped_records,
		(unsigned long long)dm->dropped_lifecycle);
	fputs("# HELP vpmu_vms VMs per tenant and state (enforced, audit, pending, host-default, degraded), as vpmuctl vms shows them.\n"
	      "# TYPE vpmu_vms gauge\n",
	      f);
	for (i = 0; i < m->nvms; i++) {
		fputs("vpmu_vms{tenant=", f);
		label(f, m->vms[i].tenant);
		fputs(",state=", f);
		label(f, m->vms[i].state);
		fprintf(f, "} %llu\n", (unsigned long long)m->vms[i].n);
	}
	print_decisions(m, f);
}

int metrics_write_file(const char *path, const char *text, size_t len,
		       char *why, size_t why_len)
{
	size_t plen = strlen(path), done = 0;
	char *tmp = malloc(plen + 16);
	ssize_t n;
	int fd, err = 0;

	if (!tmp) {
		snprintf(why, why_len, "out of memory");
		return -ENOMEM;
	}
	/* node_exporter reads only *.prom: the temporary is not one. */
	snprintf(tmp, plen + 16, "%s.tmp.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0) {
		err = -errno;
		snprintf(why, why_len, "%s: %s", tmp, strerror(errno));
		free(tmp);
		return err;
	}
	while (done < len) {
		n = write(fd, text + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n ? -errno : -EIO;
			break;
		}
		done += n;
	}
	if (!err && fchmod(fd, 0644))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err) {
		snprintf(why, why_len, "%s: %s", path, strerror(-err));
		unlink(tmp);
	}
	free(tmp);
	return err;
}
