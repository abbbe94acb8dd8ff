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

int pbkdf_tune(unsigned target_ms, uint64_t mem_kib, uint64_t ops,
	       struct pbkdf_costs *ret)
{
	bool fixed_mem = mem_kib != 0;
	long t1, t3, per_pass;

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
	 * The first pass also faults the memory in; later passes cost less.
	 * Two more passes measure what each one adds.
	 */
	t3 = pbkdf_measure(3, ret->mem_kib);
	if (t3 < 0)
		return (int)t3;
	per_pass = (t3 - t1) / 2;
	if (per_pass < 1)
		per_pass = 1;
	ret->ops = 1;
	if ((long)target_ms > t1)
		ret->ops += (uint64_t)(((long)target_ms - t1) / per_pass);
	if (ret->ops > SLOT_ARGON2_OPS_MAX)
		ret->ops = SLOT_ARGON2_OPS_MAX;
	ret->ms = (unsigned)(t1 + per_pass * (long)(ret->ops - 1));
	return 0;
}
