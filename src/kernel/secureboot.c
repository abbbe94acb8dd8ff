// SPDX-License-Identifier: MIT
/* Secure Boot's state (kernel/secureboot.h). */
#define _GNU_SOURCE
#include "kernel/secureboot.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "basic/read_full.h"

#define EFI_DIR "/sys/firmware/efi"
/* The global variable's GUID, from the UEFI specification. */
#define SECURE_BOOT_VAR                                                        \
	EFI_DIR "/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-e398b9ac6bfa"

int secure_boot_state(void)
{
	uint8_t v[8];
	size_t len = 0;
	int fd, r;

	/* Legacy BIOS: no Secure Boot at all. */
	if (access(EFI_DIR, F_OK) < 0)
		return errno == ENOENT ? 0 : -errno;
	fd = open(SECURE_BOOT_VAR, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	r = read_full(fd, v, sizeof(v), &len);
	close(fd);
	if (r < 0)
		return r;
	/* Four bytes of attributes, then the value. */
	return len == 5 ? v[4] == 1 : -EBADMSG;
}
