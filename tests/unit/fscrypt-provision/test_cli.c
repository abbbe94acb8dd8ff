// SPDX-License-Identifier: MIT
/*
 * The CLI helpers every command shares: message formats, the first-problem
 * record that update's verdict names, the common options, load_tab's
 * missing-table rule, and the problem/report pair of the silent layers.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fscrypt-provision/cli.h"
#include "fscrypt-provision/commands.h"
#include "fscrypt-provision/report.h"
#include "unit.h"

/* Captures what fn writes to fd (1 or 2) while it runs. */
static char captured[4096];

#define CAPTURE(fd, stmt)                                                      \
	do {                                                                   \
		FILE *tmp_ = tmpfile();                                        \
		int saved_ = dup(fd);                                          \
		size_t n_;                                                     \
		fflush(fd == 1 ? stdout : stderr);                             \
		dup2(fileno(tmp_), fd);                                        \
		stmt;                                                          \
		fflush(fd == 1 ? stdout : stderr);                             \
		dup2(saved_, fd);                                              \
		close(saved_);                                                 \
		rewind(tmp_);                                                  \
		n_ = fread(captured, 1, sizeof(captured) - 1, tmp_);           \
		captured[n_] = '\0';                                           \
		fclose(tmp_);                                                  \
	} while (0)

static void test_messages(void)
{
	struct fsp_error enoent = describe_error(OP_OPEN, -ENOENT);
	char want[1024];
	int r = 0;

	problems_reset();
	CHECK(problems_first() == NULL, "no problem recorded after reset");
	CAPTURE(2, r = cli_error_errno(OP_OPEN, -ENOENT, "open %s", "/x"));
	snprintf(want, sizeof(want),
		 "fscrypt-provision: error: unable to open /x: %s\n",
		 enoent.reason);
	CHECK_STR(captured, want, "fail: prefix, 'unable to', what, reason");
	CHECK(r == enoent.exit, "fail returns the exit code of op and errno");
	snprintf(want, sizeof(want), "unable to open /x: %s", enoent.reason);
	CHECK_STR(problems_first(), want, "fail is recorded, without prefix");
	CAPTURE(2, r = cli_error(FSP_EXIT_CONFIG, "second %d", 2));
	CHECK_STR(captured, "fscrypt-provision: error: second 2\n",
		  "fail_msg's format");
	CHECK(r == FSP_EXIT_CONFIG, "fail_msg returns its code");
	CHECK_STR(problems_first(), want, "only the first problem is kept");
	problems_reset();
	CAPTURE(2, cli_warning("volume %s: careful", "v"));
	CHECK_STR(captured, "fscrypt-provision: warning: volume v: careful\n",
		  "warn's format");
	CHECK_STR(problems_first(), "volume v: careful",
		  "a warning counts as a problem too");
	CAPTURE(2, cli_error(FSP_EXIT_CONFIG, "volume v: broken"));
	CHECK_STR(problems_first(), "volume v: careful",
		  "an error after a warning: the warning is still the first");
	CAPTURE(2, cli_warning("volume v: careful again"));
	problems_note(PROBLEM_REASON, "key 00: %s", "missing");
	CHECK_STR(problems_first(), "key 00: missing",
		  "a reason a command names outranks what was printed");
	problems_note(PROBLEM_REASON, "key 11: later");
	CHECK_STR(problems_first(), "key 00: missing",
		  "and the first reason stays");
	problems_reset();
	CAPTURE(2, r = cli_usage_error("list", "bad %s", "thing"));
	CHECK(strncmp(captured, "fscrypt-provision: usage error: bad thing\n",
		      42) == 0 &&
		  strstr(captured, "list [--json]"),
	      "usage_error: the message, then the command's usage");
	CHECK(r == FSP_EXIT_USAGE, "usage_error returns 2");
}

static void test_say(void)
{
	arg_quiet = false;
	CAPTURE(1, cli_say("volume %s: ok", "v"));
	CHECK_STR(captured, "volume v: ok\n", "say prints on stdout");
	arg_quiet = true;
	CAPTURE(1, cli_say("volume %s: ok", "v"));
	CHECK_STR(captured, "", "--quiet silences say");
	arg_quiet = false;
}

static const struct {
	const char *keyring;
	int ret;
} keyrings[] = {
    {"fscrypt-provision", -1},
    {"a.b+c@d_e-f", -1},
    {"x", -1},
    {"", FSP_EXIT_USAGE},
    {"a/b", FSP_EXIT_USAGE},
    {"a b", FSP_EXIT_USAGE},
    {".hidden", FSP_EXIT_USAGE},
    {"-dash", FSP_EXIT_USAGE},
    {"0123456789012345678901234567890123456789012345678901234567890123", -1},
    {"01234567890123456789012345678901234567890123456789012345678901234",
     FSP_EXIT_USAGE},
};

static void test_common_options(void)
{
	int r = 0;

	for (size_t i = 0; i < sizeof(keyrings) / sizeof(keyrings[0]); i++) {
		arg_keyring = FSP_DEFAULT_KEYRING;
		optarg = (char *)keyrings[i].keyring;
		CAPTURE(2, r = handle_common_option(OPT_KEYRING, "list"));
		CHECK(r == keyrings[i].ret &&
			  strcmp(arg_keyring, r == -1
						  ? keyrings[i].keyring
						  : FSP_DEFAULT_KEYRING) == 0,
		      "--keyring '%s' gives %d", keyrings[i].keyring,
		      keyrings[i].ret);
	}
	arg_keyring = FSP_DEFAULT_KEYRING;
	optarg = (char *)"/tmp/t";
	CHECK(handle_common_option(OPT_TAB, "list") == -1 &&
		  strcmp(arg_tab, "/tmp/t") == 0,
	      "--tab sets the table");
	arg_tab = FSCRYPTTAB_DEFAULT;
	CHECK(handle_common_option(OPT_QUIET, "list") == -1 && arg_quiet,
	      "--quiet sets quiet");
	arg_quiet = false;
	CAPTURE(1, r = handle_common_option(OPT_HELP, "list"));
	CHECK(r == 0 && strstr(captured, "list [--json]"),
	      "--help prints the usage on stdout and exits 0");
	CAPTURE(2, r = handle_common_option('?', "list"));
	CHECK(r == FSP_EXIT_USAGE && strstr(captured, "list [--json]"),
	      "an unknown option: usage on stderr, exit 2");
}

static void test_load_tab(void)
{
	char dir[] = "/tmp/fsp-unit-cli.XXXXXX", path[64];
	struct fscrypttab tab;
	FILE *f;
	int r = 0;

	if (!mkdtemp(dir)) {
		CHECK(0, "mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/missing", dir);
	arg_tab = path;
	CAPTURE(2, r = load_tab(&tab, false));
	CHECK(r == FSP_EXIT_CONFIG && strstr(captured, "missing"),
	      "a missing --tab is an error (exit 3), naming it");
	snprintf(path, sizeof(path), "%s/tab", dir);
	f = fopen(path, "w");
	fputs("v /mnt none\nw none /k\n", f);
	fclose(f);
	r = load_tab(&tab, true);
	CHECK(r == 0 && tab.n == 2 && strcmp(tab.entries[1].name, "w") == 0,
	      "a table loads");
	fscrypttab_free(&tab);
	f = fopen(path, "w");
	fputs("v relative none\n", f);
	fclose(f);
	CAPTURE(2, r = load_tab(&tab, true));
	CHECK(r == FSP_EXIT_CONFIG && strstr(captured, "tab:1: mountpoint"),
	      "a bad line: exit 3, with file:line");
	unlink(path);
	rmdir(dir);
	arg_tab = FSCRYPTTAB_DEFAULT;
	if (access(FSCRYPTTAB_DEFAULT, F_OK) != 0) {
		r = load_tab(&tab, false);
		CHECK(r == 0 && tab.n == 0,
		      "a missing default table is an empty one");
		CAPTURE(2, r = load_tab(&tab, true));
		CHECK(r == FSP_EXIT_CONFIG,
		      "... unless the command needs a table");
	}
}

static void test_problems(void)
{
	struct fsp_problem p;
	char want[1024];
	int r = 0;

	r = problem_errno(&p, OP_PROVKEY_ADD, -EDQUOT, "store key %d", 7);
	CHECK(r == FSP_EXIT_QUOTA && p.exit == r && p.err == -EDQUOT &&
		  strcmp(p.text, "store key 7") == 0,
	      "problem_errno: exit from op and errno, text without reason");
	problems_reset();
	CAPTURE(2, r = report_problem(&p));
	snprintf(want, sizeof(want),
		 "fscrypt-provision: error: unable to store key 7: %s\n",
		 describe_error(OP_PROVKEY_ADD, -EDQUOT).reason);
	CHECK_STR(captured, want, "report_problem prints it as fail would");
	CHECK(r == FSP_EXIT_QUOTA, "and returns its exit code");
	r = problem_msg(&p, FSP_EXIT_KEY_REJECTED, "wrong %s", "key");
	CHECK(r == FSP_EXIT_KEY_REJECTED && p.err == 0,
	      "problem_msg: a whole message");
	CAPTURE(2, r = report_problem(&p));
	CHECK_STR(captured, "fscrypt-provision: error: wrong key\n",
		  "report_problem prints a message as fail_msg would");
}

int main(void)
{
	cli_set_commands(commands, n_commands);
	test_messages();
	test_say();
	test_common_options();
	test_load_tab();
	test_problems();
	return UNIT_DONE();
}
