// SPDX-License-Identifier: MIT
/*
 * What embed puts in an initramfs image (fscrypt-provision/embed_image.h):
 * the table, and the manifest. Every rule of what goes in an image is
 * here, so that the generators' adapters only install.
 */
#define _GNU_SOURCE
#include "fscrypt-provision/embed_image.h"
#include "fscrypt-provision/embed_parts.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fscrypt-provision/cli.h"
#include "fscrypt-provision/embed_table.h"
#include "kernel/mountinfo.h"

#define MANIFEST_VERSION "1"
#define BOOT_STEPS "fscrypt-provision-lib.sh"

/*
 * fscrypt is built in, its algorithms may be modules: without them
 * FS_IOC_ADD_ENCRYPTION_KEY fails ("Error allocating hmac(sha512)"). The
 * kernel asks for each when it needs it; the image only has to hold them.
 */
static const struct {
	const char *name;
	bool required;
	const char *why;
} modules[] = {
    {"xts", true, "AES-256-XTS, fscrypt's default contents encryption"},
    {"ecb", true, "the ECB mode that xts builds on"},
    {"cts", true, "AES-256-CTS-CBC, fscrypt's default file name encryption"},
    {"sha512_generic", true, "HMAC-SHA512, the key derivation of v2 policies"},
    {"aesni_intel", false, "faster AES where the processor has it"},
    {"sha512_ssse3", false, "faster SHA-512 where the processor has it"},
    {"adiantum", false, "Adiantum policies"},
    {"ext4", false, "a filesystem with fscrypt"},
    {"f2fs", false, "a filesystem with fscrypt"},
};

/* The helper, the boot steps and rm, which every image gets. */
static int resolve_programs(struct image *img)
{
	const struct embed_manifest_opts *o = img->o;
	ssize_t len;

	if (o->helper)
		snprintf(img->helper, sizeof(img->helper), "%s", o->helper);
	else if ((len = readlink("/proc/self/exe", img->helper,
				 sizeof(img->helper) - 1)) > 0)
		img->helper[len] = '\0';
	else
		return cli_error_errno(OP_OPEN, -errno,
				       "find this program (--helper)");
	if (access(img->helper, X_OK) < 0)
		return cli_error_errno(OP_OPEN, -errno,
				       "use %s as the image's helper",
				       img->helper);
	if (embed_program(img, o->boot_steps, BOOT_STEPS, R_OK, img->steps))
		return cli_error(FSP_EXIT_SYSTEM,
				 "the boot steps %s are missing (make install, "
				 "or the package fscrypt-provision; in a build "
				 "tree, make): every image runs them",
				 img->steps);
	if (embed_in_root(img, "/bin/rm", img->rm) < 0 ||
	    access(img->rm, X_OK) < 0)
		return cli_error(FSP_EXIT_SYSTEM,
				 "%s is missing: the boot steps remove the "
				 "embedded key files with it",
				 img->rm);
	return FSP_EXIT_OK;
}

/* Every path goes on a line of the manifest: none may break one. */
static int check_fields(struct image *img, const struct fscrypttab *tab)
{
	char src[PATH_MAX];
	const char *const progs[] = {img->helper, img->steps, img->rm,
				     img->o->dir};

	for (size_t i = 0; i < sizeof(progs) / sizeof(*progs); i++)
		if (!embed_carriable(progs[i]))
			return cli_usage_error(
			    "embed",
			    "%s has a tab, a newline or another "
			    "control character, which the "
			    "manifest cannot carry",
			    progs[i]);
	if ((img->want_companion && !embed_carriable(img->companion)) ||
	    (img->want_creds && !embed_carriable(img->creds)) ||
	    (img->o->sysroot && !embed_carriable(img->o->sysroot)))
		return cli_usage_error("embed",
				       "the sysroot or the TPM programs' "
				       "paths have a control character");
	/* The table's parser refuses them already; the format relies on it,
	 * so it is checked here too. */
	for (size_t i = 0; i < tab->n; i++) {
		const struct tab_entry *e = &tab->entries[i];

		if (!e->initramfs || !e->has_source)
			continue;
		if (embed_in_root(img, e->source.path, src) < 0)
			return cli_error_errno(OP_OPEN, -ENAMETOOLONG,
					       "embed %s", e->source.path);
		if (!embed_carriable(e->source.path))
			return cli_error(FSP_EXIT_KEY_SOURCE,
					 "volume %s: the key file's path has a "
					 "tab, a newline or another control "
					 "character, which the manifest cannot "
					 "carry (one item a line, its fields "
					 "split at tabs); rename the file",
					 e->name);
	}
	return FSP_EXIT_OK;
}

/* The files embed makes, in o->dir: the table and the key list. */
static int write_files(struct image *img, const struct fscrypttab *tab,
		       const char *text)
{
	const char *dir = img->o->dir;
	int r = 0;

	for (size_t i = 0; i < tab->n; i++)
		if (tab->entries[i].initramfs) {
			img->n_entries++;
			img->n_keys += tab->entries[i].has_source;
		}
	if (snprintf(img->table, PATH_MAX, "%s/fscrypttab", dir) >= PATH_MAX ||
	    snprintf(img->keys, PATH_MAX, "%s/embedded-keys", dir) >= PATH_MAX)
		return cli_error_errno(OP_OPEN, -ENAMETOOLONG, "write in %s",
				       dir);
	if (img->n_entries && (r = embed_write_table(img->table, tab, text)))
		return cli_error_errno(OP_OPEN, r, "write %s", img->table);
	if (img->n_keys && (r = embed_write_key_list(img->keys, tab)))
		return cli_error_errno(OP_OPEN, r, "write %s", img->keys);
	return FSP_EXIT_OK;
}

static void print_keys(const struct image *img, const struct fscrypttab *tab,
		       const struct embed_entry *entries)
{
	char src[PATH_MAX];

	embed_item("dir", IMG_STATE, "0700", NULL);
	for (size_t i = 0; i < tab->n; i++) {
		const struct tab_entry *e = &tab->entries[i];

		if (!e->initramfs || !e->has_source)
			continue;
		if (embed_in_root(img, e->source.path, src) < 0)
			continue; /* check_fields() refused it */
		embed_item("key", src, e->source.path, "0400", e->name,
			   e->source.kind == KEY_SOURCE_SLOTS ? "slots" : "raw",
			   entries[i].id, NULL);
	}
	embed_item("file", img->keys, IMG_STATE "/embedded-keys", "0600", NULL);
	embed_item("image-mode", "0600", NULL);
}

static void print_manifest(const struct image *img,
			   const struct fscrypttab *tab,
			   const struct embed_entry *entries)
{
	embed_item("fscrypt-provision-manifest", MANIFEST_VERSION, NULL);
	embed_item("binary", img->helper, IMG_HELPER, "required",
		   "the helper, which provisions the keys at boot", NULL);
	embed_item("file", img->steps, IMG_LIBEXEC "/" BOOT_STEPS, "0644",
		   NULL);
	embed_item(
	    "binary", img->rm, "/bin/rm", "required",
	    "the boot steps remove the embedded key files with it (klibc "
	    "has no rm)",
	    NULL);
	for (size_t i = 0; i < sizeof(modules) / sizeof(*modules); i++)
		embed_item("module", modules[i].name,
			   modules[i].required ? "required" : "optional",
			   modules[i].why, NULL);
	if (img->n_entries)
		embed_item("file", img->table, "/etc/fscrypttab", "0644", NULL);
	if (img->n_keys)
		print_keys(img, tab, entries);
	embed_print_tpm2(img);
	embed_print_pkcs11(img);
}

int embed_manifest(const struct embed_manifest_opts *o,
		   const struct fscrypttab *tab, const char *text,
		   const struct embed_entry *entries)
{
	struct image img = {.o = o};
	int code;

	code = resolve_programs(&img);
	if (!code)
		code = embed_resolve_tpm2(&img, tab, entries);
	if (!code)
		code = embed_resolve_pkcs11(&img, tab, entries);
	if (!code)
		code = check_fields(&img, tab);
	if (!code)
		code = write_files(&img, tab, text);
	if (!code)
		print_manifest(&img, tab, entries);
	return code;
}
