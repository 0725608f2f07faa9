/* panic, warn, assert and static_assert for kernel and user code. */
#ifndef JOS_INC_ASSERT_H
#define JOS_INC_ASSERT_H

#include <inc/stdio.h>

void _warn(const char *file, int line, const char *fmt, ...);
void _panic(const char *file, int line, const char *fmt, ...) __attribute__((noreturn));

#define warn(...) _warn(__FILE__, __LINE__, __VA_ARGS__)
#define panic(...) _panic(__FILE__, __LINE__, __VA_ARGS__)

#define assert(x)						\
	do { if (!(x)) panic("assertion failed: %s", #x); } while (0)

/* A compile-time assertion: a zero-width array is refused. */
#define static_assert(x)	switch (x) case 0: case (x):

#endif
