// SPDX-License-Identifier: MIT
/*
 * update pre|post: the two calls an updater makes around an update that
 * unmounts and remounts volumes. pre refuses the update, before anything is
 * unmounted, unless every key can come back by key_id; post unlocks again
 * and verifies every listed directory. nofail volumes only warn.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fscrypt-provision/cli.h"
#include "fscrypt-provision/update.h"
#include "fscrypt-provision/volume_check.h"
#include "fscrypt-provision/volume_keys.h"
#include "kernel/fscrypt_ioctl.h"
#include "kernel/provision.h"
#include "slots/next_boot.h"
#include "slots/tpm2_data.h"

enum { PROBLEM_MAX = 128 }; /* one volume's problem in post */
enum { OPT_UPDATE_PCRS = OPT_FIRST_PRIVATE, OPT_HEADLESS };

const struct cli_options cmd_update_options = {
    .common = CLI_TAB | CLI_KEYRING | CLI_QUIET,
    .shared =
	(const struct cli_use[]){
	    {OPT_TPM2_SIGNATURE, "the next boot's PCR signatures (pre)"},
	    {OPT_JSON, "one object when done: each volume's result, and the "
		       "verdict"},
	    {0}},
    .own =
	(const struct cli_option[]){
	    {"update-pcrs", "PCRS", OPT_UPDATE_PCRS,
	     "PCRs the update changes (default 4+8+9+11+12)"},
	    {"headless", NULL, OPT_HEADLESS,
	     "nobody types at the next boot: count no passphrase or PIN (pre)"},
	    {0}},
};

static const char *tell_what;

static void tell(const char *line)
{
	cli_say("pre: %s: %s", tell_what, line);
}

/* A slots source must open on the next boot too: 0, or an exit code. */
static int pre_next_boot(struct tally *t, const struct tab_entry *e,
			 const char *what, struct fsp_problem *why)
{
	struct nextboot_opts o = t->next;
	int r;

	if (!e || !e->has_source || e->source.kind != KEY_SOURCE_SLOTS)
		return FSP_EXIT_OK;
	o.allow_readable = e->key_opts.allow_readable;
	tell_what = what;
	r = nextboot_check(e->source.path, &o, tell, why);
	return r < 0 ? problem_exit(why, OP_UNWRAP, r) : FSP_EXIT_OK;
}

static void pre_one(struct tally *t, const struct dir_volumes *dv,
		    const char *what, const struct tab_entry *e)
{
	struct check_report rep = {.out = stderr};
	bool nofail = e && e->nofail;
	struct fsp_problem why = {0};
	int code = check_volumes(dv, &rep);

	if (code == FSP_EXIT_OK && (code = pre_next_boot(t, e, what, &why))) {
		if (nofail) {
			note(t,
			     "warning: %s: %s; it is nofail, so the update "
			     "goes on",
			     what, why.text);
			t->warned++;
		} else {
			note(t, "refusing the update: %s: %s", what, why.text);
			refuse(t, what, why.text);
		}
		return;
	}
	if (code == FSP_EXIT_OK) {
		t->ok++;
	} else if (nofail) {
		note(t,
		     "warning: %s fails the pre-flight check (%s); it is "
		     "nofail, so the update goes on and leaves it locked",
		     what, exit_code_name(code));
		t->warned++;
	} else {
		note(t,
		     "refusing the update: %s fails the pre-flight check (%s)",
		     what, exit_code_name(code));
		refuse(t, what, first_reason("check failed"));
	}
}

/* post for one volume of dv; returns the problem (written to problem), or
 * NULL. */
static const char *post_volume(struct tally *t, const struct dir_volumes *dv,
			       size_t v, const char *what,
			       const struct provkey *keys, size_t nkeys,
			       char problem[static PROBLEM_MAX])
{
	const char *name = dv->vs.names[v];
	struct volume_ids nd = {0};
	int listed, code;

	/*
	 * Strict: after an update, a listed directory that is missing or not
	 * encrypted means another filesystem, or a broken one. The keys are
	 * unlocked all the same, so that what can be read is.
	 */
	listed = volume_ids_collect(dv->vs.entries[v], dv->mi.mountpoint, dv,
				    true, &nd);
	code = unlock_volume(dv->fd, dv->mi.mountpoint, name, keys, nkeys);
	if (code && !listed && nd.n > 0 &&
	    !volume_ids_verify(dv->fd, name, &nd, NULL, 0, true)) {
		/* Not remounted after all (a refused or rolled-back update):
		 * unlocked now, but the next remount would lock it. */
		note(t,
		     "warning: %s is unlocked, but unlock failed (%s): it was "
		     "not remounted, and its keys would not survive a remount",
		     what, exit_code_name(code));
		t->warned++;
		code = FSP_EXIT_OK;
	} else if (code) {
		snprintf(problem, PROBLEM_MAX, "unlock failed (%s)",
			 exit_code_name(code));
	} else if (listed) {
		snprintf(problem, PROBLEM_MAX,
			 "a directory the fscrypttab lists is not usable (%s)",
			 exit_code_name(listed));
		code = listed;
	} else if (volume_ids_verify(dv->fd, name, &nd, keys, nkeys, false)) {
		snprintf(problem, PROBLEM_MAX,
			 "not every directory the fscrypttab lists is "
			 "unlocked");
		code = FSP_EXIT_NOT_READY;
	}
	volume_ids_free(&nd);
	return code ? problem : NULL;
}

static void post_one(struct tally *t, const struct dir_volumes *dv,
		     const char *what, bool nofail)
{
	struct provkey *keys = NULL;
	const char *problem = NULL;
	char buf[PROBLEM_MAX];
	size_t nkeys = 0;
	int r;

	r = ring_keys(arg_keyring, false, &keys, &nkeys);
	if (r < 0)
		problem = "cannot list the keyring";
	for (size_t v = 0; !problem && v < dv->vs.n; v++)
		problem = post_volume(t, dv, v, what, keys, nkeys, buf);
	free(keys);
	if (!problem) {
		t->ok++;
	} else if (nofail) {
		note(t, "warning: %s: %s; it is nofail, so the update goes on",
		     what, problem);
		t->warned++;
	} else {
		note(t, "%s: %s", what, problem);
		refuse(t, what, first_reason(problem));
	}
}

/* One volume (e), or a mountpoint no entry names (e NULL). */
static void update_one_(struct tally *t, const struct fscrypttab *tab,
			const struct tab_entry *e, const char *mp)
{
	char what[PATH_MAX + FSP_VOLUME_MAX + 16];
	struct dir_volumes dv;
	bool nofail = e && e->nofail;
	int code;

	if (e)
		snprintf(what, sizeof(what), "volume %s (%s)", e->name, mp);
	else
		snprintf(what, sizeof(what), "%s", mp);
	/* The helper itself finds the volume of an unnamed mountpoint. */
	if (e && path_is_mountpoint(mp) != 1) {
		if (t->mode == MODE_PRE) {
			if (!nofail)
				cli_say(
				    "pre: %s is not mounted now, so the update "
				    "does not unmount it; post will need it "
				    "mounted",
				    what);
		} else if (nofail) {
			note(t,
			     "warning: %s is not mounted after the update; it "
			     "is nofail, so the update goes on",
			     what);
			t->warned++;
		} else {
			note(t,
			     "%s is not mounted after the update: its "
			     "encrypted directories cannot be unlocked",
			     what);
			refuse(t, what, "not mounted");
		}
		return;
	}
	problems_reset();
	code = dir_volumes_open("update", mp, e ? e->name : NULL, tab, &dv);
	if (code) {
		if (nofail) {
			note(t,
			     "warning: %s: %s; it is nofail, so the update "
			     "goes on",
			     what, first_reason(exit_code_name(code)));
			t->warned++;
		} else {
			refuse(t, what, first_reason(exit_code_name(code)));
		}
		return;
	}
	if (t->mode == MODE_PRE)
		pre_one(t, &dv, what, e);
	else
		post_one(t, &dv, what, nofail);
	dir_volumes_close(&dv);
}

/* update_one_(), and with --json its outcome as one object. */
static void update_one(struct tally *t, const struct fscrypttab *tab,
		       const struct tab_entry *e, const char *mp)
{
	unsigned warned = t->warned, failed = t->failed;

	t->last[0] = '\0';
	update_one_(t, tab, e, mp);
	if (t->json)
		update_json_volume(&t->j, e ? e->name : NULL, mp,
				   t->failed != failed	 ? "failed"
				   : t->warned != warned ? "warning"
							 : "ok",
				   t->last[0] ? t->last : NULL);
}

/* MOUNTPOINT as given, without trailing slashes ("/" stays). */
static void trim_slashes(char *s)
{
	size_t n = strlen(s);

	while (n > 1 && s[n - 1] == '/')
		s[--n] = '\0';
}

static void update_mountpoint(struct tally *t, const struct fscrypttab *tab,
			      char *mp)
{
	bool found = false;

	trim_slashes(mp);
	for (size_t i = 0; i < tab->n; i++)
		if (tab->entries[i].has_mountpoint &&
		    strcmp(tab->entries[i].mountpoint, mp) == 0) {
			update_one(t, tab, &tab->entries[i], mp);
			found = true;
		}
	if (!found)
		update_one(t, tab, NULL, mp);
}

static int verdict(struct tally *t)
{
	char note_warn[64] = "";

	if (t->json)
		update_json_end(&t->j, t->ok, t->warned, t->failed);
	if (t->failed) {
		note(t, "%s: %s",
		     t->mode == MODE_PRE
			 ? "update refused before anything was unmounted"
			 : "FAILED, still locked after the update",
		     t->refused);
		return FSP_EXIT_NOT_READY;
	}
	if (t->warned)
		snprintf(note_warn, sizeof(note_warn), ", %u warning(s) above",
			 t->warned);
	if (t->mode == MODE_PRE)
		cli_say(
		    "pre: ok: %u volume(s) can be unlocked after the remount%s",
		    t->ok, note_warn);
	else
		cli_say("post: ok: %u volume(s) unlocked and verified%s", t->ok,
			note_warn);
	return FSP_EXIT_OK;
}

int cmd_update(int argc, char **argv)
{
	struct tally t = {.next = {.update_pcrs = NEXTBOOT_UPDATE_PCRS}};
	struct fscrypttab tab = {0};
	int c, r;

	while ((c = cli_getopt(argc, argv, &cmd_update_options)) != -1) {
		if (c == OPT_TPM2_SIGNATURE) {
			t.next.signature = optarg;
			continue;
		}
		if (c == OPT_UPDATE_PCRS) {
			if (tpm2_pcrs_parse(optarg, &t.next.update_pcrs) < 0)
				return cli_usage_error(
				    "update", "--update-pcrs needs PCR "
					      "numbers joined by '+'");
			continue;
		}
		if (c == OPT_HEADLESS) {
			t.next.headless = true;
			continue;
		}
		if (c == OPT_JSON) {
			/* stdout is the object's; the notes stay on stderr. */
			t.json = arg_quiet = true;
			continue;
		}
		r = handle_common_option(c, "update");
		if (r >= 0)
			return r;
	}
	if (optind >= argc)
		return cli_usage_error("update", "expected pre or post");
	if (strcmp(argv[optind], "pre") == 0)
		t.mode = MODE_PRE;
	else if (strcmp(argv[optind], "post") == 0)
		t.mode = MODE_POST;
	else
		return cli_usage_error(
		    "update", "unknown mode '%s': expected pre or post",
		    argv[optind]);
	optind++;
	r = load_tab(&tab, optind < argc);
	if (r) {
		note(&t, "cannot read the fscrypttab (%s)", exit_code_name(r));
		return r;
	}
	if (t.json)
		update_json_begin(&t.j, mode_name(t.mode));
	if (optind == argc && tab.n == 0)
		cli_say(access(arg_tab, F_OK) == 0
			    ? "%s: no volume in %s to take care of"
			    : "%s: no %s: no volume to take care of",
			mode_name(t.mode), arg_tab);
	if (optind < argc) {
		for (int i = optind; i < argc; i++)
			update_mountpoint(&t, &tab, argv[i]);
	} else {
		for (size_t i = 0; i < tab.n; i++)
			/* Provision only: no filesystem to check or unlock,
			 * and its keys stay whatever the update remounts. */
			if (tab.entries[i].has_mountpoint)
				update_one(&t, &tab, &tab.entries[i],
					   tab.entries[i].mountpoint);
	}
	fscrypttab_free(&tab);
	return verdict(&t);
}
