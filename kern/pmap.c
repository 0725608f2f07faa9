/*
 * Physical page allocation and page tables.
 *
 * The free page list is built from the e820 memory map the boot sector
 * collected.  The kernel's own page table maps all physical memory at
 * KERNBASE (with 2 MiB pages), pages[] and envs[] read-only for users,
 * a kernel stack per CPU with an unmapped guard gap below it, and the
 * MMIO window; the recursive entry at UVPT lets users read their tables.
 */
#include <inc/x86.h>
#include <inc/mmu.h>
#include <inc/error.h>
#include <inc/string.h>
#include <inc/assert.h>

#include <kern/pmap.h>
#include <kern/env.h>
#include <kern/cpu.h>
#include <kern/bootinfo.h>

// The boot page tables map this much physical memory at KERNBASE; the
// kernel uses no memory above it.
#define MAX_PHYS_MEM	((physaddr_t) (4 * 512 - 32) * PTSIZE)

size_t npages;			// physical pages managed
struct PageInfo *pages;		// one entry per physical page
pml4e_t *boot_pml4e;		// the kernel's PML4
physaddr_t boot_cr3;		// its physical address

static struct PageInfo *page_free_list;
static size_t n_free_pages;
static char *boot_next;		// next byte boot_alloc hands out
static physaddr_t boot_alloc_end;	// physical end of boot_alloc's memory

unsigned char percpu_kstacks[NCPU][KSTKSIZE] __attribute__((aligned(PGSIZE)));

static void check_page_free_list(void);
static void check_page_alloc(void);
static void check_page(void);
static void check_boot_pml4e(void);

/* ---- detecting memory ---- */

/* Set npages from the highest usable byte in the e820 map. */
static void
detect_memory(void)
{
	physaddr_t top = 0, usable = 0;

	for (int i = 0; i < n_mem_ranges; i++) {
		struct mem_range *r = &mem_ranges[i];
		if (r->type != E820_USABLE)
			continue;
		usable += r->length;
		if (r->base + r->length > top)
			top = r->base + r->length;
	}
	if (top > MAX_PHYS_MEM) {
		cprintf("Physical memory: ignoring %luK above %luK\n",
			(top - MAX_PHYS_MEM) / 1024, MAX_PHYS_MEM / 1024);
		top = MAX_PHYS_MEM;
	}
	npages = top / PGSIZE;
	cprintf("Physical memory: %luK available, top %luK, %lu pages\n",
		usable / 1024, top / 1024, (uint64_t) npages);
}

/* Whether the whole page at pa lies in a usable e820 range. */
static bool
page_is_usable_ram(physaddr_t pa)
{
	for (int i = 0; i < n_mem_ranges; i++) {
		struct mem_range *r = &mem_ranges[i];
		if (r->type == E820_USABLE && r->base <= pa
		    && pa + PGSIZE <= r->base + r->length)
			return true;
	}
	return false;
}

/* ---- boot-time allocation ---- */

/*
 * Hand out n bytes (rounded up to pages) of zeroed memory right after the
 * kernel image, before the page allocator exists.  boot_alloc(0) returns
 * the next free address without allocating.
 */
static void *
boot_alloc(size_t n)
{
	extern char end[];
	char *result;

	if (!boot_next)
		boot_next = ROUNDUP((char *) end, PGSIZE);
	result = boot_next;
	boot_next = ROUNDUP(boot_next + n, PGSIZE);
	if (PADDR(boot_next) > npages * PGSIZE || !page_is_usable_ram(PADDR(boot_next) - PGSIZE))
		panic("boot_alloc: out of memory (%lu bytes wanted)", (uint64_t) n);
	memset(result, 0, boot_next - result);
	boot_alloc_end = PADDR(boot_next);
	return result;
}

/* ---- the page allocator ---- */

/*
 * Which physical pages the allocator may hand out: usable RAM except
 * page 0 (real-mode IDT and BIOS data), the application processors'
 * entry page, the I/O hole, and the kernel image with everything
 * boot_alloc gave out (this includes the boot page tables and stacks).
 */
static bool
page_is_free_at_boot(physaddr_t pa)
{
	if (pa == 0 || pa == MPENTRY_PADDR)
		return false;
	if (pa >= IOPHYSMEM && pa < EXTPHYSMEM)
		return false;
	if (pa >= EXTPHYSMEM && pa < boot_alloc_end)
		return false;
	return page_is_usable_ram(pa);
}

void
page_init(void)
{
	struct PageInfo **tail = &page_free_list;

	page_free_list = NULL;
	n_free_pages = 0;
	for (size_t i = 0; i < npages; i++) {
		pages[i].pp_ref = 0;
		pages[i].pp_link = NULL;
		if (!page_is_free_at_boot(i * PGSIZE)) {
			pages[i].pp_ref = 1;	// never freed
			continue;
		}
		*tail = &pages[i];
		tail = &pages[i].pp_link;
		n_free_pages++;
	}
}

/* Take a page off the free list; NULL when memory is exhausted. */
struct PageInfo *
page_alloc(int alloc_flags)
{
	struct PageInfo *pp = page_free_list;

	if (!pp)
		return NULL;
	page_free_list = pp->pp_link;
	pp->pp_link = NULL;
	n_free_pages--;
	if (alloc_flags & ALLOC_ZERO)
		memset(page2kva(pp), 0, PGSIZE);
	return pp;
}

/* Return a page with no references to the free list. */
void
page_free(struct PageInfo *pp)
{
	if (pp->pp_ref != 0)
		panic("page_free: page %016lx still has %d references",
		      (uint64_t) page2pa(pp), pp->pp_ref);
	if (pp->pp_link != NULL)
		panic("page_free: page %016lx is free already", (uint64_t) page2pa(pp));
	pp->pp_link = page_free_list;
	page_free_list = pp;
	n_free_pages++;
}

/* Drop one reference; the last one frees the page. */
void
page_decref(struct PageInfo *pp)
{
	if (--pp->pp_ref == 0)
		page_free(pp);
}

size_t
page_free_count(void)
{
	return n_free_pages;
}

/*
 * A zeroed page holding one reference, as a kernel address (for the
 * kernel's own tables and structures); NULL when memory is exhausted.
 */
void *
page_alloc_kva(void)
{
	struct PageInfo *pp = page_alloc(ALLOC_ZERO);

	if (!pp)
		return NULL;
	pp->pp_ref++;
	return page2kva(pp);
}

/* Drop the reference on the page at kernel address kva (nothing if NULL). */
void
page_free_kva(void *kva)
{
	if (kva)
		page_decref(pa2page(PADDR(kva)));
}

/* ---- page tables ---- */

/*
 * The entry of the next level's table at index idx below entry *up,
 * allocating (zeroed, counted) the table if create is set.  NULL if the
 * table is missing or is a large page.
 */
static uint64_t *
next_level(uint64_t *up, int idx, int create)
{
	if (!(*up & PTE_P)) {
		struct PageInfo *pp;
		if (!create || !(pp = page_alloc(ALLOC_ZERO)))
			return NULL;
		pp->pp_ref++;
		// Intermediate entries allow everything; the leaf decides.
		*up = page2pa(pp) | PTE_P | PTE_W | PTE_U;
	} else if (*up & PTE_PS)
		return NULL;
	return (uint64_t *) KADDR(PTE_ADDR(*up)) + idx;
}

/*
 * The page table entry for va in the tables rooted at pml4e, creating
 * the missing tables if create is set.  NULL if a table is missing (and
 * create is clear or memory ran out), or va lies in a 2 MiB mapping.
 */
pte_t *
pml4e_walk(pml4e_t *pml4e, const void *va, int create)
{
	uint64_t *pdpe, *pde;

	if (!(pdpe = next_level(&pml4e[PML4(va)], PDPE(va), create)))
		return NULL;
	if (!(pde = next_level(pdpe, PDX(va), create)))
		return NULL;
	return next_level(pde, PTX(va), create);
}

/*
 * Map [va, va+size) to [pa, pa+size) with 4 KiB pages and permission
 * perm|PTE_P.  For the kernel's static mappings only (no reference counts).
 */
void
boot_map_region(pml4e_t *pml4e, uintptr_t va, size_t size, physaddr_t pa, int perm)
{
	for (size_t off = 0; off < size; off += PGSIZE) {
		pte_t *pte = pml4e_walk(pml4e, (void *) (va + off), 1);
		if (!pte)
			panic("boot_map_region: out of memory");
		*pte = (pa + off) | perm | PTE_P;
	}
}

/* Like boot_map_region with 2 MiB pages; va, pa and size 2 MiB aligned. */
static void
boot_map_region_large(pml4e_t *pml4e, uintptr_t va, size_t size, physaddr_t pa, int perm)
{
	assert(va % PTSIZE == 0 && pa % PTSIZE == 0 && size % PTSIZE == 0);
	for (size_t off = 0; off < size; off += PTSIZE) {
		uint64_t *pdpe = next_level(&pml4e[PML4(va + off)], PDPE(va + off), 1);
		if (!pdpe)
			panic("boot_map_region_large: out of memory");
		uint64_t *pde = next_level(pdpe, PDX(va + off), 1);
		if (!pde)
			panic("boot_map_region_large: out of memory");
		*pde = (pa + off) | perm | PTE_P | PTE_PS;
	}
}

/*
 * The page mapped at va, or NULL.  If pte_store is not NULL, *pte_store
 * gets the address of the page table entry.
 */
struct PageInfo *
page_lookup(pml4e_t *pml4e, void *va, pte_t **pte_store)
{
	pte_t *pte = pml4e_walk(pml4e, va, 0);

	if (!pte || !(*pte & PTE_P))
		return NULL;
	if (pte_store)
		*pte_store = pte;
	return pa2page(PTE_ADDR(*pte));
}

/* Unmap whatever is at va (if anything) and drop its reference. */
void
page_remove(pml4e_t *pml4e, void *va)
{
	pte_t *pte;
	struct PageInfo *pp = page_lookup(pml4e, va, &pte);

	if (!pp)
		return;
	*pte = 0;
	tlb_invalidate(pml4e, va);
	page_decref(pp);
}

/*
 * Map page pp at va with permission perm|PTE_P, replacing (and
 * dereferencing) whatever was there.  Mapping the same page again at
 * the same place only changes its permissions.
 * Returns 0, or -E_NO_MEM if a page table could not be allocated.
 */
int
page_insert(pml4e_t *pml4e, struct PageInfo *pp, void *va, int perm)
{
	pte_t *pte = pml4e_walk(pml4e, va, 1);

	if (!pte)
		return -E_NO_MEM;
	// Count the new reference first so that re-inserting the same
	// page cannot free it on the way.
	pp->pp_ref++;
	if (*pte & PTE_P)
		page_remove(pml4e, va);
	*pte = page2pa(pp) | perm | PTE_P;
	return 0;
}

/* Forget any cached translation of va, if pml4e is the current table. */
void
tlb_invalidate(pml4e_t *pml4e, void *va)
{
	if (!curenv || curenv->env_pml4e == pml4e)
		invlpg(va);
}

/*
 * Map [pa, pa+size) uncached at the next free place in the MMIO window
 * and return its virtual address.  Regions are never unmapped.
 */
void *
mmio_map_region(physaddr_t pa, size_t size)
{
	static uintptr_t base = MMIOBASE;
	uintptr_t va = base;

	size = ROUNDUP(size + PGOFF(pa), PGSIZE);
	if (base + size > MMIOLIM || base + size < base)
		panic("mmio_map_region: MMIO window exhausted");
	boot_map_region(boot_pml4e, va, size, ROUNDDOWN(pa, PGSIZE),
			PTE_W | PTE_PCD | PTE_PWT);
	base += size;
	return (void *) (va + PGOFF(pa));
}

/* ---- user memory checks ---- */

static uintptr_t user_mem_check_addr;

/*
 * Whether env may touch [va, va+len) with permission perm (PTE_U is
 * always required): every page below ULIM, present, with those bits.
 * Returns 0 or -E_FAULT, remembering the first bad address.
 */
int
user_mem_check(struct Env *env, const void *va, size_t len, int perm)
{
	uintptr_t start = (uintptr_t) va, last = start + len - 1;

	perm |= PTE_U | PTE_P;
	if (len == 0)
		return 0;
	if (last < start || last >= ULIM) {
		user_mem_check_addr = start < ULIM ? MAX(start, (uintptr_t) ULIM) : start;
		if (last < start && start < ULIM)
			user_mem_check_addr = ULIM;
		return -E_FAULT;
	}
	for (uintptr_t p = ROUNDDOWN(start, PGSIZE); p <= last; p += PGSIZE) {
		pte_t *pte = pml4e_walk(env->env_pml4e, (void *) p, 0);
		if (!pte || (*pte & perm) != (uint64_t) perm) {
			user_mem_check_addr = MAX(p, start);
			return -E_FAULT;
		}
	}
	return 0;
}

/* As user_mem_check, but destroy env (which may be curenv) on failure. */
void
user_mem_assert(struct Env *env, const void *va, size_t len, int perm)
{
	if (user_mem_check(env, va, len, perm) < 0) {
		cprintf("[%08x] user_mem_check assertion failure for va %08lx\n",
			env->env_id, (uint64_t) user_mem_check_addr);
		env_destroy(env);	// may not return
	}
}

/* ---- setting up the kernel's address space ---- */

void
mem_init(void)
{
	detect_memory();

	boot_pml4e = boot_alloc(PGSIZE);
	boot_cr3 = PADDR(boot_pml4e);
	// Read-only to users: the recursive page-table window.
	boot_pml4e[PML4(UVPT)] = boot_cr3 | PTE_U | PTE_P;

	pages = boot_alloc(npages * sizeof(struct PageInfo));
	envs = boot_alloc(NENV * sizeof(struct Env));

	page_init();
	check_page_free_list();
	check_page_alloc();
	check_page();

	boot_map_region(boot_pml4e, UPAGES,
			ROUNDUP(npages * sizeof(struct PageInfo), PGSIZE),
			PADDR(pages), PTE_U);
	boot_map_region(boot_pml4e, UENVS, ROUNDUP(NENV * sizeof(struct Env), PGSIZE),
			PADDR(envs), PTE_U);
	for (int i = 0; i < NCPU; i++) {
		uintptr_t top = KSTACKTOP - i * (KSTKSIZE + KSTKGAP);
		boot_map_region(boot_pml4e, top - KSTKSIZE, KSTKSIZE,
				PADDR(percpu_kstacks[i]), PTE_W);
	}
	boot_map_region_large(boot_pml4e, KERNBASE,
			      ROUNDUP(npages * PGSIZE, PTSIZE), 0, PTE_W);
	// A page table for the whole MMIO window now, so that every env's
	// copy of the kernel's tables sees later MMIO mappings.
	if (!pml4e_walk(boot_pml4e, (void *) MMIOBASE, 1))
		panic("mem_init: out of memory");

	check_boot_pml4e();

	lcr3(boot_cr3);
	lcr0(rcr0() | CR0_PE | CR0_PG | CR0_AM | CR0_WP | CR0_NE | CR0_MP);
}

/* ---- self-checks ---- */

/* The physical address va maps to in pml4e (any page size), or ~0. */
static physaddr_t
check_va2pa(pml4e_t *pml4e, uintptr_t va)
{
	uint64_t e = pml4e[PML4(va)];
	int shifts[] = { PDPESHIFT, PDXSHIFT, PTXSHIFT };

	for (int level = 0; level < 3; level++) {
		if (!(e & PTE_P))
			return ~(physaddr_t) 0;
		uint64_t *table = KADDR(PTE_ADDR(e));
		e = table[(va >> shifts[level]) & 0x1FF];
		if ((e & PTE_P) && level < 2 && (e & PTE_PS)) {
			uint64_t span = 1UL << shifts[level];	// 1 GiB or 2 MiB
			return (PTE_ADDR(e) & ~(span - 1)) + (va & (span - 1));
		}
	}
	if (!(e & PTE_P))
		return ~(physaddr_t) 0;
	return PTE_ADDR(e) + PGOFF(va);
}

/* The permission bits of the mapping of va, ANDed over all levels. */
static uint64_t
check_va2perm(pml4e_t *pml4e, uintptr_t va)
{
	uint64_t e = pml4e[PML4(va)], perm = e & (PTE_P | PTE_W | PTE_U);
	int shifts[] = { PDPESHIFT, PDXSHIFT, PTXSHIFT };

	for (int level = 0; level < 3 && (e & PTE_P); level++) {
		e = ((uint64_t *) KADDR(PTE_ADDR(e)))[(va >> shifts[level]) & 0x1FF];
		perm &= e & (PTE_P | PTE_W | PTE_U);
		if (e & PTE_PS)
			break;
	}
	return (e & PTE_P) ? perm : 0;
}

/* Every page on the free list is free, usable, and outside the kernel. */
static void
check_page_free_list(void)
{
	size_t n = 0;

	for (struct PageInfo *pp = page_free_list; pp; pp = pp->pp_link) {
		physaddr_t pa = page2pa(pp);
		assert(pp >= pages && pp < pages + npages);
		assert(pp->pp_ref == 0);
		assert(pa != 0 && pa != MPENTRY_PADDR);
		assert(pa < IOPHYSMEM || pa >= EXTPHYSMEM);
		assert(pa >= boot_alloc_end || pa < EXTPHYSMEM);
		assert(page_is_usable_ram(pa));
		n++;
	}
	assert(n == n_free_pages);
	assert(n > 0);
}

/* Allocation, exhaustion, zeroing and freeing behave. */
static void
check_page_alloc(void)
{
	struct PageInfo *pp0, *pp1, *pp2, *saved;
	size_t nfree = page_free_count();
	char *p;

	assert((pp0 = page_alloc(0)) && (pp1 = page_alloc(0)) && (pp2 = page_alloc(0)));
	assert(pp0 != pp1 && pp1 != pp2 && pp0 != pp2);
	assert(page2pa(pp0) < npages * PGSIZE && page2pa(pp2) < npages * PGSIZE);
	assert(pp0->pp_ref == 0 && pp0->pp_link == NULL);
	assert(page_free_count() == nfree - 3);

	// With the list empty, allocation fails.
	saved = page_free_list;
	page_free_list = NULL;
	size_t saved_n = n_free_pages;
	n_free_pages = 0;
	assert(page_alloc(0) == NULL);

	// Freed pages come back, and only they.
	page_free(pp0);
	page_free(pp1);
	page_free(pp2);
	assert(page_free_count() == 3);
	struct PageInfo *a = page_alloc(0), *b = page_alloc(0), *c = page_alloc(0);
	assert(a && b && c && a != b && b != c && a != c);
	assert((a == pp0 || a == pp1 || a == pp2) && (b == pp0 || b == pp1 || b == pp2));
	assert(page_alloc(0) == NULL);

	// ALLOC_ZERO really zeroes.
	memset(page2kva(a), 0x97, PGSIZE);
	page_free(a);
	assert(page_alloc(ALLOC_ZERO) == a);
	p = page2kva(a);
	for (int i = 0; i < PGSIZE; i++)
		assert(p[i] == 0);

	page_free(a);
	page_free(b);
	page_free(c);
	// Put the rest back.
	struct PageInfo **tail = &page_free_list;
	while (*tail)
		tail = &(*tail)->pp_link;
	*tail = saved;
	n_free_pages += saved_n;
	assert(page_free_count() == nfree);
	check_page_free_list();

	cprintf("check_page_alloc() succeeded!\n");
}

/* page_insert, page_lookup, page_remove and pml4e_walk keep counts right. */
static void
check_page(void)
{
	// A test address in an otherwise unused PML4 slot.
	void *va = PGADDR(3, 1, 2, 3, 0);
	struct PageInfo *pp0, *pp1, *pp2, *t[3], *saved;
	size_t nfree = page_free_count(), saved_n;
	pte_t *pte;

	assert(boot_pml4e[3] == 0);
	assert((pp0 = page_alloc(0)) && (pp1 = page_alloc(0)) && (pp2 = page_alloc(0)));
	for (int i = 0; i < 3; i++)
		assert((t[i] = page_alloc(0)));

	// No memory for page tables: insert fails and maps nothing.
	saved = page_free_list;
	saved_n = n_free_pages;
	page_free_list = NULL;
	n_free_pages = 0;
	assert(page_insert(boot_pml4e, pp0, va, PTE_W) == -E_NO_MEM);
	assert(page_lookup(boot_pml4e, va, NULL) == NULL);
	assert(pp0->pp_ref == 0);

	// Three table pages are exactly enough for the first mapping.
	for (int i = 0; i < 3; i++)
		page_free(t[i]);
	assert(page_insert(boot_pml4e, pp0, va, PTE_W) == 0);
	assert(page_free_count() == 0);
	assert(pp0->pp_ref == 1);
	for (int i = 0; i < 3; i++)
		assert(t[i]->pp_ref == 1);
	assert(check_va2pa(boot_pml4e, (uintptr_t) va) == page2pa(pp0));
	assert(page_lookup(boot_pml4e, va, &pte) == pp0);
	assert(pte == pml4e_walk(boot_pml4e, va, 0));
	assert((*pte & (PTE_P | PTE_W | PTE_U)) == (PTE_P | PTE_W));

	// A neighbour in the same page table needs no new table.
	assert(page_insert(boot_pml4e, pp1, va + PGSIZE, PTE_W | PTE_U) == 0);
	assert(pp1->pp_ref == 1);
	assert(check_va2perm(boot_pml4e, (uintptr_t) va + PGSIZE) == (PTE_P | PTE_W | PTE_U));

	// Re-inserting the same page changes permissions, not counts.
	assert(page_insert(boot_pml4e, pp1, va + PGSIZE, PTE_U) == 0);
	assert(pp1->pp_ref == 1);
	assert(check_va2perm(boot_pml4e, (uintptr_t) va + PGSIZE) == (PTE_P | PTE_U));

	// Replacing a mapping drops the old page, which becomes free.
	assert(page_insert(boot_pml4e, pp1, va, PTE_W) == 0);
	assert(pp1->pp_ref == 2 && pp0->pp_ref == 0);
	assert(page_free_count() == 1 && page_alloc(0) == pp0);

	// Removing mappings drops references; the last frees the page.
	page_remove(boot_pml4e, va);
	assert(pp1->pp_ref == 1 && page_lookup(boot_pml4e, va, NULL) == NULL);
	assert(check_va2pa(boot_pml4e, (uintptr_t) va) == ~(physaddr_t) 0);
	page_remove(boot_pml4e, va + PGSIZE);
	assert(pp1->pp_ref == 0 && page_free_count() == 1 && page_alloc(0) == pp1);
	page_remove(boot_pml4e, va);		// removing nothing is harmless

	// A walk without create does not make tables.
	assert(pml4e_walk(boot_pml4e, va + PTSIZE, 0) == NULL);
	assert(pml4e_walk(boot_pml4e, PGADDR(4, 0, 0, 0, 0), 0) == NULL);

	// Tear down the test tables.
	uint64_t *pdpt = KADDR(PTE_ADDR(boot_pml4e[3]));
	uint64_t *pd = KADDR(PTE_ADDR(pdpt[1]));
	t[2]->pp_ref = t[1]->pp_ref = t[0]->pp_ref = 0;
	assert(pa2page(PTE_ADDR(pd[2])) == t[2] || pa2page(PTE_ADDR(pd[2])) == t[1]
	       || pa2page(PTE_ADDR(pd[2])) == t[0]);
	pd[2] = 0;
	pdpt[1] = 0;
	boot_pml4e[3] = 0;
	tlbflush();
	for (int i = 0; i < 3; i++)
		page_free(t[i]);
	page_free(pp0);
	page_free(pp1);
	page_free(pp2);

	struct PageInfo **tail = &page_free_list;
	while (*tail)
		tail = &(*tail)->pp_link;
	*tail = saved;
	n_free_pages += saved_n;
	assert(page_free_count() == nfree);

	cprintf("check_page() succeeded!\n");
}

/* The kernel's address space is as documented in inc/memlayout.h. */
static void
check_boot_pml4e(void)
{
	pml4e_t *pml4 = boot_pml4e;
	size_t n;

	// pages[] and envs[]: user-readable, not writable.
	n = ROUNDUP(npages * sizeof(struct PageInfo), PGSIZE);
	for (size_t off = 0; off < n; off += PGSIZE) {
		assert(check_va2pa(pml4, UPAGES + off) == PADDR(pages) + off);
		assert(check_va2perm(pml4, UPAGES + off) == (PTE_P | PTE_U));
	}
	n = ROUNDUP(NENV * sizeof(struct Env), PGSIZE);
	for (size_t off = 0; off < n; off += PGSIZE) {
		assert(check_va2pa(pml4, UENVS + off) == PADDR(envs) + off);
		assert(check_va2perm(pml4, UENVS + off) == (PTE_P | PTE_U));
	}

	// All of physical memory at KERNBASE, kernel-only (2 MiB pages:
	// check both ends of each).
	for (physaddr_t pa = 0; pa < npages * PGSIZE; pa += PTSIZE) {
		assert(check_va2pa(pml4, KERNBASE + pa) == pa);
		assert(check_va2pa(pml4, KERNBASE + pa + PTSIZE - 1) == pa + PTSIZE - 1);
		assert(check_va2perm(pml4, KERNBASE + pa) == (PTE_P | PTE_W));
	}

	// Each CPU's stack is mapped; the gap below it is not.
	for (int i = 0; i < NCPU; i++) {
		uintptr_t top = KSTACKTOP - i * (KSTKSIZE + KSTKGAP);
		for (size_t off = 0; off < KSTKSIZE; off += PGSIZE) {
			assert(check_va2pa(pml4, top - KSTKSIZE + off)
			       == PADDR(percpu_kstacks[i]) + off);
			assert(check_va2perm(pml4, top - KSTKSIZE + off) == (PTE_P | PTE_W));
		}
		for (size_t off = 0; off < KSTKGAP; off += PGSIZE)
			assert(check_va2pa(pml4, top - KSTKSIZE - KSTKGAP + off)
			       == ~(physaddr_t) 0);
	}

	// The recursive window is read-only, and nothing else is user
	// accessible between UTOP and KERNBASE except envs[] and pages[].
	assert(pml4[PML4(UVPT)] == (boot_cr3 | PTE_P | PTE_U));
	uintptr_t user_end = UPAGES + ROUNDUP(npages * sizeof(struct PageInfo), PGSIZE);
	for (uintptr_t va = UTOP; va < KERNBASE; ) {
		pte_t *pte = pml4e_walk(pml4, (void *) va, 0);
		if (!pte) {		// no page table here: skip it whole
			va = ROUNDDOWN(va + PTSIZE, PTSIZE);
			continue;
		}
		if (*pte & PTE_U)
			assert((va >= UENVS && va < UENVS + ROUNDUP(NENV * sizeof(struct Env), PGSIZE))
			       || (va >= UPAGES && va < user_end));
		va += PGSIZE;
	}
	// No user mappings below UTOP in the kernel's own table.
	for (int i = 0; i < (int) PML4(UTOP); i++)
		assert(pml4[i] == 0);

	cprintf("check_boot_pml4e() succeeded!\n");
}
