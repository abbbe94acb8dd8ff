/* SPDX-License-Identifier: MIT */
/* Whether this process runs in an initramfs, of either generator. */
#ifndef FSP_SHARED_INITRAMFS_H
#define FSP_SHARED_INITRAMFS_H

#include <stdbool.h>

/* dracut's images have /etc/initrd-release; initramfs-tools' have
 * /conf/initramfs.conf. */
bool in_initramfs(void);

#endif
