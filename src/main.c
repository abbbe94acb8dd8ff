// SPDX-License-Identifier: MIT
/* fscrypt-provision: command dispatch, usage and process hardening. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include "cli.h"

#ifndef FSP_VERSION
#define FSP_VERSION "unknown"
#endif

static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;
	const char *summary;
} commands[] = {
    {"add", cmd_add,
     "add --volume NAME (--key-file PATH | --key-fd N) [--mount DIR]\n"
     "    [--timeout SECONDS] [--key-format raw|hex|auto] [--key-size N]\n"
     "    [--allow-readable] [--allow-raw-fallback]",
     "store a key as a provisioning key (and add it to DIR's filesystem)"},
    {"unlock", cmd_unlock, "unlock [--volume NAME] DIR",
     "add a volume's provisioning keys to DIR's filesystem by key id"},
    {"check", cmd_check, "check [--volume NAME] [--json] DIR",
     "pre-flight: can every key DIR's volume needs be re-provisioned?"},
    {"status", cmd_status, "status [--json] PATH",
     "kernel support, policy, key status and provisioning of PATH"},
    {"list", cmd_list, "list [--json]", "list the provisioning keys held"},
    {"remove", cmd_remove,
     "remove [--volume NAME] [--keep-provisioned] [--all-users]\n"
     "    [--retry N] DIR",
     "lock DIR's volume and retire its provisioning keys"},
    {"set-policy", cmd_set_policy,
     "set-policy [--contents MODE] [--filenames MODE] [--padding 4|8|16|32]\n"
     "    [--iv-ino-lblk-64 | --iv-ino-lblk-32 | --direct-key] [--force]\n"
     "    DIR IDENTIFIER",
     "put a v2 encryption policy on an empty directory"},
    {"get-policy", cmd_get_policy, "get-policy [--json] DIR",
     "print DIR's key identifier, then its policy"},
    {"identifier", cmd_identifier,
     "identifier (--key-file PATH | --key-fd N) [--key-format F] "
     "[--key-size N]",
     "print the v2 identifier of a key, offline"},
    {"apply", cmd_apply, "apply [--tab FILE] [--root DIR]",
     "provision every fscrypttab key and unlock what is mounted"},
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

void print_command_usage(FILE *f, const char *cmd)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (cmd && strcmp(commands[i].name, cmd) == 0) {
			fprintf(f, "Usage: %s %s\n%s.\n", PROG,
				commands[i].usage, commands[i].summary);
			fprintf(f,
				"Common options: --tab FILE (default %s), "
				"--keyring NAME (default %s), --quiet.\n"
				"See fscrypt-provision(8).\n",
				FSCRYPTTAB_DEFAULT, FSP_DEFAULT_KEYRING);
			return;
		}
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s COMMAND [OPTIONS]\n"
		"Keep fscrypt master keys in kernel memory across unmount and\n"
		"remount, as fscrypt-provisioning keys that userspace can use\n"
		"but never read.\n\nCommands:\n",
		PROG);
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %-11s %s\n", commands[i].name,
			commands[i].summary);
	fprintf(f,
		"\nEvery command takes --help, --tab FILE, --keyring NAME and "
		"--quiet.\n"
		"Exit codes: 0 ok, 1 not ready (check), 2 usage, 3 fscrypttab, "
		"4 key source,\n"
		"5 unsupported, 6 key rejected, 7 key unavailable, 8 "
		"permission,\n9 quota, 10 busy, 11 system error. "
		"See fscrypt-provision(8).\n");
}

int main(int argc, char **argv)
{
	/*
	 * Nothing we create needs to be readable by others, and no core
	 * dump or ptrace by a less privileged process may see key memory.
	 */
	umask(077);
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);

	if (argc < 2) {
		usage(stderr);
		return FSP_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return FSP_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("%s %s\n", PROG, FSP_VERSION);
		return FSP_EXIT_OK;
	}
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (strcmp(argv[1], commands[i].name) == 0) {
			char name[64];
			int r;

			/* getopt sees "COMMAND args..." and names the program
			 * by argv[0] in its messages. */
			snprintf(name, sizeof(name), "%s %s", PROG,
				 commands[i].name);
			argv[1] = name;
			r = commands[i].run(argc - 1, argv + 1);
			if (fflush(stdout) != 0 && r == FSP_EXIT_OK)
				r = FSP_EXIT_SYSTEM;
			return r;
		}
	fprintf(stderr, "%s: usage error: unknown command '%s'\n", PROG,
		argv[1]);
	usage(stderr);
	return FSP_EXIT_USAGE;
}
