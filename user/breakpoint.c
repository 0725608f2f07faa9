// Executes int3: the kernel must let user code reach the breakpoint
// trap (and enter the monitor).

#include <inc/lib.h>

void
umain(int argc, char **argv)
{
	asm volatile("int3");
}
