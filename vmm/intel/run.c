/*
 * The VT-x backend's virtual CPUs and its one guest entry (vmx_run),
 * and the ops table the core reaches it through (vmx_ops).
 */
#include <inc/x86.h>
#include <inc/mmu.h>
#include <inc/error.h>
#include <inc/string.h>
#include <inc/assert.h>

#include <kern/env.h>
#include <kern/pmap.h>
#include <kern/cpu.h>
#include <kern/trap.h>
#include <kern/spinlock.h>
#include <kern/lapic.h>
#include <vmm/vm.h>
#include <vmm/intel/vmx.h>
#include <vmm/intel/vmcs.h>
#include <vmm/intel/vmrun.h>
#include <vmm/intel/ept.h>

int asm_vmrun(struct Trapframe *tf, int launched);	// vmrun.S

int vmx_nvcpus;				// live virtual CPUs (vmx.h)

/* vmrun.S's offsets are struct Trapframe's (vmrun.h). */
static void __attribute__((unused))
vmrun_offsets_match(void)
{
	static_assert(offsetof(struct Trapframe, tf_regs) == 0);
	static_assert(offsetof(struct PushRegs, reg_r15) == TF_R15);
	static_assert(offsetof(struct PushRegs, reg_r14) == TF_R14);
	static_assert(offsetof(struct PushRegs, reg_r13) == TF_R13);
	static_assert(offsetof(struct PushRegs, reg_r12) == TF_R12);
	static_assert(offsetof(struct PushRegs, reg_r11) == TF_R11);
	static_assert(offsetof(struct PushRegs, reg_r10) == TF_R10);
	static_assert(offsetof(struct PushRegs, reg_r9) == TF_R9);
	static_assert(offsetof(struct PushRegs, reg_r8) == TF_R8);
	static_assert(offsetof(struct PushRegs, reg_rsi) == TF_RSI);
	static_assert(offsetof(struct PushRegs, reg_rdi) == TF_RDI);
	static_assert(offsetof(struct PushRegs, reg_rbp) == TF_RBP);
	static_assert(offsetof(struct PushRegs, reg_rdx) == TF_RDX);
	static_assert(offsetof(struct PushRegs, reg_rcx) == TF_RCX);
	static_assert(offsetof(struct PushRegs, reg_rbx) == TF_RBX);
	static_assert(offsetof(struct PushRegs, reg_rax) == TF_RAX);
}

/*
 * MSRs that VM entry and exit leave alone but a 64-bit guest owns
 * (SWAPGS's base, SYSCALL's targets and flag mask): the guest's values
 * are loaded at the start of each turn and the host's put back at its
 * end, so the guest reaches them without exits and no other guest (nor
 * the host) sees them.
 */
static const uint32_t vmx_switched_msrs[VMX_NSWITCHED] = {
	MSR_KERNEL_GS_BASE, MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SFMASK,
};

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
 * Give virtual CPU v of a guest a VT-x state that will start in real
 * mode at rip: a VMCS region, I/O bitmaps that make every port exit,
 * and an MSR bitmap that makes every MSR exit but the segment bases, the
 * SYSENTER and SYSCALL MSRs and reading the TSC.  Returns 0 or -E_NO_MEM (and keeps nothing).
 */
static int
vmx_vcpu_create(struct vcpu *vcpu, uint64_t rip)
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
	vmx_pass_msr(v, MSR_FS_BASE, true);		// in the VMCS
	vmx_pass_msr(v, MSR_GS_BASE, true);
	vmx_pass_msr(v, MSR_SYSENTER_CS, true);
	vmx_pass_msr(v, MSR_SYSENTER_ESP, true);
	vmx_pass_msr(v, MSR_SYSENTER_EIP, true);
	for (int i = 0; i < VMX_NSWITCHED; i++)		// switched per turn
		vmx_pass_msr(v, vmx_switched_msrs[i], true);
	vmx_pass_msr(v, MSR_IA32_TSC, false);

	v->rip0 = rip;
	v->cpu = -1;			// its VMCS is active nowhere yet
	v->eptp = ept_pointer(vcpu->vm->map);
	// Any CPU may hold translations cached under a reused root's
	// address: each flushes before it first enters this guest.
	v->flush_cpus = ~0U;
	vcpu->backend = v;
	vmx_nvcpus++;
	return 0;
}

/* Free the pages of xv, whose VMCS is active on no CPU. */
void
vmx_vcpu_destroy(struct vmx_vcpu *xv)
{
	page_free_kva(xv->vmcs);
	page_free_kva(xv->io_bitmap_a);
	page_free_kva(xv->io_bitmap_b);
	page_free_kva(xv->msr_bitmap);
	page_free_kva(xv);
}

/*
 * Free virtual CPU v's VT-x state (the guest does not run).  Its VMCS
 * may still be active on a CPU: that CPU writes it back before the
 * pages go (vmx_vcpu_drop).  The last one to go also takes the CPUs
 * out of VMX operation, so that no page stays taken.
 */
static void
vmx_vcpu_free(struct vcpu *vcpu)
{
	struct vmx_vcpu *v = vcpu->backend;

	if (!v)
		return;
	if (v->cpu >= 0 && v->cpu != cpunum())
		cprintf("vmx: guest %08x: its VMCS is active on CPU %d, which clears it "
			"before the pages are freed\n", vcpu->vm->env->env_id, v->cpu);
	vcpu->backend = NULL;
	vmx_nvcpus--;
	vmx_vcpu_drop(v);
}

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
 * A turn of virtual CPU v on this CPU begins: its VMCS current here
 * (VMX operation entered, the VMCS loaded and filled if it is not
 * current already), the guest's switched MSRs (vmx_switched_msrs) in place, and the
 * host's timer quiet: the preemption timer is the guest's tick, and a
 * host tick would only cost it an exit.  Kernel lock held.  0, or an
 * error after one line saying why.
 */
static int
vmx_turn_begin(struct vcpu *vcpu)
{
	struct vmx_vcpu *v;

	if (vmx_vcpu_load(vcpu) < 0 || vmx_vmcs_failed()) {
		cprintf("vmx: guest %08x: cannot load its VMCS on CPU %d\n",
			vcpu->vm->env->env_id, cpunum());
		return -E_INVAL;
	}
	v = vcpu->backend;
	v->cpubit = 1U << cpunum();
	for (int i = 0; i < VMX_NSWITCHED; i++) {
		v->host_msrs[i] = rdmsr(vmx_switched_msrs[i]);
		wrmsr(vmx_switched_msrs[i], v->guest_msrs[i]);
	}
	if (vmx_caps.pin & PIN_PREEMPTION_TIMER)
		lapic_timer_quiet(true);
	return 0;
}

/*
 * The turn ends: the host's descriptor tables, segments, MSR and timer
 * as they were.  The VMCS stays current on this CPU, while other envs
 * run too, until another CPU wants the guest or it dies (vmxon.c).
 */
static void
vmx_turn_end(struct vcpu *vcpu)
{
	struct vmx_vcpu *v = vcpu->backend;

	if (vmx_caps.pin & PIN_PREEMPTION_TIMER)
		lapic_timer_quiet(false);
	vmx_restore_host();
	for (int i = 0; i < VMX_NSWITCHED; i++) {
		v->guest_msrs[i] = rdmsr(vmx_switched_msrs[i]);
		wrmsr(vmx_switched_msrs[i], v->host_msrs[i]);
	}
}

/* Every CPU must flush the guest's translations before it next enters it. */
static void
vmx_map_invalidate(struct vcpu *vcpu)
{
	struct vmx_vcpu *v = vcpu->backend;

	v->flush_cpus = ~0U;
}

/*
 * The preemption timer's value for the rest of a slice that ends at
 * TSC deadline; 0 if it is over.
 */
static uint32_t
vmx_slice_timer(uint64_t deadline)
{
	uint64_t now = read_tsc(), ticks;

	if (now >= deadline)
		return 0;
	ticks = (deadline - now) >> vmx_caps.timer_shift;
	return ticks == 0 ? 1 : ticks > 0xFFFFFFFF ? 0xFFFFFFFF : ticks;
}

/* Say why VMLAUNCH or VMRESUME (launched) failed with asm_vmrun result r. */
static void
vmx_entry_failed(struct vcpu *vcpu, bool launched, int r)
{
	cprintf("vmx: guest %08x: %s failed: ", vcpu->vm->env->env_id,
		launched ? "VMRESUME" : "VMLAUNCH");
	if (r == VMRUN_FAIL_INVALID)
		cprintf("VMfailInvalid\n");
	else
		cprintf("VM-instruction error %u\n",
			(unsigned) vmcs_read32(VMCS_INSTRUCTION_ERROR));
}

/*
 * Enter virtual CPU v's guest on this CPU until it exits, then decode
 * the exit into *x; between vmx_turn_begin and vmx_turn_end, with or
 * without the kernel lock.  Cached translations are flushed first if
 * the map changed.  deadline: the TSC at which the slice ends (the
 * VMX-preemption timer ends it); an ended slice exits with
 * VM_EXIT_SLICE_END without entering.  VM_RUN_FAILED after one line
 * saying why.
 */
static enum vm_run_result
vmx_run(struct vcpu *vcpu, struct Trapframe *tf, uint64_t deadline, struct vm_exit *x)
{
	struct vmx_vcpu *v = vcpu->backend;
	uint64_t t0, t1;
	int r;

	// (Its VMCS is current here: v's flags are this CPU's.)
	if (v->vmcs_failed)
		return VM_RUN_FAILED;
	if (v->flush_cpus & v->cpubit) {
		if (vmx_invept(v->eptp) < 0)
			return VM_RUN_FAILED;
		v->flush_cpus &= ~v->cpubit;
	}
	if ((vmx_caps.pin & PIN_PREEMPTION_TIMER) && deadline) {
		uint32_t left = vmx_slice_timer(deadline);
		if (!left) {
			memset(x, 0, sizeof(*x));
			x->reason = VM_EXIT_SLICE_END;
			x->raw_reason = EXIT_REASON_PREEMPTION_TIMER;
			return VM_RUN_EXITED;
		}
		vmcs_write32(VMCS_PREEMPTION_TIMER, left);
	}
	t0 = read_tsc();
	r = asm_vmrun(tf, v->launched);
	t1 = read_tsc();
	vcpu->tsc_in_guest += t1 - t0;

	if (r != VMRUN_EXITED) {
		vmx_entry_failed(vcpu, v->launched, r);
		return VM_RUN_FAILED;
	}
	v->launched = true;
	vmx_sync_ia32e();
	vmx_decode_exit(x, tf);
	// A VMREAD or VMWRITE failed: the exit cannot be trusted.
	return v->vmcs_failed ? VM_RUN_FAILED : VM_RUN_EXITED;
}

const struct vmm_ops vmx_ops = {
	.probe = vmx_probe,
	.vcpu_create = vmx_vcpu_create,
	.vcpu_free = vmx_vcpu_free,
	.vcpu_load = vmx_turn_begin,
	.run = vmx_run,
	.vcpu_put = vmx_turn_end,
	.cpu_release = vmx_cpu_release,
	.cpu_pending = vmx_cpu_pending,
	.vcpu_claim = vmx_vcpu_claim,
	.get_reg = vmx_get_reg,
	.set_reg = vmx_set_reg,
	.set_debug = vmx_set_debug,
	.inject = vmx_inject,
	.event_pending = vmx_event_pending,
	.intr_window = vmx_intr_window,
	.map_alloc = vmx_map_alloc,
	.map_free = vmx_map_free,
	.map_insert = vmx_map_insert,
	.map_lookup = vmx_map_lookup,
	.map_invalidate = vmx_map_invalidate,
	.map_selftest = ept_selftest,
	.exit_name = vmx_exit_name,
};
