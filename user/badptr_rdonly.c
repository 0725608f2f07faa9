// No system call of this stage writes user memory, so this probes the
// read-only region instead: envs[] is readable, but the pages above its
// end are not mapped.  sys_cputs of a range that starts in the last page
// of envs[] and runs into the next one must be refused as a whole.

#include <inc/lib.h>

/* Whether va is mapped, according to the recursive page-table windows. */
static bool
mapped(uintptr_t va)
{
	return (uvpml4e[va >> PML4SHIFT] & PTE_P)
		&& (uvpde[va >> PDPESHIFT] & PTE_P)
		&& (uvpd[va >> PDXSHIFT] & PTE_P)
		&& (uvpt[PGNUM(va)] & PTE_P);
}

void
umain(int argc, char **argv)
{
	uintptr_t va;

	if (!mapped(UENVS))
		panic("envs[] is not mapped at %lx", (unsigned long) UENVS);
	for (va = UENVS; va < ULIM && mapped(va); va += PGSIZE)
		;
	if (va >= ULIM)
		panic("everything from UENVS to ULIM is mapped");

	cprintf("badptr_rdonly: cputs from %lx across unmapped %lx\n",
		(unsigned long) (va - 8), (unsigned long) va);
	sys_cputs((const char *) (va - 8), 16);
	cprintf("badptr_rdonly: survived the bad call!\n");
}
