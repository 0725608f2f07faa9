/*
 * The block cache.  Block b of the disk appears at diskaddr(b); a page
 * is read in from the disk the first time it is touched (by the page
 * fault handler below), and written back by flush_block when the
 * hardware has marked it dirty.
 */

#include "fs.h"

/* The address where block blockno of the disk is cached. */
void *
diskaddr(uint32_t blockno)
{
	if (blockno == 0 || (super && blockno >= super->s_nblocks))
		panic("bad block number %08x in diskaddr", blockno);
	return (char *) (DISKMAP + (uintptr_t) blockno * BLKSIZE);
}

/* The page table entry for va, or 0 if va is not mapped. */
static pte_t
pte_of(void *va)
{
	uintptr_t a = (uintptr_t) va;

	if (!(uvpml4e[a >> PML4SHIFT] & PTE_P) ||
	    !(uvpde[a >> PDPESHIFT] & PTE_P) ||
	    !(uvpd[a >> PDXSHIFT] & PTE_P))
		return 0;
	return uvpt[PGNUM(a)];
}

/* Is va mapped in this address space? */
bool
va_is_mapped(void *va)
{
	return pte_of(va) & PTE_P;
}

/* Has the page at va been written since it was read or flushed? */
bool
va_is_dirty(void *va)
{
	return (pte_of(va) & (PTE_P | PTE_D)) == (PTE_P | PTE_D);
}

/*
 * Page fault handler: a fault in the disk window maps a fresh page there
 * and reads the block into it.  Any other fault is fatal.
 */
static void
bc_pgfault(struct UTrapframe *utf)
{
	void *addr = (void *) utf->utf_fault_va;
	uint32_t blockno = ((uintptr_t) addr - DISKMAP) / BLKSIZE;
	int r;

	if ((uintptr_t) addr < DISKMAP || (uintptr_t) addr >= DISKMAP + DISKSIZE)
		panic("page fault in FS: rip %08lx, va %08lx, err %04lx",
		      (unsigned long) utf->utf_rip, (unsigned long) addr,
		      (unsigned long) utf->utf_err);
	if (super && blockno >= super->s_nblocks)
		panic("reading non-existent block %08x", blockno);

	addr = ROUNDDOWN(addr, BLKSIZE);
	if ((r = sys_page_alloc(0, addr, PTE_P | PTE_U | PTE_W)) < 0)
		panic("in bc_pgfault, sys_page_alloc: %e", r);
	if ((r = ide_read(blockno * BLKSECTS, addr, BLKSECTS)) < 0)
		panic("in bc_pgfault, cannot read block %u", blockno);

	// The read set the dirty bit; clear it by mapping the page afresh.
	if ((r = sys_page_map(0, addr, 0, addr, PTE_P | PTE_U | PTE_W)) < 0)
		panic("in bc_pgfault, sys_page_map: %e", r);

	// Reading a block the bitmap calls free means a bug somewhere.
	if (bitmap && block_is_free(blockno))
		panic("reading free block %08x", blockno);
}

/*
 * Write the block holding addr back to the disk if it is cached and
 * dirty, and mark it clean.  Panics if the disk refuses.
 */
void
flush_block(void *addr)
{
	uintptr_t a = (uintptr_t) addr;
	uint32_t blockno = (a - DISKMAP) / BLKSIZE;
	int r;

	if (a < DISKMAP || a >= DISKMAP + DISKSIZE)
		panic("flush_block of bad va %08lx", (unsigned long) a);
	addr = ROUNDDOWN(addr, BLKSIZE);
	if (!va_is_mapped(addr) || !va_is_dirty(addr))
		return;
	if (ide_write(blockno * BLKSECTS, addr, BLKSECTS) < 0)
		panic("flush_block: cannot write block %u", blockno);
	if ((r = sys_page_map(0, addr, 0, addr, PTE_P | PTE_U | PTE_W)) < 0)
		panic("in flush_block, sys_page_map: %e", r);
}

#ifndef VMM_GUEST
/*
 * Check the cache with the super block: change it, flush it, drop it
 * from the cache, read it back, and undo the change.
 */
static void
check_bc(void)
{
	struct Super backup;

	memmove(&backup, diskaddr(1), sizeof backup);

	// Smash the magic and flush it out.
	strcpy(diskaddr(1), "OOPS!\n");
	flush_block(diskaddr(1));
	assert(va_is_mapped(diskaddr(1)));
	assert(!va_is_dirty(diskaddr(1)));

	// Drop the page; touching it again reads it from the disk.
	sys_page_unmap(0, diskaddr(1));
	assert(!va_is_mapped(diskaddr(1)));
	assert(strcmp(diskaddr(1), "OOPS!\n") == 0);

	// Put the real super block back.
	memmove(diskaddr(1), &backup, sizeof backup);
	flush_block(diskaddr(1));

	// A block cached, changed and dropped without a flush is lost.
	memmove(&backup, diskaddr(1), sizeof backup);
	strcpy(diskaddr(1), "OOPS!\n");
	sys_page_unmap(0, diskaddr(1));
	assert(memcmp(diskaddr(1), &backup, sizeof backup) == 0);

	cprintf("block cache is good\n");
}
#endif

/* Install the fault handler, check the cache, and read the super block. */
void
bc_init(void)
{
	struct Super s;

	set_pgfault_handler(bc_pgfault);
#ifndef VMM_GUEST
	check_bc();	// not in a guest: see serv.c
#endif

	// Touch the super block so that it is cached.
	memmove(&s, diskaddr(1), sizeof s);
}
