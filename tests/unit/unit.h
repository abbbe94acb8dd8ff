/* SPDX-License-Identifier: MIT */
/*
 * A minimal unit-test harness: each CHECK prints "ok N - what" or
 * "not ok N - what (file:line)", TAP style, and main returns non-zero if
 * anything failed. tests/run-all.sh counts the lines.
 */
#ifndef FSP_UNIT_H
#define FSP_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_n, unit_failed;

/* cond is evaluated once, so it may call the function under test. */
#define CHECK(cond, ...)                                                       \
	do {                                                                   \
		int ok_ = !!(cond);                                            \
		unit_n++;                                                      \
		printf("%s %d - ", ok_ ? "ok" : "not ok", unit_n);             \
		if (!ok_)                                                      \
			unit_failed++;                                         \
		printf(__VA_ARGS__);                                           \
		if (!ok_)                                                      \
			printf(" (%s:%d: %s)", __FILE__, __LINE__, #cond);     \
		printf("\n");                                                  \
	} while (0)

#define CHECK_STR(got, want, ...)                                              \
	do {                                                                   \
		const char *g_ = (got), *w_ = (want);                          \
		CHECK(g_ &&w_ &&strcmp(g_, w_) == 0, __VA_ARGS__);             \
		if (!(g_ && w_ && strcmp(g_, w_) == 0))                        \
			printf("#   got:  '%s'\n#   want: '%s'\n",             \
			       g_ ? g_ : "(null)", w_ ? w_ : "(null)");        \
	} while (0)

#define UNIT_DONE() (unit_failed ? 1 : 0)

#ifdef _GNU_SOURCE
#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

/*
 * Every program that the helper runs goes through execveat(2)
 * (shared/trust.c). Linux has it since 3.19, but qemu-user before 8.0
 * does not, and make check runs the cross builds' unit tests there
 * (tests/cross/). A test of program runs starts with UNIT_NEEDS_EXECVEAT:
 * without the call, it returns and says so in a comment line, which
 * counts neither as passed nor as failed. A real kernel answers the probe
 * (no file, flag AT_EMPTY_PATH) with EBADF, never ENOSYS.
 */
static inline int unit_has_execveat(void)
{
	char *none[] = {NULL};

	return !(syscall(SYS_execveat, -1, "", none, none, 0x1000) < 0 &&
		 errno == ENOSYS);
}

#define UNIT_NEEDS_EXECVEAT(what)                                              \
	do {                                                                   \
		if (!unit_has_execveat()) {                                    \
			printf("# skipped: %s: execveat(2) is not "            \
			       "implemented here (qemu-user before 8.0)\n",    \
			       what);                                          \
			return;                                                \
		}                                                              \
	} while (0)
#endif

#endif
