// Forks without copy-on-write: the parent copies every page of itself
// into the child by hand, then both print and yield in turn.

#include <inc/lib.h>

/* Give dstenv its own copy of our page at addr. */
static void
copypage(envid_t dstenv, void *addr)
{
	int r;

	if ((r = sys_page_alloc(dstenv, addr, PTE_P | PTE_U | PTE_W)) < 0)
		panic("sys_page_alloc: %e", r);
	if ((r = sys_page_map(dstenv, addr, 0, UTEMP, PTE_P | PTE_U | PTE_W)) < 0)
		panic("sys_page_map: %e", r);
	memmove(UTEMP, addr, PGSIZE);
	if ((r = sys_page_unmap(0, UTEMP)) < 0)
		panic("sys_page_unmap: %e", r);
}

/* Create a child holding a copy of our program image and stack. */
static envid_t
dumbfork(void)
{
	extern unsigned char end[];
	envid_t envid;
	uintptr_t va;
	int r;

	envid = sys_exofork();
	if (envid < 0)
		panic("sys_exofork: %e", envid);
	if (envid == 0) {
		// The child: fix thisenv, which still names the parent.
		thisenv = &envs[ENVX(sys_getenvid())];
		return 0;
	}

	// The program, from UTEXT to the end of bss.
	for (va = UTEXT; va < (uintptr_t) end; va += PGSIZE)
		copypage(envid, (void *) va);
	// The current stack page (the only one this program uses).
	copypage(envid, (void *) ROUNDDOWN((uintptr_t) &va, PGSIZE));

	if ((r = sys_env_set_status(envid, ENV_RUNNABLE)) < 0)
		panic("sys_env_set_status: %e", r);
	return envid;
}

void
umain(int argc, char **argv)
{
	envid_t who;
	int i;

	who = dumbfork();
	for (i = 0; i < (who ? 10 : 20); i++) {
		cprintf("%d: I am the %s!\n", i, who ? "parent" : "child");
		sys_yield();
	}
}
