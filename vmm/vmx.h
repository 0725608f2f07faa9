/*
 * The VT-x backend of the monitor: capability checks, VMX operation,
 * one VMCS per guest, entering the guest and handling its exits.
 */
#ifndef JOS_VMM_VMX_H
#define JOS_VMM_VMX_H

#include <inc/types.h>
#include <inc/trap.h>

struct Env;
struct guest;

// Model-specific registers (Intel SDM volume 4 and appendix A of volume 3).
#define MSR_IA32_FEATURE_CONTROL	0x03A
#define FEATURE_CONTROL_LOCK		0x1
#define FEATURE_CONTROL_VMXON_OUTSIDE_SMX 0x4
#define MSR_IA32_TSC			0x010
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
#define PROC_HLT_EXITING		(1 << 7)
#define PROC_IO_BITMAPS			(1 << 25)
#define PROC_MSR_BITMAPS		(1 << 28)
#define PROC_SECONDARY			(1U << 31)

// Secondary processor-based controls
#define PROC2_EPT			(1 << 1)
#define PROC2_UNRESTRICTED		(1 << 7)

// VM-exit controls
#define EXIT_HOST_64			(1 << 9)
#define EXIT_ACK_INTR			(1 << 15)
#define EXIT_SAVE_EFER			(1 << 20)
#define EXIT_LOAD_EFER			(1 << 21)

// VM-entry controls
#define ENTRY_IA32E_GUEST		(1 << 9)
#define ENTRY_LOAD_EFER			(1 << 15)

// Basic exit reasons (the low 16 bits of the exit reason field)
#define EXIT_REASON_EXCEPTION		0
#define EXIT_REASON_EXTINT		1
#define EXIT_REASON_TRIPLE_FAULT	2
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
#define EXIT_REASON_PREEMPTION_TIMER	52
#define EXIT_REASON_INVVPID		53
#define EXIT_REASON_ENTRY_FAIL		0x80000000U	// bit 31: VM entry failed

// Exception vectors injected into a guest
#define GUEST_VECTOR_UD			6
#define GUEST_VECTOR_GP			13

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
	uint64_t slice_tsc;		// a guest's time slice in TSC ticks, while
					// other envs wait to run (preemption timer)
	uint64_t slice_idle_tsc;	// the same when no other env does
	unsigned timer_shift;		// the timer counts once every 2^shift ticks
};
extern struct vmx_caps vmx_caps;

/* The virtual CPU of one guest. */
struct vmx_vcpu {
	void *vmcs;			// VMCS region (kernel address)
	uint8_t *io_bitmap_a;		// one exit bit a port: 0x0000-0x7FFF
	uint8_t *io_bitmap_b;		// 0x8000-0xFFFF
	uint8_t *msr_bitmap;		// read low, read high, write low, write high
	uint64_t rip0;			// where the guest starts
	bool initialized;		// the VMCS holds the guest's state
	bool launched;			// VMLAUNCH succeeded since the last VMCLEAR
	uint64_t kernel_gs_base;	// the guest's IA32_KERNEL_GS_BASE
};

// What vmexit() tells the run loop to do next.
enum {
	VMX_RESUME,			// enter the guest again
	VMX_INTR,			// let the host take a pending interrupt
	VMX_YIELD,			// give the CPU up; the guest stays runnable
	VMX_BLOCK,			// give the CPU up; the guest is not runnable
	VMX_KILL,			// destroy the guest
};

int	vmx_check_support(void);
int	vmx_check_ept(void);
int	vmx_vcpu_create(struct guest *g, uint64_t rip);
void	vmx_vcpu_free(struct guest *g);
void	vmx_run_guest(struct Env *e) __attribute__((noreturn));
const char *vmx_exit_name(int reason);

// For the exit handlers (vmexits.c).
int	vmexit(struct guest *g, struct Trapframe *tf);
uint64_t vmx_guest_cr0(uint64_t cr0);
uint64_t vmx_guest_cr4(uint64_t cr4);
void	vmx_set_guest_efer(uint64_t efer);
void	vmx_inject_exception(int vector, bool has_error, uint32_t error);

#endif
