// SPDX-License-Identifier: MIT
/*
 * One read-to-EOF loop for key files, slots files and tables, and one
 * write loop.
 */
#include "basic/read_full.h"

#include <errno.h>
#include <unistd.h>

int read_full(int fd, uint8_t *buf, size_t cap, size_t *len)
{
	*len = 0;
	while (*len < cap) {
		ssize_t n = read(fd, buf + *len, cap - *len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		*len += (size_t)n;
	}
	return -EFBIG;
}

int write_full(int fd, const uint8_t *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}
