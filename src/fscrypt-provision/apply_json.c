// SPDX-License-Identifier: MIT
/* apply --json: each volume's result and the totals, as one object. */
#define _GNU_SOURCE
#include "fscrypt-provision/apply.h"

#include "fscrypt-provision/cli.h"

void apply_json_begin(struct json *j)
{
	json_start(j, stdout, false);
	json_object_begin(j, NULL);
	json_array_begin(j, "volumes");
}

void apply_json_volume(struct json *j, const struct tab_entry *e, int r)
{
	json_object_begin(j, NULL);
	json_str(j, "volume", e->name);
	json_str(j, "result",
		 r == FSP_EXIT_OK ? "ready"
		 : e->nofail	  ? "skipped"
				  : "failed");
	json_int(j, "exit", r);
	json_str(j, "exit_name", exit_code_name(r));
	json_str(j, "problem", problems_first());
	json_end(j);
}

void apply_json_end(struct json *j, bool dry_run, unsigned ok, unsigned failed,
		    unsigned skipped)
{
	json_end(j); /* volumes */
	json_bool(j, "dry_run", dry_run);
	json_int(j, "ready", ok);
	json_int(j, "failed", failed);
	json_int(j, "skipped", skipped);
	json_end(j);
	putchar('\n');
}
