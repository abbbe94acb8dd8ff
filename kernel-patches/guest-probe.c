// SPDX-License-Identifier: MIT
/*
 * Guest-side helper for verify.sh: calls FS_IOC_ADD_ENCRYPTION_KEY with
 * exactly the fields a test asks for, and reports a verdict to QEMU's
 * isa-debug-exit device. Built statically by verify.sh; not installed.
 *
 *   guest-probe add DIR KEY_ID [RAW_SIZE [RESERVED0 [SPEC_TYPE]]]
 *       prints "ok IDENTIFIER" (v2) or "ok", or the errno name (EINVAL...)
 *   guest-probe exit CODE
 *       writes CODE to I/O port 0xf4; QEMU exits with (CODE << 1) | 1
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* Local copy of the patched UAPI layout; the host's headers may be older. */
struct probe_key_spec {
	uint32_t type;
	uint32_t reserved;
	uint8_t u[32];
};

struct probe_add_key_arg {
	struct probe_key_spec key_spec;
	uint32_t raw_size;
	uint32_t key_id;
	uint32_t reserved[8];
	uint8_t raw[64];
};

/* _IOWR('f', 23, struct fscrypt_add_key_arg): the size excludes raw[] */
#define PROBE_IOC_ADD_KEY _IOWR('f', 23, uint8_t[80])

static unsigned long num(const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || *end || end == s) {
		fprintf(stderr, "guest-probe: bad number '%s'\n", s);
		exit(2);
	}
	return v;
}

static int cmd_add(int argc, char **argv)
{
	struct probe_add_key_arg arg;
	int fd;

	if (argc < 2 || argc > 5)
		return 2;
	memset(&arg, 0, sizeof(arg));
	arg.key_spec.type = argc > 4 ? (uint32_t)num(argv[4]) : 2;
	arg.key_id = (uint32_t)num(argv[1]);
	arg.raw_size = argc > 2 ? (uint32_t)num(argv[2]) : 0;
	arg.reserved[0] = argc > 3 ? (uint32_t)num(argv[3]) : 0;
	if (arg.raw_size > sizeof(arg.raw))
		return 2;
	for (size_t i = 0; i < sizeof(arg.raw); i++)
		arg.raw[i] = (uint8_t)(i + 1);
	fd = open(argv[0], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		perror(argv[0]);
		return 1;
	}
	if (ioctl(fd, PROBE_IOC_ADD_KEY, &arg) < 0) {
		printf("%s\n", strerrorname_np(errno));
		close(fd);
		return 1;
	}
	close(fd);
	if (arg.key_spec.type == 2) {
		printf("ok ");
		for (int i = 0; i < 16; i++)
			printf("%02x", arg.key_spec.u[i]);
		printf("\n");
	} else {
		printf("ok\n");
	}
	return 0;
}

static int cmd_exit(const char *code)
{
	unsigned long v = num(code);

	if (ioperm(0xf4, 4, 1) < 0) {
		perror("ioperm");
		return 1;
	}
	outb((unsigned char)v, 0xf4);
	return 1; /* not reached when the device exists */
}

int main(int argc, char **argv)
{
	int r = 2;

	if (argc >= 2 && strcmp(argv[1], "add") == 0)
		r = cmd_add(argc - 2, argv + 2);
	else if (argc == 3 && strcmp(argv[1], "exit") == 0)
		r = cmd_exit(argv[2]);
	if (r == 2)
		fprintf(stderr, "usage: guest-probe add DIR KEY_ID [RAW_SIZE "
				"[RESERVED0 [SPEC_TYPE]]]\n"
				"       guest-probe exit CODE\n");
	return r;
}
