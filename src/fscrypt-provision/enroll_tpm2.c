// SPDX-License-Identifier: MIT
/* enroll --tpm2: the slot fscrypt-provision-tpm2 seals
 * (fscrypt-provision/enroll.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "fscrypt-provision/cli.h"
#include "fscrypt-provision/enroll.h"
#include "kernel/secureboot.h"
#include "keysource/boot_pcr.h"
#include "keysource/systemd_creds.h"
#include "keysource/tpm2_companion.h"
#include "shared/problem.h"
#include "slots/crypto.h"

/* A signed policy's key: its bits for the TPM, its fingerprint for the
 * slot, as systemd-measure's signatures name it. */
static int read_signer(const char *path, uint8_t *bits, size_t cap, size_t *n,
		       uint8_t fp[32], struct fsp_problem *why)
{
	char pem[8192];
	FILE *f = fopen(path, "re");
	size_t len;

	if (!f)
		return problem_set(why, OP_TPM2_SEAL, -errno,
				   "cannot read %s: %m", path);
	len = fread(pem, 1, sizeof(pem), f);
	fclose(f);
	if (tpm2_pubkey_bits(pem, len, bits, cap, n) < 0)
		return problem_set(
		    why, OP_TPM2_SEAL, -EINVAL,
		    "%s is not a PEM RSA public key (\"-----BEGIN "
		    "PUBLIC KEY-----\") of at most 4096 bits",
		    path);
	crypto_hash_sha256(fp, bits, *n);
	return 0;
}

/*
 * The TPM object fscrypt-provision-tpm2 makes: bound to the fixed PCRs,
 * PCR 15 at the value it will have in the next boot's initramfs (which
 * systemd-creds cannot seal to: keysource/boot_pcr.h), a signed policy's key,
 * and a PIN.
 */
static int seal_object(const struct enroll *en, const uint8_t *auth,
		       const uint8_t *secret, struct tpm2_slot *t,
		       uint8_t *blob, size_t cap, struct fsp_problem *why)
{
	struct tpm2_object_spec o = {
	    .device = en->slots.up.tpm2.device,
	    .pcrs = en->tpm2_pcrs | 1u << TPM2_BOOT_PCR,
	    .auth = auth,
	    .signed_pcrs = en->tpm2_pubkey ? en->tpm2_pubkey_pcrs : 0,
	    .system = en->tpm2_system};
	uint8_t bits[TPM2_PUBKEY_BITS_MAX];
	struct tpm2_boot_record rec;
	size_t len = 0;
	int r = 0;

	memset(t, 0, sizeof(*t));
	if (en->tpm2_pubkey)
		r = read_signer(en->tpm2_pubkey, bits, sizeof(bits),
				&o.signer_len, t->pkfp, why);
	o.signer = bits;
	if (r == 0)
		r = tpm2_boot_record_read(&rec, why);
	o.boot = r == 1 ? rec.arg : NULL;
	if (r >= 0)
		r = companion_seal(&o, secret, blob, cap, &len, why);
	t->flags = (auth ? TPM2_FLAG_PIN : TPM2_FLAG_OBJECT) |
		   (o.signed_pcrs ? TPM2_FLAG_SIGNED : 0) |
		   (o.system ? TPM2_FLAG_SYSTEM : 0);
	t->bank = TPM2_ALG_SHA256;
	t->pcrs = o.pcrs;
	t->pubkey_pcrs = o.signed_pcrs;
	t->blob = blob;
	t->blob_len = len;
	return r;
}

static void say_sealed(const struct enroll *en, const struct slot *s,
		       const struct tpm2_slot *t)
{
	char pk[80], others[80], bank[16];
	const char *b = tpm2_bank_name(t->bank, bank, sizeof(bank));
	bool system = t->flags & TPM2_FLAG_SYSTEM;
	const char *phase =
	    system ? "on the running system" : "in the initramfs";
	const char *pin = t->flags & TPM2_FLAG_PIN ? " with a PIN" : "";

	tpm2_pcrs_text(t->pcrs & ~(1u << TPM2_BOOT_PCR), others,
		       sizeof(others));
	tpm2_pcrs_text(t->pubkey_pcrs, pk, sizeof(pk));
	if (t->flags & TPM2_FLAG_SIGNED)
		cli_say("slot %u: sealed to the TPM (%s bank): PCRs %s through "
			"a policy signed by %s, and %s%s%sPCR %d at its value "
			"%s",
			s->number, b, pk, en->tpm2_pubkey,
			others[0] ? "the current values of PCRs " : "", others,
			others[0] ? ", and " : "", TPM2_BOOT_PCR, phase);
	else if (t->pcrs & ~(1u << TPM2_BOOT_PCR))
		cli_say(
		    "slot %u: sealed to the TPM (%s bank)%s, to the current "
		    "values of PCRs %s, and PCR %d at its value %s",
		    s->number, b, pin, others, TPM2_BOOT_PCR, phase);
	else
		cli_say("slot %u: sealed to the TPM (%s bank)%s, to PCR %d "
			"alone, at its value %s: no other PCR, the TPM%s alone "
			"whatever booted, until %s",
			s->number, b, pin, TPM2_BOOT_PCR, phase,
			t->flags & TPM2_FLAG_PIN ? " and the PIN" : "",
			system ? "fscrypt-provision's boot units are done"
			       : "the initramfs is done");
}

/* Secure Boot off and no PCR of the boot chain: any boot medium unseals
 * until the initramfs extends PCR 15. */
static void warn_boot_chain(const struct tpm2_slot *t)
{
	char pcrs[80];

	if (((t->pcrs | t->pubkey_pcrs) & BOOT_CHAIN_PCRS) ||
	    secure_boot_state() != 0)
		return;
	tpm2_pcrs_text(t->pcrs, pcrs, sizeof(pcrs));
	cli_warning(
	    "Secure Boot is off (or this machine has no UEFI): PCR 7 then has "
	    "the same value whatever boots, and PCRs %s measure nothing of "
	    "the boot chain, so another kernel or a live USB stick can "
	    "unseal this slot before the initramfs is done; turn Secure Boot "
	    "on, or add a PCR of the boot chain (--tpm2-pcrs 4+7: the boot "
	    "loader and kernel, which updates change; update pre says so), "
	    "or use a signed policy (--tpm2-public-key) on a UKI's PCR 11",
	    pcrs);
}

int enroll_seal_tpm2(const struct enroll *en, const struct slots_file *f,
		     struct slot *s, const struct secbuf *key)
{
	uint8_t secret[TPM2_SECRET_SIZE], blob[TPM2_BLOB_MAX];
	uint8_t auth[COMPANION_AUTH_SIZE];
	struct fsp_problem why = {0};
	struct tpm2_slot t;
	int r;

	if (en->tpm2_pin) {
		struct secbuf pin;
		int code = enroll_new_passphrase(en, "TPM2 PIN", &pin);

		if (code)
			return code;
		companion_pin_auth(s, pin.data, pin.len, auth);
		secbuf_free(&pin);
	}
	randombytes_buf(secret, sizeof(secret));
	r = seal_object(en, en->tpm2_pin ? auth : NULL, secret, &t, blob,
			sizeof(blob), &why);
	sodium_memzero(auth, sizeof(auth));
	if (r == 0 && slot_tpm2_set(s, &t) < 0)
		r = problem_set(&why, OP_TPM2_SEAL, -E2BIG,
				"the sealed data is %zu bytes, more than the "
				"%d a slot holds",
				t.blob_len, TPM2_BLOB_MAX);
	if (r == 0)
		r = slot_seal_secret(f, s, secret, sizeof(secret), key);
	sodium_memzero(secret, sizeof(secret));
	if (r < 0 && why.text[0])
		return cli_error(exit_code_for(OP_TPM2_SEAL, r),
				 "unable to seal to the TPM: %s; nothing was "
				 "enrolled",
				 why.text);
	if (r < 0)
		return cli_error_errno(OP_KEY_SOURCE, r, "wrap the key");
	say_sealed(en, s, &t);
	warn_boot_chain(&t);
	if (t.flags & TPM2_FLAG_SYSTEM)
		cli_say("its phase starts when the initramfs extends PCR %d: "
			"rebuild the initramfs (update-initramfs -u, dracut "
			"-f) so that it carries the TPM companion, which it "
			"does when this file is read at build time",
			TPM2_BOOT_PCR);
	return FSP_EXIT_OK;
}

/* Makes, seals and saves the new slot; the recovery key is printed last. */
