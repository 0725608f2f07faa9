/*
 * VM exits: vmexit() reads why the guest left, counts it, and calls the
 * one handler for that reason.  Each handler promises to leave the
 * guest ready to resume (RIP past an emulated instruction, or an
 * exception injected) or to say that it must die, and returns what the
 * run loop does next (VMX_RESUME, VMX_INTR, VMX_YIELD, VMX_BLOCK,
 * VMX_KILL).
 * Called with the kernel lock held and the guest's VMCS current.
 */
#include <inc/x86.h>
#include <inc/mmu.h>
#include <inc/error.h>
#include <inc/vmx.h>
#include <inc/assert.h>

#include <kern/env.h>
#include <kern/lapic.h>
#include <vmm/guest.h>
#include <vmm/vmcs.h>
#include <vmm/vmx.h>

typedef int exit_handler(struct guest *g, struct Trapframe *tf, uint64_t qual);

/* ---- helpers ---- */

/*
 * Move the guest past the instruction that exited (it was emulated),
 * ending any interrupt shadow it was in.
 */
static void
skip_instruction(void)
{
	uint64_t rip = vmcs_readnatural(VMCS_GUEST_RIP);
	uint32_t shadow = vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY);

	vmcs_writenatural(VMCS_GUEST_RIP, rip + vmcs_read32(VMCS_EXIT_INSTRUCTION_LEN));
	if (shadow & 3)		// blocking by STI or by MOV SS
		vmcs_write32(VMCS_GUEST_INTERRUPTIBILITY, shadow & ~3);
}

/*
 * The saved slot of general register n in the encoding exit
 * qualifications use (0 RAX, 1 RCX, 2 RDX, 3 RBX, 4 RSP, 5 RBP, 6 RSI,
 * 7 RDI, 8-15 R8-R15); NULL for RSP, which lives in the VMCS.
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
gpr_read(struct Trapframe *tf, int n)
{
	uint64_t *slot = gpr_slot(tf, n);

	return slot ? *slot : vmcs_readnatural(VMCS_GUEST_RSP);
}

/* Set the guest's general register n (encoded as for gpr_slot) to value. */
static void
gpr_write(struct Trapframe *tf, int n, uint64_t value)
{
	uint64_t *slot = gpr_slot(tf, n);

	if (slot)
		*slot = value;
	else
		vmcs_writenatural(VMCS_GUEST_RSP, value);
}

/* The guest's current privilege level (its SS descriptor's DPL). */
static int
guest_cpl(void)
{
	return (vmcs_read32(VMCS_GUEST_SS_AR) >> 5) & 3;
}

/* ---- handlers ---- */

/*
 * Any exit without a handler of its own: the guest dies, with the
 * reason, whether the entry itself failed, the qualification and RIP.
 */
static int
exit_unhandled(struct guest *g, struct Trapframe *tf, uint64_t qual)
{
	uint32_t reason = vmcs_read32(VMCS_EXIT_REASON);

	cprintf("vmm: guest %08x: Unhandled VMEXIT, reason %u (%s)%s, "
		"qualification %lx, rip %lx\n", g->env->env_id, reason & 0xFFFF,
		vmx_exit_name(reason & 0xFFFF),
		(reason & EXIT_REASON_ENTRY_FAIL) ? ", VM entry failed" : "",
		qual, vmcs_readnatural(VMCS_GUEST_RIP));
	return VMX_KILL;
}

/*
 * A host interrupt arrived while the guest ran.  It is still pending
 * (not acknowledged on exit): the run loop lets the host take it.
 */
static int
exit_extint(struct guest *g, struct Trapframe *tf, uint64_t qual)
{
	return VMX_INTR;
}

/*
 * The guest's time slice is over: it goes to the back of the run queue.
 * (The host's own timer is silent while a guest runs, so this is the
 * guest's tick; it also ends a slice spent with interrupts off.)
 */
static int
exit_preemption_timer(struct guest *g, struct Trapframe *tf, uint64_t qual)
{
	return VMX_YIELD;
}

/* The guest shut down (triple fault): it dies. */
static int
exit_triple_fault(struct guest *g, struct Trapframe *tf, uint64_t qual)
{
	cprintf("vmm: guest %08x: triple fault at rip %lx\n", g->env->env_id,
		vmcs_readnatural(VMCS_GUEST_RIP));
	return VMX_KILL;
}

/*
 * VM entry refused the guest's state: it dies.  (A bug in the monitor
 * or in how it emulated the guest's mode changes.)
 */
static int
exit_bad_guest_state(struct guest *g, struct Trapframe *tf, uint64_t qual)
{
	cprintf("vmm: guest %08x: VM entry failed: invalid guest state "
		"(qualification %lx, rip %lx, cr0 %lx, cr4 %lx, efer %lx)\n",
		g->env->env_id, qual, vmcs_readnatural(VMCS_GUEST_RIP),
		vmcs_readnatural(VMCS_GUEST_CR0), vmcs_readnatural(VMCS_GUEST_CR4),
		vmcs_read64(VMCS_GUEST_IA32_EFER));
	return VMX_KILL;
}

/*
 * CPUID: the host's answer, without VT-x (and SVM), so the guest does
 * not try to run guests of its own.
 */
static int
exit_cpuid(struct guest *g, struct Trapframe *tf, uint64_t qual)
{
	uint32_t regs[4];

	guest_cpuid(tf->tf_regs.reg_rax, tf->tf_regs.reg_rcx, regs);
	tf->tf_regs.reg_rax = regs[0];
	tf->tf_regs.reg_rbx = regs[1];
	tf->tf_regs.reg_rcx = regs[2];
	tf->tf_regs.reg_rdx = regs[3];
	skip_instruction();
	return VMX_RESUME;
}

/*
 * VMCALL: a hypercall, numbered by RAX (inc/vmx.h), result in RAX.
 * Only the guest's kernel (CPL 0) may make them, except the IPC ones,
 * which the guest's file server makes from its user mode (fs/hostdisk.c,
 * lib/ipchost.c).  IPCRECV blocks the guest until a host env sends to
 * it; an IPCSEND the server is too busy to take yields the CPU; POWEROFF
 * ends it; CONSWRITE prints a run of bytes on its console;
 * TSC_HZ tells the host's TSC rate.
 */
static int
exit_vmcall(struct guest *g, struct Trapframe *tf, uint64_t qual)
{
	struct PushRegs *r = &tf->tf_regs;
	int64_t result;
	bool busy;

	if (guest_cpl() != 0 && r->reg_rax != VMX_VMCALL_IPCSEND
	    && r->reg_rax != VMX_VMCALL_IPCRECV)
		result = -E_INVAL;
	else
		switch (r->reg_rax) {
		case VMX_VMCALL_MBMAP:
			result = guest_mbmap(g, r->reg_rbx);
			break;
		case VMX_VMCALL_IPCSEND:
			result = guest_ipc_send(g, r->reg_rbx, r->reg_rcx, r->reg_rdx, r->reg_rsi);
			break;
		case VMX_VMCALL_IPCRECV:
			skip_instruction();
			result = guest_ipc_recv(g, r->reg_rbx);
			guest_count_hypercall(g, VMX_VMCALL_IPCRECV, result);
			if (result == 0)
				return VMX_BLOCK;	// the sender sets RAX
			r->reg_rax = result;
			return VMX_RESUME;
		case VMX_VMCALL_POWEROFF:
			guest_count_hypercall(g, VMX_VMCALL_POWEROFF, 0);
			guest_poweroff(g);
			return VMX_KILL;
		case VMX_VMCALL_CONSWRITE:
			result = guest_cons_write(g, r->reg_rbx, r->reg_rcx);
			break;
		case VMX_VMCALL_TSC_HZ:
			result = time_tsc_hz();
			break;
		default:
			result = -E_INVAL;
			break;
		}
	guest_count_hypercall(g, r->reg_rax, result);
	busy = r->reg_rax == VMX_VMCALL_IPCSEND && result == -E_IPC_NOT_RECV;
	r->reg_rax = result;
	skip_instruction();
	// A busy server cannot get back to receiving while the guest
	// retries on this CPU: let it run before the guest retries.
	return busy ? VMX_YIELD : VMX_RESUME;
}

/*
 * HLT: the guest has nothing to do until typed input arrives for it; it
 * sleeps until then (guest_halt), or goes on if input is there already.
 */
static int
exit_hlt(struct guest *g, struct Trapframe *tf, uint64_t qual)
{
	skip_instruction();
	return guest_halt(g) ? VMX_BLOCK : VMX_RESUME;
}

/* INVD: the caches are the host's; nothing to do. */
static int
exit_invd(struct guest *g, struct Trapframe *tf, uint64_t qual)
{
	skip_instruction();
	return VMX_RESUME;
}

/* A VMX instruction: the guest has no VT-x, so it is undefined (#UD). */
static int
exit_vmx_insn(struct guest *g, struct Trapframe *tf, uint64_t qual)
{
	vmx_inject_exception(GUEST_VECTOR_UD, false, 0);
	return VMX_RESUME;
}

/*
 * The guest writes CR0 with value, changing a bit the monitor owns (the
 * CR0 bits VMX fixes): the guest gets what it asked for in the read
 * shadow and the CPU what VMX needs.  Turning paging on with EFER.LME
 * set enters long mode (EFER.LMA); turning it off leaves it.  Invalid
 * combinations get #GP.  Returns whether the write took effect.
 */
static bool
write_cr0(uint64_t value)
{
	uint64_t old = vmcs_readnatural(VMCS_GUEST_CR0);
	uint64_t efer = vmcs_read64(VMCS_GUEST_IA32_EFER);

	if ((value >> 32) || ((value & CR0_PG) && !(value & CR0_PE))
	    || ((value & CR0_NW) && !(value & CR0_CD))) {
		vmx_inject_exception(GUEST_VECTOR_GP, true, 0);
		return false;
	}
	if (!(old & CR0_PG) && (value & CR0_PG) && (efer & EFER_LME)) {
		if (!(vmcs_readnatural(VMCS_GUEST_CR4) & CR4_PAE)) {
			vmx_inject_exception(GUEST_VECTOR_GP, true, 0);
			return false;
		}
		vmx_set_guest_efer(efer | EFER_LMA);
	} else if ((old & CR0_PG) && !(value & CR0_PG) && (efer & EFER_LMA))
		vmx_set_guest_efer(efer & ~EFER_LMA);
	vmcs_writenatural(VMCS_GUEST_CR0, vmx_guest_cr0(value));
	vmcs_writenatural(VMCS_CR0_READ_SHADOW, value);
	return true;
}

/*
 * The guest writes CR4 with value, changing a bit the monitor owns
 * (VMXE, hidden from it, or a bit the CPU does not have): #GP for
 * those, otherwise the value as for CR0.  Returns whether it took effect.
 */
static bool
write_cr4(uint64_t value)
{
	if ((value & CR4_VMXE) || (value & ~vmx_caps.cr4_fixed1)) {
		vmx_inject_exception(GUEST_VECTOR_GP, true, 0);
		return false;
	}
	vmcs_writenatural(VMCS_GUEST_CR4, vmx_guest_cr4(value));
	vmcs_writenatural(VMCS_CR4_READ_SHADOW, value);
	return true;
}

/*
 * MOV to or from a control register that exits: CR0 and CR4 writes that
 * touch the bits the monitor owns, and CR3 moves on CPUs that cannot
 * leave CR3 to the guest.  Anything else kills the guest.
 */
static int
exit_cr_access(struct guest *g, struct Trapframe *tf, uint64_t qual)
{
	int cr = qual & 15, type = (qual >> 4) & 3, reg = (qual >> 8) & 15;
	bool done = true;

	if (type == 0 && cr == 0)
		done = write_cr0(gpr_read(tf, reg));
	else if (type == 0 && cr == 4)
		done = write_cr4(gpr_read(tf, reg));
	else if (type == 0 && cr == 3)
		vmcs_writenatural(VMCS_GUEST_CR3, gpr_read(tf, reg));
	else if (type == 1 && cr == 3)
		gpr_write(tf, reg, vmcs_readnatural(VMCS_GUEST_CR3));
	else
		return exit_unhandled(g, tf, qual);
	if (done)
		skip_instruction();
	return VMX_RESUME;
}

/*
 * IN or OUT: every port exits.  The monitor emulates the guest's
 * console (COM1, in guest.c); any other port is refused: reads give all
 * ones, writes are dropped, each is counted.  String forms are refused
 * whole (REP ends with RCX 0), touching no guest memory.
 */
static int
exit_io(struct guest *g, struct Trapframe *tf, uint64_t qual)
{
	int size = (qual & 7) + 1;
	bool in = qual & 8, string = qual & 0x10, rep = qual & 0x20;
	uint16_t port = qual >> 16;
	uint64_t *rax = &tf->tf_regs.reg_rax;
	uint32_t value;

	if (!string && in && guest_port_in(g, port, size, &value)) {
		*rax = (*rax & ~0xFFUL) | (value & 0xFF);
		skip_instruction();
		return VMX_RESUME;
	}
	if (!string && !in && guest_port_out(g, port, size, *rax)) {
		skip_instruction();
		return VMX_RESUME;
	}
	guest_io_refused(g, port, in);
	if (string) {
		if (rep)
			tf->tf_regs.reg_rcx = 0;
	} else if (in) {
		if (size == 1)
			*rax |= 0xFF;
		else if (size == 2)
			*rax |= 0xFFFF;
		else
			*rax = 0xFFFFFFFF;	// a 32-bit IN zero-extends
	}
	skip_instruction();
	return VMX_RESUME;
}

/*
 * RDMSR of an MSR the bitmap does not pass through: EFER reads the
 * guest's own; any other MSR is refused with #GP, as on a CPU without it.
 */
static int
exit_rdmsr(struct guest *g, struct Trapframe *tf, uint64_t qual)
{
	uint32_t msr = tf->tf_regs.reg_rcx;
	uint64_t value;

	if (msr == MSR_EFER)
		value = vmcs_read64(VMCS_GUEST_IA32_EFER);
	else {
		cprintf("vmm: guest %08x: rdmsr %x refused\n", g->env->env_id, msr);
		vmx_inject_exception(GUEST_VECTOR_GP, true, 0);
		return VMX_RESUME;
	}
	tf->tf_regs.reg_rax = (uint32_t) value;
	tf->tf_regs.reg_rdx = value >> 32;
	skip_instruction();
	return VMX_RESUME;
}

/*
 * WRMSR of an MSR the bitmap does not pass through: EFER takes SCE, LME
 * and NXE (LMA follows paging; LME may not change while paging is on);
 * anything else is refused with #GP.
 */
static int
exit_wrmsr(struct guest *g, struct Trapframe *tf, uint64_t qual)
{
	uint32_t msr = tf->tf_regs.reg_rcx;
	uint64_t value = (tf->tf_regs.reg_rdx << 32) | (uint32_t) tf->tf_regs.reg_rax;
	uint64_t writable = EFER_SCE | EFER_LME | EFER_NXE;

	if (msr == MSR_EFER) {
		uint64_t old = vmcs_read64(VMCS_GUEST_IA32_EFER);
		bool paging = vmcs_readnatural(VMCS_GUEST_CR0) & CR0_PG;
		if ((value & ~(writable | EFER_LMA)) || (paging && ((value ^ old) & EFER_LME))) {
			vmx_inject_exception(GUEST_VECTOR_GP, true, 0);
			return VMX_RESUME;
		}
		vmx_set_guest_efer((value & writable) | (old & EFER_LMA));
	} else {
		cprintf("vmm: guest %08x: wrmsr %x refused\n", g->env->env_id, msr);
		vmx_inject_exception(GUEST_VECTOR_GP, true, 0);
		return VMX_RESUME;
	}
	skip_instruction();
	return VMX_RESUME;
}

/*
 * The guest touched guest-physical memory its EPT does not allow.  A
 * page of its memory it never touched before gets a zeroed page;
 * anything else (beyond its memory, or against the permission the
 * monitor gave) kills it.
 */
static int
exit_ept_violation(struct guest *g, struct Trapframe *tf, uint64_t qual)
{
	uint64_t gpa = vmcs_read64(VMCS_GUEST_PHYSICAL_ADDRESS);
	bool present = qual & 0x38;	// the entry allowed read, write or execute
	int r;

	if (!present && gpa < g->mem_size) {
		if ((r = guest_fault_in(g, gpa)) == 0)
			return VMX_RESUME;
		cprintf("vmm: guest %08x: no memory for guest-physical %016lx: %e\n",
			g->env->env_id, gpa, r);
		return VMX_KILL;
	}
	cprintf("vmm: guest %08x: EPT violation at guest-physical %016lx\n",
		g->env->env_id, gpa);
	cprintf("vmm: guest %08x: %s%s%s at rip %lx, %s\n", g->env->env_id,
		(qual & 1) ? "read" : "", (qual & 2) ? "write" : "",
		(qual & 4) ? "fetch" : "", vmcs_readnatural(VMCS_GUEST_RIP),
		gpa >= g->mem_size ? "beyond its memory" : "not permitted");
	return VMX_KILL;
}

/* The EPT itself is malformed (a monitor bug): the guest dies. */
static int
exit_ept_misconfig(struct guest *g, struct Trapframe *tf, uint64_t qual)
{
	cprintf("vmm: guest %08x: EPT misconfiguration at guest-physical %016lx\n",
		g->env->env_id, vmcs_read64(VMCS_GUEST_PHYSICAL_ADDRESS));
	return VMX_KILL;
}

static exit_handler *const exit_handlers[] = {
	[EXIT_REASON_EXTINT] = exit_extint,
	[EXIT_REASON_TRIPLE_FAULT] = exit_triple_fault,
	[EXIT_REASON_CPUID] = exit_cpuid,
	[EXIT_REASON_HLT] = exit_hlt,
	[EXIT_REASON_INVD] = exit_invd,
	[EXIT_REASON_VMCALL] = exit_vmcall,
	[EXIT_REASON_VMCLEAR ... EXIT_REASON_VMXON] = exit_vmx_insn,
	[EXIT_REASON_CR_ACCESS] = exit_cr_access,
	[EXIT_REASON_IO] = exit_io,
	[EXIT_REASON_RDMSR] = exit_rdmsr,
	[EXIT_REASON_WRMSR] = exit_wrmsr,
	[EXIT_REASON_BAD_GUEST_STATE] = exit_bad_guest_state,
	[EXIT_REASON_EPT_VIOLATION] = exit_ept_violation,
	[EXIT_REASON_EPT_MISCONFIG] = exit_ept_misconfig,
	[EXIT_REASON_INVEPT] = exit_vmx_insn,
	[EXIT_REASON_PREEMPTION_TIMER] = exit_preemption_timer,
	[EXIT_REASON_INVVPID] = exit_vmx_insn,
};
#define NHANDLERS ((int) (sizeof(exit_handlers) / sizeof(exit_handlers[0])))

/*
 * Handle the exit guest g just made: count it, re-queue an event whose
 * delivery it interrupted, and run its reason's handler.  Returns what
 * the run loop does next.
 */
int
vmexit(struct guest *g, struct Trapframe *tf)
{
	uint32_t reason = vmcs_read32(VMCS_EXIT_REASON);
	int basic = reason & 0xFFFF;
	uint64_t qual = vmcs_readnatural(VMCS_EXIT_QUALIFICATION);
	uint32_t vectoring = vmcs_read32(VMCS_IDT_VECTORING_INFO);

	g->nexits[basic < GUEST_NEXITS - 1 ? basic : GUEST_NEXITS - 1]++;

	// An exit in the middle of delivering an interrupt or exception
	// (say, an EPT violation on the guest's stack): deliver it again.
	if (vectoring & (1U << 31)) {
		int type = (vectoring >> 8) & 7;
		vmcs_write32(VMCS_ENTRY_INTR_INFO, vectoring & 0x80000FFF);
		if (vectoring & (1 << 11))
			vmcs_write32(VMCS_ENTRY_EXCEPTION_ERROR,
				     vmcs_read32(VMCS_IDT_VECTORING_ERROR));
		if (type >= 4)		// software interrupt or exception
			vmcs_write32(VMCS_ENTRY_INSTRUCTION_LEN,
				     vmcs_read32(VMCS_EXIT_INSTRUCTION_LEN));
	}

	if ((reason & EXIT_REASON_ENTRY_FAIL) && basic != EXIT_REASON_BAD_GUEST_STATE)
		return exit_unhandled(g, tf, qual);
	if (basic < NHANDLERS && exit_handlers[basic])
		return exit_handlers[basic](g, tf, qual);
	return exit_unhandled(g, tf, qual);
}
