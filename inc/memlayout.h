/* The virtual memory layout, shared by kernel and user programs. */
#ifndef JOS_INC_MEMLAYOUT_H
#define JOS_INC_MEMLAYOUT_H

#ifndef __ASSEMBLER__
#include <inc/types.h>
#include <inc/mmu.h>
#endif

/*
 * Virtual memory map:                                Permissions
 *                                                    kernel/user
 *
 *    4 Gig x 128 -------->  +------------------------------+
 *     (top of user half)    :              .               :
 *    KERNBASE, -------->    +------------------------------+ 0x8004000000
 *    KSTACKTOP              |     CPU0's Kernel Stack      | RW/--  KSTKSIZE
 *                           | - - - - - - - - - - - - - - -|
 *                           |      Invalid Memory (*)      | --/--  KSTKGAP
 *                           +------------------------------+
 *                           |     CPU1's Kernel Stack      | RW/--  KSTKSIZE
 *                           :              .               :
 *    MMIOLIM ------>        +------------------------------+ 0x8003e00000
 *                           |       Memory-mapped I/O      | RW/--  PTSIZE
 * ULIM, MMIOBASE -->        +------------------------------+ 0x8003c00000
 *                           :              .               :
 *    UPAGES    ---->        +------------------------------+ 0x8000a00000
 *                           |           RO PAGES           | R-/R-  25*PTSIZE
 *    UTOP,UENVS ---->       +------------------------------+ 0x8000800000
 *                           |           RO ENVS            | R-/R-  PTSIZE
 *                           +------------------------------+
 *                           :              .               :
 *    UVPT      ---->        +------------------------------+ 0x10000000000
 *                           |  recursive page-table window | R-/R-
 *                           :              .               :
 *    UXSTACKTOP ---->       +------------------------------+ 0xef800000
 *                           |     User Exception Stack     | RW/RW  PGSIZE
 *                           +------------------------------+ 0xef7ff000
 *                           |       Empty Memory (*)       | --/--  PGSIZE
 *    USTACKTOP  --->        +------------------------------+ 0xef7fe000
 *                           |      Normal User Stack       | RW/RW  PGSIZE
 *                           +------------------------------+ 0xef7fd000
 *                           :              .               :
 *    UTEXT -------->        +------------------------------+ 0x00800000
 *    PFTEMP ------->        |       Empty Memory (*)       |        PTSIZE
 *    UTEMP -------->        +------------------------------+ 0x00400000
 *    USTABDATA ---->        |       Empty Memory (*)       |        PTSIZE
 *    0 ------------>        +------------------------------+
 *
 * (*) never mapped, so that stray references fault.
 */

// Global descriptor numbers
#define GD_KT     0x08     // kernel text
#define GD_KD     0x10     // kernel data
#define GD_UT     0x18     // user text
#define GD_UD     0x20     // user data
#define GD_TSS0   0x28     // Task segment selector for CPU 0

// All physical memory is mapped at this address.
#define	KERNBASE	0x8004000000
// Kernel and user stacks and the kernel image sit above it.
#define IOPHYSMEM	0x0A0000
#define EXTPHYSMEM	0x100000

// Kernel stacks
#define KSTACKTOP	KERNBASE
#define KSTKSIZE	(16*PGSIZE)		// size of a kernel stack
#define KSTKGAP		(8*PGSIZE)		// unmapped guard below each stack

// Memory-mapped I/O
#define MMIOLIM		(KSTACKTOP - PTSIZE)
#define MMIOBASE	(MMIOLIM - PTSIZE)

#define ULIM		(MMIOBASE)

// Between UTOP and ULIM users may read but not write.

// The recursive page-table window (see uvpt below)
#define UVPT		0x10000000000
// pages[], read-only to users
#define UPAGES		(ULIM - 25 * PTSIZE)
// envs[], read-only to users
#define UENVS		(UPAGES - PTSIZE)

// Users own everything below UTOP.
#define UTOP		UENVS
// One page of exception stack below this, then an unmapped guard page,
// then the normal stack.
#define UXSTACKTOP	0xef800000
#define USTACKTOP	(UXSTACKTOP - 2*PGSIZE)

// User programs are linked here (entry at UTEXT + 0x20).
#define UTEXT		(4*PTSIZE)

// Scratch windows for temporary mappings: UTEMP for loaders and the
// monitor's staging, PFTEMP for the copy-on-write fault handler.
#define UTEMP		((void*) (2*PTSIZE))
#define PFTEMP		(UTEMP + PTSIZE - PGSIZE)
// Reserved for user debug information (kept empty).
#define USTABDATA	(PTSIZE)

// Physical address of the application processors' entry code
#define MPENTRY_PADDR	0x7000

#ifndef __ASSEMBLER__

typedef uint64_t pml4e_t;
typedef uint64_t pdpe_t;
typedef uint64_t pde_t;
typedef uint64_t pte_t;

/*
 * The recursive mapping: PML4 slot PML4(UVPT) points at the PML4 itself,
 * so the page tables of the current address space appear as arrays.
 */
extern volatile pte_t uvpt[];		// VA of "virtual page table"
extern volatile pde_t uvpd[];		// VA of current page directories
extern volatile pdpe_t uvpde[];		// VA of current page directory pointer tables
extern volatile pml4e_t uvpml4e[];	// VA of the PML4

/*
 * One entry per physical page.  pp_ref counts the mappings of the page
 * (and other holds on it); free pages are linked through pp_link.
 */
struct PageInfo {
	struct PageInfo *pp_link;
	uint16_t pp_ref;
};

#endif /* !__ASSEMBLER__ */
#endif
