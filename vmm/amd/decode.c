/*
 * Instruction lengths for a CPU that saves no next RIP (QEMU's SVM):
 * the bytes at the guest's RIP, read through its own page tables (or
 * guest-physical memory while paging is off), are decoded just far
 * enough for the few instructions that exit and are skipped.
 */
#include <inc/mmu.h>
#include <inc/error.h>

#include <vmm/vm.h>
#include <vmm/amd/svm.h>

#define GPT_ADDR(e)	((e) & 0x000FFFFFFFFFF000UL)

/* The guest-physical 64-bit (or, with narrow, 32-bit) word at gpa; false if unmapped. */
static bool
guest_read_word(struct vm *vm, uint64_t gpa, bool narrow, uint64_t *w)
{
	void *p = vm_gpa2kva(vm, gpa);

	if (!p)
		return false;
	*w = narrow ? *(uint32_t *) p : *(uint64_t *) p;
	return true;
}

/*
 * The guest-physical address of guest-linear la under the guest's own
 * paging (none, 32-bit, PAE or 4-level), or false if it is not mapped.
 */
static bool
guest_linear_to_phys(struct vm *vm, struct vmcb *vmcb, uint64_t la, uint64_t *gpa)
{
	uint64_t e, table;
	int level, shift;

	if (!(vmcb->cr0 & CR0_PG)) {
		*gpa = la & 0xFFFFFFFF;
		return true;
	}
	if (!(vmcb->cr4 & CR4_PAE)) {		// two levels of 32-bit entries
		if (!guest_read_word(vm, (vmcb->cr3 & 0xFFFFF000) + ((la >> 22) & 0x3FF) * 4,
				     true, &e) || !(e & PTE_P))
			return false;
		if ((e & PTE_PS) && (vmcb->cr4 & CR4_PSE)) {
			*gpa = (e & 0xFFC00000) | (la & 0x3FFFFF);
			return true;
		}
		if (!guest_read_word(vm, (e & 0xFFFFF000) + ((la >> 12) & 0x3FF) * 4,
				     true, &e) || !(e & PTE_P))
			return false;
		*gpa = (e & 0xFFFFF000) | (la & 0xFFF);
		return true;
	}
	if (vmcb->efer & EFER_LMA) {
		table = GPT_ADDR(vmcb->cr3);
		level = 3;
	} else {				// PAE: four PDPT entries first
		if (!guest_read_word(vm, (vmcb->cr3 & 0xFFFFFFE0) + ((la >> 30) & 3) * 8,
				     false, &e) || !(e & PTE_P))
			return false;
		table = GPT_ADDR(e);
		level = 1;
	}
	for (;; level--) {
		shift = 12 + 9 * level;
		if (!guest_read_word(vm, table + ((la >> shift) & 0x1FF) * 8, false, &e)
		    || !(e & PTE_P))
			return false;
		if (level == 0 || ((e & PTE_PS) && level <= 2)) {
			uint64_t mask = (1UL << shift) - 1;
			*gpa = (GPT_ADDR(e) & ~mask) | (la & mask);
			return true;
		}
		table = GPT_ADDR(e);
	}
}

/* Up to n bytes of the guest's code at its RIP into buf; how many were readable. */
static int
guest_fetch(struct vm *vm, struct vmcb *vmcb, uint8_t *buf, int n)
{
	bool longmode = (vmcb->efer & EFER_LMA) && (vmcb->cs.attrib & 0x200);
	uint64_t la = (longmode ? 0 : vmcb->cs.base) + vmcb->rip, gpa;
	int i;

	for (i = 0; i < n; i++) {
		uint8_t *p;
		if (!guest_linear_to_phys(vm, vmcb, la + i, &gpa) || !(p = vm_gpa2kva(vm, gpa)))
			break;
		buf[i] = *p;
	}
	return i;
}

/* Whether byte b is a legacy prefix (or, in 64-bit code, a REX prefix). */
static bool
is_prefix(uint8_t b, bool rex)
{
	switch (b) {
	case 0x26: case 0x2E: case 0x36: case 0x3E: case 0x64: case 0x65:
	case 0x66: case 0x67: case 0xF0: case 0xF2: case 0xF3:
		return true;
	}
	return rex && (b & 0xF0) == 0x40;
}

/*
 * The length of the instruction at virtual CPU v's RIP, which made an
 * exit with code exitcode (CPUID, HLT, INVD, VMMCALL, RDMSR, WRMSR,
 * XSETBV).
 * -E_INVAL if its bytes cannot be read or are not that instruction.
 */
int
svm_insn_len(struct vcpu *v, uint64_t exitcode)
{
	struct vmcb *vmcb = ((struct svm_vcpu *) v->backend)->vmcb;
	bool rex = (vmcb->efer & EFER_LMA) && (vmcb->cs.attrib & 0x200);
	uint8_t b[15];
	int n = guest_fetch(v->vm, vmcb, b, sizeof(b)), p = 0;

	while (p < n && is_prefix(b[p], rex))
		p++;
	if (p >= n)
		return -E_INVAL;
	switch (exitcode) {
	case SVM_EXIT_HLT:
		return b[p] == 0xF4 ? p + 1 : -E_INVAL;
	case SVM_EXIT_CPUID:
		return p + 1 < n && b[p] == 0x0F && b[p + 1] == 0xA2 ? p + 2 : -E_INVAL;
	case SVM_EXIT_INVD:
		return p + 1 < n && b[p] == 0x0F && b[p + 1] == 0x08 ? p + 2 : -E_INVAL;
	case SVM_EXIT_MSR:
		return p + 1 < n && b[p] == 0x0F && (b[p + 1] == 0x30 || b[p + 1] == 0x32)
			? p + 2 : -E_INVAL;
	case SVM_EXIT_VMMCALL:
		return p + 2 < n && b[p] == 0x0F && b[p + 1] == 0x01 && b[p + 2] == 0xD9
			? p + 3 : -E_INVAL;
	case SVM_EXIT_XSETBV:
		return p + 2 < n && b[p] == 0x0F && b[p + 1] == 0x01 && b[p + 2] == 0xD1
			? p + 3 : -E_INVAL;
	}
	return -E_INVAL;
}
