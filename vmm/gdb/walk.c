/*
 * Guest-virtual to guest-physical (walk.h), the way the guest's MMU
 * does it: no paging (CR0.PG clear): the address itself; long mode:
 * four levels of 8-byte entries (1 GiB and 2 MiB pages allowed); PAE:
 * a 4-entry table then two levels; otherwise two levels of 4-byte
 * entries (4 MiB pages with CR4.PSE).  Access rights are not checked:
 * the debugger may look at what the guest's kernel could.
 */
#include <vmm/gdb/walk.h>

#define CR0_PG		0x80000000ULL
#define CR4_PSE		0x10ULL
#define CR4_PAE		0x20ULL
#define EFER_LMA	0x400ULL
#define PTE_P		0x1ULL
#define PTE_PS		0x80ULL
#define ADDR_MASK	0x000FFFFFFFFFF000ULL	// bits 51:12 of an 8-byte entry

/*
 * Walk 8-byte-entry levels from table (guest-physical), the first one
 * indexed by va's bits from shift up (index_bits of them: 9, or 2 for
 * PAE's first table).  Entries at shifts 30 and 21 below the first
 * level may map large pages (PS).  0 and *gpa, or -1 if an entry is not
 * present or cannot be read.
 */
static int
walk_levels(uint64_t table, int shift, int index_bits, uint64_t va, walk_read_fn read,
	    void *arg, uint64_t *gpa)
{
	uint64_t e, index, size;
	bool first = true;

	for (; shift >= 12; shift -= 9, index_bits = 9, first = false) {
		index = (va >> shift) & ((1ULL << index_bits) - 1);
		if (read(arg, table + index * 8, 8, &e) < 0 || !(e & PTE_P))
			return -1;
		if (shift == 12 || (!first && shift <= 30 && (e & PTE_PS))) {
			size = 1ULL << shift;
			*gpa = (e & ADDR_MASK & ~(size - 1)) | (va & (size - 1));
			return 0;
		}
		table = e & ADDR_MASK;
	}
	return -1;
}

/*
 * The guest-physical address behind virtual address va in mode m,
 * reading page-table entries with read(arg, ...).  0 and *gpa, or -1
 * if va is not mapped.
 */
int
walk_translate(const struct walk_mode *m, uint64_t va, walk_read_fn read, void *arg,
	       uint64_t *gpa)
{
	uint64_t pde, pte;

	if (!(m->cr0 & CR0_PG)) {
		*gpa = va;
		return 0;
	}
	if (m->efer & EFER_LMA)
		return walk_levels(m->cr3 & ADDR_MASK, 39, 9, va, read, arg, gpa);
	va &= 0xFFFFFFFF;
	if (m->cr4 & CR4_PAE)
		return walk_levels(m->cr3 & 0xFFFFFFE0, 30, 2, va, read, arg, gpa);
	if (read(arg, (m->cr3 & 0xFFFFF000) + (va >> 22) * 4, 4, &pde) < 0 || !(pde & PTE_P))
		return -1;
	if ((pde & PTE_PS) && (m->cr4 & CR4_PSE)) {
		*gpa = (pde & 0xFFC00000) | (va & 0x3FFFFF);
		return 0;
	}
	if (read(arg, (pde & 0xFFFFF000) + ((va >> 12) & 0x3FF) * 4, 4, &pte) < 0 || !(pte & PTE_P))
		return -1;
	*gpa = (pte & 0xFFFFF000) | (va & 0xFFF);
	return 0;
}
