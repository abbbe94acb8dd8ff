/* SPDX-License-Identifier: MIT */
/*
 * A small streaming JSON writer: every string is escaped, and the layout is
 * fixed so that people can read it too. With lines, the top-level container
 * puts each member on a line of its own; everything inside is on one line.
 */
#ifndef FSP_BASIC_JSON_WRITE_H
#define FSP_BASIC_JSON_WRITE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Our outputs nest 3 deep; deeper nesting is a bug (json_end says so). */
#define JSON_MAX_DEPTH 8

struct json {
	FILE *f;
	bool lines;
	unsigned depth;
	bool members[JSON_MAX_DEPTH]; /* the open container has members */
	char closers[JSON_MAX_DEPTH]; /* '}' or ']' for each open one */
};

void json_start(struct json *j, FILE *f, bool lines);

/* key is the member name inside an object, NULL inside an array or at top. */
void json_object_begin(struct json *j, const char *key);
void json_array_begin(struct json *j, const char *key);
/* Closes the innermost container; the top level ends with a newline. */
void json_end(struct json *j);

void json_str(struct json *j, const char *key, const char *v); /* NULL: null */
void json_int(struct json *j, const char *key, long long v);
void json_bool(struct json *j, const char *key, bool v);
void json_null(struct json *j, const char *key);
/* true, false, or null for a negative v: for "do not know". */
void json_tristate(struct json *j, const char *key, int v);

#endif
