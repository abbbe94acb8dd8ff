// SPDX-License-Identifier: MIT
/*
 * The manifest's items, and where the programs that go with the helper
 * are found (fscrypt-provision/embed_parts.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fscrypt-provision/embed_parts.h"
#include "kernel/mountinfo.h"

#ifndef FSP_LIBEXECDIR
#define FSP_LIBEXECDIR "/usr/lib/fscrypt-provision"
#endif

/* A field the manifest can carry: items are lines, and their fields are
 * split at tabs. */
bool embed_carriable(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/* One item: its type, then its fields (up to a NULL), tab-separated. */
void embed_item(const char *type, ...)
{
	const char *field;
	va_list ap;

	fputs(type, stdout);
	va_start(ap, type);
	while ((field = va_arg(ap, const char *)))
		printf("\t%s", field);
	va_end(ap);
	putchar('\n');
}

/*
 * The companion or the boot steps that belong with the helper going into
 * the image, where the helper looks for the companion: beside it (a build
 * tree), in ../lib/fscrypt-provision/ (an install under any prefix), then
 * in this build's LIBEXECDIR below the sysroot. 0 with path set, or
 * -ENOENT with path the last place tried.
 */
static int find_with_helper(const struct image *img, const char *name,
			    int amode, char *path, size_t n)
{
	const char *h = img->helper, *slash = strrchr(h, '/');
	size_t dir = slash ? (size_t)(slash - h) : 0;
	const char *up = memrchr(h, '/', dir);
	char lib[PATH_MAX];

	snprintf(path, n, "%.*s/%s", (int)dir, h, name);
	if (access(path, amode) == 0)
		return 0;
	if (up) {
		snprintf(path, n, "%.*s/lib/fscrypt-provision/%s",
			 (int)(up - h), h, name);
		if (access(path, amode) == 0)
			return 0;
	}
	snprintf(lib, sizeof(lib), "%s/%s", FSP_LIBEXECDIR, name);
	if (path_join_root(img->o->sysroot ? img->o->sysroot : "", lib, path,
			   n) < 0)
		return -ENAMETOOLONG;
	return access(path, amode) == 0 ? 0 : -ENOENT;
}

/* given, or looked up; 0 if it is there, -ENOENT otherwise. */
int embed_program(struct image *img, const char *given, const char *name,
		  int amode, char *path)
{
	if (!given)
		return find_with_helper(img, name, amode, path, PATH_MAX);
	snprintf(path, PATH_MAX, "%s", given);
	return access(path, amode) == 0 ? 0 : -ENOENT;
}

/* A path below the sysroot. */
int embed_in_root(const struct image *img, const char *p, char *path)
{
	return path_join_root(img->o->sysroot ? img->o->sysroot : "", p, path,
			      PATH_MAX);
}
