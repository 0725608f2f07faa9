/* The guest's view of CPUID (vmm/cpuid.c). */
#ifndef JOS_VMM_CPUID_H
#define JOS_VMM_CPUID_H

#include <inc/types.h>

// The host CPU's highest leaves: EAX of its CPUID leaves 0 and 0x80000000.
struct cpuid_limits {
	uint32_t max_basic, max_ext;
};

/*
 * Turn regs (EAX, EBX, ECX, EDX), the answer of a host CPU with limits
 * host to CPUID leaf and subleaf, into the guest's.
 */
void	cpuid_policy(const struct cpuid_limits *host, uint32_t leaf, uint32_t subleaf,
		     uint32_t regs[4]);

#endif
