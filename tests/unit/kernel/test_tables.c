// SPDX-License-Identifier: MIT
/*
 * Reading the kernel's tables without sscanf: the word splitter, the
 * mountinfo lookup (escapes, optional fields, UBIFS sources, fields too
 * long) and the /proc/keys reader (which lines count).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "basic/split.h"
#include "kernel/keyring.h"
#include "kernel/mountinfo.h"
#include "unit.h"

static void test_split(void)
{
	char s[] = "  a\tbb  c\n", t[] = "1 2 3 4", e[] = " \t\n";
	char *w[3];

	CHECK(split_words(s, w, 3) == 3, "three words among spaces and tabs");
	CHECK_STR(w[0], "a", "first word");
	CHECK_STR(w[1], "bb", "second word");
	CHECK_STR(w[2], "c", "the newline ends the last");
	CHECK(split_words(t, w, 3) == 4, "more words than room: max + 1");
	CHECK_STR(w[2], "3", "the first max are cut");
	CHECK(split_words(e, w, 3) == 0, "blank line: no words");
}

/* Looks dev and real up in the mountinfo text; 0 or -ENOENT. */
static int find(const char *text, dev_t dev, const char *real,
		struct mount_info *m)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int r;

	if (!f)
		return -1;
	memset(m, 0, sizeof(*m));
	r = mountinfo_find(f, dev, real, m);
	fclose(f);
	return r;
}

static const char mounts[] =
    "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
    "30 22 8:2 / /my\\040data rw shared:5 master:2 - ext4 /dev/sda2 rw\n"
    "31 22 0:44 / /nand rw - ubifs ubi0:data rw,assert=read-only\n"
    "32 22 8:3 / /odd rw - ext4\n"
    "33 22 8:3 / /nodash rw ext4 /dev/sda3 rw\n"
    "34 22 8:1 /sub /bind rw - ext4 /dev/sda1 rw\n";

static void test_mountinfo(void)
{
	struct mount_info m;
	char longline[PATH_MAX + 64];

	CHECK(find(mounts, makedev(8, 2), "/my data/x", &m) == 0,
	      "escaped mountpoint, two optional fields");
	CHECK_STR(m.mountpoint, "/my data", "\\040 is a space");
	CHECK_STR(m.source, "/dev/sda2", "source after the separator");
	CHECK(find(mounts, makedev(0, 44), "/nand/f", &m) == 0,
	      "UBIFS: no block device");
	CHECK_STR(m.fstype, "ubifs", "UBIFS type");
	CHECK_STR(m.source, "ubi0:data", "UBIFS source ubiX:NAME");
	CHECK(find(mounts, makedev(8, 3), "/odd", &m) == -ENOENT,
	      "a line without a source is skipped");
	CHECK(find(mounts, makedev(8, 3), "/nodash", &m) == -ENOENT,
	      "a line without the separator is skipped");
	CHECK(find(mounts, makedev(8, 1), "/bind/x", &m) == 0,
	      "the deepest mount of the device wins");
	CHECK_STR(m.mountpoint, "/bind", "deepest mountpoint");
	CHECK(find(mounts, makedev(8, 1), "/etc", &m) == 0 &&
		  strcmp(m.mountpoint, "/") == 0,
	      "the root holds the rest");
	snprintf(longline, sizeof(longline),
		 "40 22 8:9 / /%0*d rw - ext4 x rw\n", PATH_MAX, 0);
	CHECK(find(longline, makedev(8, 9), "/", &m) == -ENOENT,
	      "a mountpoint longer than PATH_MAX is skipped, not cut");
	CHECK(find("41 22 8:x / / rw - ext4 x rw\n", makedev(8, 0), "/", &m) ==
		  -ENOENT,
	      "a bad device number is skipped");
}

static size_t keys_in(const char *text)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	struct proc_key *v;
	size_t n;

	if (!f)
		return (size_t)-1;
	n = proc_keys_read(f, &v);
	free(v);
	fclose(f);
	return n;
}

static void test_proc_keys(void)
{
	CHECK(keys_in("1a2b3c4d I--Q---     1 perm 3f010000     0     0 "
		      "fscrypt-p fscrypt:00112233: 64 [fscrypt-provisioning]\n"
		      "0badcafe I--Q---     2 3d 3f030000     0     0 keyring "
		      "_ses: 1\n") == 2,
	      "two keys");
	CHECK(keys_in("zz I--Q--- 1 perm\n") == 0, "a serial that is not hex");
	CHECK(keys_in("1a2b3c4d I--Q---\n") == 0, "a line cut short");
	CHECK(keys_in("1a2b3c4d00 I--Q--- 1 perm\n") == 0,
	      "a serial over 32 bits");
}

int main(void)
{
	test_split();
	test_mountinfo();
	test_proc_keys();
	return UNIT_DONE();
}
