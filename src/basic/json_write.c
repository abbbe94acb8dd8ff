// SPDX-License-Identifier: MIT
/* A small streaming JSON writer (see basic/json_write.h). */
#include "basic/json_write.h"

#include <stdlib.h>

void json_start(struct json *j, FILE *f, bool lines)
{
	j->f = f;
	j->lines = lines;
	j->depth = 0;
	j->members[0] = false;
}

static void string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* The separator before a member, and its name. */
static void member(struct json *j, const char *key)
{
	if (j->depth > 0) {
		bool more = j->members[j->depth];

		if (j->depth == 1 && j->lines)
			fputs(more ? ",\n  " : "\n  ", j->f);
		else if (more)
			fputs(", ", j->f);
		j->members[j->depth] = true;
	}
	if (key) {
		string(j->f, key);
		fputs(": ", j->f);
	}
}

static void begin(struct json *j, const char *key, char open, char close)
{
	if (j->depth + 1 >= JSON_MAX_DEPTH)
		abort(); /* a caller nests deeper than any output of ours */
	member(j, key);
	fputc(open, j->f);
	j->depth++;
	j->members[j->depth] = false;
	j->closers[j->depth] = close;
}

void json_object_begin(struct json *j, const char *key)
{
	begin(j, key, '{', '}');
}

void json_array_begin(struct json *j, const char *key)
{
	begin(j, key, '[', ']');
}

void json_end(struct json *j)
{
	if (j->depth == 0)
		abort(); /* more ends than begins */
	if (j->depth == 1 && j->lines && j->members[1])
		fputc('\n', j->f);
	fputc(j->closers[j->depth], j->f);
	j->depth--;
	if (j->depth == 0)
		fputc('\n', j->f);
}

void json_str(struct json *j, const char *key, const char *v)
{
	member(j, key);
	if (v)
		string(j->f, v);
	else
		fputs("null", j->f);
}

void json_int(struct json *j, const char *key, long long v)
{
	member(j, key);
	fprintf(j->f, "%lld", v);
}

void json_bool(struct json *j, const char *key, bool v)
{
	member(j, key);
	fputs(v ? "true" : "false", j->f);
}

void json_null(struct json *j, const char *key)
{
	member(j, key);
	fputs("null", j->f);
}

void json_tristate(struct json *j, const char *key, int v)
{
	member(j, key);
	fputs(v > 0 ? "true" : v == 0 ? "false" : "null", j->f);
}
