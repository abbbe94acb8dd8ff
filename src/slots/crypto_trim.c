// SPDX-License-Identifier: MIT
/*
 * Keeping X25519 and Salsa20 out of the static helpers (docs/design.md,
 * "Libraries"). sodium_init() asks every primitive to pick its fastest
 * code, and the pickers of X25519 and Salsa20 sit in the same archive
 * members as those primitives: through them alone a static link takes in
 * curve25519's code and ed25519's 30 KB table (60 KB on arm64), which the
 * helper never calls. Defined here, the two pickers are found before the
 * archive is searched, and those members stay out.
 *
 * This holds only while nothing else needs them: a call to any X25519 or
 * Salsa20 function would pull a member that defines its picker again, and
 * the link would stop with a duplicate symbol rather than grow in silence.
 * A libsodium whose pickers have other names links them as before.
 * Compiled only into the static builds (FSP_SODIUM_TRIM); with a shared
 * libsodium these names are its own business.
 */
#ifdef FSP_SODIUM_TRIM

int _crypto_scalarmult_curve25519_pick_best_implementation(void);
int _crypto_stream_salsa20_pick_best_implementation(void);

/* libsodium's own pickers return 0 too: there is nothing to choose. */
int _crypto_scalarmult_curve25519_pick_best_implementation(void)
{
	return 0;
}

int _crypto_stream_salsa20_pick_best_implementation(void)
{
	return 0;
}

#else
/* ISO C forbids an empty translation unit. */
typedef int fsp_sodium_trim_unused;
#endif
