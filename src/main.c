// SPDX-License-Identifier: MIT
/* fscrypt-provision: command dispatch and process hardening. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include "cli.h"
#include "commands.h"
#include "secmem.h"

#ifndef FSP_VERSION
#define FSP_VERSION "unknown"
#endif

int main(int argc, char **argv)
{
	/*
	 * Nothing we create needs to be readable by others, and no core
	 * dump or ptrace by a less privileged process may see key memory.
	 */
	umask(077);
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	/*
	 * A closed stdin, stdout or stderr would be taken by the next open(),
	 * and a key file or a pipe to an unsealer could end up as "stdout".
	 */
	for (int fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) < 0 &&
		    open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) < 0)
			return FSP_EXIT_SYSTEM;

	if (argc < 2) {
		print_usage(stderr);
		return FSP_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		print_usage(stdout);
		return FSP_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("%s %s\n", PROG, FSP_VERSION);
		return FSP_EXIT_OK;
	}
	for (size_t i = 0; i < n_commands; i++)
		if (strcmp(argv[1], commands[i].name) == 0) {
			char name[64];
			int r;

			/* getopt sees "COMMAND args..." and names the program
			 * by argv[0] in its messages. */
			snprintf(name, sizeof(name), "%s %s", PROG,
				 commands[i].name);
			argv[1] = name;
			r = commands[i].run(argc - 1, argv + 1);
			if (secmem_lock_error())
				warn(
				    "key memory could not be locked (mlock: "
				    "%s), "
				    "so a key may have been swapped out; raise "
				    "the limit (ulimit -l, LimitMEMLOCK=) or "
				    "run "
				    "as root",
				    strerror(secmem_lock_error()));
			if (fflush(stdout) != 0 && r == FSP_EXIT_OK)
				r = FSP_EXIT_SYSTEM;
			return r;
		}
	fprintf(stderr, "%s: usage error: unknown command '%s'\n", PROG,
		argv[1]);
	print_usage(stderr);
	return FSP_EXIT_USAGE;
}
