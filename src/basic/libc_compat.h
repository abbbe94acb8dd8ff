/* SPDX-License-Identifier: MIT */
/*
 * The system calls our libc may not wrap. glibc 2.36 wraps them all; musl
 * (used by `make small`) has neither close_range(2) nor execveat(2), and
 * statx(2) only from 1.2.5 (Debian 13) on, not in 1.2.3 (Debian 12). So the
 * small build defines FSP_LIBC_COMPAT, and FSP_LIBC_HAS_STATX when musl's
 * headers declare statx, and gets the rest here, straight from the
 * kernel's uapi headers.
 */
#ifndef FSP_BASIC_LIBC_COMPAT_H
#define FSP_BASIC_LIBC_COMPAT_H

#ifdef FSP_LIBC_COMPAT
#include <linux/close_range.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef FSP_LIBC_HAS_STATX
#include <linux/stat.h>

static inline int statx(int dirfd, const char *path, int flags,
			unsigned int mask, struct statx *buf)
{
	return (int)syscall(SYS_statx, dirfd, path, flags, mask, buf);
}
#else
/* musl's <sys/stat.h> has statx() but none of the STATX_ATTR_* bits. */
#include <sys/stat.h>
#ifndef STATX_ATTR_MOUNT_ROOT
#define STATX_ATTR_MOUNT_ROOT 0x00002000 /* as in <linux/stat.h> */
#endif
#endif

static inline int close_range(unsigned int first, unsigned int last, int flags)
{
	return (int)syscall(SYS_close_range, first, last, flags);
}

static inline int execveat(int dirfd, const char *path, char *const argv[],
			   char *const envp[], int flags)
{
	return (int)syscall(SYS_execveat, dirfd, path, argv, envp, flags);
}
#endif

#endif
