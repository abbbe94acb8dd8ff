// SPDX-License-Identifier: MIT
/*
 * The tpm2 slot's pure parts: its data layout, PCR lists, the policy read
 * from a systemd-creds credential header, the public key fingerprint
 * systemd-measure uses, the refusal messages, and the next boot's
 * signature check; run_capture's stdin and stderr; the PIN slot's flag
 * and authValue.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basic/hex.h"
#include "basic/unaligned_le.h"
#include "keysource/tpm2_companion.h"
#include "shared/run_program.h"
#include "slots/next_boot.h"
#include "slots/tpm2_data.h"
#include "unit.h"

/* A 2048-bit RSA key made for this test, and the pkfp systemd-measure 252
 * printed for it. */
static const char pem[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAocIV/ZciNqiijmwXBpUN\n"
    "cfNj1DhYTbF1lyE5V1/aYiNFo9i4723ZZBBb9b9injntQkdPpbhyjLIYDh0daz9u\n"
    "7PeWXickKxaZPe+YF9kHjO/BXELkP1qVbnH9bBtj4zAEfL3wS0cSo0cdiYqlb6U8\n"
    "QXzKLTqqExuQSCZ1tlzkRdo5L1CfFzIDk2d6UUCtaXqe1TRcqHvY2ibfL8TtOF/o\n"
    "ZyRi6EleoAyV04eJ6UlGWWoU5bhc5T4tcOb+FVJo99gTbT2NJVOPz8oNwJps5YRD\n"
    "cOq1DOPefhBAeUyNfJv1DYq6JMYP1naDnGncI7NNlD+ZRSE6P2+8cWwLL0YPxUYd\n"
    "2wIDAQAB\n"
    "-----END PUBLIC KEY-----\n";

static void test_pcrs(void)
{
	uint32_t m = 0;
	char t[80];

	CHECK(tpm2_pcrs_parse("7", &m) == 0 && m == 1u << 7, "\"7\"");
	CHECK(tpm2_pcrs_parse("7+11", &m) == 0 && m == (1u << 7 | 1u << 11),
	      "\"7+11\"");
	CHECK(tpm2_pcrs_parse("0,23", &m) == 0 && m == (1u | 1u << 23),
	      "\"0,23\" (commas too)");
	CHECK(tpm2_pcrs_parse("", &m) == 0 && m == 0, "\"\": none");
	CHECK(tpm2_pcrs_parse("24", &m) == -EINVAL, "PCR 24 is refused");
	CHECK(tpm2_pcrs_parse("7+", &m) == -EINVAL, "a trailing '+'");
	CHECK(tpm2_pcrs_parse("7x", &m) == -EINVAL, "junk after a number");
	CHECK(tpm2_pcrs_parse("0007", &m) == -EINVAL, "more than 3 digits");
	tpm2_pcrs_text(1u << 7 | 1u << 11 | 1u << 23, t, sizeof(t));
	CHECK_STR(t, "7+11+23", "mask to text");
	tpm2_pcrs_text(0, t, sizeof(t));
	CHECK_STR(t, "", "no PCRs: empty text");
}

static void test_data(void)
{
	struct slot s = {.type = SLOT_TPM2};
	static const uint8_t blob[] = {1, 2, 3, 4, 5};
	struct tpm2_slot t = {.flags = TPM2_FLAG_SIGNED,
			      .bank = TPM2_ALG_SHA256,
			      .pubkey_pcrs = 1u << 11,
			      .blob = blob,
			      .blob_len = sizeof(blob)},
			 back;

	memset(t.pkfp, 0xab, sizeof(t.pkfp));
	CHECK(slot_tpm2_set(&s, &t) == 0 &&
		  s.data_len == TPM2_DATA_HEADER + sizeof(blob),
	      "set: header and blob");
	CHECK(slot_tpm2_get(&s, &back) == 0 && back.flags == t.flags &&
		  back.bank == t.bank && back.pubkey_pcrs == t.pubkey_pcrs &&
		  back.pcrs == 0 && back.pkfp[31] == 0xab &&
		  back.blob_len == sizeof(blob) &&
		  memcmp(back.blob, blob, sizeof(blob)) == 0,
	      "get gives back what set stored");
	s.data[0] = TPM2_FLAG_SYSTEM;
	CHECK(slot_tpm2_get(&s, &back) == -EBADMSG,
	      "the running system's flag on systemd-creds's slot");
	s.data[0] = TPM2_FLAG_SYSTEM | TPM2_FLAG_SIGNED;
	CHECK(slot_tpm2_get(&s, &back) == -EBADMSG,
	      "the same, with a signed policy");
	s.data[0] = 0x10;
	CHECK(slot_tpm2_get(&s, &back) == -EBADMSG, "an unknown flag");
	s.data[0] = TPM2_FLAG_SYSTEM | TPM2_FLAG_OBJECT | TPM2_FLAG_SIGNED;
	CHECK(slot_tpm2_get(&s, &back) == 0 &&
		  (back.flags & TPM2_FLAG_SYSTEM) && tpm2_by_companion(&back),
	      "a signed companion's slot for the running system");
	s.data[0] = TPM2_FLAG_OBJECT | TPM2_FLAG_SIGNED;
	CHECK(slot_tpm2_get(&s, &back) == 0 && tpm2_by_companion(&back),
	      "a signed slot of the companion");
	s.data[2] = 0x04; /* the SHA-1 bank */
	CHECK(slot_tpm2_get(&s, &back) == -EBADMSG,
	      "a companion's slot in another bank than SHA-256");
	s.data[0] = TPM2_FLAG_SIGNED;
	CHECK(slot_tpm2_get(&s, &back) == 0 && back.bank == TPM2_ALG_SHA1 &&
		  !tpm2_by_companion(&back),
	      "systemd-creds's slots may be in another bank");
	s.data[2] = 0x0b;
	s.data[0] = TPM2_FLAG_SIGNED | TPM2_FLAG_PIN;
	CHECK(slot_tpm2_get(&s, &back) == -EBADMSG,
	      "a PIN with a signed policy (not made by this version)");
	s.data[0] = 0;
	CHECK(slot_tpm2_get(&s, &back) == -EBADMSG,
	      "signed PCRs without the signed flag");
	s.data[0] = TPM2_FLAG_SIGNED;
	s.data[1] = 1;
	CHECK(slot_tpm2_get(&s, &back) == -EBADMSG, "the reserved byte");
	s.data[1] = 0;
	s.data[7] = 0x01; /* PCR 24 */
	CHECK(slot_tpm2_get(&s, &back) == -EBADMSG, "a PCR past 23");
	s.data[7] = 0;
	s.data_len = TPM2_DATA_HEADER;
	CHECK(slot_tpm2_get(&s, &back) == -EBADMSG, "no sealed data");
	t.blob_len = TPM2_BLOB_MAX + 1;
	CHECK(slot_tpm2_set(&s, &t) == -E2BIG, "sealed data over the limit");
}

/* A PIN slot: flag, no signed PCRs; its authValue keyed by the salt. */
static void test_pin(void)
{
	struct slot s = {.type = SLOT_TPM2}, s2 = {.type = SLOT_TPM2};
	static const uint8_t blob[] = {9, 9};
	struct tpm2_slot t = {.flags = TPM2_FLAG_PIN,
			      .bank = TPM2_ALG_SHA256,
			      .blob = blob,
			      .blob_len = sizeof(blob)},
			 back;
	uint8_t a[COMPANION_AUTH_SIZE], b[COMPANION_AUTH_SIZE],
	    c[COMPANION_AUTH_SIZE], plain[COMPANION_AUTH_SIZE];

	CHECK(slot_tpm2_set(&s, &t) == 0 && slot_tpm2_get(&s, &back) == 0 &&
		  back.flags == TPM2_FLAG_PIN && back.pcrs == 0,
	      "a PIN slot with no PCRs round-trips");
	s.data[12] = 1; /* a key's fingerprint */
	CHECK(slot_tpm2_get(&s, &back) == -EBADMSG,
	      "a PIN slot that names a key: refused");
	s.data[12] = 0;
	s.data[0] = TPM2_FLAG_OBJECT;
	s.data[2] = 0x0c; /* SHA-384 */
	CHECK(slot_tpm2_get(&s, &back) == -EBADMSG,
	      "a companion's slot in the SHA-384 bank: refused");
	s.data[2] = 0x0b;
	s.data[0] = TPM2_FLAG_PIN | TPM2_FLAG_SYSTEM;
	CHECK(slot_tpm2_get(&s, &back) == 0 && slot_tpm2_pin(&s),
	      "a PIN slot for the running system");
	s.data[0] = TPM2_FLAG_PIN;
	CHECK(slot_tpm2_pin(&s), "slot_tpm2_pin sees the flag");
	s.data[0] = 0;
	CHECK(!slot_tpm2_pin(&s), "and not without it");
	s.type = SLOT_EXEC;
	s.data[0] = TPM2_FLAG_PIN;
	CHECK(!slot_tpm2_pin(&s), "an exec slot's data is no PIN flag");
	memset(s.salt, 1, sizeof(s.salt));
	memset(s2.salt, 2, sizeof(s2.salt));
	companion_pin_auth(&s, (const uint8_t *)"1234", 4, a);
	companion_pin_auth(&s, (const uint8_t *)"1234", 4, b);
	CHECK(memcmp(a, b, sizeof(a)) == 0, "the same PIN, the same auth");
	companion_pin_auth(&s2, (const uint8_t *)"1234", 4, c);
	CHECK(memcmp(a, c, sizeof(a)) != 0,
	      "one PIN in two slots: unrelated authValues");
	companion_pin_auth(&s, (const uint8_t *)"1235", 4, c);
	CHECK(memcmp(a, c, sizeof(a)) != 0, "another PIN, another auth");
	crypto_generichash(plain, sizeof(plain), (const uint8_t *)"1234", 4,
			   NULL, 0);
	CHECK(memcmp(a, plain, sizeof(a)) != 0,
	      "the auth is not a plain hash of the PIN");
}

/* systemd-creds 252's own words (seen here through swtpm), and what each
 * is taken for. */
static const struct {
	const char *msgs;
	enum tpm2_refusal want;
	const char *why_has;
	const char *name;
} said[] = {
    {"Current policy digest does not match stored policy digest, "
     "cancelling TPM2 authentication attempt.\n",
     TPM2_REFUSED_PCR, "PCR mismatch", "policy digest mismatch"},
    {"WARNING:esys:x\nFailed to generate HMAC key in TPM: "
     "tpm:cli_warning(2.0): "
     "authorizations for objects subject to DA protection are not allowed "
     "at this time because the TPM is in DA lockout mode\n",
     TPM2_REFUSED_LOCKOUT, "lockout", "DA lockout"},
    {"Couldn't find signature for this PCR bank, PCR index and public "
     "key.\n",
     TPM2_REFUSED_SIGNATURE, "no signature for this boot",
     "no signature for these PCR values"},
    {"Failed to validate signature in TPM: tpm:parameter(2):the signature "
     "is not valid\n",
     TPM2_REFUSED_BAD_SIGNATURE, "bad signature", "a forged signature"},
    {"ERROR:tcti:src/tss2-tcti/tcti-device.c:452\nFailed to initialize "
     "TCTI context: tcti:IO failure\n",
     TPM2_REFUSED_NO_TPM, "no TPM", "no TPM device"},
    {"Failed to read encrypted credential data: Invalid argument\n",
     TPM2_REFUSED_DAMAGED, "damaged", "damaged sealed data"},
    {"WARNING:esys:src/tss2-esys/api/Esys_Load.c:324:Esys_Load_Finish() "
     "Received TPM Error\nERROR:esys:src/tss2-esys/api/Esys_Load.c:112:"
     "Esys_Load() Esys Finish ErrorCode (0x00000902)\nFailed to load HMAC "
     "key in TPM: tpm:cli_warning(2.0): out of memory for object contexts\n",
     TPM2_REFUSED_FULL, "out of room for objects or sessions",
     "a TPM full of objects (0x902) is not damaged data"},
    {"Failed to open session in TPM: tpm:cli_warning(2.0): out of memory for "
     "session contexts\n",
     TPM2_REFUSED_FULL, "tpm2_flushcontext", "a TPM full of sessions (0x903)"},
    {"Failed to unseal secret using TPM: tpm:cli_warning(2.0): out of shared "
     "objectsession memory or need space for internal operations\n",
     TPM2_REFUSED_FULL, "/dev/tpmrm0", "no memory in the TPM (0x904)"},
    {"Failed to open session in TPM: tpm:cli_warning(2.0): out of session "
     "handles\n",
     TPM2_REFUSED_FULL, "out of room", "no session handles (0x905)"},
    {"Failed to load HMAC key in TPM: tpm:parameter(1):integrity check "
     "failed\n",
     TPM2_REFUSED_DAMAGED, "damaged", "a load that fails for the data"},
    {"WARNING:esys:noise\nSomething new went wrong\n", TPM2_REFUSED_OTHER,
     "systemd-creds: Something new went wrong",
     "anything else: its first line that is not TSS noise"},
    {"", TPM2_REFUSED_OTHER, "said nothing", "nothing said"},
};

static void test_classify(void)
{
	struct fsp_problem why = {0};

	for (size_t i = 0; i < sizeof(said) / sizeof(said[0]); i++)
		CHECK(tpm2_classify(said[i].msgs, &why) == said[i].want &&
			  strstr(why.text, said[i].why_has),
		      "%s", said[i].name);
}

static void test_managed(void)
{
	char dir[] = "/tmp/fsp-unit-tpm.XXXXXX", rm[64], link[64];
	/* Not this machine's /dev: there /dev/tpmrm0 may be a link to
	 * anything (the guide's test makes it a pty's). */
	const char *const managed[] = {"auto",
				       "/fsp-unit-nothing/tpmrm0",
				       "device:/fsp-unit-nothing/tpmrm0",
				       "tabrmd:bus_type=session",
				       rm,
				       link};
	static const char *const direct[] = {
	    "/fsp-unit-nothing/tpm0", "device:/fsp-unit-nothing/tpm0",
	    "swtpm:host=127.0.0.1,port=2321", "mssim:host=localhost",
	    "/tmp/tpm-nothing"};
	bool ok = true;
	FILE *f;

	/* A link to a resource manager is one; the names are made here. */
	ok = mkdtemp(dir) != NULL;
	snprintf(rm, sizeof(rm), "%s/tpmrm7", dir);
	snprintf(link, sizeof(link), "%s/tpm", dir);
	f = fopen(rm, "w");
	ok = ok && f && fclose(f) == 0 && symlink(rm, link) == 0;
	ok = ok && tpm2_device_managed(NULL);
	for (size_t i = 0; i < sizeof(managed) / sizeof(*managed); i++)
		ok = ok && tpm2_device_managed(managed[i]);
	CHECK(ok, "behind a resource manager: auto, /dev/tpmrm*, tabrmd, a "
		  "link to a tpmrm");
	ok = true;
	for (size_t i = 0; i < sizeof(direct) / sizeof(*direct); i++)
		ok = ok && !tpm2_device_managed(direct[i]);
	CHECK(ok, "the TPM itself: /dev/tpm0, swtpm:, mssim:");
	unlink(link);
	unlink(rm);
	rmdir(dir);
}

static void test_fingerprint(void)
{
	static const char not_spki[] = "-----BEGIN PUBLIC KEY-----\nAAAA\n"
				       "-----END PUBLIC KEY-----\n";
	uint8_t fp[32];
	char hex[65];

	CHECK(tpm2_pubkey_fingerprint(pem, strlen(pem), fp) == 0,
	      "a PEM public key parses");
	hex_encode(fp, sizeof(fp), hex);
	CHECK_STR(
	    hex,
	    "4b57515b6039265e627fc6680d9fbadb948d0000f4457741268161b9cd528155",
	    "its fingerprint is systemd-measure's pkfp");
	CHECK(tpm2_pubkey_fingerprint(not_spki, strlen(not_spki), fp) ==
		  -EINVAL,
	      "a body that is not SubjectPublicKeyInfo");
	CHECK(tpm2_pubkey_fingerprint("no key here", 11, fp) == -EINVAL,
	      "no PEM at all");
}

/* systemd-measure's entries, by the test key (fp) or another (fq). */
#define FP "4b57515b6039265e627fc6680d9fbadb948d0000f4457741268161b9cd528155"
#define FQ "ffff515b6039265e627fc6680d9fbadb948d0000f4457741268161b9cd528155"
#define FP_UPPER                                                               \
	"4B57515B6039265E627FC6680D9FBADB948D0000F4457741268161B9CD528155"
#define FP_NOT_HEX                                                             \
	"zz57515b6039265e627fc6680d9fbadb948d0000f4457741268161b9cd528155"
/* A PolicyPCR digest: SHA-256, 32 bytes, as systemd-measure writes. */
#define POL "ce4a9f1e3e83f1b4d0e0b93d53c1a0b95e2b1a2c0c3e0c2ff3a3f8b0d2c1e0aa"
#define ENTRY(pcrs, fp)                                                        \
	"{\"pcrs\":" pcrs ",\"pkfp\":\"" fp "\",\"pol\":\"" POL                \
	"\",\"sig\":\"UQS0\"}"

static bool has(const char *json, const char *bank, uint32_t pcrs)
{
	uint8_t fp[32];

	hex_decode(FP, 64, fp, sizeof(fp));
	return nextboot_signature_has(json, strlen(json), bank, pcrs, fp);
}

/* A file whose sha256 bank holds the entries e. */
#define BANK(e) "{\"sha256\":[" e "]}"

static const struct {
	const char *json;
	bool want;
	const char *name;
} signatures[] = {
    {BANK(ENTRY("[11]", FP)), true, "the slot's PCRs and key in its bank"},
    {BANK("{\"pcrs\":[11],\"pkfp\":\"" FP "\",\"pol\":\"ce4a\",\"sig\":"
	  "\"UQS0\"}"),
     false, "a pol that is not a SHA-256 digest (32 bytes)"},
    {BANK("{\"pcrs\":[11],\"pkfp\":\"" FP "\",\"pol\":\"" POL "\",\"sig\":"
	  "\"%%%%\"}"),
     false, "a sig that is not base64"},
    {BANK(ENTRY("[12]", FP)), false,
     "the key's signature of PCR 12, the slot bound to 11"},
    {BANK(ENTRY("[11,12]", FP)), false,
     "PCRs 11+12 signed, the slot bound to 11 alone"},
    {BANK(ENTRY("[]", FP)), false, "no PCRs signed"},
    {BANK(ENTRY("[12]", FP) "," ENTRY("[11]", FQ) "," ENTRY("[11]", FP)), true,
     "a later entry matches, after one per mismatch"},
    {BANK(ENTRY("[11]", FQ)), false, "by another key"},
    {BANK(ENTRY("[11]", "4b57")), false,
     "a fingerprint's prefix is not the fingerprint"},
    {"{\"sha1\":[" ENTRY("[11]", FP) "],\"sha256\":[" ENTRY("[11]", FQ) "]}",
     false, "the key's entry is in another bank than the slot's"},
    {"{\"sha384\":[{\"x\":\"a]b\\\"}\"}],\n \"sha256\" : [ " ENTRY(
	 "[ 11 ]", FP_UPPER) " ] }\n",
     true, "white space, upper-case hex, a ']' inside another bank's string"},
    {BANK("{\"pcrs\":[11],\"pkfp\":\"" FP "\",\"pol\":\"ce4a\"}"), false,
     "an entry with no signature"},
    {BANK("{\"pcrs\":[11],\"pkfp\":\"" FP "\",\"pol\":\"ce4a\",\"sig\":"
	  "\"UQS0\",\"pcrs\":[12]}"),
     false, "an entry that names its PCRs twice"},
    {"{\"sha256\":[" ENTRY("[11]", FP) "]", false, "cut short"},
    {BANK(ENTRY("[11]", FP) ","), false, "a trailing comma"},
    {BANK(ENTRY("[11]", FP)) " x", false, "junk after the JSON"},
    {BANK(ENTRY("[11]", FP) "," ENTRY("[24]", FP)), false,
     "a PCR past 23 anywhere in the bank"},
    {BANK(ENTRY("[11.0]", FP)), false, "a PCR that is not a whole number"},
    {BANK(ENTRY("[11]", FP) "," ENTRY("[11]", FP_NOT_HEX)), false,
     "a fingerprint that is not hex"},
    {"{\"sha256\":{\"pcrs\":[11]}}", false, "a bank that is not an array"},
    {"[" ENTRY("[11]", FP) "]", false, "not an object"},
    {"", false, "empty"},
};

static void test_nextboot(void)
{
	for (size_t i = 0; i < sizeof(signatures) / sizeof(*signatures); i++)
		CHECK(has(signatures[i].json, "sha256", 1u << 11) ==
			  signatures[i].want,
		      "next boot's signature: %s", signatures[i].name);
	CHECK(!has(BANK(ENTRY("[11]", FP)), "sha1", 1u << 11),
	      "next boot's signature: a slot of another bank");
	CHECK(has(BANK(ENTRY("[12,11]", FP)), "sha256", 1u << 11 | 1u << 12),
	      "next boot's signature: PCRs 11+12 in any order for a slot on "
	      "both");
	{
		struct nextboot_opts o = {0};
		struct fsp_problem why = {0};

		CHECK(nextboot_check("/nonexistent/fsp.slots", &o, NULL,
				     &why) == -ENOENT &&
			  !strcmp(why.text, "slots file /nonexistent/fsp.slots "
					    "does not exist"),
		      "a missing slots file is named: %s", why.text);
	}
}

static void test_run_io(void)
{
	const char *cat[] = {"/bin/cat", NULL};
	const char *sh[] = {"/bin/sh", "-c", "echo to-stderr >&2; exit 3",
			    NULL};
	static const uint8_t in[] = "secret through stdin";
	char errbuf[64];
	struct run_opts o = {
	    .timeout_s = 10, .input = in, .input_len = sizeof(in) - 1};
	struct secbuf out;
	int st = 0;

	UNIT_NEEDS_EXECVEAT("a program's stdin, stdout and stderr");

	secbuf_alloc(&out, 256);
	CHECK(run_capture(cat, &o, &out, &st) == 0 &&
		  out.len == sizeof(in) - 1 &&
		  memcmp(out.data, in, out.len) == 0,
	      "input reaches the program's stdin, its stdout comes back");
	o = (struct run_opts){
	    .timeout_s = 10, .errbuf = errbuf, .errcap = sizeof(errbuf)};
	CHECK(run_capture(sh, &o, &out, &st) == -ECHILD &&
		  strcmp(errbuf, "to-stderr\n") == 0,
	      "stderr is kept when asked for, and the exit status counts");
	o.errcap = 4;
	CHECK(run_capture(sh, &o, &out, &st) == -ECHILD &&
		  strcmp(errbuf, "to-") == 0,
	      "kept stderr is cut to the buffer");
	o = (struct run_opts){
	    .timeout_s = 10, .input = in, .input_len = RUN_INPUT_MAX + 1};
	CHECK(run_capture(cat, &o, &out, &st) == -E2BIG,
	      "input over what a pipe surely holds is refused");
	secbuf_free(&out);
}

int main(void)
{
	test_pcrs();
	test_data();
	test_pin();
	test_classify();
	test_managed();
	test_fingerprint();
	test_nextboot();
	test_run_io();
	return UNIT_DONE();
}
