// SPDX-License-Identifier: MIT
/* Whether this process runs in an initramfs (shared/initramfs.h). */
#include "shared/initramfs.h"

#include <unistd.h>

bool in_initramfs(void)
{
	return access("/etc/initrd-release", F_OK) == 0 ||
	       access("/conf/initramfs.conf", F_OK) == 0;
}
