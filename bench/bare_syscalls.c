// SPDX-License-Identifier: MIT
/*
 * The lower bound for bench/run.sh: the bare syscalls that provisioning and
 * unlocking need, in a tight loop, with no checks, no output and no exec.
 *
 *   bare_syscalls add RING_ID MOUNT IDS_OUT KEYFILE...
 *	for each key file: open/read/close it, add_key("fscrypt-provisioning")
 *	straight into RING_ID, keyctl_setperm(0x39090000), then
 *	FS_IOC_ADD_ENCRYPTION_KEY by key_id on MOUNT. Writes the key serials,
 *	one a line, to IDS_OUT (after the clock has stopped).
 *   bare_syscalls unlock MOUNT IDS_IN
 *	FS_IOC_ADD_ENCRYPTION_KEY by key_id on MOUNT for every serial.
 *
 * Prints one line: "add_ns_per_key=... add_ns_total=... n=..." (or unlock_).
 * The clock (CLOCK_MONOTONIC) covers opening MOUNT and the whole loop.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <keyutils.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fscrypt-provision/cli.h"
#include "kernel/fscrypt_ioctl.h"
#include "kernel/fscrypt_uapi.h"
#include "kernel/keyring.h"

static int die(const char *what, int err)
{
	fprintf(stderr, "bare_syscalls: %s: %s\n", what, strerror(err));
	return 1;
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void report(const char *phase, long long total, size_t n)
{
	printf("%s_ns_per_key=%lld %s_ns_total=%lld n=%zu\n", phase,
	       n ? total / (long long)n : 0, phase, total, n);
}

static int parse_serial(const char *s, key_serial_t *ret)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || (*end && *end != '\n') || v <= 0 ||
	    v > 0x7fffffffL)
		return -EINVAL;
	*ret = (key_serial_t)v;
	return 0;
}

static int bench_add(int argc, char **argv)
{
	struct {
		struct fsp_provisioning_key_payload hdr;
		uint8_t raw[FSP_MAX_KEY_SIZE];
	} pl;
	uint8_t id[FSP_KEY_IDENTIFIER_SIZE];
	size_t n = (size_t)argc - 4;
	key_serial_t ring, *keys;
	long long t0, t1;
	char desc[64];
	FILE *out;
	int mfd;

	if (parse_serial(argv[1], &ring) < 0)
		return die("bad RING_ID", EINVAL);
	keys = calloc(n + 1, sizeof(*keys));
	if (!keys)
		return die("calloc", ENOMEM);

	t0 = now_ns();
	mfd = open(argv[2], O_RDONLY | O_CLOEXEC | O_DIRECTORY);
	if (mfd < 0)
		return die(argv[2], errno);
	for (size_t i = 0; i < n; i++) {
		ssize_t len;
		int fd, r;

		fd = open(argv[4 + i], O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return die(argv[4 + i], errno);
		len = read(fd, pl.raw, sizeof(pl.raw));
		close(fd);
		if (len < FSP_MIN_KEY_SIZE)
			return die(argv[4 + i], len < 0 ? errno : EMSGSIZE);
		pl.hdr.type = FSP_KEY_SPEC_TYPE_IDENTIFIER;
		pl.hdr.flags = 0;
		snprintf(desc, sizeof(desc), "bench-bare:v%zu", i);
		keys[i] = add_key(FSP_PROVISIONING_KEY_TYPE, desc, &pl,
				  sizeof(pl.hdr) + (size_t)len, ring);
		if (keys[i] < 0)
			return die("add_key", errno);
		if (keyctl_setperm(keys[i], FSP_KEY_PERM) < 0)
			return die("keyctl_setperm", errno);
		r = fs_add_key_by_id(mfd, keys[i], id);
		if (r < 0)
			return die("FS_IOC_ADD_ENCRYPTION_KEY", -r);
	}
	close(mfd);
	t1 = now_ns();
	explicit_bzero(&pl, sizeof(pl));

	out = fopen(argv[3], "we");
	if (!out)
		return die(argv[3], errno);
	for (size_t i = 0; i < n; i++)
		fprintf(out, "%d\n", keys[i]);
	if (fclose(out) != 0)
		return die(argv[3], errno);
	free(keys);
	report("add", t1 - t0, n);
	return 0;
}

static int bench_unlock(const char *mount, const char *ids_in)
{
	uint8_t id[FSP_KEY_IDENTIFIER_SIZE];
	key_serial_t *keys = NULL;
	size_t n = 0, cap = 0;
	char line[64];
	long long t0, t1;
	FILE *in;
	int mfd;

	in = fopen(ids_in, "re");
	if (!in)
		return die(ids_in, errno);
	while (fgets(line, sizeof(line), in)) {
		if (n == cap) {
			key_serial_t *nk;

			cap = cap ? 2 * cap : 1024;
			nk = realloc(keys, cap * sizeof(*keys));
			if (!nk)
				return die("realloc", ENOMEM);
			keys = nk;
		}
		if (parse_serial(line, &keys[n]) < 0)
			return die(ids_in, EINVAL);
		n++;
	}
	fclose(in);

	t0 = now_ns();
	mfd = open(mount, O_RDONLY | O_CLOEXEC | O_DIRECTORY);
	if (mfd < 0)
		return die(mount, errno);
	for (size_t i = 0; i < n; i++) {
		int r = fs_add_key_by_id(mfd, keys[i], id);

		if (r < 0)
			return die("FS_IOC_ADD_ENCRYPTION_KEY", -r);
	}
	close(mfd);
	t1 = now_ns();
	free(keys);
	report("unlock", t1 - t0, n);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 5 && strcmp(argv[1], "add") == 0)
		return bench_add(argc - 1, argv + 1);
	if (argc == 4 && strcmp(argv[1], "unlock") == 0)
		return bench_unlock(argv[2], argv[3]);
	fprintf(stderr,
		"usage: bare_syscalls add RING_ID MOUNT IDS_OUT KEYFILE...\n"
		"       bare_syscalls unlock MOUNT IDS_IN\n");
	return 2;
}
