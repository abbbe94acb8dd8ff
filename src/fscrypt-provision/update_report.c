// SPDX-License-Identifier: MIT
/* update pre|post: what it says of its volumes, in lines and in JSON. */
#define _GNU_SOURCE
#include "fscrypt-provision/update.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fscrypt-provision/cli.h"

const char *mode_name(enum mode m)
{
	return m == MODE_PRE ? "pre" : "post";
}

void note(struct tally *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->last, sizeof(t->last), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: %s: %s\n", PROG, mode_name(t->mode), t->last);
}

const char *first_reason(const char *fallback)
{
	const char *p = problems_first(), *colon;

	if (!p)
		return fallback;
	if (strncmp(p, "volume ", 7) == 0 && (colon = strstr(p, ": ")) &&
	    !memchr(p + 7, ' ', (size_t)(colon - p - 7)))
		return colon + 2;
	return p;
}

void refuse(struct tally *t, const char *what, const char *why)
{
	size_t n = strlen(t->refused);

	t->failed++;
	snprintf(t->refused + n, sizeof(t->refused) - n, "%s%s: %s",
		 n ? "; " : "", what, why);
	snprintf(t->last, sizeof(t->last), "%s", why);
}

void update_json_begin(struct json *j, const char *mode)
{
	json_start(j, stdout, false);
	json_object_begin(j, NULL);
	json_str(j, "mode", mode);
	json_array_begin(j, "volumes");
}

void update_json_volume(struct json *j, const char *volume, const char *mp,
			const char *result, const char *problem)
{
	json_object_begin(j, NULL);
	json_str(j, "volume", volume);
	json_str(j, "mountpoint", mp);
	json_str(j, "result", result);
	json_str(j, "problem", problem);
	json_end(j);
}

void update_json_end(struct json *j, unsigned ok, unsigned warned,
		     unsigned failed)
{
	json_end(j); /* volumes */
	json_bool(j, "ok", failed == 0);
	json_int(j, "volumes_ok", ok);
	json_int(j, "warnings", warned);
	json_int(j, "failed", failed);
	json_end(j);
	putchar('\n');
}
