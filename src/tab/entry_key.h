/* SPDX-License-Identifier: MIT */
/* An fscrypttab entry's key: read from its source and checked against
 * identifier=, the same way at boot (apply) and at build time (embed). */
#ifndef FSP_TAB_ENTRY_KEY_H
#define FSP_TAB_ENTRY_KEY_H

#include <stddef.h>
#include <stdint.h>

#include "basic/secmem.h"
#include "shared/problem.h"
#include "tab/fscrypttab.h"

/*
 * Reads entry e's key into locked memory and derives its identifier. With
 * sysroot (not NULL), a key file is read below that directory, as a build
 * for another root must. Returns 0, or:
 *   -EKEYREJECTED  the key's identifier is not the table's identifier=;
 *   another -errno  the source is missing, unsafe or malformed.
 * On failure key is freed, and detail holds a sentence that names the
 * source ("the key from X ..." / "unable to read key from X: it ...").
 * tab names the table in messages. up says how a slots file may ask for
 * a passphrase (NULL: it may not).
 */
int entry_key_read(const struct tab_entry *e, const char *tab,
		   const char *sysroot, const struct unwrap_params *up,
		   struct secbuf *key, uint8_t ret_id[FSP_KEY_IDENTIFIER_SIZE],
		   struct fsp_problem *detail);

#endif
