/* SPDX-License-Identifier: MIT */
/*
 * The fscrypt and keyctl ABI we use, defined locally so that the build does
 * not depend on the build machine's kernel headers (Debian 12's are 6.1,
 * which lack the 6.16 "flags" words). tests/unit/test_uapi.c checks every
 * size and offset here against the system's <linux/fscrypt.h>.
 */
#ifndef FSP_KERNEL_FSCRYPT_UAPI_H
#define FSP_KERNEL_FSCRYPT_UAPI_H

#include <stdint.h>
#include <sys/ioctl.h>

#define FSP_POLICY_FLAGS_PAD_4 0x00
#define FSP_POLICY_FLAGS_PAD_8 0x01
#define FSP_POLICY_FLAGS_PAD_16 0x02
#define FSP_POLICY_FLAGS_PAD_32 0x03
#define FSP_POLICY_FLAGS_PAD_MASK 0x03
#define FSP_POLICY_FLAG_DIRECT_KEY 0x04
#define FSP_POLICY_FLAG_IV_INO_LBLK_64 0x08
#define FSP_POLICY_FLAG_IV_INO_LBLK_32 0x10

#define FSP_MODE_AES_256_XTS 1
#define FSP_MODE_AES_256_CTS 4
#define FSP_MODE_AES_128_CBC 5
#define FSP_MODE_AES_128_CTS 6
#define FSP_MODE_SM4_XTS 7
#define FSP_MODE_SM4_CTS 8
#define FSP_MODE_ADIANTUM 9
#define FSP_MODE_AES_256_HCTR2 10

#define FSP_POLICY_V1 0
#define FSP_POLICY_V2 2
#define FSP_KEY_DESCRIPTOR_SIZE 8
#define FSP_KEY_IDENTIFIER_SIZE 16
#define FSP_MIN_KEY_SIZE 16
#define FSP_MAX_KEY_SIZE 64

struct fsp_policy_v1 {
	uint8_t version;
	uint8_t contents_encryption_mode;
	uint8_t filenames_encryption_mode;
	uint8_t flags;
	uint8_t master_key_descriptor[FSP_KEY_DESCRIPTOR_SIZE];
};

struct fsp_policy_v2 {
	uint8_t version;
	uint8_t contents_encryption_mode;
	uint8_t filenames_encryption_mode;
	uint8_t flags;
	uint8_t __reserved[4];
	uint8_t master_key_identifier[FSP_KEY_IDENTIFIER_SIZE];
};

struct fsp_get_policy_ex_arg {
	uint64_t policy_size;
	union {
		uint8_t version;
		struct fsp_policy_v1 v1;
		struct fsp_policy_v2 v2;
	} policy;
};

#define FSP_KEY_SPEC_TYPE_DESCRIPTOR 1
#define FSP_KEY_SPEC_TYPE_IDENTIFIER 2

struct fsp_key_specifier {
	uint32_t type;
	uint32_t __reserved;
	union {
		uint8_t __reserved[32];
		uint8_t descriptor[FSP_KEY_DESCRIPTOR_SIZE];
		uint8_t identifier[FSP_KEY_IDENTIFIER_SIZE];
	} u;
};

/*
 * Payload of an "fscrypt-provisioning" key. The second word was reserved
 * until 6.16, which named it "flags" (FSP_ADD_KEY_FLAG_HW_WRAPPED); it must
 * equal the ioctl's flags, and we always use 0 for both.
 */
struct fsp_provisioning_key_payload {
	uint32_t type;
	uint32_t flags;
	uint8_t raw[];
};

#define FSP_ADD_KEY_FLAG_HW_WRAPPED 0x00000001

/* key_id exists since 5.6 (before that it was __reserved[0]); flags since 6.16.
 */
struct fsp_add_key_arg {
	struct fsp_key_specifier key_spec;
	uint32_t raw_size;
	uint32_t key_id;
	uint32_t flags;
	uint32_t __reserved[7];
	uint8_t raw[];
};

#define FSP_KEY_REMOVAL_STATUS_FLAG_FILES_BUSY 0x00000001
#define FSP_KEY_REMOVAL_STATUS_FLAG_OTHER_USERS 0x00000002

struct fsp_remove_key_arg {
	struct fsp_key_specifier key_spec;
	uint32_t removal_status_flags;
	uint32_t __reserved[5];
};

#define FSP_KEY_STATUS_ABSENT 1
#define FSP_KEY_STATUS_PRESENT 2
#define FSP_KEY_STATUS_INCOMPLETELY_REMOVED 3
#define FSP_KEY_STATUS_FLAG_ADDED_BY_SELF 0x00000001

struct fsp_get_key_status_arg {
	struct fsp_key_specifier key_spec;
	uint32_t __reserved[6];
	uint32_t status;
	uint32_t status_flags;
	uint32_t user_count;
	uint32_t __out_reserved[13];
};

#define FSP_IOC_SET_ENCRYPTION_POLICY _IOR('f', 19, struct fsp_policy_v1)
#define FSP_IOC_GET_ENCRYPTION_POLICY_EX _IOWR('f', 22, uint8_t[9])
#define FSP_IOC_ADD_ENCRYPTION_KEY _IOWR('f', 23, struct fsp_add_key_arg)
#define FSP_IOC_REMOVE_ENCRYPTION_KEY _IOWR('f', 24, struct fsp_remove_key_arg)
#define FSP_IOC_REMOVE_ENCRYPTION_KEY_ALL_USERS                                \
	_IOWR('f', 25, struct fsp_remove_key_arg)
#define FSP_IOC_GET_ENCRYPTION_KEY_STATUS                                      \
	_IOWR('f', 26, struct fsp_get_key_status_arg)

/* The key type that carries raw keys for key_id; in the kernel since 5.6. */
#define FSP_PROVISIONING_KEY_TYPE "fscrypt-provisioning"

#endif
