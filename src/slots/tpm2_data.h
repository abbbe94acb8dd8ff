/* SPDX-License-Identifier: MIT */
/*
 * The tpm2 slot's data (fscrypt-slots(5)): the PCR policy it was sealed
 * with, for people and for the update hooks, and the sealed credential
 * systemd-creds made (or, with a PIN, the TPM object keysource/tpm2_companion.h
 * made). Pure logic: no TPM is spoken to here.
 */
#ifndef FSP_SLOTS_TPM2_DATA_H
#define FSP_SLOTS_TPM2_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shared/problem.h"
#include "slots/format.h"

#define TPM2_DATA_HEADER 44
#define TPM2_BLOB_MAX (SLOT_DATA_MAX - TPM2_DATA_HEADER)
#define TPM2_PCR_COUNT 24
#define TPM2_FLAG_SIGNED 0x01
#define TPM2_FLAG_PIN                                                          \
	0x02 /* sealed by fscrypt-provision-tpm2 (keysource/tpm2_companion.h)  \
	      */
#define TPM2_FLAG_OBJECT 0x04 /* the same, without a PIN (maybe signed) */
/* A companion's object sealed to the boot PCR after the initramfs's
 * extension: it unseals on the running system, until fscrypt-provision's
 * boot units extend the PCR again (keysource/boot_pcr.h). */
#define TPM2_FLAG_SYSTEM 0x08
#define TPM2_ALG_SHA1 0x0004
#define TPM2_ALG_SHA256 0x000b
#define TPM2_ALG_SHA384 0x000c
#define TPM2_ALG_SHA512 0x000d

struct tpm2_slot {
	uint8_t flags;	      /* TPM2_FLAG_* */
	uint16_t bank;	      /* the PCR bank's TPM2_ALG_ID */
	uint32_t pcrs;	      /* PCRs bound to fixed values */
	uint32_t pubkey_pcrs; /* PCRs bound through a signed policy */
	uint8_t pkfp[32];     /* SHA-256 of the public key, as systemd's */
	const uint8_t *blob;  /* into the slot's data */
	size_t blob_len;
};

/* Parses s's data (SLOT_TPM2). 0, or -EBADMSG. */
int slot_tpm2_get(const struct slot *s, struct tpm2_slot *t);
/* A tpm2 slot sealed with a PIN (its flags say so, whatever else). */
bool slot_tpm2_pin(const struct slot *s);
/* Sealed by fscrypt-provision-tpm2 (a PIN or not), not systemd-creds. */
bool tpm2_by_companion(const struct tpm2_slot *t);
/* Stores t (its blob copied) as s's data. 0, or -E2BIG. */
int slot_tpm2_set(struct slot *s, const struct tpm2_slot *t);

/* "7+11" (or "7,11"; "" for none) into a mask. 0, or -EINVAL. */
int tpm2_pcrs_parse(const char *s, uint32_t *mask);
/* A mask as "7+11" ("" for none). */
void tpm2_pcrs_text(uint32_t mask, char *buf, size_t n);
/* "sha256", or "0x000b" for a bank without a name here. */
const char *tpm2_bank_name(uint16_t alg, char *buf, size_t n);

/* The bits of an RSA key of up to 4096 bits (RSAPublicKey DER). */
#define TPM2_PUBKEY_BITS_MAX 600
/*
 * The subjectPublicKey bits of a PEM "PUBLIC KEY" (for an RSA key, its
 * RSAPublicKey DER) into bits (cap bytes), their length in *n. 0, or
 * -EINVAL (not such a key), -E2BIG (more than cap).
 */
int tpm2_pubkey_bits(const char *pem, size_t len, uint8_t *bits, size_t cap,
		     size_t *n);
/* The fingerprint systemd puts in signatures ("pkfp"): SHA-256 of those
 * bits. 0, or -EINVAL. */
int tpm2_pubkey_fingerprint(const char *pem, size_t len, uint8_t fp[32]);

enum tpm2_refusal {
	TPM2_REFUSED_OTHER,
	TPM2_REFUSED_NO_TPM,
	TPM2_REFUSED_PCR,
	TPM2_REFUSED_LOCKOUT,
	TPM2_REFUSED_SIGNATURE, /* no signature matches this boot */
	TPM2_REFUSED_BAD_SIGNATURE,
	TPM2_REFUSED_DAMAGED,
	TPM2_REFUSED_FULL, /* no room for objects or sessions: not damage */
};

/*
 * What systemd-creds's messages (msgs) say went wrong, and one line for a
 * person in why. The first line of msgs that is not the TSS's own noise is
 * kept for what no rule names.
 */
enum tpm2_refusal tpm2_classify(const char *msgs, struct fsp_problem *why);

#endif
