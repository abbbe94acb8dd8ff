/* SPDX-License-Identifier: MIT */
/* update pre|post: the tally of its volumes, and what it says of them. */
#ifndef FSP_FSCRYPT_PROVISION_UPDATE_H
#define FSP_FSCRYPT_PROVISION_UPDATE_H

#include <stdbool.h>

#include "basic/json_write.h"
#include "slots/next_boot.h"

enum mode { MODE_PRE, MODE_POST };

struct tally {
	enum mode mode;
	struct nextboot_opts next;
	unsigned ok, warned, failed;
	char refused[4096]; /* "what: why; what: why" */
	char last[1024];    /* the last note or refusal, for --json */
	bool json;
	struct json j;
};

const char *mode_name(enum mode m);
/* "fscrypt-provision: pre: ..." on stderr: problems and warnings. */
void note(struct tally *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The first problem printed, without "volume NAME: ", or a fallback. */
const char *first_reason(const char *fallback);
/* A volume that fails the update: counted, and named in the verdict. */
void refuse(struct tally *t, const char *what, const char *why);

/* --json: the object's start, one volume's outcome (volume: NULL for a
 * mountpoint no entry names; result: ok, warning or failed; problem: why,
 * or NULL), and the verdict. */
void update_json_begin(struct json *j, const char *mode);
void update_json_volume(struct json *j, const char *volume, const char *mp,
			const char *result, const char *problem);
void update_json_end(struct json *j, unsigned ok, unsigned warned,
		     unsigned failed);

#endif
