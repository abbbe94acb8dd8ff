/* SPDX-License-Identifier: MIT */
/*
 * systemd's PCR signature files (systemd-measure's JSON, a UKI's .pcrsig):
 * the entries for one slot, for update pre's verdict and for the
 * companion, whose TPM checks them at unseal. Pure logic.
 */
#ifndef FSP_SLOTS_PCR_SIGNATURE_H
#define FSP_SLOTS_PCR_SIGNATURE_H

#include <stddef.h>
#include <stdint.h>

#define TPM2_SIG_POL_SIZE 32
#define TPM2_SIG_MAX 1024 /* an RSA-4096 signature is 512 bytes */
#define TPM2_SIG_FILE_MAX (64 * 1024)

/*
 * The entries of bank's array for a slot: exactly its signed PCRs (pcrs)
 * and its key's fingerprint (pkfp), with a "pol" of 32 bytes and a "sig",
 * as systemd looks them up. With recs, each goes there as a record: the
 * pol, the signature's length (le16), the signature (rlen: the total).
 * Returns how many there are, or -EBADMSG when the text is not such a
 * file, -E2BIG when their records do not fit in cap bytes.
 */
int tpm2_sig_find(const char *json, size_t len, const char *bank, uint32_t pcrs,
		  const uint8_t pkfp[32], uint8_t *recs, size_t cap,
		  size_t *rlen);

/* The same, of the file at path (at most TPM2_SIG_FILE_MAX bytes); or
 * -errno when it cannot be read. */
int tpm2_sig_load(const char *path, const char *bank, uint32_t pcrs,
		  const uint8_t pkfp[32], uint8_t *recs, size_t cap,
		  size_t *rlen);

#endif
