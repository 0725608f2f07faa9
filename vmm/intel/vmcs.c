/*
 * A VMCS's contents: the guest's starting state and the controls, the
 * host state an exit returns to, the guest registers the core reads
 * and writes (enum vm_reg), and event injection.  Called with the
 * guest's VMCS current on this CPU.
 */
#include <inc/x86.h>
#include <inc/mmu.h>
#include <inc/assert.h>
#include <inc/error.h>
#include <inc/trap.h>
#include <inc/memlayout.h>

#include <kern/env.h>
#include <kern/pmap.h>
#include <kern/cpu.h>
#include <kern/trap.h>
#include <vmm/vm.h>
#include <vmm/intel/vmx.h>
#include <vmm/intel/vmcs.h>

extern char vmx_exit_point[];		// vmrun.S

/*
 * The CR0 the CPU must hold for a guest that asked for cr0: VMX's fixed
 * bits applied, except PE and PG, which unrestricted guest leaves free.
 */
static uint64_t
vmx_guest_cr0(uint64_t cr0)
{
	uint64_t fixed0 = vmx_caps.cr0_fixed0 & ~(uint64_t) (CR0_PE | CR0_PG);
	uint64_t fixed1 = vmx_caps.cr0_fixed1 | CR0_PE | CR0_PG;

	return (cr0 | fixed0) & fixed1;
}

/* The CR4 the CPU must hold for a guest that asked for cr4. */
static uint64_t
vmx_guest_cr4(uint64_t cr4)
{
	return (cr4 | vmx_caps.cr4_fixed0) & vmx_caps.cr4_fixed1;
}

/*
 * Fill the current VMCS (v's) with the controls and the guest's
 * starting state: 16-bit real mode at v->rip0, paging off, flat 64 KiB
 * segments.  The CR0 and CR4 bits VMX fixes are owned by the monitor:
 * the guest reads them from the shadows, and a write that would change
 * one exits (see the CR-access handler).
 */
void
vmx_vmcs_init(struct vmx_vcpu *v)
{
	uint16_t cs = (v->rip0 >> 4) & 0xF000;
	uint64_t cr0 = vmx_guest_cr0(CR0_ET);
	uint64_t cr0_mask = ((vmx_caps.cr0_fixed0 & ~(uint64_t) (CR0_PE | CR0_PG))
			     | ~vmx_caps.cr0_fixed1) & 0xFFFFFFFF;
	uint64_t cr4_mask = (vmx_caps.cr4_fixed0 | ~vmx_caps.cr4_fixed1) & 0xFFFFFFFF;
	static const uint32_t data_segs[][4] = {
		// selector, base, limit, access rights
		{ VMCS_GUEST_ES_SELECTOR, VMCS_GUEST_ES_BASE, VMCS_GUEST_ES_LIMIT, VMCS_GUEST_ES_AR },
		{ VMCS_GUEST_SS_SELECTOR, VMCS_GUEST_SS_BASE, VMCS_GUEST_SS_LIMIT, VMCS_GUEST_SS_AR },
		{ VMCS_GUEST_DS_SELECTOR, VMCS_GUEST_DS_BASE, VMCS_GUEST_DS_LIMIT, VMCS_GUEST_DS_AR },
		{ VMCS_GUEST_FS_SELECTOR, VMCS_GUEST_FS_BASE, VMCS_GUEST_FS_LIMIT, VMCS_GUEST_FS_AR },
		{ VMCS_GUEST_GS_SELECTOR, VMCS_GUEST_GS_BASE, VMCS_GUEST_GS_LIMIT, VMCS_GUEST_GS_AR },
	};

	// Controls.
	vmcs_write32(VMCS_PIN_CONTROLS, vmx_caps.pin);
	vmcs_write32(VMCS_PROC_CONTROLS, vmx_caps.proc);
	vmcs_write32(VMCS_PROC_CONTROLS2, vmx_caps.proc2);
	vmcs_write32(VMCS_EXIT_CONTROLS, vmx_caps.exit);
	vmcs_write32(VMCS_ENTRY_CONTROLS, vmx_caps.entry);
	vmcs_write32(VMCS_EXCEPTION_BITMAP, 0);
	vmcs_write32(VMCS_PF_ERROR_MASK, 0);
	vmcs_write32(VMCS_PF_ERROR_MATCH, 0);
	vmcs_write32(VMCS_CR3_TARGET_COUNT, 0);
	vmcs_write32(VMCS_EXIT_MSR_STORE_COUNT, 0);
	vmcs_write32(VMCS_EXIT_MSR_LOAD_COUNT, 0);
	vmcs_write32(VMCS_ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write32(VMCS_ENTRY_INTR_INFO, 0);
	vmcs_write64(VMCS_IO_BITMAP_A, PADDR(v->io_bitmap_a));
	vmcs_write64(VMCS_IO_BITMAP_B, PADDR(v->io_bitmap_b));
	vmcs_write64(VMCS_MSR_BITMAP, PADDR(v->msr_bitmap));
	vmcs_write64(VMCS_EPT_POINTER, v->eptp);
	vmcs_writenatural(VMCS_CR0_GUEST_HOST_MASK, cr0_mask);
	vmcs_writenatural(VMCS_CR0_READ_SHADOW, cr0);
	vmcs_writenatural(VMCS_CR4_GUEST_HOST_MASK, cr4_mask);
	vmcs_writenatural(VMCS_CR4_READ_SHADOW, 0);
	vmcs_write64(VMCS_LINK_POINTER, ~0UL);

	// Real mode: CS:IP reaches rip; data segments at 0; 64 KiB limits;
	// accessed read/write data (0x93) and execute/read code (0x9b).
	vmcs_write16(VMCS_GUEST_CS_SELECTOR, cs);
	vmcs_writenatural(VMCS_GUEST_CS_BASE, (uint64_t) cs << 4);
	vmcs_write32(VMCS_GUEST_CS_LIMIT, 0xFFFF);
	vmcs_write32(VMCS_GUEST_CS_AR, 0x9B);
	for (int i = 0; i < 5; i++) {
		vmcs_write16(data_segs[i][0], 0);
		vmcs_writenatural(data_segs[i][1], 0);
		vmcs_write32(data_segs[i][2], 0xFFFF);
		vmcs_write32(data_segs[i][3], 0x93);
	}
	// No LDT (unusable); a busy 32-bit TSS at 0, as VM entry insists.
	vmcs_write16(VMCS_GUEST_LDTR_SELECTOR, 0);
	vmcs_writenatural(VMCS_GUEST_LDTR_BASE, 0);
	vmcs_write32(VMCS_GUEST_LDTR_LIMIT, 0xFFFF);
	vmcs_write32(VMCS_GUEST_LDTR_AR, 0x10000);
	vmcs_write16(VMCS_GUEST_TR_SELECTOR, 0);
	vmcs_writenatural(VMCS_GUEST_TR_BASE, 0);
	vmcs_write32(VMCS_GUEST_TR_LIMIT, 0xFFFF);
	vmcs_write32(VMCS_GUEST_TR_AR, 0x8B);
	// The real-mode interrupt vector table.
	vmcs_writenatural(VMCS_GUEST_GDTR_BASE, 0);
	vmcs_write32(VMCS_GUEST_GDTR_LIMIT, 0xFFFF);
	vmcs_writenatural(VMCS_GUEST_IDTR_BASE, 0);
	vmcs_write32(VMCS_GUEST_IDTR_LIMIT, 0x3FF);

	vmcs_writenatural(VMCS_GUEST_CR0, cr0);
	vmcs_writenatural(VMCS_GUEST_CR3, 0);
	vmcs_writenatural(VMCS_GUEST_CR4, vmx_guest_cr4(0));
	vmcs_writenatural(VMCS_GUEST_DR7, 0x400);
	vmcs_write64(VMCS_GUEST_IA32_DEBUGCTL, 0);
	vmcs_write64(VMCS_GUEST_IA32_EFER, 0);
	vmcs_writenatural(VMCS_GUEST_RIP, v->rip0 & 0xFFFF);
	vmcs_writenatural(VMCS_GUEST_RSP, v->rip0 & 0xFFFF);	// stack below the boot code
	vmcs_writenatural(VMCS_GUEST_RFLAGS, 0x2);
	vmcs_write32(VMCS_GUEST_INTERRUPTIBILITY, 0);
	vmcs_write32(VMCS_GUEST_ACTIVITY_STATE, 0);
	if (vmx_caps.pin & PIN_PREEMPTION_TIMER)	// set again at each entry
		vmcs_write32(VMCS_PREEMPTION_TIMER, 0xFFFFFFFF);
	vmcs_writenatural(VMCS_GUEST_PENDING_DEBUG, 0);
	vmcs_write32(VMCS_GUEST_SYSENTER_CS, 0);
	vmcs_writenatural(VMCS_GUEST_SYSENTER_ESP, 0);
	vmcs_writenatural(VMCS_GUEST_SYSENTER_EIP, 0);
}

/*
 * Write the host state of the current VMCS: this CPU's kernel as it is
 * now (control registers, segments, its TSS, the shared GDT and IDT,
 * EFER), returning to vmx_exit_point in asm_vmrun (which writes the
 * stack pointer itself).
 */
void
vmx_vmcs_host(void)
{
	int cpu = cpunum();

	vmcs_writenatural(VMCS_HOST_CR0, rcr0());
	vmcs_writenatural(VMCS_HOST_CR3, rcr3());
	vmcs_writenatural(VMCS_HOST_CR4, rcr4());
	vmcs_write16(VMCS_HOST_CS_SELECTOR, GD_KT);
	vmcs_write16(VMCS_HOST_SS_SELECTOR, GD_KD);
	vmcs_write16(VMCS_HOST_DS_SELECTOR, GD_KD);
	vmcs_write16(VMCS_HOST_ES_SELECTOR, GD_KD);
	vmcs_write16(VMCS_HOST_FS_SELECTOR, 0);		// reloaded after the exit
	vmcs_write16(VMCS_HOST_GS_SELECTOR, 0);
	vmcs_write16(VMCS_HOST_TR_SELECTOR, GD_TSS0 + 16 * cpu);
	vmcs_writenatural(VMCS_HOST_FS_BASE, rdmsr(MSR_FS_BASE));
	vmcs_writenatural(VMCS_HOST_GS_BASE, rdmsr(MSR_GS_BASE));
	vmcs_writenatural(VMCS_HOST_TR_BASE, (uint64_t) &cpus[cpu].cpu_ts);
	vmcs_writenatural(VMCS_HOST_GDTR_BASE, (uint64_t) gdt);
	vmcs_writenatural(VMCS_HOST_IDTR_BASE, (uint64_t) idt);
	vmcs_write32(VMCS_HOST_SYSENTER_CS, 0);
	vmcs_writenatural(VMCS_HOST_SYSENTER_ESP, 0);
	vmcs_writenatural(VMCS_HOST_SYSENTER_EIP, 0);
	vmcs_write64(VMCS_HOST_IA32_EFER, rdmsr(MSR_EFER));
	vmcs_writenatural(VMCS_HOST_RIP, (uint64_t) vmx_exit_point);
}

/*
 * Keep the "IA-32e mode guest" entry control equal to the guest's
 * EFER.LMA, which the guest changes itself when it turns paging on or
 * off with EFER.LME set.
 */
void
vmx_sync_ia32e(void)
{
	uint64_t efer = vmcs_read64(VMCS_GUEST_IA32_EFER);
	uint32_t entry = vmcs_read32(VMCS_ENTRY_CONTROLS);
	uint32_t want = (efer & EFER_LMA) ? (entry | ENTRY_IA32E_GUEST)
					  : (entry & ~ENTRY_IA32E_GUEST);

	if (want != entry)
		vmcs_write32(VMCS_ENTRY_CONTROLS, want);
}

/* Set the guest's EFER (as WRMSR or a CR0 write would) and the matching entry control. */
static void
vmx_set_guest_efer(uint64_t efer)
{
	vmcs_write64(VMCS_GUEST_IA32_EFER, efer);
	vmx_sync_ia32e();
}

/*
 * A guest-visible control register: the bits the monitor owns (the
 * mask) come from the read shadow, the rest from the CPU's value.
 */
static uint64_t
vmx_shadowed(uint32_t field, uint32_t mask, uint32_t shadow)
{
	uint64_t m = vmcs_readnatural(mask);

	return (vmcs_readnatural(field) & ~m) | (vmcs_readnatural(shadow) & m);
}

/* Guest register reg (enum vm_reg) of virtual CPU v, whose VMCS is current. */
uint64_t
vmx_get_reg(struct vcpu *v, enum vm_reg reg)
{
	switch (reg) {
	case VM_REG_RIP:
		return vmcs_readnatural(VMCS_GUEST_RIP);
	case VM_REG_RSP:
		return vmcs_readnatural(VMCS_GUEST_RSP);
	case VM_REG_RFLAGS:
		return vmcs_readnatural(VMCS_GUEST_RFLAGS);
	case VM_REG_CR0:
		return vmx_shadowed(VMCS_GUEST_CR0, VMCS_CR0_GUEST_HOST_MASK, VMCS_CR0_READ_SHADOW);
	case VM_REG_CR3:
		return vmcs_readnatural(VMCS_GUEST_CR3);
	case VM_REG_CR4:
		return vmx_shadowed(VMCS_GUEST_CR4, VMCS_CR4_GUEST_HOST_MASK, VMCS_CR4_READ_SHADOW);
	case VM_REG_EFER:
		return vmcs_read64(VMCS_GUEST_IA32_EFER);
	case VM_REG_CPL:	// the SS descriptor's DPL
		return (vmcs_read32(VMCS_GUEST_SS_AR) >> 5) & 3;
	case VM_REG_INTR_SHADOW:
		return vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY) & INTR_BLOCK_STI_MOVSS;
	case VM_REG_DR7:
		return vmcs_readnatural(VMCS_GUEST_DR7);
	case VM_REG_CS:
		return vmcs_read16(VMCS_GUEST_CS_SELECTOR);
	case VM_REG_SS:
		return vmcs_read16(VMCS_GUEST_SS_SELECTOR);
	case VM_REG_DS:
		return vmcs_read16(VMCS_GUEST_DS_SELECTOR);
	case VM_REG_ES:
		return vmcs_read16(VMCS_GUEST_ES_SELECTOR);
	case VM_REG_FS:
		return vmcs_read16(VMCS_GUEST_FS_SELECTOR);
	case VM_REG_GS:
		return vmcs_read16(VMCS_GUEST_GS_SELECTOR);
	}
	panic("vmx_get_reg: register %d", reg);
}

/*
 * Set guest register reg of virtual CPU v to value.  CR0 and CR4: the
 * guest gets what it asked for in the read shadow and the CPU what VMX
 * needs; EFER: with the entry control that follows EFER.LMA.
 */
void
vmx_set_reg(struct vcpu *v, enum vm_reg reg, uint64_t value)
{
	switch (reg) {
	case VM_REG_RIP:
		vmcs_writenatural(VMCS_GUEST_RIP, value);
		return;
	case VM_REG_RSP:
		vmcs_writenatural(VMCS_GUEST_RSP, value);
		return;
	case VM_REG_RFLAGS:
		vmcs_writenatural(VMCS_GUEST_RFLAGS, value);
		return;
	case VM_REG_CR0:
		vmcs_writenatural(VMCS_GUEST_CR0, vmx_guest_cr0(value));
		vmcs_writenatural(VMCS_CR0_READ_SHADOW, value);
		return;
	case VM_REG_CR3:
		vmcs_writenatural(VMCS_GUEST_CR3, value);
		return;
	case VM_REG_CR4:
		vmcs_writenatural(VMCS_GUEST_CR4, vmx_guest_cr4(value));
		vmcs_writenatural(VMCS_CR4_READ_SHADOW, value);
		return;
	case VM_REG_EFER:
		vmx_set_guest_efer(value);
		return;
	case VM_REG_INTR_SHADOW: {
		uint32_t i = vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY) & ~INTR_BLOCK_STI_MOVSS;
		vmcs_write32(VMCS_GUEST_INTERRUPTIBILITY, i | (value & INTR_BLOCK_STI_MOVSS));
		return;
	}
	case VM_REG_DR7:
		vmcs_writenatural(VMCS_GUEST_DR7, value);
		return;
	default:	// CPL, selectors: read only
		break;
	}
	panic("vmx_set_reg: register %d", reg);
}

/*
 * Deliver event ev to the guest at the next entry (the VM-entry
 * interruption-information field, its error code and, for software
 * events, the instruction length).
 */
void
vmx_inject(struct vcpu *v, const struct vm_event *ev)
{
	uint32_t info = ev->vector | ((uint32_t) ev->type << 8) | INTR_INFO_VALID;

	if (ev->has_error) {
		info |= INTR_INFO_HAS_ERROR;
		vmcs_write32(VMCS_ENTRY_EXCEPTION_ERROR, ev->error);
	}
	if (ev->type >= VM_EVENT_SOFT_INTR)
		vmcs_write32(VMCS_ENTRY_INSTRUCTION_LEN, ev->insn_len);
	vmcs_write32(VMCS_ENTRY_INTR_INFO, info);
}

/*
 * Single step by RFLAGS.TF and a #DB intercept, for CPUs without the
 * monitor trap flag (Bochs' corei7_haswell_4770 has none).  The guest's
 * own TF comes back when stepping ends; an instruction that reads
 * RFLAGS while it is stepped sees TF set.
 */
static void
vmx_tf_step(struct vmx_vcpu *xv, bool step, uint32_t *bitmap)
{
	uint64_t rflags = vmcs_readnatural(VMCS_GUEST_RFLAGS);

	if (step && !xv->tf_step) {
		xv->guest_tf = (rflags & FL_TF) != 0;
		rflags |= FL_TF;
		// Entry wants a pending single-step trap (BS) under STI or
		// MOV SS blocking with TF set.
		if (vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY) & INTR_BLOCK_STI_MOVSS)
			vmcs_writenatural(VMCS_GUEST_PENDING_DEBUG,
					  vmcs_readnatural(VMCS_GUEST_PENDING_DEBUG) | (1 << 14));
	} else if (!step && xv->tf_step)
		rflags = (rflags & ~FL_TF) | (xv->guest_tf ? FL_TF : 0);
	xv->tf_step = step;
	vmcs_writenatural(VMCS_GUEST_RFLAGS, rflags);
	*bitmap = step ? (*bitmap | (1 << T_DEBUG)) : (*bitmap & ~(1 << T_DEBUG));
}

/*
 * The debugger's controls on virtual CPU v, whose VMCS is current:
 * single step for step (the monitor trap flag, else RFLAGS.TF with #DB
 * intercepted), #BP and #DB in the exception bitmap for catch_bp.
 */
int
vmx_set_debug(struct vcpu *v, bool step, bool catch_bp)
{
	struct vmx_vcpu *xv = v->backend;
	uint32_t allowed = rdmsr(MSR_IA32_VMX_PROCBASED_CTLS) >> 32;
	uint32_t proc = vmcs_read32(VMCS_PROC_CONTROLS);
	uint32_t bitmap = vmcs_read32(VMCS_EXCEPTION_BITMAP);

	if (allowed & PROC_MONITOR_TRAP)
		proc = step ? (proc | PROC_MONITOR_TRAP) : (proc & ~PROC_MONITOR_TRAP);
	else
		vmx_tf_step(xv, step, &bitmap);
	bitmap = catch_bp ? (bitmap | (1 << T_BRKPT)) : (bitmap & ~(1 << T_BRKPT));
	if (catch_bp)		// the debugger's hardware breakpoints
		bitmap |= 1 << T_DEBUG;
	else if (!xv->tf_step)
		bitmap &= ~(1 << T_DEBUG);
	vmcs_write32(VMCS_PROC_CONTROLS, proc);
	vmcs_write32(VMCS_EXCEPTION_BITMAP, bitmap);
	return 0;
}

/* Whether an event waits in the VM-entry interruption-information field. */
bool
vmx_event_pending(struct vcpu *v)
{
	return vmcs_read32(VMCS_ENTRY_INTR_INFO) & INTR_INFO_VALID;
}

/*
 * Exit (reason 7) as soon as the guest can take an external interrupt,
 * with on; no such exit without.
 */
void
vmx_intr_window(struct vcpu *v, bool on)
{
	vmcs_write32(VMCS_PROC_CONTROLS, vmx_caps.proc | (on ? PROC_INTR_WINDOW : 0));
}
