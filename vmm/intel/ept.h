/*
 * Extended page tables: the guest-physical to host-physical map of a
 * guest, four levels deep like the host's own page tables, write-back
 * memory type on every page.  Tables and pages are ordinary physical
 * pages from the page allocator; every page an EPT maps holds one
 * reference (pp_ref) for that mapping, and every table page holds one.
 */
#ifndef JOS_VMM_INTEL_EPT_H
#define JOS_VMM_INTEL_EPT_H

#include <inc/types.h>
#include <inc/vmx.h>

struct PageInfo;

// EPT entry bits (Intel SDM volume 3, "EPT translation mechanism").
#define EPTE_READ	__EPTE_READ
#define EPTE_WRITE	__EPTE_WRITE
#define EPTE_EXEC	__EPTE_EXEC
#define EPTE_PERM	__EPTE_FULL
#define EPTE_MT_SHIFT	3		// memory type of a page (bits 5:3)
#define EPT_MT_WB	6		// write-back
#define EPTE_IPAT	0x40		// ignore the guest's PAT
#define EPTE_LARGE	0x80		// a 2 MiB or 1 GiB page (never made here)
#define EPTE_ADDR(e)	((physaddr_t) (e) & 0x000FFFFFFFFFF000UL)

#define EPT_LEVELS	4
// Index of gpa in the table at level n (3: the root, 0: the last level).
#define EPT_INDEX(gpa, n)	(((gpa) >> (12 + 9 * (n))) & 0x1FF)
// Guest-physical addresses this EPT can map: 48 bits.
#define EPT_GPA_LIMIT	(1UL << 48)

// The EPT pointer for root table eptrt: WB, 4-level walk.
uint64_t ept_pointer(uint64_t *eptrt);

uint64_t *ept_alloc_root(void);
int	ept_lookup_gpa(uint64_t *eptrt, uint64_t gpa, int create, uint64_t **entry_store);
int	ept_page_insert(uint64_t *eptrt, struct PageInfo *pp, uint64_t gpa, int perm);
int	ept_map_hva2gpa(uint64_t *eptrt, void *hva, uint64_t gpa, int perm, int overwrite);
int	ept_gpa2hva(uint64_t *eptrt, uint64_t gpa, void **hva_store);
void	free_guest_mem(uint64_t *eptrt);
void	ept_selftest(void);

#endif
