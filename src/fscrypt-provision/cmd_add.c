// SPDX-License-Identifier: MIT
/* add and identifier: the commands that read a master key. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "basic/hex.h"
#include "fscrypt-provision/cli.h"
#include "fscrypt-provision/key_options.h"
#include "fscrypt-provision/report.h"
#include "fscrypt-provision/slots_options.h"
#include "kernel/identifier.h"
#include "kernel/provision.h"
#include "keysource/source.h"

enum {
	OPT_VOLUME = OPT_KEYARG_END,
	OPT_MOUNT,
	OPT_TIMEOUT,
	OPT_RAW_FALLBACK,
	OPT_UNLINK_KEY,
	OPT_SLOTS,
	OPT_PASS_FD,
	OPT_TPM2_DEVICE,
	OPT_TPM2_SIGNATURE,
	OPT_PIN_FD,
	OPT_PASSWORD_TIMEOUT,
};

/* --slots, --passphrase-fd and --tpm2-*: -1 if consumed, -2 if not ours,
 * or an exit code. */
static int slots_option(int c, struct slots_arg *sa, const char *cmd)
{
	if (c == OPT_SLOTS) {
		sa->path = optarg;
		return -1;
	}
	if (c == OPT_TPM2_DEVICE) {
		sa->tpm2.device = optarg;
		return -1;
	}
	if (c == OPT_TPM2_SIGNATURE) {
		sa->tpm2.signature = optarg;
		return -1;
	}
	if (c == OPT_PASSWORD_TIMEOUT) {
		long v = password_timeout_arg(optarg);

		if (v < 0)
			return usage_error(cmd, "%s", PASSWORD_TIMEOUT_USAGE);
		sa->password_timeout = (unsigned)v;
		return -1;
	}
	if (c != OPT_PASS_FD && c != OPT_PIN_FD)
		return -2;
	if (parse_fd_arg(optarg,
			 c == OPT_PASS_FD ? &sa->pass_fd : &sa->pin_fd) < 0)
		return usage_error(cmd, "%s needs a descriptor number",
				   c == OPT_PASS_FD ? "--passphrase-fd"
						    : "--tpm2-pin-fd");
	return -1;
}

/* The master key from --slots, or from --key-file/--key-fd. */
static int read_either(const struct key_args *ka, struct slots_arg *sa,
		       const char *cmd, struct secbuf *key,
		       uint8_t id[FSP_KEY_IDENTIFIER_SIZE])
{
	if (!sa->path) {
		if (sa->pass_fd >= 0 || sa->pin_fd >= 0 || sa->tpm2.device ||
		    sa->tpm2.signature)
			return usage_error(cmd, "--passphrase-fd and --tpm2-* "
						"need --slots FILE");
		return read_key_arg(ka, cmd, key, id);
	}
	if (ka->file || ka->fd)
		return usage_error(cmd, "give --slots FILE or a raw key "
					"(--key-file/--key-fd), not both");
	sa->allow_readable = ka->opts.allow_readable;
	return slots_arg_unlock(sa, key, id);
}

static int check_add(const char *volume, bool unlink_key,
		     const struct key_args *ka)
{
	if (!volume)
		return usage_error("add", "--volume NAME is required");
	if (unlink_key && !ka->file)
		return usage_error("add", "--unlink-key needs --key-file");
	if (!volume_name_valid(volume))
		return usage_error("add",
				   "invalid volume name '%s': use 1-64 of "
				   "A-Z a-z 0-9 _ . + @ -, not starting with "
				   "'.' or '-'",
				   volume);
	return FSP_EXIT_OK;
}

int cmd_add(int argc, char **argv)
{
	static const struct option longopts[] = {
	    COMMON_LONG_OPTIONS,
	    KEY_LONG_OPTIONS,
	    {"volume", required_argument, NULL, OPT_VOLUME},
	    {"mount", required_argument, NULL, OPT_MOUNT},
	    {"timeout", required_argument, NULL, OPT_TIMEOUT},
	    {"unlink-key", no_argument, NULL, OPT_UNLINK_KEY},
	    {"allow-raw-fallback", no_argument, NULL, OPT_RAW_FALLBACK},
	    {"slots", required_argument, NULL, OPT_SLOTS},
	    {"passphrase-fd", required_argument, NULL, OPT_PASS_FD},
	    {"tpm2-device", required_argument, NULL, OPT_TPM2_DEVICE},
	    {"tpm2-signature", required_argument, NULL, OPT_TPM2_SIGNATURE},
	    {"tpm2-pin-fd", required_argument, NULL, OPT_PIN_FD},
	    {"password-timeout", required_argument, NULL, OPT_PASSWORD_TIMEOUT},
	    {NULL, 0, NULL, 0},
	};
	struct key_args ka = {.opts = KEY_SOURCE_OPTS_DEFAULT};
	struct slots_arg sa = {.pass_fd = -1, .pin_fd = -1};
	struct provision_req rq = {0};
	bool unlink_key = false;
	struct provision_result res;
	struct fsp_problem problem;
	uint8_t id[FSP_KEY_IDENTIFIER_SIZE];
	struct secbuf key;
	unsigned long v;
	int c, r;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_VOLUME:
			rq.volume = optarg;
			break;
		case OPT_MOUNT:
			rq.mount = optarg;
			break;
		case OPT_TIMEOUT:
			if (!parse_unsigned(optarg, 0x7fffffff, &v) || v == 0)
				return usage_error("add", "--timeout needs a "
							  "positive number");
			rq.timeout = (unsigned)v;
			break;
		case OPT_RAW_FALLBACK:
			rq.raw_fallback = true;
			break;
		case OPT_UNLINK_KEY:
			unlink_key = true;
			break;
		default:
			r = slots_option(c, &sa, "add");
			if (r == -2)
				r = key_option(c, &ka, "add");
			if (r >= 0)
				return r;
		}
	}
	if (optind != argc)
		return usage_error("add", "unexpected argument '%s'",
				   argv[optind]);
	r = check_add(rq.volume, unlink_key, &ka);
	if (r != FSP_EXIT_OK)
		return r;
	sa.volume = rq.volume;
	r = read_either(&ka, &sa, "add", &key, id);
	if (r != FSP_EXIT_OK)
		return r;
	rq.keyring = arg_keyring;
	rq.key = &key;
	rq.id = id;
	r = provision_key(&rq, &res, &problem);
	secbuf_free(&key);
	if (r)
		return report_problem(&problem);
	report_provision(&rq, &res);
	if (unlink_key) {
		struct key_source src = {.kind = KEY_SOURCE_FILE};

		snprintf(src.path, sizeof(src.path), "%s", ka.file);
		report_unlink_key(rq.volume, &src);
	}
	return FSP_EXIT_OK;
}

int cmd_identifier(int argc, char **argv)
{
	static const struct option longopts[] = {
	    COMMON_LONG_OPTIONS,
	    KEY_LONG_OPTIONS,
	    {"slots", required_argument, NULL, OPT_SLOTS},
	    {"passphrase-fd", required_argument, NULL, OPT_PASS_FD},
	    {"tpm2-device", required_argument, NULL, OPT_TPM2_DEVICE},
	    {"tpm2-signature", required_argument, NULL, OPT_TPM2_SIGNATURE},
	    {"tpm2-pin-fd", required_argument, NULL, OPT_PIN_FD},
	    {NULL, 0, NULL, 0},
	};
	struct key_args ka = {.opts = KEY_SOURCE_OPTS_DEFAULT};
	struct slots_arg sa = {.pass_fd = -1, .pin_fd = -1};
	char hex[FSP_IDENTIFIER_HEX_LEN + 1];
	uint8_t id[FSP_KEY_IDENTIFIER_SIZE];
	struct secbuf key;
	int c, r;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		r = slots_option(c, &sa, "identifier");
		if (r == -2)
			r = key_option(c, &ka, "identifier");
		if (r >= 0)
			return r;
	}
	if (optind != argc)
		return usage_error("identifier", "unexpected argument '%s'",
				   argv[optind]);
	r = read_either(&ka, &sa, "identifier", &key, id);
	if (r != FSP_EXIT_OK)
		return r;
	secbuf_free(&key);
	hex_encode(id, sizeof(id), hex);
	printf("%s\n", hex);
	return FSP_EXIT_OK;
}
