/* SPDX-License-Identifier: MIT */
/*
 * A small pull reader for JSON that other programs wrote (systemd's PCR
 * signature file): the caller walks the structure it expects, one value
 * at a time, and skips the values it does not need. Bounded: nothing is
 * allocated, nesting stops at JSON_READ_MAX_DEPTH, a string is copied only
 * as far as the caller's buffer. The first error sticks: every later call
 * fails, and json_read_done() says so, so a caller may check once at the
 * end.
 */
#ifndef FSP_BASIC_JSON_READ_H
#define FSP_BASIC_JSON_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSON_READ_MAX_DEPTH 16

struct json_read {
	const char *p, *end;
	bool failed;
};

void json_read_start(struct json_read *j, const char *text, size_t len);
/* Marks the text as not what the caller expects; false. */
bool json_read_fail(struct json_read *j);
/* Consumes c ('{', '[' or ':') after white space; false when it is not
 * next. */
bool json_read_expect(struct json_read *j, char c);
/*
 * Inside an object or array just opened, *first true before its first
 * member: true when another member follows (its ',' consumed), false at
 * the closing close (consumed) or on an error.
 */
bool json_read_next(struct json_read *j, char close, bool *first);
/* A string, its escapes decoded, into buf (cap bytes, NUL-ended, cut; buf
 * may be NULL to check and pass it). Its whole decoded length, or -1. */
long json_read_string(struct json_read *j, char *buf, size_t cap);
/* A number that is a whole number from 0 to max (no sign, fraction or
 * exponent). */
bool json_read_uint(struct json_read *j, uint32_t max, uint32_t *v);
/* Any one value. */
bool json_read_skip(struct json_read *j);
/* No error, and nothing but white space left. */
bool json_read_done(struct json_read *j);

#endif
