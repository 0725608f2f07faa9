/*
 * The guest kernel's memory map.  A guest has no BIOS to ask, and its
 * boot code passes the command line only: the monitor describes the
 * guest's memory instead (HC_MBMAP), as a multiboot block with
 * an e820 map written into the page at GUEST_MBMAP_GPA.  Linked in
 * place of kern/bootinfo_loader.c.
 */
#include <inc/string.h>
#include <inc/assert.h>
#include <inc/memlayout.h>
#include <inc/guest.h>
#include <inc/vmm/hypercall.h>

#include <kern/bootinfo.h>

/* The block the monitor writes; panics if the monitor refuses. */
physaddr_t
bootinfo_memory_map(physaddr_t info_pa)
{
	int64_t r;

	// Touch the page first so that the guest really has it.
	memset((void *) (KERNBASE + GUEST_MBMAP_GPA), 0, PGSIZE);
	if ((r = hypercall1(HC_MBMAP, GUEST_MBMAP_GPA)) < 0)
		panic("the monitor gave no memory map (hypercall error %ld)", r);
	return GUEST_MBMAP_GPA;
}
