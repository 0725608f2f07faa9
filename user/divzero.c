// Divides by zero: the kernel must turn the trap into the env's death.

#include <inc/lib.h>

volatile int zero;

void
umain(int argc, char **argv)
{
	int result;

	zero = 0;
	// gcc rewrites 1/x as a comparison, so divide with idiv explicitly.
	asm volatile("cltd; idivl %2" : "=a" (result) : "a" (1), "r" (zero) : "edx");
	cprintf("1/0 is %08x!\n", result);
}
