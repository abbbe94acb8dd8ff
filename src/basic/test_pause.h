/* SPDX-License-Identifier: MIT */
/*
 * Test-only pause points, so that host tests can race two real processes
 * at a known step. Inert unless FSP_TEST_PAUSE names the point.
 */
#ifndef FSP_BASIC_TEST_PAUSE_H
#define FSP_BASIC_TEST_PAUSE_H

/*
 * With FSP_TEST_PAUSE=point and FSP_TEST_PAUSE_FILE=PATH: creates PATH
 * (O_EXCL, so it never replaces a file), then waits until someone removes
 * it, at most 60 s.
 */
void test_pause(const char *point);

#endif
