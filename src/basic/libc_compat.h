/* SPDX-License-Identifier: MIT */
/*
 * The system calls our libc may not wrap. glibc 2.36 wraps them all; musl
 * 1.2.3 (Debian 12's, used by `make small`) has none of statx(2),
 * close_range(2) and execveat(2), so the small build defines
 * FSP_LIBC_COMPAT and gets them here, straight from the kernel's uapi
 * headers.
 */
#ifndef FSP_BASIC_LIBC_COMPAT_H
#define FSP_BASIC_LIBC_COMPAT_H

#ifdef FSP_LIBC_COMPAT
#include <linux/close_range.h>
#include <linux/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static inline int statx(int dirfd, const char *path, int flags,
			unsigned int mask, struct statx *buf)
{
	return (int)syscall(SYS_statx, dirfd, path, flags, mask, buf);
}

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
