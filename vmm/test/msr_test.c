/*
 * Host-side tests of the MSRs a guest reaches through exits
 * (vmm/msr.c): each guest's own PAT, MTRR default type, MISC_ENABLE
 * and HWCR (power-on values, checked writes, one guest's writes never
 * seen by another), the fixed answers and the writes they allow, EFER
 * under the architecture's rules (vmm/x86.c), and #GP for every other
 * MSR: a sweep over the Intel and AMD ranges finds no MSR answered
 * that the policy does not name (the host's own are never read).
 */
#include <inc/mmu.h>
#include <inc/string.h>
#include <vmm/msr.h>
#include <vmm/test/hosttest.h>

#define PAT		0x277
#define MTRR_DEF	0x2FF
#define MISC_ENABLE	0x1A0
#define HWCR		0xC0010015
#define PAT_POWER_ON	0x0007040600070406ULL

// The MSRs the policy answers, with what a new guest reads.
static const struct {
	uint32_t msr;
	uint64_t value;
	bool own;		// the guest's own copy: writes it may change it
} known[] = {
	{ 0x08B, 0, false },			// patch level / BIOS_SIGN_ID
	{ 0x0FE, 0, false },			// MTRR_CAP: no ranges
	{ MISC_ENABLE, 0x1801, true },
	{ PAT, PAT_POWER_ON, true },
	{ MTRR_DEF, 0x806, true },
	{ 0xC0010010, 0, false },		// SYSCFG
	{ HWCR, 1ULL << 24, true },
	{ 0xC0010114, 0x18, false },		// VM_CR: SVM disabled and locked
	{ 0xC0011029, 0x2, false },		// DE_CFG: LFENCE serializing
	{ MSR_EFER, 0, false },			// EFER: from msr_cpu (0 here)
};
#define NKNOWN ((int) (sizeof(known) / sizeof(known[0])))

/* The index of msr in known[], or -1. */
static int
known_index(uint32_t msr)
{
	for (int i = 0; i < NKNOWN; i++)
		if (known[i].msr == msr)
			return i;
	return -1;
}

/* A new guest reads the power-on values; fixed ones take only themselves back. */
static void
test_power_on_and_fixed(void)
{
	struct guest_msrs m, before;
	struct msr_cpu cpu = { 0, CR0_PE };
	uint64_t v;

	msr_init(&m);
	for (int i = 0; i < NKNOWN; i++) {
		v = ~0ULL;
		CHECK(msr_read(&m, &cpu, known[i].msr, &v) == 0 && v == known[i].value);
		if (known[i].own || known[i].msr == MSR_EFER)
			continue;
		before = m;
		CHECK(msr_write(&m, &cpu, known[i].msr, known[i].value) == 0);
		CHECK(msr_write(&m, &cpu, known[i].msr, known[i].value ^ 1) == -1);
		CHECK(msr_write(&m, &cpu, known[i].msr, ~0ULL) == -1);
		CHECK(memcmp(&m, &before, sizeof(m)) == 0);
	}
	// Intel's microcode-revision dance: write 0, CPUID, read.
	CHECK(msr_write(&m, &cpu, 0x08B, 0) == 0);
}

/* PAT and the MTRR default type: valid values kept, invalid ones #GP and unchanged. */
static void
test_checked_writes(void)
{
	struct guest_msrs m;
	struct msr_cpu cpu = { 0, 0 };
	uint64_t v;

	msr_init(&m);
	// Linux's PAT: WB, WC, UC-, UC, WB, WP, UC-, WT.
	CHECK(msr_write(&m, &cpu, PAT, 0x0407050600070106ULL) == 0);
	CHECK(msr_read(&m, &cpu, PAT, &v) == 0 && v == 0x0407050600070106ULL);
	CHECK(msr_write(&m, &cpu, PAT, 0x0000000000000002ULL) == -1);	// type 2 is reserved
	CHECK(msr_write(&m, &cpu, PAT, 0x0300000000000000ULL) == -1);	// type 3 too
	CHECK(msr_write(&m, &cpu, PAT, 0x0000000000080000ULL) == -1);	// above 7
	CHECK(msr_read(&m, &cpu, PAT, &v) == 0 && v == 0x0407050600070106ULL);

	CHECK(msr_write(&m, &cpu, MTRR_DEF, 0x800) == 0);		// enabled, UC
	CHECK(msr_read(&m, &cpu, MTRR_DEF, &v) == 0 && v == 0x800);
	CHECK(msr_write(&m, &cpu, MTRR_DEF, 0x0C06) == 0);		// fixed ranges on, WB
	CHECK(msr_write(&m, &cpu, MTRR_DEF, 0x802) == -1);		// type 2
	CHECK(msr_write(&m, &cpu, MTRR_DEF, 0x807) == -1);		// type 7 (UC- is PAT's only)
	CHECK(msr_write(&m, &cpu, MTRR_DEF, 0x1806) == -1);		// a reserved bit
	CHECK(msr_write(&m, &cpu, MTRR_DEF, 1ULL << 40 | 6) == -1);
	CHECK(msr_read(&m, &cpu, MTRR_DEF, &v) == 0 && v == 0x0C06);

	CHECK(msr_write(&m, &cpu, MISC_ENABLE, 0x1) == 0);
	CHECK(msr_read(&m, &cpu, MISC_ENABLE, &v) == 0 && v == 0x1);
	CHECK(msr_write(&m, &cpu, HWCR, 0x01000010) == 0);
	CHECK(msr_read(&m, &cpu, HWCR, &v) == 0 && v == 0x01000010);
}

/* Two guests: what one writes, the other never reads. */
static void
test_per_guest(void)
{
	struct guest_msrs a, b;
	struct msr_cpu cpu = { 0, 0 };
	uint64_t v;

	msr_init(&a);
	msr_init(&b);
	CHECK(msr_write(&a, &cpu, PAT, 0x0606060606060606ULL) == 0);
	CHECK(msr_write(&a, &cpu, MTRR_DEF, 0) == 0);
	CHECK(msr_write(&a, &cpu, MISC_ENABLE, 0) == 0);
	CHECK(msr_write(&a, &cpu, HWCR, 0) == 0);
	CHECK(msr_read(&b, &cpu, PAT, &v) == 0 && v == PAT_POWER_ON);
	CHECK(msr_read(&b, &cpu, MTRR_DEF, &v) == 0 && v == 0x806);
	CHECK(msr_read(&b, &cpu, MISC_ENABLE, &v) == 0 && v == 0x1801);
	CHECK(msr_read(&b, &cpu, HWCR, &v) == 0 && v == 1ULL << 24);
	CHECK(msr_read(&a, &cpu, PAT, &v) == 0 && v == 0x0606060606060606ULL);
}

/* EFER: the guest's own register, under x86_efer_write's rules. */
static void
test_efer(void)
{
	struct guest_msrs m, before;
	struct msr_cpu cpu = { 0, CR0_PE };
	uint64_t v;

	msr_init(&m);
	before = m;
	CHECK(msr_write(&m, &cpu, MSR_EFER, EFER_LME | EFER_SCE | EFER_NXE) == 0);
	CHECK(cpu.efer == (EFER_LME | EFER_SCE | EFER_NXE));
	CHECK(msr_read(&m, &cpu, MSR_EFER, &v) == 0 && v == cpu.efer);
	CHECK(memcmp(&m, &before, sizeof(m)) == 0);	// EFER is not kept there
	// In long mode: LMA is the CPU's (kept), LME cannot change under paging.
	cpu.efer |= EFER_LMA;
	cpu.cr0 = CR0_PE | CR0_PG;
	CHECK(msr_write(&m, &cpu, MSR_EFER, EFER_LME | EFER_SCE) == 0);
	CHECK(cpu.efer == (EFER_LME | EFER_SCE | EFER_LMA));
	CHECK(msr_write(&m, &cpu, MSR_EFER, EFER_SCE) == -1);		// LME off under paging
	CHECK(cpu.efer == (EFER_LME | EFER_SCE | EFER_LMA));
	CHECK(msr_write(&m, &cpu, MSR_EFER, EFER_LME | (1ULL << 12)) == -1);	// SVME: reserved here
	CHECK(msr_write(&m, &cpu, MSR_EFER, EFER_LME | (1ULL << 63)) == -1);
	CHECK(cpu.efer == (EFER_LME | EFER_SCE | EFER_LMA));
}

/*
 * Every MSR the policy does not name is #GP, read and write, across
 * the architectural, Intel (VMX capabilities, x2APIC, machine check,
 * performance counters) and AMD ranges: none is answered, and so none
 * can be the host's.
 */
static void
test_refused(void)
{
	static const uint32_t ranges[][2] = {
		{ 0, 0x2000 }, { 0xC0000000, 0xC0002000 }, { 0xC0010000, 0xC0012000 },
		{ 0x40000000, 0x40000100 },		// other hypervisors' MSRs
		{ 0xFFFFFF00, 0xFFFFFFFF },
	};
	struct guest_msrs m, before;
	struct msr_cpu cpu = { EFER_SCE, CR0_PE }, cpu_before = cpu;
	uint64_t v;
	int answered = 0, wrong = 0, named = 0;

	msr_init(&m);
	before = m;
	for (unsigned r = 0; r < sizeof(ranges) / sizeof(ranges[0]); r++) {
		for (uint32_t msr = ranges[r][0]; msr < ranges[r][1]; msr++) {
			if (known_index(msr) >= 0) {
				named++;
				continue;
			}
			if (msr_read(&m, &cpu, msr, &v) == 0)
				answered++;
			if (msr_write(&m, &cpu, msr, 0) == 0 || msr_write(&m, &cpu, msr, 1) == 0)
				wrong++;
		}
	}
	CHECK(named == NKNOWN);
	CHECK(answered == 0);
	CHECK(wrong == 0);
	CHECK(memcmp(&m, &before, sizeof(m)) == 0);
	CHECK(memcmp(&cpu, &cpu_before, sizeof(cpu)) == 0);
	// The ones Linux touches on the way up, by name.
	static const uint32_t named_refused[] = {
		0x010,		// TSC: reads pass through; a write would move the host's
		0x01B,		// APIC_BASE: no local APIC
		0x03A,		// FEATURE_CONTROL: no VMX to lock
		0x048, 0x049,	// SPEC_CTRL, PRED_CMD: hidden in CPUID
		0x140,		// MISC_FEATURES_ENABLES
		0x179,		// MCG_CAP: no machine check
		0x480,		// VMX_BASIC
		0x802,		// x2APIC ID
		0xC0000103,	// TSC_AUX: RDTSCP hidden
		0xC0010117,	// VM_HSAVE_PA: no SVM
	};
	for (unsigned i = 0; i < sizeof(named_refused) / sizeof(named_refused[0]); i++) {
		CHECK(msr_read(&m, &cpu, named_refused[i], &v) == -1);
		CHECK(msr_write(&m, &cpu, named_refused[i], 0) == -1);
	}
}

int
main(void)
{
	test_power_on_and_fixed();
	test_checked_writes();
	test_per_guest();
	test_efer();
	test_refused();
	return hosttest_report("msr_test");
}
