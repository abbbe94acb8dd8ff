/* SPDX-License-Identifier: MIT */
/*
 * The helper's side of pkcs11 slots: fscrypt-provision-pkcs11 run through
 * keysource/companion_run.h, with shared/pkcs11_protocol.h's protocol.
 * The PIN goes on its stdin and the secret comes back on its stdout, in
 * locked memory.
 */
#ifndef FSP_KEYSOURCE_PKCS11_COMPANION_H
#define FSP_KEYSOURCE_PKCS11_COMPANION_H

#include <stddef.h>
#include <stdint.h>

#include "basic/secmem.h"
#include "shared/pkcs11_protocol.h"
#include "shared/problem.h"
#include "slots/pkcs11_data.h"

/* What check says of a token's PIN, without a PIN. */
enum {
	PKCS11_PIN_PAD = 1 << 0,
	PKCS11_PIN_COUNT_LOW = 1 << 1,
	PKCS11_PIN_FINAL_TRY = 1 << 2,
	PKCS11_PIN_LOCKED = 1 << 3,
	PKCS11_PIN_TO_BE_CHANGED = 1 << 4,
};

/*
 * The companion's exit status as -errno: -ENODEV no token, -EACCES a wrong
 * PIN, -EPERM a locked PIN, -EKEYEXPIRED an expired one, -ENOKEY no key
 * pair (or several), -EOPNOTSUPP a mechanism the token lacks, -EBADMSG
 * wrapped data it refused, -ELIBACC a module that does not load, -EINVAL
 * a usage error, -EIO anything else.
 */
int pkcs11_exit_errno(int code);
/* check's line after the label, as PKCS11_PIN_* bits. */
unsigned pkcs11_flags_parse(const char *words);

/*
 * A new secret for the key pair uri names (module: a path, or "-" for
 * p11-kit's modules), with pin (pin_len bytes; none on a PIN pad): p gets
 * the module, the key's URI, the mechanism and the wrapped secret (into
 * wrapped, PKCS11_SLOT_WRAPPED_MAX bytes), secret the secret. 0 or -errno.
 */
int pkcs11_enroll(const char *module, const char *uri, const uint8_t *pin,
		  size_t pin_len, struct pkcs11_slot *p, uint8_t *wrapped,
		  struct secbuf *secret, struct fsp_problem *why);
/* The secret of p, with pin. 0 or -errno. */
int pkcs11_unlock(const struct pkcs11_slot *p, const uint8_t *pin,
		  size_t pin_len, struct secbuf *secret,
		  struct fsp_problem *why);
/* Whether p's token is present, its label and PIN_* flags; no PIN is
 * spent. 0 or -errno. */
int pkcs11_check(const struct pkcs11_slot *p, char *label, size_t n,
		 unsigned *flags, struct fsp_problem *why);
/* list's lines for module ("-": p11-kit's), into out (allocated here). */
int pkcs11_list(const char *module, struct secbuf *out,
		struct fsp_problem *why);

#endif
