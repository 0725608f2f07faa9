/*
 * Port access helpers for the device models' host tests: a one-byte
 * OUT or IN through a model's NAME_io(dev, port, width, write, val),
 * which must succeed.
 */
#ifndef JOS_VMM_TEST_DEVTEST_H
#define JOS_VMM_TEST_DEVTEST_H

#include <vmm/test/hosttest.h>

#define DEV_OUT(io, dev, port, v)					\
	do {								\
		uint32_t __v = (v);					\
		CHECK(io((dev), (port), 1, true, &__v) == 0);		\
	} while (0)

#define DEV_IN(io, dev, port)						\
	({								\
		uint32_t __v = 0xDEAD;					\
		CHECK(io((dev), (port), 1, false, &__v) == 0);		\
		__v;							\
	})

#endif
