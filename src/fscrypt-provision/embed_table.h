/* SPDX-License-Identifier: MIT */
/* The files embed writes for an initramfs image. */
#ifndef FSP_FSCRYPT_PROVISION_EMBED_TABLE_H
#define FSP_FSCRYPT_PROVISION_EMBED_TABLE_H

#include "tab/fscrypttab.h"

/* The table the initramfs reads: a header naming arg_tab, then the
 * initramfs entries' lines of text verbatim. 0 or -errno. */
int embed_write_table(const char *path, const struct fscrypttab *tab,
		      const char *text);

/* The list the boot steps read to remove the embedded key files once
 * apply ran: the initramfs entries' key file paths, one a line, mode
 * 0600. 0 or -errno. */
int embed_write_key_list(const char *path, const struct fscrypttab *tab);

#endif
