// SPDX-License-Identifier: MIT
/*
 * libFuzzer: the mountinfo parser, on any bytes. The first byte picks the
 * path asked about, so that found and not-found paths both run.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "kernel/mountinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const paths[] = {"/", "/data", "/data/vault",
					    "/sysroot/a b"};
	static struct mount_info mi;
	FILE *f;

	if (size < 2)
		return 0;
	f = fmemopen((void *)(data + 1), size - 1, "r");
	if (!f)
		return 0;
	if (mountinfo_find(f, makedev(data[0] & 7, 0), paths[data[0] >> 6],
			   &mi) == 0 &&
	    (!memchr(mi.mountpoint, '\0', sizeof(mi.mountpoint)) ||
	     !path_in_dir(mi.mountpoint, paths[data[0] >> 6])))
		__builtin_trap();
	fclose(f);
	return 0;
}
