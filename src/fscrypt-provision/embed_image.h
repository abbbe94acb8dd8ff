/* SPDX-License-Identifier: MIT */
/*
 * What embed puts in an initramfs image: the table the initramfs reads, and
 * the manifest that each generator installs item by item
 * (fscrypt-provision(8), embed), so that the dracut module and the
 * initramfs-tools hook decide nothing themselves.
 */
#ifndef FSP_FSCRYPT_PROVISION_EMBED_IMAGE_H
#define FSP_FSCRYPT_PROVISION_EMBED_IMAGE_H

#include <stdbool.h>

#include "kernel/identifier.h"
#include "slots/format.h"
#include "slots/pkcs11_data.h"
#include "tab/fscrypttab.h"

/* What an initramfs entry's slots file needs in the image. */
enum {
	EMBED_NEEDS_TPM2 = 1u << 0,	     /* a tpm2 slot */
	EMBED_NEEDS_SYSTEMD_CREDS = 1u << 1, /* one sealed by systemd-creds */
	/* not an initramfs entry: a tpm2 slot for the running system, whose
	 * phase starts when the initramfs extends PCR 15 */
	EMBED_NEEDS_TPM2_END = 1u << 2,
	EMBED_NEEDS_PKCS11 = 1u << 3, /* a pkcs11 slot */
};

/* The PKCS#11 modules one entry's pkcs11 slots may name. */
#define EMBED_MODULES_MAX 4

/* An initramfs entry, checked: its key's identifier in hex ("" for the
 * source none) and what its slots file needs. */
struct embed_entry {
	char id[FSP_IDENTIFIER_HEX_LEN + 1];
	unsigned needs;
	/* the modules of its pkcs11 slots, each once */
	char modules[EMBED_MODULES_MAX][PKCS11_MODULE_MAX + 1];
	size_t n_modules;
};

/*
 * What the image needs to unwrap f: EMBED_NEEDS_*, and into e (when not
 * NULL) the modules of its pkcs11 slots.
 */
unsigned embed_slots_needs(const struct slots_file *f, struct embed_entry *e);

struct embed_manifest_opts {
	const char *dir;	/* --manifest DIR: the files embed makes */
	const char *sysroot;	/* --sysroot, or NULL */
	const char *helper;	/* --helper, or NULL: this program */
	const char *companion;	/* --companion, or NULL: looked up */
	const char *boot_steps; /* --boot-steps, or NULL: looked up */
	bool tpm2;		/* --tpm2 */
};

/*
 * Prints the manifest of the image for tab (whose initramfs entries were
 * checked into entries, one per entry of tab), after writing the files it
 * names that embed makes into o->dir. Returns an exit code; on a refusal
 * it prints why and nothing else.
 */
int embed_manifest(const struct embed_manifest_opts *o,
		   const struct fscrypttab *tab, const char *text,
		   const struct embed_entry *entries);

#endif
