/*
 * The host tests' random numbers (bzimage_test, bootcfg_test): xorshift64
 * from a fixed seed, a repeatable sequence so that a failure can be rerun.
 */
#ifndef JOS_USER_VMM_TEST_TESTRAND_H
#define JOS_USER_VMM_TEST_TESTRAND_H

#include <stdint.h>

static uint64_t test_rng = 0x9E3779B97F4A7C15ULL;

static inline uint64_t
next_random(void)
{
	test_rng ^= test_rng << 13;
	test_rng ^= test_rng >> 7;
	test_rng ^= test_rng << 17;
	return test_rng;
}

#endif
