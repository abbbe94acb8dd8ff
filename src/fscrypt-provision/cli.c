// SPDX-License-Identifier: MIT
/* What every command shares: global options, messages, exit codes. */
#define _GNU_SOURCE
#include "fscrypt-provision/cli.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

const char *arg_tab = FSCRYPTTAB_DEFAULT;
const char *arg_keyring = FSP_DEFAULT_KEYRING;
bool arg_quiet;

/* The first problem printed since problems_reset(), for update's verdict:
 * the first of the weightiest kind (PROBLEM_*). */
static char first_problem[1024];
static int first_rank;

void problems_reset(void)
{
	first_problem[0] = '\0';
	first_rank = 0;
}

const char *problems_first(void)
{
	return first_problem[0] ? first_problem : NULL;
}

static bool record(int rank, const char *prefix, const char *fmt, va_list ap)
{
	size_t n;

	if (first_rank >= rank)
		return false;
	first_rank = rank;
	n = (size_t)snprintf(first_problem, sizeof(first_problem), "%s",
			     prefix);
	if (n < sizeof(first_problem))
		vsnprintf(first_problem + n, sizeof(first_problem) - n, fmt,
			  ap);
	return true;
}

void problems_note(int rank, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	record(rank, "", fmt, ap);
	va_end(ap);
}

static void vmsg(const char *kind, int rank, const char *fmt, va_list ap)
{
	va_list copy;

	va_copy(copy, ap);
	record(rank, "", fmt, copy);
	va_end(copy);
	fprintf(stderr, "%s: %s: ", PROG, kind);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int cli_error_errno(enum fsp_op op, int err, const char *fmt, ...)
{
	struct fsp_error e = describe_error(op, err);
	bool first;
	va_list ap;

	fprintf(stderr, "%s: error: unable to ", PROG);
	va_start(ap, fmt);
	first = record(PROBLEM_PRINTED, "unable to ", fmt, ap);
	va_end(ap);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", e.reason);
	if (first) {
		size_t n = strlen(first_problem);

		snprintf(first_problem + n, sizeof(first_problem) - n, ": %s",
			 e.reason);
	}
	return e.exit;
}

int cli_error(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("error", PROBLEM_PRINTED, fmt, ap);
	va_end(ap);
	return code;
}

static const struct command *table;
static size_t table_n;

void cli_set_commands(const struct command *t, size_t n)
{
	table = t;
	table_n = n;
}

void print_command_usage(FILE *f, const char *cmd, bool help)
{
	for (size_t i = 0; i < table_n; i++) {
		const struct command *c = &table[i];

		if (!cmd || strcmp(c->name, cmd) != 0)
			continue;
		fprintf(f, "Usage: %s %s\n%c%s.\n", PROG, c->usage,
			toupper((unsigned char)c->summary[0]), c->summary + 1);
		if (help && c->options) {
			fputc('\n', f);
			cli_print_options(f, c->options);
			fprintf(f, "\nSee fscrypt-provision(8).\n");
		} else {
			fprintf(f, "Run '%s %s --help' for its options.\n",
				PROG, c->name);
		}
		return;
	}
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("usage error", PROBLEM_PRINTED, fmt, ap);
	va_end(ap);
	print_command_usage(stderr, cmd, false);
	return FSP_EXIT_USAGE;
}

void cli_warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("warning", PROBLEM_PRINTED, fmt, ap);
	va_end(ap);
}

void cli_say(const char *fmt, ...)
{
	va_list ap;

	if (arg_quiet)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

int handle_common_option(int c, const char *cmd)
{
	switch (c) {
	case OPT_TAB:
		arg_tab = optarg;
		return -1;
	case OPT_KEYRING:
		/* Same rules as volume names: it also names a lock. */
		if (!volume_name_valid(optarg))
			return cli_usage_error(cmd,
					       "--keyring needs a name of 1-64 "
					       "of A-Z a-z 0-9 _ . + @ -");
		arg_keyring = optarg;
		return -1;
	case OPT_QUIET:
		arg_quiet = true;
		return -1;
	case OPT_HELP:
		print_command_usage(stdout, cmd, true);
		return FSP_EXIT_OK;
	default:
		/* getopt_long already said what was wrong. */
		print_command_usage(stderr, cmd, false);
		return FSP_EXIT_USAGE;
	}
}

int load_tab(struct fscrypttab *tab, bool required)
{
	struct fsp_problem err = {0};
	int r;

	memset(tab, 0, sizeof(*tab));
	r = fscrypttab_load(arg_tab, tab, &err);
	if (r == -ENOENT && !required &&
	    strcmp(arg_tab, FSCRYPTTAB_DEFAULT) == 0)
		return 0;
	if (r < 0)
		return cli_error(problem_exit(&err, OP_TAB, r), "%s", err.text);
	return 0;
}

int parse_fd_arg(const char *s, int *ret)
{
	unsigned long v;

	if (!parse_unsigned(s, 0x7fffffff, &v))
		return -EINVAL;
	*ret = (int)v;
	return 0;
}

long password_timeout_arg(const char *s)
{
	unsigned long v;

	return parse_unsigned(s, 0x7fffffff, &v) ? (long)v : -1;
}

void unwrap_log(const char *line)
{
	fprintf(stderr, "%s: %s\n", PROG, line);
}
