/*
 * The MSRs a guest reads and writes through exits (vmm/msr.c): its own
 * copies, fixed answers, or #GP.  Pure: built for the host tests too.
 */
#ifndef JOS_VMM_MSR_H
#define JOS_VMM_MSR_H

#include <inc/types.h>

// A guest's own copies of MSRs a CPU would hold (per guest, never the
// host's).
struct guest_msrs {
	uint64_t pat, mtrr_def_type, misc_enable, hwcr;
};

// What an MSR access reads or changes of the guest CPU's other state:
// EFER (MSR 0xC0000080 is the register itself) under CR0.
struct msr_cpu {
	uint64_t efer;
	uint64_t cr0;
};

void	msr_init(struct guest_msrs *m);
int	msr_read(const struct guest_msrs *m, const struct msr_cpu *cpu, uint32_t msr,
		 uint64_t *value);
int	msr_write(struct guest_msrs *m, struct msr_cpu *cpu, uint32_t msr, uint64_t value);

#endif
