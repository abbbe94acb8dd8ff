// SPDX-License-Identifier: MIT
/* Where raw master keys come from: key files and inherited descriptors. */
#define _GNU_SOURCE
#include "keysource/source.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/hex.h"
#include "basic/read_full.h"
#include "kernel/fscrypt_uapi.h"
#include "keysource/unwrap.h"
#include "shared/file_rules.h"
#include "shared/problem.h"

int key_source_parse(const char *spec, struct key_source *ret)
{
	memset(ret, 0, sizeof(*ret));
	if (strncmp(spec, "fd:", 3) == 0) {
		char *end;
		long fd;

		if (spec[3] < '0' || spec[3] > '9')
			return -EINVAL;
		errno = 0;
		fd = strtol(spec + 3, &end, 10);
		if (errno || end == spec + 3 || *end || fd < 0 || fd > INT_MAX)
			return -EINVAL;
		ret->kind = KEY_SOURCE_FD;
		ret->fd = (int)fd;
		return 0;
	}
	if (strncmp(spec, "slots:", 6) == 0) {
		spec += 6;
		if (spec[0] != '/' || strlen(spec) >= sizeof(ret->path))
			return -EINVAL;
		ret->kind = KEY_SOURCE_SLOTS;
		strcpy(ret->path, spec);
		return 0;
	}
	/* A bare path must be absolute, so that "fd:3" is never a file. */
	if (strncmp(spec, "file:", 5) == 0)
		spec += 5;
	else if (spec[0] != '/')
		return -EINVAL;
	if (!*spec || strlen(spec) >= sizeof(ret->path))
		return -EINVAL;
	ret->kind = KEY_SOURCE_FILE;
	strcpy(ret->path, spec);
	return 0;
}

void key_source_format(const struct key_source *src, char *buf, size_t n)
{
	if (src->kind == KEY_SOURCE_FD)
		snprintf(buf, n, "fd:%d", src->fd);
	else if (src->kind == KEY_SOURCE_SLOTS)
		snprintf(buf, n, "slots:%s", src->path);
	else
		snprintf(buf, n, "%s", src->path);
}

int key_source_unlink(const struct key_source *src)
{
	if (src->kind != KEY_SOURCE_FILE)
		return -EINVAL;
	return unlink(src->path) < 0 && errno != ENOENT ? -errno : 0;
}

int key_format_parse(const char *s, enum key_format *ret)
{
	if (strcmp(s, "auto") == 0)
		*ret = KEY_FORMAT_AUTO;
	else if (strcmp(s, "raw") == 0)
		*ret = KEY_FORMAT_RAW;
	else if (strcmp(s, "hex") == 0)
		*ret = KEY_FORMAT_HEX;
	else
		return -EINVAL;
	return 0;
}

/*
 * Reads until EOF, at most cap bytes, straight into locked memory: no stdio
 * buffer ever holds key material. -EFBIG when more than cap bytes arrive.
 */
static int read_all(int fd, struct secbuf *buf)
{
	size_t len;
	int r = read_full(fd, buf->data, buf->cap, &len);

	if (r == 0)
		buf->len = len;
	return r;
}

/* Whether every byte is a hex digit, with no branch on any of them. */
static bool only_hex_digits(const uint8_t *p, size_t n)
{
	unsigned bad = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned digit = (unsigned)(p[i] - '0') < 10;
		unsigned letter = (unsigned)((p[i] | 0x20) - 'a') < 6;

		bad |= !(digit | letter);
	}
	return !bad;
}

/*
 * "auto" reads exactly N bytes as raw, anything else as hex. N hex digits
 * alone are also a key of N/2 bytes in hex, given without its size (the
 * default size is 64): such input is refused, not guessed.
 */
static bool auto_ambiguous(const struct secbuf *in, size_t size)
{
	return in->len == size && size % 2 == 0 &&
	       size / 2 >= FSP_MIN_KEY_SIZE &&
	       only_hex_digits(in->data, in->len);
}

/*
 * Turns what was read into exactly opts->size raw bytes. The two forms have
 * different lengths for any one key size (N raw bytes, or 2N hex digits and
 * an optional newline); auto_ambiguous() is the one input whose size may
 * be the wrong one.
 */
int key_decode(struct secbuf *in, const struct key_source_opts *opts,
	       struct secbuf *out, struct fsp_problem *detail)
{
	size_t size = opts->size, hexlen = in->len;
	bool as_hex;
	int r;

	if (hexlen > 0 && in->data[hexlen - 1] == '\n')
		hexlen--;
	switch (opts->format) {
	case KEY_FORMAT_RAW:
		as_hex = false;
		break;
	case KEY_FORMAT_HEX:
		as_hex = true;
		break;
	default:
		if (auto_ambiguous(in, size)) {
			problem_set(
			    detail, OP_KEY_SOURCE, -ENOTUNIQ,
			    "is %zu hex digits and nothing else, so it may be "
			    "a %zu-byte raw key or a %zu-byte key in hex, and "
			    "the format auto cannot tell which",
			    in->len, size, size / 2);
			return -ENOTUNIQ;
		}
		as_hex = in->len != size;
		break;
	}
	if (!as_hex && in->len != size) {
		problem_set(detail, OP_KEY_SOURCE, 0,
			    "holds %zu bytes, but a raw key must be exactly "
			    "%zu bytes",
			    in->len, size);
		return -EMSGSIZE;
	}
	if (as_hex && hexlen != 2 * size) {
		problem_set(detail, OP_KEY_SOURCE, 0,
			    "holds %zu bytes, but a key must be %zu raw bytes "
			    "or %zu hex digits (and an optional newline)",
			    in->len, size, 2 * size);
		return -EMSGSIZE;
	}
	r = secbuf_alloc(out, size);
	if (r < 0)
		return r;
	if (as_hex) {
		if (hex_decode((const char *)in->data, hexlen, out->data,
			       size) < 0) {
			secbuf_free(out);
			problem_set(detail, OP_KEY_SOURCE, 0,
				    "is %zu bytes long, as a hex key would be, "
				    "but holds characters that are not hex "
				    "digits",
				    in->len);
			return -EBADMSG;
		}
	} else {
		memcpy(out->data, in->data, size);
	}
	out->len = size;
	return 0;
}

static int read_fd_source(const struct key_source *src,
			  const struct key_source_opts *opts, struct secbuf *in,
			  struct fsp_problem *detail)
{
	int r = read_all(src->fd, in);

	if (r == -EBADF)
		problem_set(detail, OP_KEY_SOURCE, 0,
			    "is not an open file descriptor");
	else if (r == -EFBIG)
		problem_set(
		    detail, OP_KEY_SOURCE, 0,
		    "delivers more than %zu bytes, too many for a %zu-byte "
		    "key in either form",
		    in->cap - 1, opts->size);
	else if (r < 0)
		problem_set(detail, OP_KEY_SOURCE, 0, "cannot be read: %s",
			    strerror(-r));
	return r;
}

/* The rules a key file's metadata must meet; 0 or -errno with detail. */
static int check_key_file(const struct stat *st, const struct key_source *src,
			  const struct key_source_opts *opts,
			  struct fsp_problem *detail)
{
	/* Never writable by others: they could substitute the key. */
	const struct file_rules rules = {
	    .type = S_IFREG,
	    .forbid = S_IWGRP | S_IWOTH,
	    .forbid_readable = S_IRWXG | S_IRWXO,
	    .allow_readable = opts->allow_readable,
	};
	unsigned mode = (unsigned)(st->st_mode & 07777);
	int r;

	switch (file_rules_check(st, &rules)) {
	case FILE_TYPE:
		return problem_set(detail, OP_KEY_SOURCE, -EINVAL,
				   "is not a regular file (use --key-fd for "
				   "pipes and devices)");
	case FILE_OWNER:
		return problem_set(detail, OP_KEY_SOURCE, -EPERM,
				   "is owned by uid %u, not by uid %u; fix "
				   "with: chown %u '%s'",
				   (unsigned)st->st_uid, (unsigned)geteuid(),
				   (unsigned)geteuid(), src->path);
	case FILE_MODE:
		return problem_set(detail, OP_KEY_SOURCE, -EPERM,
				   "has mode %04o, so others may replace the "
				   "key; fix with: chmod 0400 '%s' "
				   "(--allow-readable allows reading by "
				   "others, never writing)",
				   mode, src->path);
	case FILE_READABLE:
		return problem_set(detail, OP_KEY_SOURCE, -EPERM,
				   "has mode %04o, so others may read or "
				   "change it; fix with: chmod 0400 '%s' (or "
				   "pass --allow-readable)",
				   mode, src->path);
	case FILE_OK:
		break;
	}
	if (st->st_size != (off_t)opts->size &&
	    st->st_size != (off_t)(2 * opts->size) &&
	    st->st_size != (off_t)(2 * opts->size + 1)) {
		r = -EMSGSIZE;
		problem_set(
		    detail, OP_KEY_SOURCE, 0,
		    "is %lld bytes, but a %zu-byte key file must be %zu "
		    "bytes (raw) or %zu bytes (hex, optional newline)",
		    (long long)st->st_size, opts->size, opts->size,
		    2 * opts->size);
		return r;
	}
	return 0;
}

static int read_file_source(const struct key_source *src,
			    const struct key_source_opts *opts,
			    struct secbuf *in, struct fsp_problem *detail)
{
	struct stat st;
	int fd, r;

	/*
	 * O_NOFOLLOW on the last component: a key file that is a symlink could
	 * be redirected by whoever controls the link's directory.
	 */
	fd = open(src->path,
		  O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		r = -errno;
		if (r == -ELOOP)
			problem_set(detail, OP_KEY_SOURCE, 0,
				    "is a symbolic link; refusing to follow it "
				    "(point to the real file instead)");
		else if (r == -ENOENT)
			problem_set(detail, OP_KEY_SOURCE, 0, "does not exist");
		else
			problem_set(detail, OP_KEY_SOURCE, 0,
				    "cannot be opened: %s", strerror(-r));
		return r;
	}
	if (fstat(fd, &st) < 0) {
		r = -errno;
		problem_set(detail, OP_KEY_SOURCE, 0, "cannot be examined: %s",
			    strerror(-r));
		goto out;
	}
	r = check_key_file(&st, src, opts, detail);
	if (r < 0)
		goto out;
	r = read_all(fd, in);
	if (r < 0)
		problem_set(detail, OP_KEY_SOURCE, 0, "cannot be read: %s",
			    strerror(-r));
	else if (in->len != (size_t)st.st_size) {
		r = -EIO;
		problem_set(detail, OP_KEY_SOURCE, 0,
			    "changed size while being read");
	}
out:
	close(fd);
	return r;
}

/* The key size comes from the slots file, not from opts. */
static int read_slots_source(const struct key_source *src,
			     const struct key_source_opts *opts,
			     struct secbuf *ret, struct fsp_problem *detail)
{
	struct unwrap_params up = UNWRAP_PARAMS(.no_person = true);
	uint8_t id[FSP_KEY_IDENTIFIER_SIZE];
	struct fsp_problem why = {0};
	int r;

	if (opts->unlock)
		up = *opts->unlock;
	up.allow_readable |= opts->allow_readable;
	r = slots_unwrap(src->path, &up, ret, id, &why);
	/* The unwrapping's errno and family: a rejection is exit 6 here too. */
	if (r < 0)
		problem_set(detail, OP_UNWRAP, r, "%s", why.text);
	return r;
}

/* One row per kind of source. A file or a descriptor gives bytes that
 * key_decode() makes into the key; a slots file gives the key itself, of
 * the size it holds. */
static const struct {
	enum key_source_kind kind;
	int (*read)(const struct key_source *src,
		    const struct key_source_opts *opts, struct secbuf *out,
		    struct fsp_problem *detail);
	bool decode;
} readers[] = {
    {KEY_SOURCE_FILE, read_file_source, true},
    {KEY_SOURCE_FD, read_fd_source, true},
    {KEY_SOURCE_SLOTS, read_slots_source, false},
};

static int read_decoded(int (*read)(const struct key_source *,
				    const struct key_source_opts *,
				    struct secbuf *, struct fsp_problem *),
			const struct key_source *src,
			const struct key_source_opts *opts, struct secbuf *ret,
			struct fsp_problem *detail)
{
	struct secbuf in;
	int r;

	if (opts->size < FSP_MIN_KEY_SIZE || opts->size > FSP_MAX_KEY_SIZE)
		return problem_set(detail, OP_KEY_SOURCE, -EINVAL,
				   "key size %zu is outside the 16-64 bytes "
				   "fscrypt accepts",
				   opts->size);
	/* Room for the hex form, its newline, and one byte to spot excess. */
	r = secbuf_alloc(&in, 2 * opts->size + 2);
	if (r < 0)
		return r;
	r = read(src, opts, &in, detail);
	if (r == 0)
		r = key_decode(&in, opts, ret, detail);
	secbuf_free(&in);
	return r;
}

int key_source_read(const struct key_source *src,
		    const struct key_source_opts *opts, struct secbuf *ret,
		    struct fsp_problem *detail)
{
	memset(ret, 0, sizeof(*ret));
	for (size_t i = 0; i < sizeof(readers) / sizeof(readers[0]); i++) {
		if (readers[i].kind != src->kind)
			continue;
		if (!readers[i].decode)
			return readers[i].read(src, opts, ret, detail);
		return read_decoded(readers[i].read, src, opts, ret, detail);
	}
	return -EINVAL;
}
