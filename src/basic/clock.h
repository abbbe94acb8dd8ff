/* SPDX-License-Identifier: MIT */
/* Milliseconds of CLOCK_MONOTONIC, for deadlines and the timings we log. */
#ifndef FSP_BASIC_CLOCK_H
#define FSP_BASIC_CLOCK_H

#include <time.h>

static inline long monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#endif
