// SPDX-License-Identifier: MIT
/* update pre: which protectors of a slots file survive the update. */
#define _GNU_SOURCE
#include "nextboot.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hex.h"
#include "json_read.h"
#include "problem.h"
#include "readfull.h"
#include "slots_file.h"
#include "slots_tpm2.h"

#define SIGNATURE_MAX (64 * 1024)

/* A member's name, its whole decoded length n, is word. */
static bool named(const char *key, long n, const char *word)
{
	return (size_t)n == strlen(word) && !strcmp(key, word);
}

/* An entry's "pcrs": an array of PCR numbers, as a mask. Anything else
 * in its place fails the whole file, as it fails systemd's lookup. */
static bool read_pcrs(struct json_read *j, uint32_t *mask)
{
	bool first = true;
	uint32_t pcr;

	*mask = 0;
	if (!json_read_expect(j, '['))
		return false;
	while (json_read_next(j, ']', &first)) {
		if (!json_read_uint(j, TPM2_PCR_COUNT - 1, &pcr))
			return false;
		*mask |= 1u << pcr;
	}
	return !j->failed;
}

/* An entry's "pkfp": hex, either case, of 32 bytes; another length is
 * another key, digits that are not hex a damaged file. */
static bool read_pkfp(struct json_read *j, const uint8_t want[32])
{
	char hex[65];
	uint8_t fp[32];
	long n = json_read_string(j, hex, sizeof(hex));

	if (n != 64)
		return false;
	if (hex_decode(hex, 64, fp, sizeof(fp)) < 0)
		return json_read_fail(j);
	return !memcmp(fp, want, sizeof(fp));
}

/*
 * One entry of a bank's array. It is for this slot when its "pcrs" are
 * exactly the slot's signed PCRs and its "pkfp" is the slot's key, with a
 * "pol" and a "sig": what systemd asks of an entry. The "pol" it also
 * compares with the policy of the PCR values it boots with, which only
 * that boot can tell. A name given twice makes the entry no match.
 */
static bool entry_matches(struct json_read *j, uint32_t pcrs,
			  const uint8_t pkfp[32])
{
	static const char *const names[] = {"pcrs", "pkfp", "pol", "sig"};
	bool first = true, mask_ok = false, fp_ok = false, twice = false;
	bool empty = false;
	unsigned seen = 0, i;
	uint32_t mask;
	char key[8];
	long n;

	if (!json_read_expect(j, '{'))
		return false;
	while (json_read_next(j, '}', &first)) {
		n = json_read_string(j, key, sizeof(key));
		if (n < 0 || !json_read_expect(j, ':'))
			return false;
		for (i = 0; i < 4 && !named(key, n, names[i]); i++)
			;
		twice |= i < 4 && (seen & 1u << i);
		seen |= 1u << i;
		if (i == 0)
			mask_ok = read_pcrs(j, &mask) && mask == pcrs;
		else if (i == 1)
			fp_ok = read_pkfp(j, pkfp);
		else if (i < 4)
			empty |= json_read_string(j, NULL, 0) <= 0;
		else
			json_read_skip(j);
	}
	return !j->failed && !twice && !empty && (seen & 0xf) == 0xf &&
	       mask_ok && fp_ok;
}

/* The bank's array: any entry for this slot. Every entry is read, so
 * that a damaged one anywhere in it is seen. */
static bool bank_has(struct json_read *j, uint32_t pcrs, const uint8_t pkfp[32])
{
	bool first = true, hit = false;

	if (!json_read_expect(j, '['))
		return false;
	while (json_read_next(j, ']', &first))
		hit |= entry_matches(j, pcrs, pkfp);
	return hit && !j->failed;
}

/*
 * systemd-measure's JSON maps a bank's name to an array of entries of
 * "pcrs", "pkfp", "pol" and "sig". The file must be JSON throughout; the
 * bank's first member decides.
 */
bool nextboot_signature_has(const char *json, size_t len, const char *bank,
			    uint32_t pcrs, const uint8_t pkfp[32])
{
	struct json_read j;
	bool first = true, seen = false, hit = false;
	char key[16];
	long n;

	json_read_start(&j, json, len);
	if (!json_read_expect(&j, '{'))
		return false;
	while (json_read_next(&j, '}', &first)) {
		n = json_read_string(&j, key, sizeof(key));
		if (n < 0 || !json_read_expect(&j, ':'))
			return false;
		if (!seen && named(key, n, bank)) {
			seen = true;
			hit = bank_has(&j, pcrs, pkfp);
		} else {
			json_read_skip(&j);
		}
	}
	return json_read_done(&j) && hit;
}

static int read_signature(const char *path, char **buf, size_t *len)
{
	/* Public data, unlike a key file: a symbolic link is fine. */
	int fd = open(path, O_RDONLY | O_CLOEXEC), r;

	if (fd < 0)
		return -errno;
	*buf = malloc(SIGNATURE_MAX);
	if (!*buf) {
		close(fd);
		return -ENOMEM;
	}
	r = read_full(fd, (uint8_t *)*buf, SIGNATURE_MAX, len);
	close(fd);
	if (r < 0) {
		free(*buf);
		*buf = NULL;
	}
	return r;
}

/* One tpm2 slot: true when it will unseal; its verdict told. */
static bool slot_survives(const struct slot *s, const struct nextboot_opts *o,
			  void (*tell)(const char *))
{
	char line[512], pcrs[80], bank[16], fp[65], *sig = NULL;
	const char *b;
	struct tpm2_slot t;
	uint32_t hit;
	size_t len = 0;
	bool ok;
	int r;

	if (slot_tpm2_get(s, &t) < 0) {
		snprintf(line, sizeof(line),
			 "slot %u (tpm2) has damaged data and will not unseal",
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
	r = o->signature ? read_signature(o->signature, &sig, &len) : -ENOENT;
	ok = r == 0 &&
	     nextboot_signature_has(sig, len, b, t.pubkey_pcrs, t.pkfp);
	tpm2_pcrs_text(t.pubkey_pcrs, pcrs, sizeof(pcrs));
	free(sig);
	if (!o->signature)
		snprintf(line, sizeof(line),
			 "slot %u (tpm2, signed policy) needs the new image's "
			 "PCR signature: none was given (--tpm2-signature "
			 "FILE), so it is counted as not unsealing",
			 s->number);
	else if (r < 0)
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

int nextboot_check(const char *path, const struct nextboot_opts *o,
		   void (*tell)(const char *line), char *why, size_t wn)
{
	struct slots_file *f = calloc(1, sizeof(*f));
	bool tpm_ok = false, other = false, any_tpm = false;
	bool signed_unknown = false;
	int r;

	if (!f)
		return -ENOMEM;
	r = slots_file_load(path, o->allow_readable, f, why, wn);
	for (size_t i = 0; r == 0 && i < f->n; i++) {
		const struct slot *s = &f->slots[i];

		if (s->type == SLOT_TPM2) {
			struct tpm2_slot t;

			any_tpm = true;
			tpm_ok |= slot_survives(s, o, tell);
			signed_unknown |= !o->signature &&
					  slot_tpm2_get(s, &t) == 0 &&
					  (t.flags & TPM2_FLAG_SIGNED);
		} else if (slot_type_known(s->type)) {
			other = true;
		}
	}
	free(f);
	if (r < 0)
		return r;
	if (tpm_ok || other || !any_tpm)
		return 0;
	if (signed_unknown)
		return detail_set(why, wn, -EKEYREJECTED,
				  "no tpm2 slot of %s can be shown to unseal "
				  "on the next boot, and it has no other "
				  "protector: give --tpm2-signature FILE, the "
				  "new image's PCR signature",
				  path);
	return detail_set(why, wn, -EKEYREJECTED,
			  "no tpm2 slot of %s will unseal on the next boot, "
			  "and it has no other protector: after the update "
			  "the key could not be provisioned again",
			  path);
}
