// SPDX-License-Identifier: MIT
/*
 * Argon2id: cost selection by measurement, the way cryptsetup and
 * google/fscrypt tune theirs, and runs whose working memory is locked.
 */
#define _GNU_SOURCE
#include "slots/pbkdf.h"

#include <errno.h>
#include <stdbool.h>
#include <sodium.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <unistd.h>

#include "basic/clock.h"
#include "basic/libc_compat.h"
#include "slots/format.h"

uint64_t pbkdf_default_mem_kib(void)
{
	struct sysinfo si;
	uint64_t kib = PBKDF_MEM_CAP_KIB;

	if (sysinfo(&si) == 0) {
		uint64_t ram = (uint64_t)si.totalram * si.mem_unit / 1024;

		if (ram / 8 < kib)
			kib = ram / 8;
	}
	if (kib < PBKDF_MEM_FLOOR_KIB)
		kib = PBKDF_MEM_FLOOR_KIB;
	return kib & ~(uint64_t)1023; /* whole MiB, for people to read */
}

long pbkdf_measure(uint64_t ops, uint64_t mem_kib)
{
	static const uint8_t salt[crypto_pwhash_SALTBYTES];
	uint8_t out[32];
	int64_t t0 = monotonic_ms();

	if (crypto_pwhash(out, sizeof(out), "benchmark", 9, salt, ops,
			  (size_t)(mem_kib * 1024),
			  crypto_pwhash_ALG_ARGON2ID13) != 0)
		return -ENOMEM;
	return (long)(monotonic_ms() - t0);
}

/* What each pass after the first adds, from one pass taking t1 ms and
 * three taking t3. */
static long pass_cost(long t1, long t3)
{
	long per_pass = (t3 - t1) / 2;

	/*
	 * Timer noise or a slow first run can make three passes look as cheap
	 * as one; a pass of 1 ms would then ask for hundreds of passes (seen:
	 * 664, a 45 s unlock for a 1 s target). A pass costs at least a
	 * quarter of the first, which also faults the memory in.
	 */
	if (per_pass < t1 / 4)
		per_pass = t1 / 4;
	if (per_pass < 1)
		per_pass = 1;
	return per_pass;
}

/* In 64 bits: a long is 32 on armhf, where a target over 2^31 ms turned
 * negative (the cross unit tests found it). */
uint64_t pbkdf_passes(unsigned target_ms, long t1, long t3)
{
	int64_t per_pass = pass_cost(t1, t3);
	uint64_t ops = 1;

	if ((int64_t)target_ms > t1)
		ops += (uint64_t)(((int64_t)target_ms - t1) / per_pass);
	if (ops > SLOT_ARGON2_OPS_MAX)
		ops = SLOT_ARGON2_OPS_MAX;
	return ops;
}

int pbkdf_tune(unsigned target_ms, uint64_t mem_kib, uint64_t ops,
	       struct pbkdf_costs *ret)
{
	bool fixed_mem = mem_kib != 0;
	long t1, t3;

	ret->mem_kib = fixed_mem ? mem_kib : pbkdf_default_mem_kib();
	ret->ops = ops;
	ret->ms = 0;
	if (ops)
		return 0;
	for (;;) {
		t1 = pbkdf_measure(1, ret->mem_kib);
		if (t1 < 0)
			return (int)t1;
		if (t1 <= (int64_t)target_ms || fixed_mem ||
		    ret->mem_kib / 2 < PBKDF_MEM_FLOOR_KIB)
			break;
		ret->mem_kib /= 2;
	}
	/*
	 * The run above chose the memory; it is also the first, which pays
	 * for warming up (seen: 360 ms, then 135 ms for the same pass), so
	 * one pass and three are timed again. Each pass faults the memory in
	 * anew; two more passes measure what each one adds.
	 */
	t1 = pbkdf_measure(1, ret->mem_kib);
	if (t1 < 0)
		return (int)t1;
	t3 = pbkdf_measure(3, ret->mem_kib);
	if (t3 < 0)
		return (int)t3;
	ret->ops = pbkdf_passes(target_ms, t1, t3);
	ret->ms = (unsigned)(t1 + pass_cost(t1, t3) * (int64_t)(ret->ops - 1));
	return 0;
}

/*
 * Argon2id's working memory is as good as the passphrase: its first blocks
 * let a guess be tested without the memory cost, its last ones give the
 * KEK itself. It must not reach swap. libsodium maps it on its own, so it
 * cannot be mlock()ed by address, and mlockall(MCL_FUTURE) could only be
 * undone by munlockall(), which would unlock the key buffers (basic/secmem.h)
 * too. So the run happens in a child that locks all it has and will have,
 * and whose memory goes with it; the parent's locks are never touched.
 */
struct kdf_run {
	uint8_t out[PBKDF_OUT_MAX];
	int ok;	      /* crypto_pwhash succeeded: out holds its result */
	int lock_err; /* 0, or why the child's memory stayed unlocked */
};

struct kdf_args {
	const uint8_t *secret;
	size_t len;
	const uint8_t *salt;
	uint64_t ops;
	size_t mem;
	size_t outlen;
};

static int lock_error;
static uint64_t lock_error_kib;

int pbkdf_lock_error(uint64_t *mem_kib)
{
	if (mem_kib)
		*mem_kib = lock_error_kib;
	return lock_error;
}

static void note_unlocked(int err, size_t mem)
{
	if (!lock_error)
		lock_error = err;
	if ((uint64_t)mem >> 10 > lock_error_kib)
		lock_error_kib = (uint64_t)mem >> 10;
}

static int argon2id(uint8_t *out, const struct kdf_args *a)
{
	/* libsodium takes a char pointer; the bytes are not text. */
	if (crypto_pwhash(out, a->outlen, (const char *)a->secret, a->len,
			  a->salt, a->ops, a->mem,
			  crypto_pwhash_ALG_ARGON2ID13) != 0)
		return -ENOMEM; /* its only failure: no memory */
	return 0;
}

static _Noreturn void kdf_child(struct kdf_run *run, const struct kdf_args *a,
				pid_t parent)
{
	int r;

	/*
	 * It needs no descriptor, and must not keep one open (the writers'
	 * lock, a caller's pipe) should the parent die first, which it does
	 * not outlive. stderr stays, for a sanitizer's report.
	 */
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
	(void)close(0);
	(void)close(1);
	if (close_range(3, ~0U, 0) < 0)
		for (int fd = 3; fd < 4096; fd++)
			(void)close(fd);

	/*
	 * What the child has is locked as it is touched: faulting in all of
	 * it would be for nothing (under valgrind, tens of MiB of its own).
	 * What it maps next, Argon2id's memory, is locked and faulted in at
	 * once, which measured cheaper than locking it page by page.
	 */
	if (mlockall(MCL_CURRENT | MCL_ONFAULT) < 0 || mlockall(MCL_FUTURE) < 0)
		run->lock_err = errno;
	r = argon2id(run->out, a);
	if (r < 0 && !run->lock_err) {
		/*
		 * A locked mapping over RLIMIT_MEMLOCK is refused (EAGAIN)
		 * when mlockall() itself was not: derive unlocked, and say so
		 * if that works (if not, memory itself is short).
		 */
		(void)munlockall();
		r = argon2id(run->out, a);
		if (r == 0)
			run->lock_err = EAGAIN;
	}
	run->ok = r == 0;
	_exit(0);
}

int pbkdf_derive(uint8_t *out, size_t outlen, const uint8_t *secret, size_t len,
		 const uint8_t *salt, uint64_t ops, size_t mem)
{
	struct kdf_args a = {secret, len, salt, ops, mem, outlen};
	struct kdf_run *run;
	int st = 0, r = -ENOMEM;
	pid_t parent = getpid(), pid, w;

	if (outlen > sizeof(run->out))
		return -EINVAL;
	/* Shared with the child, and as locked as the key buffers. */
	run = mmap(NULL, sizeof(*run), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (run == MAP_FAILED)
		return -ENOMEM;
	(void)mlock(run, sizeof(*run));
	(void)madvise(run, sizeof(*run), MADV_DONTDUMP);
	pid = fork();
	if (pid == 0)
		kdf_child(run, &a, parent);
	if (pid < 0) {
		/* No child to lock (EAGAIN: too many processes): unlocked. */
		int err = errno;

		r = argon2id(out, &a);
		if (r == 0)
			note_unlocked(err, mem);
	} else {
		do
			w = waitpid(pid, &st, 0);
		while (w < 0 && errno == EINTR);
		/* (w < 0: SIGCHLD ignored; the child is gone all the same.) */
		if (run->ok &&
		    (w < 0 || (WIFEXITED(st) && WEXITSTATUS(st) == 0))) {
			memcpy(out, run->out, outlen);
			r = 0;
		}
		if (run->lock_err)
			note_unlocked(run->lock_err, mem);
	}
	sodium_memzero(run, sizeof(*run));
	(void)munmap(run, sizeof(*run));
	return r;
}
