/* SPDX-License-Identifier: MIT */
/*
 * The command line's options, declared once: a name, its argument, and
 * the line --help gives it. An option that several commands take means
 * the same in each, and is declared here; a command declares its own.
 */
#ifndef FSP_FSCRYPT_PROVISION_OPTIONS_H
#define FSP_FSCRYPT_PROVISION_OPTIONS_H

#include <stdio.h>

/* A number macro as a string, for help lines that give a default. */
#define FSP_STR_(x) #x
#define FSP_STR(x) FSP_STR_(x)

enum {
	/* Every command accepts these. */
	OPT_TAB = 1000,
	OPT_KEYRING,
	OPT_QUIET,
	OPT_HELP,
	/* Taken by several commands, with one meaning. */
	OPT_JSON,
	OPT_SLOTS,
	OPT_PASSPHRASE_FD,
	OPT_TPM2_PIN_FD,
	OPT_PKCS11_PIN_FD,
	OPT_TPM2_DEVICE,
	OPT_TPM2_SIGNATURE,
	OPT_PASSWORD_TIMEOUT,
	OPT_KEY_FILE,
	OPT_KEY_FD,
	OPT_KEY_FORMAT,
	OPT_KEY_SIZE,
	OPT_ALLOW_READABLE,
	OPT_VOLUME,
	OPT_ROOT,
	OPT_DRY_RUN,
	OPT_FIRST_PRIVATE = 1100, /* a command numbers its own from here */
};

struct cli_option {
	const char *name;
	const char *arg; /* the argument's name in --help; NULL: a flag */
	int id;
	const char *help; /* one line; NULL: a deprecated spelling, accepted
			   * but not listed by --help */
};

/* A shared option as a command takes it: help, when not NULL, says what
 * it does for this command (the meaning stays the same). */
struct cli_use {
	int id;
	const char *help;
};

/* Which of the options every command accepts a command uses: the others
 * are accepted and ignored, and --help does not list them. */
enum {
	CLI_TAB = 1 << 0,
	CLI_KEYRING = 1 << 1,
	CLI_QUIET = 1 << 2,
};

struct cli_options {
	unsigned common;	      /* CLI_* */
	const struct cli_use *shared; /* ends with {0} */
	const struct cli_option *own; /* ends with {0} */
};

/* The options that several commands share, and the ones every command
 * accepts; each array ends with {0}. */
extern const struct cli_option cli_shared_options[];
extern const struct cli_option cli_common_options[];

/*
 * getopt_long over o's options and the common ones: the next option's id,
 * -1 at the end, or '?' for an unknown option or a missing argument
 * (getopt has said which).
 */
int cli_getopt(int argc, char **argv, const struct cli_options *o);

/* o's options, one line each, as --help shows them. */
void cli_print_options(FILE *f, const struct cli_options *o);

/* "--name" of an option id among o's and the shared ones ("" if none). */
const char *cli_option_name(const struct cli_options *o, int id);

#endif
