/*
 * The exit table of the VT-x backend: what each basic exit reason is
 * in the core's terms (enum vm_exit_reason), and the decoding of its
 * exit qualification into a struct vm_exit.  Called right after the
 * exit, with the guest's VMCS current.
 */
#include <inc/trap.h>

#include <vmm/vm.h>
#include <vmm/intel/vmx.h>
#include <vmm/intel/vmcs.h>

static const enum vm_exit_reason reasons[] = {
	[EXIT_REASON_EXTINT] = VM_EXIT_INTR,
	[EXIT_REASON_TRIPLE_FAULT] = VM_EXIT_TRIPLE_FAULT,
	[EXIT_REASON_INTR_WINDOW] = VM_EXIT_INTR_WINDOW,
	[EXIT_REASON_CPUID] = VM_EXIT_CPUID,
	[EXIT_REASON_HLT] = VM_EXIT_HLT,
	[EXIT_REASON_INVD] = VM_EXIT_INVD,
	[EXIT_REASON_VMCALL] = VM_EXIT_HYPERCALL,
	[EXIT_REASON_VMCLEAR ... EXIT_REASON_VMXON] = VM_EXIT_VIRT_INSN,
	[EXIT_REASON_CR_ACCESS] = VM_EXIT_CR_ACCESS,
	[EXIT_REASON_IO] = VM_EXIT_IO,
	[EXIT_REASON_RDMSR] = VM_EXIT_RDMSR,
	[EXIT_REASON_WRMSR] = VM_EXIT_WRMSR,
	[EXIT_REASON_BAD_GUEST_STATE] = VM_EXIT_ENTRY_FAILED,
	[EXIT_REASON_EPT_VIOLATION] = VM_EXIT_NPF,
	[EXIT_REASON_EPT_MISCONFIG] = VM_EXIT_NPT_BROKEN,
	[EXIT_REASON_INVEPT] = VM_EXIT_VIRT_INSN,
	[EXIT_REASON_PREEMPTION_TIMER] = VM_EXIT_SLICE_END,
	[EXIT_REASON_MONITOR_TRAP] = VM_EXIT_STEP,
	[EXIT_REASON_INVVPID] = VM_EXIT_VIRT_INSN,
	[EXIT_REASON_XSETBV] = VM_EXIT_XSETBV,
};
#define NREASONS	(sizeof(reasons) / sizeof(reasons[0]))

// Exit qualification of an I/O instruction.
#define IOQ_SIZE(q)	(((q) & 7) + 1)
#define IOQ_IN		0x08
#define IOQ_STRING	0x10
#define IOQ_REP		0x20
#define IOQ_PORT(q)	((q) >> 16)
// Exit qualification of a control-register access.
#define CRQ_CR(q)	((q) & 15)
#define CRQ_TYPE(q)	(((q) >> 4) & 3)	// CRQ_MOV_TO, CRQ_MOV_FROM, CLTS, LMSW
#define CRQ_MOV_TO	0
#define CRQ_MOV_FROM	1
#define CRQ_GPR(q)	(((q) >> 8) & 15)
// Exit qualification of an EPT violation.
#define EPTQ_ACCESS(q)	((q) & 7)	// read, write, fetch: as VM_PROT_*
#define EPTQ_MAPPED	0x38		// the entry allowed read, write or execute

/*
 * The event whose delivery the exit interrupted, if any (IDT-vectoring
 * information), into *ev.
 */
static void
vmx_decode_vectoring(struct vm_event *ev)
{
	uint32_t info = vmcs_read32(VMCS_IDT_VECTORING_INFO);

	ev->valid = (info & INTR_INFO_VALID) != 0;
	if (!ev->valid)
		return;
	ev->type = (info >> INTR_INFO_TYPE_SHIFT) & 7;
	ev->vector = info & INTR_INFO_VECTOR;
	ev->has_error = (info & INTR_INFO_HAS_ERROR) != 0;
	ev->error = ev->has_error ? vmcs_read32(VMCS_IDT_VECTORING_ERROR) : 0;
	ev->insn_len = 0;
}

/* Whether an exit with reason r has a qualification the core needs. */
static bool
vmx_exit_has_qual(enum vm_exit_reason r)
{
	return r == VM_EXIT_IO || r == VM_EXIT_CR_ACCESS || r == VM_EXIT_NPF
		|| r == VM_EXIT_UNKNOWN || r == VM_EXIT_ENTRY_FAILED;
}

/* Whether an exit with reason r is an instruction the core may skip. */
static bool
vmx_exit_has_insn(enum vm_exit_reason r)
{
	return r == VM_EXIT_CPUID || r == VM_EXIT_HLT || r == VM_EXIT_INVD
		|| r == VM_EXIT_HYPERCALL || r == VM_EXIT_CR_ACCESS || r == VM_EXIT_IO
		|| r == VM_EXIT_RDMSR || r == VM_EXIT_WRMSR || r == VM_EXIT_BREAKPOINT
		|| r == VM_EXIT_XSETBV;
}

/*
 * Decode the exit the guest just made into *x (general registers in
 * tf, for RDMSR/WRMSR's MSR number).
 */
void
vmx_decode_exit(struct vm_exit *x, struct Trapframe *tf)
{
	uint32_t reason = vmcs_read32(VMCS_EXIT_REASON);
	uint32_t basic = reason & 0xFFFF;
	uint64_t q = 0;

	x->raw_reason = basic;
	vmx_decode_vectoring(&x->pending);
	x->reason = basic < NREASONS ? reasons[basic] : VM_EXIT_UNKNOWN;
	// An exception exit: only the debugger's are in the bitmap, #BP
	// and (stepping by RFLAGS.TF, vmx_set_debug) #DB.
	if (basic == EXIT_REASON_EXCEPTION) {
		uint32_t vector = vmcs_read32(VMCS_EXIT_INTR_INFO) & INTR_INFO_VECTOR;
		if (vector == T_BRKPT)
			x->reason = VM_EXIT_BREAKPOINT;
		else if (vector == T_DEBUG)
			x->reason = VM_EXIT_STEP;
	}
	// A failed entry: only a refused guest state is the core's to report.
	if ((reason & EXIT_REASON_ENTRY_FAIL) && basic != EXIT_REASON_BAD_GUEST_STATE)
		x->reason = VM_EXIT_UNKNOWN;
	// Each VMREAD costs on the exit path: only the fields this exit has.
	if (vmx_exit_has_qual(x->reason))
		q = vmcs_readnatural(VMCS_EXIT_QUALIFICATION);
	x->qual = q;
	x->insn_len = (vmx_exit_has_insn(x->reason) || x->pending.valid)
		? vmcs_read32(VMCS_EXIT_INSTRUCTION_LEN) : 0;

	switch (x->reason) {
	case VM_EXIT_IO:
		x->u.io.port = IOQ_PORT(q);
		x->u.io.width = IOQ_SIZE(q);
		x->u.io.in = (q & IOQ_IN) != 0;
		x->u.io.string = (q & IOQ_STRING) != 0;
		x->u.io.rep = (q & IOQ_REP) != 0;
		break;
	case VM_EXIT_CR_ACCESS:
		if (CRQ_TYPE(q) != CRQ_MOV_TO && CRQ_TYPE(q) != CRQ_MOV_FROM) {
			x->reason = VM_EXIT_UNKNOWN;	// CLTS, LMSW: never made to exit
			break;
		}
		x->u.cr.cr = CRQ_CR(q);
		x->u.cr.write = CRQ_TYPE(q) == CRQ_MOV_TO;
		x->u.cr.gpr = CRQ_GPR(q);
		break;
	case VM_EXIT_NPF:
		x->u.npf.access = EPTQ_ACCESS(q);
		x->u.npf.mapped = (q & EPTQ_MAPPED) != 0;
		x->u.npf.gpa = vmcs_read64(VMCS_GUEST_PHYSICAL_ADDRESS);
		break;
	case VM_EXIT_NPT_BROKEN:
		x->u.npf.gpa = vmcs_read64(VMCS_GUEST_PHYSICAL_ADDRESS);
		break;
	case VM_EXIT_RDMSR:
	case VM_EXIT_WRMSR:
		x->u.msr = tf->tf_regs.reg_rcx;
		break;
	default:
		break;
	}
}

/* A short name for exit reason (its basic number). */
const char *
vmx_exit_name(uint32_t reason)
{
	static const char *const names[] = {
		[0] = "exception or NMI",
		[1] = "external interrupt",
		[2] = "triple fault",
		[3] = "INIT",
		[4] = "SIPI",
		[7] = "interrupt window",
		[8] = "NMI window",
		[9] = "task switch",
		[10] = "CPUID",
		[11] = "GETSEC",
		[12] = "HLT",
		[13] = "INVD",
		[14] = "INVLPG",
		[15] = "RDPMC",
		[16] = "RDTSC",
		[18] = "VMCALL",
		[19] = "VMCLEAR",
		[20] = "VMLAUNCH",
		[21] = "VMPTRLD",
		[22] = "VMPTRST",
		[23] = "VMREAD",
		[24] = "VMRESUME",
		[25] = "VMWRITE",
		[26] = "VMXOFF",
		[27] = "VMXON",
		[28] = "CR access",
		[29] = "MOV DR",
		[30] = "I/O instruction",
		[31] = "RDMSR",
		[32] = "WRMSR",
		[33] = "invalid guest state",
		[34] = "MSR loading",
		[36] = "MWAIT",
		[37] = "monitor trap flag",
		[39] = "MONITOR",
		[40] = "PAUSE",
		[41] = "machine check",
		[43] = "TPR below threshold",
		[44] = "APIC access",
		[46] = "GDTR/IDTR access",
		[47] = "LDTR/TR access",
		[48] = "EPT violation",
		[49] = "EPT misconfiguration",
		[50] = "INVEPT",
		[51] = "RDTSCP",
		[52] = "preemption timer",
		[53] = "INVVPID",
		[54] = "WBINVD",
		[55] = "XSETBV",
		[57] = "RDRAND",
		[58] = "INVPCID",
		[61] = "RDSEED",
		[63] = "XSAVES",
		[64] = "XRSTORS",
	};

	if (reason < sizeof(names) / sizeof(names[0]) && names[reason])
		return names[reason];
	return "other";
}
