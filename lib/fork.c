/*
 * fork with copy-on-write, and sfork, which shares memory.
 *
 * Writable pages are mapped read-only with PTE_COW in both parent and
 * child; the first write to one faults, and pgfault (below) gives the
 * writer its own copy.
 */

#include <inc/lib.h>

// A software PTE bit marking copy-on-write pages.
#define PTE_COW		0x800

extern void _pgfault_upcall(void);

// Pages that every env must own privately even after sfork: the ones
// holding thisenv (see lib/libmain.c and user/user.ld).
extern char __perenv_start[], __perenv_end[];

/* The PTE mapping va in the current address space, or 0 if none. */
static pte_t
getpte(uintptr_t va)
{
	if (!(uvpml4e[va >> PML4SHIFT] & PTE_P))
		return 0;
	if (!(uvpde[va >> PDPESHIFT] & PTE_P))
		return 0;
	if (!(uvpd[va >> PDXSHIFT] & PTE_P))
		return 0;
	return uvpt[PGNUM(va)];
}

/* Replace the page at pg with a private, writable copy.  Panics on failure. */
static void
copy_page(void *pg)
{
	int r;

	if ((r = sys_page_alloc(0, PFTEMP, PTE_P | PTE_U | PTE_W)) < 0)
		panic("copy-on-write: sys_page_alloc: %e", r);
	memmove(PFTEMP, pg, PGSIZE);
	if ((r = sys_page_map(0, PFTEMP, 0, pg, PTE_P | PTE_U | PTE_W)) < 0)
		panic("copy-on-write: sys_page_map: %e", r);
	if ((r = sys_page_unmap(0, PFTEMP)) < 0)
		panic("copy-on-write: sys_page_unmap: %e", r);
}

/*
 * The page-fault handler fork installs: a write to a copy-on-write page
 * gets a private, writable copy of it.  Anything else is a real fault:
 * panic.
 */
static void
pgfault(struct UTrapframe *utf)
{
	uintptr_t va = utf->utf_fault_va;
	pte_t pte = getpte(va);

	if (!(utf->utf_err & FEC_WR) || !(pte & PTE_P) || !(pte & PTE_COW))
		panic("page fault at va %lx ip %lx err %lx%s",
		      (unsigned long) va, (unsigned long) utf->utf_rip,
		      (unsigned long) utf->utf_err,
		      (pte & PTE_P) && !(pte & PTE_COW) ? " (not copy-on-write)" : "");
	copy_page((void *) ROUNDDOWN(va, PGSIZE));
}

/*
 * Map our page at va into envid.  Shared pages (PTE_SHARE) keep their
 * permissions; writable and copy-on-write pages become copy-on-write in
 * both envs (the child first, so that we never write a page the child
 * already shares without it being marked); read-only pages stay
 * read-only.  Panics on failure.
 */
static void
duppage(envid_t envid, uintptr_t va, pte_t pte)
{
	void *pg = (void *) va;
	int perm = pte & PTE_SYSCALL;
	int r;

	if (pte & PTE_SHARE) {
		if ((r = sys_page_map(0, pg, envid, pg, perm)) < 0)
			panic("duppage: share %lx: %e", (unsigned long) va, r);
	} else if (perm & (PTE_W | PTE_COW)) {
		perm = (perm & ~PTE_W) | PTE_COW;
		if ((r = sys_page_map(0, pg, envid, pg, perm)) < 0)
			panic("duppage: child %lx: %e", (unsigned long) va, r);
		if ((r = sys_page_map(0, pg, 0, pg, perm)) < 0)
			panic("duppage: parent %lx: %e", (unsigned long) va, r);
	} else {
		if ((r = sys_page_map(0, pg, envid, pg, perm)) < 0)
			panic("duppage: read-only %lx: %e", (unsigned long) va, r);
	}
}

/*
 * Map every page below UTOP except the exception stack into envid:
 * with duppage when copy(va) says so, else shared with the same
 * permissions.  Whole unmapped regions are skipped a table at a time.
 * The walk goes from the top down so that shared data pages (pipe
 * buffers, above the fd table) reach the child before the fd pages that
 * refer to them: a reader comparing the two pages' reference counts
 * (pipeisclosed) never sees an fd page without its data page.
 */
static void
copy_space(envid_t envid, bool (*copy)(uintptr_t va))
{
	uintptr_t va = UTOP;
	pte_t pte;
	int r;

	while (va > 0) {
		va -= PGSIZE;
		// An unmapped table: jump to the start of its region; the
		// next round continues in the region below.
		if (!(uvpml4e[va >> PML4SHIFT] & PTE_P)) {
			va = ROUNDDOWN(va, 1UL << PML4SHIFT);
			continue;
		}
		if (!(uvpde[va >> PDPESHIFT] & PTE_P)) {
			va = ROUNDDOWN(va, 1UL << PDPESHIFT);
			continue;
		}
		if (!(uvpd[va >> PDXSHIFT] & PTE_P)) {
			va = ROUNDDOWN(va, 1UL << PDXSHIFT);
			continue;
		}
		pte = uvpt[PGNUM(va)];
		if ((pte & PTE_P) && (pte & PTE_U) && va != UXSTACKTOP - PGSIZE) {
			if (copy(va) || (pte & PTE_SHARE))
				duppage(envid, va, pte);
			else {
				// Shared for real: a copy-on-write page must
				// first become our own writable page.
				if (pte & PTE_COW) {
					copy_page((void *) va);
					pte = uvpt[PGNUM(va)];
				}
				if ((r = sys_page_map(0, (void *) va, envid, (void *) va,
						      pte & PTE_SYSCALL)) < 0)
					panic("sfork: share %lx: %e", (unsigned long) va, r);
			}
		}
	}
}

/*
 * Give the new child envid its own exception stack and our upcall, and
 * let it run.  Panics on failure.
 */
static void
start_child(envid_t envid)
{
	int r;

	if ((r = sys_page_alloc(envid, (void *) (UXSTACKTOP - PGSIZE),
				PTE_P | PTE_U | PTE_W)) < 0)
		panic("fork: exception stack: %e", r);
	if ((r = sys_env_set_pgfault_upcall(envid, _pgfault_upcall)) < 0)
		panic("fork: upcall: %e", r);
	if ((r = sys_env_set_status(envid, ENV_RUNNABLE)) < 0)
		panic("fork: set status: %e", r);
}

/* Every page is copied (copy-on-write) by fork. */
static bool
copy_all(uintptr_t va)
{
	return true;
}

/*
 * Create a child env and give it our memory: the pages copy(va) picks
 * copy-on-write, the rest shared.  Returns the child's id in the parent,
 * 0 in the child, or -E_* (from sys_exofork) if no env could be created.
 */
static envid_t
fork_with(bool (*copy)(uintptr_t va))
{
	envid_t envid;

	set_pgfault_handler(pgfault);

	envid = sys_exofork();
	if (envid < 0)
		return envid;
	if (envid == 0) {
		thisenv = &envs[ENVX(sys_getenvid())];
		return 0;
	}

	copy_space(envid, copy);
	start_child(envid);
	return envid;
}

/*
 * Create a child env whose memory is a copy-on-write copy of ours.
 * Returns the child's id in the parent, 0 in the child, or -E_* (from
 * sys_exofork) if no env could be created.  Panics on other failures.
 */
envid_t
fork(void)
{
	return fork_with(copy_all);
}

/*
 * Copied (not shared) by sfork: the user stack, found by walking down
 * from USTACKTOP while pages are mapped, and the per-env data pages.
 */
static uintptr_t sfork_stack_bottom;

static bool
copy_private(uintptr_t va)
{
	return (va >= sfork_stack_bottom && va < USTACKTOP)
		|| (va >= (uintptr_t) __perenv_start && va < (uintptr_t) __perenv_end);
}

/*
 * Like fork, but parent and child share all memory except the stack and
 * the per-env page holding thisenv, which are copy-on-write.
 */
envid_t
sfork(void)
{
	uintptr_t va;

	for (va = USTACKTOP - PGSIZE; getpte(va) & PTE_P; va -= PGSIZE)
		sfork_stack_bottom = va;
	return fork_with(copy_private);
}
