/*
 * A guest's guest-physical memory: [0, mem_size), mapped page by page
 * in the backend's map (ops->map_*) by the user-level vmm
 * (sys_ept_map), by host IPC, or with zeroed pages on the guest's first
 * touch.  Every page the map holds has one reference for it.
 */
#include <inc/mmu.h>
#include <inc/error.h>
#include <inc/assert.h>
#include <inc/string.h>

#include <kern/env.h>
#include <kern/pmap.h>
#include <vmm/vm.h>

/*
 * A demand fault maps a whole aligned chunk of this many pages, not one
 * page: a booting guest touches its memory in runs (kernel tables, the
 * page array, pages its allocator hands out in order), so 64 pages
 * (256 KiB) turn a few hundred faults into a few dozen while a guest
 * that touches little still costs the host little.
 */
#define VM_FAULT_PAGES	64

/*
 * Map page pp at guest-physical gpa in guest env e with permission
 * prot (VM_PROT_*, checked by the caller).  gpa must be page-aligned
 * and inside the guest's memory.  A mapping already there is replaced,
 * unless the guest is running (or dying, still running) on another CPU
 * right now: its CPU may still hold the old translation.  Returns 0, -E_INVAL or -E_NO_MEM.
 */
int
vm_map_page(struct Env *e, struct PageInfo *pp, uint64_t gpa, int prot)
{
	struct vm *vm = e->env_vmxinfo;
	physaddr_t pa;
	bool replacing;
	int old, r;

	if (PGOFF(gpa) || gpa >= vm->mem_size)
		return -E_INVAL;
	replacing = vmm->map_lookup(vm->map, gpa, &pa, &old) == 0;
	// A dying guest may still run on another CPU until its next exit.
	if (replacing && e != curenv
	    && (e->env_status == ENV_RUNNING || e->env_status == ENV_DYING))
		return -E_INVAL;
	if ((r = vmm->map_insert(vm->map, pp, gpa, prot)) < 0)
		return r;
	if (replacing)
		vmm->map_invalidate(&vm->vcpu);
	return 0;
}

/*
 * Give the guest a zeroed page at gpa (page-aligned) unless it has one
 * there already.  Returns 0, -E_INVAL or -E_NO_MEM.
 */
static int
vm_zero_page(struct vm *vm, uint64_t gpa)
{
	struct PageInfo *pp;
	physaddr_t pa;
	int prot, r;

	if (vmm->map_lookup(vm->map, gpa, &pa, &prot) == 0)
		return 0;
	if (!(pp = page_alloc(ALLOC_ZERO)))
		return -E_NO_MEM;
	if ((r = vmm->map_insert(vm->map, pp, gpa, VM_PROT_ALL)) < 0) {
		page_free(pp);
		return r;
	}
	return 0;
}

/*
 * The guest touched gpa (inside its memory, not mapped) for the first
 * time: give it a zeroed page there, and zeroed pages at every address
 * of the same aligned VM_FAULT_PAGES chunk inside its memory that has
 * none yet (mappings already there stay).  Only the page at gpa must
 * succeed; when memory runs short the chunk stays partial.  Returns 0,
 * -E_INVAL or -E_NO_MEM.
 */
int
vm_fault_in(struct vm *vm, uint64_t gpa)
{
	uint64_t chunk = VM_FAULT_PAGES * PGSIZE;
	uint64_t start = ROUNDDOWN(gpa, chunk);
	uint64_t end = MIN(start + chunk, vm->mem_size);
	int r;

	if (gpa >= vm->mem_size)
		return -E_INVAL;
	gpa = ROUNDDOWN(gpa, PGSIZE);
	if ((r = vm_zero_page(vm, gpa)) < 0)
		return r;
	for (uint64_t a = start; a < end; a += PGSIZE)
		if (a != gpa && vm_zero_page(vm, a) < 0)
			break;
	return 0;
}

/*
 * The page behind guest-physical gpa: its physical address in *pa and
 * its VM_PROT_* bits in *prot.  With fault_in, a page the guest never
 * touched is made first (vm_fault_in).  Returns 0, -E_INVAL (nothing
 * there) or -E_NO_MEM.
 */
int
vm_gpa_page(struct vm *vm, uint64_t gpa, bool fault_in, physaddr_t *pa, int *prot)
{
	int r;

	gpa = ROUNDDOWN(gpa, PGSIZE);
	if (vmm->map_lookup(vm->map, gpa, pa, prot) == 0)
		return 0;
	if (!fault_in)
		return -E_INVAL;
	if ((r = vm_fault_in(vm, gpa)) < 0)
		return r;
	return vmm->map_lookup(vm->map, gpa, pa, prot) == 0 ? 0 : -E_INVAL;
}

/*
 * The kernel address of the byte at guest-physical gpa, or NULL if it
 * is unmapped or its mapping lacks a VM_PROT_* bit of need.
 */
static void *
gpa_kva(struct vm *vm, uint64_t gpa, int need)
{
	physaddr_t pa;
	int prot;

	if (vm_gpa_page(vm, gpa, false, &pa, &prot) < 0 || (prot & need) != need)
		return NULL;
	return (uint8_t *) KADDR(pa) + PGOFF(gpa);
}

/* The kernel address of the byte at guest-physical gpa, or NULL if unmapped. */
void *
vm_gpa2kva(struct vm *vm, uint64_t gpa)
{
	return gpa_kva(vm, gpa, 0);
}

/*
 * The same for a write on the guest's behalf (the debugger's): NULL
 * also where the guest may not write, such as a page its vmm shares
 * read-only, which other envs may map too.
 */
void *
vm_gpa2kva_writable(struct vm *vm, uint64_t gpa)
{
	return gpa_kva(vm, gpa, VM_PROT_WRITE);
}

/*
 * Copy len bytes of guest env e's memory at guest-physical gpa to dst,
 * a page at a time; pages the guest never touched read as zeros and
 * are not made (a look must not cost the guest memory).  A guest on
 * another CPU may be writing while this reads: the copy is a snapshot
 * of each byte, not of the whole.  Returns 0, -E_INVAL ([gpa, gpa+len)
 * not inside its memory) or -E_BAD_ENV (e is no guest any more).
 */
int
vm_read_mem(struct Env *e, uint64_t gpa, void *dst, size_t len)
{
	struct vm *vm = e->env_vmxinfo;
	uint8_t *out = dst;

	if (!vm)
		return -E_BAD_ENV;
	if (gpa >= vm->mem_size || len > vm->mem_size - gpa)
		return -E_INVAL;
	while (len > 0) {
		size_t n = MIN(len, PGSIZE - PGOFF(gpa));
		uint8_t *src = vm_gpa2kva(vm, gpa);

		if (src)
			memcpy(out, src, n);
		else
			memset(out, 0, n);
		out += n;
		gpa += n;
		len -= n;
	}
	return 0;
}
