// sys_cputs of a range that starts at a good string but whose end wraps
// around 2^64 back to a small number: a kernel that only compares the
// end with ULIM would be fooled.  It must kill us instead.

#include <inc/lib.h>

static const char msg[] = "wrapped";

void
umain(int argc, char **argv)
{
	size_t len = -(uintptr_t) msg + 16;	// msg + len == 16 (mod 2^64)

	cprintf("badptr_wrap: cputs of %p length %lx\n", msg, (unsigned long) len);
	sys_cputs(msg, len);
	cprintf("badptr_wrap: survived the bad call!\n");
}
