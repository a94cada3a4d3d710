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
 * How far down a cgroup path the host's word goes.
 *
 * The delegation boundary is the first cgroup from the root down that
 * systemd marked delegated (trusted.delegate or user.delegate "1"), or
 * that is not owned by root, or that others than root may write: below
 * it, a user session, a rootless container or a Delegate=yes unit makes
 * cgroups and names them as it likes, and it can set user.* xattrs on
 * the boundary cgroup itself.  The boundary's own name was chosen by
 * root (its parent is root's), so names count down to it, user.*
 * xattrs only above it.  A component that cannot be looked at ends the
 * trust before it (fail closed).
 */
struct cgroup_trust {
	int names;		/* components 1..names were named by root */
	int xattrs;		/* user.* xattrs of depths 0..xattrs are root's */
	int boundary;		/* the boundary's depth, 0 if none */
	bool boundary_root;	/* it is root's, delegated by root's systemd */
	char why[128];		/* what makes it the boundary */
};
void cgroup_trust(const char *root, const char *path, struct cgroup_trust *t);
/*
 * The systemd unit of @path into @buf: the component right below the
 * leading ".slice" components, if it ends in ".service" or ".scope" and
 * is at most @max_depth deep (named by root; see cgroup_trust()).  Not a
 * deeper one: cgroups below a unit are the unit's own (a delegate may
 * name one "batch-1.service").  False if none.
 */
bool cgroup_unit(const char *path, int max_depth, char *buf, size_t len,
		 int *depth);
/* The first @depth components of @path ("/" for 0) into @buf. */
bool cgroup_prefix(const char *path, int depth, char *buf, size_t len);
/*
 * The next component of a cgroup path: skips the slashes at *@p, returns
 * where the component starts (its length in *@n) and moves *@p past it;
 * NULL at the end of the path.
 */
const char *cgroup_next(const char **p, size_t *n);
/*
 * The name of the machine systemd-machined registered for @unit, from
 * @machines_dir (/run/systemd/machines: one file per machine with
 * SCOPE=unit); false if none.
 */
bool cgroup_machine(const char *machines_dir, const char *unit, char *buf,
		    size_t len);

#endif /* VPMUD_CGROUP_H */
