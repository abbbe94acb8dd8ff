// SPDX-License-Identifier: MIT
/* fscrypt-provision: command dispatch and process hardening. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "basic/secmem.h"
#include "fscrypt-provision/cli.h"
#include "fscrypt-provision/commands.h"
#include "slots/pbkdf.h"

#ifndef FSP_VERSION
#define FSP_VERSION "unknown"
#endif

/*
 * An Argon2id run whose working memory could not be locked (slots/pbkdf.h). The
 * limit counts the rest of the process too: 16 MiB more is ample.
 */
static void warn_kdf_unlocked(void)
{
	uint64_t kib;
	int err = pbkdf_lock_error(&kib);
	unsigned long long mib = (unsigned long long)(kib + 1023) >> 10;
	struct rlimit rl;
	char why[128];

	if (!err)
		return;
	if (getrlimit(RLIMIT_MEMLOCK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		snprintf(why, sizeof(why),
			 "%s; the memory lock limit is %llu KiB", strerror(err),
			 (unsigned long long)rl.rlim_cur >> 10);
	else
		snprintf(why, sizeof(why), "%s", strerror(err));
	cli_warning(
	    "Argon2id's %llu MiB of working memory could not be locked (%s), "
	    "so it may have reached swap; raise the limit to %llu MiB "
	    "(ulimit -l %llu, LimitMEMLOCK=%lluM) or run as root with "
	    "CAP_IPC_LOCK",
	    mib, why, mib + 16, (mib + 16) << 10, mib + 16);
}

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
	cli_set_commands(commands, n_commands);
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
				cli_warning(
				    "key memory could not be locked (mlock: "
				    "%s), "
				    "so a key may have been swapped out; raise "
				    "the limit (ulimit -l, LimitMEMLOCK=) or "
				    "run "
				    "as root",
				    strerror(secmem_lock_error()));
			warn_kdf_unlocked();
			if (fflush(stdout) != 0 && r == FSP_EXIT_OK)
				r = FSP_EXIT_SYSTEM;
			return r;
		}
	fprintf(stderr, "%s: usage error: unknown command '%s'\n", PROG,
		argv[1]);
	print_usage(stderr);
	return FSP_EXIT_USAGE;
}
