/* Counting the mappings of a physical page. */

#include <inc/lib.h>

/*
 * The number of virtual mappings (in all envs) of the physical page
 * that v is mapped to, or 0 if v is not mapped here.
 */
int
pageref(void *v)
{
	uintptr_t a = (uintptr_t) v;
	pte_t pte;

	if (!(uvpml4e[a >> PML4SHIFT] & PTE_P) ||
	    !(uvpde[a >> PDPESHIFT] & PTE_P) ||
	    !(uvpd[a >> PDXSHIFT] & PTE_P))
		return 0;
	pte = uvpt[PGNUM(a)];
	if (!(pte & PTE_P))
		return 0;
	return pages[PTE_ADDR(pte) >> PGSHIFT].pp_ref;
}
