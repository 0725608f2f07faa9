/*
 * Nested page tables: a guest's guest-physical to host-physical map in
 * AMD's format, which is the host's own long-mode page-table format
 * (four levels, 4 KiB pages).  Every entry is a user entry (the CPU
 * walks nested tables as user accesses); write permission is the W bit
 * and a page the guest may not execute has NX (the host runs with
 * EFER.NXE).  Read permission is presence: a page is readable when it
 * is mapped at all.
 *
 * Counting is as for EPT (vmm/intel/ept.c): each page a map holds has
 * one reference (pp_ref) for that mapping, each table page is the
 * map's own, and npt_map_free gives all of them back.  Kernel lock held.
 */
#include <inc/mmu.h>
#include <inc/error.h>
#include <inc/string.h>
#include <inc/assert.h>

#include <kern/pmap.h>
#include <vmm/vm.h>
#include <vmm/amd/svm.h>

#define NPT_LEVELS	4
#define NPT_ADDR(e)	((physaddr_t) (e) & 0x000FFFFFFFFFF000UL)
#define NPT_TABLE	(PTE_P | PTE_W | PTE_U)	// tables allow all; leaves decide
#define NPT_GPA_LIMIT	(1UL << 48)

/* The index of gpa in a table at depth level (3: the root, 0: the leaves). */
static int
npt_index(uint64_t gpa, int level)
{
	return (gpa >> (PGSHIFT + 9 * level)) & 0x1FF;
}

/*
 * The leaf entry for gpa in the map at root, making missing tables on
 * the way if create.  NULL if gpa is beyond 48 bits, if a table is
 * missing (without create) or if no page is left for one (*err says
 * which: -E_INVAL, -E_NOT_FOUND, -E_NO_MEM).
 */
static uint64_t *
npt_leaf(uint64_t *root, uint64_t gpa, bool create, int *err)
{
	uint64_t *t = root;

	*err = -E_INVAL;
	if (gpa >= NPT_GPA_LIMIT)
		return NULL;
	for (int level = NPT_LEVELS - 1; level > 0; level--) {
		uint64_t *slot = &t[npt_index(gpa, level)];
		if (!(*slot & PTE_P)) {
			void *fresh;
			*err = create ? -E_NO_MEM : -E_NOT_FOUND;
			if (!create || !(fresh = page_alloc_kva()))
				return NULL;
			*slot = PADDR(fresh) | NPT_TABLE;
		}
		t = KADDR(NPT_ADDR(*slot));
	}
	*err = 0;
	return &t[npt_index(gpa, 0)];
}

/* A new, empty map (its root table); NULL when memory is exhausted. */
void *
npt_map_alloc(void)
{
	return page_alloc_kva();
}

/* Give back table t at depth level, and every page its leaves hold. */
static void
npt_free_level(uint64_t *t, int level)
{
	for (int i = 0; i < NPTENTRIES; i++) {
		uint64_t e = t[i];
		if (!(e & PTE_P))
			continue;
		if (level > 0)
			npt_free_level(KADDR(NPT_ADDR(e)), level - 1);
		else
			page_decref(pa2page(NPT_ADDR(e)));
	}
	page_free_kva(t);
}

/* Free the map at root, every table and every page reference in it. */
void
npt_map_free(void *root)
{
	npt_free_level(root, NPT_LEVELS - 1);
}

/*
 * Map page pp at page-aligned gpa with VM_PROT_* bits prot (read must
 * be among them).  pp gains a reference, a page mapped there before
 * loses one (the same page again only changes the permission).  0,
 * -E_INVAL or -E_NO_MEM.
 */
int
npt_map_insert(void *root, struct PageInfo *pp, uint64_t gpa, int prot)
{
	uint64_t *e, bits = PTE_P | PTE_U;
	int err;

	if (PGOFF(gpa) || !(prot & VM_PROT_READ) || (prot & ~VM_PROT_ALL))
		return -E_INVAL;
	if (!(e = npt_leaf(root, gpa, true, &err)))
		return err;
	if (prot & VM_PROT_WRITE)
		bits |= PTE_W;
	if (!(prot & VM_PROT_EXEC))
		bits |= PTE_NX;
	pp->pp_ref++;		// before the old one goes: it may be pp
	if (*e & PTE_P)
		page_decref(pa2page(NPT_ADDR(*e)));
	*e = page2pa(pp) | bits;
	return 0;
}

/*
 * The page mapped at gpa: its physical address in *pa and VM_PROT_*
 * bits in *prot; -E_NOT_FOUND if nothing is mapped there.
 */
int
npt_map_lookup(void *root, uint64_t gpa, physaddr_t *pa, int *prot)
{
	uint64_t *e;
	int err;

	if (!(e = npt_leaf(root, gpa, false, &err)) || !(*e & PTE_P))
		return -E_NOT_FOUND;
	*pa = NPT_ADDR(*e);
	*prot = VM_PROT_READ | ((*e & PTE_W) ? VM_PROT_WRITE : 0)
		| ((*e & PTE_NX) ? 0 : VM_PROT_EXEC);
	return 0;
}

/*
 * Check the map on a private root: insert, look up, change a
 * permission, replace, refuse bad arguments, and free it all without a
 * leak.  Panics on a failure; prints one line on success.
 */
void
npt_selftest(void)
{
	size_t free_before = page_free_count();
	struct PageInfo *a, *b;
	physaddr_t pa;
	void *root;
	int prot;

	assert((root = npt_map_alloc()) != NULL);
	assert((a = page_alloc(ALLOC_ZERO)) && (b = page_alloc(ALLOC_ZERO)));
	assert(npt_map_lookup(root, 0x7000, &pa, &prot) == -E_NOT_FOUND);
	assert(npt_map_insert(root, a, 0x7000, VM_PROT_ALL) == 0);
	assert(npt_map_insert(root, b, 0x3456789000UL, VM_PROT_READ) == 0);
	assert(npt_map_lookup(root, 0x7000, &pa, &prot) == 0);
	assert(pa == page2pa(a) && prot == VM_PROT_ALL);
	assert(npt_map_lookup(root, 0x3456789000UL, &pa, &prot) == 0);
	assert(pa == page2pa(b) && prot == VM_PROT_READ);
	assert(npt_map_lookup(root, 0x8000, &pa, &prot) == -E_NOT_FOUND);
	// Bad arguments change nothing.
	assert(npt_map_insert(root, b, 0x7001, VM_PROT_ALL) == -E_INVAL);
	assert(npt_map_insert(root, b, 0x9000, VM_PROT_WRITE) == -E_INVAL);
	assert(npt_map_insert(root, b, NPT_GPA_LIMIT, VM_PROT_READ) == -E_INVAL);
	assert(a->pp_ref == 1 && b->pp_ref == 1);
	// The same page again: a new permission, the same reference.
	assert(npt_map_insert(root, a, 0x7000, VM_PROT_READ | VM_PROT_WRITE) == 0);
	assert(a->pp_ref == 1);
	assert(npt_map_lookup(root, 0x7000, &pa, &prot) == 0);
	assert(prot == (VM_PROT_READ | VM_PROT_WRITE));
	// Replacing drops the old page's reference (a, freed here).
	assert(npt_map_insert(root, b, 0x7000, VM_PROT_ALL) == 0);
	assert(a->pp_ref == 0 && b->pp_ref == 2);
	// Freeing the map gives back b and every table.
	npt_map_free(root);
	assert(page_free_count() == free_before);
	cprintf("npt_selftest: map, look up, replace and free succeeded\n");
}
