/* SPDX-License-Identifier: MIT */
/* Milliseconds of CLOCK_MONOTONIC, for deadlines and the timings we log.
 * In 64 bits: a 32-bit long (armhf) would overflow after 24.8 days up, and
 * an update runs whenever it runs. */
#ifndef FSP_BASIC_CLOCK_H
#define FSP_BASIC_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline int64_t monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#endif
