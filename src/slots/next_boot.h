/* SPDX-License-Identifier: MIT */
/*
 * update pre's look at the next boot: will a slots file still open when
 * the updated image boots? Nobody can read a provisioning key, so a key
 * that no protector gives up after the update is lost for good.
 */
#ifndef FSP_SLOTS_NEXT_BOOT_H
#define FSP_SLOTS_NEXT_BOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shared/problem.h"

/* The PCRs an update changes unless told: the boot loader and kernel
 * (4), what grub and systemd-boot measure (8, 9), a UKI (11) and its
 * command line (12). PCR 7, the Secure Boot state, stays. */
#define NEXTBOOT_UPDATE_PCRS                                                   \
	((1u << 4) | (1u << 8) | (1u << 9) | (1u << 11) | (1u << 12))

struct nextboot_opts {
	uint32_t update_pcrs;  /* PCRs the update changes */
	const char *signature; /* the new image's PCR signature, or NULL */
	bool allow_readable;
	/* Nobody types at boot (update pre --headless): passphrase,
	 * recovery and tpm2+pin slots do not count. */
	bool headless;
};

/*
 * Judges the slots file at path for the next boot; each tpm2 slot's
 * verdict goes to tell() as one line. Returns 0 when the next boot can
 * open it (a tpm2 slot that will unseal, or a protector that needs no
 * TPM; on a headless device, one that needs no person either),
 * -EKEYREJECTED when no slot will (why says so), or another -errno for a
 * file that cannot be read (why says why).
 */
int nextboot_check(const char *path, const struct nextboot_opts *o,
		   void (*tell)(const char *line), struct fsp_problem *why);

/*
 * Does the PCR signature file's text (systemd-measure's JSON) hold, in
 * bank's array, an entry for exactly the PCRs pcrs, by the key whose
 * fingerprint is pkfp, as systemd looks for one when it unseals? False
 * too for text that is not such JSON.
 */
bool nextboot_signature_has(const char *json, size_t len, const char *bank,
			    uint32_t pcrs, const uint8_t pkfp[32]);

#endif
