// SPDX-License-Identifier: MIT
/* Test-only pause points (see basic/test_pause.h). */
#define _GNU_SOURCE
#include "basic/test_pause.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void test_pause(const char *point)
{
	const char *want = getenv("FSP_TEST_PAUSE");
	const char *file = getenv("FSP_TEST_PAUSE_FILE");
	struct timespec ts = {0, 10 * 1000 * 1000};
	int fd;

	if (!want || !file || strcmp(want, point) != 0)
		return;
	fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0)
		return;
	close(fd);
	for (int i = 0; i < 6000 && access(file, F_OK) == 0; i++)
		nanosleep(&ts, NULL);
}
