/*
 * The guest debugger: gdb's remote serial protocol (rsp.h) for one
 * guest at a time, over the host's COM2 (kern/serial2.c).
 *
 * gdb_attach (sys_guest_debug: `vmctl debug ID`, `vmm --gdb`) chooses
 * the guest; it stops at its next entry (at once if it sleeps in HLT)
 * and waits for gdb.  Held for gdb, the guest answers the packets that
 * have come in before each entry the run loop makes, and sleeps (not
 * runnable) while gdb is silent: the host runs on, and COM2's interrupt
 * wakes the guest when more comes (gdb_input).  `c` and `s` let it run:
 * #BP exits while gdb is attached (its breakpoints are int3 bytes
 * written into guest memory), `s` sets the backend's single step.
 * While it runs, each entry looks for gdb's Ctrl-C, and COM2's
 * interrupt makes one come soon (an exit; a guest asleep in HLT wakes).
 * `D` removes the breakpoints and lets it run free; `k` kills it.
 *
 * Registers come from env_tf (general ones) and the ops table; memory
 * goes through the guest's own page tables (walk.c) to guest-physical
 * pages (mem.c).
 */
#include <inc/x86.h>
#include <inc/error.h>
#include <inc/syscall.h>
#include <inc/mmu.h>
#include <inc/string.h>
#include <inc/stdio.h>

#include <kern/env.h>
#include <kern/serial2.h>
#include <kern/lapic.h>
#include <kern/vmmapi.h>
#include <kern/timer.h>
#include <vmm/vm.h>
#include <vmm/gdb/rsp.h>
#include <vmm/gdb/walk.h>
#include <vmm/gdb/stub.h>

#define GDB_MAX_BPS	32
#define GDB_MAX_HWBPS	4	// DR0-DR3
#define DR7_FIXED	0x400	// bit 10 reads as one
#define INT3		0xCC
#define EFER_LMA_BIT	0x400ULL
#define CR0_PE_BIT	0x1ULL
#define GDB_LINGER_US	2000	// how long a held guest waits for gdb's next byte
#define GDB_SERVE_BYTES	16384	// bytes taken per turn: a peer that never stops cannot hold the host

struct gdb_bp {
	bool used;
	uint64_t addr;
	uint8_t saved;		// the byte the int3 replaced
};

static struct {
	envid_t id;		// the guest being debugged; 0: none
	bool stop_pending;	// stop at its next entry
	bool running;		// gdb let it run: a stop reply is owed
	bool stopped;		// held for gdb, which is answered
	bool is64;		// the register layout, chosen at attach
	bool i386;		// ... i386 even in real mode (GUEST_DEBUG_I386)
	struct vm *vm;		// during a session: the guest, its registers
	struct Trapframe *tf;
	bool stepping;		// gdb's `s` runs: the next #DB is its step
	struct rsp rsp;
	struct gdb_bp bps[GDB_MAX_BPS];
	// Hardware breakpoints: addresses in DR0-DR3 while the guest runs,
	// enabled by the guest's DR7 (the guest's own taken over meanwhile).
	bool hw_used[GDB_MAX_HWBPS];
	uint64_t hw_addr[GDB_MAX_HWBPS];
	uint64_t guest_dr7;	// the guest's DR7 before gdb took it
} gdb;

// ---- the target, for rsp.c ----

static bool
tgt_is64(void *arg)
{
	return gdb.is64;
}

// enum rsp_reg -> the general register in env_tf, or NULL for the others.
static uint64_t *
tgt_gpr(enum rsp_reg r)
{
	struct PushRegs *g = &gdb.tf->tf_regs;

	switch (r) {
	case RSP_RAX: return &g->reg_rax;
	case RSP_RBX: return &g->reg_rbx;
	case RSP_RCX: return &g->reg_rcx;
	case RSP_RDX: return &g->reg_rdx;
	case RSP_RSI: return &g->reg_rsi;
	case RSP_RDI: return &g->reg_rdi;
	case RSP_RBP: return &g->reg_rbp;
	case RSP_R8: return &g->reg_r8;
	case RSP_R9: return &g->reg_r9;
	case RSP_R10: return &g->reg_r10;
	case RSP_R11: return &g->reg_r11;
	case RSP_R12: return &g->reg_r12;
	case RSP_R13: return &g->reg_r13;
	case RSP_R14: return &g->reg_r14;
	case RSP_R15: return &g->reg_r15;
	default: return NULL;
	}
}

// enum rsp_reg -> the ops table's register, for those not in env_tf.
static int
tgt_vm_reg(enum rsp_reg r, enum vm_reg *reg)
{
	static const enum vm_reg regs[] = {
		[RSP_RSP] = VM_REG_RSP, [RSP_RIP] = VM_REG_RIP, [RSP_RFLAGS] = VM_REG_RFLAGS,
		[RSP_CS] = VM_REG_CS, [RSP_SS] = VM_REG_SS, [RSP_DS] = VM_REG_DS,
		[RSP_ES] = VM_REG_ES, [RSP_FS] = VM_REG_FS, [RSP_GS] = VM_REG_GS,
	};

	if (r >= RSP_NREGS || (r != RSP_RSP && r < RSP_RIP))
		return -1;
	*reg = regs[r];
	return 0;
}

static int
tgt_get_reg(void *arg, enum rsp_reg r, uint64_t *value)
{
	uint64_t *slot = tgt_gpr(r);
	enum vm_reg reg;

	if (slot) {
		*value = *slot;
		return 0;
	}
	if (tgt_vm_reg(r, &reg) < 0)
		return -1;
	*value = vmm->get_reg(&gdb.vm->vcpu, reg);
	return 0;
}

/* Segment selectors are read only: writing the value they have is fine. */
static int
tgt_set_reg(void *arg, enum rsp_reg r, uint64_t value)
{
	uint64_t *slot = tgt_gpr(r), old;
	enum vm_reg reg;

	if (slot) {
		*slot = gdb.is64 ? value : (value & 0xFFFFFFFF);
		return 0;
	}
	if (tgt_vm_reg(r, &reg) < 0)
		return -1;
	if (r >= RSP_CS) {
		old = vmm->get_reg(&gdb.vm->vcpu, reg);
		return (old & 0xFFFF) == (value & 0xFFFF) ? 0 : -1;
	}
	vmm->set_reg(&gdb.vm->vcpu, reg, value);
	return 0;
}

/* Read size bytes of guest-physical memory (a page-table entry). */
static int
tgt_read_phys(void *arg, uint64_t gpa, int size, uint64_t *value)
{
	uint8_t *p = vm_gpa2kva(gdb.vm, gpa);

	if (!p || PGOFF(gpa) + size > PGSIZE)
		return -1;
	*value = 0;
	memcpy(value, p, size);
	return 0;
}

/* The kernel address of guest-virtual va (writable by the guest, for a write), or NULL. */
static uint8_t *
tgt_va2kva(uint64_t va, bool write)
{
	struct vcpu *v = &gdb.vm->vcpu;
	struct walk_mode m = {
		vmm->get_reg(v, VM_REG_CR0), vmm->get_reg(v, VM_REG_CR3),
		vmm->get_reg(v, VM_REG_CR4), vmm->get_reg(v, VM_REG_EFER),
	};
	uint64_t gpa;

	if (walk_translate(&m, va, tgt_read_phys, NULL, &gpa) < 0 || gpa >= gdb.vm->mem_size)
		return NULL;
	return write ? vm_gpa2kva_writable(gdb.vm, gpa) : vm_gpa2kva(gdb.vm, gpa);
}

/* Copy between guest-virtual va and buf, page by page; bytes done. */
static int
tgt_copy(uint64_t va, uint8_t *buf, int len, bool to_guest)
{
	int done = 0, n;
	uint8_t *p;

	while (done < len) {
		if (!(p = tgt_va2kva(va + done, to_guest)))
			break;
		n = MIN(len - done, (int) (PGSIZE - PGOFF(va + done)));
		if (to_guest)
			memcpy(p, buf + done, n);
		else
			memcpy(buf + done, p, n);
		done += n;
	}
	return done;
}

static int
tgt_read_mem(void *arg, uint64_t addr, uint8_t *buf, int len)
{
	return tgt_copy(addr, buf, len, false);
}

static int
tgt_write_mem(void *arg, uint64_t addr, const uint8_t *buf, int len)
{
	return tgt_copy(addr, (uint8_t *) buf, len, true) == len ? 0 : -1;
}

static struct gdb_bp *
bp_find(uint64_t addr)
{
	for (int i = 0; i < GDB_MAX_BPS; i++)
		if (gdb.bps[i].used && gdb.bps[i].addr == addr)
			return &gdb.bps[i];
	return NULL;
}

/* Put an int3 at addr, keeping the byte it covers. */
static int
tgt_insert_bp(void *arg, uint64_t addr)
{
	static const uint8_t int3 = INT3;
	struct gdb_bp *b;

	if (bp_find(addr))
		return 0;
	for (b = gdb.bps; b < gdb.bps + GDB_MAX_BPS && b->used; b++)
		;
	if (b == gdb.bps + GDB_MAX_BPS)
		return -1;
	if (tgt_copy(addr, &b->saved, 1, false) != 1 || tgt_write_mem(NULL, addr, &int3, 1) < 0)
		return -1;
	b->used = true;
	b->addr = addr;
	return 0;
}

static int
tgt_remove_bp(void *arg, uint64_t addr)
{
	struct gdb_bp *b = bp_find(addr);

	if (!b)
		return -1;
	b->used = false;
	return tgt_write_mem(NULL, addr, &b->saved, 1);
}

/* The DR7 that enables gdb's hardware breakpoints (execution, one byte), or 0 if none is set. */
static uint64_t
hw_dr7(void)
{
	uint64_t dr7 = 0;

	for (int i = 0; i < GDB_MAX_HWBPS; i++)
		if (gdb.hw_used[i])
			dr7 |= 1UL << (2 * i);		// L<i>; R/W and LEN 00: execution
	return dr7 ? (dr7 | DR7_FIXED) : 0;
}

/* The guest's DR7 for the hardware breakpoints now set (its own when none is). */
static void
hw_apply(void)
{
	uint64_t dr7 = hw_dr7();

	vmm->set_reg(&gdb.vm->vcpu, VM_REG_DR7, dr7 ? dr7 : gdb.guest_dr7);
}

/* Load DR0-DR3 with gdb's addresses on this CPU, which is about to enter the guest. */
static void
hw_load(void)
{
	asm volatile("mov %0, %%db0" : : "r" (gdb.hw_addr[0]));
	asm volatile("mov %0, %%db1" : : "r" (gdb.hw_addr[1]));
	asm volatile("mov %0, %%db2" : : "r" (gdb.hw_addr[2]));
	asm volatile("mov %0, %%db3" : : "r" (gdb.hw_addr[3]));
}

/* The hardware breakpoint slot at guest-linear addr, or -1. */
static int
hw_find(uint64_t addr)
{
	for (int i = 0; i < GDB_MAX_HWBPS; i++)
		if (gdb.hw_used[i] && gdb.hw_addr[i] == addr)
			return i;
	return -1;
}

/* Z1: a hardware breakpoint at addr (a free debug register), -1 if all four are taken. */
static int
tgt_insert_hwbp(void *arg, uint64_t addr)
{
	int i;

	if (hw_find(addr) >= 0)
		return 0;
	for (i = 0; i < GDB_MAX_HWBPS && gdb.hw_used[i]; i++)
		;
	if (i == GDB_MAX_HWBPS || (vmm->check_hwbp && vmm->check_hwbp(addr) < 0))
		return -1;
	if (!hw_dr7())
		gdb.guest_dr7 = vmm->get_reg(&gdb.vm->vcpu, VM_REG_DR7);
	gdb.hw_used[i] = true;
	gdb.hw_addr[i] = addr;
	hw_apply();
	return 0;
}

static int
tgt_remove_hwbp(void *arg, uint64_t addr)
{
	int i = hw_find(addr);

	if (i < 0)
		return -1;
	gdb.hw_used[i] = false;
	hw_apply();
	return 0;
}

static const struct rsp_target gdb_target = {
	.is_64bit = tgt_is64, .get_reg = tgt_get_reg, .set_reg = tgt_set_reg,
	.read_mem = tgt_read_mem, .write_mem = tgt_write_mem,
	.insert_bp = tgt_insert_bp, .remove_bp = tgt_remove_bp,
	.insert_hwbp = tgt_insert_hwbp, .remove_hwbp = tgt_remove_hwbp,
};

// ---- the session ----

/* Send n bytes to gdb. */
static void
put(const char *s, int n)
{
	for (int i = 0; i < n; i++)
		serial2_putc(s[i]);
}

static void
send_reply(void)
{
	rsp_frame(&gdb.rsp);
	put(gdb.rsp.frame, gdb.rsp.frame_len);
}

/* gdb is gone (D) or the guest is (k): no breakpoint stays behind. */
static void
gdb_end(void)
{
	for (int i = 0; i < GDB_MAX_BPS; i++)
		if (gdb.bps[i].used)
			tgt_remove_bp(NULL, gdb.bps[i].addr);
	for (int i = 0; i < GDB_MAX_HWBPS; i++)
		if (gdb.hw_used[i])
			tgt_remove_hwbp(NULL, gdb.hw_addr[i]);
	vmm->set_debug(&gdb.vm->vcpu, false, false);
	cprintf("vmm: guest %08x: the debugger let go\n", gdb.id);
	gdb.id = 0;
}

/*
 * The guest stops (why): tell gdb (unless it has yet to ask), and hold
 * the guest (gdb_serve) until gdb lets it run again.
 */
static void
gdb_stop(enum rsp_stop why)
{
	gdb.running = false;
	gdb.stopped = true;
	gdb.stepping = false;
	if (why != RSP_STOP_ATTACH) {
		rsp_stop_reply(&gdb.rsp, why);
		send_reply();
	}
}

/* The next byte from gdb, waiting at most GDB_LINGER_US for it; -1 if none came. */
static int
gdb_getc_lingering(void)
{
	int c;

	for (int us = 0; (c = serial2_getc()) < 0 && us < GDB_LINGER_US; us += 10)
		microdelay(10);
	return c;
}

/*
 * The guest is held for gdb: answer each packet gdb has sent.  The
 * guest runs again (VM_RESUME) when gdb says so, or ends (VM_KILL);
 * VM_BLOCK when gdb has sent nothing more for a moment: the guest then
 * sleeps, not runnable, and the host runs on, until COM2's interrupt
 * brings more (gdb_input); also VM_BLOCK, for a millisecond, after
 * GDB_SERVE_BYTES bytes, so that a peer that never pauses cannot keep
 * this CPU in the kernel with its interrupts off.
 */
static enum vm_action
gdb_serve(struct vm *vm, struct Trapframe *tf)
{
	enum rsp_action act;
	int c;

	gdb.vm = vm;
	gdb.tf = tf;
	for (int taken = 0;; taken++) {
		if (taken == GDB_SERVE_BYTES) {
			// Still held: asleep for a millisecond, so that this CPU
			// takes its interrupts (the host's console too) and runs
			// the host's envs before the next turn.
			env_block_console(vm->env);
			timer_wake_at(vm->env, read_tsc() + time_tsc_hz() / 1000);
			return VM_BLOCK;
		}
		if ((c = gdb_getc_lingering()) < 0)
			break;
		if (rsp_receive(&gdb.rsp, c, put) != RSP_EV_PACKET)
			continue;
		act = rsp_dispatch(&gdb.rsp);
		if (act == RSP_ACT_REPLY) {
			send_reply();
			continue;
		}
		if (act == RSP_ACT_KILL) {
			gdb_end();
			return VM_KILL;
		}
		if (act == RSP_ACT_DETACH) {
			send_reply();
			gdb_end();
			return VM_RESUME;
		}
		if (vmm->set_debug(&vm->vcpu, act == RSP_ACT_STEP, true) < 0) {
			rsp_stop_reply(&gdb.rsp, RSP_STOP_STEP);	// cannot step: stays stopped
			send_reply();
			continue;
		}
		gdb.stopped = false;
		gdb.running = true;
		gdb.stepping = act == RSP_ACT_STEP;
		return VM_RESUME;
	}
	// Asleep for input, as in HLT: the host idles (rather than
	// finding nothing alive), and typed input only wakes it again.
	env_block_console(vm->env);
	return VM_BLOCK;
}

/*
 * COM2's interrupt brought bytes (kernel lock held): the debugged
 * guest, asleep while held for gdb or in HLT waiting for input (for a
 * Ctrl-C), runs to take them.
 */
static void
gdb_input(void)
{
	struct Env *e;

	if (!gdb.id || envid2env(gdb.id, &e, false) < 0 || e->env_type != ENV_TYPE_GUEST
	    || e->env_status != ENV_NOT_RUNNABLE)
		return;
	// Asleep for a reason of its own (host IPC, say), it stays asleep:
	// Ctrl-C is seen once it wakes.  In HLT it may wake any time.
	if (gdb.stopped || e->env_cons_waiting)
		env_wake(e);
}

/*
 * Debug guest id: it stops at its next entry and waits for gdb on
 * COM2 (gdb's detach lets it go).  gdb is given the register layout of
 * the guest's mode then, i386 in real mode too with GUEST_DEBUG_I386 in
 * flags (a 32-bit kernel held in the boot code).  -E_BAD_ENV if id is
 * not a guest, -E_INVAL for another flag, -E_NOT_SUPP without a COM2
 * or set_debug in the backend, or when another guest is being debugged.
 */
int
gdb_attach(envid_t id, int flags)
{
	static bool serial_ready;
	struct Env *e;

	if (!serial_ready) {
		serial2_init();
		serial2_set_notify(gdb_input);
		serial_ready = true;
	}
	if (envid2env(id, &e, false) < 0 || e->env_type != ENV_TYPE_GUEST || !e->env_vmxinfo)
		return -E_BAD_ENV;
	if (flags & ~GUEST_DEBUG_I386)
		return -E_INVAL;
	if (!vmm->set_debug) {
		cprintf("vmm: the %s backend has no debugger controls\n", vmm_caps.name);
		return -E_NOT_SUPP;
	}
	if (!serial2_present()) {
		cprintf("vmm: no COM2 for the debugger\n");
		return -E_NOT_SUPP;
	}
	if (gdb.id && gdb.id != id) {
		struct Env *other;
		if (envid2env(gdb.id, &other, false) == 0 && other->env_type == ENV_TYPE_GUEST)
			return -E_NOT_SUPP;
	}
	gdb.id = id;
	gdb.stop_pending = true;
	gdb.i386 = (flags & GUEST_DEBUG_I386) != 0;
	gdb.running = false;
	gdb.stopped = false;
	memset(gdb.bps, 0, sizeof(gdb.bps));
	memset(gdb.hw_used, 0, sizeof(gdb.hw_used));
	gdb.stepping = false;
	rsp_init(&gdb.rsp, &gdb_target);
	cprintf("vmm: guest %08x waits for gdb on COM2\n", id);
	// A guest asleep in HLT for input stops now, not at its next key.
	if (e->env_status == ENV_NOT_RUNNABLE && e->env_cons_waiting)
		env_wake(e);
	return 0;
}

/* Whether guest vm is the one being debugged. */
static bool
debugged(struct vm *vm)
{
	return gdb.id && vm->env->env_id == gdb.id;
}

/*
 * Called before each entry the run loop makes with the kernel lock held
 * (the guest's state current): stop here if an attach or gdb's Ctrl-C
 * asks for it, and while held for gdb, answer it.  What the run loop
 * does next: VM_RESUME, VM_BLOCK (the guest sleeps until gdb sends
 * more, or for a moment) or VM_KILL.
 */
enum vm_action
gdb_before_entry(struct vm *vm, struct Trapframe *tf)
{
	struct vcpu *v = &vm->vcpu;
	enum vm_action action;
	int c;

	if (!debugged(vm))
		return VM_RESUME;
	if (gdb.stop_pending) {
		gdb.stop_pending = false;
		gdb.is64 = (vmm->get_reg(v, VM_REG_EFER) & EFER_LMA_BIT)
			|| (!(vmm->get_reg(v, VM_REG_CR0) & CR0_PE_BIT) && !gdb.i386);
		gdb_stop(RSP_STOP_ATTACH);
	}
	for (int taken = 0; gdb.running && taken < GDB_SERVE_BYTES
	     && (c = serial2_getc()) >= 0; taken++)
		if (rsp_input(&gdb.rsp, c) == RSP_EV_INTERRUPT) {
			vmm->set_debug(v, false, true);
			gdb_stop(RSP_STOP_INTERRUPT);
		}
	if (gdb.stopped && (action = gdb_serve(vm, tf)) != VM_RESUME)
		return action;
	if (gdb.id && hw_dr7())
		hw_load();
	return VM_RESUME;
}

/*
 * A #BP or single-step exit: gdb's, or (an int3 of the guest's own,
 * with no debugger or at no breakpoint of gdb's) the guest's #BP.
 * A stop for gdb is served at the next entry (gdb_before_entry).
 */
enum vm_action
gdb_exit(struct vm *vm, struct Trapframe *tf, const struct vm_exit *x)
{
	struct vcpu *v = &vm->vcpu;
	struct vm_event ev = { .valid = true, .type = VM_EVENT_SOFT_EXC, .vector = 3 };

	if (x->reason == VM_EXIT_BREAKPOINT) {
		gdb.vm = vm;
		gdb.tf = tf;
		if (debugged(vm) && bp_find(vmm->get_reg(v, VM_REG_RIP))) {
			gdb_stop(RSP_STOP_BREAKPOINT);
			return VM_RESUME;
		}
		ev.insn_len = x->insn_len ? x->insn_len : 1;
		vmm->inject(v, &ev);
		return VM_RESUME;
	}
	// VM_EXIT_STEP, a #DB: gdb's single step, one of its hardware
	// breakpoints, or the guest's own (delivered to it).
	if (!debugged(vm)) {
		vmm->set_debug(v, false, false);
		return VM_RESUME;
	}
	if (gdb.stepping) {
		gdb.stepping = false;
		vmm->set_debug(v, false, true);
		gdb_stop(RSP_STOP_STEP);
	} else if (hw_find(vmm->get_reg(v, VM_REG_RIP)) >= 0) {
		gdb_stop(RSP_STOP_HWBREAK);
	} else {
		ev.type = VM_EVENT_EXCEPTION;
		ev.vector = 1;		// #DB
		vmm->inject(v, &ev);
	}
	return VM_RESUME;
}
