// SPDX-License-Identifier: MIT
/*
 * tpm2-extend: the end of a phase of unsealing (keysource/boot_pcr.h).
 * The initramfs runs it once fscrypt-provision is done there (--initramfs,
 * the default there); the generator's fscrypt-provision-tpm2-end.service
 * once the volumes of the running system are, and every shell first, end
 * both phases (--final, the default elsewhere).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>

#include "basic/json_write.h"
#include "fscrypt-provision/cli.h"
#include "keysource/boot_pcr.h"
#include "keysource/tpm2_companion.h"
#include "shared/initramfs.h"

enum { OPT_FINAL = OPT_FIRST_PRIVATE, OPT_INITRAMFS };

const struct cli_options cmd_tpm2_extend_options = {
    .common = CLI_QUIET,
    .shared = (const struct cli_use[]){{OPT_TPM2_DEVICE, NULL},
				       {OPT_JSON, NULL},
				       {0}},
    .own =
	(const struct cli_option[]){
	    {"final", NULL, OPT_FINAL,
	     "end the running system's phase too (--tpm2-phase system): what "
	     "a shell runs first; the default outside an initramfs"},
	    {"initramfs", NULL, OPT_INITRAMFS,
	     "end the initramfs's phase only, unless the kernel command line "
	     "names another init; the default in an initramfs"},
	    {0}},
};

static int extended(const struct tpm2_boot_record *rec, bool json)
{
	bool system = tpm2_boot_system_open(rec);
	struct json j;

	if (json) {
		json_start(&j, stdout, false);
		json_object_begin(&j, NULL);
		json_int(&j, "pcr", TPM2_BOOT_PCR);
		json_bool(&j, "extended", true);
		json_str(&j, "boot_value", rec->before);
		json_str(&j, "value", rec->after);
		json_str(&j, "unseals", system ? "system" : "none");
		json_end(&j);
	} else if (system) {
		cli_say("extended PCR %d: the initramfs's tpm2 slots do not "
			"unseal until the next boot, those of the running "
			"system (--tpm2-phase system) until the next extension "
			"(its value in the initramfs was %.16s...)",
			TPM2_BOOT_PCR, rec->before);
	} else {
		cli_say("extended PCR %d: no tpm2 slot unseals until the next "
			"boot (its value in the initramfs, which slots are "
			"sealed to, was %.16s...)",
			TPM2_BOOT_PCR, rec->before);
	}
	return FSP_EXIT_OK;
}

int cmd_tpm2_extend(int argc, char **argv)
{
	struct tpm2_boot_record rec;
	const char *device = NULL;
	struct fsp_problem why = {0};
	bool json = false, final = !in_initramfs();
	int c, r;

	while ((c = cli_getopt(argc, argv, &cmd_tpm2_extend_options)) != -1) {
		if (c == OPT_TPM2_DEVICE) {
			device = optarg;
		} else if (c == OPT_JSON) {
			json = true;
		} else if (c == OPT_FINAL || c == OPT_INITRAMFS) {
			final = c == OPT_FINAL;
		} else {
			r = handle_common_option(c, "tpm2-extend");
			if (r >= 0)
				return r;
		}
	}
	if (optind < argc)
		return cli_usage_error(
		    "tpm2-extend", "unexpected argument '%s'", argv[optind]);
	/* A replaced init: no boot unit of ours will end the next phase. */
	if (!final && tpm2_boot_init_replaced("/proc/cmdline")) {
		final = true;
		if (!json)
			cli_say("the kernel command line names another init "
				"than systemd: ending the running system's "
				"phase of unsealing too");
	}
	r = tpm2_boot_extend(device, final, &rec, &why);
	/* No TPM, or no TPM support installed: no tpm2 slot can unseal
	 * here anyway, which is what the extension is for. */
	if (r == -ENODEV) {
		if (json)
			printf("{\"pcr\": %d, \"extended\": false}\n",
			       TPM2_BOOT_PCR);
		else
			cli_say("PCR %d not extended: %s", TPM2_BOOT_PCR,
				why.text);
		return FSP_EXIT_OK;
	}
	if (r < 0)
		return cli_error(FSP_EXIT_SYSTEM,
				 "unable to extend PCR %d: %s; tpm2 slots may "
				 "still unseal on this boot",
				 TPM2_BOOT_PCR, why.text);
	return extended(&rec, json);
}
