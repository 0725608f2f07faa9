/*
 * The MSRs a guest reads and writes that the backend does not pass
 * through: one table, one rule each.  A guest sees either its own copy
 * (PAT, the MTRR default type, MISC_ENABLE, ...: per guest, never the
 * host's) or a fixed value that says "this CPU has no such feature";
 * every MSR not in the table is refused with #GP, as on a CPU without
 * it.  MSRs the backends pass through (the segment bases, the SYSCALL
 * and SYSENTER MSRs, reading the TSC) never reach here: each backend
 * switches those per guest.  Pure: the caller passes the guest's EFER
 * and CR0 in (struct msr_cpu) and sets EFER from it after a write;
 * built for the host tests too (vmm/test/msr_test.c).
 */
#include <inc/mmu.h>

#include <vmm/msr.h>
#include <vmm/x86.h>

#define MSR_TSC			0x010
#define MSR_PATCH_LEVEL		0x08B	// Intel BIOS_SIGN_ID, AMD PATCH_LEVEL
#define MSR_MTRR_CAP		0x0FE
#define MSR_MISC_ENABLE		0x1A0
#define MSR_PAT			0x277
#define MSR_MTRR_DEF_TYPE	0x2FF
#define MSR_AMD_SYSCFG		0xC0010010
#define MSR_AMD_HWCR		0xC0010015
#define MSR_AMD_VM_CR		0xC0010114
#define MSR_AMD_DE_CFG		0xC0011029

#define PAT_POWER_ON		0x0007040600070406ULL	// WB WT UC- UC, twice
#define MTRR_DEF_ENABLED_WB	0x806		// MTRRs on, default write-back
#define MTRR_DEF_WRITABLE	0xCFF		// E, FE, the type
// MISC_ENABLE: fast strings on; no branch trace store, no PEBS.
#define MISC_ENABLE_POWER_ON	((1 << 0) | (1 << 11) | (1 << 12))
#define HWCR_TSC_FREQ_SEL	(1ULL << 24)	// the TSC counts at the P0 rate
#define VM_CR_LOCK_SVMDIS	((1 << 3) | (1 << 4))	// SVM off, locked off
#define DE_CFG_LFENCE_SERIAL	(1ULL << 1)	// LFENCE waits for what came before

/* The power-on values of a new guest's own MSRs. */
void
msr_init(struct guest_msrs *m)
{
	m->pat = PAT_POWER_ON;
	m->mtrr_def_type = MTRR_DEF_ENABLED_WB;
	m->misc_enable = MISC_ENABLE_POWER_ON;
	m->hwcr = HWCR_TSC_FREQ_SEL;
}

/* Whether each byte of a PAT value is a memory type (0, 1, 4, 5, 6, 7). */
static bool
pat_valid(uint64_t v)
{
	for (int i = 0; i < 8; i++) {
		uint8_t t = v >> (8 * i);
		if (t > 7 || t == 2 || t == 3)
			return false;
	}
	return true;
}

/* Whether an MTRR default-type value is valid (type UC, WC, WT, WP or WB). */
static bool
mtrr_def_valid(uint64_t v)
{
	uint8_t t = v & 0xFF;

	return !(v & ~(uint64_t) MTRR_DEF_WRITABLE) && t <= 6 && t != 2 && t != 3;
}

/*
 * RDMSR msr by a guest whose own MSRs are m and whose EFER and CR0 are
 * cpu's: 0 and *value, or -1 if the guest gets #GP.
 */
int
msr_read(const struct guest_msrs *m, const struct msr_cpu *cpu, uint32_t msr,
	 uint64_t *value)
{
	switch (msr) {
	case MSR_EFER:
		*value = cpu->efer;
		return 0;
	case MSR_PATCH_LEVEL:		// no microcode update loaded
	case MSR_MTRR_CAP:		// no variable or fixed ranges, no WC
	case MSR_AMD_SYSCFG:		// no memory encryption, no TOM2
		*value = 0;
		return 0;
	case MSR_PAT:
		*value = m->pat;
		return 0;
	case MSR_MTRR_DEF_TYPE:
		*value = m->mtrr_def_type;
		return 0;
	case MSR_MISC_ENABLE:
		*value = m->misc_enable;
		return 0;
	case MSR_AMD_HWCR:
		*value = m->hwcr;
		return 0;
	case MSR_AMD_VM_CR:
		*value = VM_CR_LOCK_SVMDIS;
		return 0;
	case MSR_AMD_DE_CFG:
		*value = DE_CFG_LFENCE_SERIAL;
		return 0;
	}
	return -1;
}

/*
 * WRMSR msr := value by the guest of m and cpu (as for msr_read): 0, or
 * -1 if the guest gets #GP (an MSR it does not have, or a value the
 * CPU would refuse), in which case nothing changed.  Writes that would
 * change a fixed value are refused; writing it back as read is not.
 * An EFER write changes cpu->efer, which the caller puts in the CPU.
 */
int
msr_write(struct guest_msrs *m, struct msr_cpu *cpu, uint32_t msr, uint64_t value)
{
	uint64_t efer, now;

	switch (msr) {
	case MSR_EFER:
		if (x86_efer_write(cpu->efer, value, cpu->cr0, &efer) != X86_OK)
			return -1;
		cpu->efer = efer;
		return 0;
	case MSR_PATCH_LEVEL:
		// Intel's way to read the microcode revision writes 0 first.
		return value == 0 ? 0 : -1;
	case MSR_PAT:
		if (!pat_valid(value))
			return -1;
		m->pat = value;
		return 0;
	case MSR_MTRR_DEF_TYPE:
		if (!mtrr_def_valid(value))
			return -1;
		m->mtrr_def_type = value;
		return 0;
	case MSR_MISC_ENABLE:
		m->misc_enable = value;
		return 0;
	case MSR_AMD_HWCR:
		// Its bits tune the core (flush filters, SMM lock, ...), which
		// the monitor does not model: the guest's value is kept.
		m->hwcr = value;
		return 0;
	}
	if (msr_read(m, cpu, msr, &now) == 0 && msr != MSR_TSC && now == value)
		return 0;
	return -1;
}
