/* SPDX-License-Identifier: MIT */
/* Where raw master keys come from: key files and inherited descriptors. */
#ifndef FSP_KEYSOURCE_SOURCE_H
#define FSP_KEYSOURCE_SOURCE_H

#include <limits.h>
#include <linux/limits.h> /* PATH_MAX without _GNU_SOURCE */
#include <stdbool.h>
#include <stddef.h>

#include "basic/secmem.h"
#include "shared/problem.h"

enum key_format { KEY_FORMAT_AUTO, KEY_FORMAT_RAW, KEY_FORMAT_HEX };

enum key_source_kind { KEY_SOURCE_FILE, KEY_SOURCE_FD, KEY_SOURCE_SLOTS };

/*
 * A parsed key source. Each kind has one reader in keysource/source.c's
 * table: a slots file (with --slots or slots:PATH) is one more row.
 */
struct key_source {
	enum key_source_kind kind;
	char path[PATH_MAX]; /* KEY_SOURCE_FILE, KEY_SOURCE_SLOTS */
	int fd;		     /* KEY_SOURCE_FD */
};

struct unwrap_params;

struct key_source_opts {
	enum key_format format;
	size_t size;	     /* raw key bytes expected, 16..64 */
	bool allow_readable; /* accept group/world-readable key files */
	/* KEY_SOURCE_SLOTS: how to ask (NULL: programs only, no person) */
	const struct unwrap_params *unlock;
};

#define KEY_SOURCE_OPTS_DEFAULT                                                \
	((struct key_source_opts){                                             \
	    .format = KEY_FORMAT_AUTO, .size = 64, .allow_readable = false})

/*
 * "/abs/path" or "file:PATH" for a key file, "fd:N" for an inherited
 * descriptor, "slots:/abs/path" for a slots file. Returns 0 or -EINVAL.
 */
int key_source_parse(const char *spec, struct key_source *ret);
/* Writes the spelling used in messages ("/x", "fd:3", "slots:/x"). */
void key_source_format(const struct key_source *src, char *buf, size_t n);
int key_format_parse(const char *s, enum key_format *ret);

/*
 * What was read (in) as exactly opts->size raw bytes in out (raw, hex or
 * either by length). 0, or -EMSGSIZE/-EBADMSG/-ENOMEM with detail set, or
 * -ENOTUNIQ when the format is auto and the input is exactly opts->size
 * hex digits, which could also be a key of half the size in hex: the
 * caller says how to name the format.
 */
int key_decode(struct secbuf *in, const struct key_source_opts *opts,
	       struct secbuf *out, struct fsp_problem *detail);

/*
 * Removes the key file of src (unlink-key): 0, -EINVAL for an fd: source,
 * or -errno; a file already gone counts as removed.
 */
int key_source_unlink(const struct key_source *src);

/*
 * Reads one raw key into locked memory (ret->len bytes). Returns 0 or
 * -errno (-ENOTUNIQ: see key_decode()); on failure ret is freed and detail
 * (if given) says exactly what was wrong with the source, for the caller
 * to print.
 */
int key_source_read(const struct key_source *src,
		    const struct key_source_opts *opts, struct secbuf *ret,
		    struct fsp_problem *detail);

#endif
