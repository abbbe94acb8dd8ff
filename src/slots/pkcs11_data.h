/* SPDX-License-Identifier: MIT */
/*
 * The pkcs11 slot's data (fscrypt-slots(5)): the token's module and URI,
 * and the secret wrapped to a key pair on it (shared/pkcs11_protocol.h).
 * Pure logic: no token is spoken to here.
 */
#ifndef FSP_SLOTS_PKCS11_DATA_H
#define FSP_SLOTS_PKCS11_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "slots/format.h"

enum pkcs11_mech {
	PKCS11_OAEP_SHA256 = 1,
	PKCS11_OAEP_SHA1 = 2,
	PKCS11_ECDH = 3,
};

#define PKCS11_MODULE_MAX 255
#define PKCS11_SLOT_URI_MAX 640
#define PKCS11_SLOT_WRAPPED_MAX 1024

struct pkcs11_slot {
	uint8_t mech;			    /* enum pkcs11_mech */
	char module[PKCS11_MODULE_MAX + 1]; /* an absolute path */
	char uri[PKCS11_SLOT_URI_MAX + 1];  /* "pkcs11:...", RFC 7512 */
	const uint8_t *wrapped;		    /* into the slot's data */
	size_t wrapped_len;
};

/* Parses s's data (SLOT_PKCS11). 0, or -EBADMSG. */
int slot_pkcs11_get(const struct slot *s, struct pkcs11_slot *p);
/* Stores p (its wrapped bytes copied) as s's data. 0, or -EINVAL for what
 * slot_pkcs11_get would refuse. */
int slot_pkcs11_set(struct slot *s, const struct pkcs11_slot *p);
/* The companion's name of a mechanism ("ecdh"), or NULL. */
const char *pkcs11_mech_name(unsigned mech);
/* A mechanism from the companion's name; 0 for none. */
uint8_t pkcs11_mech_parse(const char *name);
/*
 * The value of a URI's attribute name ("token", "module-path"), its %XX
 * undone and control bytes shown as '?', into buf (n bytes): what a
 * prompt names, and which module to load. "" when it has none.
 */
void pkcs11_uri_value(const char *uri, const char *name, char *buf, size_t n);

#endif
