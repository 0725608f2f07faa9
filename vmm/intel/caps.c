/*
 * What the CPU's VT-x offers (the capability MSRs, read once into
 * vmx_caps; every CPU is assumed to report the same) and the controls
 * the monitor runs guests with.
 */
#include <inc/x86.h>
#include <inc/stdio.h>
#include <inc/mmu.h>
#include <inc/error.h>
#include <inc/vmm/cpuid.h>

#include <vmm/intel/vmx.h>

struct vmx_caps vmx_caps;

/*
 * Whether this CPU's IA32_FEATURE_CONTROL allows VMXON outside SMX.
 * If the firmware left it unlocked, allow it and lock it.
 */
bool
vmx_feature_control_ok(void)
{
	uint64_t fc = rdmsr(MSR_IA32_FEATURE_CONTROL);

	if (!(fc & FEATURE_CONTROL_LOCK)) {
		fc |= FEATURE_CONTROL_LOCK | FEATURE_CONTROL_VMXON_OUTSIDE_SMX;
		wrmsr(MSR_IA32_FEATURE_CONTROL, fc);
	}
	return (fc & FEATURE_CONTROL_VMXON_OUTSIDE_SMX) != 0;
}

/*
 * Whether this CPU has VT-x and may use it.  Prints one line saying
 * why not and returns -E_NOT_SUPP, or returns 0.
 */
static int
vmx_check_support(void)
{
	uint32_t ecx;

	cpuid(1, NULL, NULL, &ecx, NULL);
	if (!(ecx & CPUID_VMX_BIT)) {
		cprintf("vmx: VT-x not supported: CPUID.1:ECX.VMX is clear\n");
		return -E_NOT_SUPP;
	}
	if (!vmx_feature_control_ok()) {
		cprintf("vmx: VT-x not supported: IA32_FEATURE_CONTROL is locked "
			"with VMXON outside SMX disabled\n");
		return -E_NOT_SUPP;
	}
	return 0;
}

/*
 * A control field's value from capability MSR msr: the bits the CPU
 * requires, plus those of required and optional that it allows.
 * Fails (with one line naming the bits) if a required bit is not
 * allowed.
 */
static int
vmx_control(const char *name, uint32_t msr, uint32_t required, uint32_t optional,
	    uint32_t *ctl)
{
	uint64_t cap = rdmsr(msr);
	uint32_t must = cap, may = cap >> 32;

	if (required & ~may) {
		cprintf("vmx: VT-x not usable: %s controls %08x are not allowed\n",
			name, required & ~may);
		return -E_NOT_SUPP;
	}
	*ctl = ((required | optional) & may) | must;
	return 0;
}

/*
 * Whether the CPU offers what the monitor needs beyond VMX itself:
 * EPT with 4-level walks and write-back memory, unrestricted guest, and
 * the controls listed below.  Fills vmx_caps.  Prints one line saying
 * what is missing and returns -E_NOT_SUPP, or returns 0.  Call after
 * vmx_check_support.
 */
static int
vmx_check_ept(void)
{
	uint64_t basic = rdmsr(MSR_IA32_VMX_BASIC);
	bool true_ctls = (basic & VMX_BASIC_TRUE_CTLS) != 0;
	uint64_t proc_cap = rdmsr(MSR_IA32_VMX_PROCBASED_CTLS);
	uint64_t proc2_cap, ept;
	int r;

	if (!((proc_cap >> 32) & PROC_SECONDARY)) {
		cprintf("vmx: EPT not supported: no secondary processor-based controls\n");
		return -E_NOT_SUPP;
	}
	proc2_cap = rdmsr(MSR_IA32_VMX_PROCBASED_CTLS2);
	if (!((proc2_cap >> 32) & PROC2_EPT)) {
		cprintf("vmx: EPT not supported: the secondary controls do not offer EPT\n");
		return -E_NOT_SUPP;
	}
	if (!((proc2_cap >> 32) & PROC2_UNRESTRICTED)) {
		cprintf("vmx: EPT not usable: the secondary controls do not offer unrestricted guest\n");
		return -E_NOT_SUPP;
	}
	ept = rdmsr(MSR_IA32_VMX_EPT_VPID_CAP);
	if (!(ept & EPT_CAP_WALK4)) {
		cprintf("vmx: EPT not supported: no 4-level page walk\n");
		return -E_NOT_SUPP;
	}
	if (!(ept & EPT_CAP_WB)) {
		cprintf("vmx: EPT not supported: no write-back memory type\n");
		return -E_NOT_SUPP;
	}
	if (((basic >> 32) & 0x1FFF) > PGSIZE) {
		cprintf("vmx: VT-x not usable: VMCS region larger than a page\n");
		return -E_NOT_SUPP;
	}

	vmx_caps.revision = basic & 0x7FFFFFFF;
	vmx_caps.ept_vpid = ept;
	vmx_caps.cr0_fixed0 = rdmsr(MSR_IA32_VMX_CR0_FIXED0);
	vmx_caps.cr0_fixed1 = rdmsr(MSR_IA32_VMX_CR0_FIXED1);
	vmx_caps.cr4_fixed0 = rdmsr(MSR_IA32_VMX_CR4_FIXED0);
	vmx_caps.cr4_fixed1 = rdmsr(MSR_IA32_VMX_CR4_FIXED1);

	// Host interrupts exit (and, where offered, a guest that keeps its
	// interrupts off exits anyway when its time slice is over); HLT
	// exits; ports and MSRs exit by bitmap.
	if ((r = vmx_control("pin-based",
			     true_ctls ? MSR_IA32_VMX_TRUE_PINBASED_CTLS : MSR_IA32_VMX_PINBASED_CTLS,
			     PIN_EXTINT_EXITING, PIN_PREEMPTION_TIMER, &vmx_caps.pin)) < 0
	    || (r = vmx_control("processor-based",
				true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS : MSR_IA32_VMX_PROCBASED_CTLS,
				PROC_INTR_WINDOW | PROC_HLT_EXITING | PROC_IO_BITMAPS
				| PROC_MSR_BITMAPS | PROC_SECONDARY,
				0, &vmx_caps.proc)) < 0
	    || (r = vmx_control("secondary processor-based", MSR_IA32_VMX_PROCBASED_CTLS2,
				PROC2_EPT | PROC2_UNRESTRICTED, 0, &vmx_caps.proc2)) < 0
	    // A 64-bit host; the guest's EFER saved, the host's loaded; the
	    // guest's DR7 saved and loaded where the CPU lets it be (the
	    // debugger's hardware breakpoints, vmm/gdb/: with the TRUE
	    // controls, Bochs 2.7 leaves them off, and without loading it
	    // an entry keeps the 0x400 that the exit left in DR7).
	    || (r = vmx_control("VM-exit",
				true_ctls ? MSR_IA32_VMX_TRUE_EXIT_CTLS : MSR_IA32_VMX_EXIT_CTLS,
				EXIT_HOST_64 | EXIT_SAVE_EFER | EXIT_LOAD_EFER, EXIT_SAVE_DEBUG,
				&vmx_caps.exit)) < 0
	    // The guest's EFER loaded; it may enter long mode later.
	    || (r = vmx_control("VM-entry",
				true_ctls ? MSR_IA32_VMX_TRUE_ENTRY_CTLS : MSR_IA32_VMX_ENTRY_CTLS,
				ENTRY_LOAD_EFER | ENTRY_IA32E_GUEST, ENTRY_LOAD_DEBUG,
				&vmx_caps.entry)) < 0)
		return r;
	// The guest starts in real mode: IA-32e mode only once it enables it.
	vmx_caps.entry &= ~ENTRY_IA32E_GUEST;
	// Interrupt-window exits only while the core asks (vmx_intr_window).
	vmx_caps.proc &= ~PROC_INTR_WINDOW;
	if (vmx_caps.exit & EXIT_ACK_INTR) {
		cprintf("vmx: VT-x not usable: the CPU insists on acknowledging interrupts on exit\n");
		return -E_NOT_SUPP;
	}
	if (vmx_caps.pin & PIN_PREEMPTION_TIMER)
		vmx_caps.timer_shift = rdmsr(MSR_IA32_VMX_MISC) & 0x1F;
	return 0;
}

/*
 * The backend's probe: whether this CPU can run guests with VT-x, EPT
 * and unrestricted guest.  Fills vmx_caps and *caps; prints one line
 * saying what is missing and returns -E_NOT_SUPP, or returns 0.
 */
int
vmx_probe(struct vmm_caps *caps)
{
	int r;

	if ((r = vmx_check_support()) < 0 || (r = vmx_check_ept()) < 0)
		return r;
	caps->name = "vmx: VT-x with EPT (4-level, write-back) and unrestricted guest";
	caps->npf_name = "EPT violation";
	// VMXE is the monitor's; the guest may set what VMX lets CR4 hold.
	caps->cr4_allowed = vmx_caps.cr4_fixed1 & ~(uint64_t) CR4_VMXE;
	caps->slice_timer = (vmx_caps.pin & PIN_PREEMPTION_TIMER) != 0;
	return 0;
}
