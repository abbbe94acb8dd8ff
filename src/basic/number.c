// SPDX-License-Identifier: MIT
/* Strict decimal numbers, for options and fscrypttab values alike. */
#include "basic/number.h"

#include <errno.h>
#include <stdlib.h>

bool parse_unsigned(const char *s, unsigned long max, unsigned long *ret)
{
	char *end;
	unsigned long v;

	if (!s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return false;
	*ret = v;
	return true;
}
