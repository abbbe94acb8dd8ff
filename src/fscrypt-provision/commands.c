// SPDX-License-Identifier: MIT
/* The command table: names, entry points and usage texts. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "fscrypt-provision/cli.h"
#include "fscrypt-provision/commands.h"

const struct command commands[] = {
    {"add", cmd_add,
     "add --volume NAME (--key-file PATH | --key-fd N | --slots FILE)\n"
     "    [OPTIONS]",
     "store a key as a provisioning key (and add it to DIR's filesystem)",
     &cmd_add_options},
    {"unlock", cmd_unlock, "unlock [OPTIONS] DIR",
     "add a volume's provisioning keys to DIR's filesystem by key id",
     &cmd_unlock_options},
    {"check", cmd_check, "check [OPTIONS] DIR",
     "pre-flight: check that DIR's volume can be re-provisioned",
     &cmd_check_options},
    {"status", cmd_status, "status [--json] PATH",
     "kernel support, policy, key status and provisioning of PATH",
     &cmd_status_options},
    {"list", cmd_list, "list [--json]", "list the provisioning keys held",
     &cmd_list_options},
    {"remove", cmd_remove, "remove [OPTIONS] DIR",
     "lock DIR's volume and retire its provisioning keys", &cmd_remove_options},
    {"set-policy", cmd_set_policy, "set-policy [OPTIONS] DIR IDENTIFIER",
     "put a v2 encryption policy on an empty directory",
     &cmd_set_policy_options},
    {"get-policy", cmd_get_policy, "get-policy [--json] DIR",
     "print DIR's key identifier, then its policy", &cmd_get_policy_options},
    {"identifier", cmd_identifier,
     "identifier (--key-file PATH | --key-fd N | --slots FILE)\n"
     "    [OPTIONS]",
     "print the v2 identifier of a key, offline", &cmd_identifier_options},
    {"enroll", cmd_enroll,
     "enroll --slots FILE (--passphrase | --recovery-key | --tpm2 |\n"
     "    --exec PROGRAM [ARG...] --) [OPTIONS]",
     "wrap a master key in one more protector of its slots file",
     &cmd_enroll_options},
    {"slots", cmd_slots, "slots --slots FILE [--json]",
     "list a slots file's protectors (never a secret)", &cmd_slots_options},
    {"wipe-slot", cmd_wipe_slot,
     "wipe-slot --slots FILE [--force] [--dry-run] [--json] SLOT",
     "remove one protector (the last only with --force)",
     &cmd_wipe_slot_options},
    {"apply", cmd_apply, "apply [OPTIONS]",
     "provision every fscrypttab key and unlock what is mounted",
     &cmd_apply_options},
    {"volumes", cmd_volumes, "volumes [--json] [--root DIR]",
     "print the fscrypttab's volumes as parsed, and whether mounted",
     &cmd_volumes_options},
    {"embed", cmd_embed, "embed [OPTIONS]",
     "check and list what an initramfs must embed (--manifest: all of it)",
     &cmd_embed_options},
    {"update", cmd_update, "update pre|post [OPTIONS] [MOUNTPOINT...]",
     "around an update's remount: refuse it (pre), unlock again (post)",
     &cmd_update_options},
    {"tpm2-extend", cmd_tpm2_extend,
     "tpm2-extend [--initramfs|--final] [--tpm2-device DEV] [--json]",
     "extend PCR 15, ending a phase of unsealing: the initramfs's (the "
     "initramfs runs it when done), then the running system's",
     &cmd_tpm2_extend_options},
    {"exit-codes", cmd_exit_codes, "exit-codes [--json] [CODE]",
     "print the exit codes and their names (or CODE's name)",
     &cmd_exit_codes_options},
};

const size_t n_commands = sizeof(commands) / sizeof(commands[0]);

void print_usage(FILE *f)
{
	fprintf(f,
		"Usage: %s COMMAND [OPTIONS]\n"
		"Keep fscrypt master keys in kernel memory across unmount and\n"
		"remount, as fscrypt-provisioning keys that userspace can use\n"
		"but never read.\n\nCommands:\n",
		PROG);
	for (size_t i = 0; i < n_commands; i++)
		fprintf(f, "  %-11s %s\n", commands[i].name,
			commands[i].summary);
	fprintf(f, "\nEvery command takes --help, --tab FILE, --keyring NAME "
		   "and --quiet.\nExit codes:\n");
	for (int i = 0; i <= FSP_EXIT_MAX; i++)
		fprintf(f, "  %2d  %s\n", i, exit_code_name(i));
	fprintf(f, "See fscrypt-provision(8).\n");
}
