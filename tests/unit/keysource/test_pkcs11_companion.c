// SPDX-License-Identifier: MIT
/*
 * The helper's reading of the PKCS#11 companion: each exit status as the
 * -errno that unlock and enroll act on (a locked PIN passes to the next
 * protector, a wrong one asks again), and check's words as flags.
 */
#define _GNU_SOURCE
#include <errno.h>

#include "keysource/pkcs11_companion.h"
#include "unit.h"

static void test_exit_errno(void)
{
	CHECK(pkcs11_exit_errno(PKCS11_EXIT_BAD_PIN) == -EACCES,
	      "a wrong PIN: -EACCES, asked again");
	CHECK(pkcs11_exit_errno(PKCS11_EXIT_PIN_LOCKED) == -EPERM,
	      "a locked PIN: -EPERM");
	CHECK(pkcs11_exit_errno(PKCS11_EXIT_PIN_EXPIRED) == -EKEYEXPIRED,
	      "an expired PIN: -EKEYEXPIRED");
	CHECK(pkcs11_exit_errno(PKCS11_EXIT_NO_TOKEN) == -ENODEV,
	      "no token: -ENODEV");
	CHECK(pkcs11_exit_errno(PKCS11_EXIT_NO_KEY) == -ENOKEY,
	      "no key pair: -ENOKEY");
	CHECK(pkcs11_exit_errno(PKCS11_EXIT_UNSUPPORTED) == -EOPNOTSUPP,
	      "a mechanism the token lacks: -EOPNOTSUPP");
	CHECK(pkcs11_exit_errno(PKCS11_EXIT_DAMAGED) == -EBADMSG,
	      "refused wrapped data: -EBADMSG");
	CHECK(pkcs11_exit_errno(PKCS11_EXIT_NO_MODULE) == -ELIBACC,
	      "no module: -ELIBACC");
	CHECK(pkcs11_exit_errno(PKCS11_EXIT_USAGE) == -EINVAL,
	      "usage: -EINVAL");
	CHECK(pkcs11_exit_errno(99) == -EIO, "anything else (99): -EIO");
}

static void test_flags(void)
{
	CHECK(pkcs11_flags_parse("") == 0, "no words");
	CHECK(pkcs11_flags_parse("pin-count-low") == PKCS11_PIN_COUNT_LOW,
	      "pin-count-low");
	CHECK(pkcs11_flags_parse("pin-pad pin-locked\n") ==
		  (PKCS11_PIN_PAD | PKCS11_PIN_LOCKED),
	      "two words and a newline");
	CHECK(pkcs11_flags_parse("pin-final-try pin-to-be-changed") ==
		  (PKCS11_PIN_FINAL_TRY | PKCS11_PIN_TO_BE_CHANGED),
	      "a final try, to be changed");
	CHECK(pkcs11_flags_parse("pin-lock pin-pads") == 0,
	      "words that only start like one count for nothing");
}

int main(void)
{
	test_exit_errno();
	test_flags();
	return UNIT_DONE();
}
