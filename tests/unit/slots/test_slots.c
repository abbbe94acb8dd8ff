// SPDX-License-Identifier: MIT
/*
 * The slots file format: every field good and bad, a flip of every byte,
 * truncation at every length; wrapping with each protector; recovery keys;
 * Argon2id cost selection and runs; passphrase lines; running unsealers.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "kernel/identifier.h"
#include "keysource/askpass.h"
#include "shared/run_program.h"
#include "slots/crypto.h"
#include "slots/format.h"
#include "slots/pbkdf.h"
#include "slots/recovery_key.h"
#include "unit.h"

static struct slots_file f;
static struct secbuf key;
static uint8_t rk[RECOVERY_KEY_BYTES];
static uint8_t buf[SLOTS_FILE_MAX], work[SLOTS_FILE_MAX];
static size_t len;
static struct fsp_problem what;

static const char pass[] = "correct horse";
static const char exec_out[] = "0123456789abcdef-unsealed";

/* A file with a passphrase, a recovery and an exec slot, cheap costs. */
static void build(void)
{
	char *argv[] = {"/usr/bin/unseal", "--slot", "7", NULL};
	struct slot *s;

	secbuf_alloc(&key, 64);
	for (int i = 0; i < 64; i++)
		key.data[i] = (uint8_t)(i * 7 + 1);
	key.len = 64;
	f.key_size = 64;
	fscrypt_key_identifier(key.data, key.len, f.identifier);
	s = &f.slots[f.n++];
	slot_init(s, 0, SLOT_PASSPHRASE);
	s->opslimit = 1;
	s->memlimit = SLOT_ARGON2_MEM_MIN;
	CHECK(slot_seal_secret(&f, s, (const uint8_t *)pass, strlen(pass),
			       &key) == 0,
	      "a passphrase slot seals");
	s = &f.slots[f.n++];
	slot_init(s, 3, SLOT_RECOVERY);
	for (int i = 0; i < RECOVERY_KEY_BYTES; i++)
		rk[i] = (uint8_t)(255 - i);
	CHECK(slot_seal_secret(&f, s, rk, sizeof(rk), &key) == 0,
	      "a recovery slot seals");
	s = &f.slots[f.n++];
	slot_init(s, 1, SLOT_EXEC);
	s->timeout = 30;
	CHECK(slot_set_exec_argv(s, argv) == 0, "an exec slot takes its argv");
	CHECK(slot_seal_secret(&f, s, (const uint8_t *)exec_out,
			       strlen(exec_out), &key) == 0,
	      "an exec slot seals");
	len = slots_encode(&f, buf);
}

/* 0 when slot index i of g opens with its right secret. */
static int open_slot(const struct slots_file *g, size_t i)
{
	const struct slot *s = &g->slots[i];
	struct secbuf out;
	int r;

	if (s->type == SLOT_PASSPHRASE)
		r = slot_open_secret(g, s, (const uint8_t *)pass, strlen(pass),
				     &out);
	else if (s->type == SLOT_RECOVERY)
		r = slot_open_secret(g, s, rk, sizeof(rk), &out);
	else
		r = slot_open_secret(g, s, (const uint8_t *)exec_out,
				     strlen(exec_out), &out);
	if (r == 0) {
		r = out.len == key.len && !memcmp(out.data, key.data, key.len)
			? 0
			: -EIO;
		secbuf_free(&out);
	}
	return r;
}

static void test_roundtrip(void)
{
	static struct slots_file g;
	const char *argv[SLOT_EXEC_ARGS_MAX + 1];
	struct secbuf out;

	CHECK(len == SLOTS_HEADER_SIZE + 3 * (SLOT_FIXED_SIZE + 80 + 2) + 25,
	      "the file is %zu bytes: header, 3 records, 25 bytes of argv",
	      len);
	CHECK(slots_decode(buf, len, &g, &what) == 0, "it decodes (%s)",
	      what.text);
	CHECK(g.n == 3 && g.key_size == 64 &&
		  !memcmp(g.identifier, f.identifier, 16),
	      "header fields come back");
	CHECK(g.slots[1].number == 3 && g.slots[2].number == 1,
	      "slot numbers are kept in file order");
	CHECK(g.slots[0].opslimit == 1 &&
		  g.slots[0].memlimit == SLOT_ARGON2_MEM_MIN &&
		  g.slots[0].kdf == SLOT_KDF_ARGON2ID,
	      "the passphrase slot keeps its costs");
	CHECK(slot_exec_argv(&g.slots[2], argv) == 3 &&
		  !strcmp(argv[0], "/usr/bin/unseal") &&
		  !strcmp(argv[2], "7") && g.slots[2].timeout == 30,
	      "the exec slot keeps program, arguments and timeout");
	for (size_t i = 0; i < 3; i++)
		CHECK(open_slot(&g, i) == 0, "slot index %zu unwraps the key",
		      i);
	CHECK(slot_open_secret(&g, &g.slots[0], (const uint8_t *)"wrong", 5,
			       &out) == -EKEYREJECTED,
	      "a wrong passphrase is rejected");
	rk[0] ^= 1;
	CHECK(open_slot(&g, 1) == -EKEYREJECTED,
	      "a wrong recovery key is rejected");
	rk[0] ^= 1;
	CHECK(slots_free_number(&g) == 2, "the lowest free slot number is 2");
	slots_remove(&g, 0);
	len = slots_encode(&g, work);
	CHECK(slots_decode(work, len, &g, &what) == 0 && g.n == 2 &&
		  open_slot(&g, 0) == 0 && open_slot(&g, 1) == 0,
	      "wiping a slot leaves the others unwrapping");
	len = slots_encode(&f, buf);
}

/* Decodes buf patched at off with v (w bytes, little-endian). */
static int patched(size_t off, uint64_t v, size_t w, size_t newlen)
{
	static struct slots_file g;

	memcpy(work, buf, len);
	for (size_t i = 0; i < w; i++)
		work[off + i] = (uint8_t)(v >> (8 * i));
	return slots_decode(work, newlen ? newlen : len, &g, &what);
}

static void test_fields(void)
{
	const size_t r0 = SLOTS_HEADER_SIZE, r2 = r0 + 2 * 162;

	CHECK(patched(0, 'X', 1, 0) == -EBADMSG, "bad magic: %s", what.text);
	CHECK(patched(8, 2, 2, 0) == -EPROTONOSUPPORT, "version 2: %s",
	      what.text);
	CHECK(patched(8, 0, 2, 0) == -EPROTONOSUPPORT, "version 0: %s",
	      what.text);
	CHECK(patched(10, 64, 2, 0) == -EBADMSG, "header size 64: %s",
	      what.text);
	CHECK(patched(12, 15, 2, 0) == -EBADMSG, "key size 15: %s", what.text);
	CHECK(patched(12, 65, 2, 0) == -EBADMSG, "key size 65: %s", what.text);
	CHECK(patched(12, 32, 2, 0) < 0, "key size 32 on 64-byte records");
	CHECK(patched(14, 33, 2, 0) == -EBADMSG, "33 slots: %s", what.text);
	CHECK(patched(14, 2, 2, 0) == -EBADMSG, "count 2 of 3: %s", what.text);
	CHECK(patched(14, 4, 2, 0) == -EMSGSIZE, "count 4 of 3: %s", what.text);
	CHECK(patched(40, 1, 1, 0) == -EBADMSG, "reserved header: %s",
	      what.text);
	CHECK(patched(r0, 163, 4, 0) == -EBADMSG, "record length: %s",
	      what.text);
	CHECK(patched(r0 + 4, 32, 2, 0) == -EBADMSG, "slot 32: %s", what.text);
	CHECK(patched(r0 + 4 + 162, 0, 2, 0) == -EBADMSG,
	      "slot number twice: %s", what.text);
	CHECK(patched(r0 + 16, 2, 1, 0) == -EBADMSG, "passphrase KDF: %s",
	      what.text);
	CHECK(patched(r0 + 17, 1, 1, 0) == -EBADMSG, "reserved byte: %s",
	      what.text);
	CHECK(patched(r0 + 18, 5, 2, 0) == -EBADMSG,
	      "timeout on a passphrase slot: %s", what.text);
	CHECK(patched(r0 + 21, 1, 1, 0) == -EBADMSG, "reserved word: %s",
	      what.text);
	CHECK(patched(r0 + 24, 0, 8, 0) == -EBADMSG, "0 passes: %s", what.text);
	CHECK(patched(r0 + 24, SLOT_ARGON2_OPS_MAX + 1, 8, 0) == -EBADMSG,
	      "too many passes: %s", what.text);
	CHECK(patched(r0 + 32, 4096, 8, 0) == -EBADMSG, "4 KiB memory: %s",
	      what.text);
	CHECK(patched(r0 + 32, SLOT_ARGON2_MEM_MAX + 1024, 8, 0) == -EBADMSG,
	      "memory over 4 GiB: %s", what.text);
	CHECK(patched(r0 + 32, 8192 + 512, 8, 0) == -EBADMSG,
	      "memory not whole KiB: %s", what.text);
	CHECK(patched(r0 + 162 + 24, 1, 8, 0) == -EBADMSG,
	      "costs on a recovery slot: %s", what.text);
	CHECK(patched(r0 + 160, 1, 2, 0) == -EBADMSG,
	      "data on a passphrase slot: %s", what.text);
	CHECK(patched(r2 + 160, 3000, 2, 0) == -EBADMSG, "data over 2 KiB: %s",
	      what.text);
	CHECK(patched(r2 + 162, 'u', 1, 0) == -EBADMSG,
	      "a relative program: %s", what.text);
	CHECK(patched(len - 1, 'x', 1, 0) == -EBADMSG, "argv not NUL-ended: %s",
	      what.text);
	CHECK(patched(r2 + 18, 0, 2, 0) == -EBADMSG,
	      "an exec slot with no timeout: %s", what.text);
	CHECK(patched(r2 + 6, 9, 2, 0) == 0,
	      "an unknown slot type is kept (newer versions add types)");
	memcpy(work, buf, len);
	work[len] = 0;
	CHECK(slots_decode(work, len + 1, &f, &what) == -EBADMSG,
	      "a byte after the last slot: %s", what.text);
	CHECK(slots_decode(work, SLOTS_FILE_MAX + 1, &f, &what) == -EMSGSIZE,
	      "an oversized file: %s", what.text);
	slots_decode(buf, len, &f, &what);
}

static void test_truncation(void)
{
	static struct slots_file g;
	size_t bad = 0;

	for (size_t l = 0; l < len; l++)
		if (slots_decode(buf, l, &g, &what) == 0)
			bad++;
	CHECK(bad == 0, "every truncation (0..%zu bytes) is refused", len - 1);
}

/* The range of the file a byte belongs to: -1 header, else record. */
static int owner(size_t i)
{
	return i < SLOTS_HEADER_SIZE ? -1
	       : i < SLOTS_HEADER_SIZE + 2 * 162
		   ? (int)((i - SLOTS_HEADER_SIZE) / 162)
		   : 2;
}

static void test_tamper(void)
{
	static struct slots_file g;
	size_t wrong = 0, tried = 0;

	for (size_t i = 0; i < len; i++) {
		memcpy(work, buf, len);
		work[i] ^= 0x20;
		if (slots_decode(work, len, &g, &what) < 0)
			continue;
		tried++;
		for (size_t k = 0; k < g.n; k++) {
			bool hit = owner(i) < 0 || owner(i) == (int)k;
			int r = open_slot(&g, k);

			if (hit ? r == 0 : r != 0)
				wrong++;
		}
	}
	CHECK(wrong == 0 && tried > 0,
	      "flipping any of %zu bytes: refused, or exactly the slots it "
	      "touches fail to unwrap (%zu decoded)",
	      len, tried);
}

static void test_recovery(void)
{
	uint8_t k[RECOVERY_KEY_BYTES], back[RECOVERY_KEY_BYTES];
	char text[RECOVERY_KEY_TEXT_SIZE], typed[200];

	for (int i = 0; i < RECOVERY_KEY_BYTES; i++)
		k[i] = (uint8_t)(i * 37);
	recovery_key_format(k, text);
	CHECK(strlen(text) == 71 && text[8] == '-' && text[62] == '-',
	      "a recovery key is 8 groups of 8: %s", text);
	CHECK(strspn(text, "cbdefghijklnrtuv-") == 71, "in modhex");
	CHECK(recovery_key_parse(text, strlen(text), back) &&
		  !memcmp(k, back, sizeof(k)),
	      "it parses back");
	for (size_t i = 0, o = 0; i <= strlen(text); i++)
		typed[o++] = text[i] == '-' ? ' ' : (char)(text[i] & ~0x20);
	CHECK(recovery_key_parse(typed, strlen(typed), back) &&
		  !memcmp(k, back, sizeof(k)),
	      "typed in capitals with spaces, too");
	CHECK(!recovery_key_parse(text, strlen(text) - 1, back),
	      "one digit short is not a recovery key");
	text[3] = 'a';
	CHECK(!recovery_key_parse(text, strlen(text), back),
	      "'a' is not a modhex digit");
	CHECK(!recovery_key_parse("hunter2", 7, back),
	      "a passphrase is not a recovery key");
}

static void test_costs(void)
{
	uint8_t a[PBKDF_OUT_MAX + 1], b[32],
	    salt[crypto_pwhash_SALTBYTES] = {7};
	struct pbkdf_costs c;
	uint64_t def = pbkdf_default_mem_kib();

	CHECK(pbkdf_derive(a, 32, (const uint8_t *)pass, strlen(pass), salt, 2,
			   1 << 20) == 0 &&
		  crypto_pwhash(b, 32, pass, strlen(pass), salt, 2, 1 << 20,
				crypto_pwhash_ALG_ARGON2ID13) == 0 &&
		  !memcmp(a, b, 32),
	      "pbkdf_derive: crypto_pwhash's result, from its locked child");
	CHECK(pbkdf_derive(a, sizeof(a), salt, 1, salt, 1, 1 << 20) == -EINVAL,
	      "at most PBKDF_OUT_MAX bytes");

	CHECK(def >= PBKDF_MEM_FLOOR_KIB && def <= PBKDF_MEM_CAP_KIB &&
		  def % 1024 == 0,
	      "default memory %llu KiB: whole MiB, 8 MiB to 128 MiB",
	      (unsigned long long)def);
	CHECK(pbkdf_tune(1000, 16384, 3, &c) == 0 && c.ops == 3 &&
		  c.mem_kib == 16384 && c.ms == 0,
	      "given passes and memory are used as they are, unmeasured");
	CHECK(pbkdf_tune(200, 8192, 0, &c) == 0 && c.mem_kib == 8192 &&
		  c.ops >= 1 && c.ms > 0,
	      "a 200 ms target with 8 MiB: %llu passes, about %u ms",
	      (unsigned long long)c.ops, c.ms);
	CHECK(pbkdf_passes(1000, 100, 200) == 19,
	      "100 ms, then 200 ms for 3 passes: 1 + 900/50 = 19 passes");
	CHECK(pbkdf_passes(1000, 360, 273) == 8,
	      "3 passes timed faster than 1 (noise): a pass counts as 90 ms, "
	      "8 passes, not 641");
	CHECK(pbkdf_passes(50, 100, 300) == 1,
	      "one pass over the target: 1 pass");
	CHECK(pbkdf_passes(UINT32_MAX, 1, 1) == SLOT_ARGON2_OPS_MAX,
	      "capped at SLOT_ARGON2_OPS_MAX");
	CHECK(pbkdf_tune(1, 0, 0, &c) == 0 && c.ops == 1 && c.mem_kib <= def &&
		  c.mem_kib >= PBKDF_MEM_FLOOR_KIB,
	      "a 1 ms target halves the memory (%llu KiB), one pass",
	      (unsigned long long)c.mem_kib);
}

static void test_lines(void)
{
	struct secbuf s;
	int p[2];

	if (pipe(p) < 0)
		return;
	if (write(p[1], "one\ntwo\r\n\nlast", 14) != 14)
		return;
	close(p[1]);
	CHECK(passphrase_read_fd(p[0], &s) == 0 && s.len == 3 &&
		  !memcmp(s.data, "one", 3),
	      "a line without its newline");
	secbuf_free(&s);
	CHECK(passphrase_read_fd(p[0], &s) == 0 && s.len == 3,
	      "CRLF loses the CR too");
	secbuf_free(&s);
	CHECK(passphrase_read_fd(p[0], &s) == 0 && s.len == 0,
	      "an empty line is an empty passphrase");
	secbuf_free(&s);
	CHECK(passphrase_read_fd(p[0], &s) == 0 && s.len == 4,
	      "a last line with no newline");
	secbuf_free(&s);
	CHECK(passphrase_read_fd(p[0], &s) == -ENODATA, "then end of input");
	close(p[0]);
	CHECK(passphrase_read_fd(-1, &s) == -EBADF, "a closed descriptor");
}

static int run(const char *const *argv, unsigned timeout, size_t cap,
	       struct secbuf *out)
{
	struct run_opts o = {.timeout_s = timeout};
	int st;

	secbuf_alloc(out, cap);
	return run_capture(argv, &o, out, &st);
}

static void test_run(void)
{
	const char *echo[] = {"/bin/echo", "-n", "sixteen-bytes-ok", NULL};
	const char *fail[] = {"/bin/false", NULL};
	const char *hang[] = {"/bin/sh", "-c", "sleep 30 & sleep 30", NULL};
	const char *none[] = {"/nonexistent/unsealer", NULL};
	const char *big[] = {"/bin/sh", "-c", "head -c 9000 /dev/zero", NULL};
	const char *quiet[] = {"/bin/sh", "-c", "exec >&-; sleep 30", NULL};
	struct secbuf out;

	UNIT_NEEDS_EXECVEAT("programs run with a deadline");

	CHECK(run(echo, 5, 64, &out) == 0 && out.len == 16 &&
		  !memcmp(out.data, "sixteen-bytes-ok", 16),
	      "a program's stdout, exactly");
	secbuf_free(&out);
	CHECK(run(fail, 5, 64, &out) == -ECHILD, "a failing program: -ECHILD");
	secbuf_free(&out);
	CHECK(run(hang, 1, 64, &out) == -ETIME,
	      "a hanging program (and its children) killed at the timeout");
	secbuf_free(&out);
	CHECK(run(none, 5, 64, &out) == -ENOENT, "a missing program: -ENOENT");
	secbuf_free(&out);
	CHECK(run(big, 5, 4097, &out) == -E2BIG, "too much output: -E2BIG");
	secbuf_free(&out);
	CHECK(run(quiet, 1, 64, &out) == -ETIME,
	      "one that closes its stdout and hangs is killed at the timeout");
	secbuf_free(&out);
}

int main(void)
{
	if (slots_crypto_init() < 0)
		return 1;
	build();
	test_roundtrip();
	test_fields();
	test_truncation();
	test_tamper();
	test_recovery();
	test_costs();
	test_lines();
	test_run();
	secbuf_free(&key);
	return UNIT_DONE();
}
