// SPDX-License-Identifier: GPL-2.0
/*
 * set_xattr PATH NAME VALUE: setxattr(2), for the guest tests (busybox
 * has no setfattr); an empty VALUE removes the attribute.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/xattr.h>

int main(int argc, char **argv)
{
	int err;

	if (argc != 4) {
		fprintf(stderr, "usage: set_xattr PATH NAME VALUE\n");
		return 2;
	}
	if (argv[3][0])
		err = setxattr(argv[1], argv[2], argv[3], strlen(argv[3]), 0);
	else
		err = removexattr(argv[1], argv[2]);
	if (err) {
		fprintf(stderr, "set_xattr: %s: %s: %s\n", argv[1], argv[2],
			strerror(errno));
		return 1;
	}
	return 0;
}
