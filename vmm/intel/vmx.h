/*
 * The VT-x backend of the monitor (the ops table vmx_ops, vmm_ops.h):
 *
 *   caps.c    capability MSRs: what the CPU offers, the controls used
 *   vmxon.c   VMX operation on each CPU, the VMX instructions (each
 *             failure checked and reported), loading a VMCS
 *   vmcs.c    a VMCS's guest and host state, registers, event injection
 *   exits.c   the exit table: a VMCS exit as a struct vm_exit
 *   run.c     virtual CPUs, one entry (vmrun.S), the ops table
 *   ept.c     extended page tables: the guest-physical map
 */
#ifndef JOS_VMM_INTEL_VMX_H
#define JOS_VMM_INTEL_VMX_H

#include <inc/types.h>
#include <inc/trap.h>
#include <vmm/vmm_ops.h>

struct vcpu;

// Model-specific registers (Intel SDM volume 4 and appendix A of volume 3).
#define MSR_IA32_FEATURE_CONTROL	0x03A
#define FEATURE_CONTROL_LOCK		0x1
#define FEATURE_CONTROL_VMXON_OUTSIDE_SMX 0x4
#define MSR_IA32_TSC			0x010
#define MSR_SYSENTER_CS			0x174
#define MSR_SYSENTER_ESP		0x175
#define MSR_SYSENTER_EIP		0x176
#define MSR_STAR			0xC0000081
#define MSR_LSTAR			0xC0000082
#define MSR_CSTAR			0xC0000083
#define MSR_SFMASK			0xC0000084
#define MSR_IA32_VMX_BASIC		0x480
#define MSR_IA32_VMX_PINBASED_CTLS	0x481
#define MSR_IA32_VMX_PROCBASED_CTLS	0x482
#define MSR_IA32_VMX_EXIT_CTLS		0x483
#define MSR_IA32_VMX_ENTRY_CTLS		0x484
#define MSR_IA32_VMX_MISC		0x485
#define MSR_IA32_VMX_CR0_FIXED0		0x486
#define MSR_IA32_VMX_CR0_FIXED1		0x487
#define MSR_IA32_VMX_CR4_FIXED0		0x488
#define MSR_IA32_VMX_CR4_FIXED1		0x489
#define MSR_IA32_VMX_PROCBASED_CTLS2	0x48B
#define MSR_IA32_VMX_EPT_VPID_CAP	0x48C
#define MSR_IA32_VMX_TRUE_PINBASED_CTLS	0x48D
#define MSR_IA32_VMX_TRUE_PROCBASED_CTLS 0x48E
#define MSR_IA32_VMX_TRUE_EXIT_CTLS	0x48F
#define MSR_IA32_VMX_TRUE_ENTRY_CTLS	0x490

#define VMX_BASIC_TRUE_CTLS		(1UL << 55)

// EPT and VPID capabilities (IA32_VMX_EPT_VPID_CAP)
#define EPT_CAP_WALK4			(1UL << 6)
#define EPT_CAP_WB			(1UL << 14)
#define EPT_CAP_INVEPT			(1UL << 20)
#define EPT_CAP_INVEPT_SINGLE		(1UL << 25)
#define EPT_CAP_INVEPT_ALL		(1UL << 26)

// Pin-based controls
#define PIN_EXTINT_EXITING		(1 << 0)
#define PIN_PREEMPTION_TIMER		(1 << 6)

// Primary processor-based controls
#define PROC_INTR_WINDOW		(1 << 2)
#define PROC_HLT_EXITING		(1 << 7)
#define PROC_IO_BITMAPS			(1 << 25)
#define PROC_MONITOR_TRAP		(1 << 27)
#define PROC_MSR_BITMAPS		(1 << 28)
#define PROC_SECONDARY			(1U << 31)

// Secondary processor-based controls
#define PROC2_EPT			(1 << 1)
#define PROC2_UNRESTRICTED		(1 << 7)

// VM-exit controls
#define EXIT_SAVE_DEBUG			(1 << 2)
#define EXIT_HOST_64			(1 << 9)
#define EXIT_ACK_INTR			(1 << 15)
#define EXIT_SAVE_EFER			(1 << 20)
#define EXIT_LOAD_EFER			(1 << 21)

// VM-entry controls
#define ENTRY_LOAD_DEBUG		(1 << 2)
#define ENTRY_IA32E_GUEST		(1 << 9)
#define ENTRY_LOAD_EFER			(1 << 15)

// Basic exit reasons (the low 16 bits of the exit reason field)
#define EXIT_REASON_EXCEPTION		0
#define EXIT_REASON_EXTINT		1
#define EXIT_REASON_TRIPLE_FAULT	2
#define EXIT_REASON_INTR_WINDOW		7
#define EXIT_REASON_CPUID		10
#define EXIT_REASON_HLT			12
#define EXIT_REASON_INVD		13
#define EXIT_REASON_VMCALL		18
#define EXIT_REASON_VMCLEAR		19
#define EXIT_REASON_VMXON		27
#define EXIT_REASON_CR_ACCESS		28
#define EXIT_REASON_IO			30
#define EXIT_REASON_RDMSR		31
#define EXIT_REASON_WRMSR		32
#define EXIT_REASON_BAD_GUEST_STATE	33
#define EXIT_REASON_MSR_LOADING		34
#define EXIT_REASON_MACHINE_CHECK	41
#define EXIT_REASON_EPT_VIOLATION	48
#define EXIT_REASON_EPT_MISCONFIG	49
#define EXIT_REASON_INVEPT		50
#define EXIT_REASON_MONITOR_TRAP	37
#define EXIT_REASON_PREEMPTION_TIMER	52
#define EXIT_REASON_INVVPID		53
#define EXIT_REASON_XSETBV		55
#define EXIT_REASON_ENTRY_FAIL		0x80000000U	// bit 31: VM entry failed

/*
 * What the VT-x capability MSRs say, read once by vmx_check_ept; every
 * CPU is assumed to report the same.
 */
struct vmx_caps {
	uint32_t revision;		// VMCS revision identifier
	uint32_t pin, proc, proc2;	// controls, computed from allowed-0/1
	uint32_t exit, entry;
	uint64_t cr0_fixed0, cr0_fixed1;
	uint64_t cr4_fixed0, cr4_fixed1;
	uint64_t ept_vpid;		// IA32_VMX_EPT_VPID_CAP
	unsigned timer_shift;		// the preemption timer counts once every 2^shift ticks
};
extern struct vmx_caps vmx_caps;

/* The VT-x state of one virtual CPU (struct vcpu's backend). */
#define VMX_NSWITCHED	5

struct vmx_vcpu {
	void *vmcs;			// VMCS region (kernel address)
	uint8_t *io_bitmap_a;		// one exit bit a port: 0x0000-0x7FFF
	uint8_t *io_bitmap_b;		// 0x8000-0xFFFF
	uint8_t *msr_bitmap;		// read low, read high, write low, write high
	uint64_t rip0;			// where the guest starts
	uint64_t eptp;			// EPT pointer of the guest's map
	bool initialized;		// the VMCS holds the guest's state
	bool launched;			// VMLAUNCH succeeded since the last VMCLEAR
	int cpu;			// the CPU its VMCS is active on, or -1
	struct vmx_vcpu *next_active;	// the next VMCS active on that CPU
	bool release_wanted;		// another CPU waits to run it (vmxon.c)
	bool dead;			// freed by the core: its holder frees the
					// pages once the VMCS is written back
	bool vmcs_failed;		// a VMREAD or VMWRITE of its VMCS failed
	uint32_t flush_cpus;		// CPUs that must drop cached translations
					// of the map before they enter the guest
	// The MSRs VM entry and exit do not switch but the guest owns
	// (vmx_switched_msrs: KERNEL_GS_BASE and the SYSCALL MSRs): the
	// guest's between turns, the host's during one.
	uint64_t guest_msrs[VMX_NSWITCHED];
	uint64_t host_msrs[VMX_NSWITCHED];
	uint32_t cpubit;		// the CPU of this turn, as a bit of flush_cpus
	// Single step without the monitor trap flag: RFLAGS.TF, set by
	// the debugger (vmx_set_debug), and the guest's own TF under it.
	bool tf_step;
	bool guest_tf;
};

// run.c
extern int vmx_nvcpus;			// live virtual CPUs
void	vmx_vcpu_destroy(struct vmx_vcpu *xv);

// caps.c
int	vmx_probe(struct vmm_caps *caps);
bool	vmx_feature_control_ok(void);

// vmxon.c
int	vmx_cpu_on(void);
void	vmx_cpu_release(void);
bool	vmx_cpu_pending(void);
int	vmx_vcpu_load(struct vcpu *v);
bool	vmx_vcpu_claim(struct vcpu *v);
void	vmx_vcpu_drop(struct vmx_vcpu *xv);
int	vmx_invept(uint64_t eptp);
bool	vmx_vmcs_failed(void);

// vmcs.c
void	vmx_vmcs_init(struct vmx_vcpu *xv);
void	vmx_vmcs_host(void);
void	vmx_sync_ia32e(void);
uint64_t vmx_get_reg(struct vcpu *v, enum vm_reg reg);
void	vmx_set_reg(struct vcpu *v, enum vm_reg reg, uint64_t value);
int	vmx_set_debug(struct vcpu *v, bool step, bool catch_bp);
void	vmx_inject(struct vcpu *v, const struct vm_event *ev);
bool	vmx_event_pending(struct vcpu *v);
void	vmx_intr_window(struct vcpu *v, bool on);

// exits.c
void	vmx_decode_exit(struct vm_exit *x, struct Trapframe *tf);
const char *vmx_exit_name(uint32_t reason);

// ept.c
void	*vmx_map_alloc(void);
void	vmx_map_free(void *root);
int	vmx_map_insert(void *root, struct PageInfo *pp, uint64_t gpa, int prot);
int	vmx_map_lookup(void *root, uint64_t gpa, physaddr_t *pa, int *prot);

#endif
