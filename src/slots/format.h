/* SPDX-License-Identifier: MIT */
/*
 * The slots file (fscrypt-slots(5)): one master key, wrapped by one or more
 * protectors. This layer only encodes and decodes; it holds no secrets.
 */
#ifndef FSP_SLOTS_FORMAT_H
#define FSP_SLOTS_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/fscrypt_uapi.h"
#include "shared/problem.h"

#define SLOTS_MAGIC "FSPSLOTS"
#define SLOTS_VERSION 1
#define SLOTS_HEADER_SIZE 48
#define SLOTS_MAX 32
#define SLOT_FIXED_SIZE 80 /* a record up to its wrapped key */
#define SLOT_DATA_MAX 2048
#define SLOT_SALT_SIZE 16
#define SLOT_NONCE_SIZE 24
#define SLOT_TAG_SIZE 16
#define SLOT_WRAPPED_MAX (FSP_MAX_KEY_SIZE + SLOT_TAG_SIZE)
#define SLOT_RECORD_MAX (SLOT_FIXED_SIZE + SLOT_WRAPPED_MAX + 2 + SLOT_DATA_MAX)
#define SLOTS_FILE_MAX (SLOTS_HEADER_SIZE + SLOTS_MAX * SLOT_RECORD_MAX)
#define SLOT_EXEC_ARGS_MAX 32

/* The protector table. */
enum slot_type {
	SLOT_PASSPHRASE = 1, /* Argon2id of a passphrase */
	SLOT_RECOVERY = 2,   /* BLAKE2b of a generated 256-bit recovery key */
	SLOT_EXEC = 3,	     /* BLAKE2b of a program's standard output */
	SLOT_TPM2 = 4,	     /* BLAKE2b of a secret sealed to the TPM */
	SLOT_PKCS11 = 5,     /* BLAKE2b of a secret a PKCS#11 token keeps */
};

enum slot_kdf {
	SLOT_KDF_ARGON2ID = 1,
	SLOT_KDF_BLAKE2B = 2,
};

/* Argon2id costs a slot may name: beyond these a file is damage, not a
 * choice, and would let a planted file exhaust a small device's RAM. */
#define SLOT_ARGON2_OPS_MAX 1000000ULL
#define SLOT_ARGON2_MEM_MIN (8ULL << 10)
#define SLOT_ARGON2_MEM_MAX (4ULL << 30)

struct slot {
	uint16_t number;
	uint16_t type;	  /* enum slot_type; other values are kept, not used */
	uint64_t created; /* seconds since the epoch */
	uint8_t kdf;
	uint16_t timeout;  /* SLOT_EXEC: seconds the program may take */
	uint64_t opslimit; /* Argon2id passes */
	uint64_t memlimit; /* Argon2id bytes */
	uint8_t salt[SLOT_SALT_SIZE];
	uint8_t nonce[SLOT_NONCE_SIZE];
	uint8_t wrapped[SLOT_WRAPPED_MAX]; /* key_size + tag bytes */
	uint16_t data_len;
	uint8_t data[SLOT_DATA_MAX]; /* SLOT_EXEC: argv, each NUL-ended;
				      * SLOT_TPM2: slots/tpm2_data.h;
				      * SLOT_PKCS11: slots/pkcs11_data.h */
};

struct slots_file {
	uint16_t key_size;
	uint8_t identifier[FSP_KEY_IDENTIFIER_SIZE];
	size_t n;
	struct slot slots[SLOTS_MAX];
};

/* Bytes the record of s takes in a file whose keys are key_size long. */
size_t slot_record_size(const struct slots_file *f, const struct slot *s);

/*
 * Decodes a whole file. Returns 0, or -EBADMSG (damaged: what says where),
 * -EPROTONOSUPPORT (another version), -EMSGSIZE (truncated or too big).
 */
int slots_decode(const uint8_t *buf, size_t len, struct slots_file *ret,
		 struct fsp_problem *why);
/* Encodes f into buf (SLOTS_FILE_MAX bytes); returns the length used. */
size_t slots_encode(const struct slots_file *f, uint8_t *buf);

/*
 * The associated data a slot's wrapped key is bound to: the header (with
 * the slot count zeroed, so that wiping another slot changes nothing) and
 * the slot's own record without the wrapped key. Returns its length; buf
 * holds SLOTS_HEADER_SIZE + SLOT_RECORD_MAX bytes.
 */
size_t slot_associated_data(const struct slots_file *f, const struct slot *s,
			    uint8_t *buf);

/* The lowest slot number not in use, or -ENOSPC. */
int slots_free_number(const struct slots_file *f);
/* The index of slot number, or -ENOENT. */
int slots_find(const struct slots_file *f, unsigned number);
/* Removes the slot at index i. */
void slots_remove(struct slots_file *f, size_t i);

const char *slot_type_name(unsigned type);
/* A type this version can use; others come from newer versions. */
bool slot_type_known(unsigned type);
/* "64 MiB", or "8 KiB" when not whole MiB: Argon2id memory for people. */
void slot_mem_text(uint64_t bytes, char *buf, size_t n);
/*
 * SLOT_EXEC's argv from its data, into argv (SLOT_EXEC_ARGS_MAX + 1 entries,
 * NULL-ended; pointers into s->data). Returns the count, or -EINVAL.
 */
int slot_exec_argv(const struct slot *s, const char **argv);
/* Stores argv as s's data: 0, or -E2BIG / -EINVAL (not an absolute path). */
int slot_set_exec_argv(struct slot *s, char *const *argv);

#endif
