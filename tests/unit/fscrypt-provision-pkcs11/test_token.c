// SPDX-License-Identifier: MIT
/*
 * The PKCS#11 companion's reading of a token: each return value that means
 * something to the helper becomes its exit code (a locked and an expired
 * PIN among them, which SoftHSM2 never reports), and the PIN flags become
 * check's words.
 */
#define _GNU_SOURCE
#include <string.h>

#include "fscrypt-provision-pkcs11/token.h"
#include "shared/pkcs11_protocol.h"
#include "unit.h"

static void test_exit_codes(void)
{
	static const struct {
		CK_RV rv;
		int code;
		const char *what;
	} cases[] = {
	    {CKR_OK, PKCS11_EXIT_OK, "CKR_OK"},
	    {CKR_PIN_INCORRECT, PKCS11_EXIT_BAD_PIN, "CKR_PIN_INCORRECT"},
	    {CKR_PIN_LEN_RANGE, PKCS11_EXIT_BAD_PIN, "CKR_PIN_LEN_RANGE"},
	    {CKR_PIN_LOCKED, PKCS11_EXIT_PIN_LOCKED, "CKR_PIN_LOCKED"},
	    {CKR_PIN_EXPIRED, PKCS11_EXIT_PIN_EXPIRED, "CKR_PIN_EXPIRED"},
	    {CKR_TOKEN_NOT_PRESENT, PKCS11_EXIT_NO_TOKEN,
	     "CKR_TOKEN_NOT_PRESENT"},
	    {CKR_DEVICE_REMOVED, PKCS11_EXIT_NO_TOKEN, "CKR_DEVICE_REMOVED"},
	    {CKR_MECHANISM_INVALID, PKCS11_EXIT_UNSUPPORTED,
	     "CKR_MECHANISM_INVALID"},
	    {CKR_KEY_FUNCTION_NOT_PERMITTED, PKCS11_EXIT_UNSUPPORTED,
	     "CKR_KEY_FUNCTION_NOT_PERMITTED"},
	    {CKR_ENCRYPTED_DATA_INVALID, PKCS11_EXIT_DAMAGED,
	     "CKR_ENCRYPTED_DATA_INVALID"},
	    {CKR_GENERAL_ERROR, PKCS11_EXIT_FAILED, "CKR_GENERAL_ERROR"},
	    {CKR_DEVICE_ERROR, PKCS11_EXIT_FAILED, "CKR_DEVICE_ERROR"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK(token_exit(cases[i].rv) == cases[i].code, "%s: exit %d",
		      cases[i].what, cases[i].code);
}

static void test_flags(void)
{
	CK_TOKEN_INFO info;
	char buf[128];

	memset(&info, 0, sizeof(info));
	token_flags_text(&info, buf, sizeof(buf));
	CHECK_STR(buf, "", "no PIN flags: no words");
	info.flags = CKF_USER_PIN_COUNT_LOW | CKF_LOGIN_REQUIRED;
	token_flags_text(&info, buf, sizeof(buf));
	CHECK_STR(buf, "pin-count-low", "a low count, and nothing else");
	info.flags = CKF_PROTECTED_AUTHENTICATION_PATH | CKF_USER_PIN_LOCKED |
		     CKF_USER_PIN_FINAL_TRY | CKF_USER_PIN_TO_BE_CHANGED;
	token_flags_text(&info, buf, sizeof(buf));
	CHECK_STR(buf, "pin-pad pin-final-try pin-locked pin-to-be-changed",
		  "a PIN pad, a final try, locked, to be changed");
	token_flags_text(&info, buf, 8);
	CHECK(strlen(buf) < 8, "cut to the buffer");
}

int main(void)
{
	test_exit_codes();
	test_flags();
	return UNIT_DONE();
}
