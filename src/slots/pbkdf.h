/* SPDX-License-Identifier: MIT */
/* Argon2id: choosing costs for a new passphrase slot, and locked runs. */
#ifndef FSP_SLOTS_PBKDF_H
#define FSP_SLOTS_PBKDF_H

#include <stddef.h>
#include <stdint.h>

/*
 * Defaults (README "Passphrase costs"): about 1 s, and at most 128 MiB or
 * an eighth of RAM, whichever is less, since the key is unwrapped in an
 * initramfs, once per boot, on devices that may have little memory.
 */
#define PBKDF_DEFAULT_MS 1000
#define PBKDF_MEM_CAP_KIB (128u << 10)
#define PBKDF_MEM_FLOOR_KIB (8u << 10)

struct pbkdf_costs {
	uint64_t ops;	  /* passes */
	uint64_t mem_kib; /* memory */
	unsigned ms;	  /* what one unwrap took while tuning (0: not run) */
};

/* min(RAM/8, PBKDF_MEM_CAP_KIB), at least PBKDF_MEM_FLOOR_KIB. */
uint64_t pbkdf_default_mem_kib(void);
/*
 * Picks passes (and, unless mem_kib is given, memory: halved until one pass
 * fits) so that one Argon2id run takes about target_ms on this machine.
 * With ops given as well, nothing is measured. 0 or -ENOMEM.
 */
int pbkdf_tune(unsigned target_ms, uint64_t mem_kib, uint64_t ops,
	       struct pbkdf_costs *ret);
/*
 * The passes that fill target_ms when one pass took t1 ms and three took
 * t3 (1 to SLOT_ARGON2_OPS_MAX; noisy timings count a pass as at least a
 * quarter of the first).
 */
uint64_t pbkdf_passes(unsigned target_ms, long t1, long t3);
/*
 * Milliseconds one Argon2id run with these costs takes, or -errno. Its
 * input is no secret: it runs here, unlocked.
 */
long pbkdf_measure(uint64_t ops, uint64_t mem_kib);

#define PBKDF_OUT_MAX 64
/*
 * Argon2id of secret into out (at most PBKDF_OUT_MAX bytes), with its
 * working memory locked where RLIMIT_MEMLOCK or CAP_IPC_LOCK allows; where
 * not, it runs all the same and pbkdf_lock_error() says why. 0, -ENOMEM
 * (Argon2id could not get its memory) or -EINVAL.
 */
int pbkdf_derive(uint8_t *out, size_t outlen, const uint8_t *secret, size_t len,
		 const uint8_t *salt, uint64_t ops, size_t mem);
/*
 * The errno of the first run whose memory stayed unlocked in this process,
 * or 0; *mem_kib the largest such run's memory. The commands say so.
 */
int pbkdf_lock_error(uint64_t *mem_kib);

#endif
