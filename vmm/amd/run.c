/*
 * The SVM backend's virtual CPUs, their ASIDs, the one guest entry
 * (svm_run), and the ops table the core reaches it through (svm_ops).
 */
#include <inc/x86.h>
#include <inc/mmu.h>
#include <inc/error.h>
#include <inc/string.h>
#include <inc/assert.h>

#include <kern/env.h>
#include <kern/pmap.h>
#include <kern/cpu.h>
#include <kern/lapic.h>
#include <vmm/vm.h>
#include <vmm/amd/svm.h>

#define SVM_MAX_ASIDS	256		// ASIDs handed out (at most the CPU's)

// The permission maps, the same for every guest: every port exits;
// every MSR exits but the ones VMLOAD/VMSAVE switch and reading the TSC.
// Physically contiguous (the kernel image is), as VMRUN needs.
static uint8_t svm_iopm[SVM_IOPM_SIZE] __attribute__((aligned(PGSIZE)));
static uint8_t svm_msrpm[SVM_MSRPM_SIZE] __attribute__((aligned(PGSIZE)));

static bool asid_used[SVM_MAX_ASIDS];	// 0 is the host's
static int svm_nvcpus;

/*
 * Let the guest read (and, with write, also write) msr without an
 * exit.  Two bits an MSR, read then write, in three ranges of 8192.
 */
static void
svm_pass_msr(uint32_t msr, bool write)
{
	uint32_t base = msr >= 0xC0010000 ? 0x1000 : msr >= 0xC0000000 ? 0x800 : 0;
	uint32_t bit = (msr & 0x1FFF) * 2;

	svm_msrpm[base + bit / 8] &= ~(1 << (bit % 8));
	if (write)
		svm_msrpm[base + bit / 8] &= ~(2 << (bit % 8));
}

/* Fill the permission maps (once). */
static void
svm_maps_init(void)
{
	static bool done;

	if (done)
		return;
	memset(svm_iopm, 0xFF, sizeof(svm_iopm));
	memset(svm_msrpm, 0xFF, sizeof(svm_msrpm));
	svm_pass_msr(MSR_FS_BASE, true);
	svm_pass_msr(MSR_GS_BASE, true);
	svm_pass_msr(MSR_KERNEL_GS_BASE, true);
	svm_pass_msr(0xC0000081, true);		// STAR
	svm_pass_msr(0xC0000082, true);		// LSTAR
	svm_pass_msr(0xC0000083, true);		// CSTAR
	svm_pass_msr(0xC0000084, true);		// SFMASK
	svm_pass_msr(0x174, true);		// SYSENTER_CS
	svm_pass_msr(0x175, true);		// SYSENTER_ESP
	svm_pass_msr(0x176, true);		// SYSENTER_EIP
	svm_pass_msr(0x10, false);		// TSC, read only
	done = true;
}

/*
 * A free ASID, or 0 if none is left.  One freed earlier may still have
 * translations cached on some CPU: the vCPU flushes on every CPU before
 * it first runs there (flush_cpus).
 */
static uint32_t
svm_asid_alloc(void)
{
	uint32_t n = svm_caps.nasids < SVM_MAX_ASIDS ? svm_caps.nasids : SVM_MAX_ASIDS;

	for (uint32_t a = 1; a < n; a++)
		if (!asid_used[a]) {
			asid_used[a] = true;
			return a;
		}
	return 0;
}

/*
 * Give virtual CPU v a VMCB for a guest that starts in real mode at
 * rip, and an ASID.  0, -E_NO_MEM, or -E_NO_FREE_ENV when every
 * ASID is taken; nothing is kept on failure.
 */
static int
svm_vcpu_create(struct vcpu *vcpu, uint64_t rip)
{
	struct svm_vcpu *v;

	svm_maps_init();
	static_assert(sizeof(struct svm_vcpu) <= PGSIZE);
	if (!(v = page_alloc_kva()))
		return -E_NO_MEM;
	if (!(v->vmcb = page_alloc_kva())) {
		page_free_kva(v);
		return -E_NO_MEM;
	}
	if (!(v->asid = svm_asid_alloc())) {
		cprintf("svm: every ASID is taken\n");
		page_free_kva(v->vmcb);
		page_free_kva(v);
		return -E_NO_FREE_ENV;
	}
	svm_vmcb_init(v->vmcb, rip, v->asid, PADDR(svm_iopm), PADDR(svm_msrpm),
		      PADDR(vcpu->vm->map));
	v->last_cpu = -1;
	v->flush_cpus = ~0U;
	vcpu->backend = v;
	svm_nvcpus++;
	return 0;
}

/* Free virtual CPU v's VMCB and ASID; the last one also frees the CPUs' pages. */
static void
svm_vcpu_free(struct vcpu *vcpu)
{
	struct svm_vcpu *v = vcpu->backend;

	if (!v)
		return;
	asid_used[v->asid] = false;
	page_free_kva(v->vmcb);
	page_free_kva(v);
	vcpu->backend = NULL;
	if (--svm_nvcpus == 0)
		svm_cpu_free_all();
}

/*
 * A turn of v on this CPU begins: SVM on here, and, if v last ran
 * elsewhere, its translations flushed here and no VMCB field taken as
 * cached.  0, or an error after one line saying why.
 */
static int
svm_turn_begin(struct vcpu *vcpu)
{
	struct svm_vcpu *v = vcpu->backend;
	int cpu = cpunum();

	if (svm_cpu_enable() < 0)
		return -E_NO_MEM;
	if (v->last_cpu != cpu) {
		v->flush_cpus |= 1U << cpu;
		v->vmcb->clean = 0;
		v->last_cpu = cpu;
	}
	return 0;
}

/* The turn ends: VMRUN and svm_world_switch left the host whole. */
static void
svm_turn_end(struct vcpu *vcpu)
{
}

/* Nothing of a guest stays in a CPU between turns (a VMCB is memory). */
static void
svm_cpu_release(void)
{
}

/* Every CPU must flush the guest's translations before it next enters it. */
static void
svm_map_invalidate(struct vcpu *vcpu)
{
	struct svm_vcpu *v = vcpu->backend;

	v->flush_cpus = ~0U;
}

/*
 * The exit a host interrupt makes, without entering the guest: for one
 * that waited in the APIC at the guest's last exit.  Bochs 2.7 never
 * makes that exit while the guest runs with RFLAGS.IF clear (it masks
 * the APIC by the guest's IF when VMRUN loads it, whatever
 * V_INTR_MASKING says), so a guest with interrupts off that exits all
 * the time would otherwise keep the host from its timer for good.  On
 * a CPU that does exit, the interrupt came in after the exit: the
 * guest would only exit again at once.
 */
static bool
svm_owed_intr(struct svm_vcpu *v, struct vm_exit *x)
{
	if (!v->intr_owed)
		return false;
	v->intr_owed = false;
	memset(x, 0, sizeof(*x));
	x->reason = VM_EXIT_INTR;
	x->raw_reason = SVM_EXIT_INTR;
	return true;
}

/*
 * Enter virtual CPU v's guest on this CPU until it exits, then decode
 * the exit into *x; between svm_turn_begin and svm_turn_end.  The
 * host's timer ends slices (an interrupt exit), so deadline is not
 * used.  VM_RUN_FAILED is not returned: a refused guest state is the
 * exit VMEXIT_INVALID, which the core reports.
 */
static enum vm_run_result
svm_run(struct vcpu *vcpu, struct Trapframe *tf, uint64_t deadline, struct vm_exit *x)
{
	struct svm_vcpu *v = vcpu->backend;
	struct vmcb *vmcb = v->vmcb;
	uint32_t bit = 1U << cpunum();
	uint64_t t0, t1;

	if (svm_owed_intr(v, x) || svm_step_owed(vcpu, x))
		return VM_RUN_EXITED;
again:
	if (v->flush_cpus & bit) {
		vmcb->tlb_control = (svm_caps.features & SVM_FEAT_FLUSH_ASID)
			? TLB_FLUSH_ASID : TLB_FLUSH_ALL;
		v->flush_cpus &= ~bit;
	} else
		vmcb->tlb_control = TLB_NOTHING;
	if (!(svm_caps.features & SVM_FEAT_VMCB_CLEAN))
		vmcb->clean = 0;
	vmcb->rax = tf->tf_regs.reg_rax;
	t0 = read_tsc();
	svm_world_switch(tf, PADDR(vmcb), svm_host_save_pa(), svm_debug_dr7(vcpu));
	t1 = read_tsc();
	vcpu->tsc_in_guest += t1 - t0;
	tf->tf_regs.reg_rax = vmcb->rax;
	vmcb->eventinj = 0;		// delivered (or back in EXITINTINFO)
	// What the monitor changes before the next entry clears its bit
	// (VMCB_CLEAN_*), where the CPU caches at all.
	vmcb->clean = (svm_caps.features & SVM_FEAT_VMCB_CLEAN) ? VMCB_CLEAN_ALL : 0;
	memset(x, 0, sizeof(*x));
	if (svm_decode_exit(vcpu, x, tf))
		goto again;		// the guest's own INT n, delivered

	v->intr_owed = x->reason != VM_EXIT_INTR && lapic_irq_waiting();
	return VM_RUN_EXITED;
}

const struct vmm_ops svm_ops = {
	.probe = svm_probe,
	.vcpu_create = svm_vcpu_create,
	.vcpu_free = svm_vcpu_free,
	.vcpu_load = svm_turn_begin,
	.run = svm_run,
	.vcpu_put = svm_turn_end,
	.cpu_release = svm_cpu_release,
	.get_reg = svm_get_reg,
	.set_reg = svm_set_reg,
	.inject = svm_inject,
	.event_pending = svm_event_pending,
	.intr_window = svm_intr_window,
	.map_alloc = npt_map_alloc,
	.map_free = npt_map_free,
	.map_insert = npt_map_insert,
	.map_lookup = npt_map_lookup,
	.map_invalidate = svm_map_invalidate,
	.map_selftest = npt_selftest,
	.set_debug = svm_set_debug,
	.check_hwbp = svm_check_hwbp,
	.exit_name = svm_exit_name,
};
