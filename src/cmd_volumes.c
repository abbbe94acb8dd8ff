// SPDX-License-Identifier: MIT
/* volumes: the fscrypttab as parsed, for scripts and update hooks. */
#define _GNU_SOURCE
#include <string.h>

#include "cli.h"
#include "hex.h"
#include "mountinfo.h"

enum { OPT_JSON = OPT_FIRST_PRIVATE, OPT_ROOT };

int cmd_volumes(int argc, char **argv)
{
	static const struct option longopts[] = {
	    COMMON_LONG_OPTIONS,
	    {"json", no_argument, NULL, OPT_JSON},
	    {"root", required_argument, NULL, OPT_ROOT},
	    {NULL, 0, NULL, 0},
	};
	struct fscrypttab tab;
	const char *root = "/";
	bool json = false;
	int c, r;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
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
		return usage_error("volumes", "unexpected argument '%s'",
				   argv[optind]);
	if (root[0] != '/')
		return usage_error("volumes", "--root needs an absolute path");
	r = load_tab(&tab, true);
	if (r)
		return r;
	if (json)
		printf("[");
	for (size_t i = 0; i < tab.n; i++) {
		const struct tab_entry *e = &tab.entries[i];
		char path[PATH_MAX], src[PATH_MAX + 8] = "none";
		char hex[FSP_IDENTIFIER_HEX_LEN + 1];
		int mounted = 0;

		if (e->has_mountpoint &&
		    path_join_root(root, e->mountpoint, path, sizeof(path)) ==
			0)
			mounted = path_is_mountpoint(path) == 1;
		if (e->has_source)
			key_source_format(&e->source, src, sizeof(src));
		if (!json) {
			/*
			 * Mountpoint none: the state is "-", as there is
			 * nothing to look for. A real mountpoint is absolute,
			 * so "none" is unambiguous for scripts.
			 */
			const char *state = "-";

			if (e->has_mountpoint)
				state = mounted ? "mounted" : "unmounted";
			printf("%s\t%s\t%s\t%s\n", e->name,
			       e->has_mountpoint ? e->mountpoint : "none",
			       state, e->nofail ? "nofail" : "-");
			continue;
		}
		printf("%s\n  {\"name\": ", i ? "," : "");
		json_string(stdout, e->name);
		printf(", \"mountpoint\": ");
		if (e->has_mountpoint)
			json_string(stdout, e->mountpoint);
		else
			printf("null");
		printf(", \"mounted\": %s, \"key_source\": ",
		       mounted ? "true" : "false");
		if (e->has_source)
			json_string(stdout, src);
		else
			printf("null");
		printf(", \"directories\": [");
		for (size_t d = 0; d < e->n_dirs; d++) {
			printf("%s", d ? ", " : "");
			json_string(stdout, e->dirs[d]);
		}
		printf("], \"nofail\": %s, \"timeout\": ",
		       e->nofail ? "true" : "false");
		if (e->timeout)
			printf("%u", e->timeout);
		else
			printf("null");
		printf(", \"identifier\": ");
		if (e->has_identifier) {
			hex_encode(e->identifier, FSP_KEY_IDENTIFIER_SIZE, hex);
			printf("\"%s\"", hex);
		} else {
			printf("null");
		}
		printf(", \"line\": %u}", e->line);
	}
	if (json)
		printf("%s]\n", tab.n ? "\n" : "");
	fscrypttab_free(&tab);
	return FSP_EXIT_OK;
}
