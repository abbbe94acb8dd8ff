// SPDX-License-Identifier: MIT
/* The rules a file must meet before we trust it (file_rules.h). */
#define _GNU_SOURCE
#include "shared/file_rules.h"

#include <unistd.h>

enum file_breach file_rules_check(const struct stat *st,
				  const struct file_rules *r)
{
	unsigned forbid = r->forbid;

	if (r->type && (st->st_mode & S_IFMT) != r->type)
		return FILE_TYPE;
	if (st->st_uid != geteuid() && !(r->root_may_own && st->st_uid == 0))
		return FILE_OWNER;
	if (r->sticky_dir_ok && S_ISDIR(st->st_mode) && (st->st_mode & S_ISVTX))
		forbid &= ~(unsigned)(S_IWGRP | S_IWOTH);
	if (st->st_mode & forbid)
		return FILE_MODE;
	if (!r->allow_readable && (st->st_mode & r->forbid_readable))
		return FILE_READABLE;
	return FILE_OK;
}
