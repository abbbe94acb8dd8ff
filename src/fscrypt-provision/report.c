// SPDX-License-Identifier: MIT
/* Words for what the silent layers did (see fscrypt-provision/report.h). */
#include "fscrypt-provision/report.h"

#include "basic/hex.h"
#include "fscrypt-provision/cli.h"
#include "kernel/identifier.h"
#include "keysource/source.h"

#include <string.h>

int report_problem(const struct fsp_problem *p)
{
	if (p->unable)
		return cli_error_errno(p->op, p->err, "%s", p->text);
	return cli_error(p->exit, "%s", p->text);
}

static const char *users(uint32_t n)
{
	return n == 1 ? "" : "s";
}

void report_provision(const struct provision_req *rq,
		      const struct provision_result *res)
{
	char hex[FSP_IDENTIFIER_HEX_LEN + 1];

	hex_encode(rq->id, FSP_KEY_IDENTIFIER_SIZE, hex);
	if (res->ring_warning[0])
		cli_warning("%s", res->ring_warning);
	if (res->key_warning[0])
		cli_warning("%s", res->key_warning);
	switch (res->outcome) {
	case PROVISION_RAW:
		cli_warning(
		    "this kernel cannot add keys by key_id: the raw key of "
		    "volume %s went to %s directly. It will NOT survive an "
		    "unmount; see kernel-patches/ to fix the kernel",
		    rq->volume, rq->mount);
		cli_say("volume %s: raw key %s added to %s (will not survive "
			"unmount)",
			rq->volume, hex, rq->mount);
		return;
	case PROVISION_EXISTING:
		cli_say("volume %s: key %s already provisioned as key %d",
			rq->volume, hex, res->serial);
		break;
	case PROVISION_STORED:
		cli_say("volume %s: key %s provisioned as key %d%s", rq->volume,
			hex, res->serial, rq->timeout ? " (with expiry)" : "");
		break;
	}
	if (res->added)
		cli_say("volume %s: key %s added to %s by key_id (was %s, now "
			"%s, %u user%s)",
			rq->volume, hex, rq->mount,
			fs_key_status_name(res->before.status),
			fs_key_status_name(res->after.status),
			res->after.user_count, users(res->after.user_count));
}

void report_unlock(const char *volume, const char *where, const uint8_t *id,
		   const struct unlock_result *res)
{
	char hex[FSP_IDENTIFIER_HEX_LEN + 1];

	hex_encode(id, FSP_KEY_IDENTIFIER_SIZE, hex);
	if (res->already)
		cli_say("volume %s: key %s already unlocked on %s (%u user%s)",
			volume, hex, where, res->before.user_count,
			users(res->before.user_count));
	else
		cli_say(
		    "volume %s: key %s unlocked on %s by key_id (was %s, now "
		    "%s)",
		    volume, hex, where, fs_key_status_name(res->before.status),
		    fs_key_status_name(res->after.status));
}

void remove_key_file(const char *volume, const struct key_source *src)
{
	int r = key_source_unlink(src);

	if (r < 0)
		cli_warning(
		    "volume %s: the key is provisioned, but its key file %s "
		    "could not be removed (%s): remove it by hand",
		    volume, src->path, strerror(-r));
	else
		cli_say("volume %s: key file %s removed (unlink-key)", volume,
			src->path);
}
