// SPDX-License-Identifier: MIT
/* systemd's PCR signature files (slots/pcr_signature.h). */
#define _GNU_SOURCE
#include "slots/pcr_signature.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <sodium.h>
#include <stdbool.h>
#include <string.h>

#include "basic/hex.h"
#include "basic/json_read.h"
#include "basic/read_full.h"
#include "slots/tpm2_data.h"

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

/* One entry's pol and sig, decoded. */
struct entry {
	uint8_t pol[TPM2_SIG_POL_SIZE];
	uint8_t sig[TPM2_SIG_MAX];
	size_t pol_len, sig_len;
};

/* "pol" (hex) or "sig" (base64) into e; false when it is empty. An
 * undecodable one is kept empty: that entry then matches nothing. */
static bool read_blob(struct json_read *j, bool sig, struct entry *e)
{
	char text[2 * TPM2_SIG_MAX];
	long n = json_read_string(j, text, sizeof(text));
	size_t got = 0;

	if (n <= 0)
		return false;
	if ((size_t)n >= sizeof(text))
		return true;
	if (!sig && hex_decode(text, (size_t)n, e->pol, sizeof(e->pol)) == 0)
		e->pol_len = (size_t)n / 2;
	if (sig &&
	    sodium_base642bin(e->sig, sizeof(e->sig), text, (size_t)n, NULL,
			      &got, NULL, sodium_base64_VARIANT_ORIGINAL) == 0)
		e->sig_len = got;
	return true;
}

/*
 * One entry of a bank's array. It is for this slot when its "pcrs" are
 * exactly the slot's signed PCRs and its "pkfp" is the slot's key, with a
 * "pol" and a "sig": what systemd asks of an entry. The "pol" it also
 * compares with the policy of the PCR values it boots with, which only
 * that boot can tell (the companion does). A name given twice makes the
 * entry no match.
 */
static bool entry_matches(struct json_read *j, uint32_t pcrs,
			  const uint8_t pkfp[32], struct entry *e)
{
	static const char *const names[] = {"pcrs", "pkfp", "pol", "sig"};
	bool first = true, mask_ok = false, fp_ok = false, twice = false;
	bool empty = false;
	unsigned seen = 0, i;
	uint32_t mask;
	char key[8];
	long n;

	e->pol_len = e->sig_len = 0;
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
			empty |= !read_blob(j, i == 3, e);
		else
			json_read_skip(j);
	}
	return !j->failed && !twice && !empty && (seen & 0xf) == 0xf &&
	       mask_ok && fp_ok && e->pol_len == TPM2_SIG_POL_SIZE &&
	       e->sig_len > 0;
}

/* What was found so far. */
struct found {
	uint8_t *recs;
	size_t cap, len;
	int n;
};

static void add(struct found *f, const struct entry *e)
{
	size_t need = TPM2_SIG_POL_SIZE + 2 + e->sig_len;

	if (f->n < 0)
		return;
	if (f->recs && f->cap - f->len < need) {
		f->n = -E2BIG;
		return;
	}
	if (f->recs) {
		memcpy(f->recs + f->len, e->pol, TPM2_SIG_POL_SIZE);
		f->recs[f->len + TPM2_SIG_POL_SIZE] = (uint8_t)e->sig_len;
		f->recs[f->len + TPM2_SIG_POL_SIZE + 1] =
		    (uint8_t)(e->sig_len >> 8);
		memcpy(f->recs + f->len + TPM2_SIG_POL_SIZE + 2, e->sig,
		       e->sig_len);
		f->len += need;
	}
	f->n++;
}

/* The bank's array: every entry for this slot. Every entry is read, so
 * that a damaged one anywhere in it is seen. */
static void bank_find(struct json_read *j, uint32_t pcrs,
		      const uint8_t pkfp[32], struct found *f)
{
	static struct entry e; /* 1 KiB and more: not on the stack */
	bool first = true;

	if (!json_read_expect(j, '['))
		return;
	while (json_read_next(j, ']', &first))
		if (entry_matches(j, pcrs, pkfp, &e))
			add(f, &e);
}

/*
 * systemd-measure's JSON maps a bank's name to an array of entries of
 * "pcrs", "pkfp", "pol" and "sig". The file must be JSON throughout; the
 * bank's first member decides.
 */
int tpm2_sig_find(const char *json, size_t len, const char *bank, uint32_t pcrs,
		  const uint8_t pkfp[32], uint8_t *recs, size_t cap,
		  size_t *rlen)
{
	struct found f = {.recs = recs, .cap = cap};
	struct json_read j;
	bool first = true, seen = false;
	char key[16];
	long n;

	json_read_start(&j, json, len);
	if (!json_read_expect(&j, '{'))
		return -EBADMSG;
	while (json_read_next(&j, '}', &first)) {
		n = json_read_string(&j, key, sizeof(key));
		if (n < 0 || !json_read_expect(&j, ':'))
			return -EBADMSG;
		if (!seen && named(key, n, bank)) {
			seen = true;
			bank_find(&j, pcrs, pkfp, &f);
		} else {
			json_read_skip(&j);
		}
	}
	if (!json_read_done(&j))
		return -EBADMSG;
	if (rlen)
		*rlen = f.len;
	return f.n;
}

int tpm2_sig_load(const char *path, const char *bank, uint32_t pcrs,
		  const uint8_t pkfp[32], uint8_t *recs, size_t cap,
		  size_t *rlen)
{
	/* Public data, unlike a key file: a symbolic link is fine. */
	int fd = open(path, O_RDONLY | O_CLOEXEC), r;
	size_t len = 0;
	char *text;

	if (fd < 0)
		return -errno;
	text = malloc(TPM2_SIG_FILE_MAX);
	r = text ? read_full(fd, (uint8_t *)text, TPM2_SIG_FILE_MAX, &len)
		 : -ENOMEM;
	close(fd);
	if (r == 0)
		r = tpm2_sig_find(text, len, bank, pcrs, pkfp, recs, cap, rlen);
	free(text);
	return r;
}
