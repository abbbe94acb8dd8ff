/* SPDX-License-Identifier: MIT */
/* What every command shares: global options, messages, exit codes. */
#ifndef FSP_FSCRYPT_PROVISION_CLI_H
#define FSP_FSCRYPT_PROVISION_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "basic/number.h"
#include "fscrypt-provision/options.h"
#include "kernel/keyring.h"
#include "shared/errors.h"
#include "shared/exit_code.h"
#include "tab/fscrypttab.h"

#define PROG "fscrypt-provision"

extern const char *arg_tab;
extern const char *arg_keyring;
extern bool arg_quiet;

/*
 * Handles a common option or an unknown one. Returns -1 when the option was
 * consumed, or the exit code to leave with (0 after --help).
 */
int handle_common_option(int c, const char *cmd);

/* "fscrypt-provision: error: unable to <what>: <reason>", returns exit. */
int cli_error_errno(enum fsp_op op, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* "fscrypt-provision: error: <text>", returns code. */
int cli_error(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int cli_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void cli_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * The first error or warning printed since problems_reset() (NULL if
 * none), without the prefixes: update names it in its verdict.
 */
void problems_reset(void);
const char *problems_first(void);
/* What counts first: what a command itself names as the reason (a key
 * that check finds missing), else the first warning or error printed
 * (a warning often says why an error followed). */
enum { PROBLEM_PRINTED = 1, PROBLEM_REASON };
/* Records a reason without printing it. */
void problems_note(int rank, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Progress for people, on stdout; silenced by --quiet. */
void cli_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;
	const char *summary;
	const struct cli_options *options; /* what --help lists */
};
/* The table that usage texts come from (commands.h): main registers it,
 * so that this file does not call up into the commands. */
void cli_set_commands(const struct command *table, size_t n);
/* cmd's usage, from the registered table; with help, then its options
 * (--help), else where to find them (after a usage error). */
void print_command_usage(FILE *f, const char *cmd, bool help);

/* A descriptor number option: 0, or -EINVAL. */
int parse_fd_arg(const char *s, int *ret);
/* --password-timeout SECONDS (0: no limit): the seconds, or -1. */
long password_timeout_arg(const char *s);
#define PASSWORD_TIMEOUT_USAGE                                                 \
	"--password-timeout needs a number of seconds (0 for no limit)"
/* Progress of a slots unlock (costs, a protector that failed): stderr. */
void unwrap_log(const char *line);

/* Loads arg_tab; a missing default table is empty, not an error. */
int load_tab(struct fscrypttab *tab, bool required);

int cmd_add(int argc, char **argv);
extern const struct cli_options cmd_add_options;
int cmd_unlock(int argc, char **argv);
extern const struct cli_options cmd_unlock_options;
int cmd_check(int argc, char **argv);
extern const struct cli_options cmd_check_options;
int cmd_status(int argc, char **argv);
extern const struct cli_options cmd_status_options;
int cmd_list(int argc, char **argv);
extern const struct cli_options cmd_list_options;
int cmd_remove(int argc, char **argv);
extern const struct cli_options cmd_remove_options;
int cmd_set_policy(int argc, char **argv);
extern const struct cli_options cmd_set_policy_options;
int cmd_get_policy(int argc, char **argv);
extern const struct cli_options cmd_get_policy_options;
int cmd_identifier(int argc, char **argv);
extern const struct cli_options cmd_identifier_options;
int cmd_apply(int argc, char **argv);
extern const struct cli_options cmd_apply_options;
int cmd_volumes(int argc, char **argv);
extern const struct cli_options cmd_volumes_options;
int cmd_embed(int argc, char **argv);
extern const struct cli_options cmd_embed_options;
int cmd_exit_codes(int argc, char **argv);
extern const struct cli_options cmd_exit_codes_options;
int cmd_update(int argc, char **argv);
extern const struct cli_options cmd_update_options;
int cmd_enroll(int argc, char **argv);
extern const struct cli_options cmd_enroll_options;
int cmd_slots(int argc, char **argv);
extern const struct cli_options cmd_slots_options;
int cmd_wipe_slot(int argc, char **argv);
extern const struct cli_options cmd_wipe_slot_options;
int cmd_tpm2_extend(int argc, char **argv);
extern const struct cli_options cmd_tpm2_extend_options;

#endif
