// SPDX-License-Identifier: MIT
/*
 * What embed puts in an initramfs image (fscrypt-provision/embed_image.h):
 * the table, and the manifest. Every rule of what goes in an image is
 * here, so that the generators' adapters only install.
 */
#define _GNU_SOURCE
#include "fscrypt-provision/embed_image.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fscrypt-provision/cli.h"
#include "fscrypt-provision/embed_table.h"
#include "kernel/mountinfo.h"

#ifndef FSP_LIBEXECDIR
#define FSP_LIBEXECDIR "/usr/lib/fscrypt-provision"
#endif

#define MANIFEST_VERSION "1"
/* In the image. The helper finds the companion in ../lib/fscrypt-provision/
 * from its own directory, and the boot scripts source the boot steps. */
#define IMG_HELPER "/usr/sbin/fscrypt-provision"
#define IMG_LIBEXEC "/usr/lib/fscrypt-provision"
#define IMG_STATE "/etc/fscrypt-provision"
#define COMPANION "fscrypt-provision-tpm2"
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

/* The TSS libraries that systemd-creds opens with dlopen(): no DT_NEEDED
 * shows them. What they need themselves, the companion links. */
static const char *const creds_libs[] = {"libtss2-esys.so.0", "libtss2-rc.so.0",
					 "libtss2-mu.so.0"};

/* Everything resolved before anything is written or printed. */
struct image {
	const struct embed_manifest_opts *o;
	char helper[PATH_MAX], steps[PATH_MAX], rm[PATH_MAX];
	char companion[PATH_MAX], creds[PATH_MAX];
	char table[PATH_MAX], keys[PATH_MAX]; /* in o->dir */
	size_t n_entries, n_keys;
	bool want_companion, want_creds, creds_required;
};

/* A field the manifest can carry: items are lines, and their fields are
 * split at tabs. */
static bool carriable(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/* One item: its type, then its fields (up to a NULL), tab-separated. */
static void item(const char *type, ...)
{
	const char *field;
	va_list ap;

	fputs(type, stdout);
	va_start(ap, type);
	while ((field = va_arg(ap, const char *)))
		printf("\t%s", field);
	va_end(ap);
	putchar('\n');
}

/*
 * The companion or the boot steps that belong with the helper going into
 * the image, where the helper looks for the companion: beside it (a build
 * tree), in ../lib/fscrypt-provision/ (an install under any prefix), then
 * in this build's LIBEXECDIR below the sysroot. 0 with path set, or
 * -ENOENT with path the last place tried.
 */
static int find_with_helper(const struct image *img, const char *name,
			    int amode, char *path, size_t n)
{
	const char *h = img->helper, *slash = strrchr(h, '/');
	size_t dir = slash ? (size_t)(slash - h) : 0;
	const char *up = memrchr(h, '/', dir);
	char lib[PATH_MAX];

	snprintf(path, n, "%.*s/%s", (int)dir, h, name);
	if (access(path, amode) == 0)
		return 0;
	if (up) {
		snprintf(path, n, "%.*s/lib/fscrypt-provision/%s",
			 (int)(up - h), h, name);
		if (access(path, amode) == 0)
			return 0;
	}
	snprintf(lib, sizeof(lib), "%s/%s", FSP_LIBEXECDIR, name);
	if (path_join_root(img->o->sysroot ? img->o->sysroot : "", lib, path,
			   n) < 0)
		return -ENAMETOOLONG;
	return access(path, amode) == 0 ? 0 : -ENOENT;
}

/* given, or looked up; 0 if it is there, -ENOENT otherwise. */
static int program(struct image *img, const char *given, const char *name,
		   int amode, char *path)
{
	if (!given)
		return find_with_helper(img, name, amode, path, PATH_MAX);
	snprintf(path, PATH_MAX, "%s", given);
	return access(path, amode) == 0 ? 0 : -ENOENT;
}

/* A path below the sysroot. */
static int in_root(const struct image *img, const char *p, char *path)
{
	return path_join_root(img->o->sysroot ? img->o->sysroot : "", p, path,
			      PATH_MAX);
}

/* The TPM's programs: the companion for any tpm2 slot (it also ends
 * unsealing at the end of the initramfs), systemd-creds for those it
 * sealed. --tpm2 asks for them with no such slot in the image. */
static int resolve_tpm2(struct image *img, const struct fscrypttab *tab,
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
	    program(img, img->o->companion, COMPANION, X_OK, img->companion))
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
	if (in_root(img, "/usr/bin/systemd-creds", img->creds) < 0)
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
	if (program(img, o->boot_steps, BOOT_STEPS, R_OK, img->steps))
		return cli_error(FSP_EXIT_SYSTEM,
				 "the boot steps %s are missing (make install, "
				 "or the package fscrypt-provision; in a build "
				 "tree, make): every image runs them",
				 img->steps);
	if (in_root(img, "/bin/rm", img->rm) < 0 || access(img->rm, X_OK) < 0)
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
		if (!carriable(progs[i]))
			return cli_usage_error(
			    "embed",
			    "%s has a tab, a newline or another "
			    "control character, which the "
			    "manifest cannot carry",
			    progs[i]);
	if ((img->want_companion && !carriable(img->companion)) ||
	    (img->want_creds && !carriable(img->creds)) ||
	    (img->o->sysroot && !carriable(img->o->sysroot)))
		return cli_usage_error("embed",
				       "the sysroot or the TPM programs' "
				       "paths have a control character");
	/* The table's parser refuses them already; the format relies on it,
	 * so it is checked here too. */
	for (size_t i = 0; i < tab->n; i++) {
		const struct tab_entry *e = &tab->entries[i];

		if (!e->initramfs || !e->has_source)
			continue;
		if (in_root(img, e->source.path, src) < 0)
			return cli_error_errno(OP_OPEN, -ENAMETOOLONG,
					       "embed %s", e->source.path);
		if (!carriable(e->source.path))
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

	item("dir", IMG_STATE, "0700", NULL);
	for (size_t i = 0; i < tab->n; i++) {
		const struct tab_entry *e = &tab->entries[i];

		if (!e->initramfs || !e->has_source)
			continue;
		if (in_root(img, e->source.path, src) < 0)
			continue; /* check_fields() refused it */
		item("key", src, e->source.path, "0400", e->name,
		     e->source.kind == KEY_SOURCE_SLOTS ? "slots" : "raw",
		     entries[i].id, NULL);
	}
	item("file", img->keys, IMG_STATE "/embedded-keys", "0600", NULL);
	item("image-mode", "0600", NULL);
}

static void print_tpm2(const struct image *img)
{
	const char *creds_need = img->creds_required ? "required" : "optional";

	if (img->want_companion) {
		item("binary", img->companion, IMG_LIBEXEC "/" COMPANION,
		     "required",
		     "the TPM companion: it unseals tpm2 slots, and ends "
		     "unsealing when the initramfs is done",
		     NULL);
		item("library", "libtss2-tcti-device.so.0", "required",
		     "the TPM device's TCTI, which the TSS opens with dlopen() "
		     "(Debian package libtss2-tcti-device0)",
		     NULL);
	}
	if (!img->want_creds)
		return;
	item("binary", img->creds, "/usr/bin/systemd-creds", creds_need,
	     "systemd-creds unseals the tpm2 slots an earlier version sealed",
	     NULL);
	for (size_t i = 0; i < sizeof(creds_libs) / sizeof(*creds_libs); i++)
		item("library", creds_libs[i], creds_need,
		     "systemd-creds opens the TSS with dlopen() (Debian "
		     "packages libtss2-esys-3.0.2-0, libtss2-rc0, libtss2-mu0)",
		     NULL);
}

static void print_manifest(const struct image *img,
			   const struct fscrypttab *tab,
			   const struct embed_entry *entries)
{
	item("fscrypt-provision-manifest", MANIFEST_VERSION, NULL);
	item("binary", img->helper, IMG_HELPER, "required",
	     "the helper, which provisions the keys at boot", NULL);
	item("file", img->steps, IMG_LIBEXEC "/" BOOT_STEPS, "0644", NULL);
	item("binary", img->rm, "/bin/rm", "required",
	     "the boot steps remove the embedded key files with it (klibc "
	     "has no rm)",
	     NULL);
	for (size_t i = 0; i < sizeof(modules) / sizeof(*modules); i++)
		item("module", modules[i].name,
		     modules[i].required ? "required" : "optional",
		     modules[i].why, NULL);
	if (img->n_entries)
		item("file", img->table, "/etc/fscrypttab", "0644", NULL);
	if (img->n_keys)
		print_keys(img, tab, entries);
	print_tpm2(img);
}

int embed_manifest(const struct embed_manifest_opts *o,
		   const struct fscrypttab *tab, const char *text,
		   const struct embed_entry *entries)
{
	struct image img = {.o = o};
	int code;

	code = resolve_programs(&img);
	if (!code)
		code = resolve_tpm2(&img, tab, entries);
	if (!code)
		code = check_fields(&img, tab);
	if (!code)
		code = write_files(&img, tab, text);
	if (!code)
		print_manifest(&img, tab, entries);
	return code;
}
