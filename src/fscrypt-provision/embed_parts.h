/* SPDX-License-Identifier: MIT */
/*
 * What embed_image.c and embed_protectors.c share: the image being
 * resolved, and how an item of the manifest is found and written.
 */
#ifndef FSP_FSCRYPT_PROVISION_EMBED_PARTS_H
#define FSP_FSCRYPT_PROVISION_EMBED_PARTS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "fscrypt-provision/embed_image.h"
#include "tab/fscrypttab.h"

/* In the image. The helper finds the companions in
 * ../lib/fscrypt-provision/ from its own directory, and the boot scripts
 * source the boot steps. */
#define IMG_HELPER "/usr/sbin/fscrypt-provision"
#define IMG_LIBEXEC "/usr/lib/fscrypt-provision"
#define IMG_STATE "/etc/fscrypt-provision"

/* Everything resolved before anything is written or printed. */
struct image {
	const struct embed_manifest_opts *o;
	char helper[PATH_MAX], steps[PATH_MAX], rm[PATH_MAX];
	char companion[PATH_MAX], creds[PATH_MAX], p11[PATH_MAX];
	/* The PKCS#11 modules of the pkcs11 slots: below the sysroot, and
	 * where the slots name them (in the image). */
	char modules[EMBED_MODULES_MAX][PATH_MAX];
	char module_at[EMBED_MODULES_MAX][PKCS11_MODULE_MAX + 1];
	size_t n_modules;
	char table[PATH_MAX], keys[PATH_MAX]; /* in o->dir */
	size_t n_entries, n_keys;
	bool want_companion, want_creds, creds_required, want_p11;
};

/* A field the manifest can carry: items are lines, and their fields are
 * split at tabs. */
bool embed_carriable(const char *s);
/* One item: its type, then its fields (up to a NULL), tab-separated. */
void embed_item(const char *type, ...);
/* A program or file that goes with the helper: given, or looked up beside
 * it, in ../lib/fscrypt-provision/, then below the sysroot; 0 if it is
 * there, -ENOENT otherwise, with path set either way. */
int embed_program(struct image *img, const char *given, const char *name,
		  int amode, char *path);
/* A path below the sysroot. */
int embed_in_root(const struct image *img, const char *p, char *path);

/* The TPM's programs (embed_protectors.c). */
int embed_resolve_tpm2(struct image *img, const struct fscrypttab *tab,
		       const struct embed_entry *entries);
void embed_print_tpm2(const struct image *img);
/* The PKCS#11 companion and the modules of the pkcs11 slots. */
int embed_resolve_pkcs11(struct image *img, const struct fscrypttab *tab,
			 const struct embed_entry *entries);
void embed_print_pkcs11(const struct image *img);

#endif
