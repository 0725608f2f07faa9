/*
 * The VT-x backend: capability checks, VMX operation on each CPU, one
 * VMCS per guest, asm_vmrun, and the loop that enters a guest and acts
 * on its exits.
 *
 * VMX operation is entered (VMXON) when a CPU starts running a guest
 * and left (VMCLEAR, VMXOFF) whenever that CPU stops running it: on a
 * yield, a host interrupt, or the guest's death.  So a guest that is
 * not running has its VMCS in memory and current on no CPU: it may be
 * scheduled on any CPU next (VMPTRLD there, host state rewritten,
 * VMLAUNCH), and it may be freed from any CPU.  Exits that need no host
 * scheduling (CPUID, VMCALL, I/O, MSRs, ...) resume with VMRESUME.
 *
 * The guest runs with the kernel lock released, like a user env; the
 * run loop takes it back after every exit.
 */
#include <inc/x86.h>
#include <inc/mmu.h>
#include <inc/error.h>
#include <inc/string.h>
#include <inc/assert.h>
#include <inc/memlayout.h>

#include <kern/env.h>
#include <kern/pmap.h>
#include <kern/cpu.h>
#include <kern/trap.h>
#include <kern/sched.h>
#include <kern/spinlock.h>
#include <kern/lapic.h>
#include <vmm/guest.h>
#include <vmm/ept.h>
#include <vmm/vmcs.h>
#include <vmm/vmx.h>

struct vmx_caps vmx_caps;

/* VMX state of one CPU. */
struct vmx_cpu {
	void *vmxon_region;		// kernel address; NULL until first needed
	bool on;			// in VMX operation (between VMXON and VMXOFF)
	struct vmx_vcpu *current;	// the VMCS loaded here, or NULL
	bool vmcs_failed;		// a VMREAD or VMWRITE failed here
};
static struct vmx_cpu vmx_cpus[NCPU];
static int vmx_nvcpus;			// live virtual CPUs

int asm_vmrun(struct Trapframe *tf, int launched);
extern char vmx_exit_point[];

/* Print why a VMREAD/VMWRITE of field failed, and remember it. */
void
vmcs_fail(const char *insn, uint32_t field, bool invalid)
{
	vmx_cpus[cpunum()].vmcs_failed = true;
	if (invalid)
		cprintf("vmx: %s of field %04x failed: VMfailInvalid (no current VMCS)\n",
			insn, field);
	else
		cprintf("vmx: %s of field %04x failed: VM-instruction error %u\n",
			insn, field, (unsigned) vmcs_read32(VMCS_INSTRUCTION_ERROR));
}

/*
 * Turn the flags a VM instruction left into 0, or print why insn
 * failed and return -E_INVAL.
 */
static int
vmx_insn_result(const char *insn, uint8_t cf, uint8_t zf)
{
	if (cf) {
		cprintf("vmx: %s failed: VMfailInvalid\n", insn);
		return -E_INVAL;
	}
	if (zf) {
		cprintf("vmx: %s failed: VM-instruction error %u\n", insn,
			(unsigned) vmcs_read32(VMCS_INSTRUCTION_ERROR));
		return -E_INVAL;
	}
	return 0;
}

/* Enter VMX operation with the VMXON region at pa; 0 or -E_INVAL. */
static int
vmxon(physaddr_t pa)
{
	uint8_t cf, zf;

	asm volatile("vmxon %2; setc %0; setz %1"
		     : "=q" (cf), "=q" (zf) : "m" (pa) : "cc", "memory");
	return vmx_insn_result("VMXON", cf, zf);
}

/* Leave VMX operation (the caller has cleared the current VMCS). */
static void
vmxoff(void)
{
	asm volatile("vmxoff" : : : "cc", "memory");
}

/*
 * Write the VMCS at pa back to memory, make it current nowhere and its
 * launch state clear; 0 or -E_INVAL.
 */
static int
vmclear(physaddr_t pa)
{
	uint8_t cf, zf;

	asm volatile("vmclear %2; setc %0; setz %1"
		     : "=q" (cf), "=q" (zf) : "m" (pa) : "cc", "memory");
	return vmx_insn_result("VMCLEAR", cf, zf);
}

/* Make the VMCS at pa this CPU's current VMCS; 0 or -E_INVAL. */
static int
vmptrld(physaddr_t pa)
{
	uint8_t cf, zf;

	asm volatile("vmptrld %2; setc %0; setz %1"
		     : "=q" (cf), "=q" (zf) : "m" (pa) : "cc", "memory");
	return vmx_insn_result("VMPTRLD", cf, zf);
}

/* Drop this CPU's cached translations of the EPT with pointer eptp. */
static int
invept(uint64_t eptp)
{
	struct { uint64_t eptp, zero; } desc = { eptp, 0 };
	uint64_t type = (vmx_caps.ept_vpid & EPT_CAP_INVEPT_SINGLE) ? 1 : 2;
	uint8_t cf, zf;

	asm volatile("invept %2, %3; setc %0; setz %1"
		     : "=q" (cf), "=q" (zf) : "m" (desc), "r" (type) : "cc", "memory");
	return vmx_insn_result("INVEPT", cf, zf);
}

/* ---- capability checks ---- */

/*
 * Whether this CPU's IA32_FEATURE_CONTROL allows VMXON outside SMX.
 * If the firmware left it unlocked, allow it and lock it.
 */
static bool
vmx_feature_control_ok(void)
{
	uint64_t fc = rdmsr(MSR_IA32_FEATURE_CONTROL);

	if (!(fc & FEATURE_CONTROL_LOCK)) {
		fc |= FEATURE_CONTROL_LOCK | FEATURE_CONTROL_VMXON_OUTSIDE_SMX;
		wrmsr(MSR_IA32_FEATURE_CONTROL, fc);
	}
	return (fc & FEATURE_CONTROL_VMXON_OUTSIDE_SMX) != 0;
}

/*
 * Whether this CPU has VT-x and may use it.  Prints one line saying
 * why not and returns -E_NOT_SUPP, or returns 0.
 */
int
vmx_check_support(void)
{
	uint32_t ecx;

	cpuid(1, NULL, NULL, &ecx, NULL);
	if (!(ecx & (1 << 5))) {
		cprintf("vmx: VT-x not supported: CPUID.1:ECX.VMX is clear\n");
		return -E_NOT_SUPP;
	}
	if (!vmx_feature_control_ok()) {
		cprintf("vmx: VT-x not supported: IA32_FEATURE_CONTROL is locked "
			"with VMXON outside SMX disabled\n");
		return -E_NOT_SUPP;
	}
	return 0;
}

/*
 * A control field's value from capability MSR msr: the bits the CPU
 * requires, plus those of required and optional that it allows.
 * Fails (with one line naming the bits) if a required bit is not
 * allowed.
 */
static int
vmx_control(const char *name, uint32_t msr, uint32_t required, uint32_t optional,
	    uint32_t *ctl)
{
	uint64_t cap = rdmsr(msr);
	uint32_t must = cap, may = cap >> 32;

	if (required & ~may) {
		cprintf("vmx: VT-x not usable: %s controls %08x are not allowed\n",
			name, required & ~may);
		return -E_NOT_SUPP;
	}
	*ctl = ((required | optional) & may) | must;
	return 0;
}

/*
 * Time slices and the VMX-preemption timer, which counts down once
 * every 2^rate TSC ticks (IA32_VMX_MISC bits 4:0).
 *
 * The timer is the guest's tick: the host's own timer is silent while
 * a guest runs (lapic_timer_quiet), since each host tick would cost the
 * guest an exit.  Device interrupts still exit at once ("external-
 * interrupt exiting" is not masked by the guest's RFLAGS.IF), except
 * that Bochs 2.7 holds them back while the guest has interrupts off;
 * the timer ends that guest's slice too.  Every exit costs, so slices
 * are long: GUEST_SLICE_MS while other envs wait to run,
 * GUEST_IDLE_SLICE_MS when none does (only an interrupt, which exits,
 * or another CPU can give the host work then).  A slice runs from the
 * guest's turn on the CPU to its end, across the exits in between.
 */
#define GUEST_SLICE_MS		50
#define GUEST_IDLE_SLICE_MS	500

/* TSC ticks in ms milliseconds, at the rate time_init measured. */
static uint64_t
vmx_tsc_ms(unsigned ms)
{
	uint64_t tsc_per_ms = time_tsc_hz() / 1000;

	if (!tsc_per_ms) {
		uint64_t t = read_tsc();
		microdelay(1000);
		tsc_per_ms = read_tsc() - t;
	}
	return tsc_per_ms * ms;
}

/*
 * The preemption timer's value for the rest of a slice that began at
 * TSC slice_start; 0 if the slice is over.  The slice is the short one
 * as soon as another env waits to run.
 */
static uint32_t
vmx_slice_timer(uint64_t slice_start)
{
	uint64_t len = sched_runnable_hint() ? vmx_caps.slice_tsc : vmx_caps.slice_idle_tsc;
	uint64_t now = read_tsc(), ticks;

	if (now - slice_start >= len)
		return 0;
	ticks = (len - (now - slice_start)) >> vmx_caps.timer_shift;
	return ticks == 0 ? 1 : ticks > 0xFFFFFFFF ? 0xFFFFFFFF : ticks;
}

/*
 * Whether the CPU offers what the monitor needs beyond VMX itself:
 * EPT with 4-level walks and write-back memory, unrestricted guest, and
 * the controls listed below.  Fills vmx_caps.  Prints one line saying
 * what is missing and returns -E_NOT_SUPP, or returns 0.  Call after
 * vmx_check_support.
 */
int
vmx_check_ept(void)
{
	uint64_t basic = rdmsr(MSR_IA32_VMX_BASIC);
	bool true_ctls = (basic & VMX_BASIC_TRUE_CTLS) != 0;
	uint64_t proc_cap = rdmsr(MSR_IA32_VMX_PROCBASED_CTLS);
	uint64_t proc2_cap, ept;
	int r;

	if (!((proc_cap >> 32) & PROC_SECONDARY)) {
		cprintf("vmx: EPT not supported: no secondary processor-based controls\n");
		return -E_NOT_SUPP;
	}
	proc2_cap = rdmsr(MSR_IA32_VMX_PROCBASED_CTLS2);
	if (!((proc2_cap >> 32) & PROC2_EPT)) {
		cprintf("vmx: EPT not supported: the secondary controls do not offer EPT\n");
		return -E_NOT_SUPP;
	}
	if (!((proc2_cap >> 32) & PROC2_UNRESTRICTED)) {
		cprintf("vmx: EPT not usable: the secondary controls do not offer unrestricted guest\n");
		return -E_NOT_SUPP;
	}
	ept = rdmsr(MSR_IA32_VMX_EPT_VPID_CAP);
	if (!(ept & EPT_CAP_WALK4)) {
		cprintf("vmx: EPT not supported: no 4-level page walk\n");
		return -E_NOT_SUPP;
	}
	if (!(ept & EPT_CAP_WB)) {
		cprintf("vmx: EPT not supported: no write-back memory type\n");
		return -E_NOT_SUPP;
	}
	if (((basic >> 32) & 0x1FFF) > PGSIZE) {
		cprintf("vmx: VT-x not usable: VMCS region larger than a page\n");
		return -E_NOT_SUPP;
	}

	vmx_caps.revision = basic & 0x7FFFFFFF;
	vmx_caps.ept_vpid = ept;
	vmx_caps.cr0_fixed0 = rdmsr(MSR_IA32_VMX_CR0_FIXED0);
	vmx_caps.cr0_fixed1 = rdmsr(MSR_IA32_VMX_CR0_FIXED1);
	vmx_caps.cr4_fixed0 = rdmsr(MSR_IA32_VMX_CR4_FIXED0);
	vmx_caps.cr4_fixed1 = rdmsr(MSR_IA32_VMX_CR4_FIXED1);

	// Host interrupts exit (and, where offered, a guest that keeps its
	// interrupts off exits anyway when its time slice is over); HLT
	// exits; ports and MSRs exit by bitmap.
	if ((r = vmx_control("pin-based",
			     true_ctls ? MSR_IA32_VMX_TRUE_PINBASED_CTLS : MSR_IA32_VMX_PINBASED_CTLS,
			     PIN_EXTINT_EXITING, PIN_PREEMPTION_TIMER, &vmx_caps.pin)) < 0
	    || (r = vmx_control("processor-based",
				true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS : MSR_IA32_VMX_PROCBASED_CTLS,
				PROC_HLT_EXITING | PROC_IO_BITMAPS | PROC_MSR_BITMAPS | PROC_SECONDARY,
				0, &vmx_caps.proc)) < 0
	    || (r = vmx_control("secondary processor-based", MSR_IA32_VMX_PROCBASED_CTLS2,
				PROC2_EPT | PROC2_UNRESTRICTED, 0, &vmx_caps.proc2)) < 0
	    // A 64-bit host; the guest's EFER saved, the host's loaded.
	    || (r = vmx_control("VM-exit",
				true_ctls ? MSR_IA32_VMX_TRUE_EXIT_CTLS : MSR_IA32_VMX_EXIT_CTLS,
				EXIT_HOST_64 | EXIT_SAVE_EFER | EXIT_LOAD_EFER, 0, &vmx_caps.exit)) < 0
	    // The guest's EFER loaded; it may enter long mode later.
	    || (r = vmx_control("VM-entry",
				true_ctls ? MSR_IA32_VMX_TRUE_ENTRY_CTLS : MSR_IA32_VMX_ENTRY_CTLS,
				ENTRY_LOAD_EFER | ENTRY_IA32E_GUEST, 0, &vmx_caps.entry)) < 0)
		return r;
	// The guest starts in real mode: IA-32e mode only once it enables it.
	vmx_caps.entry &= ~ENTRY_IA32E_GUEST;
	if (vmx_caps.exit & EXIT_ACK_INTR) {
		cprintf("vmx: VT-x not usable: the CPU insists on acknowledging interrupts on exit\n");
		return -E_NOT_SUPP;
	}
	if (vmx_caps.pin & PIN_PREEMPTION_TIMER) {
		vmx_caps.slice_tsc = vmx_tsc_ms(GUEST_SLICE_MS);
		vmx_caps.slice_idle_tsc = vmx_tsc_ms(GUEST_IDLE_SLICE_MS);
		vmx_caps.timer_shift = rdmsr(MSR_IA32_VMX_MISC) & 0x1F;
	}
	return 0;
}

/* ---- VMX operation on this CPU ---- */

/*
 * Put this CPU in VMX operation, if it is not already: a VMXON region
 * (allocated the first time), CR0 and CR4 as VMX requires them (caching
 * on, CR4.VMXE set), VMXON.  Returns 0 or a negative error.
 */
static int
vmx_cpu_on(void)
{
	struct vmx_cpu *c = &vmx_cpus[cpunum()];
	uint64_t cr0, cr4;

	if (c->on)
		return 0;
	if (!c->vmxon_region) {
		if (!(c->vmxon_region = page_alloc_kva()))
			return -E_NO_MEM;
		*(uint32_t *) c->vmxon_region = vmx_caps.revision;
	}
	if (!vmx_feature_control_ok()) {
		cprintf("vmx: CPU %d: IA32_FEATURE_CONTROL forbids VMXON\n", cpunum());
		return -E_NOT_SUPP;
	}
	cr0 = rcr0() & ~(CR0_CD | CR0_NW);
	lcr0((cr0 | vmx_caps.cr0_fixed0) & vmx_caps.cr0_fixed1);
	cr4 = rcr4() | CR4_VMXE;
	lcr4((cr4 | vmx_caps.cr4_fixed0) & vmx_caps.cr4_fixed1);
	if (vmxon(PADDR(c->vmxon_region)) < 0) {
		lcr4(rcr4() & ~CR4_VMXE);
		return -E_INVAL;
	}
	c->on = true;
	return 0;
}

/*
 * Take this CPU out of VMX operation: write its current VMCS back to
 * memory (VMCLEAR; the next entry of that guest is a VMLAUNCH), VMXOFF,
 * CR4.VMXE off.
 */
static void
vmx_cpu_off(void)
{
	struct vmx_cpu *c = &vmx_cpus[cpunum()];

	if (c->current) {
		vmclear(PADDR(c->current->vmcs));
		c->current->launched = false;
		c->current = NULL;
	}
	if (c->on) {
		vmxoff();
		lcr4(rcr4() & ~CR4_VMXE);
		c->on = false;
	}
}

/* Free the VMXON regions once no guest is left (no CPU is in VMX operation). */
static void
vmx_free_vmxon_regions(void)
{
	for (int i = 0; i < NCPU; i++) {
		struct vmx_cpu *c = &vmx_cpus[i];
		assert(!c->on);
		if (c->vmxon_region) {
			page_free_kva(c->vmxon_region);
			c->vmxon_region = NULL;
		}
	}
}

/* ---- virtual CPUs ---- */


/*
 * Let the guest read (and, with write, also write) msr without an exit.
 * msr must lie in one of the two ranges the bitmap covers.
 */
static void
vmx_pass_msr(struct vmx_vcpu *v, uint32_t msr, bool write)
{
	int base = (msr >= 0xC0000000) ? 1024 : 0;
	uint32_t bit = msr & 0x1FFF;

	v->msr_bitmap[base + bit / 8] &= ~(1 << (bit % 8));
	if (write)
		v->msr_bitmap[2048 + base + bit / 8] &= ~(1 << (bit % 8));
}

/*
 * Give guest g a virtual CPU that will start in real mode at rip: a
 * VMCS region, I/O bitmaps that make every port exit, and an MSR bitmap that makes every MSR exit
 * but the segment bases and reading the TSC.  Returns 0 or -E_NO_MEM
 * (and keeps nothing).
 */
int
vmx_vcpu_create(struct guest *g, uint64_t rip)
{
	struct vmx_vcpu *v;

	static_assert(sizeof(struct vmx_vcpu) <= PGSIZE);
	if (!(v = page_alloc_kva()))
		return -E_NO_MEM;
	v->vmcs = page_alloc_kva();
	v->io_bitmap_a = page_alloc_kva();
	v->io_bitmap_b = page_alloc_kva();
	v->msr_bitmap = page_alloc_kva();
	if (!v->vmcs || !v->io_bitmap_a || !v->io_bitmap_b || !v->msr_bitmap) {
		page_free_kva(v->vmcs);
		page_free_kva(v->io_bitmap_a);
		page_free_kva(v->io_bitmap_b);
		page_free_kva(v->msr_bitmap);
		page_free_kva(v);
		return -E_NO_MEM;
	}
	*(uint32_t *) v->vmcs = vmx_caps.revision;

	// No port passes through: the console is emulated, the rest refused.
	memset(v->io_bitmap_a, 0xFF, PGSIZE);
	memset(v->io_bitmap_b, 0xFF, PGSIZE);

	memset(v->msr_bitmap, 0xFF, PGSIZE);
	vmx_pass_msr(v, MSR_FS_BASE, true);
	vmx_pass_msr(v, MSR_GS_BASE, true);
	vmx_pass_msr(v, MSR_KERNEL_GS_BASE, true);	// swapped by the run loop
	vmx_pass_msr(v, MSR_IA32_TSC, false);

	v->rip0 = rip;
	g->vcpu = v;
	vmx_nvcpus++;
	return 0;
}

/*
 * Free guest g's virtual CPU.  It must be current on no CPU (the run
 * loop clears it whenever it stops running it).  The last one to go
 * also frees the CPUs' VMXON regions, so that no page stays taken.
 */
void
vmx_vcpu_free(struct guest *g)
{
	struct vmx_vcpu *v = g->vcpu;

	if (!v)
		return;
	for (int i = 0; i < NCPU; i++)
		assert(vmx_cpus[i].current != v);
	page_free_kva(v->vmcs);
	page_free_kva(v->io_bitmap_a);
	page_free_kva(v->io_bitmap_b);
	page_free_kva(v->msr_bitmap);
	page_free_kva(v);
	g->vcpu = NULL;
	if (--vmx_nvcpus == 0)
		vmx_free_vmxon_regions();
}

/* ---- the VMCS ---- */

/*
 * The CR0 the CPU must hold for a guest that asked for cr0: VMX's fixed
 * bits applied, except PE and PG, which unrestricted guest leaves free.
 */
uint64_t
vmx_guest_cr0(uint64_t cr0)
{
	uint64_t fixed0 = vmx_caps.cr0_fixed0 & ~(uint64_t) (CR0_PE | CR0_PG);
	uint64_t fixed1 = vmx_caps.cr0_fixed1 | CR0_PE | CR0_PG;

	return (cr0 | fixed0) & fixed1;
}

/* The CR4 the CPU must hold for a guest that asked for cr4. */
uint64_t
vmx_guest_cr4(uint64_t cr4)
{
	return (cr4 | vmx_caps.cr4_fixed0) & vmx_caps.cr4_fixed1;
}

/*
 * Fill the current VMCS (v's) with the controls and the guest's
 * starting state: 16-bit real mode at v->rip0, paging off, flat 64 KiB
 * segments.  The CR0 and CR4 bits VMX fixes are owned by the monitor:
 * the guest reads them from the shadows, and a write that would change
 * one exits (see the CR-access handler).
 */
static void
vmx_vmcs_init(struct guest *g, struct vmx_vcpu *v)
{
	uint16_t cs = (v->rip0 >> 4) & 0xF000;
	uint64_t cr0 = vmx_guest_cr0(CR0_ET);
	uint64_t cr0_mask = ((vmx_caps.cr0_fixed0 & ~(uint64_t) (CR0_PE | CR0_PG))
			     | ~vmx_caps.cr0_fixed1) & 0xFFFFFFFF;
	uint64_t cr4_mask = (vmx_caps.cr4_fixed0 | ~vmx_caps.cr4_fixed1) & 0xFFFFFFFF;
	static const uint32_t data_segs[][4] = {
		// selector, base, limit, access rights
		{ VMCS_GUEST_ES_SELECTOR, VMCS_GUEST_ES_BASE, VMCS_GUEST_ES_LIMIT, VMCS_GUEST_ES_AR },
		{ VMCS_GUEST_SS_SELECTOR, VMCS_GUEST_SS_BASE, VMCS_GUEST_SS_LIMIT, VMCS_GUEST_SS_AR },
		{ VMCS_GUEST_DS_SELECTOR, VMCS_GUEST_DS_BASE, VMCS_GUEST_DS_LIMIT, VMCS_GUEST_DS_AR },
		{ VMCS_GUEST_FS_SELECTOR, VMCS_GUEST_FS_BASE, VMCS_GUEST_FS_LIMIT, VMCS_GUEST_FS_AR },
		{ VMCS_GUEST_GS_SELECTOR, VMCS_GUEST_GS_BASE, VMCS_GUEST_GS_LIMIT, VMCS_GUEST_GS_AR },
	};

	// Controls.
	vmcs_write32(VMCS_PIN_CONTROLS, vmx_caps.pin);
	vmcs_write32(VMCS_PROC_CONTROLS, vmx_caps.proc);
	vmcs_write32(VMCS_PROC_CONTROLS2, vmx_caps.proc2);
	vmcs_write32(VMCS_EXIT_CONTROLS, vmx_caps.exit);
	vmcs_write32(VMCS_ENTRY_CONTROLS, vmx_caps.entry);
	vmcs_write32(VMCS_EXCEPTION_BITMAP, 0);
	vmcs_write32(VMCS_PF_ERROR_MASK, 0);
	vmcs_write32(VMCS_PF_ERROR_MATCH, 0);
	vmcs_write32(VMCS_CR3_TARGET_COUNT, 0);
	vmcs_write32(VMCS_EXIT_MSR_STORE_COUNT, 0);
	vmcs_write32(VMCS_EXIT_MSR_LOAD_COUNT, 0);
	vmcs_write32(VMCS_ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write32(VMCS_ENTRY_INTR_INFO, 0);
	vmcs_write64(VMCS_IO_BITMAP_A, PADDR(v->io_bitmap_a));
	vmcs_write64(VMCS_IO_BITMAP_B, PADDR(v->io_bitmap_b));
	vmcs_write64(VMCS_MSR_BITMAP, PADDR(v->msr_bitmap));
	vmcs_write64(VMCS_EPT_POINTER, ept_pointer(g->ept));
	vmcs_writenatural(VMCS_CR0_GUEST_HOST_MASK, cr0_mask);
	vmcs_writenatural(VMCS_CR0_READ_SHADOW, cr0);
	vmcs_writenatural(VMCS_CR4_GUEST_HOST_MASK, cr4_mask);
	vmcs_writenatural(VMCS_CR4_READ_SHADOW, 0);
	vmcs_write64(VMCS_LINK_POINTER, ~0UL);

	// Real mode: CS:IP reaches rip; data segments at 0; 64 KiB limits;
	// accessed read/write data (0x93) and execute/read code (0x9b).
	vmcs_write16(VMCS_GUEST_CS_SELECTOR, cs);
	vmcs_writenatural(VMCS_GUEST_CS_BASE, (uint64_t) cs << 4);
	vmcs_write32(VMCS_GUEST_CS_LIMIT, 0xFFFF);
	vmcs_write32(VMCS_GUEST_CS_AR, 0x9B);
	for (int i = 0; i < 5; i++) {
		vmcs_write16(data_segs[i][0], 0);
		vmcs_writenatural(data_segs[i][1], 0);
		vmcs_write32(data_segs[i][2], 0xFFFF);
		vmcs_write32(data_segs[i][3], 0x93);
	}
	// No LDT (unusable); a busy 32-bit TSS at 0, as VM entry insists.
	vmcs_write16(VMCS_GUEST_LDTR_SELECTOR, 0);
	vmcs_writenatural(VMCS_GUEST_LDTR_BASE, 0);
	vmcs_write32(VMCS_GUEST_LDTR_LIMIT, 0xFFFF);
	vmcs_write32(VMCS_GUEST_LDTR_AR, 0x10000);
	vmcs_write16(VMCS_GUEST_TR_SELECTOR, 0);
	vmcs_writenatural(VMCS_GUEST_TR_BASE, 0);
	vmcs_write32(VMCS_GUEST_TR_LIMIT, 0xFFFF);
	vmcs_write32(VMCS_GUEST_TR_AR, 0x8B);
	// The real-mode interrupt vector table.
	vmcs_writenatural(VMCS_GUEST_GDTR_BASE, 0);
	vmcs_write32(VMCS_GUEST_GDTR_LIMIT, 0xFFFF);
	vmcs_writenatural(VMCS_GUEST_IDTR_BASE, 0);
	vmcs_write32(VMCS_GUEST_IDTR_LIMIT, 0x3FF);

	vmcs_writenatural(VMCS_GUEST_CR0, cr0);
	vmcs_writenatural(VMCS_GUEST_CR3, 0);
	vmcs_writenatural(VMCS_GUEST_CR4, vmx_guest_cr4(0));
	vmcs_writenatural(VMCS_GUEST_DR7, 0x400);
	vmcs_write64(VMCS_GUEST_IA32_DEBUGCTL, 0);
	vmcs_write64(VMCS_GUEST_IA32_EFER, 0);
	vmcs_writenatural(VMCS_GUEST_RIP, v->rip0 & 0xFFFF);
	vmcs_writenatural(VMCS_GUEST_RSP, v->rip0 & 0xFFFF);	// stack below the boot code
	vmcs_writenatural(VMCS_GUEST_RFLAGS, 0x2);
	vmcs_write32(VMCS_GUEST_INTERRUPTIBILITY, 0);
	vmcs_write32(VMCS_GUEST_ACTIVITY_STATE, 0);
	if (vmx_caps.pin & PIN_PREEMPTION_TIMER)	// set again at each entry
		vmcs_write32(VMCS_PREEMPTION_TIMER, 0xFFFFFFFF);
	vmcs_writenatural(VMCS_GUEST_PENDING_DEBUG, 0);
	vmcs_write32(VMCS_GUEST_SYSENTER_CS, 0);
	vmcs_writenatural(VMCS_GUEST_SYSENTER_ESP, 0);
	vmcs_writenatural(VMCS_GUEST_SYSENTER_EIP, 0);
}

/*
 * Write the host state of the current VMCS: this CPU's kernel as it is
 * now (control registers, segments, its TSS, the shared GDT and IDT,
 * EFER), returning to vmx_exit_point in asm_vmrun (which writes the
 * stack pointer itself).
 */
static void
vmx_vmcs_host(void)
{
	int cpu = cpunum();

	vmcs_writenatural(VMCS_HOST_CR0, rcr0());
	vmcs_writenatural(VMCS_HOST_CR3, rcr3());
	vmcs_writenatural(VMCS_HOST_CR4, rcr4());
	vmcs_write16(VMCS_HOST_CS_SELECTOR, GD_KT);
	vmcs_write16(VMCS_HOST_SS_SELECTOR, GD_KD);
	vmcs_write16(VMCS_HOST_DS_SELECTOR, GD_KD);
	vmcs_write16(VMCS_HOST_ES_SELECTOR, GD_KD);
	vmcs_write16(VMCS_HOST_FS_SELECTOR, 0);		// reloaded after the exit
	vmcs_write16(VMCS_HOST_GS_SELECTOR, 0);
	vmcs_write16(VMCS_HOST_TR_SELECTOR, GD_TSS0 + 16 * cpu);
	vmcs_writenatural(VMCS_HOST_FS_BASE, rdmsr(MSR_FS_BASE));
	vmcs_writenatural(VMCS_HOST_GS_BASE, rdmsr(MSR_GS_BASE));
	vmcs_writenatural(VMCS_HOST_TR_BASE, (uint64_t) &cpus[cpu].cpu_ts);
	vmcs_writenatural(VMCS_HOST_GDTR_BASE, (uint64_t) gdt);
	vmcs_writenatural(VMCS_HOST_IDTR_BASE, (uint64_t) idt);
	vmcs_write32(VMCS_HOST_SYSENTER_CS, 0);
	vmcs_writenatural(VMCS_HOST_SYSENTER_ESP, 0);
	vmcs_writenatural(VMCS_HOST_SYSENTER_EIP, 0);
	vmcs_write64(VMCS_HOST_IA32_EFER, rdmsr(MSR_EFER));
	vmcs_writenatural(VMCS_HOST_RIP, (uint64_t) vmx_exit_point);
}

/*
 * Make guest g's VMCS current on this CPU, entering VMX operation if
 * needed; the first time, fill it.  Returns 0 or a negative error
 * (printed).
 */
static int
vmx_vcpu_load(struct guest *g)
{
	struct vmx_vcpu *v = g->vcpu;
	struct vmx_cpu *c = &vmx_cpus[cpunum()];
	int r;

	if ((r = vmx_cpu_on()) < 0)
		return r;
	if (c->current == v)
		return 0;
	assert(c->current == NULL);
	// A VMCS starts life with VMCLEAR (it sets the launch state).
	if (!v->initialized && (r = vmclear(PADDR(v->vmcs))) < 0)
		return r;
	if ((r = vmptrld(PADDR(v->vmcs))) < 0)
		return r;
	c->current = v;
	v->launched = false;
	if (!v->initialized) {
		vmx_vmcs_init(g, v);
		v->initialized = true;
	}
	vmx_vmcs_host();
	return 0;
}

/* ---- running a guest ---- */

/*
 * asm_vmrun(tf, launched): enter the guest whose VMCS is current, with
 * general registers from tf->tf_regs, by VMLAUNCH if launched is 0 and
 * VMRESUME otherwise.  When the guest exits, the CPU comes back at
 * vmx_exit_point with the stack as it was at the VMWRITE of the host
 * RSP; the guest's registers go back into tf->tf_regs.
 * Returns 0 after a VM exit (the exit reason says whether the entry
 * itself failed), 1 for VMfailInvalid, 2 for VMfailValid (the
 * VM-instruction error says why).
 */
asm(
	".text\n"
	".globl asm_vmrun\n"
	".type asm_vmrun, @function\n"
	".p2align 4\n"
	"asm_vmrun:\n"
	"	pushq	%rbp\n"
	"	movq	%rsp, %rbp\n"
	"	pushq	%rbx\n"
	"	pushq	%r12\n"
	"	pushq	%r13\n"
	"	pushq	%r14\n"
	"	pushq	%r15\n"
	"	pushq	%rdi\n"			// tf, for the way back
	"	movq	$0x6C14, %rax\n"	// VMCS_HOST_RSP
	"	vmwrite	%rsp, %rax\n"
	"	jc	3f\n"
	"	jz	4f\n"
	"	cmpl	$0, %esi\n"		// the moves below keep the flags
	"	movq	0x00(%rdi), %r15\n"
	"	movq	0x08(%rdi), %r14\n"
	"	movq	0x10(%rdi), %r13\n"
	"	movq	0x18(%rdi), %r12\n"
	"	movq	0x20(%rdi), %r11\n"
	"	movq	0x28(%rdi), %r10\n"
	"	movq	0x30(%rdi), %r9\n"
	"	movq	0x38(%rdi), %r8\n"
	"	movq	0x40(%rdi), %rsi\n"
	"	movq	0x50(%rdi), %rbp\n"
	"	movq	0x58(%rdi), %rdx\n"
	"	movq	0x60(%rdi), %rcx\n"
	"	movq	0x68(%rdi), %rbx\n"
	"	movq	0x70(%rdi), %rax\n"
	"	movq	0x48(%rdi), %rdi\n"
	"	jne	1f\n"
	"	vmlaunch\n"
	"	jmp	2f\n"
	"1:	vmresume\n"
	"2:	jc	3f\n"			// still here: the entry failed
	"4:	movl	$2, %eax\n"
	"	jmp	5f\n"
	"3:	movl	$1, %eax\n"
	"	jmp	5f\n"
	".globl vmx_exit_point\n"
	"vmx_exit_point:\n"
	"	pushq	%rdi\n"
	"	movq	8(%rsp), %rdi\n"
	"	movq	%r15, 0x00(%rdi)\n"
	"	movq	%r14, 0x08(%rdi)\n"
	"	movq	%r13, 0x10(%rdi)\n"
	"	movq	%r12, 0x18(%rdi)\n"
	"	movq	%r11, 0x20(%rdi)\n"
	"	movq	%r10, 0x28(%rdi)\n"
	"	movq	%r9, 0x30(%rdi)\n"
	"	movq	%r8, 0x38(%rdi)\n"
	"	movq	%rsi, 0x40(%rdi)\n"
	"	popq	0x48(%rdi)\n"
	"	movq	%rbp, 0x50(%rdi)\n"
	"	movq	%rdx, 0x58(%rdi)\n"
	"	movq	%rcx, 0x60(%rdi)\n"
	"	movq	%rbx, 0x68(%rdi)\n"
	"	movq	%rax, 0x70(%rdi)\n"
	"	xorl	%eax, %eax\n"
	"5:	addq	$8, %rsp\n"
	"	popq	%r15\n"
	"	popq	%r14\n"
	"	popq	%r13\n"
	"	popq	%r12\n"
	"	popq	%rbx\n"
	"	popq	%rbp\n"
	"	ret\n"
	".size asm_vmrun, . - asm_vmrun\n"
);

/*
 * What a VM exit leaves different from the kernel's own state: GDT and
 * IDT limits (set to 0xFFFF) and the FS and GS selectors.
 */
static void
vmx_restore_host(void)
{
	lgdt(&gdt_pd);
	lidt(&idt_pd);
	asm volatile("movw %%ax, %%fs; movw %%ax, %%gs" : : "a" (GD_UD | 3));
}

/*
 * Keep the "IA-32e mode guest" entry control equal to the guest's
 * EFER.LMA, which the guest changes itself when it turns paging on or
 * off with EFER.LME set.
 */
static void
vmx_sync_ia32e(void)
{
	uint64_t efer = vmcs_read64(VMCS_GUEST_IA32_EFER);
	uint32_t entry = vmcs_read32(VMCS_ENTRY_CONTROLS);
	uint32_t want = (efer & EFER_LMA) ? (entry | ENTRY_IA32E_GUEST)
					  : (entry & ~ENTRY_IA32E_GUEST);

	if (want != entry)
		vmcs_write32(VMCS_ENTRY_CONTROLS, want);
}

/* Set the guest's EFER (as WRMSR or a CR0 write would) and the matching entry control. */
void
vmx_set_guest_efer(uint64_t efer)
{
	vmcs_write64(VMCS_GUEST_IA32_EFER, efer);
	vmx_sync_ia32e();
}

/*
 * Deliver exception vector to the guest at the next entry, as a fault
 * on the current instruction.  Real mode delivers no error code.
 */
void
vmx_inject_exception(int vector, bool has_error, uint32_t error)
{
	uint32_t info = vector | (3 << 8) | (1U << 31);	// hardware exception, valid

	if (has_error && (vmcs_readnatural(VMCS_GUEST_CR0) & CR0_PE)) {
		info |= 1 << 11;
		vmcs_write32(VMCS_ENTRY_EXCEPTION_ERROR, error);
	}
	vmcs_write32(VMCS_ENTRY_INTR_INFO, info);
}

/*
 * Run guest env e on this CPU until it yields, is preempted or dies;
 * called by guest_run with the kernel lock held, on a fresh stack.
 * Does not return: it leaves through sched_yield or env_destroy.
 */
void
vmx_run_guest(struct Env *e)
{
	struct guest *g = e->env_vmxinfo;
	struct vmx_vcpu *v = g->vcpu;
	struct vmx_cpu *c = &vmx_cpus[cpunum()];
	uint32_t cpubit = 1U << cpunum();
	uint64_t host_kgs, t0, t1, slice_start = read_tsc();
	uint32_t timer = 0;
	int r, action;

	for (;;) {
		if (vmx_vcpu_load(g) < 0 || c->vmcs_failed) {
			cprintf("vmx: guest %08x: cannot load its VMCS on CPU %d\n",
				e->env_id, cpunum());
			break;
		}
		if (g->flush_cpus & cpubit) {
			if (invept(ept_pointer(g->ept)) < 0)
				break;
			g->flush_cpus &= ~cpubit;
		}
		if (!g->tsc_launch)
			g->tsc_launch = read_tsc();

		// The rest of this turn's slice (vmx_slice_timer).
		if (vmx_caps.pin & PIN_PREEMPTION_TIMER) {
			if (!(timer = vmx_slice_timer(slice_start)))
				goto yield;
			vmcs_write32(VMCS_PREEMPTION_TIMER, timer);
		}
		host_kgs = rdmsr(MSR_KERNEL_GS_BASE);
		wrmsr(MSR_KERNEL_GS_BASE, v->kernel_gs_base);
		// The preemption timer is the guest's tick: host ticks
		// would only cost it exits (lapic_timer_quiet).
		if (vmx_caps.pin & PIN_PREEMPTION_TIMER)
			lapic_timer_quiet(true);
		unlock_kernel();
		t0 = read_tsc();
		r = asm_vmrun(&e->env_tf, v->launched);
		t1 = read_tsc();
		lock_kernel();
		if (vmx_caps.pin & PIN_PREEMPTION_TIMER)
			lapic_timer_quiet(false);
		vmx_restore_host();
		v->kernel_gs_base = rdmsr(MSR_KERNEL_GS_BASE);
		wrmsr(MSR_KERNEL_GS_BASE, host_kgs);
		g->tsc_in_guest += t1 - t0;

		if (r != 0) {
			cprintf("vmx: guest %08x: %s failed: ", e->env_id,
				v->launched ? "VMRESUME" : "VMLAUNCH");
			if (r == 1)
				cprintf("VMfailInvalid\n");
			else
				cprintf("VM-instruction error %u\n",
					(unsigned) vmcs_read32(VMCS_INSTRUCTION_ERROR));
			break;
		}
		v->launched = true;
		// Destroyed by another CPU while it ran here: finish it now.
		if (e->env_status == ENV_DYING)
			break;
		vmx_sync_ia32e();
		action = vmexit(g, &e->env_tf);
		if (c->vmcs_failed)
			action = VMX_KILL;

		switch (action) {
		case VMX_RESUME:
			continue;
		case VMX_INTR:
			guest_cons_flush(g);
			// The interrupt is still pending: let it in through
			// the IDT, as into an idle kernel.  The handler may
			// schedule; otherwise it comes back here.  An env it
			// woke (a key for the host shell) runs at once.
			vmx_cpu_off();
			asm volatile("sti; nop; cli" : : : "memory");
			if (sched_runnable_hint())
				goto yield;
			continue;
		case VMX_YIELD:
		yield:
			guest_cons_flush(g);
			vmx_cpu_off();
			e->env_status = ENV_RUNNABLE;
			sched_yield();
		case VMX_BLOCK:
			// Not runnable now (a hypercall or HLT said so);
			// whoever wakes it makes it runnable again.
			guest_cons_flush(g);
			vmx_cpu_off();
			sched_yield();
		default:
			break;
		}
		break;
	}

	// The guest dies.
	vmx_cpu_off();
	c->vmcs_failed = false;
	env_destroy(e);
	panic("vmx_run_guest: env_destroy returned");
}

/* A short name for exit reason (its basic number). */
const char *
vmx_exit_name(int reason)
{
	static const char *const names[] = {
		[0] = "exception or NMI",
		[1] = "external interrupt",
		[2] = "triple fault",
		[3] = "INIT",
		[4] = "SIPI",
		[7] = "interrupt window",
		[8] = "NMI window",
		[9] = "task switch",
		[10] = "CPUID",
		[11] = "GETSEC",
		[12] = "HLT",
		[13] = "INVD",
		[14] = "INVLPG",
		[15] = "RDPMC",
		[16] = "RDTSC",
		[18] = "VMCALL",
		[19] = "VMCLEAR",
		[20] = "VMLAUNCH",
		[21] = "VMPTRLD",
		[22] = "VMPTRST",
		[23] = "VMREAD",
		[24] = "VMRESUME",
		[25] = "VMWRITE",
		[26] = "VMXOFF",
		[27] = "VMXON",
		[28] = "CR access",
		[29] = "MOV DR",
		[30] = "I/O instruction",
		[31] = "RDMSR",
		[32] = "WRMSR",
		[33] = "invalid guest state",
		[34] = "MSR loading",
		[36] = "MWAIT",
		[37] = "monitor trap flag",
		[39] = "MONITOR",
		[40] = "PAUSE",
		[41] = "machine check",
		[43] = "TPR below threshold",
		[44] = "APIC access",
		[46] = "GDTR/IDTR access",
		[47] = "LDTR/TR access",
		[48] = "EPT violation",
		[49] = "EPT misconfiguration",
		[50] = "INVEPT",
		[51] = "RDTSCP",
		[52] = "preemption timer",
		[53] = "INVVPID",
		[54] = "WBINVD",
		[55] = "XSETBV",
		[57] = "RDRAND",
		[58] = "INVPCID",
		[61] = "RDSEED",
		[63] = "XSAVES",
		[64] = "XRSTORS",
	};

	if (reason >= 0 && reason < (int) (sizeof(names) / sizeof(names[0])) && names[reason])
		return names[reason];
	return "other";
}
