/*
 * What the CPU's SVM offers (CPUID 0x80000001 and 0x8000000A, the
 * VM_CR MSR), read into svm_caps, and whether it is enough: SVM itself,
 * not disabled by the firmware, nested paging, and at least one ASID
 * for guests.  Every CPU is assumed to report the same.
 */
#include <inc/x86.h>
#include <inc/stdio.h>
#include <inc/error.h>
#include <inc/string.h>
#include <inc/vmm/cpuid.h>

#include <vmm/vm.h>
#include <vmm/amd/svm.h>

struct svm_caps svm_caps;

/*
 * Whether this CPU can run guests with SVM and nested paging.  Fills
 * svm_caps and *caps and returns 0, or prints one line "svm: not
 * supported: WHAT" and returns -E_NOT_SUPP.
 */
int
svm_probe(struct vmm_caps *caps)
{
	static char name[160];
	uint32_t maxext, ecx, eax, ebx, edx;
	const char *missing = NULL;

	cpuid(0x80000000, &maxext, NULL, NULL, NULL);
	if (maxext >= 0x80000001)
		cpuid(0x80000001, NULL, NULL, &ecx, NULL);
	else
		ecx = 0;
	if (!cpu_vendor_amd())
		missing = "not an AMD CPU (CPUID vendor)";
	else if (!(ecx & CPUID_SVM_BIT))
		missing = "CPUID 0x80000001:ECX.SVM is clear";
	else if (maxext < 0x8000000A)
		missing = "no CPUID leaf 0x8000000A";
	else if (rdmsr(MSR_VM_CR) & VM_CR_SVMDIS)
		missing = "disabled by the firmware (VM_CR.SVMDIS)";
	if (!missing) {
		cpuid(0x8000000A, &eax, &ebx, NULL, &edx);
		svm_caps.revision = eax & 0xFF;
		svm_caps.nasids = ebx;
		svm_caps.features = edx;
		if (!(edx & SVM_FEAT_NP))
			missing = "no nested paging (CPUID 0x8000000A:EDX.NP)";
		else if (ebx < 2)
			missing = "no ASID for guests (CPUID 0x8000000A:EBX)";
	}
	if (missing) {
		cprintf("svm: not supported: %s\n", missing);
		return -E_NOT_SUPP;
	}
	snprintf(name, sizeof(name), "svm: AMD SVM revision %u with nested paging, "
		 "%u ASIDs, next-RIP %s, clean bits %s, flush by ASID %s",
		 svm_caps.revision, svm_caps.nasids,
		 (edx & SVM_FEAT_NRIPS) ? "yes" : "no",
		 (edx & SVM_FEAT_VMCB_CLEAN) ? "yes" : "no",
		 (edx & SVM_FEAT_FLUSH_ASID) ? "yes" : "no");
	caps->name = name;
	caps->npf_name = "nested page fault";
	// What a guest may set in CR4: the architectural bits up to
	// SMEP/SMAP less VMXE (an AMD CPU has none).
	caps->cr4_allowed = 0x3F7FFF & ~(uint64_t) 0x2000;
	caps->slice_timer = false;	// the host's own timer ends slices
	return 0;
}
