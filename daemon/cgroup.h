/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cgroup2 lookups: a cgroup id (what KVM records for a VM) to its path,
 * and what the path and its ancestors say about the VM: systemd slices
 * and unit, the machined machine, extended attributes.
 */
#ifndef VPMUD_CGROUP_H
#define VPMUD_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The path of cgroup @id below the cgroup2 mount @root ("/" for the root
 * cgroup, else "/a/b"), malloc'ed; NULL if there is no such cgroup.
 * cgroup2 ids are kernfs node ids, which are also the directories' inode
 * numbers and their file handles: open_by_handle_at() finds the cgroup
 * directly, and without CAP_DAC_READ_SEARCH a walk compares inodes.
 */
char *cgroup_path_of(const char *root, uint64_t id);
/* The id of the cgroup at @path below @root, or 0. */
uint64_t cgroup_id_of(const char *root, const char *path);
/*
 * The value of xattr @name on the cgroup at @path or its nearest ancestor
 * that has it; the ancestor's depth (0 = root) in *@depth.  False if none.
 */
bool cgroup_xattr(const char *root, const char *path, const char *name,
		  char *buf, size_t len, int *depth);
/* The number of components of @path ("/" is 0). */
int cgroup_depth(const char *path);
/*
 * The systemd unit (the deepest ".service" or ".scope" component) of
 * @path into @buf; false if none.
 */
bool cgroup_unit(const char *path, char *buf, size_t len, int *depth);
/*
 * The name of the machine systemd-machined registered for @unit, from
 * @machines_dir (/run/systemd/machines: one file per machine with
 * SCOPE=unit); false if none.
 */
bool cgroup_machine(const char *machines_dir, const char *unit, char *buf,
		    size_t len);

#endif /* VPMUD_CGROUP_H */
