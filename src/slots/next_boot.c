// SPDX-License-Identifier: MIT
/* update pre: which protectors of a slots file survive the update. */
#define _GNU_SOURCE
#include "slots/next_boot.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basic/hex.h"
#include "basic/read_full.h"
#include "shared/problem.h"
#include "slots/file.h"
#include "slots/pcr_signature.h"
#include "slots/tpm2_data.h"

bool nextboot_signature_has(const char *json, size_t len, const char *bank,
			    uint32_t pcrs, const uint8_t pkfp[32])
{
	return tpm2_sig_find(json, len, bank, pcrs, pkfp, NULL, 0, NULL) > 0;
}

/* One tpm2 slot: true when it will unseal; its verdict told. */
static bool slot_survives(const struct slot *s, const struct nextboot_opts *o,
			  void (*tell)(const char *))
{
	char line[512], pcrs[80], bank[16], fp[65];
	const char *b;
	struct tpm2_slot t;
	uint32_t hit;
	bool ok;
	int r;

	if (slot_tpm2_get(s, &t) < 0) {
		snprintf(line, sizeof(line),
			 "slot %u (tpm2) has damaged data and will not unseal",
			 s->number);
		tell(line);
		return false;
	}
	if (o->headless && (t.flags & TPM2_FLAG_PIN)) {
		snprintf(line, sizeof(line),
			 "slot %u (tpm2+pin) is not counted: its PIN would "
			 "have to be typed at boot, and this device is "
			 "headless (--headless)",
			 s->number);
		tell(line);
		return false;
	}
	b = tpm2_bank_name(t.bank, bank, sizeof(bank));
	hit = t.pcrs & o->update_pcrs;
	if (hit) {
		tpm2_pcrs_text(hit, pcrs, sizeof(pcrs));
		snprintf(line, sizeof(line),
			 "slot %u (tpm2) will not unseal on the next boot: it "
			 "is bound to the values of PCRs %s, which the update "
			 "changes",
			 s->number, pcrs);
		tell(line);
		return false;
	}
	if (!(t.flags & TPM2_FLAG_SIGNED)) {
		bool pin = t.flags & TPM2_FLAG_PIN;

		tpm2_pcrs_text(t.pcrs, pcrs, sizeof(pcrs));
		snprintf(line, sizeof(line),
			 "slot %u (%s) will unseal on the next boot%s: %s%s%s",
			 s->number, pin ? "tpm2+pin" : "tpm2",
			 pin ? " with its PIN" : "", pcrs[0] ? "PCRs " : "",
			 pcrs[0] ? pcrs : "it is bound to no PCRs",
			 pcrs[0] ? " are not changed by the update" : "");
		tell(line);
		return true;
	}
	hex_encode(t.pkfp, sizeof(t.pkfp), fp);
	r = o->signature ? tpm2_sig_load(o->signature, b, t.pubkey_pcrs, t.pkfp,
					 NULL, 0, NULL)
			 : -ENOENT;
	ok = r > 0;
	tpm2_pcrs_text(t.pubkey_pcrs, pcrs, sizeof(pcrs));
	if (!o->signature)
		snprintf(line, sizeof(line),
			 "slot %u (tpm2, signed policy) needs the new image's "
			 "PCR signature: none was given (--tpm2-signature "
			 "FILE), so it is counted as not unsealing",
			 s->number);
	else if (r < 0 && r != -EBADMSG)
		snprintf(line, sizeof(line),
			 "slot %u (tpm2, signed policy) will not unseal: the "
			 "new image's signature %s cannot be read: %s",
			 s->number, o->signature, strerror(-r));
	else
		snprintf(line, sizeof(line),
			 "slot %u (tpm2, signed policy) %s: %s has %s %s "
			 "signature by key %.16s... for PCRs %s",
			 s->number,
			 ok ? "will unseal on the next boot"
			    : "will not unseal on the next boot",
			 o->signature, ok ? "a" : "no", b, fp, pcrs);
	tell(line);
	return ok;
}

/* A passphrase or recovery slot on a headless device: told, not counted. */
static void tell_person(const struct slot *s, void (*tell)(const char *))
{
	char line[256];

	snprintf(line, sizeof(line),
		 "slot %u (%s) is not counted: nobody types at boot on this "
		 "headless device (--headless)",
		 s->number, slot_type_name(s->type));
	tell(line);
}

int nextboot_check(const char *path, const struct nextboot_opts *o,
		   void (*tell)(const char *line), struct fsp_problem *why)
{
	struct slots_file *f = calloc(1, sizeof(*f));
	bool tpm_ok = false, other = false, any_tpm = false;
	bool signed_unknown = false, person = false;
	const char *rest;
	int r;

	if (!f)
		return -ENOMEM;
	r = slots_file_load(path, o->allow_readable, f, why);
	/* Its reasons ("does not exist") leave the file to the caller. */
	if (r < 0)
		problem_prefix(why, "slots file %s ", path);
	for (size_t i = 0; r == 0 && i < f->n; i++) {
		const struct slot *s = &f->slots[i];

		if (s->type == SLOT_TPM2) {
			struct tpm2_slot t;

			any_tpm = true;
			tpm_ok |= slot_survives(s, o, tell);
			person |= o->headless && slot_tpm2_pin(s);
			signed_unknown |= !o->signature &&
					  slot_tpm2_get(s, &t) == 0 &&
					  (t.flags & TPM2_FLAG_SIGNED);
		} else if (o->headless && (s->type == SLOT_PASSPHRASE ||
					   s->type == SLOT_RECOVERY ||
					   s->type == SLOT_PKCS11)) {
			/* A token is bound to no boot chain: it survives
			 * any update, but its PIN needs a person. */
			person = true;
			tell_person(s, tell);
		} else if (slot_type_known(s->type)) {
			other = true;
		}
	}
	free(f);
	if (r < 0)
		return r;
	if (tpm_ok || other || (!any_tpm && !person))
		return 0;
	if (!any_tpm)
		return problem_set(why, OP_UNWRAP, -EKEYREJECTED,
				   "%s has no protector that opens it at boot "
				   "without a person, and this device is "
				   "headless (--headless): nobody would type "
				   "its passphrase or recovery key",
				   path);
	rest = person ? "its other protectors need a person to type at "
			"boot, and this device is headless (--headless)"
		      : "it has no other protector";
	if (signed_unknown)
		return problem_set(why, OP_UNWRAP, -EKEYREJECTED,
				   "no tpm2 slot of %s can be shown to unseal "
				   "on the next boot, and %s: give "
				   "--tpm2-signature FILE, the new image's PCR "
				   "signature",
				   path, rest);
	return problem_set(why, OP_UNWRAP, -EKEYREJECTED,
			   "no tpm2 slot of %s will unseal on the next boot, "
			   "and %s: after the update the key could not be "
			   "provisioned again",
			   path, rest);
}
