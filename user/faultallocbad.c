// Like faultalloc, but the unmapped address goes to the kernel (in
// sys_cputs), which must not run the user's handler for it: the bad
// pointer kills the env.

#include <inc/lib.h>

static void
handler(struct UTrapframe *utf)
{
	uintptr_t addr = utf->utf_fault_va;
	int r;

	cprintf("fault %x\n", (unsigned) addr);
	if ((r = sys_page_alloc(0, (void *) ROUNDDOWN(addr, PGSIZE),
				PTE_P | PTE_U | PTE_W)) < 0)
		panic("allocating at %x in page fault handler: %e", (unsigned) addr, r);
	snprintf((char *) addr, 100, "this string was faulted in at %x", (unsigned) addr);
}

void
umain(int argc, char **argv)
{
	set_pgfault_handler(handler);
	sys_cputs((char *) 0xDEADBEEF, 4);
}
