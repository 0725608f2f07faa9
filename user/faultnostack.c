// Registers an upcall but no exception stack: the kernel must kill the
// env when it cannot push the fault frame.

#include <inc/lib.h>

void _pgfault_upcall(void);

void
umain(int argc, char **argv)
{
	sys_env_set_pgfault_upcall(0, (void *) _pgfault_upcall);
	*(volatile int *) 0 = 0;
}
