/*
 * VMX operation on each CPU and the VMX instructions.  Every VM
 * instruction's outcome is checked: VMfailInvalid (CF) or VMfailValid
 * (ZF, with the VM-instruction error field saying why) is printed and
 * returned as an error.
 *
 * VMX operation is entered (VMXON) when a CPU starts running a guest
 * and left (VMCLEAR, VMXOFF) when that CPU runs something else or idles
 * (sched_yield: vmx_cpu_release) or the guest dies; a host interrupt
 * taken from the guest keeps both, since its handler comes straight
 * back to the same guest.  So a guest that is not running has its VMCS
 * in memory and current on no CPU: it may be scheduled on any CPU next
 * (VMPTRLD there, host state rewritten, VMLAUNCH), and it may be freed
 * from any CPU.
 */
#include <inc/x86.h>
#include <inc/mmu.h>
#include <inc/error.h>
#include <inc/assert.h>

#include <kern/pmap.h>
#include <kern/cpu.h>
#include <vmm/vm.h>
#include <vmm/intel/vmx.h>
#include <vmm/intel/vmcs.h>

/* VMX state of one CPU. */
struct vmx_cpu {
	void *vmxon_region;		// kernel address; NULL until first needed
	bool on;			// in VMX operation (between VMXON and VMXOFF)
	struct vmx_vcpu *current;	// the VMCS loaded here, or NULL
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
 * Take this CPU out of VMX operation: write its current VMCS back to
 * memory (VMCLEAR; the next entry of that guest is a VMLAUNCH), VMXOFF,
 * CR4.VMXE off.
 */
void
vmx_cpu_off(void)
{
	struct vmx_cpu *c = &vmx_cpus[cpunum()];

	if (c->current) {
		vmclear(PADDR(c->current->vmcs));
		c->current->launched = false;
		c->current = NULL;
	}
	// CR4.VMXE may be cleared only outside VMX operation.
	if (c->on && vmxoff() == 0) {
		lcr4(rcr4() & ~CR4_VMXE);
		c->on = false;
	}
}

/* Free the VMXON regions once no guest is left (no CPU is in VMX operation). */
void
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

/*
 * Make virtual CPU v's VMCS current on this CPU, entering VMX operation
 * if needed; the first time, fill it.  Returns 0 or a negative error
 * (printed).
 */
int
vmx_vcpu_load(struct vcpu *vcpu)
{
	struct vmx_vcpu *v = vcpu->backend;
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
		vmx_vmcs_init(v);
		v->initialized = true;
	}
	vmx_vmcs_host();
	return 0;
}

/* Whether xv's VMCS is current on some CPU. */
bool
vmx_vcpu_is_loaded(struct vmx_vcpu *xv)
{
	for (int i = 0; i < NCPU; i++)
		if (vmx_cpus[i].current == xv)
			return true;
	return false;
}

/* Whether a VMREAD or VMWRITE of the VMCS current here failed. */
bool
vmx_vmcs_failed(void)
{
	struct vmx_cpu *c = &vmx_cpus[cpunum()];

	return c->current && c->current->vmcs_failed;
}
