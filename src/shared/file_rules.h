/* SPDX-License-Identifier: MIT */
/*
 * The rules a file must meet before we trust what it holds: its type, its
 * owner, and what others may do with it. One check for key files, slots
 * files, the writers' lock directory, the directories a volume lists and
 * the programs we run; each caller says in its own words what to do.
 */
#ifndef FSP_SHARED_FILE_RULES_H
#define FSP_SHARED_FILE_RULES_H

#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>

struct file_rules {
	unsigned type;	   /* S_IFREG, S_IFDIR...; 0: any */
	bool root_may_own; /* root may own it as well as this euid */
	unsigned forbid;   /* mode bits it must not have */
	/* More bits it must not have unless allow_readable: a secret that
	 * others may read. */
	unsigned forbid_readable;
	bool allow_readable;
	/* A directory others may write to passes when it is sticky (/tmp):
	 * there, others can neither rename nor remove our entries. */
	bool sticky_dir_ok;
};

enum file_breach {
	FILE_OK,
	FILE_TYPE,     /* not of r->type */
	FILE_OWNER,    /* owned by another user */
	FILE_MODE,     /* has a bit of r->forbid */
	FILE_READABLE, /* has a bit of r->forbid_readable */
};

/* The first rule of r that st breaks, or FILE_OK. */
enum file_breach file_rules_check(const struct stat *st,
				  const struct file_rules *r);

#endif
