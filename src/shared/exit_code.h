/* SPDX-License-Identifier: MIT */
/* Exit codes; fscrypt-provision(8) documents each one. */
#ifndef FSP_SHARED_EXIT_CODE_H
#define FSP_SHARED_EXIT_CODE_H

enum {
	FSP_EXIT_OK = 0,
	FSP_EXIT_NOT_READY = 1,	  /* check: something needed is missing */
	FSP_EXIT_USAGE = 2,	  /* bad command line */
	FSP_EXIT_CONFIG = 3,	  /* fscrypttab cannot be read or parsed */
	FSP_EXIT_KEY_SOURCE = 4,  /* key file/fd missing, unsafe or malformed */
	FSP_EXIT_UNSUPPORTED = 5, /* kernel or filesystem lacks a feature */
	FSP_EXIT_KEY_REJECTED = 6, /* wrong key, identifier mismatch */
	FSP_EXIT_KEY_UNAVAILABLE =
	    7,			 /* provisioning key missing/expired/revoked */
	FSP_EXIT_PERMISSION = 8, /* EACCES/EPERM */
	FSP_EXIT_QUOTA = 9,	 /* key quota exceeded */
	FSP_EXIT_BUSY = 10,	 /* key removal incomplete: files in use */
	FSP_EXIT_SYSTEM = 11,	 /* any other system error */
	FSP_EXIT_MAX = FSP_EXIT_SYSTEM,
};

/* "key rejected" for 6; NULL for a code the tool never exits with. */
const char *exit_code_name(int code);

#endif
