/*
 * A guest's x87, SSE and AVX registers and its XCR0, kept apart from
 * the host's and from every other guest's, and what CPUID tells the
 * guest about them.
 *
 * Policy: lazy, per CPU (as KVM does it).  The host kernel itself never
 * touches these registers (it is built with -mno-sse and has no
 * floating point), so a guest's state may stay in a CPU's registers
 * across its exits, host interrupts and sleeps in HLT: each CPU
 * remembers whose state it holds (its owner), and the state is
 * switched only when another guest enters there (vm_fpu_enter) or the
 * CPU is about to run something else (vm_fpu_release, from the
 * scheduler's cpu_release), which gives the host's state back.  The
 * host's envs share one state among themselves (the host kernel saves
 * none per env, as JOS never did): it is saved per CPU while a guest
 * owns the registers.
 *
 * Where the CPU offers XSAVE, the monitor saves x87, SSE and AVX (the
 * components it knows: fpu.mask) with XSAVE and offers the guest
 * XSAVE with those components; its XSETBV exits and is checked here
 * (x86_xsetbv).  The host runs with XCR0 = fpu.mask (the host kernel
 * must not run with a guest's XCR0): a guest's own XCR0 is loaded just
 * before each entry and the host's again right after the exit, when
 * they differ.  (Even while the guest's CR4.OSXSAVE is clear, which
 * hides XCR0: the guest may set it without an exit, and XGETBV must
 * then read its own.)  Elsewhere (QEMU's qemu64) the state
 * is the 512-byte FXSAVE area and the guest sees no XSAVE.
 *
 * The monitor turns on CR4.OSFXSR (and OSXSAVE) in the host on each
 * CPU where a guest first runs: FXSAVE saves the XMM registers only
 * with OSFXSR, and XSAVE and XSETBV need OSXSAVE.
 */
#include <inc/x86.h>
#include <inc/mmu.h>
#include <inc/error.h>
#include <inc/string.h>
#include <inc/assert.h>

#include <kern/cpu.h>
#include <kern/pmap.h>
#include <vmm/vm.h>
#include <vmm/x86.h>

#define FPU_AREA_MAX	1024		// per-CPU host area: x87, SSE, AVX fit
#define FXSAVE_SIZE	512
#define XSAVE_HDR_END	576		// legacy area and XSAVE header

// Offsets in the legacy (FXSAVE) area.
#define FX_FCW		0
#define FX_MXCSR	24

// CPUID bits the monitor's choices change.
#define CPUID1_ECX_FMA		(1U << 12)
#define CPUID1_ECX_XSAVE	(1U << 26)
#define CPUID1_ECX_OSXSAVE	(1U << 27)
#define CPUID1_ECX_AVX		(1U << 28)
#define CPUID1_ECX_F16C		(1U << 29)
#define CPUID7_EBX_AVX2		(1U << 5)
// State the monitor never saves: MPX, AVX-512, PKU, AMX.
#define CPUID7_EBX_UNSAVED	0xDC234000U	// MPX, AVX512F/DQ/IFMA/PF/ER/CD/BW/VL
#define CPUID7_ECX_UNSAVED	0x0000585AU	// AVX512VBMI/VBMI2/VNNI/BITALG/VPOPCNTDQ, PKU, OSPKE
#define CPUID7_EDX_UNSAVED	0x03C0010CU	// AVX512 4VNNIW/4FMAPS/VP2INTERSECT/FP16, AMX
#define CPUIDD1_EAX_OFFERED	0x5U		// XSAVEOPT, XGETBV with ECX 1

static struct {
	bool probed;
	uint64_t mask;			// XCR0 components saved; 0: FXSAVE, no XSAVE
	uint32_t size;			// bytes of a save area
	uint32_t avx_end;		// end of the AVX component in an XSAVE area
	// What CPUID shows a guest of the host's answers (vm_fpu_cpuid).
	uint32_t l1_ecx;		// leaf 1 ECX: XSAVE, and AVX, FMA, F16C
	uint32_t l7_ebx;		// leaf 7 EBX: AVX2
	uint32_t d1_eax;		// leaf 0xD subleaf 1 EAX
	uint32_t d2[2];			// leaf 0xD subleaf 2 (AVX): size, offset
} fpu;

// Each CPU's owner and the host's state while a guest owns the
// registers.  A guest's state stays in one CPU until that CPU lets it
// go, and the guest runs nowhere else meanwhile: so vm->fpu_cpu, set,
// is the CPU that enters it (no cpunum() on each entry).
static struct fpu_cpu {
	uint8_t host_area[FPU_AREA_MAX] __attribute__((aligned(64)));
	struct vm *owner;		// whose state the registers hold; NULL: the host's
	bool ready;			// CR4 and XCR0 set for the monitor
} fpu_cpus[NCPU];

static void
cpuid_sub(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	asm volatile("cpuid" : "=a" (r[0]), "=b" (r[1]), "=c" (r[2]), "=d" (r[3])
		     : "a" (leaf), "c" (sub));
}

static void
xsetbv(uint64_t value)
{
	asm volatile("xsetbv" : : "c" (0), "a" ((uint32_t) value), "d" ((uint32_t) (value >> 32)));
}

/*
 * What the monitor saves on this machine (fpu): x87, SSE and, if the
 * CPU has it, AVX with XSAVE where the CPU offers XSAVE with at least
 * x87 and SSE, else the FXSAVE area; and what CPUID shows of them.
 * Same answer on every CPU.
 */
static void
fpu_probe(void)
{
	uint32_t max, l1[4], r[4];

	fpu.probed = true;
	fpu.size = FXSAVE_SIZE;
	cpuid_sub(0, 0, r);
	max = r[0];
	cpuid_sub(1, 0, l1);
	if (max < 0xD || !(l1[2] & CPUID1_ECX_XSAVE))
		return;
	cpuid_sub(0xD, 0, r);
	if ((r[0] & (XCR0_X87 | XCR0_SSE)) != (XCR0_X87 | XCR0_SSE))
		return;
	fpu.mask = XCR0_X87 | XCR0_SSE;
	fpu.size = XSAVE_HDR_END;
	fpu.l1_ecx = CPUID1_ECX_XSAVE;
	if (r[0] & XCR0_AVX) {
		cpuid_sub(0xD, 2, r);
		if (r[0] && r[1] + r[0] <= FPU_AREA_MAX && r[1] >= XSAVE_HDR_END) {
			fpu.mask |= XCR0_AVX;
			fpu.avx_end = r[1] + r[0];
			fpu.size = fpu.avx_end;
			fpu.d2[0] = r[0];
			fpu.d2[1] = r[1];
			fpu.l1_ecx |= l1[2] & (CPUID1_ECX_AVX | CPUID1_ECX_FMA | CPUID1_ECX_F16C);
			cpuid_sub(7, 0, r);
			fpu.l7_ebx = r[1] & CPUID7_EBX_AVX2;
		}
	}
	cpuid_sub(0xD, 1, r);
	fpu.d1_eax = r[0] & CPUIDD1_EAX_OFFERED;
}

/*
 * This CPU is about to run a guest: from now on its CR4 has OSFXSR
 * (and OSXSAVE) and XCR0 is the monitor's, so that guests' registers
 * can be saved here.  Called before the backend records the host's
 * state for exits (VT-x's host CR4), which must include these bits.
 */
void
vm_fpu_cpu_init(void)
{
	struct fpu_cpu *c = &fpu_cpus[cpunum()];
	uint64_t cr4 = rcr4() | CR4_OSFXSR;

	if (c->ready)
		return;
	if (fpu.mask)
		cr4 |= CR4_OSXSAVE;
	lcr4(cr4);
	if (fpu.mask)
		xsetbv(fpu.mask);
	c->ready = true;
}

/* Save this CPU's x87/SSE/AVX registers into area (64-byte aligned). */
static void
fpu_save(void *area)
{
	if (fpu.mask)
		asm volatile("xsave64 (%0)" : : "r" (area), "a" ((uint32_t) fpu.mask), "d" (0)
			     : "memory");
	else
		asm volatile("fxsave64 (%0)" : : "r" (area) : "memory");
}

/* Load this CPU's x87/SSE/AVX registers from area, as fpu_save left it. */
static void
fpu_restore(const void *area)
{
	if (fpu.mask)
		asm volatile("xrstor64 (%0)" : : "r" (area), "a" ((uint32_t) fpu.mask), "d" (0)
			     : "memory");
	else
		asm volatile("fxrstor64 (%0)" : : "r" (area) : "memory");
}

/*
 * Give guest vm its save area, holding the state FNINIT leaves (and
 * MXCSR as at reset), and XCR0 as at reset (x87 only).  0, or
 * -E_NO_MEM with nothing allocated.
 */
int
vm_fpu_init(struct vm *vm)
{
	uint8_t *area;

	if (!fpu.probed)
		fpu_probe();
	static_assert(FPU_AREA_MAX <= PGSIZE);
	if (!(area = page_alloc_kva()))		// zeroed: an XSAVE header of init state
		return -E_NO_MEM;
	*(uint16_t *) (area + FX_FCW) = 0x37F;
	*(uint32_t *) (area + FX_MXCSR) = 0x1F80;
	vm->fpu_area = area;
	vm->xcr0 = XCR0_X87;
	return 0;
}

/*
 * Free guest vm's save area.  Its state is in no CPU's registers by
 * now (every CPU lets go of a guest's state before it runs anything
 * else), except perhaps this CPU's, which then takes the host's back.
 */
void
vm_fpu_free(struct vm *vm)
{
	if (!vm->fpu_area)
		return;
	if (vm->fpu_cpu == &fpu_cpus[cpunum()])
		vm_fpu_release();
	assert(!vm->fpu_cpu);
	page_free_kva(vm->fpu_area);
	vm->fpu_area = NULL;
}

/*
 * Guest vm is about to be entered on this CPU: its registers are
 * loaded if this CPU holds someone else's (the host's or another
 * guest's, which are saved first), and its XCR0 if it is not the
 * host's.  Interrupts are off until the entry.
 */
void
vm_fpu_enter(struct vm *vm)
{
	struct fpu_cpu *c;

	if (!vm->fpu_cpu) {
		c = &fpu_cpus[cpunum()];
		assert(c->ready);
		if (c->owner) {		// (not so far: every CPU lets go first)
			fpu_save(c->owner->fpu_area);
			c->owner->fpu_cpu = NULL;
		} else
			fpu_save(c->host_area);
		fpu_restore(vm->fpu_area);
		c->owner = vm;
		vm->fpu_cpu = c;
	}
	if (fpu.mask && vm->xcr0 != fpu.mask) {
		xsetbv(vm->xcr0);
		vm->xcr0_loaded = true;
	}
}

/* Guest vm just exited on this CPU: the host's XCR0 again, if it was not. */
void
vm_fpu_leave(struct vm *vm)
{
	if (vm->xcr0_loaded) {
		xsetbv(fpu.mask);
		vm->xcr0_loaded = false;
	}
}

/*
 * This CPU is about to run something else than the guest it last ran:
 * a guest's state in its registers goes back to the guest's area, and
 * the host's state comes back.
 */
void
vm_fpu_release(void)
{
	struct fpu_cpu *c = &fpu_cpus[cpunum()];

	if (!c->owner)
		return;
	fpu_save(c->owner->fpu_area);
	fpu_restore(c->host_area);
	c->owner->fpu_cpu = NULL;
	c->owner = NULL;
}

/* The CR4 bits a guest may set here (x86_cr4_allowed). */
uint64_t
vm_fpu_cr4_allowed(void)
{
	return x86_cr4_allowed(vmm_caps.cr4_allowed, fpu.mask);
}

/* Bytes of an XSAVE area holding the components in xcr0 (of fpu.mask). */
static uint32_t
xsave_size(uint64_t xcr0)
{
	return (xcr0 & XCR0_AVX) ? fpu.avx_end : XSAVE_HDR_END;
}

/*
 * The guest's view of the CPU's floating-point features in regs (EAX,
 * EBX, ECX, EDX), the answer for leaf and subleaf so far: for these
 * bits this has the last word, whatever the caller made of them.
 * XSAVE only where the monitor saves with it, OSXSAVE as the guest's
 * own CR4 says, AVX and what needs it (FMA, F16C, AVX2) where AVX is
 * saved and the CPU has it, leaf 0xD describing only the components
 * saved (its size for the guest's own XCR0), and never features whose
 * state the monitor does not save (MPX, AVX-512, protection keys, AMX;
 * XSAVES and XSAVEC).
 */
void
vm_fpu_cpuid(struct vm *vm, uint32_t leaf, uint32_t subleaf, uint32_t regs[4])
{
	if (leaf == 1) {
		regs[2] &= ~(CPUID1_ECX_XSAVE | CPUID1_ECX_OSXSAVE | CPUID1_ECX_AVX
			     | CPUID1_ECX_FMA | CPUID1_ECX_F16C);
		regs[2] |= fpu.l1_ecx;
		if (fpu.mask && (vmm->get_reg(&vm->vcpu, VM_REG_CR4) & CR4_OSXSAVE))
			regs[2] |= CPUID1_ECX_OSXSAVE;
	} else if (leaf == 7 && subleaf == 0) {
		regs[1] = (regs[1] & ~(CPUID7_EBX_UNSAVED | CPUID7_EBX_AVX2)) | fpu.l7_ebx;
		regs[2] &= ~CPUID7_ECX_UNSAVED;
		regs[3] &= ~CPUID7_EDX_UNSAVED;
	} else if (leaf == 0xD) {
		memset(regs, 0, 4 * sizeof(regs[0]));
		if (!fpu.mask)
			return;
		if (subleaf == 0) {
			regs[0] = fpu.mask;
			regs[1] = xsave_size(vm->xcr0);
			regs[2] = fpu.size;
		} else if (subleaf == 1)
			regs[0] = fpu.d1_eax;
		else if (subleaf == 2 && (fpu.mask & XCR0_AVX)) {
			regs[0] = fpu.d2[0];
			regs[1] = fpu.d2[1];
		}
	}
}

/*
 * XSETBV: checked as the CPU would (x86_xsetbv) against the components
 * the monitor saves; a valid one becomes the guest's XCR0, loaded at
 * its next entry; an invalid one gets #GP(0) (or #UD).
 */
enum vm_action
vm_fpu_xsetbv(struct vm *vm, struct Trapframe *tf, const struct vm_exit *x)
{
	struct vcpu *v = &vm->vcpu;
	uint64_t value = (tf->tf_regs.reg_rdx << 32) | (uint32_t) tf->tf_regs.reg_rax;

	switch (x86_xsetbv(vmm->get_reg(v, VM_REG_CR4), vmm->get_reg(v, VM_REG_CPL),
			   tf->tf_regs.reg_rcx, value, fpu.mask)) {
	case X86_OK:
		vm->xcr0 = value;
		vm_skip_instruction(vm, x);
		break;
	case X86_UD:
		vm_inject_exception(vm, X86_VECTOR_UD, false, 0);
		break;
	case X86_GP:
		vm_inject_exception(vm, X86_VECTOR_GP, true, 0);
		break;
	}
	return VM_RESUME;
}
