// SPDX-License-Identifier: GPL-2.0
/*
 * vpmu-policyd: loads the BPF engine (or adopts the pinned one), compiles
 * one JSON policy per tenant into its maps, classifies every VM by its
 * cgroup's metadata, and keeps all of it current: the lifecycle ring
 * buffer says when VMs come and go, inotify and SIGHUP when policies
 * change.
 *
 * An sd_event loop; sd_notify READY/RELOADING/STATUS and the watchdog
 * under systemd (Type=notify-reload), plain stderr otherwise.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>

#include "metrics_engine.h"
#include "policyd.h"
#include "watch.h"

/* sysexits.h EX_CONFIG: the unit does not restart on it. */
#define EXIT_CONFIG 78

/*
 * Let a burst of writes (an editor, a ConfigMap update) settle first, but
 * not for ever: a file rewritten without pause must not postpone every
 * other tenant's change, so a reload comes at most RELOAD_MAX_DELAY_US
 * after the first change it waits for.
 */
#define RELOAD_DELAY_US 100000
#define RELOAD_MAX_DELAY_US 1000000

struct loop {
	struct policyd d;
	struct watch w;
	struct ring_buffer *rb;
	sd_event *ev;
	sd_event_source *reload_timer;
	bool retry_full;		/* the timer's next reload is a full one */
	uint64_t pending_since_us;	/* first change not reloaded yet, or 0 */
	uint64_t retry_delay_us;	/* doubles up to RETRY_MAX_US while failing */
	sd_event_source *inotify;
	bool oneshot;
};

void policyd_publish_state(struct policyd *d)
{
	struct vpmu_daemon st = {
		.pid = getpid(),
		.reloads = d->reloads,
		.started_ns = d->started_ns,
		.reloaded_ns = d->reloaded_ns,
		.vms = d->nvms,
	};
	__u32 zero = 0;
	size_t i;

	for (i = 0; i < d->nslots; i++) {
		st.tenants += d->slots[i].t != NULL;
		st.broken += d->slots[i].broken;
	}
	bpf_map_update_elem(d->eng.map_fd[EM_DAEMON], &zero, &st, BPF_ANY);
	sd_notifyf(0, "STATUS=%u tenants, %u rejected, %u VMs", st.tenants,
		   st.broken, st.vms);
}

static uint64_t now_us(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void policyd_keepalive(void)
{
	static uint64_t last;
	static int enabled = -1;
	uint64_t now;

	if (enabled < 0)
		enabled = sd_watchdog_enabled(0, NULL) > 0;
	/* By time, not by steps: one step may be slow (a cgroup walk). */
	if (!enabled)
		return;
	now = now_us(CLOCK_MONOTONIC);
	if (now - last < 1000000)
		return;
	last = now;
	sd_notify(0, "WATCHDOG=1");
}

static int on_inotify(sd_event_source *s, int fd, uint32_t revents, void *ud);

/* Watch the tenants directory the configuration names. */
static void watch_tenants(struct loop *l)
{
	l->inotify = sd_event_source_disable_unref(l->inotify);
	watch_close(&l->w);
	if (watch_init(&l->w, l->d.cfg.tenants_dir) == 0)
		sd_event_add_io(l->ev, &l->inotify, l->w.fd, EPOLLIN,
				on_inotify, l);
	else
		log_msg(LOG_WARNING, "%s: cannot watch; reload with SIGHUP",
			l->d.cfg.tenants_dir);
}

static void schedule_retry(struct loop *l);

static void reload(struct loop *l, bool config)
{
	char dir[PATH_MAX];

	sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu",
		   (unsigned long long)now_us(CLOCK_MONOTONIC));
	memcpy(dir, l->d.cfg.tenants_dir, sizeof(dir));
	l->d.retry = false;
	tenants_reload(&l->d, config);
	if (strcmp(dir, l->d.cfg.tenants_dir))
		watch_tenants(l);
	/* A policy that failed to publish: try again, not only on the next edit. */
	if (l->d.retry)
		schedule_retry(l);
	else
		l->retry_delay_us = 0;
	sd_notify(0, "READY=1");
}

static int on_reload_timer(sd_event_source *s, uint64_t usec, void *ud)
{
	struct loop *l = ud;
	char **names;
	size_t n, i;

	(void)s;
	(void)usec;
	l->pending_since_us = 0;
	if (watch_take(&l->w, &names, &n) || l->retry_full) {
		l->retry_full = false;
		reload(l, false);
		return 0;
	}
	sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu",
		   (unsigned long long)now_us(CLOCK_MONOTONIC));
	l->d.retry = false;
	tenants_reload_files(&l->d, names, n);
	if (l->d.retry)
		schedule_retry(l);
	sd_notify(0, "READY=1");
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return 0;
}

static void schedule_reload(struct loop *l)
{
	uint64_t now;

	sd_event_now(l->ev, CLOCK_MONOTONIC, &now);
	if (!l->pending_since_us)
		l->pending_since_us = now;
	if (now + RELOAD_DELAY_US > l->pending_since_us + RELOAD_MAX_DELAY_US)
		now = l->pending_since_us + RELOAD_MAX_DELAY_US - RELOAD_DELAY_US;
	sd_event_source_set_time(l->reload_timer, now + RELOAD_DELAY_US);
	sd_event_source_set_enabled(l->reload_timer, SD_EVENT_ONESHOT);
}

/*
 * A publish failed: reload everything again, after 2 s, then twice as
 * long each time it fails again, up to a minute (a policy that cannot be
 * published must not keep the daemon reloading).
 */
#define RETRY_DELAY_US (2 * 1000000ULL)
#define RETRY_MAX_US (60 * 1000000ULL)

static void schedule_retry(struct loop *l)
{
	uint64_t now;

	l->retry_delay_us = l->retry_delay_us ?
			    l->retry_delay_us * 2 : RETRY_DELAY_US;
	if (l->retry_delay_us > RETRY_MAX_US)
		l->retry_delay_us = RETRY_MAX_US;
	log_msg(LOG_WARNING, "a policy could not be published; retrying in %llu s",
		(unsigned long long)(l->retry_delay_us / 1000000ULL));
	l->retry_full = true;
	sd_event_now(l->ev, CLOCK_MONOTONIC, &now);
	sd_event_source_set_time(l->reload_timer, now + l->retry_delay_us);
	sd_event_source_set_enabled(l->reload_timer, SD_EVENT_ONESHOT);
}

static int on_inotify(sd_event_source *s, int fd, uint32_t revents, void *ud)
{
	struct loop *l = ud;

	(void)s;
	(void)fd;
	(void)revents;
	if (watch_drain(&l->w))
		schedule_reload(l);
	return 0;
}

/*
 * Every VMS_RESCAN_SEC, find the VMs again, as a lost lifecycle record
 * (a VM created or destroyed; drops counts it) does at once: nothing
 * missed is missed for long.
 */
#define VMS_RESCAN_SEC 60
/*
 * ... and re-read the metadata of this many cgroups, in turn: a relabel
 * applies within a few rescans at a bounded cost each (SIGUSR1 re-reads
 * every cgroup at once).
 */
#define VMS_RESCAN_META 128

static int on_rescan(sd_event_source *s, uint64_t usec, void *ud)
{
	struct loop *l = ud;

	vms_reconcile(&l->d, VMS_RESCAN_META);
	policyd_publish_state(&l->d);
	/* A time source fires once: move it and enable it again. */
	sd_event_source_set_time(s, usec + VMS_RESCAN_SEC * 1000000ULL);
	sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
	return 0;
}

/* Every metrics_interval_sec, the textfile for node_exporter. */
static int on_metrics(sd_event_source *s, uint64_t usec, void *ud)
{
	struct loop *l = ud;

	metrics_textfile(&l->d.eng, &l->d.cfg);
	sd_event_source_set_time(s, usec +
				 l->d.cfg.metrics_interval_sec * 1000000ULL);
	sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
	return 0;
}

/*
 * SIGUSR1: find and classify the VMs now, as the rescan does, for an
 * administrator who changed what classifies them (a cgroup's trusted.*
 * xattr, a machine registration), which no inotify reports.
 */
static int on_sigusr1(sd_event_source *s, const struct signalfd_siginfo *si,
		      void *ud)
{
	struct loop *l = ud;

	(void)s;
	(void)si;
	log_msg(LOG_INFO, "SIGUSR1: finding and classifying the VMs again");
	vms_reconcile(&l->d, SIZE_MAX);
	policyd_publish_state(&l->d);
	return 0;
}

static int on_ringbuf(sd_event_source *s, int fd, uint32_t revents, void *ud)
{
	struct loop *l = ud;

	(void)s;
	(void)fd;
	(void)revents;
	ring_buffer__consume(l->rb);
	records_check_lost(&l->d);
	return 0;
}

static int on_sighup(sd_event_source *s, const struct signalfd_siginfo *si,
		     void *ud)
{
	(void)s;
	(void)si;
	log_msg(LOG_INFO, "SIGHUP: reloading configuration and tenants");
	reload(ud, true);
	return 0;
}

static int on_exit_signal(sd_event_source *s, const struct signalfd_siginfo *si,
			  void *ud)
{
	(void)ud;
	log_msg(LOG_INFO, "%s: stopping; the pinned engine keeps enforcing",
		strsignal(si->ssi_signo));
	sd_notify(0, "STOPPING=1");
	return sd_event_exit(sd_event_source_get_event(s), 0);
}

/* Remember the ids tenants had, so a restart keeps them. */
static void load_ids(struct policyd *d)
{
	__u32 key, next, *prev = NULL;
	struct vpmu_tenant info;

	while (!bpf_map_get_next_key(d->eng.map_fd[EM_TENANTS], prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(d->eng.map_fd[EM_TENANTS], &key, &info))
			continue;
		info.name[sizeof(info.name) - 1] = 0;
		tenant_remember_id(d, info.name, key);
	}
}

/*
 * The pinned engine has another ABI: load this version's, fill its maps
 * (policies, then every VM's entry), and swap it into the pinned link.
 * The old engine enforces until the kernel replaces it, the new one from
 * then on: never unpin-then-attach, so there is no moment without one.
 */
static int upgrade_engine(struct policyd *d)
{
	__u32 old_abi = 0;
	char why[512];
	int err;

	engine_pinned_u32(d->cfg.pin_dir, EM_CONFIG, &old_abi);
	log_msg(LOG_NOTICE,
		"the engine pinned at %s has ABI %u: replacing it in place with ABI %u",
		d->cfg.pin_dir, old_abi, VPMU_ABI_VERSION);
	err = engine_load(&d->eng, d->cfg.pin_dir, why, sizeof(why));
	if (err)
		goto fail;
	tenants_reload(d, false);
	vms_reconcile(d, SIZE_MAX);
	err = engine_take_over(&d->eng, why, sizeof(why));
	if (err)
		goto fail;
	/* VMs created while this engine was filled: it announced them. */
	vms_reconcile(d, 0);
	engine_refresh(&d->eng, 0);
	log_msg(LOG_INFO, "engine upgraded in place: ABI %u -> %u at %s",
		old_abi, VPMU_ABI_VERSION, d->cfg.pin_dir);
	return 0;
fail:
	log_msg(LOG_ERR, "%s", why);
	return err;
}

static int start_engine(struct policyd *d)
{
	char why[512];
	int err;

	/* -EUCLEAN (not root's, or open to others): main() exits EXIT_CONFIG. */
	err = engine_check_pin_dir(d->cfg.pin_dir, false, why, sizeof(why));
	if (err)
		goto fail;
	if (engine_pinned(d->cfg.pin_dir)) {
		err = engine_adopt(&d->eng, d->cfg.pin_dir, why, sizeof(why));
		if (err == -EPROTO && engine_pinned_link_ok(d->cfg.pin_dir))
			return upgrade_engine(d);
		/* -EPROTO, another ABI, or -EUCLEAN, a replaced pin: main()
		 * exits EXIT_CONFIG. */
		if (err)
			goto fail;
		log_msg(LOG_INFO, "adopted the engine pinned at %s",
			d->cfg.pin_dir);
		load_ids(d);
		/*
		 * Tenants before VMs: a VM is re-classified only against the
		 * full tenant set, so its entry never passes through the host
		 * default.
		 */
		tenants_reload(d, false);
		if (vms_reconcile(d, SIZE_MAX) > 0)
			engine_refresh(&d->eng, 0);
		return 0;
	}
	if (engine_unsupported(d->cfg.pin_dir, why, sizeof(why))) {
		err = -ENOTSUP;
		goto fail;
	}
	err = engine_load(&d->eng, d->cfg.pin_dir, why, sizeof(why));
	if (err)
		goto fail;
	/* Policies and VMs first: attaching then enforces them at once. */
	tenants_reload(d, false);
	vms_reconcile(d, SIZE_MAX);
	err = engine_attach_and_pin(&d->eng, why, sizeof(why));
	if (err)
		goto fail;
	/* VMs created before the attach sent no vm_init record. */
	vms_reconcile(d, 0);
	engine_refresh(&d->eng, 0);
	log_msg(LOG_INFO, "engine attached and pinned at %s", d->cfg.pin_dir);
	return 0;
fail:
	log_msg(LOG_ERR, "%s", why);
	return err;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vpmu-policyd [--config FILE] [--oneshot] [--version] [--help]\n"
		"\n"
		"  --config FILE  main configuration (default " POLICYD_CONFIG_FILE ")\n"
		"  --oneshot      load, reconcile and exit (the engine stays pinned)\n"
		"  --version      print the version and ABI\n");
}

static int run(struct loop *l)
{
	sd_event_source *s;
	sigset_t ss;
	int err;

	sigemptyset(&ss);
	sigaddset(&ss, SIGHUP);
	sigaddset(&ss, SIGTERM);
	sigaddset(&ss, SIGINT);
	sigaddset(&ss, SIGUSR1);
	sigprocmask(SIG_BLOCK, &ss, NULL);

	err = sd_event_default(&l->ev);
	if (err < 0)
		return err;
	sd_event_add_signal(l->ev, NULL, SIGHUP, on_sighup, l);
	sd_event_add_signal(l->ev, NULL, SIGTERM, on_exit_signal, l);
	sd_event_add_signal(l->ev, NULL, SIGINT, on_exit_signal, l);
	sd_event_add_signal(l->ev, NULL, SIGUSR1, on_sigusr1, l);
	sd_event_set_watchdog(l->ev, true);

	/* Two ring buffers, one epoll fd: lifecycle first, then decisions. */
	l->rb = ring_buffer__new(l->d.eng.map_fd[EM_LIFECYCLE], records_handle,
				 &l->d, NULL);
	if (!l->rb)
		return -errno;
	err = ring_buffer__add(l->rb, l->d.eng.map_fd[EM_RECORDS],
			       records_handle, &l->d);
	if (err)
		return err;
	err = sd_event_add_io(l->ev, &s, ring_buffer__epoll_fd(l->rb), EPOLLIN,
			      on_ringbuf, l);
	if (err < 0)
		return err;
	l->w.fd = -1;
	watch_tenants(l);
	err = sd_event_add_time(l->ev, &l->reload_timer, CLOCK_MONOTONIC,
				UINT64_MAX, 10000, on_reload_timer, l);
	if (err < 0)
		return err;
	sd_event_source_set_enabled(l->reload_timer, SD_EVENT_OFF);
	err = sd_event_add_time_relative(l->ev, NULL, CLOCK_MONOTONIC,
					 VMS_RESCAN_SEC * 1000000ULL, 1000000,
					 on_rescan, l);
	if (err < 0)
		return err;
	err = sd_event_add_time_relative(l->ev, NULL, CLOCK_MONOTONIC, 0,
					 100000, on_metrics, l);
	if (err < 0)
		return err;

	/* Records queued while no daemon ran. */
	ring_buffer__consume(l->rb);
	records_check_lost(&l->d);
	sd_notify(0, "READY=1");
	policyd_publish_state(&l->d);
	log_msg(LOG_INFO, "ready");
	return sd_event_loop(l->ev);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "oneshot", no_argument, NULL, 'o' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	static struct loop l;
	struct diag dg;
	size_t i;
	int c, err;

	snprintf(l.d.config_path, sizeof(l.d.config_path), "%s",
		 POLICYD_CONFIG_FILE);
	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			snprintf(l.d.config_path, sizeof(l.d.config_path),
				 "%s", optarg);
			break;
		case 'o':
			l.oneshot = true;
			break;
		case 'V':
			printf("vpmu-policyd %s (ABI %u)\n", VPMU_VERSION,
			       VPMU_ABI_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	log_init("vpmu-policyd");
	config_defaults(&l.d.cfg);
	diag_init(&dg);
	if (!config_load(l.d.config_path, true, &l.d.cfg, &dg)) {
		for (i = 0; i < dg.n; i++)
			log_msg(LOG_ERR, "%s", dg.msgs[i]);
		log_msg(LOG_ERR, "not starting with a broken configuration");
		return EXIT_CONFIG;
	}
	diag_free(&dg);
	if (l.d.cfg.target < 0) {
		log_msg(LOG_ERR,
			"cannot tell this host's PMU (not arm64, Intel or AMD): set \"target\" in %s",
			l.d.config_path);
		return 1;
	}
	l.d.started_ns = realtime_ns();
	l.d.next_free_id = 1;
	l.d.maybe_stale = true;
	l.d.denial_log.per_sec = l.d.cfg.log_denials_per_sec;
	err = start_engine(&l.d);
	if (err)
		return err == -EPROTO || err == -EUCLEAN ? EXIT_CONFIG : 1;
	policyd_publish_state(&l.d);
	err = l.oneshot ? 0 : run(&l);
	/* vpmuctl status: no daemon, the pinned engine enforces on. */
	{
		struct vpmu_daemon st;
		__u32 zero = 0;

		if (!bpf_map_lookup_elem(l.d.eng.map_fd[EM_DAEMON], &zero, &st)) {
			st.pid = 0;
			bpf_map_update_elem(l.d.eng.map_fd[EM_DAEMON], &zero,
					    &st, BPF_ANY);
		}
	}
	if (err < 0) {
		log_msg(LOG_ERR, "event loop: %s", strerror(-err));
		return 1;
	}
	return 0;
}
