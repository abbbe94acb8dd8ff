/* SPDX-License-Identifier: MIT */
/*
 * pkcs11 slots: a random secret encrypted to a key pair on a PKCS#11 token
 * (a smartcard, a secure element, OP-TEE's TA, an HSM). PKCS#11 modules are
 * shared libraries that must be loaded with dlopen, so the token side is a
 * small companion on p11-kit, as the TPM's is on the TSS: the helper stays
 * static. This header is the protocol between the two; the companion
 * includes it and nothing else of the helper's.
 *
 * "fscrypt-provision-pkcs11 list [MODULE]" writes one line per token that
 * is present: MODULE, the token's URI (RFC 7512), then each key pair that
 * can hold a secret as "KIND:BITS:URI" (KIND rsa or ec), tab-separated.
 * MODULE is a module's path, or "-" for every module p11-kit is configured
 * with.
 *
 * "fscrypt-provision-pkcs11 enroll MODULE URI" reads the PIN (one line) on
 * stdin. It finds the one key pair that URI names and makes a secret for
 * it: for RSA, PKCS11_SECRET_SIZE random bytes encrypted with RSA-OAEP
 * (SHA-256, or SHA-1 where the token has only that); for EC, the ECDH
 * value of the token's key and a key pair made for this once, whose
 * public point is kept. It checks that the token gives the secret back,
 * then writes "module=", "uri=" (the token and the key's CKA_ID), "mech="
 * (PKCS11_MECH_*), "wrapped=" (hex: the RSA ciphertext or the one-time
 * point) and "secret=" (hex) lines.
 *
 * "fscrypt-provision-pkcs11 unlock MODULE URI MECH WRAPPED" reads the PIN
 * (one line) on stdin and writes the secret on stdout.
 *
 * "fscrypt-provision-pkcs11 check MODULE URI" asks for nothing, spends no
 * PIN try, and writes the token's label, a tab, and what its PIN flags
 * say (PKCS11_FLAG_* words, space-separated), on one line.
 *
 * An empty PIN on a token with a PIN pad (a protected authentication path)
 * lets the reader ask for it. The exit status is one of PKCS11_EXIT_*; the
 * last line on stderr says why.
 */
#ifndef FSP_SHARED_PKCS11_PROTOCOL_H
#define FSP_SHARED_PKCS11_PROTOCOL_H

#define PKCS11_COMPANION_NAME "fscrypt-provision-pkcs11"
#define PKCS11_MSG_PREFIX "fscrypt-provision-pkcs11: "
#define PKCS11_PIN_MAX 255
#define PKCS11_SECRET_SIZE 32
/* A secret: an ECDH value is up to P-521's 66 bytes. */
#define PKCS11_SECRET_MAX 72
/* An RSA-8192 ciphertext, or an uncompressed P-521 point. */
#define PKCS11_WRAPPED_MAX 1024
#define PKCS11_URI_MAX 1024

#define PKCS11_MECH_OAEP_SHA256 "rsa-oaep-sha256"
#define PKCS11_MECH_OAEP_SHA1 "rsa-oaep-sha1"
#define PKCS11_MECH_ECDH "ecdh"

#define PKCS11_FLAG_PIN_PAD "pin-pad"
#define PKCS11_FLAG_COUNT_LOW "pin-count-low"
#define PKCS11_FLAG_FINAL_TRY "pin-final-try"
#define PKCS11_FLAG_LOCKED "pin-locked"
#define PKCS11_FLAG_TO_BE_CHANGED "pin-to-be-changed"

enum pkcs11_exit {
	PKCS11_EXIT_OK = 0,
	PKCS11_EXIT_FAILED = 1, /* anything else: the message says */
	PKCS11_EXIT_USAGE = 2,
	PKCS11_EXIT_NO_TOKEN = 3,    /* no token matches the URI */
	PKCS11_EXIT_BAD_PIN = 4,     /* the token counted a wrong PIN */
	PKCS11_EXIT_PIN_LOCKED = 5,  /* too many wrong PINs */
	PKCS11_EXIT_PIN_EXPIRED = 6, /* the PIN must be changed first */
	PKCS11_EXIT_NO_KEY = 7,	     /* no key pair, or more than one */
	PKCS11_EXIT_UNSUPPORTED = 8, /* the token lacks the mechanism */
	PKCS11_EXIT_DAMAGED = 9,     /* the token refused the wrapped data */
	PKCS11_EXIT_NO_MODULE = 10,  /* the module cannot be loaded */
};

#endif
