/* SPDX-License-Identifier: MIT */
/* Passphrases: from a descriptor, or asked of a person. */
#ifndef FSP_KEYSOURCE_ASKPASS_H
#define FSP_KEYSOURCE_ASKPASS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "basic/secmem.h"

#define PASSPHRASE_MAX 1024

/*
 * One line from fd into locked memory, its newline (and a CR before it)
 * stripped; reads byte by byte so that the next line stays in the pipe
 * for the next prompt. 0; -ENODATA at end of input; -EMSGSIZE for a line
 * over PASSPHRASE_MAX bytes; -errno.
 */
int passphrase_read_fd(int fd, struct secbuf *out);
/* The same, giving up with -ETIME at deadline (CLOCK_MONOTONIC ms, as
 * monotonic_ms(); 0: none) while no line has come. */
int passphrase_read_until(int fd, int64_t deadline, struct secbuf *out);

/*
 * Asks a person, the way a boot does: systemd-ask-password when systemd
 * runs (it reaches plymouth and the console agents), else plymouth when
 * it answers --ping, else the terminal with echo off. id names the
 * request for agents ("fscrypt-provision:VOLUME"). With a deadline
 * (monotonic_ms(); 0: none) each way gives up there: systemd-ask-password
 * by its own --timeout, plymouth killed, the terminal read by poll(). 0,
 * -ENXIO when there is nobody to ask, -ECANCELED when the person gave up,
 * -ETIME when the deadline passed first, or -errno; how says which way
 * was used.
 */
int passphrase_ask(const char *prompt, const char *id, int64_t deadline,
		   struct secbuf *out, const char **how);

#endif
