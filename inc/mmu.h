/* x86-64 paging, segmentation and control-register definitions. */
#ifndef JOS_INC_MMU_H
#define JOS_INC_MMU_H

/*
 * A 48-bit virtual address splits into four 9-bit table indexes and a
 * 12-bit page offset:
 *
 *  +--------+--------+--------+--------+------------+
 *  | PML4   | PDPT   | PD     | PT     | offset     |
 *  +--------+--------+--------+--------+------------+
 *   47    39 38    30 29    21 20    12 11         0
 */

#define PML4(la)	((((uintptr_t) (la)) >> PML4SHIFT) & 0x1FF)
#define PDPE(la)	((((uintptr_t) (la)) >> PDPESHIFT) & 0x1FF)
#define PDX(la)		((((uintptr_t) (la)) >> PDXSHIFT) & 0x1FF)
#define PTX(la)		((((uintptr_t) (la)) >> PTXSHIFT) & 0x1FF)
#define PGNUM(la)	(((uintptr_t) (la)) >> PTXSHIFT)
#define PGOFF(la)	(((uintptr_t) (la)) & 0xFFF)

/* Build an address from its four indexes and an offset. */
#define PGADDR(m, p, d, t, o)	((void*) ((uintptr_t) (m) << PML4SHIFT | \
	(uintptr_t) (p) << PDPESHIFT | (uintptr_t) (d) << PDXSHIFT | \
	(uintptr_t) (t) << PTXSHIFT | (uintptr_t) (o)))

#define NPMLENTRIES	512
#define NPDPENTRIES	512
#define NPDENTRIES	512
#define NPTENTRIES	512

#define PGSIZE		4096
#define PGSHIFT		12

#define PTSIZE		(PGSIZE*NPTENTRIES)	// bytes mapped by a page directory entry: 2 MiB
#define PTSHIFT		21

#define PTXSHIFT	12
#define PDXSHIFT	21
#define PDPESHIFT	30
#define PML4SHIFT	39

// Page table entry flags
#define PTE_P		0x001	// present
#define PTE_W		0x002	// writeable
#define PTE_U		0x004	// user
#define PTE_PWT		0x008	// write-through
#define PTE_PCD		0x010	// cache-disable
#define PTE_A		0x020	// accessed
#define PTE_D		0x040	// dirty
#define PTE_PS		0x080	// page size (2 MiB in a PD entry)
#define PTE_G		0x100	// global
#define PTE_NX		0x8000000000000000UL	// no execute (with EFER.NXE)

// Bits the kernel never touches, free for software use.
#define PTE_AVAIL	0xE00

// Flags a system call may set in a user mapping.
#define PTE_SYSCALL	(PTE_AVAIL | PTE_P | PTE_W | PTE_U)

// Address in a page table entry (bits 12..51).
#define PTE_ADDR(pte)	((physaddr_t) (pte) & 0x000FFFFFFFFFF000UL)

// Control register 0
#define CR0_PE		0x00000001	// protection enable
#define CR0_MP		0x00000002	// monitor coprocessor
#define CR0_EM		0x00000004	// emulation
#define CR0_TS		0x00000008	// task switched
#define CR0_ET		0x00000010	// extension type
#define CR0_NE		0x00000020	// numeric error
#define CR0_WP		0x00010000	// write protect
#define CR0_AM		0x00040000	// alignment mask
#define CR0_NW		0x20000000	// not writethrough
#define CR0_CD		0x40000000	// cache disable
#define CR0_PG		0x80000000	// paging

// Control register 4
#define CR4_VME		0x00000001	// V86 mode extensions
#define CR4_PVI		0x00000002	// protected-mode virtual interrupts
#define CR4_TSD		0x00000004	// time stamp disable
#define CR4_DE		0x00000008	// debugging extensions
#define CR4_PSE		0x00000010	// page size extensions
#define CR4_PAE		0x00000020	// physical address extension
#define CR4_MCE		0x00000040	// machine check enable
#define CR4_PGE		0x00000080	// page global enable
#define CR4_PCE		0x00000100	// performance counter enable
#define CR4_OSFXSR	0x00000200	// FXSAVE/FXRSTOR support
#define CR4_OSXMMEXCPT	0x00000400	// unmasked SIMD exceptions
#define CR4_VMXE	0x00002000	// VMX enable
#define CR4_OSXSAVE	0x00040000	// XSAVE and extended states

// Model-specific registers
#define MSR_EFER	0xC0000080	// extended features
#define EFER_SCE	0x00000001	// syscall enable
#define EFER_LME	0x00000100	// long mode enable
#define EFER_LMA	0x00000400	// long mode active
#define EFER_NXE	0x00000800	// no-execute enable
#define MSR_FS_BASE	0xC0000100
#define MSR_GS_BASE	0xC0000101
#define MSR_KERNEL_GS_BASE 0xC0000102

// RFLAGS
#define FL_CF		0x00000001	// carry
#define FL_PF		0x00000004	// parity
#define FL_AF		0x00000010	// auxiliary carry
#define FL_ZF		0x00000040	// zero
#define FL_SF		0x00000080	// sign
#define FL_TF		0x00000100	// trap (single step)
#define FL_IF		0x00000200	// interrupts enabled
#define FL_DF		0x00000400	// direction
#define FL_OF		0x00000800	// overflow
#define FL_IOPL_MASK	0x00003000	// I/O privilege level
#define FL_IOPL_0	0x00000000
#define FL_IOPL_1	0x00001000
#define FL_IOPL_2	0x00002000
#define FL_IOPL_3	0x00003000
#define FL_NT		0x00004000	// nested task
#define FL_RF		0x00010000	// resume
#define FL_VM		0x00020000	// virtual 8086 mode
#define FL_AC		0x00040000	// alignment check
#define FL_VIF		0x00080000	// virtual interrupt
#define FL_VIP		0x00100000	// virtual interrupt pending
#define FL_ID		0x00200000	// CPUID available

// Page fault error code bits
#define FEC_PR		0x1	// caused by a protection violation
#define FEC_WR		0x2	// caused by a write
#define FEC_U		0x4	// from user mode

/*
 * Segmentation.  Long mode ignores bases and limits of code and data
 * segments but still needs descriptors; the TSS descriptor is 16 bytes.
 */

// Application segment type bits
#define STA_X		0x8	// executable
#define STA_E		0x4	// expand down (data)
#define STA_C		0x4	// conforming (code)
#define STA_W		0x2	// writeable (data)
#define STA_R		0x2	// readable (code)
#define STA_A		0x1	// accessed

// System segment type bits
#define STS_T64A	0x9	// available 64-bit TSS
#define STS_T64B	0xB	// busy 64-bit TSS
#define STS_IG64	0xE	// 64-bit interrupt gate
#define STS_TG64	0xF	// 64-bit trap gate

#ifdef __ASSEMBLER__

// A flat 32-bit segment descriptor (for the 32-bit boot code).
#define SEG_NULL	.word 0, 0; .byte 0, 0, 0, 0
#define SEG32(type, base, lim)					\
	.word (((lim) >> 12) & 0xffff), ((base) & 0xffff);	\
	.byte (((base) >> 16) & 0xff), (0x90 | (type)),		\
		(0xC0 | (((lim) >> 28) & 0xf)), (((base) >> 24) & 0xff)
// A 64-bit code segment descriptor (L bit set) at privilege dpl.
#define SEG64_CODE(dpl)	.word 0, 0; .byte 0, (0x98 | ((dpl) << 5) | STA_R), 0x20, 0
// A data segment descriptor usable in long mode at privilege dpl.
#define SEG64_DATA(dpl)	.word 0xffff, 0; .byte 0, (0x92 | ((dpl) << 5)), 0xcf, 0

#else

#include <inc/types.h>

// Segment descriptor (8 bytes).
struct Segdesc {
	unsigned sd_lim_15_0 : 16;	// low bits of segment limit
	unsigned sd_base_15_0 : 16;	// low bits of segment base address
	unsigned sd_base_23_16 : 8;	// middle bits of segment base address
	unsigned sd_type : 4;		// segment type (see STS_ constants)
	unsigned sd_s : 1;		// 0 = system, 1 = application
	unsigned sd_dpl : 2;		// descriptor privilege level
	unsigned sd_p : 1;		// present
	unsigned sd_lim_19_16 : 4;	// high bits of segment limit
	unsigned sd_avl : 1;		// unused (available for software use)
	unsigned sd_l : 1;		// 64-bit code segment
	unsigned sd_db : 1;		// 0 = 16-bit segment, 1 = 32-bit segment
	unsigned sd_g : 1;		// granularity: limit scaled by 4K when set
	unsigned sd_base_31_24 : 8;	// high bits of segment base address
};

// System segment descriptor in long mode (TSS): 16 bytes.
struct SystemSegdesc64 {
	unsigned sd_lim_15_0 : 16;
	unsigned sd_base_15_0 : 16;
	unsigned sd_base_23_16 : 8;
	unsigned sd_type : 4;
	unsigned sd_s : 1;
	unsigned sd_dpl : 2;
	unsigned sd_p : 1;
	unsigned sd_lim_19_16 : 4;
	unsigned sd_avl : 1;
	unsigned sd_rsv1 : 2;
	unsigned sd_g : 1;
	unsigned sd_base_31_24 : 8;
	uint32_t sd_base_63_32;
	uint32_t sd_res;
};

// Long-mode task state segment.
struct Taskstate {
	uint32_t ts_reserved0;
	uint64_t ts_rsp0;	// stack pointer loaded on a trap into ring 0
	uint64_t ts_rsp1;
	uint64_t ts_rsp2;
	uint64_t ts_reserved1;
	uint64_t ts_ist[7];	// interrupt stack table
	uint64_t ts_reserved2;
	uint16_t ts_reserved3;
	uint16_t ts_iomb;	// offset of the I/O permission bitmap
} __attribute__((packed));

// Interrupt or trap gate descriptor (16 bytes).
struct Gatedesc {
	unsigned gd_off_15_0 : 16;	// low 16 bits of offset in segment
	unsigned gd_sel : 16;		// segment selector
	unsigned gd_ist : 3;		// interrupt stack table index, 0 = none
	unsigned gd_rsv1 : 5;
	unsigned gd_type : 4;		// STS_IG64 or STS_TG64
	unsigned gd_s : 1;		// must be 0 (system)
	unsigned gd_dpl : 2;		// privilege needed to invoke with int
	unsigned gd_p : 1;		// present
	unsigned gd_off_31_16 : 16;	// middle 16 bits of offset
	uint32_t gd_off_63_32;		// high 32 bits of offset
	uint32_t gd_rsv2;
};

/*
 * Fill a gate descriptor.  istrap: 1 for a trap gate (interrupts stay
 * enabled), 0 for an interrupt gate.  dpl: the privilege a software int
 * instruction needs to reach this gate.
 */
#define SETGATE(gate, istrap, sel, off, dpl)			\
{								\
	(gate).gd_off_15_0 = (uint64_t) (off) & 0xffff;		\
	(gate).gd_sel = (sel);					\
	(gate).gd_ist = 0;					\
	(gate).gd_rsv1 = 0;					\
	(gate).gd_type = (istrap) ? STS_TG64 : STS_IG64;	\
	(gate).gd_s = 0;					\
	(gate).gd_dpl = (dpl);					\
	(gate).gd_p = 1;					\
	(gate).gd_off_31_16 = ((uint64_t) (off) >> 16) & 0xffff; \
	(gate).gd_off_63_32 = (uint64_t) (off) >> 32;		\
	(gate).gd_rsv2 = 0;					\
}

// Operand of lgdt and lidt.
struct Pseudodesc {
	uint16_t pd_lim;
	uint64_t pd_base;
} __attribute__ ((packed));

#endif /* !__ASSEMBLER__ */

#endif
