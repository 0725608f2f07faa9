/*
 * Extended page tables: building, querying and freeing a guest's
 * guest-physical map.  The caller holds the kernel lock.
 */
#include <inc/error.h>
#include <inc/string.h>
#include <inc/assert.h>
#include <inc/mmu.h>

#include <kern/pmap.h>
#include <vmm/intel/ept.h>
#include <vmm/intel/vmx.h>

/* Whether EPT entry e maps something (any of read, write, execute). */
static bool
epte_present(uint64_t e)
{
	return (e & EPTE_PERM) != 0;
}

/* The kernel virtual address of the table or page entry e points at. */
static void *
epte_page_vaddr(uint64_t e)
{
	return KADDR(EPTE_ADDR(e));
}

/* An empty EPT root table, or NULL when memory is exhausted. */
uint64_t *
ept_alloc_root(void)
{
	return page_alloc_kva();
}

/*
 * The EPT pointer the VMCS wants for root eptrt: write-back paging
 * structures, a 4-level walk (the field holds levels minus one), no
 * accessed/dirty flags.
 */
uint64_t
ept_pointer(uint64_t *eptrt)
{
	return PADDR(eptrt) | EPT_MT_WB | ((EPT_LEVELS - 1) << 3);
}

/*
 * Find the last-level entry for gpa.  With create, missing tables on
 * the way are allocated.  Returns 0 with the entry's address in
 * *entry_store; -E_INVAL if gpa is beyond what four levels map;
 * -E_NOT_FOUND (without create) if a table on the way is missing;
 * -E_NO_MEM if a table could not be allocated.  *entry_store is NULL
 * on failure.
 */
int
ept_lookup_gpa(uint64_t *eptrt, uint64_t gpa, int create, uint64_t **entry_store)
{
	uint64_t *table = eptrt;

	*entry_store = NULL;
	if (gpa >= EPT_GPA_LIMIT)
		return -E_INVAL;
	for (int level = EPT_LEVELS - 1; level > 0; level--) {
		uint64_t *e = &table[EPT_INDEX(gpa, level)];
		if (!epte_present(*e)) {
			uint64_t *next;
			if (!create)
				return -E_NOT_FOUND;
			if (!(next = page_alloc_kva()))
				return -E_NO_MEM;
			// Tables allow everything; the last level decides.
			*e = PADDR(next) | EPTE_READ | EPTE_WRITE | EPTE_EXEC;
		}
		table = epte_page_vaddr(*e);
	}
	*entry_store = &table[EPT_INDEX(gpa, 0)];
	return 0;
}

/*
 * Map page pp at guest-physical gpa (page-aligned) with EPT permission
 * perm (EPTE_* bits, not zero), write-back.  pp gains a reference; a
 * page mapped there before loses one.  Mapping the same page again
 * only changes the permission.  Returns 0, -E_INVAL (bad gpa or perm)
 * or -E_NO_MEM.
 */
int
ept_page_insert(uint64_t *eptrt, struct PageInfo *pp, uint64_t gpa, int perm)
{
	uint64_t *e;
	int r;

	if (PGOFF(gpa) || perm == 0 || (perm & ~EPTE_PERM))
		return -E_INVAL;
	if ((r = ept_lookup_gpa(eptrt, gpa, 1, &e)) < 0)
		return r;
	// Count the new reference first: re-inserting the same page must
	// not free it on the way.
	pp->pp_ref++;
	if (epte_present(*e))
		page_decref(pa2page(EPTE_ADDR(*e)));
	*e = page2pa(pp) | (EPT_MT_WB << EPTE_MT_SHIFT) | perm;
	return 0;
}

/*
 * Map the page at host kernel address hva (page-aligned, in the
 * KERNBASE window) at gpa with permission perm.  If gpa is mapped
 * already, the mapping is replaced only with overwrite; otherwise the
 * result is -E_INVAL.  Counted like ept_page_insert.
 */
int
ept_map_hva2gpa(uint64_t *eptrt, void *hva, uint64_t gpa, int perm, int overwrite)
{
	uint64_t *e;

	if (PGOFF(hva))
		return -E_INVAL;
	if (!overwrite && ept_lookup_gpa(eptrt, gpa, 0, &e) == 0 && epte_present(*e))
		return -E_INVAL;
	return ept_page_insert(eptrt, pa2page(PADDR(hva)), gpa, perm);
}

/*
 * The host kernel address of the byte at guest-physical gpa, in
 * *hva_store.  Returns 0, or -E_NOT_FOUND if gpa is not mapped
 * (*hva_store is then NULL).
 */
int
ept_gpa2hva(uint64_t *eptrt, uint64_t gpa, void **hva_store)
{
	uint64_t *e;

	*hva_store = NULL;
	if (ept_lookup_gpa(eptrt, gpa, 0, &e) < 0 || !epte_present(*e))
		return -E_NOT_FOUND;
	*hva_store = (uint8_t *) epte_page_vaddr(*e) + PGOFF(gpa);
	return 0;
}

/*
 * Drop the references of the table at level (and everything below
 * it), then the table itself.  Level 0 entries map guest pages.
 */
static void
ept_free_table(uint64_t *table, int level)
{
	for (int i = 0; i < NPTENTRIES; i++) {
		if (!epte_present(table[i]))
			continue;
		if (level == 0)
			page_decref(pa2page(EPTE_ADDR(table[i])));
		else
			ept_free_table(epte_page_vaddr(table[i]), level - 1);
	}
	page_free_kva(table);
}

/*
 * Free a guest's memory: drop every guest page's reference and free
 * every table page, the root included.  No CPU may use eptrt again.
 */
void
free_guest_mem(uint64_t *eptrt)
{
	ept_free_table(eptrt, EPT_LEVELS - 1);
}

/* ---- the guest-physical map, for the core (vmx_ops) ---- */

/* A new, empty map; NULL when memory is exhausted. */
void *
vmx_map_alloc(void)
{
	return ept_alloc_root();
}

/* Free map root and drop every page it holds. */
void
vmx_map_free(void *root)
{
	free_guest_mem(root);
}

/* Map pp at gpa with VM_PROT_* bits prot (EPT's own read/write/execute). */
int
vmx_map_insert(void *root, struct PageInfo *pp, uint64_t gpa, int prot)
{
	static_assert(VM_PROT_READ == EPTE_READ && VM_PROT_WRITE == EPTE_WRITE
		      && VM_PROT_EXEC == EPTE_EXEC);
	return ept_page_insert(root, pp, gpa, prot);
}

/*
 * The page mapped at gpa: its physical address and VM_PROT_* bits, or
 * -E_NOT_FOUND if nothing is.
 */
int
vmx_map_lookup(void *root, uint64_t gpa, physaddr_t *pa, int *prot)
{
	uint64_t *e;

	if (ept_lookup_gpa(root, gpa, 0, &e) < 0 || !epte_present(*e))
		return -E_NOT_FOUND;
	*pa = EPTE_ADDR(*e);
	*prot = *e & EPTE_PERM;
	return 0;
}

/*
 * Check the EPT code on a private map: insert pages (one of them twice,
 * one replaced), read them back through ept_gpa2hva, check the
 * references, refuse bad arguments, and free it all without a leak.
 * Panics on a failure; prints one line on success.
 */
void
ept_selftest(void)
{
	size_t free_before = page_free_count();
	struct PageInfo *pp[3];
	uint64_t *root, *e;
	void *hva;

	assert((root = ept_alloc_root()) != NULL);
	for (int i = 0; i < 3; i++) {
		assert((pp[i] = page_alloc(ALLOC_ZERO)) != NULL);
		memset(page2kva(pp[i]), 'a' + i, PGSIZE);
	}

	// Nothing is mapped yet.
	assert(ept_gpa2hva(root, 0x7000, &hva) == -E_NOT_FOUND && hva == NULL);
	assert(ept_lookup_gpa(root, 0x7000, 0, &e) == -E_NOT_FOUND && e == NULL);

	// Map and read back, at a low address and one that needs all levels.
	assert(ept_page_insert(root, pp[0], 0x7000, EPTE_PERM) == 0);
	assert(ept_map_hva2gpa(root, page2kva(pp[1]), 0x12345000, EPTE_READ, 0) == 0);
	assert(pp[0]->pp_ref == 1 && pp[1]->pp_ref == 1);
	assert(ept_gpa2hva(root, 0x7123, &hva) == 0);
	assert(hva == (uint8_t *) page2kva(pp[0]) + 0x123 && *(char *) hva == 'a');
	assert(ept_gpa2hva(root, 0x12345fff, &hva) == 0 && *(char *) hva == 'b');
	assert(ept_lookup_gpa(root, 0x12345000, 0, &e) == 0);
	assert(EPTE_ADDR(*e) == page2pa(pp[1]) && (*e & EPTE_PERM) == EPTE_READ);
	assert(((*e >> EPTE_MT_SHIFT) & 7) == EPT_MT_WB);
	assert(ept_gpa2hva(root, 0x8000, &hva) == -E_NOT_FOUND);

	// Bad arguments.
	assert(ept_page_insert(root, pp[2], 0x7010, EPTE_PERM) == -E_INVAL);
	assert(ept_page_insert(root, pp[2], 0x9000, 0) == -E_INVAL);
	assert(ept_page_insert(root, pp[2], 0x9000, 0x8) == -E_INVAL);
	assert(ept_page_insert(root, pp[2], EPT_GPA_LIMIT, EPTE_READ) == -E_INVAL);
	assert(ept_map_hva2gpa(root, page2kva(pp[2]), 0x7000, EPTE_READ, 0) == -E_INVAL);
	assert(pp[2]->pp_ref == 0);

	// Same page again: only the permission changes.
	assert(ept_page_insert(root, pp[0], 0x7000, EPTE_READ) == 0);
	assert(pp[0]->pp_ref == 1);
	// The same page at a second address holds a second reference.
	assert(ept_page_insert(root, pp[0], 0x200000, EPTE_PERM) == 0);
	assert(pp[0]->pp_ref == 2);
	// Replacing a mapping drops the old page's reference.
	assert(ept_map_hva2gpa(root, page2kva(pp[2]), 0x7000, EPTE_PERM, 1) == 0);
	assert(pp[0]->pp_ref == 1 && pp[2]->pp_ref == 1);
	assert(ept_gpa2hva(root, 0x7000, &hva) == 0 && *(char *) hva == 'c');

	// Freeing the map frees the tables and the pages it alone held.
	pp[1]->pp_ref++;		// keep one page past the free
	free_guest_mem(root);
	assert(pp[1]->pp_ref == 1);
	page_decref(pp[1]);
	assert(page_free_count() == free_before);
	cprintf("ept_selftest: map, read back, replace and free succeeded\n");
}
