/* SPDX-License-Identifier: MIT */
/*
 * Unsealing a tpm2 slot's secret: through fscrypt-provision-tpm2, which
 * seals every new slot (keysource/tpm2_companion.h), or through systemd-creds
 * for slots an earlier version sealed with it. The helper stays static and
 * speaks no TPM itself; the secret travels in pipes only, into locked memory.
 */
#ifndef FSP_KEYSOURCE_SYSTEMD_CREDS_H
#define FSP_KEYSOURCE_SYSTEMD_CREDS_H

#include <stddef.h>
#include <stdint.h>

#include "basic/secmem.h"
#include "shared/problem.h"
#include "slots/tpm2_data.h"

#define TPM2_DEVICE_AUTO "/dev/tpmrm0"
#define TPM2_SECRET_SIZE 32

struct tpm2_opts {
	const char *device;    /* "auto" (NULL), a device path or a TCTI */
	const char *signature; /* PCR signature JSON; NULL: the usual places */
};

/*
 * Unseals t's secret into out (locked). Returns 0, or -errno with why set:
 * -ENODEV (no TPM), -EKEYREJECTED (the TPM refused: PCRs, signature,
 * lockout), -EBADMSG (damaged), or another.
 */
int tpm2_unseal(const struct tpm2_opts *o, const struct tpm2_slot *t,
		struct secbuf *out, struct fsp_problem *why);

/* The signature file tpm2_unseal would use: o's, or the first that exists
 * of the usual places; NULL when none does. */
const char *tpm2_signature_path(const struct tpm2_opts *o);

#endif
