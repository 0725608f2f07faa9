/*
 * CPUID inside a guest: leaf 1 has ECX.VMX clear and ECX bit 31 set
 * ("a hypervisor is present"); leaf 0x40000000 answers EAX = the
 * highest hypervisor leaf (0x40000000) and the signature in EBX, ECX,
 * EDX, so that guest code can tell this monitor from others.
 */
#ifndef JOS_INC_VMM_CPUID_H
#define JOS_INC_VMM_CPUID_H

#define CPUID_HYPERVISOR_BIT	(1U << 31)	// leaf 1, ECX
#define CPUID_VMX_BIT		(1U << 5)	// leaf 1, ECX
#define CPUID_SVM_BIT		(1U << 2)	// leaf 0x80000001, ECX
#define CPUID_JOS_LEAF		0x40000000
#define CPUID_JOS_SIGNATURE	"JOS x86 vmm "	// 12 bytes: EBX, ECX, EDX (either backend)

#ifndef __ASSEMBLER__
#include <inc/x86.h>
#include <inc/string.h>

/* Whether this code runs in a guest of the JOS monitor (CPUID tells). */
static inline bool
in_jos_guest(void)
{
	uint32_t ecx, sig[3];

	cpuid(1, NULL, NULL, &ecx, NULL);
	if (!(ecx & CPUID_HYPERVISOR_BIT))
		return false;
	cpuid(CPUID_JOS_LEAF, NULL, &sig[0], &sig[1], &sig[2]);
	return memcmp(sig, CPUID_JOS_SIGNATURE, 12) == 0;
}
#endif

#endif
