// The upcall points into the kernel: the kernel must refuse to jump
// there in user mode's name, and the env must die.

#include <inc/lib.h>

void
umain(int argc, char **argv)
{
	sys_page_alloc(0, (void *) (UXSTACKTOP - PGSIZE), PTE_P | PTE_U | PTE_W);
	// 0xf0100020: the 32-bit kernel's entry that the labs' version keeps;
	// not mapped for us either.
	sys_env_set_pgfault_upcall(0, (void *) 0xf0100020);
	*(volatile int *) 0 = 0;
}
