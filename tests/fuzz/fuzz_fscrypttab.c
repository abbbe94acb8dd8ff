// SPDX-License-Identifier: MIT
/* libFuzzer: the fscrypttab parser, on any bytes. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tab/fscrypttab.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fscrypttab tab;
	struct fsp_problem err = {0};

	memset(&tab, 0, sizeof(tab));
	if (fscrypttab_parse((const char *)data, size, "fuzz", &tab, &err) ==
	    0) {
		/* Every entry must be what the parser promises. */
		for (size_t i = 0; i < tab.n; i++) {
			const struct tab_entry *e = &tab.entries[i];

			if (!volume_name_valid(e->name) ||
			    (e->has_mountpoint && e->mountpoint[0] != '/') ||
			    fscrypttab_find(&tab, e->name) != e)
				__builtin_trap();
		}
		fscrypttab_free(&tab);
	} else if (memchr(err.text, '\0', sizeof(err.text)) == NULL) {
		__builtin_trap(); /* the message must be a string */
	}
	return 0;
}
