/*
 * The extended page table entry format (Intel SDM vol. 3, "EPT
 * Translation Mechanism"), with the names the JOS VMM lab uses.  The
 * permission bits are what sys_ept_map takes.
 */
#ifndef JOS_INC_EPT_H
#define JOS_INC_EPT_H

#ifndef __ASSEMBLER__
#include <inc/types.h>

typedef uint64_t epte_t;
#endif

#define EPT_LEVELS	4		// PML4, PDPT, PD, PT

// Permissions: bits 0-2 of every entry.
#define __EPTE_READ	0x1
#define __EPTE_WRITE	0x2
#define __EPTE_EXEC	0x4
#define __EPTE_FULL	(__EPTE_READ | __EPTE_WRITE | __EPTE_EXEC)
#define __EPTE_PERM_MASK	__EPTE_FULL

// Memory type of a page (bits 5:3 of a leaf), ignore-PAT and size bits.
#define __EPTE_TYPE(t)	((uint64_t) (t) << 3)
#define EPTE_TYPE_UC	0x0
#define EPTE_TYPE_WB	0x6
#define __EPTE_IPAT	0x40
#define __EPTE_SZ	0x80		// a large page (2 MiB or 1 GiB)

#endif
