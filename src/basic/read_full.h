/* SPDX-License-Identifier: MIT */
/*
 * Reading a descriptor to its end into a buffer the caller owns, and
 * writing a buffer out whole.
 */
#ifndef FSP_BASIC_READ_FULL_H
#define FSP_BASIC_READ_FULL_H

#include <stddef.h>
#include <stdint.h>

/*
 * Reads fd until end of file into buf (cap bytes), retrying EINTR; *len
 * is what was read. 0; -EFBIG when cap bytes arrived (more may follow:
 * give one byte more than allowed to see that); or -errno.
 */
int read_full(int fd, uint8_t *buf, size_t cap, size_t *len);
/* Writes all len bytes, retrying EINTR and short writes. 0 or -errno. */
int write_full(int fd, const uint8_t *buf, size_t len);

#endif
