// SPDX-License-Identifier: MIT
/*
 * The slots file's byte layout (fscrypt-slots(5)), decoded strictly: every
 * reserved byte must be zero and every length must add up, so that a file
 * either means exactly one thing or is refused.
 */
#define _GNU_SOURCE
#include "slots/format.h"

#include "basic/unaligned_le.h"
#include "shared/problem.h"
#include "slots/pkcs11_data.h"
#include "slots/tpm2_data.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

size_t slot_record_size(const struct slots_file *f, const struct slot *s)
{
	return SLOT_FIXED_SIZE + f->key_size + SLOT_TAG_SIZE + 2 + s->data_len;
}

bool slot_type_known(unsigned type)
{
	return type >= SLOT_PASSPHRASE && type <= SLOT_PKCS11;
}

const char *slot_type_name(unsigned type)
{
	switch (type) {
	case SLOT_PASSPHRASE:
		return "passphrase";
	case SLOT_RECOVERY:
		return "recovery-key";
	case SLOT_EXEC:
		return "exec";
	case SLOT_TPM2:
		return "tpm2";
	case SLOT_PKCS11:
		return "pkcs11";
	default:
		return "unknown";
	}
}

void slot_mem_text(uint64_t bytes, char *buf, size_t n)
{
	if (bytes % (1u << 20) == 0)
		snprintf(buf, n, "%llu MiB", (unsigned long long)(bytes >> 20));
	else
		snprintf(buf, n, "%llu KiB", (unsigned long long)(bytes >> 10));
}

int slot_exec_argv(const struct slot *s, const char **argv)
{
	size_t i = 0;
	int n = 0;

	if (s->data_len == 0 || s->data[s->data_len - 1] != '\0')
		return -EINVAL;
	while (i < s->data_len) {
		const char *a = (const char *)s->data + i;

		if (n == SLOT_EXEC_ARGS_MAX)
			return -EINVAL;
		argv[n++] = a;
		i += strlen(a) + 1;
	}
	argv[n] = NULL;
	return argv[0][0] == '/' ? n : -EINVAL;
}

int slot_set_exec_argv(struct slot *s, char *const *argv)
{
	size_t len = 0;
	int n = 0;

	if (!argv[0] || argv[0][0] != '/')
		return -EINVAL;
	for (; argv[n]; n++) {
		size_t l = strlen(argv[n]) + 1;

		if (n == SLOT_EXEC_ARGS_MAX || len + l > SLOT_DATA_MAX)
			return -E2BIG;
		memcpy(s->data + len, argv[n], l);
		len += l;
	}
	s->data_len = (uint16_t)len;
	return 0;
}

/* The checks that tie a slot's type to its KDF and its costs. */
static int check_slot(const struct slot *s, unsigned idx,
		      struct fsp_problem *why)
{
	const char *argv[SLOT_EXEC_ARGS_MAX + 1];
	struct tpm2_slot t;
	struct pkcs11_slot p;

	if (s->number >= SLOTS_MAX)
		return problem_set(why, OP_UNWRAP, -EBADMSG,
				   "record %u has slot number %u (at most %u)",
				   idx, s->number, SLOTS_MAX - 1);
	/* A newer protector type is kept as it is and skipped at unlock. */
	if (!slot_type_known(s->type))
		return 0;
	if (s->type == SLOT_PASSPHRASE) {
		if (s->kdf != SLOT_KDF_ARGON2ID || s->opslimit < 1 ||
		    s->opslimit > SLOT_ARGON2_OPS_MAX ||
		    s->memlimit < SLOT_ARGON2_MEM_MIN ||
		    s->memlimit > SLOT_ARGON2_MEM_MAX || s->memlimit % 1024)
			return problem_set(
			    why, OP_UNWRAP, -EBADMSG,
			    "slot %u has Argon2id costs outside the "
			    "accepted range",
			    s->number);
	} else {
		if (s->kdf != SLOT_KDF_BLAKE2B || s->opslimit || s->memlimit)
			return problem_set(
			    why, OP_UNWRAP, -EBADMSG,
			    "slot %u names a KDF its type does not use",
			    s->number);
	}
	if (s->type == SLOT_EXEC) {
		if (slot_exec_argv(s, argv) < 0 || s->timeout == 0)
			return problem_set(
			    why, OP_UNWRAP, -EBADMSG,
			    "slot %u has no valid program to run", s->number);
	} else if (s->type == SLOT_TPM2) {
		if (slot_tpm2_get(s, &t) < 0 || s->timeout)
			return problem_set(why, OP_UNWRAP, -EBADMSG,
					   "slot %u has no valid sealed data",
					   s->number);
	} else if (s->type == SLOT_PKCS11) {
		if (slot_pkcs11_get(s, &p) < 0 || s->timeout)
			return problem_set(why, OP_UNWRAP, -EBADMSG,
					   "slot %u has no valid token data",
					   s->number);
	} else if (s->timeout || s->data_len) {
		return problem_set(why, OP_UNWRAP, -EBADMSG,
				   "slot %u has data its type does not use",
				   s->number);
	}
	return 0;
}

/* One record at p (left bytes remain); 0 with *used set, or -errno. */
static int decode_slot(const struct slots_file *f, const uint8_t *p,
		       size_t left, unsigned idx, struct slot *s, size_t *used,
		       struct fsp_problem *why)
{
	size_t wrapped = (size_t)f->key_size + SLOT_TAG_SIZE;
	size_t need = SLOT_FIXED_SIZE + wrapped + 2, len;

	if (left < need)
		return problem_set(why, OP_UNWRAP, -EMSGSIZE,
				   "record %u is truncated", idx);
	len = get_le32(p);
	memset(s, 0, sizeof(*s));
	s->number = get_le16(p + 4);
	s->type = get_le16(p + 6);
	s->created = get_le64(p + 8);
	s->kdf = p[16];
	s->timeout = get_le16(p + 18);
	s->opslimit = get_le64(p + 24);
	s->memlimit = get_le64(p + 32);
	memcpy(s->salt, p + 40, SLOT_SALT_SIZE);
	memcpy(s->nonce, p + 56, SLOT_NONCE_SIZE);
	memcpy(s->wrapped, p + SLOT_FIXED_SIZE, wrapped);
	s->data_len = get_le16(p + SLOT_FIXED_SIZE + wrapped);
	if (p[17] || !all_zero(p + 20, 4))
		return problem_set(why, OP_UNWRAP, -EBADMSG,
				   "record %u has reserved bytes set", idx);
	if (s->data_len > SLOT_DATA_MAX)
		return problem_set(
		    why, OP_UNWRAP, -EBADMSG,
		    "record %u has %u bytes of data (at most %u)", idx,
		    s->data_len, SLOT_DATA_MAX);
	if (len != need + s->data_len)
		return problem_set(
		    why, OP_UNWRAP, -EBADMSG,
		    "record %u says it is %zu bytes, but its fields "
		    "take %zu",
		    idx, len, need + s->data_len);
	if (left < len)
		return problem_set(why, OP_UNWRAP, -EMSGSIZE,
				   "record %u is truncated", idx);
	memcpy(s->data, p + need, s->data_len);
	*used = len;
	return check_slot(s, idx, why);
}

static int decode_header(const uint8_t *buf, size_t len, struct slots_file *f,
			 size_t *count, struct fsp_problem *why)
{
	unsigned version;

	if (len < 8 || memcmp(buf, SLOTS_MAGIC, 8) != 0)
		return problem_set(why, OP_UNWRAP,
				   len < 8 ? -EMSGSIZE : -EBADMSG,
				   "is not a slots file (no FSPSLOTS header)");
	if (len < SLOTS_HEADER_SIZE)
		return problem_set(why, OP_UNWRAP, -EMSGSIZE,
				   "is truncated (%zu bytes, in its header)",
				   len);
	version = get_le16(buf + 8);
	if (version != SLOTS_VERSION)
		return problem_set(
		    why, OP_UNWRAP, -EPROTONOSUPPORT,
		    "has format version %u; this fscrypt-provision "
		    "reads version %u only",
		    version, SLOTS_VERSION);
	if (get_le16(buf + 10) != SLOTS_HEADER_SIZE)
		return problem_set(why, OP_UNWRAP, -EBADMSG,
				   "has a header of %u bytes",
				   get_le16(buf + 10));
	f->key_size = get_le16(buf + 12);
	*count = get_le16(buf + 14);
	memcpy(f->identifier, buf + 16, FSP_KEY_IDENTIFIER_SIZE);
	if (f->key_size < FSP_MIN_KEY_SIZE || f->key_size > FSP_MAX_KEY_SIZE)
		return problem_set(why, OP_UNWRAP, -EBADMSG,
				   "names a key size of %u bytes (16 to 64)",
				   f->key_size);
	if (*count > SLOTS_MAX)
		return problem_set(why, OP_UNWRAP, -EBADMSG,
				   "claims %zu slots (at most %u)", *count,
				   SLOTS_MAX);
	if (!all_zero(buf + 32, SLOTS_HEADER_SIZE - 32))
		return problem_set(why, OP_UNWRAP, -EBADMSG,
				   "has reserved bytes set");
	return 0;
}

int slots_decode(const uint8_t *buf, size_t len, struct slots_file *ret,
		 struct fsp_problem *why)
{
	size_t off = SLOTS_HEADER_SIZE, count = 0;
	int r;

	memset(ret, 0, sizeof(*ret));
	if (len > SLOTS_FILE_MAX)
		return problem_set(
		    why, OP_UNWRAP, -EMSGSIZE,
		    "is %zu bytes, more than a slots file can be (%u)", len,
		    (unsigned)SLOTS_FILE_MAX);
	r = decode_header(buf, len, ret, &count, why);
	if (r < 0)
		return r;
	for (size_t i = 0; i < count; i++) {
		struct slot *s = &ret->slots[i];
		size_t used = 0;

		r = decode_slot(ret, buf + off, len - off, (unsigned)i, s,
				&used, why);
		if (r < 0)
			return r;
		if (slots_find(ret, s->number) >= 0)
			return problem_set(why, OP_UNWRAP, -EBADMSG,
					   "has slot %u twice", s->number);
		ret->n++;
		off += used;
	}
	if (off != len)
		return problem_set(why, OP_UNWRAP, -EBADMSG,
				   "has %zu bytes after its last slot",
				   len - off);
	return 0;
}

static size_t encode_record(const struct slots_file *f, const struct slot *s,
			    uint8_t *p, bool with_key)
{
	size_t wrapped = (size_t)f->key_size + SLOT_TAG_SIZE, o;

	memset(p, 0, SLOT_FIXED_SIZE);
	put_le32(p, (uint32_t)slot_record_size(f, s));
	put_le16(p + 4, s->number);
	put_le16(p + 6, s->type);
	put_le64(p + 8, s->created);
	p[16] = s->kdf;
	put_le16(p + 18, s->timeout);
	put_le64(p + 24, s->opslimit);
	put_le64(p + 32, s->memlimit);
	memcpy(p + 40, s->salt, SLOT_SALT_SIZE);
	memcpy(p + 56, s->nonce, SLOT_NONCE_SIZE);
	o = SLOT_FIXED_SIZE;
	if (with_key) {
		memcpy(p + o, s->wrapped, wrapped);
		o += wrapped;
	}
	put_le16(p + o, s->data_len);
	memcpy(p + o + 2, s->data, s->data_len);
	return o + 2 + s->data_len;
}

static void encode_header(const struct slots_file *f, uint8_t *p, size_t count)
{
	memset(p, 0, SLOTS_HEADER_SIZE);
	memcpy(p, SLOTS_MAGIC, 8);
	put_le16(p + 8, SLOTS_VERSION);
	put_le16(p + 10, SLOTS_HEADER_SIZE);
	put_le16(p + 12, f->key_size);
	put_le16(p + 14, (uint16_t)count);
	memcpy(p + 16, f->identifier, FSP_KEY_IDENTIFIER_SIZE);
}

size_t slots_encode(const struct slots_file *f, uint8_t *buf)
{
	size_t off = SLOTS_HEADER_SIZE;

	encode_header(f, buf, f->n);
	for (size_t i = 0; i < f->n; i++)
		off += encode_record(f, &f->slots[i], buf + off, true);
	return off;
}

size_t slot_associated_data(const struct slots_file *f, const struct slot *s,
			    uint8_t *buf)
{
	encode_header(f, buf, 0);
	return SLOTS_HEADER_SIZE +
	       encode_record(f, s, buf + SLOTS_HEADER_SIZE, false);
}

int slots_find(const struct slots_file *f, unsigned number)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->slots[i].number == number)
			return (int)i;
	return -ENOENT;
}

int slots_free_number(const struct slots_file *f)
{
	for (unsigned n = 0; n < SLOTS_MAX; n++)
		if (slots_find(f, n) < 0)
			return (int)n;
	return -ENOSPC;
}

void slots_remove(struct slots_file *f, size_t i)
{
	memmove(&f->slots[i], &f->slots[i + 1],
		(f->n - i - 1) * sizeof(f->slots[0]));
	f->n--;
	memset(&f->slots[f->n], 0, sizeof(f->slots[0]));
}
