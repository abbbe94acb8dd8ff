// SPDX-License-Identifier: MIT
/* The command line's options, declared once (options.h). */
#define _GNU_SOURCE
#include "fscrypt-provision/options.h"

#include <getopt.h>
#include <string.h>

#include "kernel/keyring.h"
#include "tab/fscrypttab.h"

const struct cli_option cli_common_options[] = {
    {"tab", "FILE", OPT_TAB,
     "the fscrypttab to read (default " FSCRYPTTAB_DEFAULT ")"},
    {"keyring", "NAME", OPT_KEYRING,
     "the durable keyring's name (default " FSP_DEFAULT_KEYRING ")"},
    {"quiet", NULL, OPT_QUIET, "print errors and warnings only"},
    {"help", NULL, OPT_HELP, "show this help and exit"},
    {0},
};

const struct cli_option cli_shared_options[] = {
    {"json", NULL, OPT_JSON, "print JSON for programs instead of lines"},
    {"slots", "FILE", OPT_SLOTS, "the slots file that wraps the master key"},
    {"passphrase-fd", "N", OPT_PASSPHRASE_FD,
     "read the passphrase or recovery key from descriptor N, a line a try"},
    {"tpm2-pin-fd", "N", OPT_TPM2_PIN_FD,
     "read tpm2 slots' PINs from descriptor N, a line a try"},
    {"pkcs11-pin-fd", "N", OPT_PKCS11_PIN_FD,
     "read PKCS#11 tokens' PINs from descriptor N, a line a try"},
    {"tpm2-device", "DEV", OPT_TPM2_DEVICE,
     "the TPM: auto (/dev/tpmrm0), a device path or a TCTI"},
    {"tpm2-signature", "FILE", OPT_TPM2_SIGNATURE,
     "systemd-measure's PCR signatures, for slots with a signed policy"},
    {"password-timeout", "SECONDS", OPT_PASSWORD_TIMEOUT,
     "give up asking a person after SECONDS (0: never)"},
    {"key-file", "PATH", OPT_KEY_FILE, "read the master key from a file"},
    {"key-fd", "N", OPT_KEY_FD, "read the master key from descriptor N"},
    {"key-format", "raw|hex|auto", OPT_KEY_FORMAT,
     "how the key is written (default auto)"},
    {"key-size", "N", OPT_KEY_SIZE,
     "the key's size in bytes, 16 to 64 (default 64)"},
    {"allow-readable", NULL, OPT_ALLOW_READABLE,
     "accept a key or slots file that others may read (warns)"},
    {"volume", "NAME", OPT_VOLUME, "the fscrypttab volume"},
    {"root", "DIR", OPT_ROOT,
     "where the table's mountpoints are, as in the initramfs (default /)"},
    {"dry-run", NULL, OPT_DRY_RUN, "say what would be done, change nothing"},
    {0},
};

static const struct cli_option *find(const struct cli_option *t, int id)
{
	for (; t->name; t++)
		if (t->id == id)
			return t;
	return NULL;
}

/* Calls fn for each option of o, common ones last; listed: only those
 * --help shows. */
static void each_option(const struct cli_options *o, bool listed,
			void (*fn)(const struct cli_option *, const char *,
				   void *),
			void *data)
{
	static const unsigned common_bit[] = {CLI_TAB, CLI_KEYRING, CLI_QUIET,
					      0};

	for (const struct cli_use *u = o->shared; u && u->id; u++) {
		const struct cli_option *s = find(cli_shared_options, u->id);

		if (s)
			fn(s, u->help ? u->help : s->help, data);
	}
	for (const struct cli_option *s = o->own; s && s->name; s++)
		if (!listed || s->help) /* no help: a deprecated spelling */
			fn(s, s->help, data);
	for (size_t i = 0; cli_common_options[i].name; i++)
		if (!listed || !common_bit[i] || (o->common & common_bit[i]))
			fn(&cli_common_options[i], cli_common_options[i].help,
			   data);
}

struct table {
	struct option opt[64];
	size_t n;
};

static void add_getopt(const struct cli_option *s, const char *help, void *data)
{
	struct table *t = data;

	(void)help;
	if (t->n + 1 < sizeof(t->opt) / sizeof(t->opt[0]))
		t->opt[t->n++] = (struct option){
		    s->name, s->arg ? required_argument : no_argument, NULL,
		    s->id};
}

int cli_getopt(int argc, char **argv, const struct cli_options *o)
{
	/* Built once per command: a process runs one. */
	static const struct cli_options *built;
	static struct table t;

	if (built != o) {
		memset(&t, 0, sizeof(t));
		each_option(o, false, add_getopt, &t);
		built = o;
	}
	return getopt_long(argc, argv, "", t.opt, NULL);
}

static void print_one(const struct cli_option *s, const char *help, void *data)
{
	char left[48];

	snprintf(left, sizeof(left), "--%s%s%s", s->name, s->arg ? " " : "",
		 s->arg ? s->arg : "");
	fprintf(data, "  %-26s %s\n", left, help);
}

void cli_print_options(FILE *f, const struct cli_options *o)
{
	fputs("Options:\n", f);
	each_option(o, true, print_one, f);
}

const char *cli_option_name(const struct cli_options *o, int id)
{
	const struct cli_option *s = find(cli_shared_options, id);

	if (!s && o && o->own)
		s = find(o->own, id);
	if (!s)
		s = find(cli_common_options, id);
	return s ? s->name : "";
}
