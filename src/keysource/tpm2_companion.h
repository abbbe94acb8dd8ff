/* SPDX-License-Identifier: MIT */
/*
 * The helper's side of the fscrypt-provision-tpm2 protocol
 * (shared/companion_protocol.h): runs the companion for tpm2 slots sealed
 * with a PIN or to the boot PCR.
 */
#ifndef FSP_KEYSOURCE_TPM2_COMPANION_H
#define FSP_KEYSOURCE_TPM2_COMPANION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "basic/secmem.h"
#include "shared/companion_protocol.h"
#include "shared/problem.h"
#include "slots/format.h"
#include "slots/tpm2_data.h"

/* The authValue a PIN becomes: keyed by the slot's salt, so that one PIN
 * gives unrelated values in two slots. */
void companion_pin_auth(const struct slot *s, const uint8_t *pin, size_t len,
			uint8_t auth[COMPANION_AUTH_SIZE]);

/* What a new object is sealed to. */
struct tpm2_object_spec {
	const char *device;
	uint32_t pcrs;	     /* fixed PCRs, the boot PCR among them */
	const uint8_t *auth; /* the PIN's authValue, or NULL */
	const char
	    *boot; /* this boot's record (keysource/boot_pcr.h), or NULL */
	uint32_t signed_pcrs;  /* a signed policy's PCRs, or 0 */
	const uint8_t *signer; /* its key's RSAPublicKey DER */
	size_t signer_len;
	bool system; /* the boot PCR's value on the running system, not in the
			initramfs (TPM2_FLAG_SYSTEM) */
};

/*
 * Seals secret to o: the fixed PCRs' current values, the boot PCR's at
 * the next boot (in its initramfs, or with system, on its running
 * system), and with signed_pcrs, any values of those a signature by
 * the signer gives. The blob goes to blob (cap bytes), its length to
 * *len. 0, or -errno with why set: -EDOM for a PCR nothing measured,
 * -ESTALE for a boot PCR whose next value is unknown.
 */
int companion_seal(const struct tpm2_object_spec *o, const uint8_t *secret,
		   uint8_t *blob, size_t cap, size_t *len,
		   struct fsp_problem *why);

/*
 * Whether t can be unsealed on this boot given the right PIN, with no PIN
 * spent: 0 with *left the wrong PINs the TPM still allows, or -ENODEV,
 * -EKEYREJECTED (PCRs, lockout), -EBADMSG (damaged), -EAGAIN (the TPM is
 * out of room for objects or sessions), with why set.
 */
int companion_check(const char *device, const struct tpm2_slot *t,
		    unsigned *left, struct fsp_problem *why);

/* Unseals t with auth (NULL for a slot without a PIN) and, for a signed
 * policy, the signatures sigs (slots/pcr_signature.h's records) into out
 * (locked). 0, or -EACCES (a wrong PIN, which the TPM counted), or what
 * companion_check returns. */
int companion_unseal(const char *device, const struct tpm2_slot *t,
		     const uint8_t *auth, const uint8_t *sigs, size_t sigs_len,
		     struct secbuf *out, struct fsp_problem *why);

/* Extends the boot PCR; the companion's line ("BEFORE AFTER", SHA-256
 * hex) into line. 0, or -errno with why set (-ENODEV: no companion, or
 * no TPM). */
int companion_extend(const char *device, char *line, size_t n,
		     struct fsp_problem *why);

/* Whether a resource manager stands between device ("auto", a path or a
 * TCTI) and the TPM, and flushes what each of its clients leaves: the
 * kernel's (/dev/tpmrm*) or tpm2-abrmd's. */
bool tpm2_device_managed(const char *device);

/*
 * On a TPM with no resource manager in front (tpm2_device_managed), has
 * the companion flush every transient object and loaded session, and sets
 * *n to how many it flushed; elsewhere does nothing (*n 0). 0, or -errno
 * with why set (-ENODEV: no companion).
 */
int tpm2_flush_leftovers(const char *device, unsigned *n,
			 struct fsp_problem *why);

#endif
