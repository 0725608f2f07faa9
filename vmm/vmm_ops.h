/*
 * Between the monitor's core and a hardware backend (vmm/intel/; an
 * SVM backend would be vmm/amd/): one table of operations, struct
 * vmm_ops, and one record of why the guest stopped, struct vm_exit.
 * The core sees no VMCS or VMCB encodings: a backend turns its exit
 * into a struct vm_exit and the core's registers and events into its
 * own fields.
 */
#ifndef JOS_VMM_VMM_OPS_H
#define JOS_VMM_VMM_OPS_H

#include <inc/types.h>

struct Trapframe;
struct PageInfo;
struct vcpu;

// Why the guest stopped, in the core's terms.
enum vm_exit_reason {
	VM_EXIT_UNKNOWN,	// nothing the core knows: the guest dies
	VM_EXIT_INTR,		// a host interrupt is pending
	VM_EXIT_SLICE_END,	// the guest's time slice is over
	VM_EXIT_TRIPLE_FAULT,	// the guest shut down
	VM_EXIT_ENTRY_FAILED,	// entry refused the guest's state
	VM_EXIT_CPUID,
	VM_EXIT_HLT,
	VM_EXIT_INVD,
	VM_EXIT_HYPERCALL,	// VMCALL (or VMMCALL)
	VM_EXIT_VIRT_INSN,	// a virtualization instruction (VMX or SVM)
	VM_EXIT_CR_ACCESS,	// MOV to or from a control register
	VM_EXIT_IO,		// IN, OUT, INS, OUTS
	VM_EXIT_RDMSR,
	VM_EXIT_WRMSR,
	VM_EXIT_NPF,		// guest-physical access its map does not allow
	VM_EXIT_NPT_BROKEN,	// the guest-physical map itself is malformed
	VM_EXIT_BREAKPOINT,	// INT3, caught while set_debug catches it
	VM_EXIT_STEP,		// one instruction done, while set_debug steps
	VM_EXIT_INTR_WINDOW,	// the guest can take an interrupt now (intr_window)
	VM_EXIT_XSETBV,		// XSETBV (emulated: vmm/fpu.c)
};

// An interrupt or exception, to deliver or as the exit interrupted it.
enum vm_event_type {
	VM_EVENT_EXTINT = 0,	// external interrupt
	VM_EVENT_NMI = 2,
	VM_EVENT_EXCEPTION = 3,	// hardware exception
	VM_EVENT_SOFT_INTR = 4,	// INT n
	VM_EVENT_PRIV_SOFT = 5,	// INT1
	VM_EVENT_SOFT_EXC = 6,	// INT3, INTO
};

struct vm_event {
	bool valid;
	enum vm_event_type type;
	uint8_t vector;
	bool has_error;
	uint32_t error;
	uint32_t insn_len;	// software types: the instruction's length
};

// Guest-physical access kinds (also the map's permission bits, which
// are sys_ept_map's: read 1, write 2, execute 4).
#define VM_PROT_READ	0x1
#define VM_PROT_WRITE	0x2
#define VM_PROT_EXEC	0x4
#define VM_PROT_ALL	(VM_PROT_READ | VM_PROT_WRITE | VM_PROT_EXEC)

// Free pages a map self-test borrows at most (a root, its tables for
// three addresses, three pages), with room to spare.
#define VM_SELFTEST_PAGES	32

struct vm_exit {
	enum vm_exit_reason reason;
	uint32_t raw_reason;	// the backend's own number (statistics, messages)
	uint64_t qual;		// the backend's qualification (messages)
	uint32_t insn_len;	// of the instruction that exited, if one did
	struct vm_event pending;	// an event whose delivery the exit interrupted
	union {
		struct {	// VM_EXIT_IO
			uint16_t port;
			uint8_t width;	// 1, 2 or 4 bytes
			bool in, string, rep;
		} io;
		struct {	// VM_EXIT_NPF, VM_EXIT_NPT_BROKEN
			uint64_t gpa;
			uint8_t access;	// VM_PROT_*: what the guest tried
			bool mapped;	// the map allowed something there
		} npf;
		struct {	// VM_EXIT_CR_ACCESS
			uint8_t cr;	// 0, 3, 4, 8
			bool write;	// MOV to CR (else from CR)
			uint8_t gpr;	// general register, in instruction encoding
		} cr;
		uint32_t msr;	// VM_EXIT_RDMSR, VM_EXIT_WRMSR
	} u;
};

// Registers the core reads and writes beyond env_tf.tf_regs (which
// hold the general ones, RSP excepted).
enum vm_reg {
	VM_REG_RIP,
	VM_REG_RSP,
	VM_REG_RFLAGS,
	VM_REG_CR0,		// as the guest sees it
	VM_REG_CR3,
	VM_REG_CR4,		// as the guest sees it
	VM_REG_EFER,		// writing it also updates the long-mode state
	VM_REG_CPL,		// read only
	VM_REG_INTR_SHADOW,	// nonzero: blocking by STI or MOV SS
	VM_REG_DR7,		// the debugger's hardware breakpoints (vmm/gdb/)
	// Segment selectors (the debugger shows them); read only.
	VM_REG_CS, VM_REG_SS, VM_REG_DS, VM_REG_ES, VM_REG_FS, VM_REG_GS,
};

// What ops->run reports.
enum vm_run_result {
	VM_RUN_EXITED,		// *exit says why
	VM_RUN_FAILED,		// the backend could not enter (it printed why)
};

// What a backend tells the core about itself (filled by probe).
struct vmm_caps {
	const char *name;	// "VT-x with EPT ..."
	const char *npf_name;	// what a guest-physical fault is called there
	uint64_t cr4_allowed;	// CR4 bits the guest may set
	bool slice_timer;	// run() can end a slice at a deadline
};

struct vmm_ops {
	// Whether this CPU can run guests: 0 and *caps, or -E_NOT_SUPP
	// after one line saying why not.
	int (*probe)(struct vmm_caps *caps);
	// A virtual CPU that starts in real mode at rip, or its end.
	int (*vcpu_create)(struct vcpu *v, uint64_t rip);
	void (*vcpu_free)(struct vcpu *v);
	// A turn of v on this CPU begins (kernel lock held): its state
	// is made current here, the host prepared for entries.  0, or an
	// error after one line saying why.
	int (*vcpu_load)(struct vcpu *v);
	// Enter the guest until it exits; general registers in tf.
	// deadline: TSC at which its slice ends (0: none).  Between
	// vcpu_load and vcpu_put, with or without the kernel lock.
	enum vm_run_result (*run)(struct vcpu *v, struct Trapframe *tf,
				  uint64_t deadline, struct vm_exit *exit);
	// The turn ends (kernel lock held): the host's own state is back.
	// v's state may stay current on this CPU while other envs run,
	// until cpu_release lets it go.
	void (*vcpu_put)(struct vcpu *v);
	// This CPU is about to run something else or idle (kernel lock
	// held): guest state kept here that another CPU asked for (a
	// guest to run there, or one that died) goes back to memory.
	void (*cpu_release)(void);
	// Optional (NULL: never): whether this CPU has such a request to
	// serve; read without the lock by an idle CPU woken by its timer.
	bool (*cpu_pending)(void);
	// Optional (NULL: always): whether v may run on this CPU now; if
	// not, the CPU holding its state is asked to let it go, and the
	// guest waits, runnable, until it has (kernel lock held).
	bool (*vcpu_claim)(struct vcpu *v);
	uint64_t (*get_reg)(struct vcpu *v, enum vm_reg reg);
	void (*set_reg)(struct vcpu *v, enum vm_reg reg, uint64_t value);
	// Deliver ev at the next entry.
	void (*inject)(struct vcpu *v, const struct vm_event *ev);
	// Whether an event waits to be delivered at the next entry
	// (inject was called since the last entry).
	bool (*event_pending)(struct vcpu *v);
	// on: exit with VM_EXIT_INTR_WINDOW as soon as the guest can take
	// an external interrupt (RFLAGS.IF set, no interrupt shadow), so
	// that the core injects one then; off: no such exit.  The setting
	// stays until changed.
	void (*intr_window)(struct vcpu *v, bool on);
	// The guest-physical map: a root, its entries, its end.
	void *(*map_alloc)(void);
	void (*map_free)(void *root);
	int (*map_insert)(void *root, struct PageInfo *pp, uint64_t gpa, int prot);
	// The page mapped at gpa (its physical address) and its VM_PROT_*
	// bits, or -E_NOT_FOUND.
	int (*map_lookup)(void *root, uint64_t gpa, physaddr_t *pa, int *prot);
	// Every CPU must drop cached translations of root before it next
	// enters the guest.
	void (*map_invalidate)(struct vcpu *v);
	// Check the map's code against known answers (panics on a wrong
	// one); needs VM_SELFTEST_PAGES free pages and gives them back.
	void (*map_selftest)(void);
	// The debugger's controls (vmm/gdb/): step makes the next entry
	// exit with VM_EXIT_STEP after one instruction, catch_bp makes
	// INT3 exit with VM_EXIT_BREAKPOINT instead of reaching the guest,
	// and a debug exception (#DB: its hardware breakpoints) exit with
	// VM_EXIT_STEP.
	// Between vcpu_load and vcpu_put; 0, or -E_NOT_SUPP if the CPU
	// cannot.
	int (*set_debug)(struct vcpu *v, bool step, bool catch_bp);
	// Whether the debugger may set a hardware breakpoint at
	// guest-linear addr (0, or a negative error); NULL: anywhere.
	int (*check_hwbp)(uint64_t addr);
	// A short name for a backend exit number (statistics).
	const char *(*exit_name)(uint32_t raw_reason);
};

#endif
