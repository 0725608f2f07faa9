/*
 * The debugger's controls on SVM (vmm/gdb/ through ops->set_debug):
 * int3 caught by the #BP intercept, and single steps by RFLAGS.TF with
 * the #DB intercept, since SVM has no monitor trap flag.
 *
 * TF is the debugger's while it steps, not the guest's: the guest's own
 * TF comes back when stepping ends, and a PUSHF stepped over has TF
 * cleared in the image it pushed (unless the guest had set it itself).
 * Other ways to read RFLAGS within a step still see TF: an interrupt or
 * exception delivered then (INT n included), and SYSCALL's R11.  An
 * instruction the monitor emulates (CPUID, port I/O, hypercalls) ends
 * its step with the emulation: the next entry makes the step's exit at
 * once (svm_step_owed) instead of stepping the instruction after it too.
 *
 * Hardware breakpoints: VMRUN loads the guest's DR7 (and DR6) from the
 * VMCB; DR0-DR3 are the CPU's own, which the debugger loads before
 * entry.  QEMU 7.2's VMRUN sets DR7 without arming the breakpoints it
 * enables (only a MOV to DR7 does), so the world switch writes the
 * VMCB's DR7 to the host's just before VMRUN and clears it right after
 * the exit (svmrun.S); a breakpoint inside that code would stop the
 * host itself, and is refused (svm_check_hwbp).
 */
#include <inc/error.h>
#include <inc/mmu.h>
#include <inc/trap.h>
#include <inc/string.h>

#include <vmm/vm.h>
#include <vmm/amd/svm.h>

#define PUSHF		0x9C

/* Whether the instruction at the guest's RIP is PUSHF (with prefixes). */
static bool
svm_at_pushf(struct vcpu *vcpu)
{
	uint8_t b[4];
	int n = svm_fetch(vcpu, b, sizeof(b)), p = 0;

	while (p < n && svm_is_prefix(vcpu, b[p]))
		p++;
	return p < n && b[p] == PUSHF;
}

/*
 * The step just done was a PUSHF: clear TF in the flags it pushed at
 * SS:RSP (bit 8: bit 0 of the image's second byte), where the guest's
 * own TF was clear.
 */
static void
svm_unpush_tf(struct vcpu *vcpu)
{
	struct svm_vcpu *v = vcpu->backend;
	struct vmcb *vmcb = v->vmcb;
	bool longmode = (vmcb->efer & EFER_LMA) && (vmcb->cs.attrib & 0x200);
	uint64_t la = (longmode ? 0 : vmcb->ss.base) + vmcb->rsp + 1, gpa;
	uint8_t *p;

	if (v->guest_tf || !svm_linear_to_gpa(vcpu, la, &gpa) || !(p = vm_gpa2kva_writable(vcpu->vm, gpa)))
		return;
	*p &= ~(FL_TF >> 8);
}

/*
 * The debugger's controls on virtual CPU v: with step, the next entry
 * runs one instruction and exits with VM_EXIT_STEP (RFLAGS.TF, #DB
 * intercepted); with catch_bp, INT3 exits with VM_EXIT_BREAKPOINT (#BP
 * intercepted, and INT n: QEMU 7.2 takes INT3 for one, never for #BP)
 * and #DB with VM_EXIT_STEP (the debugger's hardware breakpoints).
 * Always 0: every SVM CPU can.
 */
int
svm_set_debug(struct vcpu *vcpu, bool step, bool catch_bp)
{
	struct svm_vcpu *v = vcpu->backend;
	struct vmcb *vmcb = v->vmcb;
	uint32_t exc = vmcb->icpt_exc, misc1 = vmcb->icpt_misc1;

	if (step && !v->tf_step) {
		v->guest_tf = (vmcb->rflags & FL_TF) != 0;
		vmcb->rflags |= FL_TF;
	} else if (!step && v->tf_step)
		vmcb->rflags = (vmcb->rflags & ~(uint64_t) FL_TF) | (v->guest_tf ? FL_TF : 0);
	v->tf_step = step;
	v->step_pushf = step && svm_at_pushf(vcpu);
	v->step_owed = false;
	exc = step || catch_bp ? (exc | (1 << T_DEBUG)) : (exc & ~(1 << T_DEBUG));
	exc = catch_bp ? (exc | (1 << T_BRKPT)) : (exc & ~(1 << T_BRKPT));
	misc1 = catch_bp ? (misc1 | ICPT1_SWINT) : (misc1 & ~ICPT1_SWINT);
	if (exc != vmcb->icpt_exc || misc1 != vmcb->icpt_misc1) {
		vmcb->icpt_exc = exc;
		vmcb->icpt_misc1 = misc1;
		vmcb->clean &= ~VMCB_CLEAN_INTERCEPTS;
	}
	return 0;
}

/*
 * An exit by the INT n intercept: INT3 (or INT 3) is the debugger's
 * breakpoint, into *x; any other INT n, and INTO, go to the guest as
 * they would have.  Whether it went (the guest is to be entered again).
 * An instruction that cannot be read ends the guest, named.
 */
bool
svm_debug_swint(struct vcpu *vcpu, struct vm_exit *x)
{
	struct vm_event ev = { .valid = true, .type = VM_EVENT_SOFT_INTR };
	uint8_t b[15];
	int n = svm_fetch(vcpu, b, sizeof(b)), p = 0;

	while (p < n && svm_is_prefix(vcpu, b[p]))
		p++;
	if (p < n && b[p] == 0xCC) {
		x->reason = VM_EXIT_BREAKPOINT;
		x->insn_len = p + 1;
		return false;
	}
	if (p + 1 < n && b[p] == 0xCD && b[p + 1] == 3) {
		x->reason = VM_EXIT_BREAKPOINT;
		x->insn_len = p + 2;
		return false;
	}
	if (p + 1 < n && b[p] == 0xCD) {
		ev.vector = b[p + 1];
		ev.insn_len = p + 2;
	} else if (p < n && b[p] == 0xCE) {
		ev.type = VM_EVENT_SOFT_EXC;
		ev.vector = 4;		// #OF
		ev.insn_len = p + 1;
	} else {
		x->reason = VM_EXIT_UNKNOWN;
		return false;
	}
	svm_inject(vcpu, &ev);
	return true;
}

/*
 * The monitor moved the guest's RIP (it emulated an instruction, or the
 * debugger wrote RIP): while stepping, that ends the step.
 */
void
svm_debug_rip_moved(struct vcpu *vcpu)
{
	struct svm_vcpu *v = vcpu->backend;

	if (v->tf_step)
		v->step_owed = true;
}

/*
 * The exit a step ended by emulation owes (svm_debug_rip_moved), into
 * *x without entering the guest; false if none is owed.
 */
bool
svm_step_owed(struct vcpu *vcpu, struct vm_exit *x)
{
	struct svm_vcpu *v = vcpu->backend;

	if (!v->step_owed)
		return false;
	v->step_owed = false;
	memset(x, 0, sizeof(*x));
	x->reason = VM_EXIT_STEP;
	x->raw_reason = SVM_EXIT_EXC_BASE + T_DEBUG;
	return true;
}

/* A #DB exit: the step is done; undo what TF did to a PUSHF. */
void
svm_debug_exit(struct vcpu *vcpu)
{
	struct svm_vcpu *v = vcpu->backend;

	if (v->tf_step && v->step_pushf)
		svm_unpush_tf(vcpu);
	v->step_pushf = false;
}

/*
 * The DR7 the world switch arms around VMRUN for v: the VMCB's when it
 * enables a breakpoint, else 0 (nothing to arm).
 */
uint64_t
svm_debug_dr7(struct vcpu *vcpu)
{
	struct svm_vcpu *v = vcpu->backend;

	return (v->vmcb->dr7 & 0xFF) ? v->vmcb->dr7 : 0;
}

/*
 * Whether a hardware breakpoint may be set at guest-linear addr: not
 * in the host's world switch, where DR7 is armed for QEMU.  0 or
 * -E_INVAL.
 */
int
svm_check_hwbp(uint64_t addr)
{
	if (addr >= (uintptr_t) svm_world_switch && addr < (uintptr_t) svm_world_switch_end)
		return -E_INVAL;
	return 0;
}
