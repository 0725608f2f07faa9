/*
 * VM exits, in the core's terms: vm_handle_exit() counts the exit,
 * delivers again an event whose delivery it interrupted, and calls the
 * one handler for its reason (struct vm_exit, vmm_ops.h).  Each handler
 * promises to leave the guest ready to resume (RIP past an emulated
 * instruction, or an exception injected) or to say that it must die,
 * and returns what the run loop does next (enum vm_action).  Called
 * with the kernel lock held, on the CPU the guest just left.
 */
#include <inc/x86.h>
#include <inc/mmu.h>
#include <inc/error.h>
#include <inc/string.h>
#include <inc/stdio.h>
#include <inc/error.h>
#include <inc/vmx.h>

#include <kern/env.h>
#include <vmm/vm.h>
#include <vmm/x86.h>
#include <vmm/cpuid.h>
#include <vmm/gdb/stub.h>

typedef enum vm_action exit_handler(struct vm *vm, struct Trapframe *tf,
				    const struct vm_exit *x);

/* ---- helpers ---- */

/*
 * Move the guest past the instruction that exited (it was emulated),
 * ending any interrupt shadow it was in.
 */
void
vm_skip_instruction(struct vm *vm, const struct vm_exit *x)
{
	struct vcpu *v = &vm->vcpu;

	vmm->set_reg(v, VM_REG_RIP, vmm->get_reg(v, VM_REG_RIP) + x->insn_len);
	if (vmm->get_reg(v, VM_REG_INTR_SHADOW))
		vmm->set_reg(v, VM_REG_INTR_SHADOW, 0);
}

/* Deliver exception vector to the guest at the next entry (x86_exception). */
void
vm_inject_exception(struct vm *vm, int vector, bool has_error, uint32_t error)
{
	struct vm_event ev = x86_exception(vector, has_error, error,
					   vmm->get_reg(&vm->vcpu, VM_REG_CR0));

	vmm->inject(&vm->vcpu, &ev);
}

/*
 * The saved slot of general register n in the encoding instructions
 * use (0 RAX, 1 RCX, 2 RDX, 3 RBX, 4 RSP, 5 RBP, 6 RSI, 7 RDI, 8-15
 * R8-R15); NULL for RSP, which lives in the backend.
 */
static uint64_t *
gpr_slot(struct Trapframe *tf, int n)
{
	struct PushRegs *r = &tf->tf_regs;
	uint64_t *slots[16] = {
		&r->reg_rax, &r->reg_rcx, &r->reg_rdx, &r->reg_rbx,
		NULL, &r->reg_rbp, &r->reg_rsi, &r->reg_rdi,
		&r->reg_r8, &r->reg_r9, &r->reg_r10, &r->reg_r11,
		&r->reg_r12, &r->reg_r13, &r->reg_r14, &r->reg_r15,
	};

	return slots[n & 15];
}

/* The guest's general register n (encoded as for gpr_slot). */
static uint64_t
gpr_read(struct vm *vm, struct Trapframe *tf, int n)
{
	uint64_t *slot = gpr_slot(tf, n);

	return slot ? *slot : vmm->get_reg(&vm->vcpu, VM_REG_RSP);
}

/* Set the guest's general register n (encoded as for gpr_slot) to value. */
static void
gpr_write(struct vm *vm, struct Trapframe *tf, int n, uint64_t value)
{
	uint64_t *slot = gpr_slot(tf, n);

	if (slot)
		*slot = value;
	else
		vmm->set_reg(&vm->vcpu, VM_REG_RSP, value);
}

/* ---- handlers ---- */

/*
 * Any exit without a handler of its own: the guest dies, with the
 * backend's reason, its qualification and RIP.
 */
static enum vm_action
exit_unhandled(struct vm *vm, struct Trapframe *tf, const struct vm_exit *x)
{
	cprintf("vmm: guest %08x: Unhandled VMEXIT, reason %u (%s), "
		"qualification %lx, rip %lx\n", vm->env->env_id, x->raw_reason,
		vmm->exit_name(x->raw_reason), x->qual,
		vmm->get_reg(&vm->vcpu, VM_REG_RIP));
	return VM_KILL;
}

/*
 * A host interrupt arrived while the guest ran.  It is still pending:
 * the run loop lets the host take it.
 */
static enum vm_action
exit_intr(struct vm *vm, struct Trapframe *tf, const struct vm_exit *x)
{
	return VM_INTR;
}

/*
 * The guest's time slice is over: it goes to the back of the run queue.
 * (The host's own timer is silent while a guest runs, so this is the
 * guest's tick; it also ends a slice spent with interrupts off.)
 */
static enum vm_action
exit_slice_end(struct vm *vm, struct Trapframe *tf, const struct vm_exit *x)
{
	return VM_YIELD;
}

/* The guest shut down (triple fault): it dies. */
static enum vm_action
exit_triple_fault(struct vm *vm, struct Trapframe *tf, const struct vm_exit *x)
{
	cprintf("vmm: guest %08x: triple fault at rip %lx\n", vm->env->env_id,
		vmm->get_reg(&vm->vcpu, VM_REG_RIP));
	return VM_KILL;
}

/*
 * Entry refused the guest's state: it dies.  (A bug in the monitor or
 * in how it emulated the guest's mode changes.)
 */
static enum vm_action
exit_entry_failed(struct vm *vm, struct Trapframe *tf, const struct vm_exit *x)
{
	struct vcpu *v = &vm->vcpu;

	cprintf("vmm: guest %08x: VM entry failed: invalid guest state "
		"(qualification %lx, rip %lx, cr0 %lx, cr4 %lx, efer %lx)\n",
		vm->env->env_id, x->qual, vmm->get_reg(v, VM_REG_RIP),
		vmm->get_reg(v, VM_REG_CR0), vmm->get_reg(v, VM_REG_CR4),
		vmm->get_reg(v, VM_REG_EFER));
	return VM_KILL;
}

/* The host CPU's answer to CPUID leaf and subleaf, in regs. */
static void
host_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t regs[4])
{
	asm volatile("cpuid"
		     : "=a" (regs[0]), "=b" (regs[1]), "=c" (regs[2]), "=d" (regs[3])
		     : "a" (leaf), "c" (subleaf));
}

/*
 * CPUID: the host's answer for leaf and subleaf as the guest may see it
 * (cpuid.c: without what the monitor does not virtualize, with the
 * hypervisor bit and this monitor's own leaves at CPUID_JOS_LEAF).
 */
static enum vm_action
exit_cpuid(struct vm *vm, struct Trapframe *tf, const struct vm_exit *x)
{
	struct PushRegs *r = &tf->tf_regs;
	uint32_t leaf = r->reg_rax, subleaf = r->reg_rcx, regs[4];
	struct cpuid_limits host;

	// (Asked each time: three CPUIDs cost less than keeping them right
	// across CPUs that race to fill a cache.)
	host_cpuid(0, 0, regs);
	host.max_basic = regs[0];
	host_cpuid(0x80000000, 0, regs);
	host.max_ext = regs[0];
	host_cpuid(leaf, subleaf, regs);
	cpuid_policy(&host, leaf, subleaf, regs);
	// The floating-point bits: what the monitor saves (fpu.c).
	if ((leaf & 0xFFFF0000) != CPUID_JOS_LEAF)
		vm_fpu_cpuid(vm, leaf, subleaf, regs);
	r->reg_rax = regs[0];
	r->reg_rbx = regs[1];
	r->reg_rcx = regs[2];
	r->reg_rdx = regs[3];
	vm_skip_instruction(vm, x);
	return VM_RESUME;
}

/* A hypercall (hypercall.c), past its instruction. */
static enum vm_action
exit_hypercall(struct vm *vm, struct Trapframe *tf, const struct vm_exit *x)
{
	vm_skip_instruction(vm, x);
	return vm_hypercall(vm, tf);
}

/*
 * HLT: the guest waits for an interrupt or typed input; it sleeps until
 * one is due (vm_halt), or goes on if one is there already.
 */
static enum vm_action
exit_hlt(struct vm *vm, struct Trapframe *tf, const struct vm_exit *x)
{
	vm_skip_instruction(vm, x);
	return vm_halt(vm);
}

/*
 * The guest can take an interrupt now (the window it was waiting for):
 * the run loop injects it before the next entry.
 */
static enum vm_action
exit_intr_window(struct vm *vm, struct Trapframe *tf, const struct vm_exit *x)
{
	vm->nwindows++;
	return VM_RESUME;
}

/* INVD: the caches are the host's; nothing to do. */
static enum vm_action
exit_invd(struct vm *vm, struct Trapframe *tf, const struct vm_exit *x)
{
	vm_skip_instruction(vm, x);
	return VM_RESUME;
}

/* A virtualization instruction: the guest has none, so it is undefined (#UD). */
static enum vm_action
exit_virt_insn(struct vm *vm, struct Trapframe *tf, const struct vm_exit *x)
{
	vm_inject_exception(vm, X86_VECTOR_UD, false, 0);
	return VM_RESUME;
}

/*
 * MOV to or from a control register that exits: CR0 and CR4 writes
 * (x86_cr0_write, x86_cr4_write; an invalid one gets #GP), and CR3
 * moves on CPUs that cannot leave CR3 to the guest.  Anything else
 * kills the guest.
 */
static enum vm_action
exit_cr_access(struct vm *vm, struct Trapframe *tf, const struct vm_exit *x)
{
	struct vcpu *v = &vm->vcpu;
	int cr = x->u.cr.cr;
	uint64_t value, efer;
	enum x86_check ok = X86_OK;

	if (x->u.cr.write && cr == 0) {
		value = gpr_read(vm, tf, x->u.cr.gpr);
		ok = x86_cr0_write(vmm->get_reg(v, VM_REG_CR0), value,
				   vmm->get_reg(v, VM_REG_CR4), vmm->get_reg(v, VM_REG_EFER), &efer);
		if (ok == X86_OK) {
			if (efer != vmm->get_reg(v, VM_REG_EFER))
				vmm->set_reg(v, VM_REG_EFER, efer);
			vmm->set_reg(v, VM_REG_CR0, value);
		}
	} else if (x->u.cr.write && cr == 4) {
		value = gpr_read(vm, tf, x->u.cr.gpr);
		if ((ok = x86_cr4_write(value, vm_fpu_cr4_allowed())) == X86_OK)
			vmm->set_reg(v, VM_REG_CR4, value);
	} else if (x->u.cr.write && cr == 3)
		vmm->set_reg(v, VM_REG_CR3, gpr_read(vm, tf, x->u.cr.gpr));
	else if (!x->u.cr.write && cr == 3)
		gpr_write(vm, tf, x->u.cr.gpr, vmm->get_reg(v, VM_REG_CR3));
	else
		return exit_unhandled(vm, tf, x);
	if (ok == X86_OK)
		vm_skip_instruction(vm, x);
	else
		vm_inject_exception(vm, X86_VECTOR_GP, true, 0);
	return VM_RESUME;
}

/* RAX after IN of width bytes read as value (a 4-byte IN zeroes bits 32-63). */
static uint64_t
in_result(uint64_t rax, int width, uint32_t value)
{
	if (width == 4)
		return value;
	if (width == 2)
		return (rax & ~0xFFFFUL) | (value & 0xFFFF);
	return (rax & ~0xFFUL) | (value & 0xFF);
}

/*
 * IN or OUT: every port exits.  The virtual PC's devices answer theirs
 * (ports.c); any other port is refused: reads give all ones
 * (x86_refused_in), writes are dropped, each is counted.  String forms
 * are refused whole (REP ends with RCX 0), touching no guest memory.
 * A write that pulsed the reset line (the 8042's 0xFE) ends the guest.
 */
static enum vm_action
exit_io(struct vm *vm, struct Trapframe *tf, const struct vm_exit *x)
{
	uint64_t *rax = &tf->tf_regs.reg_rax;
	uint16_t port = x->u.io.port;
	int width = x->u.io.width;
	uint32_t value = *rax;

	if (!x->u.io.string && vm_port_io(vm, port, width, !x->u.io.in, &value)) {
		if (x->u.io.in)
			*rax = in_result(*rax, width, value);
	} else {
		vm_count_refused(vm, port, x->u.io.in);
		if (x->u.io.string) {
			if (x->u.io.rep)
				tf->tf_regs.reg_rcx = 0;
		} else if (x->u.io.in)
			*rax = x86_refused_in(*rax, width);
	}
	vm_skip_instruction(vm, x);
	if (vm->reset) {
		cprintf("vmm: guest %08x: reset through the keyboard controller\n",
			vm->env->env_id);
		return VM_KILL;
	}
	return VM_RESUME;
}

/* The guest's EFER and CR0, as msr.c reads and changes them. */
static struct msr_cpu
msr_cpu_of(struct vm *vm)
{
	struct msr_cpu c = {
		.efer = vmm->get_reg(&vm->vcpu, VM_REG_EFER),
		.cr0 = vmm->get_reg(&vm->vcpu, VM_REG_CR0),
	};

	return c;
}

/*
 * RDMSR of an MSR the backend does not pass through: the guest's own
 * value or the fixed one msr.c gives, or #GP as on a CPU without it.
 */
static enum vm_action
exit_rdmsr(struct vm *vm, struct Trapframe *tf, const struct vm_exit *x)
{
	struct msr_cpu c = msr_cpu_of(vm);
	uint64_t value;

	if (msr_read(&vm->msr, &c, x->u.msr, &value) < 0) {
		cprintf("vmm: guest %08x: rdmsr %x refused\n", vm->env->env_id, x->u.msr);
		vm_inject_exception(vm, X86_VECTOR_GP, true, 0);
		return VM_RESUME;
	}
	tf->tf_regs.reg_rax = (uint32_t) value;
	tf->tf_regs.reg_rdx = value >> 32;
	vm_skip_instruction(vm, x);
	return VM_RESUME;
}

/*
 * WRMSR of an MSR the backend does not pass through: as msr.c allows,
 * else #GP.
 */
static enum vm_action
exit_wrmsr(struct vm *vm, struct Trapframe *tf, const struct vm_exit *x)
{
	uint64_t value = (tf->tf_regs.reg_rdx << 32) | (uint32_t) tf->tf_regs.reg_rax;
	struct msr_cpu c = msr_cpu_of(vm);
	uint64_t efer = c.efer;

	if (msr_write(&vm->msr, &c, x->u.msr, value) < 0) {
		cprintf("vmm: guest %08x: wrmsr %x value %lx refused\n", vm->env->env_id,
			x->u.msr, value);
		vm_inject_exception(vm, X86_VECTOR_GP, true, 0);
		return VM_RESUME;
	}
	if (c.efer != efer)
		vmm->set_reg(&vm->vcpu, VM_REG_EFER, c.efer);
	vm_skip_instruction(vm, x);
	return VM_RESUME;
}

/*
 * The guest touched guest-physical memory its map does not allow.  A
 * page of its memory it never touched before gets a zeroed page;
 * anything else (beyond its memory, or against the permission the
 * monitor gave) kills it.
 */
static enum vm_action
exit_npf(struct vm *vm, struct Trapframe *tf, const struct vm_exit *x)
{
	uint64_t gpa = x->u.npf.gpa;
	uint8_t a = x->u.npf.access;
	int r;

	if (!x->u.npf.mapped && gpa < vm->mem_size) {
		if ((r = vm_fault_in(vm, gpa)) == 0)
			return VM_RESUME;
		cprintf("vmm: guest %08x: no memory for guest-physical %016lx: %e\n",
			vm->env->env_id, gpa, r);
		return VM_KILL;
	}
	cprintf("vmm: guest %08x: %s at guest-physical %016lx\n",
		vm->env->env_id, vmm_caps.npf_name, gpa);
	cprintf("vmm: guest %08x: %s%s%s at rip %lx, %s\n", vm->env->env_id,
		(a & VM_PROT_READ) ? "read" : "", (a & VM_PROT_WRITE) ? "write" : "",
		(a & VM_PROT_EXEC) ? "fetch" : "", vmm->get_reg(&vm->vcpu, VM_REG_RIP),
		gpa >= vm->mem_size ? "beyond its memory" : "not permitted");
	return VM_KILL;
}

/* The guest-physical map itself is malformed (a monitor bug): the guest dies. */
static enum vm_action
exit_npt_broken(struct vm *vm, struct Trapframe *tf, const struct vm_exit *x)
{
	cprintf("vmm: guest %08x: EPT misconfiguration at guest-physical %016lx\n",
		vm->env->env_id, x->u.npf.gpa);
	return VM_KILL;
}

static exit_handler *const exit_handlers[] = {
	[VM_EXIT_UNKNOWN] = exit_unhandled,
	[VM_EXIT_INTR] = exit_intr,
	[VM_EXIT_SLICE_END] = exit_slice_end,
	[VM_EXIT_TRIPLE_FAULT] = exit_triple_fault,
	[VM_EXIT_ENTRY_FAILED] = exit_entry_failed,
	[VM_EXIT_CPUID] = exit_cpuid,
	[VM_EXIT_HLT] = exit_hlt,
	[VM_EXIT_INVD] = exit_invd,
	[VM_EXIT_HYPERCALL] = exit_hypercall,
	[VM_EXIT_VIRT_INSN] = exit_virt_insn,
	[VM_EXIT_CR_ACCESS] = exit_cr_access,
	[VM_EXIT_IO] = exit_io,
	[VM_EXIT_RDMSR] = exit_rdmsr,
	[VM_EXIT_WRMSR] = exit_wrmsr,
	[VM_EXIT_NPF] = exit_npf,
	[VM_EXIT_NPT_BROKEN] = exit_npt_broken,
	[VM_EXIT_BREAKPOINT] = gdb_exit,	// vmm/gdb/stub.c
	[VM_EXIT_STEP] = gdb_exit,
	[VM_EXIT_INTR_WINDOW] = exit_intr_window,
	[VM_EXIT_XSETBV] = vm_fpu_xsetbv,	// vmm/fpu.c
};
#define NHANDLERS ((int) (sizeof(exit_handlers) / sizeof(exit_handlers[0])))

/*
 * Handle exit x the guest just made: count it, deliver again an event
 * whose delivery it interrupted (x86_reinject), and run its reason's
 * handler.  Returns what the run loop does next.
 */
enum vm_action
vm_handle_exit(struct vm *vm, struct Trapframe *tf, const struct vm_exit *x)
{
	struct vm_event ev;

	vm_count_exit(vm, x->raw_reason);
	if (x86_reinject(&x->pending, x->insn_len, &ev))
		vmm->inject(&vm->vcpu, &ev);
	if ((int) x->reason < NHANDLERS && exit_handlers[x->reason])
		return exit_handlers[x->reason](vm, tf, x);
	return exit_unhandled(vm, tf, x);
}

/*
 * Handle exit x without the kernel lock, if it is one that touches
 * nothing but the guest's own state (and the console's output, which
 * has its own lock): CPUID, the hypercalls that vm_hypercall_unlocked
 * answers, and OUT to COM1 (the guest prints; an interrupt the UART
 * raises is injected here too).  Returns VM_RESUME if it did, or
 * VM_NEEDS_LOCK (counting nothing) for vm_handle_exit to do.
 */
enum vm_action
vm_handle_exit_unlocked(struct vm *vm, struct Trapframe *tf, const struct vm_exit *x)
{
	if (x->pending.valid)
		return VM_NEEDS_LOCK;
	if (x->reason == VM_EXIT_CPUID) {
		vm_count_exit(vm, x->raw_reason);
		return exit_cpuid(vm, tf, x);
	}
	if (x->reason == VM_EXIT_HYPERCALL && vm_hypercall_unlocked(vm, tf)) {
		vm_count_exit(vm, x->raw_reason);
		vm_skip_instruction(vm, x);
		return VM_RESUME;
	}
	if (x->reason == VM_EXIT_IO && !x->u.io.in && !x->u.io.string
	    && vm_com1_write_unlocked(vm, x->u.io.port, x->u.io.width, tf->tf_regs.reg_rax)) {
		vm_count_exit(vm, x->raw_reason);
		vm_skip_instruction(vm, x);
		vm_platform_inject(vm);
		return VM_RESUME;
	}
	return VM_NEEDS_LOCK;
}
