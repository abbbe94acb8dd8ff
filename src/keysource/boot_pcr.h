/* SPDX-License-Identifier: MIT */
/*
 * The boot PCR (TPM2_BOOT_PCR, keysource/tpm2_companion.h) and its phases.
 * A boot starts at the PCR's boot value, where the initramfs's tpm2 slots
 * unseal; the initramfs extends it once when fscrypt-provision is done
 * there (tpm2-extend), which opens the running system's phase, where only
 * slots sealed for it (TPM2_FLAG_SYSTEM) unseal; the generator's end unit,
 * and every shell first, extend it again (tpm2-extend --final), and nothing
 * unseals until the next boot. Every tpm2 slot is sealed to the boot value,
 * or to that value extended once, which enroll on the running system can
 * no longer read from the TPM: the first extension leaves it in a record
 * on /run, which outlives switch_root. The record is not secret: it holds
 * two PCR values.
 */
#ifndef FSP_KEYSOURCE_BOOT_PCR_H
#define FSP_KEYSOURCE_BOOT_PCR_H

#include <stdbool.h>
#include <stddef.h>

#include "shared/problem.h"
#include "shared/writers_lock.h"

#define TPM2_BOOT_RECORD_NAME "tpm2-boot-pcr"
#define TPM2_BOOT_HEX 64

/* The boot PCR's SHA-256 values before this boot's first extension and
 * after its last, in hex; "BEFORE,AFTER" in arg, as the companion takes
 * it. */
struct tpm2_boot_record {
	char before[TPM2_BOOT_HEX + 1];
	char after[TPM2_BOOT_HEX + 1];
	char arg[2 * TPM2_BOOT_HEX + 2];
};

/*
 * Extends the boot PCR through the companion, and records it in
 * FSP_LOCK_DIR: the boot's first record keeps its before for good. One
 * extension ends the initramfs's phase: the slots of the running system's
 * (TPM2_FLAG_SYSTEM) unseal until the next one. With final, it extends until
 * those do not either. 0 with rec filled, or -errno with why set: -ENODEV when
 * there is no TPM (device missing) or no companion.
 */
int tpm2_boot_extend(const char *device, bool final,
		     struct tpm2_boot_record *rec, struct fsp_problem *why);

/* Whether rec's after is its before extended once by fscrypt-provision:
 * the running system's slots unseal. */
bool tpm2_boot_system_open(const struct tpm2_boot_record *rec);

/*
 * Whether the kernel command line (cmdline: /proc/cmdline) names another
 * init than /sbin/init or a systemd (init=/bin/sh): the initramfs's
 * extension must then be final, since the system that follows is not the
 * one whose boot units end the running system's phase.
 */
bool tpm2_boot_init_replaced(const char *cmdline);

/* This boot's record: 1 with rec filled, 0 when there is none, or -errno
 * (-EBADMSG, -EPERM) with why set. */
int tpm2_boot_record_read(struct tpm2_boot_record *rec,
			  struct fsp_problem *why);

#endif
