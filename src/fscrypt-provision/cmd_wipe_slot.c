// SPDX-License-Identifier: MIT
/* wipe-slot: one protector out of a slots file. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "basic/json_write.h"
#include "fscrypt-provision/cli.h"
#include "fscrypt-provision/slots_options.h"
#include "shared/writers_lock.h"
#include "slots/file.h"

enum { OPT_FORCE = OPT_FIRST_PRIVATE };

const struct cli_options cmd_wipe_slot_options = {
    .common = CLI_QUIET,
    .shared = (const struct cli_use[]){{OPT_SLOTS, NULL},
				       {OPT_ALLOW_READABLE, NULL},
				       {OPT_DRY_RUN, NULL},
				       {OPT_JSON, NULL},
				       {0}},
    .own =
	(const struct cli_option[]){
	    {"force", NULL, OPT_FORCE, "wipe the last slot too"}, {0}},
};

struct wipe {
	const char *path;
	unsigned long n;
	bool force, readable, dry_run, json;
};

/* Where slot w->n is in f: its index, or an exit code (negative), said. */
static int find_slot(const struct wipe *w, const struct slots_file *f)
{
	int i = slots_find(f, (unsigned)w->n);

	if (i < 0)
		return -cli_error(FSP_EXIT_USAGE,
				  "slots file %s has no slot %lu; see "
				  "'fscrypt-provision slots --slots %s'",
				  w->path, w->n, w->path);
	if (f->n == 1 && !w->force)
		return -cli_error(FSP_EXIT_USAGE,
				  "slot %lu is the last slot of %s: without "
				  "it nothing can unwrap the key; add another "
				  "slot first, or pass --force to lose the "
				  "key",
				  w->n, w->path);
	return i;
}

/* What was (or, with --dry-run, would be) done, on stdout and stderr. */
static void tell(const struct wipe *w, const char *type, size_t left)
{
	if (w->json) {
		struct json j;

		json_start(&j, stdout, false);
		json_object_begin(&j, NULL);
		json_str(&j, "file", w->path);
		json_int(&j, "slot", (long long)w->n);
		json_str(&j, "type", type);
		json_int(&j, "slots_left", (long long)left);
		json_bool(&j, "dry_run", w->dry_run);
		json_end(&j);
		putchar('\n');
	} else if (w->dry_run) {
		cli_say("dry run: slot %lu (%s) would be wiped from %s; %zu "
			"slot%s would be left",
			w->n, type, w->path, left, left == 1 ? "" : "s");
	} else if (left) {
		cli_say("slot %lu wiped from %s; %zu slot%s left", w->n,
			w->path, left, left == 1 ? "" : "s");
	}
	if (!w->dry_run && left == 0)
		cli_warning("slot %lu was the last slot: %s can no longer "
			    "unwrap its key",
			    w->n, w->path);
	/*
	 * The master key stays the same, so a copy of the file made before
	 * still opens with the slot (and the slot, put back, still
	 * verifies): people must not take this for revocation.
	 */
	cli_warning("wiping a slot revokes nothing: every older copy of %s "
		    "(backups, initramfs images) still opens with slot %lu's "
		    "protector; rebuild the images (dracut -f "
		    "--regenerate-all, update-initramfs -u -k all) and, to "
		    "revoke it, move the data to a new key (fscrypt-slots(5), "
		    "REVOCATION)",
		    w->path, w->n);
}

static int wipe(const struct wipe *w, struct slots_file *f)
{
	struct fsp_problem problem = {0};
	char type[32];
	int i, r;

	r = slots_file_load(w->path, w->readable, f, &problem);
	if (r < 0)
		return slots_arg_fail(w->path, r, &problem);
	i = find_slot(w, f);
	if (i < 0)
		return -i;
	snprintf(type, sizeof(type), "%s", slot_type_name(f->slots[i].type));
	slots_remove(f, (size_t)i);
	if (!w->dry_run) {
		r = slots_file_save(w->path, f, &problem);
		if (r < 0)
			return slots_save_result(w->path, r, &problem);
		slots_save_result(w->path, r, &problem); /* 1: a warning */
	}
	tell(w, type, f->n);
	return FSP_EXIT_OK;
}

static int parse(int argc, char **argv, struct wipe *w)
{
	int c, r;

	while ((c = cli_getopt(argc, argv, &cmd_wipe_slot_options)) != -1) {
		if (c == OPT_SLOTS)
			w->path = optarg;
		else if (c == OPT_ALLOW_READABLE)
			w->readable = true;
		else if (c == OPT_FORCE)
			w->force = true;
		else if (c == OPT_DRY_RUN)
			w->dry_run = true;
		else if (c == OPT_JSON)
			w->json = true;
		else if ((r = handle_common_option(c, "wipe-slot")) >= 0)
			return r;
	}
	if (!w->path)
		return cli_usage_error("wipe-slot", "--slots FILE is required");
	if (optind + 1 != argc)
		return cli_usage_error("wipe-slot",
				       "give exactly one SLOT number");
	if (!parse_unsigned(argv[optind], SLOTS_MAX - 1, &w->n))
		return cli_usage_error("wipe-slot", "SLOT must be 0 to %d",
				       SLOTS_MAX - 1);
	return -1;
}

int cmd_wipe_slot(int argc, char **argv)
{
	struct fsp_problem why = {0};
	struct wipe w = {0};
	struct slots_file *f;
	int r = parse(argc, argv, &w);

	if (r >= 0)
		return r;
	/* A dry run reads; only a change needs the writers' lock. */
	if (!w.dry_run && (r = writer_lock(&why)) < 0)
		return cli_error_errno(OP_KEYRING, r,
				       "take the writers' lock (%s)", why.text);
	f = calloc(1, sizeof(*f));
	if (!f)
		return cli_error(FSP_EXIT_SYSTEM, "out of memory");
	r = wipe(&w, f);
	free(f);
	return r;
}
