/*
 * The SVM backend (AMD-V with nested paging): the VMCB's layout, the
 * intercept and exit-code numbers it uses (AMD64 APM volume 2,
 * appendix B and chapter 15), and what its files share.
 *
 *   caps.c   what the CPU offers (CPUID 0x8000000A, VM_CR), svm_caps
 *   cpu.c    per CPU: EFER.SVME, the host save area, the host's VMSAVE page
 *   vmcb.c   a guest's starting state, its registers, event injection
 *   npt.c    nested page tables (the guest-physical map)
 *   decode.c instruction lengths when the CPU saves no next RIP
 *   debug.c  the debugger's controls: #BP, single steps by RFLAGS.TF
 *   exits.c  exit codes in the core's terms (struct vm_exit)
 *   run.c    virtual CPUs, ASIDs, svm_run, and the ops table svm_ops
 *   svmrun.S the world switch (VMLOAD, VMRUN, VMSAVE)
 */
#ifndef JOS_VMM_AMD_SVM_H
#define JOS_VMM_AMD_SVM_H

#include <inc/types.h>
#include <inc/assert.h>
#include <vmm/vmm_ops.h>

// MSRs and bits.
#define MSR_VM_CR		0xC0010114
#define VM_CR_SVMDIS		(1 << 4)	// SVME may not be set
#define MSR_VM_HSAVE_PA		0xC0010117
#define EFER_SVME		(1 << 12)

// CPUID 0x8000000A EDX: what SVM offers.
#define SVM_FEAT_NP		(1 << 0)
#define SVM_FEAT_LBRV		(1 << 1)
#define SVM_FEAT_NRIPS		(1 << 3)
#define SVM_FEAT_VMCB_CLEAN	(1 << 5)
#define SVM_FEAT_FLUSH_ASID	(1 << 6)
#define SVM_FEAT_DECODE		(1 << 7)

// One segment register in the save area.
struct vmcb_seg {
	uint16_t sel;
	uint16_t attrib;	// descriptor bits 47:40 in 7:0, bits 55:52 in 11:8
	uint32_t limit;
	uint64_t base;
} __attribute__((packed));

// The control area (offset 0) and the state save area (offset 0x400).
struct vmcb {
	uint32_t icpt_cr;		// 0x000: CR reads 15:0, writes 31:16
	uint32_t icpt_dr;		// 0x004
	uint32_t icpt_exc;		// 0x008: exception vectors
	uint32_t icpt_misc1;		// 0x00c: ICPT1_*
	uint32_t icpt_misc2;		// 0x010: ICPT2_*
	uint8_t  res0[0x3c - 0x14];
	uint16_t pause_threshold;	// 0x03c
	uint16_t pause_count;		// 0x03e
	uint64_t iopm_pa;		// 0x040
	uint64_t msrpm_pa;		// 0x048
	uint64_t tsc_offset;		// 0x050
	uint32_t asid;			// 0x058
	uint8_t  tlb_control;		// 0x05c: TLB_*
	uint8_t  res1[3];
	uint64_t vintr;			// 0x060: V_TPR, V_IRQ, V_INTR_MASKING, vector
	uint64_t int_state;		// 0x068: bit 0 interrupt shadow
	uint64_t exitcode;		// 0x070
	uint64_t exitinfo1;		// 0x078
	uint64_t exitinfo2;		// 0x080
	uint64_t exitintinfo;		// 0x088
	uint64_t np_enable;		// 0x090: bit 0 nested paging
	uint8_t  res2[0xa8 - 0x98];
	uint64_t eventinj;		// 0x0a8
	uint64_t n_cr3;			// 0x0b0
	uint64_t virt_ext;		// 0x0b8
	uint32_t clean;			// 0x0c0: VMCB clean bits
	uint32_t res3;
	uint64_t nrip;			// 0x0c8: next RIP (NRIPS)
	uint8_t  insn_len;		// 0x0d0 (decode assists)
	uint8_t  insn_bytes[15];
	uint8_t  res4[0x400 - 0xe0];

	struct vmcb_seg es, cs, ss, ds, fs, gs;	// 0x400
	struct vmcb_seg gdtr, ldtr, idtr, tr;	// 0x460
	uint8_t  res5[0x4cb - 0x4a0];
	uint8_t  cpl;			// 0x4cb
	uint32_t res6;
	uint64_t efer;			// 0x4d0
	uint8_t  res7[0x548 - 0x4d8];
	uint64_t cr4;			// 0x548
	uint64_t cr3;			// 0x550
	uint64_t cr0;			// 0x558
	uint64_t dr7;			// 0x560
	uint64_t dr6;			// 0x568
	uint64_t rflags;		// 0x570
	uint64_t rip;			// 0x578
	uint8_t  res8[0x5d8 - 0x580];
	uint64_t rsp;			// 0x5d8
	uint8_t  res9[0x5f8 - 0x5e0];
	uint64_t rax;			// 0x5f8
	uint64_t star, lstar, cstar, sfmask;	// 0x600
	uint64_t kernel_gs_base;	// 0x620
	uint64_t sysenter_cs, sysenter_esp, sysenter_eip;	// 0x628
	uint64_t cr2;			// 0x640
	uint8_t  res10[0x668 - 0x648];
	uint64_t g_pat;			// 0x668
	uint64_t dbgctl;		// 0x670
} __attribute__((packed));


// icpt_misc1 bits.
#define ICPT1_INTR		(1U << 0)
#define ICPT1_NMI		(1U << 1)
#define ICPT1_SMI		(1U << 2)
#define ICPT1_INIT		(1U << 3)
#define ICPT1_VINTR		(1U << 4)
#define ICPT1_PUSHF		(1U << 16)
#define ICPT1_CPUID		(1U << 18)
#define ICPT1_SWINT		(1U << 21)	// INT n (QEMU: INT3 and INTO too)
#define ICPT1_INVD		(1U << 22)
#define ICPT1_HLT		(1U << 24)
#define ICPT1_INVLPGA		(1U << 26)
#define ICPT1_IOIO		(1U << 27)
#define ICPT1_MSR		(1U << 28)
#define ICPT1_SHUTDOWN		(1U << 31)
// icpt_misc2 bits.
#define ICPT2_VMRUN		(1U << 0)
#define ICPT2_VMMCALL		(1U << 1)
#define ICPT2_VMLOAD		(1U << 2)
#define ICPT2_VMSAVE		(1U << 3)
#define ICPT2_STGI		(1U << 4)
#define ICPT2_CLGI		(1U << 5)
#define ICPT2_SKINIT		(1U << 6)
#define ICPT2_XSETBV		(1U << 13)

// clean: VMCB areas the CPU may keep cached from the last VMRUN (where
// CPUID 0x8000000A EDX.VmcbClean says it does); a bit clear makes it
// load that area again.
#define VMCB_CLEAN_INTERCEPTS	(1U << 0)	// intercept vectors, TSC offset
#define VMCB_CLEAN_IOPM		(1U << 1)	// the permission maps' addresses
#define VMCB_CLEAN_ASID		(1U << 2)
#define VMCB_CLEAN_TPR		(1U << 3)	// vintr: V_TPR, V_IRQ, masking
#define VMCB_CLEAN_NP		(1U << 4)	// nested paging, N_CR3, G_PAT
#define VMCB_CLEAN_CRX		(1U << 5)	// CR0, CR3, CR4, EFER
#define VMCB_CLEAN_DRX		(1U << 6)	// DR6, DR7
#define VMCB_CLEAN_DT		(1U << 7)	// GDTR, IDTR
#define VMCB_CLEAN_SEG		(1U << 8)	// CS, DS, SS, ES, CPL
#define VMCB_CLEAN_CR2		(1U << 9)
#define VMCB_CLEAN_LBR		(1U << 10)
#define VMCB_CLEAN_ALL		0x7FF

// tlb_control.
#define TLB_NOTHING		0
#define TLB_FLUSH_ALL		1
#define TLB_FLUSH_ASID		3

// vintr.
#define VINTR_MASKING		(1UL << 24)	// guest IF masks only virtual interrupts
#define VINTR_IRQ		(1UL << 8)	// a virtual interrupt is pending
#define VINTR_IGN_TPR		(1UL << 20)	// ... whatever the guest's TPR

// eventinj and exitintinfo.
#define EVENT_VECTOR(e)		((e) & 0xFF)
#define EVENT_TYPE(e)		(((e) >> 8) & 7)
#define EVENT_TYPE_INTR		0
#define EVENT_TYPE_NMI		2
#define EVENT_TYPE_EXC		3
#define EVENT_TYPE_SOFT		4
#define EVENT_HAS_ERROR		(1UL << 11)
#define EVENT_VALID		(1UL << 31)
#define EVENT_ERROR(e)		((uint32_t) ((e) >> 32))

// Exit codes (exitcode).
#define SVM_EXIT_CR0_READ	0x00
#define SVM_EXIT_EXC_BASE	0x40	// + vector
#define SVM_EXIT_INTR		0x60
#define SVM_EXIT_NMI		0x61
#define SVM_EXIT_SMI		0x62
#define SVM_EXIT_INIT		0x63
#define SVM_EXIT_VINTR		0x64
#define SVM_EXIT_CPUID		0x72
#define SVM_EXIT_SWINT		0x75
#define SVM_EXIT_INVD		0x76
#define SVM_EXIT_HLT		0x78
#define SVM_EXIT_INVLPGA	0x7a
#define SVM_EXIT_IOIO		0x7b
#define SVM_EXIT_MSR		0x7c
#define SVM_EXIT_SHUTDOWN	0x7f
#define SVM_EXIT_VMRUN		0x80
#define SVM_EXIT_VMMCALL	0x81
#define SVM_EXIT_VMLOAD		0x82
#define SVM_EXIT_VMSAVE		0x83
#define SVM_EXIT_STGI		0x84
#define SVM_EXIT_CLGI		0x85
#define SVM_EXIT_SKINIT		0x86
#define SVM_EXIT_XSETBV		0x8d
#define SVM_EXIT_NPF		0x400
#define SVM_EXIT_INVALID	(~0UL)	// VMRUN refused the guest state

// The core counts exits in VM_NEXITS slots: codes below SVM_SLOT_NPF as
// they are, 0x400 and up (NPF, AVIC, VMGEXIT) from SVM_SLOT_NPF.
#define SVM_SLOT_NPF		0x90
#define SVM_NSLOTS		(SVM_SLOT_NPF + 4)

// IOIO exitinfo1.
#define IOIO_IN			(1 << 0)
#define IOIO_STRING		(1 << 2)
#define IOIO_REP		(1 << 3)
#define IOIO_SIZE(i)		(((i) >> 4) & 7)	// one-hot: 1, 2, 4 bytes
#define IOIO_PORT(i)		((i) >> 16)
// NPF exitinfo1 (a #PF error code).
#define NPF_PRESENT		(1 << 0)
#define NPF_WRITE		(1 << 1)
#define NPF_FETCH		(1 << 4)

// The permission maps' sizes: 12 KiB of I/O bits, 8 KiB of MSR bits.
#define SVM_IOPM_SIZE		(3 * 4096)
#define SVM_MSRPM_SIZE		(2 * 4096)

// caps.c: what the CPU offers, once probed.
struct svm_caps {
	uint32_t revision;
	uint32_t nasids;
	uint32_t features;		// CPUID 0x8000000A EDX
};
extern struct svm_caps svm_caps;
int	svm_probe(struct vmm_caps *caps);

// A virtual CPU's SVM state.
struct svm_vcpu {
	struct vmcb *vmcb;		// one page
	uint32_t asid;
	int last_cpu;			// where it last ran (-1: nowhere yet)
	uint32_t flush_cpus;		// CPUs that must flush before entering
	bool intr_owed;			// a host interrupt waited at the last exit
	// The debugger's single step (debug.c): RFLAGS.TF is set for it,
	// over the guest's own TF; the step is a PUSHF; it ended by an
	// instruction the monitor emulated.
	bool tf_step;
	bool guest_tf;
	bool step_pushf;
	bool step_owed;
};

// cpu.c
int	svm_cpu_enable(void);
physaddr_t svm_host_save_pa(void);
void	svm_cpu_free_all(void);

// vmcb.c
void	svm_vmcb_init(struct vmcb *vmcb, uint64_t rip, uint32_t asid,
		      physaddr_t iopm, physaddr_t msrpm, physaddr_t ncr3);
uint64_t svm_get_reg(struct vcpu *v, enum vm_reg reg);
void	svm_set_reg(struct vcpu *v, enum vm_reg reg, uint64_t value);
void	svm_inject(struct vcpu *v, const struct vm_event *ev);
bool	svm_event_pending(struct vcpu *v);
void	svm_intr_window(struct vcpu *v, bool on);

// npt.c
void	*npt_map_alloc(void);
void	npt_map_free(void *root);
int	npt_map_insert(void *root, struct PageInfo *pp, uint64_t gpa, int prot);
int	npt_map_lookup(void *root, uint64_t gpa, physaddr_t *pa, int *prot);
void	npt_selftest(void);

// decode.c
bool	svm_linear_to_gpa(struct vcpu *v, uint64_t la, uint64_t *gpa);
int	svm_fetch(struct vcpu *v, uint8_t *buf, int n);
bool	svm_is_prefix(struct vcpu *v, uint8_t b);
int	svm_insn_len(struct vcpu *v, uint64_t exitcode);

// debug.c
int	svm_set_debug(struct vcpu *v, bool step, bool catch_bp);
void	svm_debug_rip_moved(struct vcpu *v);
bool	svm_step_owed(struct vcpu *v, struct vm_exit *x);
void	svm_debug_exit(struct vcpu *v);
uint64_t svm_debug_dr7(struct vcpu *v);
int	svm_check_hwbp(uint64_t addr);
bool	svm_debug_swint(struct vcpu *v, struct vm_exit *x);

// exits.c
bool	svm_decode_exit(struct vcpu *v, struct vm_exit *x, struct Trapframe *tf);
const char *svm_exit_name(uint32_t slot);

// svmrun.S
void	svm_world_switch(struct Trapframe *tf, physaddr_t vmcb, physaddr_t host_save,
			 uint64_t dr7);
extern char svm_world_switch_end[];

#endif
