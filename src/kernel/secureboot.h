/* SPDX-License-Identifier: MIT */
/*
 * Secure Boot's state, as the firmware reports it. With it off, PCR 7 has
 * the same value whatever booted, so a policy on PCR 7 alone binds
 * nothing of the boot chain (enroll --tpm2 warns).
 */
#ifndef FSP_KERNEL_SECUREBOOT_H
#define FSP_KERNEL_SECUREBOOT_H

#include <stdint.h>

/* PCRs that measure the boot chain itself: firmware (0), option ROMs
 * (2), boot loader and kernel images (4), what GRUB runs and reads (8,
 * 9), a UKI (11) and its command line (12). */
#define BOOT_CHAIN_PCRS                                                        \
	((1u << 0) | (1u << 2) | (1u << 4) | (1u << 8) | (1u << 9) |           \
	 (1u << 11) | (1u << 12))

/* 1 when Secure Boot is on; 0 when it is off, or the machine has no UEFI;
 * -errno when the firmware's variable cannot be read. */
int secure_boot_state(void);

#endif
