/*
 * A very small harness for the monitor's host-side unit tests: they
 * are built with the host's gcc against this tree's headers only (no C
 * library headers, which would clash with inc/types.h), and linked
 * with the host's C library for printf.  Each CHECK prints a line when
 * it fails; a test program's exit status is its number of failures.
 */
#ifndef JOS_VMM_TEST_HOSTTEST_H
#define JOS_VMM_TEST_HOSTTEST_H

#include <inc/types.h>

int	printf(const char *fmt, ...);

static int hosttest_failures, hosttest_checks;

#define CHECK(cond)							\
	do {								\
		hosttest_checks++;					\
		if (!(cond)) {						\
			printf("%s:%d: FAILED: %s\n", __FILE__, __LINE__, #cond); \
			hosttest_failures++;				\
		}							\
	} while (0)

/* The last line of a test program: how many checks passed, its status. */
static inline int
hosttest_report(const char *name)
{
	printf("%s: %d checks, %d failed\n", name, hosttest_checks, hosttest_failures);
	return hosttest_failures;
}

#endif
