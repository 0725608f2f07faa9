/*
 * The SVM exit codes in the core's terms: each exit becomes a struct
 * vm_exit (reason, instruction length, port, guest-physical address,
 * MSR), and each code a slot of the core's exit statistics with a
 * short name.  Called right after the exit.
 */
#include <inc/trap.h>
#include <inc/string.h>

#include <vmm/vm.h>
#include <vmm/amd/svm.h>

/* The core's reason for SVM exit code c. */
static enum vm_exit_reason
svm_reason(uint64_t c)
{
	switch (c) {
	case SVM_EXIT_INTR:
	case SVM_EXIT_NMI:
	case SVM_EXIT_SMI:
	case SVM_EXIT_INIT:
		return VM_EXIT_INTR;
	case SVM_EXIT_VINTR:
		return VM_EXIT_INTR_WINDOW;
	case SVM_EXIT_CPUID:
		return VM_EXIT_CPUID;
	case SVM_EXIT_HLT:
		return VM_EXIT_HLT;
	case SVM_EXIT_INVD:
		return VM_EXIT_INVD;
	case SVM_EXIT_VMMCALL:
		return VM_EXIT_HYPERCALL;
	case SVM_EXIT_VMRUN:
	case SVM_EXIT_VMLOAD:
	case SVM_EXIT_VMSAVE:
	case SVM_EXIT_STGI:
	case SVM_EXIT_CLGI:
	case SVM_EXIT_SKINIT:
	case SVM_EXIT_INVLPGA:
		return VM_EXIT_VIRT_INSN;
	case SVM_EXIT_XSETBV:
		return VM_EXIT_XSETBV;
	case SVM_EXIT_IOIO:
		return VM_EXIT_IO;
	case SVM_EXIT_MSR:
		return VM_EXIT_RDMSR;	// or WRMSR: exitinfo1 says
	case SVM_EXIT_SHUTDOWN:
		return VM_EXIT_TRIPLE_FAULT;
	case SVM_EXIT_NPF:
		return VM_EXIT_NPF;
	case SVM_EXIT_INVALID:
		return VM_EXIT_ENTRY_FAILED;
	}
	return VM_EXIT_UNKNOWN;
}

/* The statistics slot of exit code c (svm.h). */
static uint32_t
svm_slot(uint64_t c)
{
	if (c < SVM_SLOT_NPF)
		return c;
	if (c >= SVM_EXIT_NPF && c < SVM_EXIT_NPF + 4)
		return SVM_SLOT_NPF + (c - SVM_EXIT_NPF);
	return VM_NEXITS - 1;		// VMEXIT_INVALID and anything unknown
}

/*
 * The event whose delivery the exit interrupted (EXITINTINFO), into
 * *ev.  Software interrupts and INT3/INTO are left out: their
 * instruction is still at RIP and runs again.
 */
static void
svm_decode_pending(uint64_t info, struct vm_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	if (!(info & EVENT_VALID))
		return;
	switch (EVENT_TYPE(info)) {
	case EVENT_TYPE_INTR:
		ev->type = VM_EVENT_EXTINT;
		break;
	case EVENT_TYPE_NMI:
		ev->type = VM_EVENT_NMI;
		break;
	case EVENT_TYPE_EXC:
		if (EVENT_VECTOR(info) == 3 || EVENT_VECTOR(info) == 4)
			return;
		ev->type = VM_EVENT_EXCEPTION;
		break;
	default:
		return;
	}
	ev->valid = true;
	ev->vector = EVENT_VECTOR(info);
	ev->has_error = (info & EVENT_HAS_ERROR) != 0;
	ev->error = ev->has_error ? EVENT_ERROR(info) : 0;
}

/*
 * The length of the instruction that made exit code c: next RIP where
 * the CPU saves it, the IOIO exit's own next RIP, else a decode of the
 * bytes at RIP.  -E_INVAL if it cannot be known.
 */
static int
svm_exit_insn_len(struct vcpu *v, struct vmcb *vmcb, uint64_t c)
{
	if (c == SVM_EXIT_IOIO)
		return vmcb->exitinfo2 - vmcb->rip;
	if (svm_caps.features & SVM_FEAT_NRIPS)
		return vmcb->nrip - vmcb->rip;
	return svm_insn_len(v, c);
}

/* Decode the exit virtual CPU v just made into *x (general registers in tf). */
void
svm_decode_exit(struct vcpu *v, struct vm_exit *x, struct Trapframe *tf)
{
	struct vmcb *vmcb = ((struct svm_vcpu *) v->backend)->vmcb;
	uint64_t c = vmcb->exitcode, info1 = vmcb->exitinfo1;
	int len;

	x->reason = svm_reason(c);
	x->raw_reason = svm_slot(c);
	x->qual = info1;
	x->insn_len = 0;
	svm_decode_pending(vmcb->exitintinfo, &x->pending);

	switch (x->reason) {
	case VM_EXIT_CPUID:
	case VM_EXIT_HLT:
	case VM_EXIT_INVD:
	case VM_EXIT_HYPERCALL:
	case VM_EXIT_RDMSR:
	case VM_EXIT_XSETBV:
	case VM_EXIT_IO:
		if ((len = svm_exit_insn_len(v, vmcb, c)) <= 0 || len > 15) {
			cprintf("svm: guest %08x: cannot tell the length of the "
				"instruction at rip %lx (exit %lx)\n",
				v->vm->env->env_id, vmcb->rip, c);
			x->reason = VM_EXIT_UNKNOWN;
			return;
		}
		x->insn_len = len;
		break;
	default:
		break;
	}

	switch (x->reason) {
	case VM_EXIT_IO:
		x->u.io.port = IOIO_PORT(info1);
		x->u.io.width = IOIO_SIZE(info1);
		x->u.io.in = (info1 & IOIO_IN) != 0;
		x->u.io.string = (info1 & IOIO_STRING) != 0;
		x->u.io.rep = (info1 & IOIO_REP) != 0;
		break;
	case VM_EXIT_RDMSR:
		if (info1 == 1)
			x->reason = VM_EXIT_WRMSR;
		x->u.msr = tf->tf_regs.reg_rcx;
		break;
	case VM_EXIT_NPF:
		x->u.npf.gpa = vmcb->exitinfo2;
		x->u.npf.access = (info1 & NPF_WRITE) ? VM_PROT_WRITE
			: (info1 & NPF_FETCH) ? VM_PROT_EXEC : VM_PROT_READ;
		x->u.npf.mapped = (info1 & NPF_PRESENT) != 0;
		break;
	default:
		break;
	}
}

/* A short name for statistics slot (exit code) slot. */
const char *
svm_exit_name(uint32_t slot)
{
	static const char *const names[SVM_NSLOTS] = {
		[SVM_EXIT_INTR] = "external interrupt",
		[SVM_EXIT_NMI] = "NMI",
		[SVM_EXIT_SMI] = "SMI",
		[SVM_EXIT_INIT] = "INIT",
		[SVM_EXIT_VINTR] = "interrupt window",
		[SVM_EXIT_CPUID] = "CPUID",
		[SVM_EXIT_INVD] = "INVD",
		[SVM_EXIT_HLT] = "HLT",
		[SVM_EXIT_INVLPGA] = "INVLPGA",
		[SVM_EXIT_IOIO] = "I/O instruction",
		[SVM_EXIT_MSR] = "RDMSR/WRMSR",
		[SVM_EXIT_SHUTDOWN] = "shutdown",
		[SVM_EXIT_VMRUN] = "VMRUN",
		[SVM_EXIT_VMMCALL] = "VMMCALL",
		[SVM_EXIT_VMLOAD] = "VMLOAD",
		[SVM_EXIT_VMSAVE] = "VMSAVE",
		[SVM_EXIT_STGI] = "STGI",
		[SVM_EXIT_CLGI] = "CLGI",
		[SVM_EXIT_SKINIT] = "SKINIT",
		[SVM_EXIT_XSETBV] = "XSETBV",
		[SVM_SLOT_NPF] = "nested page fault",
		[SVM_SLOT_NPF + 3] = "VMGEXIT",
	};

	if (slot >= SVM_EXIT_EXC_BASE && slot < SVM_EXIT_EXC_BASE + 32)
		return "exception";
	if (slot < SVM_NSLOTS && names[slot])
		return names[slot];
	return slot == VM_NEXITS - 1 ? "invalid or other" : "other";
}
