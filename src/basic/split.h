/* SPDX-License-Identifier: MIT */
/*
 * Cutting a line of a kernel table (/proc/self/mountinfo, /proc/keys) into
 * its words, in place. Not sscanf(): musl's scanf takes its float parser
 * along, 12 KB of a static helper that reads no floats.
 */
#ifndef FSP_BASIC_SPLIT_H
#define FSP_BASIC_SPLIT_H

#include <stddef.h>

/*
 * Ends each word of s (runs of characters other than space, tab and
 * newline) with a NUL and points v[0..] at the first max of them. Returns
 * how many it found, or max + 1 when s has more than max words (those after
 * the first max are left as they were).
 */
size_t split_words(char *s, char **v, size_t max);

#endif
