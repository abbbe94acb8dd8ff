// SPDX-License-Identifier: MIT
/* apply: the whole fscrypttab, as the initramfs and the update hooks run it. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basic/hex.h"
#include "basic/json_write.h"
#include "fscrypt-provision/apply_dry_run.h"
#include "fscrypt-provision/cli.h"
#include "fscrypt-provision/apply.h"
#include "fscrypt-provision/report.h"
#include "fscrypt-provision/volume_keys.h"
#include "kernel/identifier.h"
#include "kernel/mountinfo.h"
#include "kernel/provision.h"
#include "keysource/unwrap.h"
#include "tab/entry_key.h"
#include "tab/overrides.h"

enum { OPT_KEY = OPT_FIRST_PRIVATE };

const struct cli_options cmd_apply_options = {
    .common = CLI_TAB | CLI_KEYRING | CLI_QUIET,
    .shared =
	(const struct cli_use[]){
	    {OPT_ROOT, "prefix every mountpoint with DIR (default /)"},
	    {OPT_DRY_RUN, NULL},
	    {OPT_JSON, "one object at the end: each volume's result, and "
		       "the totals"},
	    {OPT_PASSPHRASE_FD, "answer every slots file's prompt with a "
				"line of descriptor N"},
	    {OPT_PASSWORD_TIMEOUT, "every volume's password-timeout="},
	    {OPT_VOLUME, "only this volume of the table (repeatable)"},
	    {0}},
    .own =
	(const struct cli_option[]){
	    {"key", "VOLUME:SOURCE", OPT_KEY,
	     "use SOURCE for VOLUME, or add it (repeatable)"},
	    {0}},
};

/*
 * What apply keeps from one entry to the next. The entries of a table
 * mostly share a filesystem, so the last mountpoint's state and an open fd
 * on it are kept rather than looked up and opened for every key.
 */
struct apply_state {
	const char *root;
	bool dry_run;
	struct provkey *keys; /* the keyring, listed once when needed */
	size_t nkeys;
	bool have_keys;
	char mount[PATH_MAX]; /* "": none yet */
	bool mounted;
	int fd;		/* on mount, or -1 */
	int root_fd;	/* on --root, opened when first needed, or -1 */
	int pass_fd;	/* --passphrase-fd: a line per prompt, or -1 */
	bool skip_told; /* the entry's nofail skip has its line already */
	bool json;	/* --json: one object on stdout at the end */
	struct json j;
	long password_timeout; /* --password-timeout, or -1 */
	char **only;	       /* --volume NAME..., or none: every volume */
	size_t n_only;
};

/*
 * Points st at entry e's mountpoint, resolved inside --root as a chroot
 * there would see it and through no symbolic link: a link below /sysroot
 * must not lead apply to a filesystem outside it. An exit code.
 */
static int apply_mount(struct apply_state *st, const struct tab_entry *e)
{
	char mount[PATH_MAX];
	int fd;

	if (path_join_root(st->root, e->mountpoint, mount, sizeof(mount)) < 0)
		return cli_error_errno(OP_OPEN, -ENAMETOOLONG, "use %s",
				       e->mountpoint);
	if (strcmp(mount, st->mount) == 0)
		return FSP_EXIT_OK;
	if (st->fd >= 0)
		close(st->fd);
	st->fd = -1;
	st->mounted = false;
	strcpy(st->mount, mount);
	if (st->root_fd < 0) {
		st->root_fd =
		    open(st->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (st->root_fd < 0)
			return cli_error_errno(OP_OPEN, -errno, "open %s",
					       st->root);
	}
	fd = fs_open_in_root(st->root_fd, e->mountpoint);
	if (fd == -ENOSYS) /* before 5.6: by path, as then */
		fd = path_is_mountpoint(mount) == 1 ? fs_open(mount) : -ENOENT;
	if (fd == -ENOENT || fd == -ENOTDIR)
		return FSP_EXIT_OK; /* not there: not mounted */
	if (fd == -ELOOP)
		return cli_error(FSP_EXIT_CONFIG,
				 "volume %s: mountpoint %s is reached through "
				 "a symbolic link below %s; mountpoints are "
				 "resolved inside the root, through no link",
				 e->name, e->mountpoint, st->root);
	if (fd < 0)
		return cli_error_errno(OP_OPEN, fd, "open %s", mount);
	st->mounted = fs_is_mount_root(fd) == 1;
	if (st->mounted)
		st->fd = fd;
	else
		close(fd);
	return FSP_EXIT_OK;
}

/* An entry with a key source: read it, check it, provision it. */
static int apply_provision(const struct tab_entry *e, struct apply_state *st,
			   const char *mount, const struct volume_ids *nd)
{
	struct provision_req rq = {
	    .keyring = arg_keyring,
	    .volume = e->name,
	    .timeout = e->key_lifetime,
	    .mount = mount,
	    .mount_fd = st->fd,
	    .use_mount_fd = mount != NULL,
	    .raw_fallback = e->raw_fallback,
	};
	struct fsp_problem detail = {0};
	char src[PATH_MAX + 8];
	char hex[FSP_IDENTIFIER_HEX_LEN + 1], want[FSP_IDENTIFIER_HEX_LEN + 1];
	uint8_t id[FSP_KEY_IDENTIFIER_SIZE];
	struct provision_result res;
	struct fsp_problem problem;
	struct secbuf key;
	int code = FSP_EXIT_OK, r;

	key_source_format(&e->source, src, sizeof(src));
	struct unwrap_params up =
	    UNWRAP_PARAMS(.volume = e->name,
			  .password_timeout = e->password_timeout,
			  .log = unwrap_log);

	up.passphrase_fd = st->pass_fd;
	r = entry_key_read(e, arg_tab, NULL, &up, &key, id, &detail);
	/* Nobody answered in time: a nofail volume is let go in one line,
	 * and the boot goes on without it. */
	if (r == -ETIME && e->nofail) {
		cli_warning("volume %s: %s; skipped (nofail)", e->name,
			    detail.text);
		st->skip_told = true;
		return FSP_EXIT_KEY_SOURCE;
	}
	if (r < 0)
		return cli_error(exit_code_for(OP_UNWRAP, r), "volume %s: %s",
				 e->name, detail.text);
	hex_encode(id, sizeof(id), hex);
	for (size_t i = 0; !code && i < nd->n; i++)
		if (memcmp(nd->ids[i], id, sizeof(id)) != 0) {
			hex_encode(nd->ids[i], sizeof(id), want);
			code = cli_error(FSP_EXIT_KEY_REJECTED,
					 "volume %s: %s is encrypted with key "
					 "%s, but the key from %s has "
					 "identifier %s: wrong key; nothing "
					 "was provisioned",
					 e->name, nd->why[i], want, src, hex);
		}
	if (!code && st->dry_run)
		code = dry_run_provision(e, mount, st->fd, src, hex);
	else if (!code) {
		rq.key = &key;
		rq.id = id;
		code = provision_key(&rq, &res, &problem);
		if (code)
			code = report_problem(&problem);
		else
			report_provision(&rq, &res);
		if (!code && e->unlink_key)
			remove_key_file(e->name, &e->source);
	}
	secbuf_free(&key);
	if (code || st->dry_run || e->has_mountpoint)
		return code;
	if (e->line)
		cli_say(
		    "volume %s: provisioned only (mountpoint none in %s:%u), "
		    "added to no filesystem; unlock it with 'fscrypt-provision "
		    "unlock --volume %s DIR' once it is mounted",
		    e->name, arg_tab, e->line, e->name);
	else
		cli_say(
		    "volume %s: provisioned only (added by --key), added to no "
		    "filesystem; unlock it with 'fscrypt-provision unlock "
		    "--volume %s DIR' once it is mounted",
		    e->name, e->name);
	return code;
}

/* The durable keyring's keys, listed once a run. 0, or -errno. */
static int list_keys(struct apply_state *st)
{
	int r = 0;

	if (!st->have_keys)
		r = ring_keys(arg_keyring, false, &st->keys, &st->nkeys);
	st->have_keys = r == 0;
	return r;
}

/* apply, for one entry. Returns an exit code. */
static int apply_entry(const struct tab_entry *e, struct apply_state *st)
{
	struct volume_ids nd = {0};
	const char *mount = NULL; /* mounted, below --root */
	int code, r;

	/*
	 * Mountpoint none: the table does not say which filesystem the key
	 * is for, so it is only provisioned (identifier= still checked), and
	 * --root does not concern it.
	 */
	if (e->has_mountpoint) {
		code = apply_mount(st, e);
		if (code)
			return code;
		if (st->mounted)
			mount = st->mount;
	}
	if (mount) {
		/* Refuse a wrong key before anything is provisioned. */
		code = volume_ids_collect(e, mount, NULL, true, &nd);
		if (code)
			goto out;
	}
	r = list_keys(st);
	struct apply_ring a = {mount, st->mount, st->fd,   st->dry_run,
			       &nd,   st->keys,	 st->nkeys};
	if (r < 0 && !e->has_source)
		code = cli_error_errno(OP_KEYRING, r, "list keyring %s",
				       arg_keyring);
	else if (!e->has_source)
		code = apply_unlock(e, &a);
	/* A failed listing only means the source is read, as it would be. */
	else if (r < 0 || (code = apply_known(e, &a)) < 0)
		code = apply_provision(e, st, mount, &nd);
out:
	volume_ids_free(&nd);
	return code;
}

/* Every entry in order; a nofail entry's failure is only a warning. */
static int apply_table(const struct fscrypttab *tab, struct apply_state *st)
{
	unsigned ok = 0, failed = 0, skipped = 0;
	int code = FSP_EXIT_OK, r;

	if (st->json)
		apply_json_begin(&st->j);
	for (size_t i = 0; i < tab->n; i++) {
		const struct tab_entry *e = &tab->entries[i];

		if (!apply_selected(st->only, st->n_only, e->name))
			continue;
		st->skip_told = false;
		problems_reset();
		r = apply_entry(e, st);
		if (st->json)
			apply_json_volume(&st->j, e, r);
		if (r == FSP_EXIT_OK) {
			ok++;
		} else if (e->nofail) {
			skipped++;
			if (!st->skip_told)
				cli_warning(
				    "volume %s is nofail: continuing without "
				    "it",
				    e->name);
		} else {
			failed++;
			if (!code)
				code = r;
		}
	}
	cli_say("apply%s: %u volume%s ready, %u failed, %u skipped (nofail)",
		st->dry_run ? " --dry-run" : "", ok, ok == 1 ? "" : "s", failed,
		skipped);
	if (st->json)
		apply_json_end(&st->j, st->dry_run, ok, failed, skipped);
	return code;
}

/* One option of apply: -1 when taken, else the exit code to leave with. */
static int apply_option(int c, struct apply_state *st, struct key_override *ov,
			size_t *n_ov)
{
	struct fsp_problem err = {0};

	switch (c) {
	case OPT_JSON:
		/* stdout is the object's: progress lines would break it. */
		st->json = arg_quiet = true;
		return -1;
	case OPT_ROOT:
		st->root = optarg;
		return -1;
	case OPT_DRY_RUN:
		st->dry_run = true;
		return -1;
	case OPT_PASSPHRASE_FD:
		if (parse_fd_arg(optarg, &st->pass_fd) == 0)
			return -1;
		return cli_usage_error(
		    "apply", "--passphrase-fd needs a descriptor number");
	case OPT_PASSWORD_TIMEOUT:
		st->password_timeout = password_timeout_arg(optarg);
		if (st->password_timeout >= 0)
			return -1;
		return cli_usage_error("apply", "%s", PASSWORD_TIMEOUT_USAGE);
	case OPT_VOLUME:
		st->only[st->n_only++] = optarg;
		return -1;
	case OPT_KEY:
		if (key_override_parse(optarg, &ov[*n_ov], &err) < 0)
			return cli_usage_error("apply", "--key %s", err.text);
		(*n_ov)++;
		return -1;
	default:
		return handle_common_option(c, "apply");
	}
}

int cmd_apply(int argc, char **argv)
{
	struct apply_state st = {.root = "/",
				 .fd = -1,
				 .root_fd = -1,
				 .pass_fd = -1,
				 .password_timeout = -1};
	struct key_override *ov;
	size_t n_ov = 0;
	struct fscrypttab tab = {0};
	int c, code = -1;

	/* At most one --key, or --volume, per argument. */
	ov = calloc((size_t)argc, sizeof(*ov));
	st.only = calloc((size_t)argc, sizeof(*st.only));
	if (!ov || !st.only) {
		free(ov);
		free(st.only);
		return cli_error_errno(OP_OPEN, -ENOMEM, "apply");
	}
	while (code < 0 &&
	       (c = cli_getopt(argc, argv, &cmd_apply_options)) != -1)
		code = apply_option(c, &st, ov, &n_ov);
	/* code >= 0: a bad option, or --help */
	if (code < 0 && optind != argc)
		code = cli_usage_error("apply", "unexpected argument '%s'",
				       argv[optind]);
	else if (code < 0 && st.root[0] != '/')
		code =
		    cli_usage_error("apply", "--root needs an absolute path");
	else if (code < 0) {
		code = apply_load_table(&tab, ov, n_ov, st.password_timeout);
		if (!code)
			code = apply_check_selection(&tab, st.only, st.n_only);
		if (!code)
			code = apply_table(&tab, &st);
	}
	free(ov);
	if (st.fd >= 0)
		close(st.fd);
	if (st.root_fd >= 0)
		close(st.root_fd);
	free(st.keys);
	free(st.only);
	fscrypttab_free(&tab);
	return code;
}
