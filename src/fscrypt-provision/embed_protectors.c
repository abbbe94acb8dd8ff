// SPDX-License-Identifier: MIT
/*
 * What the protectors need in an image (fscrypt-provision/embed_parts.h):
 * the TPM's companion and systemd-creds for tpm2 slots, the PKCS#11
 * companion and the token's module for pkcs11 slots.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fscrypt-provision/cli.h"
#include "fscrypt-provision/embed_parts.h"
#include "slots/pkcs11_data.h"
#include "slots/tpm2_data.h"

#define COMPANION "fscrypt-provision-tpm2"
#define P11_COMPANION "fscrypt-provision-pkcs11"

/* The TSS libraries that systemd-creds opens with dlopen(): no DT_NEEDED
 * shows them. What they need themselves, the companion links. */
static const char *const creds_libs[] = {"libtss2-esys.so.0", "libtss2-rc.so.0",
					 "libtss2-mu.so.0"};

/* The TPM's programs: the companion for any tpm2 slot (it also ends
 * unsealing at the end of the initramfs), systemd-creds for those it
 * sealed. --tpm2 asks for them with no such slot in the image. */
int embed_resolve_tpm2(struct image *img, const struct fscrypttab *tab,
		       const struct embed_entry *entries)
{
	const char *vol = NULL, *creds_vol = NULL, *later = NULL;
	char why[FSP_VOLUME_MAX + 160];

	for (size_t i = 0; i < tab->n; i++) {
		if (!later && (entries[i].needs & EMBED_NEEDS_TPM2_END))
			later = tab->entries[i].name;
		if (!tab->entries[i].initramfs)
			continue;
		if (!vol && (entries[i].needs & EMBED_NEEDS_TPM2))
			vol = tab->entries[i].name;
		if (!creds_vol &&
		    (entries[i].needs & EMBED_NEEDS_SYSTEMD_CREDS))
			creds_vol = tab->entries[i].name;
	}
	if (vol)
		snprintf(why, sizeof(why),
			 "volume %s: its slots file has a tpm2 slot", vol);
	else if (later)
		snprintf(why, sizeof(why),
			 "volume %s: its slots file has a tpm2 slot for the "
			 "running system, which the initramfs's extension "
			 "opens",
			 later);
	else
		snprintf(why, sizeof(why), "--tpm2 asks for TPM support");
	img->want_companion = vol || later || img->o->tpm2;
	if (img->want_companion &&
	    embed_program(img, img->o->companion, COMPANION, X_OK,
			  img->companion))
		return cli_error(FSP_EXIT_SYSTEM,
				 "%s, and the TPM companion %s is missing "
				 "(make install, or the package "
				 "fscrypt-provision-tpm2): without it no tpm2 "
				 "slot unseals, and the TPM would go on "
				 "unsealing after the initramfs",
				 why, img->companion);
	img->creds_required = creds_vol;
	if (!creds_vol && !img->o->tpm2)
		return FSP_EXIT_OK;
	if (embed_in_root(img, "/usr/bin/systemd-creds", img->creds) < 0)
		return cli_error_errno(OP_OPEN, -ENAMETOOLONG,
				       "find systemd-creds");
	img->want_creds = access(img->creds, X_OK) == 0;
	if (creds_vol && !img->want_creds)
		return cli_error(FSP_EXIT_SYSTEM,
				 "volume %s: its slots file has a tpm2 slot "
				 "sealed by systemd-creds, and %s is missing "
				 "(Debian package systemd); or enroll a tpm2 "
				 "slot again, which the companion seals, and "
				 "wipe that one",
				 creds_vol, img->creds);
	return FSP_EXIT_OK;
}

void embed_print_tpm2(const struct image *img)
{
	const char *creds_need = img->creds_required ? "required" : "optional";

	if (img->want_companion) {
		embed_item("binary", img->companion, IMG_LIBEXEC "/" COMPANION,
			   "required",
			   "the TPM companion: it unseals tpm2 slots, and ends "
			   "unsealing when the initramfs is done",
			   NULL);
		embed_item(
		    "library", "libtss2-tcti-device.so.0", "required",
		    "the TPM device's TCTI, which the TSS opens with dlopen() "
		    "(Debian package libtss2-tcti-device0)",
		    NULL);
	}
	if (!img->want_creds)
		return;
	embed_item(
	    "binary", img->creds, "/usr/bin/systemd-creds", creds_need,
	    "systemd-creds unseals the tpm2 slots an earlier version sealed",
	    NULL);
	for (size_t i = 0; i < sizeof(creds_libs) / sizeof(*creds_libs); i++)
		embed_item(
		    "library", creds_libs[i], creds_need,
		    "systemd-creds opens the TSS with dlopen() (Debian "
		    "packages libtss2-esys-3.0.2-0, libtss2-rc0, libtss2-mu0)",
		    NULL);
}

/* Adds module to e's list, once. */
static void add_module(struct embed_entry *e, const char *module)
{
	for (size_t i = 0; i < e->n_modules; i++)
		if (!strcmp(e->modules[i], module))
			return;
	if (e->n_modules < EMBED_MODULES_MAX)
		snprintf(e->modules[e->n_modules++], sizeof(e->modules[0]),
			 "%s", module);
}

unsigned embed_slots_needs(const struct slots_file *f, struct embed_entry *e)
{
	struct tpm2_slot t;
	struct pkcs11_slot p;
	unsigned needs = 0;

	for (size_t i = 0; i < f->n; i++) {
		const struct slot *s = &f->slots[i];

		if (s->type == SLOT_PKCS11 && slot_pkcs11_get(s, &p) == 0) {
			needs |= EMBED_NEEDS_PKCS11;
			if (e)
				add_module(e, p.module);
		}
		if (s->type != SLOT_TPM2)
			continue;
		needs |= EMBED_NEEDS_TPM2;
		if (slot_tpm2_get(s, &t) < 0)
			continue;
		needs |=
		    (tpm2_by_companion(&t) ? 0 : EMBED_NEEDS_SYSTEMD_CREDS) |
		    (t.flags & TPM2_FLAG_SYSTEM ? EMBED_NEEDS_TPM2_END : 0);
	}
	return needs;
}

/* A module of an initramfs entry's pkcs11 slot, below the sysroot, into
 * img's list once. */
static int want_module(struct image *img, const char *vol, const char *m)
{
	char path[PATH_MAX];

	if (embed_in_root(img, m, path) < 0 || access(path, R_OK) < 0)
		return cli_error(FSP_EXIT_SYSTEM,
				 "volume %s: its slots file has a pkcs11 slot "
				 "whose PKCS#11 module %s is missing: install "
				 "the token's package, or enroll the slot "
				 "again with the module's path",
				 vol, path);
	for (size_t i = 0; i < img->n_modules; i++)
		if (!strcmp(img->modules[i], path))
			return FSP_EXIT_OK;
	if (img->n_modules == EMBED_MODULES_MAX)
		return cli_error(FSP_EXIT_SYSTEM,
				 "the initramfs entries' pkcs11 slots name "
				 "more than %d PKCS#11 modules",
				 EMBED_MODULES_MAX);
	memcpy(img->modules[img->n_modules], path, sizeof(path));
	snprintf(img->module_at[img->n_modules++], sizeof(img->module_at[0]),
		 "%s", m);
	return FSP_EXIT_OK;
}

int embed_resolve_pkcs11(struct image *img, const struct fscrypttab *tab,
			 const struct embed_entry *entries)
{
	const char *vol = NULL;
	int code = FSP_EXIT_OK;

	for (size_t i = 0; i < tab->n && !code; i++) {
		if (!tab->entries[i].initramfs ||
		    !(entries[i].needs & EMBED_NEEDS_PKCS11))
			continue;
		vol = vol ? vol : tab->entries[i].name;
		for (size_t j = 0; j < entries[i].n_modules && !code; j++)
			code = want_module(img, tab->entries[i].name,
					   entries[i].modules[j]);
	}
	img->want_p11 = vol;
	if (code || !vol)
		return code;
	if (embed_program(img, NULL, P11_COMPANION, X_OK, img->p11))
		return cli_error(FSP_EXIT_SYSTEM,
				 "volume %s: its slots file has a pkcs11 slot, "
				 "and the PKCS#11 companion %s is missing "
				 "(make install, or the package "
				 "fscrypt-provision-pkcs11): without it no "
				 "pkcs11 slot opens",
				 vol, img->p11);
	for (size_t i = 0; i < img->n_modules; i++)
		if (!embed_carriable(img->modules[i]) ||
		    !embed_carriable(img->p11))
			return cli_usage_error(
			    "embed",
			    "%s has a control character, "
			    "which the manifest cannot carry",
			    img->modules[i]);
	return FSP_EXIT_OK;
}

void embed_print_pkcs11(const struct image *img)
{
	if (!img->want_p11)
		return;
	embed_item("binary", img->p11, IMG_LIBEXEC "/" P11_COMPANION,
		   "required",
		   "the PKCS#11 companion: it asks the token of a pkcs11 "
		   "slot for its secret",
		   NULL);
	/* Where the slot names it, as the companion loads it. */
	for (size_t i = 0; i < img->n_modules; i++)
		embed_item(
		    "binary", img->modules[i], img->module_at[i], "required",
		    "the token's PKCS#11 module, which p11-kit opens with "
		    "dlopen(); its own configuration is the image "
		    "builder's (docs/protectors.md)",
		    NULL);
}
