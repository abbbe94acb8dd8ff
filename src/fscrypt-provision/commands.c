// SPDX-License-Identifier: MIT
/* The command table: names, entry points and usage texts. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "fscrypt-provision/cli.h"
#include "fscrypt-provision/commands.h"

const struct command commands[] = {
    {"add", cmd_add,
     "add --volume NAME (--key-file PATH | --key-fd N |\n"
     "    --slots FILE [--passphrase-fd N] [--tpm2-pin-fd N]\n"
     "    [--tpm2-device DEV]\n"
     "    [--tpm2-signature FILE] [--password-timeout SECONDS])\n"
     "    [--mount DIR] [--timeout SECONDS]\n"
     "    [--key-format raw|hex|auto] [--key-size N]\n"
     "    [--allow-readable] [--allow-raw-fallback] [--unlink-key]",
     "store a key as a provisioning key (and add it to DIR's filesystem)"},
    {"unlock", cmd_unlock, "unlock [--volume NAME] DIR",
     "add a volume's provisioning keys to DIR's filesystem by key id"},
    {"check", cmd_check, "check [--volume NAME] [--json] DIR",
     "pre-flight: check that DIR's volume can be re-provisioned"},
    {"status", cmd_status, "status [--json] PATH",
     "kernel support, policy, key status and provisioning of PATH"},
    {"list", cmd_list, "list [--json]", "list the provisioning keys held"},
    {"remove", cmd_remove,
     "remove [--volume NAME] [--keep-provisioned] [--all-users]\n"
     "    [--retry N] DIR",
     "lock DIR's volume and retire its provisioning keys"},
    {"set-policy", cmd_set_policy,
     "set-policy [--contents MODE] [--filenames MODE] [--padding 4|8|16|32]\n"
     "    [--iv-ino-lblk-64 | --iv-ino-lblk-32 | --direct-key] [--force]\n"
     "    DIR IDENTIFIER",
     "put a v2 encryption policy on an empty directory"},
    {"get-policy", cmd_get_policy, "get-policy [--json] DIR",
     "print DIR's key identifier, then its policy"},
    {"identifier", cmd_identifier,
     "identifier (--key-file PATH | --key-fd N |\n"
     "    --slots FILE [--passphrase-fd N] [--tpm2-pin-fd N]\n"
     "    [--tpm2-device DEV]\n"
     "    [--tpm2-signature FILE]) [--key-format F]\n"
     "    [--key-size N] [--allow-readable]",
     "print the v2 identifier of a key, offline"},
    {"enroll", cmd_enroll,
     "enroll --slots FILE (--passphrase | --recovery-key | --tpm2 |\n"
     "    --exec PROGRAM [ARG...] --)\n"
     "    [--generate | --key-file PATH | --key-fd N |\n"
     "    --unlock-passphrase-fd N] [--passphrase-fd N] [--tpm2-pin-fd N]\n"
     "    [--pbkdf-time MS] [--pbkdf-memory KIB] [--pbkdf-iterations N]\n"
     "    [--exec-timeout SECONDS] [--key-size N] [--allow-readable]\n"
     "    [--tpm2-device auto|PATH|TCTI] [--tpm2-pcrs 7+11] [--tpm2-pin]\n"
     "    [--tpm2-public-key PEM [--tpm2-public-key-pcrs 11]]",
     "wrap a master key in one more protector of its slots file"},
    {"slots", cmd_slots, "slots --slots FILE [--json]",
     "list a slots file's protectors (never a secret)"},
    {"wipe-slot", cmd_wipe_slot, "wipe-slot --slots FILE [--force] SLOT",
     "remove one protector (the last only with --force)"},
    {"apply", cmd_apply,
     "apply [--tab FILE] [--root DIR] [--dry-run] [--key VOLUME:SOURCE]...\n"
     "    [--passphrase-fd N] [--password-timeout SECONDS]",
     "provision every fscrypttab key and unlock what is mounted"},
    {"volumes", cmd_volumes, "volumes [--json] [--root DIR]",
     "print the fscrypttab's volumes as parsed, and whether mounted"},
    {"embed", cmd_embed,
     "embed [--sysroot DIR] [--write-table FILE] [--null | --json]",
     "check and list what an initramfs must embed (initramfs entries)"},
    {"update", cmd_update,
     "update pre|post [--tpm2-signature FILE] [--update-pcrs PCRS]\n"
     "    [--headless] [MOUNTPOINT...]",
     "around an update's remount: refuse it (pre), unlock again (post)"},
    {"tpm2-extend", cmd_tpm2_extend,
     "tpm2-extend [--tpm2-device auto|PATH|TCTI] [--json]",
     "extend PCR 15: no tpm2 slot unseals until the next boot (the "
     "initramfs runs it when done)"},
    {"exit-codes", cmd_exit_codes, "exit-codes [--json] [CODE]",
     "print the exit codes and their names (or CODE's name)"},
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
