// SPDX-License-Identifier: MIT
/* fscrypttab(5): reading a table file. */
#define _GNU_SOURCE
#include "tab/fscrypttab.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/read_full.h"

#define TAB_FILE_MAX (1024 * 1024)

int fscrypttab_read_file(const char *path, char **ret_text, size_t *ret_len,
			 struct fsp_problem *err)
{
	struct stat st;
	char *text;
	size_t len = 0;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		r = -errno;
		problem_text(err, "%s: cannot open: %s", path, strerror(-r));
		return r;
	}
	if (fstat(fd, &st) < 0) {
		r = -errno;
		problem_text(err, "%s: cannot examine: %s", path, strerror(-r));
		close(fd);
		return r;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > TAB_FILE_MAX) {
		problem_text(err, "%s: not a regular file of at most %d bytes",
			     path, TAB_FILE_MAX);
		close(fd);
		return -EINVAL;
	}
	text = malloc((size_t)st.st_size + 1);
	if (!text) {
		problem_text(err, "%s: out of memory reading it", path);
		close(fd);
		return -ENOMEM;
	}
	/* One byte more than fstat() said, so a growing file is noticed. */
	r = read_full(fd, (uint8_t *)text, (size_t)st.st_size + 1, &len);
	if (r < 0 && r != -EFBIG) {
		problem_text(err, "%s: cannot read: %s", path, strerror(-r));
		free(text);
		close(fd);
		return r;
	}
	if (len > (size_t)st.st_size)
		len = (size_t)st.st_size;
	close(fd);
	text[len] = '\0';
	*ret_text = text;
	*ret_len = len;
	return 0;
}

int fscrypttab_load(const char *path, struct fscrypttab *ret,
		    struct fsp_problem *err)
{
	char *text;
	size_t len;
	int r;

	r = fscrypttab_read_file(path, &text, &len, err);
	if (r < 0)
		return r;
	r = fscrypttab_parse(text, len, path, ret, err);
	free(text);
	return r;
}
