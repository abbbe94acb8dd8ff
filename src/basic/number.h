/* SPDX-License-Identifier: MIT */
/* Strict decimal numbers, for options and fscrypttab values alike. */
#ifndef FSP_BASIC_NUMBER_H
#define FSP_BASIC_NUMBER_H

#include <stdbool.h>

/*
 * Digits only, at most max: strtoul alone would take " 5", "+5" and "-5".
 * Returns false (and leaves *ret alone) for anything else.
 */
bool parse_unsigned(const char *s, unsigned long max, unsigned long *ret);

#endif
