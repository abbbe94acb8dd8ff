// SPDX-License-Identifier: MIT
/*
 * The boot PCR's phases as the helper reads them from the record: one
 * extension past the boot's value leaves the running system's slots
 * open, two close them; and the initramfs's init= rule.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "keysource/boot_pcr.h"
#include "unit.h"

/* SHA-256 of 32 zero bytes then SHA-256(TPM2_BOOT_EVENT), and that again:
 * PCR 15 from its reset value after one and two extensions (computed with
 * Python's hashlib, not with the code under test). */
#define ZERO64                                                                 \
	"0000000000000000000000000000000000000000000000000000000000000000"
#define ONCE "3210ef9475070f82924106f6eaa8679c9bf0c27a0bcd0be4e3fa04b6726a3f83"
#define TWICE "5554a32ba1cb45a1c352bad0ea47d2d723ae904ccc32bca8975fddf1c4bcb6e9"

static void set(struct tpm2_boot_record *r, const char *b, const char *a)
{
	snprintf(r->before, sizeof(r->before), "%s", b);
	snprintf(r->after, sizeof(r->after), "%s", a);
}

static void test_system_open(void)
{
	struct tpm2_boot_record r;

	set(&r, ZERO64, ONCE);
	CHECK(tpm2_boot_system_open(&r), "one extension: the system's phase");
	set(&r, ZERO64, TWICE);
	CHECK(!tpm2_boot_system_open(&r), "two: no phase open");
	set(&r, ONCE, TWICE);
	CHECK(tpm2_boot_system_open(&r),
	      "one past a boot value that was not zero");
	set(&r, ZERO64, ZERO64);
	CHECK(!tpm2_boot_system_open(&r), "not extended: not that phase");
	set(&r, "zz", ONCE);
	CHECK(!tpm2_boot_system_open(&r), "a record that is no hex");
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		abort();
}

static void test_init_replaced(void)
{
	char dir[] = "/tmp/fsp-unit-boot-XXXXXX", cmd[64];

	if (!mkdtemp(dir))
		abort();
	snprintf(cmd, sizeof(cmd), "%s/cmdline", dir);
	put(cmd, "BOOT_IMAGE=/vmlinuz root=/dev/vda ro init=/bin/sh quiet\n");
	CHECK(tpm2_boot_init_replaced(cmd), "init=/bin/sh");
	put(cmd, "root=/dev/vda rd.init=x noinit=1 quiet\n");
	CHECK(!tpm2_boot_init_replaced(cmd),
	      "words that only contain init= are not it");
	put(cmd, "init=/usr/bin/busybox");
	CHECK(tpm2_boot_init_replaced(cmd), "init= first, and no newline");
	put(cmd, "root=/dev/vda init=/sbin/init quiet\n");
	CHECK(!tpm2_boot_init_replaced(cmd), "init=/sbin/init is the init");
	put(cmd, "init=/lib/systemd/systemd\n");
	CHECK(!tpm2_boot_init_replaced(cmd), "and so is systemd by hand");
	put(cmd, "init=/lib/systemd/systemd-shell\n");
	CHECK(tpm2_boot_init_replaced(cmd), "a name that starts so is not");
	unlink(cmd);
	CHECK(!tpm2_boot_init_replaced(cmd), "no command line to read");
	rmdir(dir);
}

int main(void)
{
	test_system_open();
	test_init_replaced();
	return UNIT_DONE();
}
