/*
 * A VMCB's contents: the intercepts and the guest's starting state,
 * the guest registers the core reads and writes (enum vm_reg), and
 * event injection (EVENTINJ).
 */
#include <inc/x86.h>
#include <inc/mmu.h>
#include <inc/assert.h>

#include <vmm/vm.h>
#include <vmm/amd/svm.h>

/* The VMCB layout in svm.h is the APM's (appendix B). */
static void __attribute__((unused))
vmcb_offsets_match(void)
{
	static_assert(offsetof(struct vmcb, iopm_pa) == 0x040);
	static_assert(offsetof(struct vmcb, asid) == 0x058);
	static_assert(offsetof(struct vmcb, exitcode) == 0x070);
	static_assert(offsetof(struct vmcb, np_enable) == 0x090);
	static_assert(offsetof(struct vmcb, eventinj) == 0x0a8);
	static_assert(offsetof(struct vmcb, nrip) == 0x0c8);
	static_assert(offsetof(struct vmcb, es) == 0x400);
	static_assert(offsetof(struct vmcb, tr) == 0x490);
	static_assert(offsetof(struct vmcb, cpl) == 0x4cb);
	static_assert(offsetof(struct vmcb, efer) == 0x4d0);
	static_assert(offsetof(struct vmcb, cr4) == 0x548);
	static_assert(offsetof(struct vmcb, rip) == 0x578);
	static_assert(offsetof(struct vmcb, rsp) == 0x5d8);
	static_assert(offsetof(struct vmcb, rax) == 0x5f8);
	static_assert(offsetof(struct vmcb, kernel_gs_base) == 0x620);
	static_assert(offsetof(struct vmcb, cr2) == 0x640);
	static_assert(offsetof(struct vmcb, g_pat) == 0x668);
	static_assert(sizeof(struct vmcb) <= PGSIZE);
	static_assert(sizeof(struct vmcb_seg) == 16);
	static_assert(SVM_NSLOTS < VM_NEXITS);
}

/* Segment s as real mode leaves it: selector sel, base sel * 16, 64 KiB. */
static void
vmcb_real_seg(struct vmcb_seg *s, uint16_t sel, uint16_t attrib)
{
	s->sel = sel;
	s->base = (uint64_t) sel << 4;
	s->limit = 0xFFFF;
	s->attrib = attrib;
}

/*
 * Fill the zeroed VMCB for a guest that starts in 16-bit real mode at
 * rip, paging off, on ASID asid, with the permission maps at iopm and
 * msrpm and the nested page tables at ncr3.  Intercepted: CPUID, HLT,
 * INVD, XSETBV, every port and MSR the maps name, host interrupts and
 * NMIs, shutdown, and every SVM instruction (VMRUN must be).
 */
void
svm_vmcb_init(struct vmcb *vmcb, uint64_t rip, uint32_t asid,
	      physaddr_t iopm, physaddr_t msrpm, physaddr_t ncr3)
{
	uint16_t cs = (rip >> 4) & 0xF000;

	vmcb->icpt_misc1 = ICPT1_INTR | ICPT1_NMI | ICPT1_SMI | ICPT1_INIT | ICPT1_VINTR
		| ICPT1_CPUID | ICPT1_INVD | ICPT1_HLT | ICPT1_INVLPGA | ICPT1_IOIO
		| ICPT1_MSR | ICPT1_SHUTDOWN;
	vmcb->icpt_misc2 = ICPT2_VMRUN | ICPT2_VMMCALL | ICPT2_VMLOAD | ICPT2_VMSAVE
		| ICPT2_STGI | ICPT2_CLGI | ICPT2_SKINIT | ICPT2_XSETBV;
	vmcb->iopm_pa = iopm;
	vmcb->msrpm_pa = msrpm;
	vmcb->asid = asid;
	vmcb->tlb_control = TLB_FLUSH_ALL;
	vmcb->vintr = VINTR_MASKING;	// the host's IF decides host interrupts
	vmcb->np_enable = 1;
	vmcb->n_cr3 = ncr3;
	vmcb->clean = 0;		// nothing cached yet

	// Real mode: CS:IP reaches rip; accessed execute/read code (0x9b)
	// and read/write data (0x93); a busy 32-bit TSS and an LDT at 0.
	vmcb_real_seg(&vmcb->cs, cs, 0x9B);
	vmcb_real_seg(&vmcb->ds, 0, 0x93);
	vmcb_real_seg(&vmcb->es, 0, 0x93);
	vmcb_real_seg(&vmcb->ss, 0, 0x93);
	vmcb_real_seg(&vmcb->fs, 0, 0x93);
	vmcb_real_seg(&vmcb->gs, 0, 0x93);
	vmcb_real_seg(&vmcb->tr, 0, 0x8B);
	vmcb_real_seg(&vmcb->ldtr, 0, 0x82);
	vmcb->gdtr.limit = 0xFFFF;
	vmcb->idtr.limit = 0x3FF;	// the real-mode interrupt vector table

	vmcb->cr0 = CR0_ET;
	vmcb->efer = EFER_SVME;		// VMRUN insists; the guest never sees it
	vmcb->dr6 = 0xFFFF0FF0;
	vmcb->dr7 = 0x400;
	vmcb->rflags = 0x2;
	vmcb->rip = rip & 0xFFFF;
	vmcb->rsp = rip & 0xFFFF;	// stack below the boot code
	vmcb->g_pat = 0x0007040600070406UL;	// the power-on PAT
}

/* Guest register reg (enum vm_reg) of virtual CPU v. */
uint64_t
svm_get_reg(struct vcpu *v, enum vm_reg reg)
{
	struct vmcb *vmcb = ((struct svm_vcpu *) v->backend)->vmcb;

	switch (reg) {
	case VM_REG_RIP:
		return vmcb->rip;
	case VM_REG_RSP:
		return vmcb->rsp;
	case VM_REG_RFLAGS:
		return vmcb->rflags;
	case VM_REG_CR0:
		return vmcb->cr0;
	case VM_REG_CR3:
		return vmcb->cr3;
	case VM_REG_CR4:
		return vmcb->cr4;
	case VM_REG_EFER:
		return vmcb->efer & ~(uint64_t) EFER_SVME;
	case VM_REG_CPL:
		return vmcb->cpl;
	case VM_REG_INTR_SHADOW:
		return vmcb->int_state & 1;
	case VM_REG_CS:
		return vmcb->cs.sel;
	case VM_REG_SS:
		return vmcb->ss.sel;
	case VM_REG_DS:
		return vmcb->ds.sel;
	case VM_REG_ES:
		return vmcb->es.sel;
	case VM_REG_FS:
		return vmcb->fs.sel;
	case VM_REG_GS:
		return vmcb->gs.sel;
	}
	panic("svm_get_reg: register %d", reg);
}

/*
 * Set guest register reg of virtual CPU v to value.  EFER keeps SVME,
 * which VMRUN requires and the guest does not see.  The CPU tracks
 * long mode itself: no control follows EFER.LMA as on VT-x.
 */
void
svm_set_reg(struct vcpu *v, enum vm_reg reg, uint64_t value)
{
	struct vmcb *vmcb = ((struct svm_vcpu *) v->backend)->vmcb;

	switch (reg) {
	case VM_REG_RIP:
		vmcb->rip = value;
		return;
	case VM_REG_RSP:
		vmcb->rsp = value;
		return;
	case VM_REG_RFLAGS:
		vmcb->rflags = value;
		return;
	case VM_REG_CR0:
		vmcb->cr0 = value;
		vmcb->clean = 0;
		return;
	case VM_REG_CR3:
		vmcb->cr3 = value;
		vmcb->clean = 0;
		return;
	case VM_REG_CR4:
		vmcb->cr4 = value;
		vmcb->clean = 0;
		return;
	case VM_REG_EFER:
		vmcb->efer = value | EFER_SVME;
		vmcb->clean = 0;
		return;
	case VM_REG_INTR_SHADOW:
		vmcb->int_state = (vmcb->int_state & ~1UL) | (value ? 1 : 0);
		return;
	default:	// CPL, selectors: read only
		break;
	}
	panic("svm_set_reg: register %d", reg);
}

/*
 * Deliver event ev at the next VMRUN (EVENTINJ).  SVM pushes the RIP
 * in the VMCB: for a software interrupt, RIP moves past its
 * instruction first; INT3 and INTO are delivered as the exceptions
 * they raise.
 */
void
svm_inject(struct vcpu *v, const struct vm_event *ev)
{
	struct vmcb *vmcb = ((struct svm_vcpu *) v->backend)->vmcb;
	uint64_t type, e;

	switch (ev->type) {
	case VM_EVENT_EXTINT:
		type = EVENT_TYPE_INTR;
		break;
	case VM_EVENT_NMI:
		type = EVENT_TYPE_NMI;
		break;
	case VM_EVENT_SOFT_INTR:
	case VM_EVENT_PRIV_SOFT:
		type = EVENT_TYPE_SOFT;
		vmcb->rip += ev->insn_len;
		break;
	case VM_EVENT_SOFT_EXC:
		type = EVENT_TYPE_EXC;
		vmcb->rip += ev->insn_len;
		break;
	default:
		type = EVENT_TYPE_EXC;
		break;
	}
	e = ev->vector | (type << 8) | EVENT_VALID;
	if (ev->has_error)
		e |= EVENT_HAS_ERROR | ((uint64_t) ev->error << 32);
	vmcb->eventinj = e;
}

/* Whether an event waits in EVENTINJ for the next VMRUN. */
bool
svm_event_pending(struct vcpu *v)
{
	struct vmcb *vmcb = ((struct svm_vcpu *) v->backend)->vmcb;

	return (vmcb->eventinj & EVENT_VALID) != 0;
}

/*
 * Exit (VINTR) as soon as the guest can take an external interrupt,
 * with on: a virtual interrupt is made pending (V_IRQ, TPR ignored) and
 * its delivery intercepted, so the guest never takes it itself.
 */
void
svm_intr_window(struct vcpu *v, bool on)
{
	struct vmcb *vmcb = ((struct svm_vcpu *) v->backend)->vmcb;
	uint64_t vintr = on ? (vmcb->vintr | VINTR_IRQ | VINTR_IGN_TPR)
		: (vmcb->vintr & ~(VINTR_IRQ | VINTR_IGN_TPR));
	uint32_t misc1 = on ? (vmcb->icpt_misc1 | ICPT1_VINTR)
		: (vmcb->icpt_misc1 & ~ICPT1_VINTR);

	if (vintr != vmcb->vintr || misc1 != vmcb->icpt_misc1) {
		vmcb->vintr = vintr;
		vmcb->icpt_misc1 = misc1;
		vmcb->clean = 0;	// intercepts and TPR are cached state
	}
}
