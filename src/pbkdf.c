// SPDX-License-Identifier: MIT
/* Argon2id cost selection by measurement, the way cryptsetup and
 * google/fscrypt tune theirs. */
#define _GNU_SOURCE
#include "pbkdf.h"

#include <errno.h>
#include <stdbool.h>
#include <sodium.h>
#include <sys/sysinfo.h>

#include "clock.h"
#include "slots.h"

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
	long t0 = monotonic_ms();

	if (crypto_pwhash(out, sizeof(out), "benchmark", 9, salt, ops,
			  (size_t)(mem_kib * 1024),
			  crypto_pwhash_ALG_ARGON2ID13) != 0)
		return -ENOMEM;
	return monotonic_ms() - t0;
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

uint64_t pbkdf_passes(unsigned target_ms, long t1, long t3)
{
	long per_pass = pass_cost(t1, t3);
	uint64_t ops = 1;

	if ((long)target_ms > t1)
		ops += (uint64_t)(((long)target_ms - t1) / per_pass);
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
		if (t1 <= (long)target_ms || fixed_mem ||
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
	ret->ms = (unsigned)(t1 + pass_cost(t1, t3) * (long)(ret->ops - 1));
	return 0;
}
