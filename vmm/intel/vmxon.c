/*
 * VMX operation on each CPU and the VMX instructions.  Every VM
 * instruction's outcome is checked: VMfailInvalid (CF) or VMfailValid
 * (ZF, with the VM-instruction error field saying why) is printed and
 * returned as an error.
 *
 * A CPU enters VMX operation (VMXON) when it first runs a guest and
 * stays in it while guests exist.  A VMCS stays active on the CPU that
 * loaded it while other envs run there, other guests too, as KVM keeps
 * it: when its guest comes back to the same CPU (the usual case) its
 * next entry is a VMRESUME, after a VMPTRLD at most.  Only the CPU that
 * holds an active VMCS may write it back (VMCLEAR), so:
 *   - a guest whose VMCS is active on another CPU does not run here
 *     (vmx_vcpu_claim): it asks that CPU to let it go and waits,
 *     runnable, until that CPU next schedules (sched_yield calls
 *     vmx_cpu_release) and clears it; an interrupt sent to it makes
 *     that soon;
 *   - a guest that dies while its VMCS is active elsewhere leaves its
 *     pages to that CPU, which frees them after the VMCLEAR: the VMCS
 *     page is never reused while a CPU may still write to it;
 *   - once no guest is left, each CPU leaves VMX operation and frees its
 *     VMXON region at its next scheduling.
 * All of this is under the kernel lock.
 */
#include <inc/x86.h>
#include <inc/mmu.h>
#include <inc/error.h>
#include <inc/assert.h>

#include <kern/pmap.h>
#include <kern/cpu.h>
#include <kern/lapic.h>
#include <kern/trap.h>
#include <vmm/vm.h>
#include <vmm/intel/vmx.h>
#include <vmm/intel/vmcs.h>

/* VMX state of one CPU. */
struct vmx_cpu {
	void *vmxon_region;		// kernel address; NULL until first needed
	bool on;			// in VMX operation (between VMXON and VMXOFF)
	struct vmx_vcpu *current;	// the current VMCS here, or NULL
	struct vmx_vcpu *active;	// every VMCS active here (linked by next_active)
};
static struct vmx_cpu vmx_cpus[NCPU];

/*
 * Print why a VMREAD/VMWRITE of field failed, and remember it for the
 * virtual CPU whose VMCS is current: it dies at its next entry.
 */
void
vmcs_fail(const char *insn, uint32_t field, bool invalid)
{
	struct vmx_cpu *c = &vmx_cpus[cpunum()];

	if (c->current)
		c->current->vmcs_failed = true;
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

/*
 * Leave VMX operation (the caller has cleared the current VMCS); 0 or
 * -E_INVAL (the CPU stays in VMX operation).
 */
static int
vmxoff(void)
{
	uint8_t cf, zf;

	asm volatile("vmxoff; setc %0; setz %1" : "=q" (cf), "=q" (zf) : : "cc", "memory");
	return vmx_insn_result("VMXOFF", cf, zf);
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
int
vmx_invept(uint64_t eptp)
{
	struct { uint64_t eptp, zero; } desc = { eptp, 0 };
	uint64_t type = (vmx_caps.ept_vpid & EPT_CAP_INVEPT_SINGLE) ? 1 : 2;
	uint8_t cf, zf;

	asm volatile("invept %2, %3; setc %0; setz %1"
		     : "=q" (cf), "=q" (zf) : "m" (desc), "r" (type) : "cc", "memory");
	return vmx_insn_result("INVEPT", cf, zf);
}

/* ---- VMX operation on this CPU ---- */

/*
 * Put this CPU in VMX operation, if it is not already: a VMXON region
 * (allocated the first time), CR0 and CR4 as VMX requires them (caching
 * on, CR4.VMXE set), VMXON.  Returns 0 or a negative error.
 */
int
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
 * Write v's VMCS, active on this CPU c, back to memory: its guest may
 * now be loaded on any CPU (a VMLAUNCH next), and a dead one's pages
 * are freed.  Should VMCLEAR fail (vmclear reports it), the CPU may
 * still cache the VMCS and write it back later: a dead one's VMCS page
 * is then never reused (a page lost beats memory overwritten).
 */
static void
vmcs_clear(struct vmx_cpu *c, struct vmx_vcpu *v)
{
	struct vmx_vcpu **p;

	if (vmclear(PADDR(v->vmcs)) < 0 && v->dead)
		v->vmcs = NULL;		// page_free_kva(NULL) frees nothing
	for (p = &c->active; *p != v; p = &(*p)->next_active)
		assert(*p);
	*p = v->next_active;
	if (c->current == v)
		c->current = NULL;
	v->cpu = -1;
	v->launched = false;
	v->release_wanted = false;
	if (v->dead)
		vmx_vcpu_destroy(v);
}

/*
 * Write back every VMCS active on this CPU c that another CPU asked
 * for (its guest is to run there, or died); with all, every one.
 */
static void
vmcs_clear_asked(struct vmx_cpu *c, bool all)
{
	struct vmx_vcpu *v, *next;

	for (v = c->active; v; v = next) {
		next = v->next_active;
		if (all || v->release_wanted || v->dead)
			vmcs_clear(c, v);
	}
}

/*
 * Interrupt the other CPUs (a timer vector: each reschedules, or, idle,
 * looks whether vmx_cpu_pending), so that a request of this CPU's is
 * served without waiting for their next tick.
 */
static void
vmx_kick_others(void)
{
	lapic_ipi_all_others(IRQ_OFFSET + IRQ_TIMER);
}

/*
 * Leave VMX operation on this CPU once no guest is left: no VMCS may be
 * active here (a dead one is written back and freed first), VMXOFF,
 * CR4.VMXE off, the VMXON region freed.
 */
static void
vmx_cpu_off(void)
{
	struct vmx_cpu *c = &vmx_cpus[cpunum()];

	vmcs_clear_asked(c, true);
	// CR4.VMXE may be cleared only outside VMX operation.
	if (c->on && vmxoff() == 0) {
		lcr4(rcr4() & ~CR4_VMXE);
		c->on = false;
	}
	if (!c->on && c->vmxon_region) {
		page_free_kva(c->vmxon_region);
		c->vmxon_region = NULL;
	}
}

/*
 * Whether this CPU has work for the backend at its next scheduling: a
 * VMCS that another CPU waits for or whose guest died, or VMX operation
 * to leave.  Read without the kernel lock by an idle CPU woken by the
 * timer: a hint.
 */
bool
vmx_cpu_pending(void)
{
	struct vmx_cpu *c = &vmx_cpus[cpunum()];

	for (struct vmx_vcpu *v = c->active; v; v = v->next_active)
		if (v->release_wanted || v->dead)
			return true;
	return vmx_nvcpus == 0 && c->vmxon_region;
}

/*
 * This CPU is about to run another env or idle (sched_yield).  The
 * VMCSes active here stay so, but those another CPU asked for (or whose
 * guest died); with no guest left, the CPU leaves VMX operation.
 */
void
vmx_cpu_release(void)
{
	struct vmx_cpu *c = &vmx_cpus[cpunum()];

	vmcs_clear_asked(c, false);
	if (vmx_nvcpus == 0 && c->vmxon_region)
		vmx_cpu_off();
}

/*
 * Whether guest v may run on this CPU now (the scheduler asks, kernel
 * lock held): yes unless its VMCS is active on another CPU; then that
 * CPU is asked to write it back, and the guest waits, runnable, for it.
 */
bool
vmx_vcpu_claim(struct vcpu *vcpu)
{
	struct vmx_vcpu *v = vcpu->backend;

	if (!v || v->cpu < 0 || v->cpu == cpunum())
		return true;
	if (!v->release_wanted) {
		v->release_wanted = true;
		vmx_kick_others();
	}
	return false;
}

/*
 * The core frees v's guest (kernel lock held): its VMCS is written
 * back and its pages freed here, or, if it is active on another CPU,
 * by that CPU once it has cleared it.  The last guest to go takes this
 * CPU out of VMX operation, and the others at their next scheduling.
 */
void
vmx_vcpu_drop(struct vmx_vcpu *v)
{
	struct vmx_cpu *c = &vmx_cpus[cpunum()];

	v->dead = true;
	if (v->cpu == cpunum())
		vmcs_clear(c, v);
	else if (v->cpu >= 0)
		vmx_kick_others();
	else
		vmx_vcpu_destroy(v);
	if (vmx_nvcpus == 0) {
		vmx_cpu_off();
		vmx_kick_others();
	}
}

/*
 * Make virtual CPU v's VMCS current on this CPU, entering VMX operation
 * if needed.  If it is active here already (its guest ran here last),
 * VMPTRLD it if another is current, and write the host's control
 * registers again (the envs in between may have changed them); its
 * launch state stays.  Otherwise load it and write its host state
 * (filled the first time).  v's VMCS must not be active on another CPU
 * (vmx_vcpu_claim).  Returns 0 or a negative error (printed).
 */
int
vmx_vcpu_load(struct vcpu *vcpu)
{
	struct vmx_vcpu *v = vcpu->backend;
	struct vmx_cpu *c = &vmx_cpus[cpunum()];
	int r;

	if ((r = vmx_cpu_on()) < 0)
		return r;
	if (v->cpu == cpunum()) {
		if (c->current != v) {
			if ((r = vmptrld(PADDR(v->vmcs))) < 0)
				return r;
			c->current = v;
		}
		vmcs_writenatural(VMCS_HOST_CR0, rcr0());
		vmcs_writenatural(VMCS_HOST_CR3, rcr3());
		vmcs_writenatural(VMCS_HOST_CR4, rcr4());
		return 0;
	}
	if (v->cpu >= 0) {
		cprintf("vmx: guest %08x: its VMCS is active on CPU %d, not %d\n",
			vcpu->vm->env->env_id, v->cpu, cpunum());
		return -E_INVAL;
	}
	// A VMCS starts life with VMCLEAR (it sets the launch state).
	if (!v->initialized && (r = vmclear(PADDR(v->vmcs))) < 0)
		return r;
	if ((r = vmptrld(PADDR(v->vmcs))) < 0)
		return r;
	c->current = v;
	v->cpu = cpunum();
	v->next_active = c->active;
	c->active = v;
	v->launched = false;
	if (!v->initialized) {
		vmx_vmcs_init(v);
		v->initialized = true;
	}
	vmx_vmcs_host();
	return 0;
}

/* Whether a VMREAD or VMWRITE of the VMCS current here failed. */
bool
vmx_vmcs_failed(void)
{
	struct vmx_cpu *c = &vmx_cpus[cpunum()];

	return c->current && c->current->vmcs_failed;
}
