// SPDX-License-Identifier: MIT
/* unlock, check and apply: the commands that work from the fscrypttab. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "entrykey.h"
#include "hex.h"
#include "identifier.h"
#include "mountinfo.h"
#include "overrides.h"
#include "provision.h"

enum {
	OPT_VOLUME = OPT_FIRST_PRIVATE,
	OPT_ROOT,
	OPT_JSON,
	OPT_DRY_RUN,
	OPT_KEY,
};

/* The volumes DIR belongs to: --volume, or fscrypttab by mountpoint. */
struct volume_set {
	const char **names;
	const struct tab_entry **entries; /* NULL where not in the table */
	size_t n;
};

static void volume_set_free(struct volume_set *vs)
{
	free(vs->names);
	free(vs->entries);
	memset(vs, 0, sizeof(*vs));
}

/*
 * The table entry whose mountpoint holds resolved path `real` most closely,
 * or NULL. If that entry's mountpoint is deeper than the mount `real` is
 * on, the entry's filesystem is not mounted there yet: `real` is just a
 * directory of the filesystem below it.
 */
static const struct tab_entry *deepest_entry(const struct fscrypttab *tab,
					     const char *real)
{
	const struct tab_entry *best = NULL;
	size_t best_len = 0;

	for (size_t i = 0; i < tab->n; i++) {
		const struct tab_entry *e = &tab->entries[i];
		size_t len = strlen(e->mountpoint);

		if (e->has_mountpoint && len > best_len &&
		    path_in_dir(e->mountpoint, real)) {
			best = e;
			best_len = len;
		}
	}
	return best;
}

static int resolve_volumes(const char *cmd, const char *dir, const char *volume,
			   const struct fscrypttab *tab,
			   const struct mount_info *mi, struct volume_set *ret)
{
	const struct tab_entry *deep;

	memset(ret, 0, sizeof(*ret));
	ret->names = calloc(tab->n + 1, sizeof(*ret->names));
	ret->entries = calloc(tab->n + 1, sizeof(*ret->entries));
	if (!ret->names || !ret->entries) {
		volume_set_free(ret);
		return fail(OP_OPEN, -ENOMEM, "resolve volumes");
	}
	if (volume) {
		ret->names[0] = volume;
		ret->entries[0] = fscrypttab_find(tab, volume);
		ret->n = 1;
		return FSP_EXIT_OK;
	}
	/*
	 * "unlock /data" before /data is mounted would otherwise unlock the
	 * filesystem below it (often /) and report success to a script that
	 * ran too early.
	 */
	deep = deepest_entry(tab, mi->path);
	if (deep && strlen(deep->mountpoint) > strlen(mi->mountpoint)) {
		volume_set_free(ret);
		return fail_msg(FSP_EXIT_NOT_READY,
				"%s: %s is on the filesystem mounted at %s, "
				"but volume %s in %s has mountpoint %s, which "
				"is not mounted; mount it first, or name the "
				"volume with --volume NAME",
				cmd, dir, mi->mountpoint, deep->name, arg_tab,
				deep->mountpoint);
	}
	for (size_t i = 0; i < tab->n; i++) {
		/* A provision-only entry names no filesystem: --volume only. */
		if (!tab->entries[i].has_mountpoint ||
		    strcmp(tab->entries[i].mountpoint, mi->mountpoint) != 0)
			continue;
		ret->names[ret->n] = tab->entries[i].name;
		ret->entries[ret->n++] = &tab->entries[i];
	}
	if (ret->n == 0) {
		volume_set_free(ret);
		/* Usage, not config: the table is fine, DIR is not in it. */
		return fail_msg(FSP_EXIT_USAGE,
				"%s: no entry in %s has mountpoint %s; name "
				"the volume with --volume NAME",
				cmd, arg_tab, mi->mountpoint);
	}
	return FSP_EXIT_OK;
}

/* Identifiers a volume needs on a mounted filesystem. */
struct needed {
	uint8_t (*ids)[FSP_KEY_IDENTIFIER_SIZE];
	char **why; /* which path needs it */
	size_t n;
};

static void needed_free(struct needed *nd)
{
	for (size_t i = 0; i < nd->n; i++)
		free(nd->why[i]);
	free(nd->ids);
	free(nd->why);
	memset(nd, 0, sizeof(*nd));
}

static int needed_add(struct needed *nd, const uint8_t *id, const char *why)
{
	void *a, *b;

	for (size_t i = 0; i < nd->n; i++)
		if (memcmp(nd->ids[i], id, FSP_KEY_IDENTIFIER_SIZE) == 0)
			return 0;
	a = realloc(nd->ids, (nd->n + 1) * sizeof(*nd->ids));
	if (!a)
		return -ENOMEM;
	nd->ids = a;
	b = realloc(nd->why, (nd->n + 1) * sizeof(*nd->why));
	if (!b)
		return -ENOMEM;
	nd->why = b;
	nd->why[nd->n] = strdup(why);
	if (!nd->why[nd->n])
		return -ENOMEM;
	memcpy(nd->ids[nd->n++], id, FSP_KEY_IDENTIFIER_SIZE);
	return 0;
}

/*
 * Collects what a volume needs: the table's identifier= and the policies
 * of the directories it lists (under mount), plus extra if encrypted.
 * Missing or unencrypted directories are reported and fail only when
 * strict. Returns an exit code.
 */
static int collect_needed(const struct tab_entry *e, const char *mount,
			  const char *extra, bool strict, struct needed *nd)
{
	uint8_t id[FSP_KEY_IDENTIFIER_SIZE];
	char path[PATH_MAX];
	int code = FSP_EXIT_OK, r;

	if (e && e->has_identifier &&
	    needed_add(nd, e->identifier, "fscrypttab identifier=") < 0)
		return fail(OP_OPEN, -ENOMEM, "collect identifiers");
	for (size_t i = 0; e && i < e->n_dirs; i++) {
		if (snprintf(path, sizeof(path), "%s/%s",
			     strcmp(mount, "/") == 0 ? "" : mount,
			     e->dirs[i]) >= (int)sizeof(path))
			return fail(OP_OPEN, -ENAMETOOLONG, "use %s",
				    e->dirs[i]);
		r = path_identifier(path, id);
		if (r == 0) {
			if (needed_add(nd, id, path) < 0)
				return fail(OP_OPEN, -ENOMEM,
					    "collect identifiers");
		} else if (r == -ENODATA) {
			if (strict)
				code = fail_msg(FSP_EXIT_CONFIG,
						"%s (volume %s) is not "
						"encrypted; set a policy with "
						"'fscrypt-provision "
						"set-policy' or remove it from "
						"%s",
						path, e->name, arg_tab);
			else
				warn("%s (volume %s) is not encrypted", path,
				     e->name);
		} else if (r == -EPROTONOSUPPORT) {
			code = fail_msg(FSP_EXIT_UNSUPPORTED,
					"%s has a v1 encryption policy; only "
					"v2 policies can be provisioned",
					path);
		} else {
			code = fail(OP_GET_POLICY, r,
				    "read the policy of %s (listed for volume "
				    "%s)",
				    path, e->name);
		}
		if (code && strict)
			return code;
	}
	if (extra) {
		r = path_identifier(extra, id);
		if (r == 0 && needed_add(nd, id, extra) < 0)
			return fail(OP_OPEN, -ENOMEM, "collect identifiers");
	}
	return code;
}

static bool volume_has_id(const struct provkey *keys, size_t n,
			  const char *volume, const uint8_t *id)
{
	const struct provkey *k;

	n = volume_keys(keys, n, volume, &k);
	for (size_t i = 0; i < n; i++)
		if (memcmp(k[i].identifier, id, FSP_KEY_IDENTIFIER_SIZE) == 0)
			return true;
	return false;
}

/* After unlocking: every needed key present? Returns an exit code. */
static int verify_needed(int fd, const char *volume, const struct needed *nd,
			 const struct provkey *keys, size_t nkeys)
{
	int code = FSP_EXIT_OK;

	for (size_t i = 0; i < nd->n; i++) {
		char hex[FSP_IDENTIFIER_HEX_LEN + 1];
		struct key_status st;
		int r = fs_key_status(fd, nd->ids[i], &st);

		hex_encode(nd->ids[i], FSP_KEY_IDENTIFIER_SIZE, hex);
		if (r < 0) {
			code = fail(OP_KEY_STATUS, r, "read the status of %s",
				    hex);
			continue;
		}
		if (st.status == FSP_KEY_STATUS_PRESENT)
			continue;
		if (volume_has_id(keys, nkeys, volume, nd->ids[i]))
			code = fail_msg(FSP_EXIT_KEY_UNAVAILABLE,
					"%s needs key %s of volume %s, which "
					"is still locked (its provisioning key "
					"could not be used)",
					nd->why[i], hex, volume);
		else
			code = fail_msg(FSP_EXIT_KEY_REJECTED,
					"%s is encrypted with key %s, but "
					"volume %s has no provisioning key "
					"with that identifier: wrong key, or "
					"wrong volume",
					nd->why[i], hex, volume);
	}
	return code;
}

/* Unlocks every usable key of one volume on fd. Returns an exit code. */
static int unlock_volume(int fd, const char *where, const char *volume,
			 const struct provkey *keys, size_t nkeys)
{
	int code = FSP_EXIT_OK, r;
	const struct provkey *first;
	size_t usable = 0;

	nkeys = volume_keys(keys, nkeys, volume, &first);
	for (size_t i = 0; i < nkeys; i++) {
		const struct provkey *k = &first[i];
		char hex[FSP_IDENTIFIER_HEX_LEN + 1];

		hex_encode(k->identifier, FSP_KEY_IDENTIFIER_SIZE, hex);
		if (k->state) {
			warn("volume %s: provisioning key %d (%s) is unusable: "
			     "%s",
			     volume, k->serial, hex,
			     describe_error(OP_PROVKEY_USE, k->state).reason);
			continue;
		}
		usable++;
		r = unlock_key(fd, where, volume, k->serial, k->identifier);
		if (r && !code)
			code = r;
	}
	if (usable == 0 && !code)
		code = fail_msg(FSP_EXIT_KEY_UNAVAILABLE,
				"volume %s has no usable provisioning key in "
				"keyring %s; provision it with "
				"'fscrypt-provision add' or 'apply'",
				volume, arg_keyring);
	return code;
}

int cmd_unlock(int argc, char **argv)
{
	static const struct option longopts[] = {
	    COMMON_LONG_OPTIONS,
	    {"volume", required_argument, NULL, OPT_VOLUME},
	    {NULL, 0, NULL, 0},
	};
	const char *volume = NULL, *dir;
	struct fscrypttab tab;
	struct mount_info mi;
	struct volume_set vs;
	struct provkey *keys = NULL;
	size_t nkeys = 0;
	int c, r, code = FSP_EXIT_OK, fd;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c == OPT_VOLUME) {
			volume = optarg;
			continue;
		}
		r = handle_common_option(c, "unlock");
		if (r >= 0)
			return r;
	}
	if (argc - optind != 1)
		return usage_error("unlock", "expected one DIR");
	dir = argv[optind];
	if (volume && !volume_name_valid(volume))
		return usage_error("unlock", "invalid volume name '%s'",
				   volume);
	r = load_tab(&tab, !volume);
	if (r)
		return r;
	r = mount_of_path(dir, &mi);
	if (r < 0) {
		fscrypttab_free(&tab);
		return fail(OP_OPEN, r, "find the mount of %s", dir);
	}
	r = resolve_volumes("unlock", dir, volume, &tab, &mi, &vs);
	if (r) {
		fscrypttab_free(&tab);
		return r;
	}
	fd = fs_open(dir);
	if (fd < 0) {
		code = fail(OP_OPEN, fd, "open %s", dir);
		goto out;
	}
	r = ring_keys(false, &keys, &nkeys);
	if (r < 0) {
		code = fail(OP_KEYRING, r, "list keyring %s", arg_keyring);
		goto out;
	}
	for (size_t v = 0; v < vs.n; v++) {
		struct needed nd = {0};

		r = collect_needed(vs.entries[v], mi.mountpoint, dir, false,
				   &nd);
		if (r && !code)
			code = r;
		r = unlock_volume(fd, mi.mountpoint, vs.names[v], keys, nkeys);
		if (r && !code)
			code = r;
		r = verify_needed(fd, vs.names[v], &nd, keys, nkeys);
		if (r && !code)
			code = r;
		needed_free(&nd);
	}
out:
	if (fd >= 0)
		close(fd);
	free(keys);
	volume_set_free(&vs);
	fscrypttab_free(&tab);
	return code;
}

struct check_report {
	bool json;
	bool first;
	unsigned missing;
};

static void report(struct check_report *rep, const char *volume,
		   const uint8_t *id, key_serial_t serial, const char *problem)
{
	char hex[FSP_IDENTIFIER_HEX_LEN + 1] = "";

	if (id)
		hex_encode(id, FSP_KEY_IDENTIFIER_SIZE, hex);
	if (problem)
		rep->missing++;
	if (!rep->json) {
		if (problem)
			printf("missing: volume %s%s%s: %s\n", volume,
			       id ? " key " : "", hex, problem);
		else if (!arg_quiet)
			printf("ok: volume %s key %s (key %d)\n", volume, hex,
			       serial);
		return;
	}
	printf("%s\n  {\"volume\": ", rep->first ? "" : ",");
	rep->first = false;
	json_string(stdout, volume);
	printf(", \"identifier\": ");
	if (id)
		json_string(stdout, hex);
	else
		printf("null");
	if (problem) {
		printf(", \"key_id\": null, \"ok\": false, \"problem\": ");
		json_string(stdout, problem);
		printf("}");
	} else {
		printf(", \"key_id\": %d, \"ok\": true, \"problem\": null}",
		       serial);
	}
}

int cmd_check(int argc, char **argv)
{
	static const struct option longopts[] = {
	    COMMON_LONG_OPTIONS,
	    {"volume", required_argument, NULL, OPT_VOLUME},
	    {"json", no_argument, NULL, OPT_JSON},
	    {NULL, 0, NULL, 0},
	};
	struct check_report rep = {.first = true};
	const char *volume = NULL, *dir;
	struct provkey *keys = NULL;
	struct fscrypttab tab;
	struct mount_info mi;
	struct volume_set vs;
	key_serial_t ring = 0;
	size_t nkeys = 0;
	int c, r, code = FSP_EXIT_OK, fd, ring_err;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c == OPT_VOLUME) {
			volume = optarg;
			continue;
		}
		if (c == OPT_JSON) {
			rep.json = true;
			continue;
		}
		r = handle_common_option(c, "check");
		if (r >= 0)
			return r;
	}
	if (argc - optind != 1)
		return usage_error("check", "expected one DIR");
	dir = argv[optind];
	if (volume && !volume_name_valid(volume))
		return usage_error("check", "invalid volume name '%s'", volume);
	r = load_tab(&tab, !volume);
	if (r)
		return r;
	r = mount_of_path(dir, &mi);
	if (r < 0) {
		fscrypttab_free(&tab);
		return fail(OP_OPEN, r, "find the mount of %s", dir);
	}
	r = resolve_volumes("check", dir, volume, &tab, &mi, &vs);
	if (r) {
		fscrypttab_free(&tab);
		return r;
	}
	fd = fs_open(dir);
	if (fd < 0) {
		code = fail(OP_OPEN, fd, "open %s", dir);
		goto out;
	}
	if (rep.json)
		printf("[");
	r = fs_probe_key_id(fd);
	if (r == 0)
		report(&rep, vs.names[0], NULL, 0,
		       "the kernel cannot add keys by key_id (Linux < 5.6 "
		       "without kernel-patches/): no key survives a remount");
	else if (r < 0)
		report(&rep, vs.names[0], NULL, 0,
		       describe_error(OP_ADD_BY_ID, r).reason);
	ring_err = ring_lookup(&ring);
	if (ring_err == 0) {
		r = ring_keys(false, &keys, &nkeys);
		if (r < 0)
			ring_err = r;
	}
	for (size_t v = 0; v < vs.n; v++) {
		struct needed nd = {0};
		const char *name = vs.names[v];

		r = collect_needed(vs.entries[v], mi.mountpoint, dir, false,
				   &nd);
		if (r && !code)
			code = r;
		/* Nothing names a key: every key of the volume must be fine. */
		if (nd.n == 0) {
			const struct provkey *k;
			size_t nk = volume_keys(keys, nkeys, name, &k);

			for (size_t i = 0; i < nk; i++)
				(void)needed_add(&nd, k[i].identifier,
						 "keyring");
		}
		if (nd.n == 0)
			report(&rep, name, NULL, 0,
			       ring_err && ring_err != -ENOKEY
				   ? describe_error(OP_KEYRING, ring_err).reason
				   : "no provisioning key for this volume "
				     "and nothing names one (no fscrypttab "
				     "identifier= and no encrypted directory)");
		for (size_t i = 0; i < nd.n; i++) {
			char desc[FSP_DESC_MAX];
			key_serial_t key = 0;

			if (ring_err) {
				report(&rep, name, nd.ids[i], 0,
				       describe_error(OP_KEYRING, ring_err)
					   .reason);
				continue;
			}
			(void)description_encode(name, nd.ids[i], desc,
						 sizeof(desc));
			r = provkey_find(ring, desc, &key);
			report(&rep, name, nd.ids[i], key,
			       r ? describe_error(OP_PROVKEY_USE, r).reason
				 : NULL);
		}
		needed_free(&nd);
	}
	if (rep.json)
		printf("\n]\n");
	if (rep.missing && !code)
		code = FSP_EXIT_NOT_READY;
	if (rep.missing)
		fprintf(stderr,
			"%s: check failed: %u key%s cannot be re-provisioned "
			"after a remount of %s\n",
			PROG, rep.missing, rep.missing == 1 ? "" : "s",
			mi.mountpoint);
out:
	if (fd >= 0)
		close(fd);
	free(keys);
	volume_set_free(&vs);
	fscrypttab_free(&tab);
	return code;
}

/* apply, for one entry. Returns an exit code. */
/*
 * apply --dry-run, for an entry whose key has been read and checked: would
 * provisioning work? Asks the kernel the two side-effect-free questions
 * provision_key() would (the key type, and key_id on the filesystem).
 */
static int dry_run_provision(const struct tab_entry *e, const char *mount,
			     const char *src, const char *hex)
{
	int r, fd;

	r = provkey_type_supported();
	if (r < 0)
		return fail(OP_KEYRING, r,
			    "probe the fscrypt-provisioning key "
			    "type");
	if (mount) {
		fd = fs_open(mount);
		if (fd < 0)
			return fail(OP_OPEN, fd, "open %s", mount);
		r = probe_key_id_cached(fd);
		close(fd);
		if (r < 0)
			return fail(OP_ADD_BY_ID, r, "add keys to %s", mount);
	}
	if (r == 1) {
		say("volume %s: dry run: key %s from %s is valid; apply would "
		    "provision it%s%s%s",
		    e->name, hex, src, mount ? " and add it to " : "",
		    mount ? mount : "", mount ? " by key_id" : "");
		return FSP_EXIT_OK;
	}
	if (mount && e->raw_fallback) {
		say("volume %s: dry run: key %s from %s is valid; this kernel "
		    "has no key_id, so apply would add the raw key to %s "
		    "(raw-fallback), which does not survive an unmount",
		    e->name, hex, src, mount);
		return FSP_EXIT_OK;
	}
	return fail_msg(FSP_EXIT_UNSUPPORTED,
			"volume %s: dry run: the key from %s is valid, but "
			"this kernel cannot keep it for key_id (Linux 5.6 or "
			"the backport in kernel-patches/ is needed), so apply "
			"would fail%s",
			e->name, src,
			mount && !e->raw_fallback
			    ? "; the fscrypttab option raw-fallback would add "
			      "the raw key instead"
			    : "");
}

/* apply --dry-run, source none: would unlock find a usable key? */
static int dry_run_unlock(const struct tab_entry *e, const char *mount,
			  const struct provkey *keys, size_t nkeys)
{
	const struct provkey *first;
	size_t usable = 0;

	nkeys = volume_keys(keys, nkeys, e->name, &first);
	for (size_t i = 0; i < nkeys; i++)
		if (!first[i].state)
			usable++;
	if (usable == 0)
		return fail_msg(FSP_EXIT_KEY_UNAVAILABLE,
				"volume %s: dry run: no usable provisioning "
				"key in keyring %s, so apply could not "
				"unlock %s",
				e->name, arg_keyring, mount);
	say("volume %s: dry run: apply would add %zu provisioning key%s "
	    "to %s by key_id",
	    e->name, usable, usable == 1 ? "" : "s", mount);
	return FSP_EXIT_OK;
}

static int apply_entry(const struct tab_entry *e, const char *root,
		       bool dry_run, struct provkey **keys, size_t *nkeys,
		       bool *have_keys)
{
	char mount[PATH_MAX], src[PATH_MAX + 8], detail[512] = "";
	char hex[FSP_IDENTIFIER_HEX_LEN + 1];
	uint8_t id[FSP_KEY_IDENTIFIER_SIZE];
	struct needed nd = {0};
	bool mounted = false;
	int code = FSP_EXIT_OK, r, fd;

	/*
	 * Mountpoint none: the table does not say which filesystem the key
	 * is for, so it is only provisioned (identifier= still checked), and
	 * --root does not concern it.
	 */
	mount[0] = '\0';
	if (e->has_mountpoint) {
		if (path_join_root(root, e->mountpoint, mount, sizeof(mount)) <
		    0)
			return fail(OP_OPEN, -ENAMETOOLONG, "use %s",
				    e->mountpoint);
		r = path_is_mountpoint(mount);
		mounted = r == 1;
	}
	if (mounted) {
		/* Refuse a wrong key before anything is provisioned. */
		code = collect_needed(e, mount, NULL, true, &nd);
		if (code)
			goto out;
	}
	if (e->has_source) {
		struct provision_req rq = {
		    .volume = e->name,
		    .timeout = e->timeout,
		    .mount = mounted ? mount : NULL,
		    .raw_fallback = e->raw_fallback,
		};
		struct secbuf key;
		key_serial_t serial;

		key_source_format(&e->source, src, sizeof(src));
		r = entry_key_read(e, arg_tab, NULL, &key, id, detail,
				   sizeof(detail));
		if (r < 0) {
			code =
			    fail_msg(r == -EKEYREJECTED ? FSP_EXIT_KEY_REJECTED
							: FSP_EXIT_KEY_SOURCE,
				     "volume %s: %s", e->name, detail);
			goto out;
		}
		hex_encode(id, sizeof(id), hex);
		for (size_t i = 0; !code && i < nd.n; i++)
			if (memcmp(nd.ids[i], id, sizeof(id)) != 0) {
				char want[FSP_IDENTIFIER_HEX_LEN + 1];

				hex_encode(nd.ids[i], sizeof(id), want);
				code = fail_msg(FSP_EXIT_KEY_REJECTED,
						"volume %s: %s is encrypted "
						"with key %s, but the key from "
						"%s has identifier %s: wrong "
						"key; nothing was provisioned",
						e->name, nd.why[i], want, src,
						hex);
			}
		if (!code && dry_run) {
			code = dry_run_provision(e, mounted ? mount : NULL, src,
						 hex);
			secbuf_free(&key);
			goto out;
		}
		if (!code) {
			rq.key = &key;
			rq.id = id;
			code = provision_key(&rq, &serial);
		}
		secbuf_free(&key);
		if (!code && !e->has_mountpoint && e->line)
			say("volume %s: provisioned only (mountpoint none in "
			    "%s:%u), added to no filesystem; unlock it with "
			    "'fscrypt-provision unlock --volume %s DIR' once "
			    "it is mounted",
			    e->name, arg_tab, e->line, e->name);
		else if (!code && !e->has_mountpoint)
			say("volume %s: provisioned only (added by --key), "
			    "added to no filesystem; unlock it with "
			    "'fscrypt-provision unlock --volume %s DIR' once "
			    "it is mounted",
			    e->name, e->name);
		goto out;
	}
	if (!e->has_mountpoint) {
		say("volume %s: mountpoint and key source are both none; "
		    "nothing to do",
		    e->name);
		goto out;
	}
	if (!mounted) {
		say("volume %s: %s is not mounted and the key source is none; "
		    "nothing to do",
		    e->name, mount);
		goto out;
	}
	if (!*have_keys) {
		r = ring_keys(false, keys, nkeys);
		if (r < 0) {
			code =
			    fail(OP_KEYRING, r, "list keyring %s", arg_keyring);
			goto out;
		}
		*have_keys = true;
	}
	if (dry_run) {
		code = dry_run_unlock(e, mount, *keys, *nkeys);
		goto out;
	}
	fd = fs_open(mount);
	if (fd < 0) {
		code = fail(OP_OPEN, fd, "open %s", mount);
		goto out;
	}
	code = unlock_volume(fd, mount, e->name, *keys, *nkeys);
	if (!code)
		code = verify_needed(fd, e->name, &nd, *keys, *nkeys);
	close(fd);
out:
	needed_free(&nd);
	return code;
}

/* apply --key: the overrides, applied to tab and reported. */
static int apply_key_overrides(struct fscrypttab *tab,
			       const struct key_override *ov, size_t n,
			       bool tab_missing)
{
	enum override_result *res;
	char src[PATH_MAX + 8], why[PATH_MAX + 64];
	int r;

	if (n == 0)
		return FSP_EXIT_OK;
	res = calloc(n, sizeof(*res));
	if (!res)
		return fail(OP_OPEN, -ENOMEM, "apply --key");
	r = fscrypttab_apply_overrides(tab, ov, n, res);
	if (r < 0) {
		free(res);
		return fail(OP_OPEN, r, "apply --key");
	}
	for (size_t i = 0; i < n; i++) {
		snprintf(src, sizeof(src), "none");
		if (ov[i].has_source)
			key_source_format(&ov[i].source, src, sizeof(src));
		if (tab_missing)
			snprintf(why, sizeof(why), "no table %s", arg_tab);
		else
			snprintf(why, sizeof(why), "no volume %s in %s",
				 ov[i].volume, arg_tab);
		switch (res[i]) {
		case OVERRIDE_REPLACED:
			say("volume %s: key source %s (from --key)",
			    ov[i].volume, src);
			break;
		case OVERRIDE_ADDED:
			say("volume %s: added from --key (%s) with key source "
			    "%s, provision only (mountpoint none)",
			    ov[i].volume, why, src);
			break;
		case OVERRIDE_IGNORED:
			warn("--key %s:%s: %s, and an entry with neither a "
			     "mountpoint nor a key source would do nothing; "
			     "ignored",
			     ov[i].volume, src, why);
			break;
		default:
			break;
		}
	}
	free(res);
	return FSP_EXIT_OK;
}

int cmd_apply(int argc, char **argv)
{
	static const struct option longopts[] = {
	    COMMON_LONG_OPTIONS,
	    {"root", required_argument, NULL, OPT_ROOT},
	    {"dry-run", no_argument, NULL, OPT_DRY_RUN},
	    {"key", required_argument, NULL, OPT_KEY},
	    {NULL, 0, NULL, 0},
	};
	const char *root = "/";
	bool dry_run = false, tab_missing = false;
	struct key_override *ov;
	size_t n_ov = 0;
	char err[512];
	struct provkey *keys = NULL;
	struct fscrypttab tab = {0};
	size_t nkeys = 0;
	bool have_keys = false;
	unsigned ok = 0, failed = 0, skipped = 0;
	int c, r, code;

	/* At most one --key per argument. */
	ov = calloc((size_t)argc, sizeof(*ov));
	if (!ov)
		return fail(OP_OPEN, -ENOMEM, "apply");
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c == OPT_ROOT) {
			root = optarg;
			continue;
		}
		if (c == OPT_DRY_RUN) {
			dry_run = true;
			continue;
		}
		if (c == OPT_KEY) {
			if (key_override_parse(optarg, &ov[n_ov], err,
					       sizeof(err)) < 0) {
				free(ov);
				return usage_error("apply", "--key %s", err);
			}
			n_ov++;
			continue;
		}
		r = handle_common_option(c, "apply");
		if (r >= 0) {
			free(ov);
			return r;
		}
	}
	code = FSP_EXIT_OK;
	if (optind != argc)
		code = usage_error("apply", "unexpected argument '%s'",
				   argv[optind]);
	else if (root[0] != '/')
		code = usage_error("apply", "--root needs an absolute path");
	/* With --key, a table that does not exist is an empty one. */
	if (!code && n_ov && access(arg_tab, F_OK) < 0 && errno == ENOENT) {
		tab_missing = true;
	} else if (!code) {
		code = load_tab(&tab, true);
		if (code) {
			free(ov);
			return code;
		}
	}
	if (!code)
		code = apply_key_overrides(&tab, ov, n_ov, tab_missing);
	free(ov);
	if (code) {
		fscrypttab_free(&tab);
		return code;
	}
	for (size_t i = 0; i < tab.n; i++) {
		const struct tab_entry *e = &tab.entries[i];

		r = apply_entry(e, root, dry_run, &keys, &nkeys, &have_keys);
		if (r == FSP_EXIT_OK) {
			ok++;
		} else if (e->nofail) {
			skipped++;
			warn("volume %s is nofail: continuing without it",
			     e->name);
		} else {
			failed++;
			if (!code)
				code = r;
		}
	}
	say("apply%s: %u volume%s ready, %u failed, %u skipped (nofail)",
	    dry_run ? " --dry-run" : "", ok, ok == 1 ? "" : "s", failed,
	    skipped);
	free(keys);
	fscrypttab_free(&tab);
	return code;
}
