// SPDX-License-Identifier: MIT
/* volumes: the fscrypttab as parsed, for scripts and update hooks. */
#define _GNU_SOURCE
#include <string.h>

#include "basic/hex.h"
#include "basic/json_write.h"
#include "fscrypt-provision/cli.h"
#include "kernel/identifier.h"
#include "kernel/mountinfo.h"
#include "tab/volumes.h"

const struct cli_options cmd_volumes_options = {
    .common = CLI_TAB,
    .shared =
	(const struct cli_use[]){
	    {OPT_JSON, NULL},
	    {OPT_ROOT, "look for the mountpoints under DIR (default /)"},
	    {0}},
};

/* Seconds, or null for none. */
static void json_seconds(struct json *j, const char *key, unsigned seconds)
{
	if (seconds)
		json_int(j, key, seconds);
	else
		json_null(j, key);
}

/* One entry of tab: a TAB-separated line, or an object of the array j. */
static void print_volume(struct json *j, const char *root,
			 const struct fscrypttab *tab,
			 const struct tab_entry *e)
{
	const char *file = key_source_file(e);
	const struct tab_entry *holder = key_source_volume(tab, e);

	char path[PATH_MAX], src[PATH_MAX + 8] = "none";
	char hex[FSP_IDENTIFIER_HEX_LEN + 1];
	int mounted = 0;

	if (e->has_mountpoint &&
	    path_join_root(root, e->mountpoint, path, sizeof(path)) == 0)
		mounted = path_is_mountpoint(path) == 1;
	if (e->has_source)
		key_source_format(&e->source, src, sizeof(src));
	if (!j) {
		/*
		 * Mountpoint none: the state is "-", as there is
		 * nothing to look for. A real mountpoint is absolute,
		 * so "none" is unambiguous for scripts.
		 */
		const char *state = "-";

		if (e->has_mountpoint)
			state = mounted ? "mounted" : "unmounted";
		printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e->name,
		       e->has_mountpoint ? e->mountpoint : "none", state,
		       e->nofail ? "nofail" : "-",
		       e->initramfs ? "initramfs" : "-", file ? file : "-",
		       holder ? holder->name : "-");
		return;
	}
	json_object_begin(j, NULL);
	json_str(j, "name", e->name);
	json_str(j, "mountpoint", e->has_mountpoint ? e->mountpoint : NULL);
	json_bool(j, "mounted", mounted);
	json_str(j, "key_source", e->has_source ? src : NULL);
	json_array_begin(j, "directories");
	for (size_t d = 0; d < e->n_dirs; d++)
		json_str(j, NULL, e->dirs[d]);
	json_end(j);
	json_bool(j, "nofail", e->nofail);
	json_bool(j, "initramfs", e->initramfs);
	json_str(j, "key_file", file);
	json_str(j, "key_file_volume", holder ? holder->name : NULL);
	json_seconds(j, "key_lifetime", e->key_lifetime);
	/* Its name before key_lifetime, as in the table, for one release. */
	json_seconds(j, "timeout", e->key_lifetime);
	json_seconds(j, "password_timeout", e->password_timeout);
	if (e->has_identifier) {
		hex_encode(e->identifier, FSP_KEY_IDENTIFIER_SIZE, hex);
		json_str(j, "identifier", hex);
	} else {
		json_null(j, "identifier");
	}
	json_int(j, "line", e->line);
	json_end(j);
}

int cmd_volumes(int argc, char **argv)
{
	struct fscrypttab tab;
	struct json j;
	const char *root = "/";
	bool json = false;
	int c, r;

	while ((c = cli_getopt(argc, argv, &cmd_volumes_options)) != -1) {
		if (c == OPT_JSON) {
			json = true;
			continue;
		}
		if (c == OPT_ROOT) {
			root = optarg;
			continue;
		}
		r = handle_common_option(c, "volumes");
		if (r >= 0)
			return r;
	}
	if (optind != argc)
		return cli_usage_error("volumes", "unexpected argument '%s'",
				       argv[optind]);
	if (root[0] != '/')
		return cli_usage_error("volumes",
				       "--root needs an absolute path");
	r = load_tab(&tab, true);
	if (r)
		return r;
	if (json) {
		json_start(&j, stdout, true);
		json_array_begin(&j, NULL);
	}
	for (size_t i = 0; i < tab.n; i++)
		print_volume(json ? &j : NULL, root, &tab, &tab.entries[i]);
	if (json)
		json_end(&j);
	fscrypttab_free(&tab);
	return FSP_EXIT_OK;
}
