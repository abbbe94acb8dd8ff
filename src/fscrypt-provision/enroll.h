/* SPDX-License-Identifier: MIT */
/* enroll's request, and the steps that make the new slot. */
#ifndef FSP_FSCRYPT_PROVISION_ENROLL_H
#define FSP_FSCRYPT_PROVISION_ENROLL_H

#include <stdbool.h>

#include "basic/secmem.h"
#include "fscrypt-provision/key_options.h"
#include "fscrypt-provision/slots_options.h"
#include "slots/format.h"

#define EXEC_TIMEOUT_DEFAULT 30

struct enroll {
	/* The file, and how to unwrap it when it exists: --slots,
	 * --unlock-passphrase-fd, --tpm2-pin-fd, --tpm2-device. */
	struct slots_arg slots;
	enum slot_type type; /* 0: none chosen yet */
	char **exec_argv;    /* SLOT_EXEC, NULL-ended */
	bool generate;
	bool key_size_given;
	int pass_fd; /* the new passphrase or PIN */
	unsigned long pbkdf_ms, pbkdf_kib, pbkdf_iter, exec_timeout;
	struct key_args ka;
	/* SLOT_TPM2: sealed on slots.up.tpm2.device */
	const char *tpm2_pubkey;
	uint32_t tpm2_pcrs, tpm2_pubkey_pcrs;
	bool tpm2_pcrs_given, tpm2_pubkey_pcrs_given;
	bool tpm2_pin; /* the new PIN from pass_fd, or asked twice */
	/* --tpm2-phase system: sealed for the running system
	 * (TPM2_FLAG_SYSTEM) */
	bool tpm2_system, tpm2_phase_given;
	/* SLOT_PKCS11: the key pair's URI, or "auto" (list: none) */
	const char *pkcs11_uri;
	bool json, dry_run;
};

/* Whether enroll's options go together, after the defaults that depend
 * on them. An exit code (it said why). */
int enroll_check_args(struct enroll *en);

/*
 * The master key the new slot wraps: generated (f is new), read from a
 * raw key (checked against f's identifier when f exists), or unwrapped
 * from f. Returns an exit code, having said why.
 */
int enroll_get_master(const struct enroll *en, struct slots_file *f,
		      bool exists, struct secbuf *key);
/* Makes and seals the new slot, saves f; the recovery key goes last. */
int enroll_add_slot(const struct enroll *en, struct slots_file *f,
		    const struct secbuf *key);

/* A new secret of the person's (what: "passphrase", "TPM2 PIN"): one line
 * of --new-passphrase-fd, or twice at the terminal. 0, or an exit code. */
int enroll_new_passphrase(const struct enroll *en, const char *what,
			  struct secbuf *out);
/* The tpm2 slot s, sealed by fscrypt-provision-tpm2, wrapping key; says
 * what it is sealed to. 0, or an exit code (it printed why). */
int enroll_seal_tpm2(const struct enroll *en, const struct slots_file *f,
		     struct slot *s, const struct secbuf *key);

/* The pkcs11 slot s, for the key pair en->pkcs11_uri names, wrapping key.
 * 0, or an exit code (it printed why). */
int enroll_seal_pkcs11(const struct enroll *en, const struct slots_file *f,
		       struct slot *s, const struct secbuf *key);
/* --pkcs11-token-uri list: the tokens and their key pairs. */
int enroll_pkcs11_list(const struct enroll *en);

/*
 * What enroll did (or, dry_run, would do) with slot n of f: a line, or
 * with json an object, and text, a new recovery key, shown once. Returns
 * an exit code.
 */
int enroll_report(const struct enroll *en, const struct slots_file *f, int n,
		  struct secbuf *text);

#endif
