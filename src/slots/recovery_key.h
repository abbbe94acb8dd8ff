/* SPDX-License-Identifier: MIT */
/*
 * Recovery keys: 256 random bits, written in modhex (the alphabet of
 * systemd-cryptenroll and YubiKeys, the same keys on QWERTY, AZERTY and
 * QWERTZ) as 8 groups of 8, so that a person can copy and type one.
 */
#ifndef FSP_SLOTS_RECOVERY_KEY_H
#define FSP_SLOTS_RECOVERY_KEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RECOVERY_KEY_BYTES 32
/* 64 digits, 7 dashes, NUL */
#define RECOVERY_KEY_TEXT_SIZE 72

/* Writes the text form of key to out (RECOVERY_KEY_TEXT_SIZE bytes). */
void recovery_key_format(const uint8_t key[RECOVERY_KEY_BYTES], char *out);
/*
 * Reads a typed recovery key: modhex digits in either case, with dashes
 * and spaces anywhere. True and key set when text is one.
 */
bool recovery_key_parse(const char *text, size_t len,
			uint8_t key[RECOVERY_KEY_BYTES]);

#endif
