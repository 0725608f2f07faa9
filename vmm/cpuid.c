/*
 * What CPUID tells a guest: the host CPU's answer, less what this
 * monitor does not virtualize.  A guest that believed the host's leaves
 * would look for a local APIC, x2APIC, machine-check banks, performance
 * counters, MONITOR/MWAIT, RDTSCP's TSC_AUX, XSAVE state, thermal and
 * power MSRs, and the virtualization extensions: hidden, each, so that
 * a kernel takes the path of a CPU without them.  What stays is plain
 * instruction-set features and the descriptions of caches and address
 * sizes.  XSAVE, AVX and leaf 0xD are hidden here too: the caller then
 * lets vm_fpu_cpuid (fpu.c) give back what the monitor saves per guest.
 * A leaf beyond the host's highest reads as zeros (an Intel CPU would
 * answer with its highest basic leaf, which this policy never saw as
 * that leaf).  Pure: built for the host tests too (vmm/test/cpuid_test.c).
 */
#include <vmm/cpuid.h>
#include <inc/vmm/cpuid.h>

#define BIT(n)	(1U << (n))

// Leaf 1 ECX: DTES64, MONITOR, DS-CPL, VMX, SMX, EST, TM2, FMA, SDBG,
// xTPR, PDCM, DCA, x2APIC, TSC-deadline, XSAVE, OSXSAVE, AVX, F16C.
#define L1_ECX_HIDE	(BIT(2) | BIT(3) | BIT(4) | BIT(5) | BIT(6) | BIT(7) | BIT(8) \
			 | BIT(11) | BIT(12) | BIT(14) | BIT(15) | BIT(18) | BIT(21) \
			 | BIT(24) | BIT(26) | BIT(27) | BIT(28) | BIT(29))
// Leaf 1 EDX: MCE, APIC, MCA, DS, ACPI, HTT, TM, PBE.
#define L1_EDX_HIDE	(BIT(7) | BIT(9) | BIT(14) | BIT(21) | BIT(22) | BIT(28) | BIT(29) \
			 | BIT(31))
// Leaf 7 EBX kept: FSGSBASE, BMI1, SMEP, BMI2, ERMS, ADX, SMAP,
// CLFLUSHOPT, CLWB, SHA.  (Not INVPCID: VT-x makes it #UD in a guest
// unless the monitor enables it.)
#define L7_EBX_KEEP	(BIT(0) | BIT(3) | BIT(7) | BIT(8) | BIT(9) | BIT(19) \
			 | BIT(20) | BIT(23) | BIT(24) | BIT(29))
// 0x80000001 ECX: SVM, ExtApicSpace, OSVW, IBS, SKINIT, WDT, LWP,
// NodeId, TopoExt, the performance counter extensions, DBX, MWAITX.
#define X1_ECX_HIDE	(BIT(2) | BIT(3) | BIT(9) | BIT(10) | BIT(12) | BIT(13) | BIT(15) \
			 | BIT(19) | BIT(22) | BIT(23) | BIT(24) | BIT(26) | BIT(27) \
			 | BIT(28) | BIT(29))
// 0x80000001 EDX: MCE, APIC, MCA (AMD mirrors leaf 1), RDTSCP.
#define X1_EDX_HIDE	(BIT(7) | BIT(9) | BIT(14) | BIT(27))
#define X7_EDX_KEEP	BIT(8)		// 0x80000007: the invariant TSC

/* Whether leaf lies beyond the host's highest basic or extended leaf. */
static bool
beyond_host(const struct cpuid_limits *host, uint32_t leaf)
{
	if (leaf < CPUID_JOS_LEAF)
		return leaf > host->max_basic;
	if (leaf >= 0x80000000 && leaf < 0x90000000)
		return leaf > host->max_ext || host->max_ext < 0x80000000;
	return false;
}

/* See cpuid.h; the rules are at the top of this file. */
void
cpuid_policy(const struct cpuid_limits *host, uint32_t leaf, uint32_t subleaf,
	     uint32_t regs[4])
{
	enum { A, B, C, D };

	if (beyond_host(host, leaf)) {
		regs[A] = regs[B] = regs[C] = regs[D] = 0;
		return;
	}
	if ((leaf & 0xFFFF0000) == CPUID_JOS_LEAF) {
		regs[A] = regs[B] = regs[C] = regs[D] = 0;
		if (leaf == CPUID_JOS_LEAF) {
			const char *sig = CPUID_JOS_SIGNATURE;
			regs[A] = CPUID_JOS_LEAF;
			for (int i = 0; i < 12; i++)
				((char *) &regs[B + i / 4])[i % 4] = sig[i];
		}
		return;
	}
	switch (leaf) {
	case 0: case 2: case 4: case 0x16:	// vendor, caches, frequencies
	case 0x80000000: case 0x80000002: case 0x80000003: case 0x80000004:
	case 0x80000005: case 0x80000006: case 0x80000008:
		break;
	case 1:
		regs[B] &= 0xFFFF;		// one logical CPU, APIC ID 0
		regs[C] = (regs[C] & ~L1_ECX_HIDE) | CPUID_HYPERVISOR_BIT;
		regs[D] &= ~L1_EDX_HIDE;
		break;
	case 7:
		if (subleaf == 0) {
			regs[A] = 0;		// no further subleaves
			regs[B] &= L7_EBX_KEEP;
			regs[C] = regs[D] = 0;
		} else
			regs[A] = regs[B] = regs[C] = regs[D] = 0;
		break;
	case 0x80000001:
		regs[C] &= ~X1_ECX_HIDE;
		regs[D] &= ~X1_EDX_HIDE;
		break;
	case 0x80000007:
		regs[A] = regs[B] = regs[C] = 0;
		regs[D] &= X7_EDX_KEEP;
		break;
	default:
		// Thermal and power (6), performance counters (0xA),
		// topology (0xB, 0x1F), XSAVE (0xD), SGX, trace, SVM
		// (0x8000000A), memory encryption (0x8000001F), ...
		regs[A] = regs[B] = regs[C] = regs[D] = 0;
		break;
	}
	if (leaf == 0x80000008)
		regs[B] = regs[C] = 0;		// no speculation-control MSRs, one core
}
