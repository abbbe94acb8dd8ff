// SPDX-License-Identifier: MIT
/* fscrypttab(5) parsing: every field of good tables, exact error messages. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tab/fscrypttab.h"
#include "unit.h"

#define VOLMSG                                                                 \
	": use 1-64 of A-Z a-z 0-9 _ . + @ -, not starting with '.' or '-'"
#define DIRMSG                                                                 \
	" must be a clean path relative to the mountpoint (no leading "        \
	"'/', '.', '..' or '//')"
#define SRCMSG                                                                 \
	": expected an absolute path, file:PATH, fd:N, slots:PATH or none"
#define MISSING "missing fields: expected name, mountpoint and key source, got "

static const uint8_t id_kat[FSP_KEY_IDENTIFIER_SIZE] = {
    0x69, 0xb2, 0xf6, 0xed, 0xee, 0xe7, 0x20, 0xcc,
    0xe0, 0x57, 0x79, 0x37, 0xeb, 0x8a, 0x67, 0x51};

static int parse(const char *text, size_t len, struct fscrypttab *tab,
		 struct fsp_problem *err)
{
	memset(tab, 0, sizeof(*tab));
	problem_text(err, "%s", "");
	return fscrypttab_parse(text, len, "t", tab, err);
}

static int parse_str(const char *text, struct fscrypttab *tab,
		     struct fsp_problem *err)
{
	return parse(text, strlen(text), tab, err);
}

/* Parses text (len bytes), expecting exactly the error "want". */
static void bad_len(const char *text, size_t len, const char *want)
{
	struct fscrypttab tab;
	struct fsp_problem err = {0};
	int r;

	tab.entries = NULL;
	tab.n = 12345;
	err.text[0] = '\0';
	r = fscrypttab_parse(text, len, "t", &tab, &err);
	CHECK(r == -EINVAL && tab.n == 12345 && tab.entries == NULL,
	      "rejected, table untouched (r=%d): %s", r, want);
	CHECK_STR(err.text, want, "error message");
}

static void bad(const char *text, const char *want)
{
	bad_len(text, strlen(text), want);
}

static int dirs_are(const struct tab_entry *e, size_t n, const char *d0,
		    const char *d1)
{
	if (e->n_dirs != n)
		return 0;
	if (n == 0)
		return e->dirs == NULL;
	if (strcmp(e->dirs[0], d0) != 0)
		return 0;
	return n < 2 || strcmp(e->dirs[1], d1) == 0;
}

/* Every field of an entry with no options at all. */
static int is_plain(const struct tab_entry *e)
{
	return !e->nofail && !e->raw_fallback && !e->initramfs &&
	       e->key_lifetime == 0 && !e->has_identifier &&
	       e->key_opts.format == KEY_FORMAT_AUTO &&
	       e->key_opts.size == 64 && !e->key_opts.allow_readable;
}

static void test_good_table(void)
{
	static const char text[] =
	    "# fscrypttab for the unit test\n"
	    "\n"
	    "home /home /etc/keys/home.key - -\n"
	    "data\t/srv/data\tfile:/etc/keys/data.hex\tprojects,shared/team\t"
	    "nofail,key-lifetime=30,keyformat=hex,keysize=32,allow-readable,"
	    "raw-fallback,initramfs,identifier=69b2f6edeee720cce0577937eb8a6751"
	    "   # trailing comment\n"
	    "spaces \"/mnt/my data\" \"/etc/keys/a \\\"q\\\" \\\\b.key\" "
	    "'dir one,dir\\two' defaults\r\n"
	    "esc /mnt/with\\ space fd:3\n"
	    "   # indented comment\n"
	    "nokey / none\n"
	    "dash /mnt/x - - -\n"
	    " \t  \n"
	    "A_b.c+d@e-f /mnt/a\"b c\"d'' fd:0 x\n"
	    "last /mnt/last /k - keyformat=raw,keyformat=auto,,nofail";
	struct fscrypttab tab;
	const struct tab_entry *e;
	struct fsp_problem err = {0};
	int r;

	r = parse(text, sizeof(text) - 1, &tab, &err);
	CHECK(r == 0, "good table parses (r=%d: %s)", r, err.text);
	CHECK(tab.n == 8, "8 entries (got %zu)", tab.n);
	if (r != 0 || tab.n != 8) {
		fscrypttab_free(&tab);
		return;
	}

	e = &tab.entries[0];
	CHECK_STR(e->name, "home", "0: name");
	CHECK_STR(e->mountpoint, "/home", "0: mountpoint");
	CHECK(e->has_mountpoint, "0: has a mountpoint");
	CHECK(e->has_source && e->source.kind == KEY_SOURCE_FILE,
	      "0: a key file");
	CHECK_STR(e->source.path, "/etc/keys/home.key", "0: key path");
	CHECK(dirs_are(e, 0, NULL, NULL), "0: dirs '-' means none");
	CHECK(is_plain(e), "0: options '-' are the defaults");
	CHECK(e->line == 3, "0: line 3 (got %u)", e->line);

	e = &tab.entries[1];
	CHECK_STR(e->name, "data", "1: name");
	CHECK_STR(e->mountpoint, "/srv/data", "1: mountpoint (tabs)");
	CHECK(e->has_source && e->source.kind == KEY_SOURCE_FILE,
	      "1: file: source");
	CHECK_STR(e->source.path, "/etc/keys/data.hex", "1: file: path");
	CHECK(dirs_are(e, 2, "projects", "shared/team"),
	      "1: dirs projects, shared/team");
	CHECK(e->nofail, "1: nofail");
	CHECK(e->key_lifetime == 30 && !e->lifetime_as_timeout,
	      "1: key-lifetime 30 (got %u)", e->key_lifetime);
	CHECK(e->key_opts.format == KEY_FORMAT_HEX, "1: keyformat hex");
	CHECK(e->key_opts.size == 32, "1: keysize 32 (got %zu)",
	      e->key_opts.size);
	CHECK(e->key_opts.allow_readable, "1: allow-readable");
	CHECK(e->raw_fallback, "1: raw-fallback");
	CHECK(e->initramfs, "1: initramfs");
	CHECK(e->has_identifier &&
		  memcmp(e->identifier, id_kat, sizeof(id_kat)) == 0,
	      "1: identifier");
	CHECK(e->line == 4, "1: line 4 (got %u)", e->line);

	e = &tab.entries[2];
	CHECK_STR(e->name, "spaces", "2: name");
	CHECK_STR(e->mountpoint, "/mnt/my data", "2: double-quoted mountpoint");
	CHECK(e->has_source && e->source.kind == KEY_SOURCE_FILE,
	      "2: key file");
	CHECK_STR(e->source.path, "/etc/keys/a \"q\" \\b.key",
		  "2: \\\" and \\\\ escapes");
	CHECK(dirs_are(e, 2, "dir one", "dir\\two"),
	      "2: single quotes are literal");
	CHECK(is_plain(e), "2: 'defaults' are the defaults");
	CHECK(e->line == 5, "2: line 5, CRLF (got %u)", e->line);

	e = &tab.entries[3];
	CHECK_STR(e->name, "esc", "3: name");
	CHECK_STR(e->mountpoint, "/mnt/with space", "3: backslash-space");
	CHECK(e->has_source && e->source.kind == KEY_SOURCE_FD &&
		  e->source.fd == 3,
	      "3: fd:3");
	CHECK(dirs_are(e, 0, NULL, NULL) && is_plain(e),
	      "3: three fields, no dirs, defaults");
	CHECK(e->line == 6, "3: line 6 (got %u)", e->line);

	e = &tab.entries[4];
	CHECK_STR(e->name, "nokey", "4: name");
	CHECK_STR(e->mountpoint, "/", "4: mountpoint /");
	CHECK(e->has_mountpoint, "4: / is a mountpoint");
	CHECK(!e->has_source, "4: none");
	CHECK(e->line == 8, "4: line 8 (got %u)", e->line);

	e = &tab.entries[5];
	CHECK_STR(e->name, "dash", "5: name");
	CHECK(!e->has_source && dirs_are(e, 0, NULL, NULL) && is_plain(e),
	      "5: '-' source, dirs and options");
	CHECK(e->line == 9, "5: line 9 (got %u)", e->line);

	e = &tab.entries[6];
	CHECK_STR(e->name, "A_b.c+d@e-f", "6: name with all punctuation");
	CHECK_STR(e->mountpoint, "/mnt/ab cd", "6: quotes inside a field");
	CHECK(e->has_source && e->source.kind == KEY_SOURCE_FD &&
		  e->source.fd == 0,
	      "6: fd:0");
	CHECK(dirs_are(e, 1, "x", NULL), "6: one dir");
	CHECK(e->line == 11, "6: line 11 (got %u)", e->line);

	e = &tab.entries[7];
	CHECK_STR(e->name, "last", "7: name");
	CHECK(e->key_opts.format == KEY_FORMAT_AUTO,
	      "7: the last keyformat wins");
	CHECK(e->nofail && !e->initramfs, "7: empty option skipped");
	CHECK(e->line == 12, "7: last line without newline (got %u)", e->line);

	CHECK(fscrypttab_find(&tab, "data") == &tab.entries[1], "find data");
	CHECK(fscrypttab_find(&tab, "last") == &tab.entries[7], "find last");
	CHECK(fscrypttab_find(&tab, "Data") == NULL, "find is case-sensitive");
	CHECK(fscrypttab_find(&tab, "nope") == NULL, "find nope");

	fscrypttab_free(&tab);
	CHECK(tab.n == 0 && tab.entries == NULL, "free empties the table");
	fscrypttab_free(&tab);
}

static void test_small_tables(void)
{
	struct fscrypttab tab;
	struct fsp_problem err = {0};
	int r;

	r = parse("", 0, &tab, &err);
	CHECK(r == 0 && tab.n == 0 && tab.entries == NULL, "empty text");
	r = parse_str("# only\n\n   \n#x\r\n", &tab, &err);
	CHECK(r == 0 && tab.n == 0, "only comments and blanks (r=%d: %s)", r,
	      err.text);

	r = parse_str("v /m none - key-lifetime=2147483647,keysize=16\n", &tab,
		      &err);
	CHECK(r == 0 && tab.n == 1 &&
		  tab.entries[0].key_lifetime == 2147483647u &&
		  tab.entries[0].key_opts.size == 16,
	      "key-lifetime 2^31-1, keysize 16 (r=%d: %s)", r, err.text);
	fscrypttab_free(&tab);

	r = parse_str("v /m none - keysize=64,key-lifetime=1,keyformat=raw",
		      &tab, &err);
	CHECK(r == 0 && tab.n == 1 && tab.entries[0].key_lifetime == 1 &&
		  tab.entries[0].key_opts.size == 64 &&
		  tab.entries[0].key_opts.format == KEY_FORMAT_RAW,
	      "key-lifetime 1, keysize 64, keyformat raw (r=%d: %s)", r,
	      err.text);
	fscrypttab_free(&tab);

	{
		static const char t[] =
		    "v /m none - identifier=69B2F6EDEEE720CCE0577937EB8A6751";

		r = parse(t, sizeof(t) - 1, &tab, &err);
		CHECK(r == 0 && tab.n == 1 && tab.entries[0].has_identifier &&
			  memcmp(tab.entries[0].identifier, id_kat, 16) == 0,
		      "uppercase identifier (r=%d: %s)", r, err.text);
		fscrypttab_free(&tab);
	}
	{
		static const char t[] = "v \"/m#x\" \"/k#1\" - - #c\n"
					"w /a#b none";

		r = parse(t, sizeof(t) - 1, &tab, &err);
		CHECK(r == 0 && tab.n == 2, "# inside fields (r=%d: %s)", r,
		      err.text);
		if (r == 0 && tab.n == 2) {
			CHECK_STR(tab.entries[0].mountpoint, "/m#x",
				  "quoted # in a mountpoint");
			CHECK_STR(tab.entries[0].source.path, "/k#1",
				  "quoted # in a key path");
			CHECK_STR(tab.entries[1].mountpoint, "/a#b",
				  "# inside an unquoted field is literal");
		}
		fscrypttab_free(&tab);
	}

	/* Many entries, to grow the array several times. */
	{
		char t[4096], name[16];
		size_t o = 0;

		for (int i = 0; i < 37; i++)
			o += (size_t)snprintf(t + o, sizeof(t) - o,
					      "vol%d /mnt/v%d /k%d d%d\n", i, i,
					      i, i);
		r = parse(t, o, &tab, &err);
		CHECK(r == 0 && tab.n == 37, "37 entries (r=%d, n=%zu)", r,
		      tab.n);
		if (r == 0 && tab.n == 37) {
			unsigned wrong = 0;

			for (int i = 0; i < 37; i++) {
				const struct tab_entry *e;
				char mp[32], key[32], d[16];

				snprintf(name, sizeof(name), "vol%d", i);
				snprintf(mp, sizeof(mp), "/mnt/v%d", i);
				snprintf(key, sizeof(key), "/k%d", i);
				snprintf(d, sizeof(d), "d%d", i);
				e = fscrypttab_find(&tab, name);
				if (e != &tab.entries[i] ||
				    strcmp(e->mountpoint, mp) != 0 ||
				    strcmp(e->source.path, key) != 0 ||
				    !dirs_are(e, 1, d, NULL) ||
				    e->line != (unsigned)i + 1)
					wrong++;
			}
			CHECK(wrong == 0, "all 37 entries intact (%u wrong)",
			      wrong);
		}
		fscrypttab_free(&tab);
	}
}

/* Mountpoint none: provision only (what rd.fscrypt.key= adds). */
static void test_provision_only(void)
{
	static const char text[] =
	    "extra none /etc/keys/extra.key\n"
	    "more none file:/k - nofail,key-lifetime=60,identifier="
	    "69b2f6edeee720cce0577937eb8a6751\n"
	    "bare none none -\n"
	    "quoted \"none\" fd:3 '-' initramfs\n"
	    "real /none /k\n";
	struct fscrypttab tab;
	const struct tab_entry *e;
	struct fsp_problem err = {0};
	int r;

	r = parse(text, sizeof(text) - 1, &tab, &err);
	CHECK(r == 0 && tab.n == 5, "provision-only entries parse (r=%d: %s)",
	      r, err.text);
	if (r != 0 || tab.n != 5) {
		fscrypttab_free(&tab);
		return;
	}
	e = &tab.entries[0];
	CHECK(!e->has_mountpoint && e->mountpoint[0] == '\0',
	      "0: mountpoint none: no mountpoint, empty string");
	CHECK(e->has_source && e->source.kind == KEY_SOURCE_FILE &&
		  strcmp(e->source.path, "/etc/keys/extra.key") == 0,
	      "0: three fields, key file");
	CHECK(dirs_are(e, 0, NULL, NULL) && is_plain(e),
	      "0: no dirs, defaults");
	e = &tab.entries[1];
	CHECK(!e->has_mountpoint && e->has_source && e->nofail &&
		  e->key_lifetime == 60 && e->has_identifier &&
		  memcmp(e->identifier, id_kat, sizeof(id_kat)) == 0 &&
		  dirs_are(e, 0, NULL, NULL),
	      "1: '-' dirs, options nofail, key-lifetime=, identifier=");
	e = &tab.entries[2];
	CHECK(!e->has_mountpoint && !e->has_source,
	      "2: mountpoint and key source both none");
	e = &tab.entries[3];
	CHECK(!e->has_mountpoint && e->source.kind == KEY_SOURCE_FD &&
		  e->initramfs && dirs_are(e, 0, NULL, NULL),
	      "3: quoted none and quoted '-' dirs");
	e = &tab.entries[4];
	CHECK(e->has_mountpoint && strcmp(e->mountpoint, "/none") == 0,
	      "4: /none is an ordinary mountpoint");
	fscrypttab_free(&tab);

	bad("a none /k d",
	    "t:1: directories 'd' need a mountpoint; with mountpoint none "
	    "(provision only) write '-'");
	bad("a none /k d1,d2 nofail",
	    "t:1: directories 'd1,d2' need a mountpoint; with mountpoint none "
	    "(provision only) write '-'");
	bad("ok none /k\nb none none \"\"",
	    "t:2: directories '' need a mountpoint; with mountpoint none "
	    "(provision only) write '-'");
	bad("a none /k - raw-fallback",
	    "t:1: raw-fallback needs a mountpoint, not none: a raw key can "
	    "only be added to a mounted filesystem");
	bad("a none none - raw-fallback",
	    "t:1: raw-fallback needs a key source, not none");
	bad("a NONE /k",
	    "t:1: mountpoint 'NONE' must be a clean absolute path, or none");
	bad("a - /k", "t:1: mountpoint '-' must be a clean absolute path, or "
		      "none");
	/* The other fields are still checked, in field order. */
	bad("a none rel.key d", "t:1: invalid key source 'rel.key'" SRCMSG);
	bad("a none /k - bogus", "t:1: unknown option 'bogus'");
	bad("a none /k\na none /j",
	    "t:2: duplicate volume name 'a' (first defined on line 1)");
}

static void test_line_limit(void)
{
	struct fscrypttab tab;
	struct fsp_problem err = {0};
	char *t = malloc(8300);
	int r;

	if (!t) {
		CHECK(0, "malloc");
		return;
	}
	/* A valid 4095-byte line: "v /m none #" and a long comment. */
	memcpy(t, "v /m none #", 11);
	memset(t + 11, 'c', 4095 - 11);
	t[4095] = '\n';
	r = parse(t, 4096, &tab, &err);
	CHECK(r == 0 && tab.n == 1, "4095-byte line is accepted (r=%d: %s)", r,
	      err.text);
	fscrypttab_free(&tab);

	/* ... also with CRLF, as the CR is not counted. */
	t[4095] = '\r';
	t[4096] = '\n';
	r = parse(t, 4097, &tab, &err);
	CHECK(r == 0 && tab.n == 1,
	      "4095 bytes and CRLF are accepted (r=%d: %s)", r, err.text);
	fscrypttab_free(&tab);

	/* A 4095-byte field: the whole line is one long mountpoint. */
	memcpy(t, "v /", 3);
	memset(t + 3, 'm', 4095 - 3 - 5);
	memcpy(t + 4095 - 5, " none", 5);
	r = parse(t, 4095, &tab, &err);
	CHECK(r == 0 && tab.n == 1 && strlen(tab.entries[0].mountpoint) == 4088,
	      "4088-byte mountpoint in a 4095-byte line (r=%d: %s)", r,
	      err.text);
	fscrypttab_free(&tab);

	/* 4096 bytes: too long, even as a comment. */
	memcpy(t, "v /m none #", 11);
	memset(t + 11, 'c', 4096 - 11);
	t[4096] = '\n';
	bad_len(t, 4097, "t:1: line is 4096 bytes long; the limit is 4095");
	t[0] = '#';
	bad_len(t, 4096, "t:1: line is 4096 bytes long; the limit is 4095");

	/* On line 2, and far longer. */
	memcpy(t, "# x\n", 4);
	memset(t + 4, 'y', 8200);
	bad_len(t, 8204, "t:2: line is 8200 bytes long; the limit is 4095");
	free(t);
}

static void test_bad_tables(void)
{
	char name65[128], line[256];

	/* Duplicates name the first line. */
	bad("a /a none\nb /b none\n# c\na /c none\n",
	    "t:4: duplicate volume name 'a' (first defined on line 1)");
	bad("\n\nx /a none\nx /a none\n",
	    "t:4: duplicate volume name 'x' (first defined on line 3)");

	/* Options. */
	bad("a /a none - bogus", "t:1: unknown option 'bogus'");
	bad("a /a none - nofail,NOFAIL", "t:1: unknown option 'NOFAIL'");
	bad("a /a none - =5", "t:1: unknown option ''");
	bad("a /a none - bogus=1", "t:1: unknown option 'bogus'");
	bad("a /a none - timeout",
	    "t:1: option 'timeout' needs a value (timeout=...)");
	bad("a /a none - nofail,keysize",
	    "t:1: option 'keysize' needs a value (keysize=...)");
	bad("a /a none - keyformat",
	    "t:1: option 'keyformat' needs a value (keyformat=...)");
	bad("a /a none - identifier",
	    "t:1: option 'identifier' needs a value (identifier=...)");
	bad("a /a none - nofail=1", "t:1: option 'nofail' takes no value");
	bad("a /a none - allow-readable=yes",
	    "t:1: option 'allow-readable' takes no value");
	bad("a /a /k - raw-fallback=1",
	    "t:1: option 'raw-fallback' takes no value");
	bad("a /a none - initramfs=", "t:1: option 'initramfs' takes no value");

	bad("a /a none - timeout=0",
	    "t:1: timeout=0: expected a positive number of seconds");
	bad("a /a none - timeout=-1",
	    "t:1: timeout=-1: expected a positive number of seconds");
	bad("a /a none - timeout=+1",
	    "t:1: timeout=+1: expected a positive number of seconds");
	bad("a /a none - \"timeout= 5\"",
	    "t:1: timeout= 5: expected a positive number of seconds");
	bad("a /a none - \"keysize= 32\"",
	    "t:1: keysize= 32: expected 16 to 64 bytes");
	bad("a /a none - timeout=abc",
	    "t:1: timeout=abc: expected a positive number of seconds");
	bad("a /a none - timeout=30s",
	    "t:1: timeout=30s: expected a positive number of seconds");
	bad("a /a none - timeout=",
	    "t:1: timeout=: expected a positive number of seconds");
	bad("a /a none - timeout=99999999999",
	    "t:1: timeout=99999999999: expected a positive number of seconds");
	bad("a /a none - timeout=2147483648",
	    "t:1: timeout=2147483648: expected a positive number of seconds");
	bad("a /a none - keysize=15",
	    "t:1: keysize=15: expected 16 to 64 bytes");
	bad("a /a none - keysize=65",
	    "t:1: keysize=65: expected 16 to 64 bytes");
	bad("a /a none - keysize=0x20",
	    "t:1: keysize=0x20: expected 16 to 64 bytes");
	bad("a /a none - keyformat=base64",
	    "t:1: keyformat=base64: expected raw, hex or auto");
	bad("a /a none - keyformat=HEX",
	    "t:1: keyformat=HEX: expected raw, hex or auto");
	bad("a /a none - identifier=69b2f6edeee720cce0577937eb8a675",
	    "t:1: identifier=69b2f6edeee720cce0577937eb8a675: expected 32 hex "
	    "digits");
	bad("a /a none - identifier=69b2f6edeee720cce0577937eb8a67510",
	    "t:1: identifier=69b2f6edeee720cce0577937eb8a67510: expected 32 "
	    "hex digits");
	bad("a /a none - identifier=69b2f6edeee720cce0577937eb8a675g",
	    "t:1: identifier=69b2f6edeee720cce0577937eb8a675g: expected 32 "
	    "hex digits");
	bad("a /a none - identifier=",
	    "t:1: identifier=: expected 32 hex digits");

	/* Field counts. */
	bad("a", "t:1: " MISSING "1 field");
	bad("a /a", "t:1: " MISSING "2 fields");
	bad("a /a # none", "t:1: " MISSING "2 fields");
	bad("a /a none - - extra",
	    "t:1: too many fields (at most 5: name, mountpoint, key source, "
	    "directories, options)");
	bad("# one\n# two\nbad\n", "t:3: " MISSING "1 field");
	bad("# a\r\n\r\nx y\r\n", "t:3: " MISSING "2 fields");

	/* Quoting. */
	bad("a \"/a none", "t:1: unterminated \" quote");
	bad("a '/a none", "t:1: unterminated ' quote");
	bad("a /a none - \"nofail", "t:1: unterminated \" quote");
	bad("a /a none\\", "t:1: backslash at end of line");
	bad("a /a \"none\\", "t:1: backslash at end of line");
	bad("a /a none\\\r\n", "t:1: backslash at end of line");

	/* Volume names. */
	bad("\"\" /a none", "t:1: invalid volume name ''" VOLMSG);
	bad("-a /a none", "t:1: invalid volume name '-a'" VOLMSG);
	bad(".a /a none", "t:1: invalid volume name '.a'" VOLMSG);
	bad("a/b /a none", "t:1: invalid volume name 'a/b'" VOLMSG);
	bad("'a b' /a none", "t:1: invalid volume name 'a b'" VOLMSG);
	bad("a:b /a none", "t:1: invalid volume name 'a:b'" VOLMSG);
	memset(name65, 'n', 65);
	name65[65] = '\0';
	snprintf(line, sizeof(line), "%s /a none", name65);
	{
		char want[256];

		snprintf(want, sizeof(want), "t:1: invalid volume name '%s'%s",
			 name65, VOLMSG);
		bad(line, want);
	}
	name65[64] = '\0';
	snprintf(line, sizeof(line), "%s /a none", name65);
	{
		struct fscrypttab tab;
		struct fsp_problem err = {0};
		int r = parse_str(line, &tab, &err);

		CHECK(r == 0 && tab.n == 1 && strlen(tab.entries[0].name) == 64,
		      "64-character volume name (r=%d: %s)", r, err.text);
		fscrypttab_free(&tab);
	}

	/* Mountpoints. */
	bad("a mnt none",
	    "t:1: mountpoint 'mnt' must be a clean absolute path, or none");
	bad("a \"\" none",
	    "t:1: mountpoint '' must be a clean absolute path, or none");
	bad("a /mnt/../x none", "t:1: mountpoint '/mnt/../x' must be a clean "
				"absolute path, or none");
	bad("a /.. none",
	    "t:1: mountpoint '/..' must be a clean absolute path, or none");
	bad("a /mnt/ none",
	    "t:1: mountpoint '/mnt/' must be a clean absolute path, or none");
	bad("a //mnt none",
	    "t:1: mountpoint '//mnt' must be a clean absolute path, or none");
	bad("a /mnt//x none",
	    "t:1: mountpoint '/mnt//x' must be a clean absolute path, or none");
	bad("a /mnt/./x none", "t:1: mountpoint '/mnt/./x' must be a clean "
			       "absolute path, or none");
	bad("a /. none",
	    "t:1: mountpoint '/.' must be a clean absolute path, or none");

	/* Key sources. */
	bad("a /a rel.key", "t:1: invalid key source 'rel.key'" SRCMSG);
	bad("a /a file:rel.key",
	    "t:1: invalid key source 'file:rel.key'" SRCMSG);
	bad("a /a file:", "t:1: invalid key source 'file:'" SRCMSG);
	bad("a /a fd:x", "t:1: invalid key source 'fd:x'" SRCMSG);
	bad("a /a fd:-1", "t:1: invalid key source 'fd:-1'" SRCMSG);
	bad("a /a \"\"", "t:1: invalid key source ''" SRCMSG);
	bad("a /a NONE", "t:1: invalid key source 'NONE'" SRCMSG);

	/* Directories. */
	bad("a /a none /abs", "t:1: directory '/abs'" DIRMSG);
	bad("a /a none x/../y", "t:1: directory 'x/../y'" DIRMSG);
	bad("a /a none ..", "t:1: directory '..'" DIRMSG);
	bad("a /a none .", "t:1: directory '.'" DIRMSG);
	bad("a /a none x//y", "t:1: directory 'x//y'" DIRMSG);
	bad("a /a none x/", "t:1: directory 'x/'" DIRMSG);
	bad("a /a none ok,also/ok,/bad", "t:1: directory '/bad'" DIRMSG);
	bad("a /a none ok,x/./y - ", "t:1: directory 'x/./y'" DIRMSG);
	/* A bad option after good directories (their copies are freed). */
	bad("a /a none d1,d2 bogus", "t:1: unknown option 'bogus'");

	/* NUL bytes. */
	bad_len("a /a\0 none\n", 11, "t:1: contains a NUL byte");
	bad_len("# ok\n#\0\n", 8, "t:2: contains a NUL byte");

	/* raw-fallback needs a key. */
	bad("a /a none - raw-fallback",
	    "t:1: raw-fallback needs a key source, not none");
	bad("a /a - d nofail,raw-fallback",
	    "t:1: raw-fallback needs a key source, not none");

	/* The error is on line 3, after two comment lines and good entries. */
	bad("# c1\n  # c2\nv /m /k - timeout=zero\n",
	    "t:3: timeout=zero: expected a positive number of seconds");
	bad("ok /m /k\n# c\nbad /m /k d /x\n", "t:3: unknown option '/x'");
}

static void test_error_buffer(void)
{
	struct fscrypttab tab;
	struct fsp_problem err = {0};
	int r;

	r = fscrypttab_parse("a /a none - bogus", 17, "t", &tab, &err);
	CHECK(r == -EINVAL &&
		  strcmp(err.text, "t:1: unknown option 'bogus'") == 0 &&
		  err.err == -EINVAL && err.exit == FSP_EXIT_CONFIG,
	      "the error names the file and line, with exit 3 (got '%s')",
	      err.text);
	r = fscrypttab_parse("a /a none - bogus", 17, "t", &tab, NULL);
	CHECK(r == -EINVAL, "no problem to fill at all");
}

static void test_load(void)
{
	struct fsp_problem err = {0};
	char dir[64], path[128], want[512];
	struct fscrypttab tab;
	int r, fd;

	snprintf(dir, sizeof(dir), "/tmp/fsp-tab-XXXXXX");
	if (!mkdtemp(dir)) {
		CHECK(0, "mkdtemp: %s", strerror(errno));
		return;
	}
	snprintf(path, sizeof(path), "%s/missing", dir);
	memset(&tab, 0, sizeof(tab));
	r = fscrypttab_load(path, &tab, &err);
	CHECK(r == -ENOENT, "load missing file: -ENOENT (got %d)", r);
	snprintf(want, sizeof(want), "%s: cannot open: %s", path,
		 strerror(ENOENT));
	CHECK_STR(err.text, want, "load missing file: message");

	r = fscrypttab_load(dir, &tab, &err);
	CHECK(r == -EINVAL, "load a directory: -EINVAL (got %d)", r);
	snprintf(want, sizeof(want),
		 "%s: not a regular file of at most 1048576 bytes", dir);
	CHECK_STR(err.text, want, "load a directory: message");

	snprintf(path, sizeof(path), "%s/fscrypttab", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd >= 0) {
		static const char t[] = "# test\nhome /home /k.key home/a "
					"nofail\nsrv /srv none\n";

		if (write(fd, t, sizeof(t) - 1) != (ssize_t)(sizeof(t) - 1))
			CHECK(0, "write %s", path);
		close(fd);
	}
	r = fscrypttab_load(path, &tab, &err);
	CHECK(r == 0 && tab.n == 2, "load a real file (r=%d: %s)", r, err.text);
	if (r == 0 && tab.n == 2) {
		CHECK_STR(tab.entries[0].name, "home", "loaded entry 0 name");
		CHECK_STR(tab.entries[0].source.path, "/k.key",
			  "loaded entry 0 key");
		CHECK(dirs_are(&tab.entries[0], 1, "home/a", NULL) &&
			  tab.entries[0].nofail && tab.entries[0].line == 2,
		      "loaded entry 0 dirs, options, line");
		CHECK(strcmp(tab.entries[1].mountpoint, "/srv") == 0 &&
			  !tab.entries[1].has_source &&
			  tab.entries[1].line == 3,
		      "loaded entry 1");
	}
	fscrypttab_free(&tab);

	/* Errors name the file. */
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd >= 0) {
		static const char t[] = "ok /m none\nbad\n";

		if (write(fd, t, sizeof(t) - 1) != (ssize_t)(sizeof(t) - 1))
			CHECK(0, "write %s", path);
		close(fd);
	}
	r = fscrypttab_load(path, &tab, &err);
	CHECK(r == -EINVAL, "load a bad file: -EINVAL (got %d)", r);
	snprintf(want, sizeof(want), "%s:2: " MISSING "1 field", path);
	CHECK_STR(err.text, want, "load a bad file: message names the file");

	/* An empty file is an empty table. */
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd >= 0)
		close(fd);
	r = fscrypttab_load(path, &tab, &err);
	CHECK(r == 0 && tab.n == 0, "load an empty file (r=%d)", r);
	fscrypttab_free(&tab);

	unlink(path);
	rmdir(dir);
}

/* Many lines: the duplicate check (a hash index) names the right lines. */
static void test_many_names(void)
{
	enum { N = 3000 };
	size_t cap = (N + 1) * 32, len = 0;
	struct fsp_problem err = {0};
	char *text = malloc(cap), name[16];
	struct fscrypttab tab;
	bool all = true;

	for (int i = 0; i < N; i++)
		len += (size_t)snprintf(text + len, cap - len,
					"v%04d /m%04d none -\n", i, i);
	CHECK(parse(text, len, &tab, &err) == 0 && tab.n == N,
	      "%d distinct names parse", N);
	for (int i = 0; i < N; i += 7) {
		snprintf(name, sizeof(name), "v%04d", i);
		all &= fscrypttab_find(&tab, name) == &tab.entries[i];
	}
	CHECK(all, "each is found, in table order");
	fscrypttab_free(&tab);
	snprintf(text + len, cap - len, "v1234 /again none -\n");
	bad_len(text, strlen(text),
		"t:3001: duplicate volume name 'v1234' (first defined on line "
		"1235)");
	free(text);
}

/*
 * password-timeout=: how long a person has to answer a slots file's
 * prompts. A nofail volume has a finite default, so that it never holds up
 * a boot with nobody to type; the others wait, as crypttab's do.
 */
static void test_password_timeout(void)
{
	static const char text[] =
	    "plain /a slots:/s\n"
	    "nf /b slots:/s - nofail\n"
	    "set /c slots:/s - password-timeout=5\n"
	    "nfset /d slots:/s - password-timeout=7,nofail\n"
	    "nfzero /e slots:/s - nofail,password-timeout=0\n"
	    "big /f slots:/s - password-timeout=2147483647,key-lifetime=3\n";
	struct fscrypttab tab;
	struct fsp_problem err = {0};
	int r;

	r = parse(text, sizeof(text) - 1, &tab, &err);
	CHECK(r == 0 && tab.n == 6, "password-timeout= parses (r=%d: %s)", r,
	      err.text);
	if (r != 0 || tab.n != 6) {
		fscrypttab_free(&tab);
		return;
	}
	CHECK(tab.entries[0].password_timeout == 0 &&
		  !tab.entries[0].has_password_timeout,
	      "not nofail, not given: no limit (got %u)",
	      tab.entries[0].password_timeout);
	CHECK(tab.entries[1].password_timeout ==
		      FSCRYPTTAB_NOFAIL_PASSWORD_TIMEOUT &&
		  FSCRYPTTAB_NOFAIL_PASSWORD_TIMEOUT == 90 &&
		  !tab.entries[1].has_password_timeout,
	      "nofail, not given: 90 s (got %u)",
	      tab.entries[1].password_timeout);
	CHECK(tab.entries[2].password_timeout == 5 &&
		  tab.entries[2].has_password_timeout,
	      "given: 5 s (got %u)", tab.entries[2].password_timeout);
	CHECK(tab.entries[3].password_timeout == 7,
	      "given before nofail, it stays (got %u)",
	      tab.entries[3].password_timeout);
	CHECK(tab.entries[4].password_timeout == 0 &&
		  tab.entries[4].has_password_timeout,
	      "nofail with password-timeout=0: no limit (got %u)",
	      tab.entries[4].password_timeout);
	CHECK(tab.entries[5].password_timeout == 2147483647u &&
		  tab.entries[5].key_lifetime == 3,
	      "2^31-1, and key-lifetime= (the key's) is another option");
	fscrypttab_free(&tab);

	bad("a /a none - password-timeout",
	    "t:1: option 'password-timeout' needs a value "
	    "(password-timeout=...)");
	bad("a /a none - password-timeout=",
	    "t:1: password-timeout=: expected a number of seconds (0 for no "
	    "limit)");
	bad("a /a none - password-timeout=-1",
	    "t:1: password-timeout=-1: expected a number of seconds (0 for no "
	    "limit)");
	bad("a /a none - password-timeout=90s",
	    "t:1: password-timeout=90s: expected a number of seconds (0 for "
	    "no limit)");
	bad("a /a none - password-timeout=2147483648",
	    "t:1: password-timeout=2147483648: expected a number of seconds "
	    "(0 for no limit)");
	bad("a /a none - Password-Timeout=5",
	    "t:1: unknown option 'Password-Timeout'");
}

/*
 * key-lifetime=: the provisioning key's expiry. timeout=, its name before
 * (crypttab's timeout= is a prompt's deadline), still means the same for
 * one release, and the entry says which spelling it had.
 */
static void test_key_lifetime(void)
{
	static const char text[] = "new /a /k - key-lifetime=3600\n"
				   "old /b /k - timeout=3600\n"
				   "both /c /k - timeout=5,key-lifetime=7\n"
				   "back /d /k - key-lifetime=7,timeout=5\n"
				   "none /e /k - nofail\n";
	struct fscrypttab tab;
	const struct tab_entry *e;
	struct fsp_problem err = {0};
	int r;

	r = parse(text, sizeof(text) - 1, &tab, &err);
	CHECK(r == 0 && tab.n == 5,
	      "key-lifetime= and timeout= parse (r=%d: %s)", r, err.text);
	if (r != 0 || tab.n != 5) {
		fscrypttab_free(&tab);
		return;
	}
	e = &tab.entries[0];
	CHECK(e->key_lifetime == 3600 && !e->lifetime_as_timeout,
	      "key-lifetime=3600: 3600 s, the current spelling (got %u)",
	      e->key_lifetime);
	e = &tab.entries[1];
	CHECK(e->key_lifetime == 3600 && e->lifetime_as_timeout,
	      "timeout=3600: the same 3600 s, marked deprecated (got %u)",
	      e->key_lifetime);
	e = &tab.entries[2];
	CHECK(e->key_lifetime == 7 && !e->lifetime_as_timeout,
	      "both, key-lifetime= last: it wins (got %u)", e->key_lifetime);
	e = &tab.entries[3];
	CHECK(e->key_lifetime == 5 && e->lifetime_as_timeout,
	      "both, timeout= last: it wins, and is marked (got %u)",
	      e->key_lifetime);
	e = &tab.entries[4];
	CHECK(e->key_lifetime == 0 && !e->lifetime_as_timeout,
	      "neither: the key never expires");
	fscrypttab_free(&tab);

	bad("a /a none - key-lifetime",
	    "t:1: option 'key-lifetime' needs a value (key-lifetime=...)");
	bad("a /a none - key-lifetime=0",
	    "t:1: key-lifetime=0: expected a positive number of seconds");
	bad("a /a none - key-lifetime=1h",
	    "t:1: key-lifetime=1h: expected a positive number of seconds");
	bad("a /a none - key-lifetime=2147483648",
	    "t:1: key-lifetime=2147483648: expected a positive number of "
	    "seconds");
	bad("a /a none - key_lifetime=5", "t:1: unknown option 'key_lifetime'");
}

int main(void)
{
	test_many_names();
	test_good_table();
	test_small_tables();
	test_provision_only();
	test_password_timeout();
	test_key_lifetime();
	test_line_limit();
	test_bad_tables();
	test_error_buffer();
	test_load();
	return UNIT_DONE();
}
