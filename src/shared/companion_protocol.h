/* SPDX-License-Identifier: MIT */
/*
 * tpm2 slots that fscrypt-provision-tpm2 seals: those with a PIN, and
 * those bound to the boot PCR (TPM2_BOOT_PCR) at the value it will have
 * in the next boot's initramfs. systemd-creds 252 can take neither a PIN
 * nor a PCR value other than the current one, so these go through a small
 * companion linked with the TSS (libtss2-esys): the helper itself stays
 * static. This header is the protocol between the two: the companion
 * includes it and nothing else of the helper's (keysource/tpm2_companion.h
 * is the helper's side).
 *
 * The companion is run as "fscrypt-provision-tpm2 seal|unseal|check TCTI
 * PCRMASK [nopin] [boot=BEFORE,AFTER] [phase=system]" (PCRMASK in hex,
 * SHA-256 bank; nopin: an object with no PIN; boot=: the boot PCR's
 * SHA-256 values around this boot's extension, hex, for seal;
 * phase=system: seal to the boot PCR's value after one extension, that of
 * the running system, instead of the initramfs's). Its stdin is the PIN's
 * authValue (COMPANION_AUTH_SIZE bytes, zeros with nopin) then, for seal,
 * the secret, or for unseal and check, the sealed blob (TPM2B_PUBLIC then
 * TPM2B_PRIVATE, as the TPM marshals them). Its stdout is the blob, the
 * secret, or (check) the number of wrong PINs the TPM still allows.
 *
 * "fscrypt-provision-tpm2 extend TCTI" extends the boot PCR, and writes
 * its SHA-256 values before and after, in hex, on one line.
 *
 * The exit status is one of COMPANION_EXIT_*; the last line on stderr
 * says why.
 *
 * flush (authValue zeros, PCRMASK 0) flushes every transient object and
 * loaded session of the TPM, and writes how many: on a TPM that no
 * resource manager stands in front of, what another program left loaded
 * stays until then, and fills the TPM (systemd-creds 252 leaves two
 * objects and two sessions after each failure).
 */
#ifndef FSP_SHARED_COMPANION_PROTOCOL_H
#define FSP_SHARED_COMPANION_PROTOCOL_H

#include <stddef.h>
#include <stdint.h>

#define COMPANION_AUTH_SIZE 32
#define COMPANION_SECRET_SIZE 32
/* What a pipe holds whatever its size (RUN_INPUT_MAX): the sealed object,
 * the signing key, and a few signatures. */
#define COMPANION_IN_MAX 4096
#define COMPANION_NAME "fscrypt-provision-tpm2"
#define COMPANION_MSG_PREFIX "fscrypt-provision-tpm2: "
/*
 * Extended when the initramfs is done (fscrypt-provision tpm2-extend), and
 * again once the running system's volumes are loaded and before any shell
 * (--final). Every tpm2 slot's policy has its value before the first
 * extension, or one for the running system (phase=system) its value after
 * it: nothing after its phase, an emergency shell included, can unseal.
 * systemd extends the same PCR for the same reason (tpm2-measure-pcr=).
 */
#define TPM2_BOOT_PCR 15
/* What each extension measures into it, on the running system too (the
 * words are those of its first use, and every system slot's policy
 * depends on them: they stay). Any event would do; a readable one tells
 * an event log what it was. The helper needs it too, to know how many
 * extensions a value is past the boot's (keysource/boot_pcr.h). */
#define TPM2_BOOT_EVENT "fscrypt-provision: initramfs done"

enum companion_exit {
	COMPANION_EXIT_OK = 0,
	COMPANION_EXIT_FAILED = 1, /* anything else: the message says */
	COMPANION_EXIT_USAGE = 2,
	COMPANION_EXIT_NO_TPM = 3,     /* no TPM at TCTI */
	COMPANION_EXIT_BAD_PIN = 4,    /* the TPM counted a wrong PIN */
	COMPANION_EXIT_LOCKOUT = 5,    /* dictionary-attack lockout */
	COMPANION_EXIT_PCR = 6,	       /* the PCRs are not the sealed ones */
	COMPANION_EXIT_DAMAGED = 7,    /* the TPM cannot load the blob */
	COMPANION_EXIT_UNENFORCED = 8, /* seal: a PCR was never extended */
	COMPANION_EXIT_FULL = 9,       /* no room for objects or sessions */
	COMPANION_EXIT_BOOT_PCR = 10,  /* seal: the boot PCR's value unknown */
	COMPANION_EXIT_SIGNATURE = 11, /* no signature for this boot */
	COMPANION_EXIT_BAD_SIGNATURE = 12, /* the TPM refused the signature */
};

/* What both sides say of a TPM out of room for objects or sessions. */
#define COMPANION_FULL_TEXT                                                    \
	"the TPM is out of room for objects or sessions, left loaded by "      \
	"programs that used it with no resource manager: use the kernel's "    \
	"(/dev/tpmrm0, --tpm2-device auto), or free them with "                \
	"tpm2_flushcontext -t and -l (fscrypt-provision-tpm2, when "           \
	"installed, does it)"

#endif
