// SPDX-License-Identifier: MIT
/*
 * Our fscrypt ABI (src/kernel/fscrypt_uapi.h) against the system's
 * <linux/fscrypt.h> (Debian 12: 6.1 headers): every size, every offset,
 * every constant and ioctl number, each also against its literal value.
 */
#include <linux/fscrypt.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/fscrypt_uapi.h"
#include "unit.h"

#define MEMBER_SIZE(type, m) sizeof(((type *)0)->m)

/* Sizes: ours == theirs == n. */
#define SAME_SIZE(ours, theirs, n)                                             \
	CHECK(sizeof(struct ours) == sizeof(struct theirs) &&                  \
		  sizeof(struct ours) == (n),                                  \
	      "sizeof(" #ours ") %zu == sizeof(" #theirs ") %zu == %zu",       \
	      sizeof(struct ours), sizeof(struct theirs), (size_t)(n))

/* One field: same offset (== off) and same size. */
#define SAME_FIELD(ours, theirs, field, off)                                   \
	CHECK(offsetof(struct ours, field) ==                                  \
		      offsetof(struct theirs, field) &&                        \
		  offsetof(struct ours, field) == (off) &&                     \
		  MEMBER_SIZE(struct ours, field) ==                           \
		      MEMBER_SIZE(struct theirs, field),                       \
	      #ours "." #field " at %zu (theirs %zu, want %zu), size %zu "     \
		    "(theirs %zu)",                                            \
	      offsetof(struct ours, field), offsetof(struct theirs, field),    \
	      (size_t)(off), MEMBER_SIZE(struct ours, field),                  \
	      MEMBER_SIZE(struct theirs, field))

/* A flexible array member: same offset (== off) and element size 1. */
#define SAME_FLEX(ours, theirs, field, off)                                    \
	CHECK(offsetof(struct ours, field) ==                                  \
		      offsetof(struct theirs, field) &&                        \
		  offsetof(struct ours, field) == (off) &&                     \
		  MEMBER_SIZE(struct ours, field[0]) == 1 &&                   \
		  MEMBER_SIZE(struct theirs, field[0]) == 1,                   \
	      #ours "." #field "[] at %zu (theirs %zu, want %zu)",             \
	      offsetof(struct ours, field), offsetof(struct theirs, field),    \
	      (size_t)(off))

/* A constant: ours == theirs == literal. */
#define SAME_CONST(ours, theirs, lit)                                          \
	CHECK((unsigned long)(ours) == (unsigned long)(theirs) &&              \
		  (unsigned long)(ours) == (unsigned long)(lit),               \
	      #ours " 0x%lx == " #theirs " 0x%lx == 0x%lx",                    \
	      (unsigned long)(ours), (unsigned long)(theirs),                  \
	      (unsigned long)(lit))

/*
 * The four bytes both policy versions begin with: the kernel reads version
 * first to learn which of the two it was given.
 */
#define SAME_POLICY_HEAD(ours, theirs)                                         \
	do {                                                                   \
		SAME_FIELD(ours, theirs, version, 0);                          \
		SAME_FIELD(ours, theirs, contents_encryption_mode, 1);         \
		SAME_FIELD(ours, theirs, filenames_encryption_mode, 2);        \
		SAME_FIELD(ours, theirs, flags, 3);                            \
	} while (0)

static void test_policies(void)
{
	SAME_SIZE(fsp_policy_v1, fscrypt_policy_v1, 12);
	SAME_POLICY_HEAD(fsp_policy_v1, fscrypt_policy_v1);
	SAME_FIELD(fsp_policy_v1, fscrypt_policy_v1, master_key_descriptor, 4);
	CHECK(MEMBER_SIZE(struct fsp_policy_v1, master_key_descriptor) == 8,
	      "v1 descriptor is 8 bytes");

	SAME_SIZE(fsp_policy_v2, fscrypt_policy_v2, 24);
	SAME_POLICY_HEAD(fsp_policy_v2, fscrypt_policy_v2);
	/*
	 * Bytes 4-7: __reserved[4] in the 6.1 header; from 6.7 on,
	 * log2_data_unit_size (which we leave 0, the default) and
	 * __reserved[3]. Either way they end where the identifier begins.
	 */
	CHECK(offsetof(struct fsp_policy_v2, __reserved) == 4 &&
		  MEMBER_SIZE(struct fsp_policy_v2, __reserved) == 4 &&
		  offsetof(struct fscrypt_policy_v2, __reserved) +
			  MEMBER_SIZE(struct fscrypt_policy_v2, __reserved) ==
		      8,
	      "v2 bytes 4-7 are reserved (or log2_data_unit_size) in both");
	SAME_FIELD(fsp_policy_v2, fscrypt_policy_v2, master_key_identifier, 8);
	CHECK(MEMBER_SIZE(struct fsp_policy_v2, master_key_identifier) == 16,
	      "v2 identifier is 16 bytes");

	SAME_SIZE(fsp_get_policy_ex_arg, fscrypt_get_policy_ex_arg, 32);
	SAME_FIELD(fsp_get_policy_ex_arg, fscrypt_get_policy_ex_arg,
		   policy_size, 0);
	SAME_FIELD(fsp_get_policy_ex_arg, fscrypt_get_policy_ex_arg, policy, 8);
	SAME_FIELD(fsp_get_policy_ex_arg, fscrypt_get_policy_ex_arg,
		   policy.version, 8);
	SAME_FIELD(fsp_get_policy_ex_arg, fscrypt_get_policy_ex_arg, policy.v1,
		   8);
	SAME_FIELD(fsp_get_policy_ex_arg, fscrypt_get_policy_ex_arg, policy.v2,
		   8);
	SAME_FIELD(fsp_get_policy_ex_arg, fscrypt_get_policy_ex_arg,
		   policy.v1.master_key_descriptor, 12);
	SAME_FIELD(fsp_get_policy_ex_arg, fscrypt_get_policy_ex_arg,
		   policy.v2.master_key_identifier, 16);
}

static void test_key_specifier(void)
{
	SAME_SIZE(fsp_key_specifier, fscrypt_key_specifier, 40);
	SAME_FIELD(fsp_key_specifier, fscrypt_key_specifier, type, 0);
	SAME_FIELD(fsp_key_specifier, fscrypt_key_specifier, __reserved, 4);
	SAME_FIELD(fsp_key_specifier, fscrypt_key_specifier, u, 8);
	SAME_FIELD(fsp_key_specifier, fscrypt_key_specifier, u.__reserved, 8);
	SAME_FIELD(fsp_key_specifier, fscrypt_key_specifier, u.descriptor, 8);
	SAME_FIELD(fsp_key_specifier, fscrypt_key_specifier, u.identifier, 8);
	CHECK(MEMBER_SIZE(struct fsp_key_specifier, u) == 32,
	      "key_specifier.u is 32 bytes");
}

static void test_provisioning_payload(void)
{
	SAME_SIZE(fsp_provisioning_key_payload,
		  fscrypt_provisioning_key_payload, 8);
	SAME_FIELD(fsp_provisioning_key_payload,
		   fscrypt_provisioning_key_payload, type, 0);
	SAME_FLEX(fsp_provisioning_key_payload,
		  fscrypt_provisioning_key_payload, raw, 8);
	/* 6.16 renamed __reserved to flags. */
	CHECK(offsetof(struct fsp_provisioning_key_payload, flags) ==
		      offsetof(struct fscrypt_provisioning_key_payload,
			       __reserved) &&
		  offsetof(struct fsp_provisioning_key_payload, flags) == 4,
	      "payload.flags sits at the 6.1 header's __reserved (offset 4)");
	CHECK(MEMBER_SIZE(struct fsp_provisioning_key_payload, flags) ==
		      MEMBER_SIZE(struct fscrypt_provisioning_key_payload,
				  __reserved) &&
		  MEMBER_SIZE(struct fsp_provisioning_key_payload, flags) == 4,
	      "payload.flags has the size of __reserved (4)");
}

static void test_add_key_arg(void)
{
	SAME_SIZE(fsp_add_key_arg, fscrypt_add_key_arg, 80);
	SAME_FIELD(fsp_add_key_arg, fscrypt_add_key_arg, key_spec, 0);
	SAME_FIELD(fsp_add_key_arg, fscrypt_add_key_arg, key_spec.type, 0);
	SAME_FIELD(fsp_add_key_arg, fscrypt_add_key_arg, key_spec.u.identifier,
		   8);
	SAME_FIELD(fsp_add_key_arg, fscrypt_add_key_arg, raw_size, 40);
	SAME_FIELD(fsp_add_key_arg, fscrypt_add_key_arg, key_id, 44);
	SAME_FLEX(fsp_add_key_arg, fscrypt_add_key_arg, raw, 80);
	/* 6.16 took __reserved[0] for flags; ours keeps the other seven. */
	CHECK(offsetof(struct fsp_add_key_arg, flags) ==
		      offsetof(struct fscrypt_add_key_arg, __reserved) &&
		  offsetof(struct fsp_add_key_arg, flags) == 48,
	      "add_key_arg.flags at the 6.1 header's __reserved[0] (48)");
	CHECK(MEMBER_SIZE(struct fsp_add_key_arg, flags) ==
		      MEMBER_SIZE(struct fscrypt_add_key_arg, __reserved[0]) &&
		  MEMBER_SIZE(struct fsp_add_key_arg, flags) == 4,
	      "add_key_arg.flags is one 4-byte word");
	CHECK(offsetof(struct fsp_add_key_arg, __reserved) ==
		      offsetof(struct fscrypt_add_key_arg, __reserved[1]) &&
		  offsetof(struct fsp_add_key_arg, __reserved) == 52,
	      "our __reserved starts at their __reserved[1] (52)");
	CHECK(MEMBER_SIZE(struct fsp_add_key_arg, __reserved) +
			  MEMBER_SIZE(struct fsp_add_key_arg, flags) ==
		      MEMBER_SIZE(struct fscrypt_add_key_arg, __reserved) &&
		  MEMBER_SIZE(struct fsp_add_key_arg, __reserved) == 28,
	      "flags + our __reserved (28) cover their __reserved (32)");
}

static void test_remove_and_status_args(void)
{
	SAME_SIZE(fsp_remove_key_arg, fscrypt_remove_key_arg, 64);
	SAME_FIELD(fsp_remove_key_arg, fscrypt_remove_key_arg, key_spec, 0);
	SAME_FIELD(fsp_remove_key_arg, fscrypt_remove_key_arg,
		   removal_status_flags, 40);
	SAME_FIELD(fsp_remove_key_arg, fscrypt_remove_key_arg, __reserved, 44);

	SAME_SIZE(fsp_get_key_status_arg, fscrypt_get_key_status_arg, 128);
	SAME_FIELD(fsp_get_key_status_arg, fscrypt_get_key_status_arg, key_spec,
		   0);
	SAME_FIELD(fsp_get_key_status_arg, fscrypt_get_key_status_arg,
		   __reserved, 40);
	SAME_FIELD(fsp_get_key_status_arg, fscrypt_get_key_status_arg, status,
		   64);
	SAME_FIELD(fsp_get_key_status_arg, fscrypt_get_key_status_arg,
		   status_flags, 68);
	SAME_FIELD(fsp_get_key_status_arg, fscrypt_get_key_status_arg,
		   user_count, 72);
	SAME_FIELD(fsp_get_key_status_arg, fscrypt_get_key_status_arg,
		   __out_reserved, 76);
}

static void test_constants(void)
{
	SAME_CONST(FSP_POLICY_FLAGS_PAD_4, FSCRYPT_POLICY_FLAGS_PAD_4, 0x00);
	SAME_CONST(FSP_POLICY_FLAGS_PAD_8, FSCRYPT_POLICY_FLAGS_PAD_8, 0x01);
	SAME_CONST(FSP_POLICY_FLAGS_PAD_16, FSCRYPT_POLICY_FLAGS_PAD_16, 0x02);
	SAME_CONST(FSP_POLICY_FLAGS_PAD_32, FSCRYPT_POLICY_FLAGS_PAD_32, 0x03);
	SAME_CONST(FSP_POLICY_FLAGS_PAD_MASK, FSCRYPT_POLICY_FLAGS_PAD_MASK,
		   0x03);
	SAME_CONST(FSP_POLICY_FLAG_DIRECT_KEY, FSCRYPT_POLICY_FLAG_DIRECT_KEY,
		   0x04);
	SAME_CONST(FSP_POLICY_FLAG_IV_INO_LBLK_64,
		   FSCRYPT_POLICY_FLAG_IV_INO_LBLK_64, 0x08);
	SAME_CONST(FSP_POLICY_FLAG_IV_INO_LBLK_32,
		   FSCRYPT_POLICY_FLAG_IV_INO_LBLK_32, 0x10);

	SAME_CONST(FSP_MODE_AES_256_XTS, FSCRYPT_MODE_AES_256_XTS, 1);
	SAME_CONST(FSP_MODE_AES_256_CTS, FSCRYPT_MODE_AES_256_CTS, 4);
	SAME_CONST(FSP_MODE_AES_128_CBC, FSCRYPT_MODE_AES_128_CBC, 5);
	SAME_CONST(FSP_MODE_AES_128_CTS, FSCRYPT_MODE_AES_128_CTS, 6);
	SAME_CONST(FSP_MODE_ADIANTUM, FSCRYPT_MODE_ADIANTUM, 9);
	SAME_CONST(FSP_MODE_AES_256_HCTR2, FSCRYPT_MODE_AES_256_HCTR2, 10);
	/* The SM4 modes arrived in 6.4; 6.1 headers lack them. */
#ifdef FSCRYPT_MODE_SM4_XTS
	SAME_CONST(FSP_MODE_SM4_XTS, FSCRYPT_MODE_SM4_XTS, 7);
	SAME_CONST(FSP_MODE_SM4_CTS, FSCRYPT_MODE_SM4_CTS, 8);
#else
	CHECK(FSP_MODE_SM4_XTS == 7, "FSP_MODE_SM4_XTS == 7");
	CHECK(FSP_MODE_SM4_CTS == 8, "FSP_MODE_SM4_CTS == 8");
#endif

	SAME_CONST(FSP_POLICY_V1, FSCRYPT_POLICY_V1, 0);
	SAME_CONST(FSP_POLICY_V2, FSCRYPT_POLICY_V2, 2);
	SAME_CONST(FSP_KEY_DESCRIPTOR_SIZE, FSCRYPT_KEY_DESCRIPTOR_SIZE, 8);
	SAME_CONST(FSP_KEY_IDENTIFIER_SIZE, FSCRYPT_KEY_IDENTIFIER_SIZE, 16);
	SAME_CONST(FSP_MAX_KEY_SIZE, FSCRYPT_MAX_KEY_SIZE, 64);
	CHECK(FSP_MIN_KEY_SIZE == 16, "FSP_MIN_KEY_SIZE == 16");

	SAME_CONST(FSP_KEY_SPEC_TYPE_DESCRIPTOR,
		   FSCRYPT_KEY_SPEC_TYPE_DESCRIPTOR, 1);
	SAME_CONST(FSP_KEY_SPEC_TYPE_IDENTIFIER,
		   FSCRYPT_KEY_SPEC_TYPE_IDENTIFIER, 2);

	SAME_CONST(FSP_KEY_REMOVAL_STATUS_FLAG_FILES_BUSY,
		   FSCRYPT_KEY_REMOVAL_STATUS_FLAG_FILES_BUSY, 0x1);
	SAME_CONST(FSP_KEY_REMOVAL_STATUS_FLAG_OTHER_USERS,
		   FSCRYPT_KEY_REMOVAL_STATUS_FLAG_OTHER_USERS, 0x2);

	SAME_CONST(FSP_KEY_STATUS_ABSENT, FSCRYPT_KEY_STATUS_ABSENT, 1);
	SAME_CONST(FSP_KEY_STATUS_PRESENT, FSCRYPT_KEY_STATUS_PRESENT, 2);
	SAME_CONST(FSP_KEY_STATUS_INCOMPLETELY_REMOVED,
		   FSCRYPT_KEY_STATUS_INCOMPLETELY_REMOVED, 3);
	SAME_CONST(FSP_KEY_STATUS_FLAG_ADDED_BY_SELF,
		   FSCRYPT_KEY_STATUS_FLAG_ADDED_BY_SELF, 0x1);

	/* 6.16; absent from 6.1 headers. */
#ifdef FSCRYPT_ADD_KEY_FLAG_HW_WRAPPED
	SAME_CONST(FSP_ADD_KEY_FLAG_HW_WRAPPED, FSCRYPT_ADD_KEY_FLAG_HW_WRAPPED,
		   0x1);
#else
	CHECK(FSP_ADD_KEY_FLAG_HW_WRAPPED == 0x1,
	      "FSP_ADD_KEY_FLAG_HW_WRAPPED == 1");
#endif
	CHECK_STR(FSP_PROVISIONING_KEY_TYPE, "fscrypt-provisioning",
		  "provisioning key type name");
}

static void test_ioctls(void)
{
	SAME_CONST(FSP_IOC_SET_ENCRYPTION_POLICY, FS_IOC_SET_ENCRYPTION_POLICY,
		   0x800c6613);
	SAME_CONST(FSP_IOC_GET_ENCRYPTION_POLICY_EX,
		   FS_IOC_GET_ENCRYPTION_POLICY_EX, 0xc0096616);
	SAME_CONST(FSP_IOC_ADD_ENCRYPTION_KEY, FS_IOC_ADD_ENCRYPTION_KEY,
		   0xc0506617);
	SAME_CONST(FSP_IOC_REMOVE_ENCRYPTION_KEY, FS_IOC_REMOVE_ENCRYPTION_KEY,
		   0xc0406618);
	SAME_CONST(FSP_IOC_REMOVE_ENCRYPTION_KEY_ALL_USERS,
		   FS_IOC_REMOVE_ENCRYPTION_KEY_ALL_USERS, 0xc0406619);
	SAME_CONST(FSP_IOC_GET_ENCRYPTION_KEY_STATUS,
		   FS_IOC_GET_ENCRYPTION_KEY_STATUS, 0xc080661a);
}

int main(void)
{
	test_policies();
	test_key_specifier();
	test_provisioning_payload();
	test_add_key_arg();
	test_remove_and_status_args();
	test_constants();
	test_ioctls();
	return UNIT_DONE();
}
