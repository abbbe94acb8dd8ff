/* SPDX-License-Identifier: MIT */
/* The command table: names, entry points and usage texts. */
#ifndef FSP_COMMANDS_H
#define FSP_COMMANDS_H

#include <stddef.h>
#include <stdio.h>

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;
	const char *summary;
};

extern const struct command commands[];
extern const size_t n_commands;

/* The overview printed by --help and after an unknown command. */
void print_usage(FILE *f);

#endif
