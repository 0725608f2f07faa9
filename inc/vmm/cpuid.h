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

/* Whether CPUID's vendor is AMD's (or Hygon's): SVM, not VT-x. */
static inline bool
cpu_vendor_amd(void)
{
	uint32_t v[3];

	cpuid(0, NULL, &v[0], &v[2], &v[1]);	// EBX, EDX, ECX spell it
	return memcmp(v, "AuthenticAMD", 12) == 0 || memcmp(v, "HygonGenuine", 12) == 0;
}

/*
 * For a program told that this CPU runs no guests: the monitor it
 * would have (the vendor's) and what CPUID shows it lacks, e.g.
 * "AMD SVM: CPUID 0x80000001:ECX.SVM is clear".  What only the kernel
 * can see (MSRs: the firmware's lock, EPT's controls) is the kernel's
 * own line to say.
 */
static inline const char *
cpu_virt_missing(void)
{
	uint32_t maxext, ecx = 0, edx = 0;

	if (!cpu_vendor_amd()) {
		cpuid(1, NULL, NULL, &ecx, NULL);
		return (ecx & CPUID_VMX_BIT) ? "VT-x with EPT: refused by the kernel (its vmx: line says why)"
			: "VT-x: CPUID.1:ECX.VMX is clear";
	}
	cpuid(0x80000000, &maxext, NULL, NULL, NULL);
	if (maxext >= 0x80000001)
		cpuid(0x80000001, NULL, NULL, &ecx, NULL);
	if (!(ecx & CPUID_SVM_BIT))
		return "AMD SVM: CPUID 0x80000001:ECX.SVM is clear";
	if (maxext < 0x8000000A)
		return "AMD SVM: no CPUID leaf 0x8000000A";
	cpuid(0x8000000A, NULL, NULL, NULL, &edx);
	return (edx & 1) ? "AMD SVM with nested paging: refused by the kernel (its svm: line says why)"
		: "AMD SVM: no nested paging (CPUID 0x8000000A:EDX.NP)";
}
#endif

#endif
