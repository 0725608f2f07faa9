/* Physical pages and page tables. */
#ifndef JOS_KERN_PMAP_H
#define JOS_KERN_PMAP_H

#include <inc/memlayout.h>
#include <inc/assert.h>

struct Env;

extern char bootstacktop[], bootstack[];
extern struct PageInfo *pages;
extern size_t npages;
extern pml4e_t *boot_pml4e;
extern physaddr_t boot_cr3;

/* The physical address of a kernel virtual address in the KERNBASE window. */
#define PADDR(kva) _paddr(__FILE__, __LINE__, kva)

static inline physaddr_t
_paddr(const char *file, int line, void *kva)
{
	if ((uintptr_t) kva < KERNBASE)
		_panic(file, line, "PADDR called with invalid kva %016lx", (uintptr_t) kva);
	return (physaddr_t) kva - KERNBASE;
}

/* The kernel virtual address of a physical address. */
#define KADDR(pa) _kaddr(__FILE__, __LINE__, pa)

static inline void *
_kaddr(const char *file, int line, physaddr_t pa)
{
	if (PGNUM(pa) >= npages)
		_panic(file, line, "KADDR called with invalid pa %016lx", (uint64_t) pa);
	return (void *) (pa + KERNBASE);
}

enum {
	ALLOC_ZERO = 1 << 0,	// page_alloc fills the page with zeros
};

void	mem_init(void);
void	page_init(void);
struct PageInfo *page_alloc(int alloc_flags);
void	page_free(struct PageInfo *pp);
void	page_decref(struct PageInfo *pp);
size_t	page_free_count(void);
void	*page_alloc_kva(void);
void	page_free_kva(void *kva);

int	page_insert(pml4e_t *pml4e, struct PageInfo *pp, void *va, int perm);
void	page_remove(pml4e_t *pml4e, void *va);
struct PageInfo *page_lookup(pml4e_t *pml4e, void *va, pte_t **pte_store);
pte_t	*pml4e_walk(pml4e_t *pml4e, const void *va, int create);
void	boot_map_region(pml4e_t *pml4e, uintptr_t va, size_t size, physaddr_t pa, int perm);
void	tlb_invalidate(pml4e_t *pml4e, void *va);
void	*mmio_map_region(physaddr_t pa, size_t size);

int	user_mem_check(struct Env *env, const void *va, size_t len, int perm);
void	user_mem_assert(struct Env *env, const void *va, size_t len, int perm);

static inline physaddr_t
page2pa(struct PageInfo *pp)
{
	return (pp - pages) << PGSHIFT;
}

static inline struct PageInfo *
pa2page(physaddr_t pa)
{
	if (PGNUM(pa) >= npages)
		panic("pa2page called with invalid pa %016lx", (uint64_t) pa);
	return &pages[PGNUM(pa)];
}

static inline void *
page2kva(struct PageInfo *pp)
{
	return KADDR(page2pa(pp));
}

#endif
