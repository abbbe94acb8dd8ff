// SPDX-License-Identifier: MIT
/*
 * Key sources: parsing "PATH", "file:PATH" and "fd:N", and reading keys
 * from files in a private temporary directory and from pipes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/secmem.h"
#include "keysource/source.h"
#include "unit.h"

static char dir[64];
static uint8_t key64[64];

static void path_of(char *buf, size_t n, const char *name)
{
	snprintf(buf, n, "%s/%s", dir, name);
}

/* Creates dir/name holding data, with exactly this mode. */
static int put(const char *name, const void *data, size_t len, mode_t mode)
{
	char p[256];
	int fd;
	ssize_t w;

	path_of(p, sizeof(p), name);
	unlink(p);
	fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	w = write(fd, data, len);
	if (w < 0 || (size_t)w != len || fchmod(fd, mode) < 0) {
		close(fd);
		return -EIO;
	}
	return close(fd) < 0 ? -errno : 0;
}

static void to_hex(const uint8_t *in, size_t n, char *out, int upper)
{
	const char *d = upper ? "0123456789ABCDEF" : "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = d[in[i] >> 4];
		out[2 * i + 1] = d[in[i] & 0xf];
	}
	out[2 * n] = '\0';
}

/* Reads dir/name; returns key_source_read()'s result. */
static int read_file(const char *name, const struct key_source_opts *o,
		     struct secbuf *ret, struct fsp_problem *detail)
{
	struct key_source src;
	char spec[300];
	int r;

	snprintf(spec, sizeof(spec), "%s/%s", dir, name);
	r = key_source_parse(spec, &src);
	if (r < 0)
		return 1000 + r; /* never a key_source_read() result */
	problem_text(detail, "%s", "");
	return key_source_read(&src, o, ret, detail);
}

static int is_cleared(const struct secbuf *b)
{
	return b->data == NULL && b->len == 0 && b->cap == 0;
}

static void test_parse(void)
{
	struct key_source s;
	char buf[64];
	int r;

	r = key_source_parse("/etc/keys/home.key", &s);
	CHECK(r == 0 && s.kind == KEY_SOURCE_FILE &&
		  strcmp(s.path, "/etc/keys/home.key") == 0,
	      "parse absolute path (r=%d)", r);
	key_source_format(&s, buf, sizeof(buf));
	CHECK_STR(buf, "/etc/keys/home.key", "format a file source");

	r = key_source_parse("file:/k", &s);
	CHECK(r == 0 && s.kind == KEY_SOURCE_FILE && strcmp(s.path, "/k") == 0,
	      "parse file:/k (r=%d)", r);
	r = key_source_parse("file:rel/key", &s);
	CHECK(r == 0 && s.kind == KEY_SOURCE_FILE &&
		  strcmp(s.path, "rel/key") == 0,
	      "parse file:rel/key keeps the relative path (r=%d)", r);
	r = key_source_parse("file:fd:3", &s);
	CHECK(r == 0 && s.kind == KEY_SOURCE_FILE &&
		  strcmp(s.path, "fd:3") == 0,
	      "file:fd:3 is a file named fd:3 (r=%d)", r);

	r = key_source_parse("slots:/etc/keys/root.slots", &s);
	CHECK(r == 0 && s.kind == KEY_SOURCE_SLOTS &&
		  strcmp(s.path, "/etc/keys/root.slots") == 0,
	      "parse slots:/etc/keys/root.slots (r=%d)", r);
	key_source_format(&s, buf, sizeof(buf));
	CHECK_STR(buf, "slots:/etc/keys/root.slots", "format a slots source");
	CHECK(key_source_parse("slots:rel.slots", &s) == -EINVAL,
	      "slots: needs an absolute path");
	CHECK(key_source_parse("slots:", &s) == -EINVAL, "slots: needs a path");

	r = key_source_parse("fd:3", &s);
	CHECK(r == 0 && s.kind == KEY_SOURCE_FD && s.fd == 3,
	      "parse fd:3 (r=%d)", r);
	key_source_format(&s, buf, sizeof(buf));
	CHECK_STR(buf, "fd:3", "format an fd source");
	r = key_source_parse("fd:0", &s);
	CHECK(r == 0 && s.kind == KEY_SOURCE_FD && s.fd == 0,
	      "parse fd:0 (r=%d)", r);
	r = key_source_parse("fd:2147483647", &s);
	CHECK(r == 0 && s.kind == KEY_SOURCE_FD && s.fd == 2147483647,
	      "parse fd:INT_MAX (r=%d)", r);

	{
		static const char *const bad[] = {
		    "rel",
		    "rel/key",
		    "",
		    "fd:",
		    "fd:-1",
		    "fd:x",
		    "fd: 3",
		    "fd:+3",
		    "fd:3x",
		    "fd:3 ",
		    "file:",
		    "fd:2147483648",
		    "fd:99999999999999999999",
		    "./key",
		    "FD:3",
		};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			memset(&s, 0x55, sizeof(s));
			r = key_source_parse(bad[i], &s);
			CHECK(r == -EINVAL, "parse rejects '%s' (got %d)",
			      bad[i], r);
		}
	}
	{
		char longp[PATH_MAX + 8];

		longp[0] = '/';
		memset(longp + 1, 'a', PATH_MAX - 1);
		longp[PATH_MAX] = '\0';
		r = key_source_parse(longp, &s);
		CHECK(r == -EINVAL, "path of PATH_MAX bytes: -EINVAL (got %d)",
		      r);
		longp[PATH_MAX - 1] = '\0';
		r = key_source_parse(longp, &s);
		CHECK(r == 0 && strlen(s.path) == PATH_MAX - 1,
		      "path of PATH_MAX-1 bytes fits (r=%d)", r);
	}
}

static void test_format_parse(void)
{
	enum key_format f = KEY_FORMAT_HEX;
	int r;

	r = key_format_parse("auto", &f);
	CHECK(r == 0 && f == KEY_FORMAT_AUTO, "keyformat auto");
	r = key_format_parse("raw", &f);
	CHECK(r == 0 && f == KEY_FORMAT_RAW, "keyformat raw");
	r = key_format_parse("hex", &f);
	CHECK(r == 0 && f == KEY_FORMAT_HEX, "keyformat hex");
	f = KEY_FORMAT_RAW;
	r = key_format_parse("HEX", &f);
	CHECK(r == -EINVAL && f == KEY_FORMAT_RAW,
	      "keyformat HEX: -EINVAL, unchanged (got %d)", r);
	r = key_format_parse("", &f);
	CHECK(r == -EINVAL, "keyformat '': -EINVAL (got %d)", r);
	r = key_format_parse("base64", &f);
	CHECK(r == -EINVAL, "keyformat base64: -EINVAL (got %d)", r);
}

static void test_files(void)
{
	struct key_source_opts o = KEY_SOURCE_OPTS_DEFAULT;
	struct secbuf b;
	struct fsp_problem detail = {0};
	char want[768], p[256], hex[160];
	int r;

	CHECK(o.format == KEY_FORMAT_AUTO && o.size == 64 && !o.allow_readable,
	      "default options: auto, 64 bytes, not readable");

	/* Raw, 0600 and 0400. */
	put("raw", key64, 64, 0600);
	r = read_file("raw", &o, &b, &detail);
	CHECK(r == 0 && b.len == 64 && memcmp(b.data, key64, 64) == 0,
	      "raw 64-byte file, mode 0600 (r=%d: %s)", r, detail.text);
	secbuf_free(&b);
	CHECK(is_cleared(&b), "secbuf_free clears the buffer");
	put("raw", key64, 64, 0400);
	r = read_file("raw", &o, &b, &detail);
	CHECK(r == 0 && b.len == 64 && memcmp(b.data, key64, 64) == 0,
	      "raw 64-byte file, mode 0400 (r=%d: %s)", r, detail.text);
	secbuf_free(&b);

	/* Hex: lowercase, with a newline, uppercase. */
	to_hex(key64, 64, hex, 0);
	put("hex", hex, 128, 0600);
	r = read_file("hex", &o, &b, &detail);
	CHECK(r == 0 && b.len == 64 && memcmp(b.data, key64, 64) == 0,
	      "hex file, 128 digits (r=%d: %s)", r, detail.text);
	secbuf_free(&b);
	hex[128] = '\n';
	put("hexnl", hex, 129, 0600);
	r = read_file("hexnl", &o, &b, &detail);
	CHECK(r == 0 && b.len == 64 && memcmp(b.data, key64, 64) == 0,
	      "hex file with trailing newline (r=%d: %s)", r, detail.text);
	secbuf_free(&b);
	to_hex(key64, 64, hex, 1);
	hex[128] = '\n';
	put("HEX", hex, 129, 0600);
	r = read_file("HEX", &o, &b, &detail);
	CHECK(r == 0 && b.len == 64 && memcmp(b.data, key64, 64) == 0,
	      "uppercase hex file (r=%d: %s)", r, detail.text);
	secbuf_free(&b);

	/* keyformat=hex on a hex file works, keyformat=raw refuses it. */
	o.format = KEY_FORMAT_HEX;
	r = read_file("hexnl", &o, &b, &detail);
	CHECK(r == 0 && b.len == 64 && memcmp(b.data, key64, 64) == 0,
	      "keyformat=hex on a hex file (r=%d: %s)", r, detail.text);
	secbuf_free(&b);
	r = read_file("raw", &o, &b, &detail);
	CHECK(r == -EMSGSIZE && is_cleared(&b),
	      "keyformat=hex on a 64-byte raw file: -EMSGSIZE (got %d)", r);
	CHECK_STR(detail.text,
		  "holds 64 bytes, but a key must be 64 raw bytes or 128 hex "
		  "digits (and an optional newline)",
		  "keyformat=hex detail");
	o.format = KEY_FORMAT_RAW;
	r = read_file("hex", &o, &b, &detail);
	CHECK(r == -EMSGSIZE && is_cleared(&b),
	      "keyformat=raw on a 128-byte file: -EMSGSIZE (got %d)", r);
	CHECK_STR(detail.text,
		  "holds 128 bytes, but a raw key must be exactly 64 bytes",
		  "keyformat=raw detail");
	r = read_file("raw", &o, &b, &detail);
	CHECK(r == 0 && b.len == 64 && memcmp(b.data, key64, 64) == 0,
	      "keyformat=raw on a raw file (r=%d: %s)", r, detail.text);
	secbuf_free(&b);
	o.format = KEY_FORMAT_AUTO;

	/* Wrong sizes. */
	put("short", key64, 63, 0600);
	path_of(p, sizeof(p), "short");
	r = read_file("short", &o, &b, &detail);
	CHECK(r == -EMSGSIZE && is_cleared(&b),
	      "63-byte file: -EMSGSIZE (got %d)", r);
	CHECK_STR(detail.text,
		  "is 63 bytes, but a 64-byte key file must be 64 bytes (raw) "
		  "or 128 bytes (hex, optional newline)",
		  "63-byte detail");
	CHECK(strstr(detail.text, "63") != NULL, "detail mentions 63");
	put("empty", "", 0, 0600);
	r = read_file("empty", &o, &b, &detail);
	CHECK(r == -EMSGSIZE && strncmp(detail.text, "is 0 bytes,", 11) == 0,
	      "empty file: -EMSGSIZE (got %d: %s)", r, detail.text);
	{
		char big[130];

		to_hex(key64, 64, big, 0);
		big[128] = '\n';
		big[129] = '\n';
		put("big", big, 130, 0600);
		r = read_file("big", &o, &b, &detail);
		CHECK(r == -EMSGSIZE &&
			  strncmp(detail.text, "is 130 bytes,", 13) == 0,
		      "130-byte file: -EMSGSIZE (got %d: %s)", r, detail.text);
		big[128] = 'x';
		put("big", big, 129, 0600);
		r = read_file("big", &o, &b, &detail);
		CHECK(r == -EMSGSIZE && is_cleared(&b),
		      "128 hex digits and an 'x': -EMSGSIZE (got %d)", r);
		CHECK_STR(detail.text,
			  "holds 129 bytes, but a key must be 64 raw bytes or "
			  "128 hex digits (and an optional newline)",
			  "129-byte non-newline detail");
	}

	/* Not hex. */
	to_hex(key64, 64, hex, 0);
	hex[77] = 'g';
	put("nothex", hex, 128, 0600);
	r = read_file("nothex", &o, &b, &detail);
	CHECK(r == -EBADMSG && is_cleared(&b),
	      "128 bytes with a 'g': -EBADMSG (got %d)", r);
	CHECK_STR(detail.text,
		  "is 128 bytes long, as a hex key would be, but holds "
		  "characters that are not hex digits",
		  "non-hex detail");
	to_hex(key64, 64, hex, 0);
	hex[0] = ' ';
	hex[128] = '\n';
	put("nothex", hex, 129, 0600);
	r = read_file("nothex", &o, &b, &detail);
	CHECK(r == -EBADMSG && strstr(detail.text, "not hex digits"),
	      "leading space: -EBADMSG (got %d: %s)", r, detail.text);

	/* Modes. */
	put("readable", key64, 64, 0644);
	path_of(p, sizeof(p), "readable");
	r = read_file("readable", &o, &b, &detail);
	CHECK(r == -EPERM && is_cleared(&b), "mode 0644: -EPERM (got %d)", r);
	CHECK(strstr(detail.text, "mode 0644") != NULL,
	      "detail says mode 0644");
	snprintf(want, sizeof(want),
		 "has mode 0644, so others may read or change it; fix with: "
		 "chmod 0400 '%s' (or pass --allow-readable)",
		 p);
	CHECK_STR(detail.text, want, "mode 0644 detail");
	o.allow_readable = true;
	r = read_file("readable", &o, &b, &detail);
	CHECK(r == 0 && b.len == 64 && memcmp(b.data, key64, 64) == 0,
	      "mode 0644 with allow_readable (r=%d: %s)", r, detail.text);
	secbuf_free(&b);
	o.allow_readable = false;
	{
		static const mode_t modes[] = {0640, 0604, 0620, 0602,
					       0610, 0601, 0700};

		for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
			char m[16];

			put("mode", key64, 64, modes[i]);
			r = read_file("mode", &o, &b, &detail);
			snprintf(m, sizeof(m), "mode %04o", (unsigned)modes[i]);
			if (modes[i] == 0700)
				CHECK(r == 0, "mode 0700 is fine (r=%d: %s)", r,
				      detail.text);
			else
				CHECK(r == -EPERM && strstr(detail.text, m),
				      "mode %04o: -EPERM (got %d: %s)",
				      (unsigned)modes[i], r, detail.text);
			secbuf_free(&b);
		}
	}

	/* Owner. */
	if (geteuid() == 0) {
		put("owned", key64, 64, 0600);
		path_of(p, sizeof(p), "owned");
		if (chown(p, 4321, 0) == 0) {
			r = read_file("owned", &o, &b, &detail);
			CHECK(r == -EPERM && is_cleared(&b),
			      "file owned by uid 4321: -EPERM (got %d)", r);
			snprintf(
			    want, sizeof(want),
			    "is owned by uid 4321, not by uid 0; fix with: "
			    "chown 0 '%s'",
			    p);
			CHECK_STR(detail.text, want, "owner detail");
		}
	} else {
		printf("# skipped the owner test: not root\n");
	}

	/* Symlink, directory, FIFO, missing. */
	{
		char target[256];

		path_of(target, sizeof(target), "raw");
		path_of(p, sizeof(p), "link");
		unlink(p);
		CHECK(symlink(target, p) == 0, "made a symlink");
		r = read_file("link", &o, &b, &detail);
		CHECK(r == -ELOOP && is_cleared(&b), "symlink: -ELOOP (got %d)",
		      r);
		CHECK(strstr(detail.text, "symbolic link") != NULL,
		      "symlink detail says symbolic link: %s", detail.text);
	}
	path_of(p, sizeof(p), "subdir");
	mkdir(p, 0700);
	r = read_file("subdir", &o, &b, &detail);
	CHECK(r == -EINVAL && is_cleared(&b), "directory: -EINVAL (got %d)", r);
	CHECK_STR(detail.text,
		  "is not a regular file (use --key-fd for pipes and devices)",
		  "directory detail");
	path_of(p, sizeof(p), "fifo");
	unlink(p);
	CHECK(mkfifo(p, 0600) == 0, "made a FIFO");
	r = read_file("fifo", &o, &b, &detail);
	CHECK(r == -EINVAL && is_cleared(&b),
	      "FIFO: -EINVAL without blocking (got %d)", r);
	CHECK(strstr(detail.text, "not a regular file") != NULL,
	      "FIFO detail: %s", detail.text);
	r = read_file("missing", &o, &b, &detail);
	CHECK(r == -ENOENT && is_cleared(&b), "missing: -ENOENT (got %d)", r);
	CHECK_STR(detail.text, "does not exist", "missing detail");
	r = read_file("missing/deeper", &o, &b, &detail);
	CHECK(r == -ENOENT, "missing directory: -ENOENT (got %d)", r);
	r = read_file("raw/deeper", &o, &b, &detail);
	CHECK(r == -ENOTDIR &&
		  strncmp(detail.text, "cannot be opened: ", 18) == 0,
	      "file as a directory: -ENOTDIR (got %d: %s)", r, detail.text);

	/* A NULL detail.text, and a short one. */
	{
		struct key_source src;

		path_of(p, sizeof(p), "missing");
		key_source_parse(p, &src);
		r = key_source_read(&src, &o, &b, NULL);
		CHECK(r == -ENOENT, "NULL detail is fine (got %d)", r);
	}
}

static void test_key_sizes(void)
{
	struct key_source_opts o = KEY_SOURCE_OPTS_DEFAULT;
	struct secbuf b;
	struct fsp_problem detail = {0};
	char hex[80];
	int r;

	o.size = 32;
	put("raw32", key64, 32, 0600);
	r = read_file("raw32", &o, &b, &detail);
	CHECK(r == 0 && b.len == 32 && memcmp(b.data, key64, 32) == 0,
	      "keysize 32: raw 32-byte file (r=%d: %s)", r, detail.text);
	secbuf_free(&b);
	to_hex(key64 + 7, 32, hex, 0);
	hex[64] = '\n';
	put("hex32", hex, 65, 0600);
	r = read_file("hex32", &o, &b, &detail);
	CHECK(r == 0 && b.len == 32 && memcmp(b.data, key64 + 7, 32) == 0,
	      "keysize 32: 64 hex digits and a newline (r=%d: %s)", r,
	      detail.text);
	secbuf_free(&b);
	/* 64 raw bytes have a 32-byte key's hex length, but are not hex. */
	r = read_file("raw", &o, &b, &detail);
	CHECK(r == -EBADMSG && is_cleared(&b),
	      "keysize 32: 64 raw bytes: -EBADMSG (got %d)", r);
	CHECK_STR(detail.text,
		  "is 64 bytes long, as a hex key would be, but holds "
		  "characters that are not hex digits",
		  "keysize 32: 64 raw bytes detail");
	r = read_file("short", &o, &b, &detail);
	CHECK(r == -EMSGSIZE, "keysize 32: 63 bytes: -EMSGSIZE (got %d)", r);
	CHECK_STR(detail.text,
		  "is 63 bytes, but a 32-byte key file must be 32 bytes (raw) "
		  "or 64 bytes (hex, optional newline)",
		  "keysize 32 size detail");

	o.size = 16;
	r = read_file("raw32", &o, &b, &detail);
	CHECK(
	    r == -EBADMSG && strncmp(detail.text, "is 32 bytes long,", 17) == 0,
	    "keysize 16: 32 raw bytes: -EBADMSG (got %d: %s)", r, detail.text);

	o.size = 15;
	r = read_file("raw", &o, &b, &detail);
	CHECK(r == -EINVAL && is_cleared(&b), "keysize 15: -EINVAL (got %d)",
	      r);
	CHECK_STR(detail.text,
		  "key size 15 is outside the 16-64 bytes fscrypt accepts",
		  "keysize 15 detail");
	o.size = 65;
	r = read_file("raw", &o, &b, &detail);
	CHECK(r == -EINVAL, "keysize 65: -EINVAL (got %d)", r);
	CHECK_STR(detail.text,
		  "key size 65 is outside the 16-64 bytes fscrypt accepts",
		  "keysize 65 detail");
}

/* Reads from a pipe that first delivers data[0..len) and then EOF. */
static int read_pipe(const void *data, size_t len,
		     const struct key_source_opts *o, struct secbuf *b,
		     struct fsp_problem *detail)
{
	struct key_source src;
	char spec[32];
	int p[2], r;

	if (pipe(p) < 0)
		return -9999;
	if (len && write(p[1], data, len) != (ssize_t)len) {
		close(p[0]);
		close(p[1]);
		return -9999;
	}
	close(p[1]);
	snprintf(spec, sizeof(spec), "fd:%d", p[0]);
	r = key_source_parse(spec, &src);
	if (r == 0) {
		problem_text(detail, "%s", "");
		r = key_source_read(&src, o, b, detail);
	}
	close(p[0]);
	return r;
}

static void test_fd(void)
{
	struct key_source_opts o = KEY_SOURCE_OPTS_DEFAULT;
	struct secbuf b;
	struct fsp_problem detail = {0};
	char hex[140];
	int r;

	r = read_pipe(key64, 64, &o, &b, &detail);
	CHECK(r == 0 && b.len == 64 && memcmp(b.data, key64, 64) == 0,
	      "fd: 64 raw bytes from a pipe (r=%d: %s)", r, detail.text);
	secbuf_free(&b);

	to_hex(key64, 64, hex, 0);
	hex[128] = '\n';
	r = read_pipe(hex, 129, &o, &b, &detail);
	CHECK(r == 0 && b.len == 64 && memcmp(b.data, key64, 64) == 0,
	      "fd: hex and newline from a pipe (r=%d: %s)", r, detail.text);
	secbuf_free(&b);

	/* A pipe is not subject to the mode check. */
	o.size = 16;
	r = read_pipe(key64 + 3, 16, &o, &b, &detail);
	CHECK(r == 0 && b.len == 16 && memcmp(b.data, key64 + 3, 16) == 0,
	      "fd: a 16-byte key (r=%d: %s)", r, detail.text);
	secbuf_free(&b);
	o.size = 64;

	/* Too many bytes: 2*64+2 = 130 is one more than any valid form. */
	memset(hex, 'a', sizeof(hex));
	r = read_pipe(hex, 130, &o, &b, &detail);
	CHECK(r == -EFBIG && is_cleared(&b), "fd: 130 bytes: -EFBIG (got %d)",
	      r);
	CHECK_STR(detail.text,
		  "delivers more than 129 bytes, too many for a 64-byte key "
		  "in either form",
		  "fd -EFBIG detail");
	r = read_pipe(hex, 140, &o, &b, &detail);
	CHECK(r == -EFBIG, "fd: 140 bytes: -EFBIG (got %d)", r);
	r = read_pipe(hex, 129, &o, &b, &detail);
	CHECK(r == -EMSGSIZE &&
		  strncmp(detail.text, "holds 129 bytes", 15) == 0,
	      "fd: 129 bytes, no newline: -EMSGSIZE (got %d: %s)", r,
	      detail.text);
	o.size = 16;
	r = read_pipe(hex, 34, &o, &b, &detail);
	CHECK(r == -EFBIG, "fd: 34 bytes for a 16-byte key: -EFBIG (got %d)",
	      r);
	CHECK_STR(detail.text,
		  "delivers more than 33 bytes, too many for a 16-byte key "
		  "in either form",
		  "fd -EFBIG detail for 16 bytes");
	o.size = 64;

	r = read_pipe(NULL, 0, &o, &b, &detail);
	CHECK(r == -EMSGSIZE && is_cleared(&b),
	      "fd: nothing: -EMSGSIZE (got %d)", r);
	CHECK_STR(detail.text,
		  "holds 0 bytes, but a key must be 64 raw bytes or 128 hex "
		  "digits (and an optional newline)",
		  "fd: empty detail");

	/* A closed descriptor. */
	{
		struct key_source src;
		int fd = dup(0);

		if (fd < 0)
			fd = 250;
		else
			close(fd);
		src.kind = KEY_SOURCE_FD;
		src.fd = fd;
		detail.text[0] = '\0';
		r = key_source_read(&src, &o, &b, &detail);
		CHECK(r == -EBADF && is_cleared(&b),
		      "fd: closed descriptor: -EBADF (got %d)", r);
		CHECK_STR(detail.text, "is not an open file descriptor",
			  "fd: -EBADF detail");
	}

	/* A descriptor open on a regular file, read from its offset. */
	{
		char p[256];
		struct key_source src;
		int fd;

		path_of(p, sizeof(p), "raw");
		fd = open(p, O_RDONLY | O_CLOEXEC);
		src.kind = KEY_SOURCE_FD;
		src.fd = fd;
		r = key_source_read(&src, &o, &b, &detail);
		CHECK(fd >= 0 && r == 0 && b.len == 64 &&
			  memcmp(b.data, key64, 64) == 0,
		      "fd: open regular file (r=%d: %s)", r, detail.text);
		secbuf_free(&b);
		r = key_source_read(&src, &o, &b, &detail);
		CHECK(r == -EMSGSIZE,
		      "fd: the same descriptor again is at EOF (got %d)", r);
		if (fd >= 0)
			close(fd);
	}
}

/*
 * --key-format auto, input of exactly the key size, all hex digits: a raw
 * key of that size, or a key of half the size in hex. Refused, whatever
 * the case of the digits and wherever they come from; anything that is
 * not all hex digits is the raw key it always was.
 */
static void test_ambiguous(void)
{
	static const char want[] =
	    "is 64 hex digits and nothing else, so it may be a 64-byte raw "
	    "key or a 32-byte key in hex, and the format auto cannot tell "
	    "which";
	struct key_source_opts o = KEY_SOURCE_OPTS_DEFAULT;
	uint8_t half[32], odd[64];
	struct secbuf b;
	struct fsp_problem detail = {0};
	char hex[80];
	int r;

	for (size_t i = 0; i < sizeof(half); i++)
		half[i] = (uint8_t)(i * 37 + 11);
	to_hex(half, 32, hex, 0);
	put("amb", hex, 64, 0600);
	r = read_file("amb", &o, &b, &detail);
	CHECK(r == -ENOTUNIQ && is_cleared(&b),
	      "auto, 64 bytes of hex digits: -ENOTUNIQ (got %d)", r);
	CHECK_STR(detail.text, want, "ambiguous detail");
	to_hex(half, 32, hex, 1);
	put("AMB", hex, 64, 0600);
	r = read_file("AMB", &o, &b, &detail);
	CHECK(r == -ENOTUNIQ, "the same in uppercase (got %d)", r);
	r = read_pipe(hex, 64, &o, &b, &detail);
	CHECK(r == -ENOTUNIQ && is_cleared(&b),
	      "the same from a descriptor (got %d)", r);

	/* Named, each reading works. */
	o.format = KEY_FORMAT_RAW;
	r = read_file("amb", &o, &b, &detail);
	to_hex(half, 32, hex, 0);
	CHECK(r == 0 && b.len == 64 && memcmp(b.data, hex, 64) == 0,
	      "keyformat=raw: the 64 characters are the key (r=%d: %s)", r,
	      detail.text);
	secbuf_free(&b);
	o.format = KEY_FORMAT_HEX;
	o.size = 32;
	r = read_file("amb", &o, &b, &detail);
	CHECK(r == 0 && b.len == 32 && memcmp(b.data, half, 32) == 0,
	      "keyformat=hex, keysize=32: the 32-byte key (r=%d: %s)", r,
	      detail.text);
	secbuf_free(&b);
	o = KEY_SOURCE_OPTS_DEFAULT;

	/* One byte that is no hex digit, and it is raw again. */
	to_hex(half, 32, hex, 0);
	hex[40] = 'g';
	put("notamb", hex, 64, 0600);
	r = read_file("notamb", &o, &b, &detail);
	CHECK(r == 0 && b.len == 64 && memcmp(b.data, hex, 64) == 0,
	      "63 hex digits and a 'g': a raw key (r=%d: %s)", r, detail.text);
	secbuf_free(&b);
	/* 0x10-0x19 are the digits with bit 5 cleared: not hex digits. */
	for (size_t i = 0; i < sizeof(odd); i++)
		odd[i] = (uint8_t)(0x10 + i % 10);
	r = read_pipe(odd, 64, &o, &b, &detail);
	CHECK(r == 0 && b.len == 64 && memcmp(b.data, odd, 64) == 0,
	      "bytes 0x10-0x19 are not digits: a raw key (r=%d: %s)", r,
	      detail.text);
	secbuf_free(&b);
	r = read_file("raw", &o, &b, &detail);
	CHECK(r == 0 && b.len == 64, "a random raw key still reads (r=%d)", r);
	secbuf_free(&b);

	/* Every size whose half is a key size: 32 (a 16-byte key in hex). */
	o.size = 32;
	r = read_pipe(hex, 32, &o, &b, &detail);
	CHECK(r == -ENOTUNIQ && strstr(detail.text, "a 16-byte key in hex"),
	      "keysize 32, 32 hex digits: -ENOTUNIQ (got %d: %s)", r,
	      detail.text);
	o.size = 30;
	r = read_pipe(hex, 30, &o, &b, &detail);
	CHECK(r == 0 && b.len == 30,
	      "keysize 30: half of it is no key size, raw (r=%d: %s)", r,
	      detail.text);
	secbuf_free(&b);
}

static void cleanup(void)
{
	static const char *const names[] = {
	    "raw",  "hex",    "hexnl",	  "HEX",  "short", "empty",
	    "big",  "nothex", "readable", "mode", "owned", "link",
	    "fifo", "raw32",  "hex32",	  "amb",  "AMB",   "notamb",
	};
	char p[256];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		path_of(p, sizeof(p), names[i]);
		unlink(p);
	}
	path_of(p, sizeof(p), "subdir");
	rmdir(p);
	rmdir(dir);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/fsp-keysrc-XXXXXX",
		 tmp && *tmp && strlen(tmp) < 32 ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		printf("not ok 1 - mkdtemp %s: %s\n", dir, strerror(errno));
		return 1;
	}
	for (size_t i = 0; i < sizeof(key64); i++)
		key64[i] = (uint8_t)(i * 151 + 7);
	/* Raw key bytes that are not all hex digits. */
	key64[0] = 0xff;

	test_parse();
	test_format_parse();
	test_files();
	test_key_sizes();
	test_fd();
	test_ambiguous();
	cleanup();
	return UNIT_DONE();
}
