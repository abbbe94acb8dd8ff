// SPDX-License-Identifier: MIT
/* The boot PCR's extension and its record (keysource/boot_pcr.h). */
#define _GNU_SOURCE
#include "keysource/boot_pcr.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/hex.h"
#include "basic/read_full.h"
#include "keysource/systemd_creds.h"
#include "keysource/tpm2_companion.h"
#include "shared/problem.h"

#define RECORD_MAX 256

static bool is_hex64(const char *s, size_t n)
{
	if (n != TPM2_BOOT_HEX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!strchr("0123456789abcdef", s[i]) || !s[i])
			return false;
	return true;
}

/* "BEFORE AFTER\n" into rec. 0, or -EBADMSG. */
static int record_parse(const char *text, size_t len,
			struct tpm2_boot_record *rec)
{
	if (len != 2 * TPM2_BOOT_HEX + 2 || text[TPM2_BOOT_HEX] != ' ' ||
	    text[len - 1] != '\n' || !is_hex64(text, TPM2_BOOT_HEX) ||
	    !is_hex64(text + TPM2_BOOT_HEX + 1, TPM2_BOOT_HEX))
		return -EBADMSG;
	snprintf(rec->before, sizeof(rec->before), "%.64s", text);
	snprintf(rec->after, sizeof(rec->after), "%.64s",
		 text + TPM2_BOOT_HEX + 1);
	snprintf(rec->arg, sizeof(rec->arg), "%s,%s", rec->before, rec->after);
	return 0;
}

/* The record's directory, root's own: /run, which no one else may write
 * (mkdir as the lock does, 0700). */
static int record_dir(bool create, struct fsp_problem *why)
{
	struct stat st;
	int fd;

	if (create && mkdir(FSP_LOCK_DIR, 0700) < 0 && errno != EEXIST)
		return problem_set(why, OP_TPM2_SEAL, -errno,
				   "cannot create %s: %m", FSP_LOCK_DIR);
	fd =
	    open(FSP_LOCK_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT
			   ? -ENOENT
			   : problem_set(why, OP_TPM2_SEAL, -errno,
					 "cannot open %s: %m", FSP_LOCK_DIR);
	if (fstat(fd, &st) < 0 || st.st_uid != 0 || (st.st_mode & 022)) {
		close(fd);
		return problem_set(why, OP_TPM2_SEAL, -EPERM,
				   "%s is not root's alone (owner uid %u, mode "
				   "%04o): fix it with chown root %s; chmod "
				   "0700 %s",
				   FSP_LOCK_DIR, (unsigned)st.st_uid,
				   (unsigned)(st.st_mode & 07777), FSP_LOCK_DIR,
				   FSP_LOCK_DIR);
	}
	return fd;
}

int tpm2_boot_record_read(struct tpm2_boot_record *rec, struct fsp_problem *why)
{
	char text[RECORD_MAX];
	struct stat st;
	size_t len = 0;
	int dfd = record_dir(false, why), fd, r;

	if (dfd == -ENOENT)
		return 0;
	if (dfd < 0)
		return dfd;
	fd = openat(dfd, TPM2_BOOT_RECORD_NAME,
		    O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	r = fd < 0 ? -errno : 0;
	close(dfd);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return problem_set(why, OP_TPM2_SEAL, r,
				   "cannot open %s/%s: %s", FSP_LOCK_DIR,
				   TPM2_BOOT_RECORD_NAME, strerror(-r));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != 0 ||
	    (st.st_mode & 022))
		r = -EPERM;
	else
		r = read_full(fd, (uint8_t *)text, sizeof(text), &len);
	close(fd);
	if (r == 0)
		r = record_parse(text, len, rec);
	if (r < 0)
		return problem_set(why, OP_TPM2_SEAL, r,
				   "%s/%s is not this boot's record of PCR %d "
				   "(root's, two SHA-256 values): remove it, "
				   "and reboot to have a new one",
				   FSP_LOCK_DIR, TPM2_BOOT_RECORD_NAME,
				   TPM2_BOOT_PCR);
	return 1;
}

/* The record, replaced whole: a reader sees the old one or the new one. */
static int record_write(const struct tpm2_boot_record *rec,
			struct fsp_problem *why)
{
	char text[RECORD_MAX], tmp[64];
	int n =
	    snprintf(text, sizeof(text), "%s %s\n", rec->before, rec->after);
	int dfd = record_dir(true, why), fd, r = 0;

	/* Its own name: the end unit and a shell's hook may write at once. */
	snprintf(tmp, sizeof(tmp), "." TPM2_BOOT_RECORD_NAME ".%ld.new",
		 (long)getpid());
	if (dfd < 0)
		return dfd;
	unlinkat(dfd, tmp, 0);
	fd = openat(dfd, tmp,
		    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, text, (size_t)n) != n)
		r = -errno;
	if (fd >= 0 && close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && renameat(dfd, tmp, dfd, TPM2_BOOT_RECORD_NAME) < 0)
		r = -errno;
	if (r < 0)
		unlinkat(dfd, tmp, 0);
	close(dfd);
	return r < 0 ? problem_set(why, OP_TPM2_SEAL, r,
				   "cannot write %s/%s: %s", FSP_LOCK_DIR,
				   TPM2_BOOT_RECORD_NAME, strerror(-r))
		     : 0;
}

/*
 * One extension, recorded (*extended once the TPM did it, whatever the
 * record's fate). The first record of a boot keeps its before for good:
 * after another program's extension (systemd-pcrfs, crypttab's
 * tpm2-measure-pcr=) the PCR's value is no longer one of ours, and enroll
 * must not take it for the next boot's.
 */
static int extend_once(const char *device, struct tpm2_boot_record *rec,
		       bool *extended, struct fsp_problem *why)
{
	struct tpm2_boot_record old;
	char line[RECORD_MAX];
	int r = companion_extend(device, line, sizeof(line), why);

	if (r == 0 && record_parse(line, strlen(line), rec) < 0)
		r = problem_set(why, OP_TPM2_SEAL, -EPROTO,
				"%s gave no PCR values", COMPANION_NAME);
	if (r < 0)
		return r;
	*extended = true;
	/* A damaged record stays as it is, and says so: rewritten, its
	 * before would be this value, not the boot's, and enroll would seal
	 * to it without a word. */
	r = tpm2_boot_record_read(&old, why);
	if (r < 0)
		return r;
	if (r == 1) {
		memcpy(rec->before, old.before, sizeof(rec->before));
		snprintf(rec->arg, sizeof(rec->arg), "%s,%s", rec->before,
			 rec->after);
	}
	problem_text(why, "%s", "");
	return record_write(rec, why);
}

bool tpm2_boot_system_open(const struct tpm2_boot_record *rec)
{
	uint8_t both[2 * 32], after[32], v[32];
	static const char event[] = TPM2_BOOT_EVENT;

	if (hex_decode(rec->before, TPM2_BOOT_HEX, both, 32) < 0 ||
	    hex_decode(rec->after, TPM2_BOOT_HEX, after, 32) < 0)
		return false;
	crypto_hash_sha256(both + 32, (const uint8_t *)event,
			   sizeof(event) - 1);
	crypto_hash_sha256(v, both, sizeof(both));
	return !memcmp(v, after, sizeof(v));
}

int tpm2_boot_extend(const char *device, bool final,
		     struct tpm2_boot_record *rec, struct fsp_problem *why)
{
	bool extended = false;
	struct stat st;
	int r, r2;

	if (!device || !strcmp(device, "auto"))
		device = TPM2_DEVICE_AUTO;
	if (device[0] == '/' && stat(device, &st) < 0)
		return problem_set(why, OP_TPM2_SEAL, -ENODEV, "no TPM: %s: %m",
				   device);
	r = extend_once(device, rec, &extended, why);
	/* Once past the boot's value is the running system's phase. When the
	 * record cannot say so, or the companion failed after the TPM may
	 * have extended, once more anyway: an extension only ends phases. The
	 * first failure is the one told. */
	if (final && r != -ENODEV &&
	    (r < 0 || !extended || tpm2_boot_system_open(rec))) {
		struct fsp_problem again = {0};

		r2 = extend_once(device, rec, &extended, r < 0 ? &again : why);
		r = r < 0 ? r : r2;
	}
	return r;
}

bool tpm2_boot_init_replaced(const char *cmdline)
{
	char line[4096];
	size_t len = 0;
	int fd, r;

	fd = open(cmdline, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	r = read_full(fd, (uint8_t *)line, sizeof(line) - 1, &len);
	close(fd);
	if (r < 0 && r != -EFBIG)
		return false;
	line[len] = '\0';
	for (char *w = strtok(line, " \t\n"); w; w = strtok(NULL, " \t\n")) {
		const char *base = strrchr(w, '/');

		/* systemd named by hand is still the init whose units end
		 * the running system's phase. */
		if (!strncmp(w, "init=", 5) && strcmp(w + 5, "/sbin/init") &&
		    (!base || strcmp(base, "/systemd")))
			return true;
	}
	return false;
}
