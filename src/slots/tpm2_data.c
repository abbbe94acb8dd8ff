// SPDX-License-Identifier: MIT
/*
 * The tpm2 slot's data, and the few facts we read from what systemd-creds
 * makes and says. No TPM structure is marshalled here: the credential stays
 * systemd's, and we read only the plain header fields its format documents
 * (src/shared/creds-util.h), to show and check the policy it holds.
 */
#define _GNU_SOURCE
#include "slots/tpm2_data.h"

#include "basic/unaligned_le.h"
#include "shared/companion_protocol.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* systemd-creds's: PCR values (0) or signed (1); the companion's: a PIN
 * (2, with no signed policy) or none (4), signed or not, and either of
 * them for the running system (8). */
static bool flags_known(uint8_t f)
{
	uint8_t base = f & (uint8_t)~TPM2_FLAG_SYSTEM;

	if (f & TPM2_FLAG_SYSTEM)
		return base == TPM2_FLAG_PIN || base == TPM2_FLAG_OBJECT ||
		       base == (TPM2_FLAG_OBJECT | TPM2_FLAG_SIGNED);
	return f == 0 || f == TPM2_FLAG_SIGNED || f == TPM2_FLAG_PIN ||
	       f == TPM2_FLAG_OBJECT ||
	       f == (TPM2_FLAG_OBJECT | TPM2_FLAG_SIGNED);
}

int slot_tpm2_get(const struct slot *s, struct tpm2_slot *t)
{
	const uint8_t *d = s->data;

	memset(t, 0, sizeof(*t));
	if (s->data_len <= TPM2_DATA_HEADER || !flags_known(d[0]) || d[1])
		return -EBADMSG;
	t->flags = d[0];
	t->bank = get_le16(d + 2);
	t->pcrs = get_le32(d + 4);
	t->pubkey_pcrs = get_le32(d + 8);
	memcpy(t->pkfp, d + 12, sizeof(t->pkfp));
	t->blob = d + TPM2_DATA_HEADER;
	t->blob_len = s->data_len - TPM2_DATA_HEADER;
	/* A signed slot names its PCRs; an unsigned one has none signed. */
	if ((t->pcrs | t->pubkey_pcrs) >> TPM2_PCR_COUNT ||
	    !(t->flags & TPM2_FLAG_SIGNED) != !t->pubkey_pcrs)
		return -EBADMSG;
	/* The companion seals in the SHA-256 bank, and names a key only for
	 * a signed policy: anything else is not its object. */
	if (tpm2_by_companion(t) &&
	    (t->bank != TPM2_ALG_SHA256 ||
	     (!(t->flags & TPM2_FLAG_SIGNED) &&
	      !sodium_is_zero(t->pkfp, sizeof(t->pkfp)))))
		return -EBADMSG;
	return 0;
}

bool slot_tpm2_pin(const struct slot *s)
{
	return s->type == SLOT_TPM2 && s->data_len > 0 &&
	       (s->data[0] & TPM2_FLAG_PIN);
}

bool tpm2_by_companion(const struct tpm2_slot *t)
{
	return t->flags & (TPM2_FLAG_PIN | TPM2_FLAG_OBJECT);
}

int slot_tpm2_set(struct slot *s, const struct tpm2_slot *t)
{
	uint8_t *d = s->data;

	if (t->blob_len == 0 || t->blob_len > TPM2_BLOB_MAX)
		return -E2BIG;
	d[0] = t->flags;
	d[1] = 0;
	put_le16(d + 2, t->bank);
	put_le32(d + 4, t->pcrs);
	put_le32(d + 8, t->pubkey_pcrs);
	memcpy(d + 12, t->pkfp, sizeof(t->pkfp));
	memmove(d + TPM2_DATA_HEADER, t->blob, t->blob_len);
	s->data_len = (uint16_t)(TPM2_DATA_HEADER + t->blob_len);
	return 0;
}

int tpm2_pcrs_parse(const char *s, uint32_t *mask)
{
	uint32_t m = 0;

	while (*s) {
		unsigned v = 0;
		int digits = 0;

		while (*s >= '0' && *s <= '9' && digits < 3) {
			v = v * 10 + (unsigned)(*s++ - '0');
			digits++;
		}
		if (!digits || v >= TPM2_PCR_COUNT)
			return -EINVAL;
		m |= 1u << v;
		if (*s == '+' || *s == ',') {
			if (!*++s)
				return -EINVAL;
		} else if (*s) {
			return -EINVAL;
		}
	}
	*mask = m;
	return 0;
}

void tpm2_pcrs_text(uint32_t mask, char *buf, size_t n)
{
	size_t len = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < TPM2_PCR_COUNT && len < n; i++)
		if (mask & 1u << i)
			len += (size_t)snprintf(buf + len, n - len, "%s%u",
						len ? "+" : "", i);
}

const char *tpm2_bank_name(uint16_t alg, char *buf, size_t n)
{
	switch (alg) {
	case TPM2_ALG_SHA1:
		return "sha1";
	case TPM2_ALG_SHA256:
		return "sha256";
	case TPM2_ALG_SHA384:
		return "sha384";
	case TPM2_ALG_SHA512:
		return "sha512";
	}
	snprintf(buf, n, "0x%04x", alg);
	return buf;
}

/* A DER tag and length at *p (end e); the contents' length, or -1. */
static long der_item(const uint8_t **p, const uint8_t *e, uint8_t tag)
{
	const uint8_t *q = *p;
	size_t len;

	if (e - q < 2 || *q++ != tag)
		return -1;
	len = *q++;
	if (len & 0x80) {
		unsigned nb = len & 0x7f;

		if (nb == 0 || nb > 2 || (size_t)(e - q) < nb)
			return -1;
		for (len = 0; nb; nb--)
			len = len << 8 | *q++;
	}
	if ((size_t)(e - q) < len)
		return -1;
	*p = q;
	return (long)len;
}

int tpm2_pubkey_bits(const char *pem, size_t len, uint8_t *bits, size_t cap,
		     size_t *n)
{
	static const char begin[] = "-----BEGIN PUBLIC KEY-----",
			  end[] = "-----END PUBLIC KEY-----";
	const char *b = memmem(pem, len, begin, sizeof(begin) - 1), *e;
	uint8_t der[4096];
	const uint8_t *p = der, *de;
	size_t dn;
	long l;

	if (!b)
		return -EINVAL;
	b += sizeof(begin) - 1;
	e = memmem(b, len - (size_t)(b - pem), end, sizeof(end) - 1);
	if (!e ||
	    sodium_base642bin(der, sizeof(der), b, (size_t)(e - b), "\r\n\t ",
			      &dn, NULL, sodium_base64_VARIANT_ORIGINAL) < 0)
		return -EINVAL;
	/* SubjectPublicKeyInfo: SEQUENCE { AlgorithmIdentifier, BIT STRING } */
	de = der + dn;
	l = der_item(&p, de, 0x30);
	if (l < 0 || p + l != de)
		return -EINVAL;
	l = der_item(&p, de, 0x30);
	if (l < 0)
		return -EINVAL;
	p += l;
	l = der_item(&p, de, 0x03);
	if (l < 2 || p + l != de || *p != 0)
		return -EINVAL; /* a key's bits are whole bytes */
	if ((size_t)(l - 1) > cap)
		return -E2BIG;
	memcpy(bits, p + 1, *n = (size_t)(l - 1));
	return 0;
}

int tpm2_pubkey_fingerprint(const char *pem, size_t len, uint8_t fp[32])
{
	uint8_t bits[TPM2_PUBKEY_BITS_MAX];
	size_t n;
	int r = tpm2_pubkey_bits(pem, len, bits, sizeof(bits), &n);

	if (r == 0)
		crypto_hash_sha256(fp, bits, n);
	return r < 0 ? -EINVAL : 0;
}

/* The rules, in order: the first that matches says what happened. */
static const struct {
	const char *needle;
	enum tpm2_refusal r;
	const char *text;
} rules[] = {
    {"lockout mode", TPM2_REFUSED_LOCKOUT,
     "the TPM is in dictionary-attack lockout; it lets the key out again "
     "once its lockout time has passed, or after tpm2_dictionarylockout -c"},
    {"DA lockout", TPM2_REFUSED_LOCKOUT,
     "the TPM is in dictionary-attack lockout; it lets the key out again "
     "once its lockout time has passed, or after tpm2_dictionarylockout -c"},
    /* The TSS's words for TPM_RC_OBJECT_MEMORY, _SESSION_MEMORY, _MEMORY
     * and _SESSION_HANDLES, which systemd-creds passes on ("Failed to load
     * HMAC key in TPM: tpm:cli_warning(2.0): out of memory for object
     * contexts"): before the "Failed to load" of damaged data. */
    {"out of memory for object contexts", TPM2_REFUSED_FULL,
     COMPANION_FULL_TEXT},
    {"out of memory for session contexts", TPM2_REFUSED_FULL,
     COMPANION_FULL_TEXT},
    {"out of shared object", TPM2_REFUSED_FULL, COMPANION_FULL_TEXT},
    {"out of session handles", TPM2_REFUSED_FULL, COMPANION_FULL_TEXT},
    {"policy digest does not match", TPM2_REFUSED_PCR,
     "PCR mismatch: this boot's measurements differ from those the key was "
     "sealed to"},
    {"signature is not valid", TPM2_REFUSED_BAD_SIGNATURE,
     "bad signature: the PCR signature does not verify against the slot's "
     "public key"},
    {"Couldn't find signature", TPM2_REFUSED_SIGNATURE,
     "no signature for this boot: the PCR signature file has no entry for "
     "these PCR values and the slot's public key"},
    {"Failed to find TPM PCR signature", TPM2_REFUSED_SIGNATURE,
     "no PCR signature file was found"},
    {"Failed to initialize TCTI", TPM2_REFUSED_NO_TPM,
     "no TPM: the TPM2 device could not be opened"},
    {"Failed to load libtss2", TPM2_REFUSED_NO_TPM,
     "no TPM: the TPM2 libraries (libtss2) are missing"},
    {"TPM2 support not", TPM2_REFUSED_NO_TPM,
     "no TPM support in systemd-creds"},
    {"Failed to read encrypted credential data", TPM2_REFUSED_DAMAGED,
     "the sealed data is damaged: systemd-creds cannot read it"},
    {"Failed to unseal", TPM2_REFUSED_DAMAGED,
     "the sealed data is damaged or belongs to another TPM: the TPM cannot "
     "unseal it"},
    {"Failed to load", TPM2_REFUSED_DAMAGED,
     "the sealed data is damaged or belongs to another TPM: the TPM cannot "
     "load it"},
    {"ecrypt", TPM2_REFUSED_DAMAGED,
     "the sealed data is damaged: it does not decrypt"},
};

/* TSS libraries log lines of their own ("WARNING:esys:..."); not ours. */
static bool tss_noise(const char *l)
{
	return !strncmp(l, "WARNING:", 8) || !strncmp(l, "ERROR:", 6) ||
	       !strncmp(l, "INFO:", 5);
}

enum tpm2_refusal tpm2_classify(const char *msgs, struct fsp_problem *why)
{
	const char *l, *nl;

	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (strstr(msgs, rules[i].needle)) {
			problem_text(why, "%s", rules[i].text);
			return rules[i].r;
		}
	/* The last line that is not the TSS's: systemd-creds ends with its
	 * error, after its debug lines. */
	const char *last = NULL;
	int last_len = 0;

	for (l = msgs; *l; l = nl + 1) {
		nl = strchrnul(l, '\n');
		if (nl > l && !tss_noise(l)) {
			last = l;
			last_len = (int)(nl - l);
		}
		if (!*nl)
			break;
	}
	if (last) {
		problem_text(why, "systemd-creds: %.*s", last_len, last);
		return TPM2_REFUSED_OTHER;
	}
	problem_text(why, "systemd-creds failed and said nothing");
	return TPM2_REFUSED_OTHER;
}
