/* SPDX-License-Identifier: MIT */
/* The master key named on the command line, for add and identifier. */
#ifndef FSP_FSCRYPT_PROVISION_MASTER_KEY_H
#define FSP_FSCRYPT_PROVISION_MASTER_KEY_H

#include <stdint.h>

#include "basic/secmem.h"
#include "fscrypt-provision/key_options.h"
#include "fscrypt-provision/slots_options.h"
#include "kernel/fscrypt_uapi.h"

/* The master key from --slots, or from --key-file/--key-fd: an exit code,
 * having said why. */
int read_key_or_slots(const struct key_args *ka, struct slots_arg *sa,
		      const char *cmd, struct secbuf *key,
		      uint8_t id[FSP_KEY_IDENTIFIER_SIZE]);

#endif
