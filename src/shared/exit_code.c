// SPDX-License-Identifier: MIT
/* Exit codes by name: the one table scripts ask for (exit-codes). */
#include "shared/exit_code.h"

#include <stddef.h>

static const char *const names[] = {
    [FSP_EXIT_OK] = "success",
    [FSP_EXIT_NOT_READY] = "not ready",
    [FSP_EXIT_USAGE] = "usage error",
    [FSP_EXIT_CONFIG] = "fscrypttab error",
    [FSP_EXIT_KEY_SOURCE] = "key source error",
    [FSP_EXIT_UNSUPPORTED] = "unsupported by the kernel or filesystem",
    [FSP_EXIT_KEY_REJECTED] = "key rejected",
    [FSP_EXIT_KEY_UNAVAILABLE] = "key unavailable",
    [FSP_EXIT_PERMISSION] = "permission denied",
    [FSP_EXIT_QUOTA] = "key quota exceeded",
    [FSP_EXIT_BUSY] = "busy",
    [FSP_EXIT_SYSTEM] = "system error",
};

const char *exit_code_name(int code)
{
	if (code < 0 || (size_t)code >= sizeof(names) / sizeof(names[0]))
		return NULL;
	return names[code];
}
