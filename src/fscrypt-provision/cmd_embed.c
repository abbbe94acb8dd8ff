// SPDX-License-Identifier: MIT
/*
 * embed: what an initramfs generator must put in the image (the fscrypttab
 * entries marked initramfs and their key files, and with --manifest all
 * the rest: embed_image.c), checked with the rules apply uses at boot, so
 * that no generator re-implements them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basic/hex.h"
#include "basic/json_write.h"
#include "fscrypt-provision/cli.h"
#include "fscrypt-provision/embed_image.h"
#include "fscrypt-provision/embed_table.h"
#include "kernel/identifier.h"
#include "kernel/mountinfo.h"
#include "slots/file.h"
#include "tab/entry_key.h"

enum {
	OPT_SYSROOT = OPT_FIRST_PRIVATE,
	OPT_WRITE_TABLE,
	OPT_NULL,
	OPT_MANIFEST,
	OPT_HELPER,
	OPT_COMPANION,
	OPT_BOOT_STEPS,
	OPT_TPM2,
};

const struct cli_options cmd_embed_options = {
    .common = CLI_TAB | CLI_QUIET,
    .shared =
	(const struct cli_use[]){
	    {OPT_JSON, "list what to embed as JSON (not with --null)"}, {0}},
    .own =
	(const struct cli_option[]){
	    {"sysroot", "DIR", OPT_SYSROOT,
	     "read the table's key and slots files under DIR"},
	    {"write-table", "FILE", OPT_WRITE_TABLE,
	     "write the initramfs' table (initramfs entries) to FILE"},
	    {"null", NULL, OPT_NULL, "list the files to embed, NUL-terminated"},
	    {"manifest", "DIR", OPT_MANIFEST,
	     "print everything the image needs, one item a line; write "
	     "the files embed makes in DIR"},
	    {"helper", "FILE", OPT_HELPER,
	     "with --manifest: the helper to put in the image (default: "
	     "this one)"},
	    {"companion", "FILE", OPT_COMPANION,
	     "with --manifest: the TPM companion to put in the image"},
	    {"boot-steps", "FILE", OPT_BOOT_STEPS,
	     "with --manifest: the boot steps to put in the image"},
	    {"tpm2", NULL, OPT_TPM2,
	     "with --manifest: TPM support even with no tpm2 slot embedded"},
	    {0}},
};

enum output { OUT_TEXT, OUT_NULL, OUT_JSON, OUT_MANIFEST };

/*
 * The initramfs mounts its own /run, /proc, /sys and /dev, and the real
 * root at /sysroot, so a key file embedded there would be hidden at boot.
 */
static bool hidden_in_initramfs(const char *path)
{
	static const char *const dirs[] = {"/run", "/proc", "/sys", "/dev",
					   "/sysroot"};

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		size_t n = strlen(dirs[i]);

		if (strncmp(path, dirs[i], n) == 0 &&
		    (path[n] == '/' || path[n] == '\0'))
			return true;
	}
	return false;
}

/* A slots file is checked without unwrapping: it must load, and its
 * identifier must be the table's. */
static int check_slots_entry(const struct tab_entry *e, const char *sysroot,
			     struct embed_entry *ret)
{
	char *hex = ret->id;
	char joined[PATH_MAX], want[40];
	struct fsp_problem why = {0};
	const char *path = sysroot ? joined : e->source.path;
	struct slots_file *f = calloc(1, sizeof(*f));
	int r = 0, code = FSP_EXIT_OK;

	if (!f)
		return cli_error(FSP_EXIT_SYSTEM, "out of memory");
	if (sysroot)
		r = path_join_root(sysroot, e->source.path, joined,
				   sizeof(joined));
	if (r < 0)
		code = cli_error(FSP_EXIT_KEY_SOURCE,
				 "volume %s: the path of %s below %s is too "
				 "long",
				 e->name, e->source.path, sysroot);
	else if ((r = slots_file_load(path, e->key_opts.allow_readable, f,
				      &why)) < 0)
		code = cli_error(problem_exit(&why, OP_UNWRAP, r),
				 "volume %s: slots file %s %s; refusing to "
				 "embed it",
				 e->name, path, why.text);
	else {
		hex_encode(f->identifier, sizeof(f->identifier), hex);
		ret->needs = embed_slots_needs(f, ret);
	}
	if (!code && e->has_identifier &&
	    memcmp(f->identifier, e->identifier, sizeof(e->identifier))) {
		hex_encode(e->identifier, sizeof(e->identifier), want);
		code = cli_error(FSP_EXIT_KEY_REJECTED,
				 "volume %s: slots file %s holds key %s, but "
				 "%s:%u expects %s; refusing to embed it",
				 e->name, path, hex, arg_tab, e->line, want);
	}
	free(f);
	return code;
}

/* Not an initramfs entry: its tpm2 slots for the running system need the
 * initramfs's extension of PCR 15. A file unreadable now is no error. */
static unsigned later_needs(const struct tab_entry *e, const char *sysroot)
{
	char joined[PATH_MAX];
	struct fsp_problem why = {0};
	struct slots_file *f = NULL;
	unsigned needs = 0;

	if (e->has_source && e->source.kind == KEY_SOURCE_SLOTS &&
	    (!sysroot || path_join_root(sysroot, e->source.path, joined,
					sizeof(joined)) == 0))
		f = calloc(1, sizeof(*f));
	if (f && slots_file_load(sysroot ? joined : e->source.path,
				 e->key_opts.allow_readable, f, &why) == 0)
		needs = embed_slots_needs(f, NULL) & EMBED_NEEDS_TPM2_END;
	free(f);
	return needs;
}

/* Checks one initramfs entry's key; returns an exit code, printing why. */
static int check_entry(const struct tab_entry *e, const char *sysroot,
		       struct embed_entry *ret)
{
	uint8_t id[FSP_KEY_IDENTIFIER_SIZE];
	struct fsp_problem detail = {0};
	char src[PATH_MAX + 8];
	struct secbuf key;
	int r;

	ret->id[0] = '\0';
	if (!e->has_source)
		return FSP_EXIT_OK;
	key_source_format(&e->source, src, sizeof(src));
	if (e->source.kind == KEY_SOURCE_FD)
		return cli_error(FSP_EXIT_KEY_SOURCE,
				 "volume %s: key source %s cannot be used in "
				 "the initramfs: nothing passes it a "
				 "descriptor at boot; use a slots file",
				 e->name, src);
	if (hidden_in_initramfs(e->source.path))
		return cli_error(FSP_EXIT_KEY_SOURCE,
				 "volume %s: key file %s: /run, /proc, /sys, "
				 "/dev and /sysroot are mounted over in the "
				 "initramfs; keep the key elsewhere",
				 e->name, src);
	if (e->source.kind == KEY_SOURCE_SLOTS)
		return check_slots_entry(e, sysroot, ret);
	if (!e->embed_raw_key)
		return cli_error(
		    FSP_EXIT_KEY_SOURCE,
		    "volume %s: %s is a raw key, and the initramfs "
		    "would carry it unprotected on /boot; wrap it "
		    "(fscrypt-provision enroll --slots FILE "
		    "--passphrase --key-file %s) and use "
		    "slots:FILE, or add the option embed-raw-key "
		    "to %s:%u",
		    e->name, src, e->source.path, arg_tab, e->line);
	r = entry_key_read(e, arg_tab, sysroot, NULL, &key, id, &detail);
	if (r < 0)
		return cli_error(exit_code_for(OP_UNWRAP, r),
				 "volume %s: %s; refusing to embed it", e->name,
				 detail.text);
	secbuf_free(&key);
	hex_encode(id, sizeof(id), ret->id);
	return FSP_EXIT_OK;
}

static void print_entry(enum output out, const struct tab_entry *e,
			const char *hex, struct json *j)
{
	const char *mp = e->has_mountpoint ? e->mountpoint : "none";
	const char *kf = e->has_source ? e->source.path : "";

	switch (out) {
	case OUT_NULL:
		fwrite(e->name, 1, strlen(e->name) + 1, stdout);
		fwrite(mp, 1, strlen(mp) + 1, stdout);
		fwrite(kf, 1, strlen(kf) + 1, stdout);
		break;
	case OUT_JSON:
		json_object_begin(j, NULL);
		json_str(j, "name", e->name);
		json_str(j, "mountpoint",
			 e->has_mountpoint ? e->mountpoint : NULL);
		json_str(j, "key_file", e->has_source ? kf : NULL);
		json_str(j, "key_kind",
			 !e->has_source			      ? NULL
			 : e->source.kind == KEY_SOURCE_SLOTS ? "slots"
							      : "raw");
		json_str(j, "identifier", hex[0] ? hex : NULL);
		json_end(j);
		break;
	default:
		if (e->has_source)
			cli_say("volume %s: embed %s %s (identifier %s), "
				"mountpoint %s",
				e->name,
				e->source.kind == KEY_SOURCE_SLOTS
				    ? "slots file"
				    : "raw key file",
				kf, hex, mp);
		else
			cli_say("volume %s: no key file (source none), "
				"mountpoint %s",
				e->name, mp);
		break;
	}
}

static void print_entries(enum output out, const struct fscrypttab *tab,
			  const struct embed_entry *entries, size_t n)
{
	struct json j;

	if (out == OUT_JSON) {
		json_start(&j, stdout, true);
		json_array_begin(&j, NULL);
	}
	for (size_t i = 0; i < tab->n; i++)
		if (tab->entries[i].initramfs)
			print_entry(out, &tab->entries[i], entries[i].id, &j);
	if (out == OUT_JSON)
		json_end(&j);
	if (out == OUT_TEXT && n == 0)
		cli_say("no entry of %s has the initramfs option", arg_tab);
}

/* The command line, into out, *m and the rest. */
static int parse(int argc, char **argv, enum output *out,
		 struct embed_manifest_opts *m, const char **table_out)
{
	bool manifest_only = false;
	int c, r;

	while ((c = cli_getopt(argc, argv, &cmd_embed_options)) != -1) {
		if (c == OPT_SYSROOT)
			m->sysroot = optarg;
		else if (c == OPT_WRITE_TABLE)
			*table_out = optarg;
		else if (c == OPT_HELPER || c == OPT_COMPANION ||
			 c == OPT_BOOT_STEPS) {
			*(c == OPT_HELPER      ? &m->helper
			  : c == OPT_COMPANION ? &m->companion
					       : &m->boot_steps) = optarg;
			manifest_only = true;
			if (optarg[0] != '/')
				return cli_usage_error(
				    "embed", "%s needs an absolute path",
				    argv[optind - 1]);
		} else if (c == OPT_TPM2)
			m->tpm2 = manifest_only = true;
		else if (c == OPT_NULL || c == OPT_JSON || c == OPT_MANIFEST) {
			if (*out != OUT_TEXT)
				return cli_usage_error(
				    "embed", "--null, --json and --manifest "
					     "exclude each other");
			*out = c == OPT_NULL   ? OUT_NULL
			       : c == OPT_JSON ? OUT_JSON
					       : OUT_MANIFEST;
			m->dir = c == OPT_MANIFEST ? optarg : NULL;
		} else if ((r = handle_common_option(c, "embed")) >= 0)
			return r;
	}
	if (optind != argc)
		return cli_usage_error("embed", "unexpected argument '%s'",
				       argv[optind]);
	if (m->sysroot && m->sysroot[0] != '/')
		return cli_usage_error("embed",
				       "--sysroot needs an absolute path");
	if (m->dir && m->dir[0] != '/')
		return cli_usage_error("embed",
				       "--manifest needs an absolute path");
	if (manifest_only && *out != OUT_MANIFEST)
		return cli_usage_error("embed", "--helper, --companion, "
						"--boot-steps and --tpm2 go "
						"with --manifest");
	return -1;
}

/* Reads and parses arg_tab. With --manifest, a table that does not exist
 * is no error: the image then has no table (rd.fscrypt.tab= or
 * rd.fscrypt.key= name one at boot). */
static int load(struct fscrypttab *tab, char **text, bool manifest)
{
	struct fsp_problem err = {0};
	size_t len;
	int r;

	r = fscrypttab_read_file(arg_tab, text, &len, &err);
	if (r == -ENOENT && manifest)
		return FSP_EXIT_OK;
	if (r == 0)
		r = fscrypttab_parse(*text, len, arg_tab, tab, &err);
	if (r < 0)
		return cli_error(FSP_EXIT_CONFIG, "%s", err.text);
	return FSP_EXIT_OK;
}

int cmd_embed(int argc, char **argv)
{
	struct embed_manifest_opts m = {0};
	const char *table_out = NULL;
	enum output out = OUT_TEXT;
	struct embed_entry *entries = NULL;
	struct fscrypttab tab = {0};
	char *text = NULL;
	size_t n = 0;
	int r, code;

	code = parse(argc, argv, &out, &m, &table_out);
	if (code >= 0)
		return code;
	code = load(&tab, &text, out == OUT_MANIFEST);
	if (code)
		goto out;
	entries = calloc(tab.n ? tab.n : 1, sizeof(*entries));
	if (!entries) {
		code = cli_error_errno(OP_OPEN, -ENOMEM, "check %s", arg_tab);
		goto out;
	}
	/* Every entry is checked, and nothing is listed unless all pass. */
	for (size_t i = 0; i < tab.n; i++) {
		if (!tab.entries[i].initramfs) {
			entries[i].needs =
			    later_needs(&tab.entries[i], m.sysroot);
			continue;
		}
		r = check_entry(&tab.entries[i], m.sysroot, &entries[i]);
		if (r && !code)
			code = r;
		n++;
	}
	if (code)
		goto out;
	if (table_out && text) {
		r = embed_write_table(table_out, &tab, text);
		if (r < 0) {
			code =
			    cli_error_errno(OP_OPEN, r, "write %s", table_out);
			goto out;
		}
	}
	if (out == OUT_MANIFEST)
		code = embed_manifest(&m, &tab, text, entries);
	else
		print_entries(out, &tab, entries, n);
out:
	free(entries);
	free(text);
	fscrypttab_free(&tab);
	return code;
}
