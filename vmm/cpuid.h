/* The guest's view of CPUID (vmm/cpuid.c). */
#ifndef JOS_VMM_CPUID_H
#define JOS_VMM_CPUID_H

#include <inc/types.h>

/*
 * Turn regs (EAX, EBX, ECX, EDX), the host CPU's answer to CPUID leaf
 * and subleaf, into the guest's.
 */
void	cpuid_policy(uint32_t leaf, uint32_t subleaf, uint32_t regs[4]);

#endif
