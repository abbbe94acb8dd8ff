// SPDX-License-Identifier: MIT
/* The log lines of unwrapping (keysource/unwrap_params.h). */
#include "keysource/unwrap_params.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void unwrap_logf(const struct unwrap_params *up, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (!up->log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* A boot unlocks several volumes, whose slots share numbers. */
	if (up->volume && strncmp(line, "slot ", 5) == 0) {
		char named[600];

		snprintf(named, sizeof(named), "volume %s: %s", up->volume,
			 line);
		up->log(named);
		return;
	}
	up->log(line);
}
