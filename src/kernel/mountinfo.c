// SPDX-License-Identifier: MIT
/* Which mount a path is on, from /proc/self/mountinfo. */
#define _GNU_SOURCE
#include "kernel/mountinfo.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "basic/libc_compat.h"
#include "basic/number.h"
#include "basic/split.h"

/* Undoes the kernel's octal escapes (\040 for space and so on) in place. */
static void unescape(char *s)
{
	char *o = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' &&
		    s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 +
				      (s[3] - '0'));
			s += 4;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
}

bool path_in_dir(const char *dir, const char *path)
{
	size_t l = strlen(dir);

	if (strcmp(dir, "/") == 0)
		return true;
	return strncmp(dir, path, l) == 0 &&
	       (path[l] == '\0' || path[l] == '/');
}

/*
 * One line: "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] -
 * FSTYPE SOURCE SUPEROPTS". Fills *ret's mountpoint, fstype and source and
 * *dev; false for a line of another shape or with a field too long.
 */
static bool parse_line(char *line, dev_t *dev, struct mount_info *ret)
{
	char *w[24], *min;
	size_t n = split_words(line, w, sizeof(w) / sizeof(w[0])), sep = 6;
	unsigned long ma, mi;

	while (sep < n && sep < sizeof(w) / sizeof(w[0]) &&
	       strcmp(w[sep], "-") != 0)
		sep++;
	if (sep + 2 >= n || sep + 2 >= sizeof(w) / sizeof(w[0]))
		return false;
	min = strchr(w[2], ':');
	if (!min)
		return false;
	*min++ = '\0';
	if (!parse_unsigned(w[2], UINT_MAX, &ma) ||
	    !parse_unsigned(min, UINT_MAX, &mi) ||
	    strlen(w[4]) >= sizeof(ret->mountpoint) ||
	    strlen(w[sep + 1]) >= sizeof(ret->fstype) ||
	    strlen(w[sep + 2]) >= sizeof(ret->source))
		return false;
	*dev = makedev((unsigned)ma, (unsigned)mi);
	unescape(strcpy(ret->mountpoint, w[4]));
	strcpy(ret->fstype, w[sep + 1]);
	unescape(strcpy(ret->source, w[sep + 2]));
	return true;
}

int mountinfo_find(FILE *f, dev_t dev, const char *real, struct mount_info *ret)
{
	char *line = NULL;
	size_t cap = 0, best = 0;
	bool found = false;

	while (getline(&line, &cap, f) > 0) {
		struct mount_info m;
		dev_t d;
		size_t l;

		if (!parse_line(line, &d, &m))
			continue;
		l = strlen(m.mountpoint);
		/* Same device, deepest mountpoint; later lines over-mount. */
		if (d != dev || !path_in_dir(m.mountpoint, real) || l < best)
			continue;
		best = l;
		found = true;
		strcpy(ret->mountpoint, m.mountpoint);
		strcpy(ret->fstype, m.fstype);
		strcpy(ret->source, m.source);
	}
	free(line);
	return found ? 0 : -ENOENT;
}

int mount_of_path(const char *path, struct mount_info *ret)
{
	struct stat st, root;
	FILE *f;
	int r;

	if (!realpath(path, ret->path) || stat(ret->path, &st) < 0)
		return -errno;
	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return -errno;
	r = mountinfo_find(f, st.st_dev, ret->path, ret);
	fclose(f);
	/*
	 * In a chroot whose root is not a mount of its own, the kernel omits
	 * the mount that holds it from mountinfo: seen from here, that
	 * filesystem is mounted at "/". Its type and source are unknown.
	 */
	if (r == -ENOENT && stat("/", &root) == 0 && root.st_dev == st.st_dev) {
		strcpy(ret->mountpoint, "/");
		strcpy(ret->fstype, "unknown");
		strcpy(ret->source, "unknown");
		r = 0;
	}
	return r;
}

int path_is_mountpoint(const char *path)
{
	struct mount_info mi;
	struct statx stx;
	char real[PATH_MAX];
	int r;

	/* Linux 5.8+ answers directly, without reading mountinfo. */
	if (statx(AT_FDCWD, path, 0, STATX_BASIC_STATS, &stx) == 0 &&
	    (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT))
		return !!(stx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
	if (!realpath(path, real))
		return -errno;
	r = mount_of_path(real, &mi);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	return strcmp(mi.mountpoint, real) == 0;
}

int path_join_root(const char *root, const char *path, char *buf, size_t bufsz)
{
	size_t rl = strlen(root);
	int n;

	while (rl > 0 && root[rl - 1] == '/')
		rl--;
	if (rl == 0)
		n = snprintf(buf, bufsz, "%s", path);
	else if (strcmp(path, "/") == 0)
		n = snprintf(buf, bufsz, "%.*s", (int)rl, root);
	else
		n = snprintf(buf, bufsz, "%.*s%s", (int)rl, root, path);
	return n < 0 || (size_t)n >= bufsz ? -ENAMETOOLONG : 0;
}
