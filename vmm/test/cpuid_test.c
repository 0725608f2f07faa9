/*
 * Host-side tests of what CPUID tells a guest (vmm/cpuid.c): the
 * hypervisor bit and this monitor's signature leaf, the virtualization
 * extensions, the APIC, x2APIC and the other features the monitor does
 * not virtualize hidden, plain instruction-set features kept, and
 * leaves beyond the host's highest read as zeros.  The host's answers
 * are made up (all ones, or a pattern), so that what comes back is the
 * policy's doing, not this machine's CPU.
 */
#include <inc/vmm/cpuid.h>
#include <vmm/cpuid.h>
#include <vmm/test/hosttest.h>

#define BIT(n)	(1U << (n))
enum { A, B, C, D };

// A recent host: basic leaves to 0x16, extended to 0x80000008.
static const struct cpuid_limits big = { 0x16, 0x80000008 };

/* The guest's answer to leaf and subleaf when the host answered fill in every register. */
static void
ask(const struct cpuid_limits *host, uint32_t leaf, uint32_t subleaf, uint32_t fill,
    uint32_t regs[4])
{
	regs[A] = regs[B] = regs[C] = regs[D] = fill;
	cpuid_policy(host, leaf, subleaf, regs);
}

/* Whether all four registers are zero. */
static bool
zeros(const uint32_t regs[4])
{
	return (regs[A] | regs[B] | regs[C] | regs[D]) == 0;
}

/* Whether leaf (subleaf 0) reads as zeros where the host answered all ones. */
static bool
hidden(const struct cpuid_limits *host, uint32_t leaf)
{
	uint32_t r[4];

	ask(host, leaf, 0, 0xFFFFFFFF, r);
	return zeros(r);
}

/* Leaf 1: the hypervisor bit on; VMX, x2APIC, APIC and the rest off; SSE and friends kept. */
static void
test_leaf1(void)
{
	uint32_t r[4];

	ask(&big, 1, 0, 0, r);
	CHECK(r[C] == CPUID_HYPERVISOR_BIT);	// set even where the host has it clear
	ask(&big, 1, 0, 0xFFFFFFFF, r);
	CHECK(r[C] & CPUID_HYPERVISOR_BIT);
	CHECK(!(r[C] & CPUID_VMX_BIT));
	CHECK(!(r[C] & BIT(6)));		// SMX
	CHECK(!(r[C] & BIT(21)));		// x2APIC
	CHECK(!(r[C] & BIT(24)));		// TSC deadline (a LAPIC timer mode)
	CHECK(!(r[C] & BIT(3)));		// MONITOR/MWAIT
	CHECK(!(r[C] & BIT(15)));		// PDCM (perf capabilities MSR)
	CHECK(!(r[C] & (BIT(26) | BIT(27) | BIT(28))));	// XSAVE, OSXSAVE, AVX: fpu.c's
	CHECK((r[C] & (BIT(0) | BIT(9) | BIT(19) | BIT(20) | BIT(23)))
	      == (BIT(0) | BIT(9) | BIT(19) | BIT(20) | BIT(23)));	// SSE3, SSSE3, SSE4.1/4.2, POPCNT
	CHECK(!(r[D] & BIT(9)));		// APIC
	CHECK(!(r[D] & (BIT(7) | BIT(14))));	// MCE, MCA
	CHECK(!(r[D] & (BIT(22) | BIT(29))));	// ACPI thermal, TM
	CHECK(!(r[D] & BIT(28)));		// HTT: one logical CPU
	CHECK((r[D] & (BIT(0) | BIT(4) | BIT(5) | BIT(6) | BIT(8) | BIT(15) | BIT(25) | BIT(26)))
	      == (BIT(0) | BIT(4) | BIT(5) | BIT(6) | BIT(8) | BIT(15) | BIT(25) | BIT(26)));
	// FPU, TSC, MSR, PAE, CX8, CMOV, SSE, SSE2 kept
	CHECK(r[B] == 0xFFFF);			// APIC ID 0, one logical CPU; CLFLUSH size kept
	CHECK(r[A] == 0xFFFFFFFF);		// family, model, stepping as the host's
}

/* Leaf 7: only the kept EBX features, no subleaves, nothing in ECX/EDX. */
static void
test_leaf7(void)
{
	uint32_t r[4];

	ask(&big, 7, 0, 0xFFFFFFFF, r);
	CHECK(r[A] == 0);
	CHECK(r[C] == 0 && r[D] == 0);
	CHECK(r[B] & BIT(0));			// FSGSBASE
	CHECK(r[B] & BIT(9));			// ERMS
	CHECK(!(r[B] & BIT(10)));		// INVPCID
	CHECK(!(r[B] & BIT(1)));		// TSC_ADJUST MSR
	CHECK(!(r[B] & BIT(16)));		// AVX-512F
	ask(&big, 7, 1, 0xFFFFFFFF, r);
	CHECK(zeros(r));
}

/* The extended leaves: SVM and RDTSCP hidden, long mode kept; 0x80000007/8 trimmed. */
static void
test_extended(void)
{
	uint32_t r[4];

	ask(&big, 0x80000001, 0, 0xFFFFFFFF, r);
	CHECK(!(r[C] & CPUID_SVM_BIT));
	CHECK(!(r[C] & BIT(3)));		// ExtApicSpace
	CHECK(!(r[C] & BIT(23)));		// PerfCtrExtCore
	CHECK(r[C] & BIT(0));			// LAHF/SAHF in long mode
	CHECK(!(r[D] & BIT(27)));		// RDTSCP
	CHECK(!(r[D] & BIT(9)));		// APIC (AMD's mirror of leaf 1)
	CHECK((r[D] & (BIT(11) | BIT(20) | BIT(29))) == (BIT(11) | BIT(20) | BIT(29)));
	// SYSCALL, NX, LM kept
	ask(&big, 0x80000007, 0, 0xFFFFFFFF, r);
	CHECK(r[A] == 0 && r[B] == 0 && r[C] == 0 && r[D] == BIT(8));	// invariant TSC only
	ask(&big, 0x80000008, 0, 0x3028, r);
	CHECK(r[A] == 0x3028 && r[B] == 0 && r[C] == 0);	// address sizes; no cores, no spec-ctrl
	ask(&big, 0x80000000, 0, 0x80000008, r);
	CHECK(r[A] == 0x80000008);
	ask(&big, 0x80000002, 0, 0x20202020, r);
	CHECK(r[A] == 0x20202020 && r[D] == 0x20202020);	// the brand string
	CHECK(hidden(&big, 0x8000000A));		// SVM's leaf
}

/* This monitor's leaves: the signature at 0x40000000, zeros above. */
static void
test_signature(void)
{
	const char *sig = CPUID_JOS_SIGNATURE;
	uint32_t r[4];
	bool same = true;

	ask(&big, CPUID_JOS_LEAF, 0, 0xDEADBEEF, r);
	CHECK(r[A] == CPUID_JOS_LEAF);		// the highest hypervisor leaf
	for (int i = 0; i < 12; i++)
		same = same && ((const char *) &r[B + i / 4])[i % 4] == sig[i];
	CHECK(same);
	CHECK(hidden(&big, CPUID_JOS_LEAF + 1));
	CHECK(hidden(&big, CPUID_JOS_LEAF + 0xFFFF));
	CHECK(hidden(&big, CPUID_JOS_LEAF + 0x10000));	// another hypervisor's range
	// The same whatever the host's limits (its own leaves never count).
	struct cpuid_limits tiny = { 1, 0 };
	ask(&tiny, CPUID_JOS_LEAF, 0, 0, r);
	CHECK(r[A] == CPUID_JOS_LEAF && r[B] != 0);
}

/* The leaves the monitor has no model for: zeros. */
static void
test_hidden_leaves(void)
{
	static const uint32_t leaves[] = { 3, 5, 6, 9, 0xA, 0xB, 0xD, 0xF, 0x10, 0x12, 0x14, 0x15,
					   0x1F, 0x8000001F, 0xC0000000 };
	uint32_t r[4];

	struct cpuid_limits all = { 0x20, 0x80000021 };

	for (unsigned i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++)
		CHECK(hidden(&all, leaves[i]));
	ask(&big, 0, 0, 0x16, r);		// the vendor and the highest basic leaf pass
	CHECK(r[A] == 0x16 && r[B] == 0x16);
	ask(&big, 4, 1, 0x1234, r);		// cache descriptions pass
	CHECK(r[A] == 0x1234);
}

/*
 * Leaves beyond the host's highest: zeros, even where the host answers
 * (an Intel CPU repeats its highest basic leaf for them).
 */
static void
test_beyond_max(void)
{
	struct cpuid_limits old = { 0xD, 0x80000004 };
	struct cpuid_limits none = { 7, 0 };	// no extended leaves at all
	uint32_t r[4];

	CHECK(hidden(&old, 0x16));		// within `big', kept there
	ask(&big, 0x16, 0, 0x1234, r);
	CHECK(r[A] == 0x1234);
	CHECK(hidden(&old, 0xE));
	CHECK(hidden(&old, 0x80000005));
	CHECK(hidden(&old, 0x80000008));
	CHECK(hidden(&old, 0x3FFFFFFF));
	ask(&old, 0x80000004, 0, 0x41414141, r);	// the last one there still answers
	CHECK(r[A] == 0x41414141);
	CHECK(hidden(&none, 0x80000001));
	CHECK(hidden(&none, 0x80000000));
	CHECK(hidden(&none, 8));
	ask(&none, 7, 0, 0xFFFFFFFF, r);	// the highest basic leaf itself answers
	CHECK(r[B] & BIT(0));
	ask(&none, 1, 0, 0xFFFFFFFF, r);	// and leaf 1 keeps its rules
	CHECK((r[C] & CPUID_HYPERVISOR_BIT) && !(r[C] & CPUID_VMX_BIT));
}

int
main(void)
{
	test_leaf1();
	test_leaf7();
	test_extended();
	test_signature();
	test_hidden_leaves();
	test_beyond_max();
	return hosttest_report("cpuid_test");
}
