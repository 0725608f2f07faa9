/*
 * The virtual-machine control structure: field encodings (Intel SDM
 * volume 3, appendix B) and typed accessors for the current VMCS.
 *
 * Each accessor checks its VM instruction: VMfailInvalid (CF set: no
 * current VMCS) or VMfailValid (ZF set: the VM-instruction error field
 * says why).  A failure is reported by vmcs_fail(), which prints the
 * field and the error number and marks this CPU's VMCS as broken; the
 * run loop then destroys the guest instead of entering it.  A read that
 * fails returns 0.
 */
#ifndef JOS_VMM_INTEL_VMCS_H
#define JOS_VMM_INTEL_VMCS_H

// 16-bit control field
#define VMCS_VPID			0x0000

// 16-bit guest-state fields
#define VMCS_GUEST_ES_SELECTOR		0x0800
#define VMCS_GUEST_CS_SELECTOR		0x0802
#define VMCS_GUEST_SS_SELECTOR		0x0804
#define VMCS_GUEST_DS_SELECTOR		0x0806
#define VMCS_GUEST_FS_SELECTOR		0x0808
#define VMCS_GUEST_GS_SELECTOR		0x080A
#define VMCS_GUEST_LDTR_SELECTOR	0x080C
#define VMCS_GUEST_TR_SELECTOR		0x080E

// 16-bit host-state fields
#define VMCS_HOST_ES_SELECTOR		0x0C00
#define VMCS_HOST_CS_SELECTOR		0x0C02
#define VMCS_HOST_SS_SELECTOR		0x0C04
#define VMCS_HOST_DS_SELECTOR		0x0C06
#define VMCS_HOST_FS_SELECTOR		0x0C08
#define VMCS_HOST_GS_SELECTOR		0x0C0A
#define VMCS_HOST_TR_SELECTOR		0x0C0C

// 64-bit control fields
#define VMCS_IO_BITMAP_A		0x2000
#define VMCS_IO_BITMAP_B		0x2002
#define VMCS_MSR_BITMAP			0x2004
#define VMCS_EXIT_MSR_STORE_ADDR	0x2006
#define VMCS_EXIT_MSR_LOAD_ADDR		0x2008
#define VMCS_ENTRY_MSR_LOAD_ADDR	0x200A
#define VMCS_TSC_OFFSET			0x2010
#define VMCS_EPT_POINTER		0x201A

// 64-bit read-only data field
#define VMCS_GUEST_PHYSICAL_ADDRESS	0x2400

// 64-bit guest-state fields
#define VMCS_LINK_POINTER		0x2800
#define VMCS_GUEST_IA32_DEBUGCTL	0x2802
#define VMCS_GUEST_IA32_PAT		0x2804
#define VMCS_GUEST_IA32_EFER		0x2806

// 64-bit host-state fields
#define VMCS_HOST_IA32_PAT		0x2C00
#define VMCS_HOST_IA32_EFER		0x2C02

// 32-bit control fields
#define VMCS_PIN_CONTROLS		0x4000
#define VMCS_PROC_CONTROLS		0x4002
#define VMCS_EXCEPTION_BITMAP		0x4004
#define VMCS_PF_ERROR_MASK		0x4006
#define VMCS_PF_ERROR_MATCH		0x4008
#define VMCS_CR3_TARGET_COUNT		0x400A
#define VMCS_EXIT_CONTROLS		0x400C
#define VMCS_EXIT_MSR_STORE_COUNT	0x400E
#define VMCS_EXIT_MSR_LOAD_COUNT	0x4010
#define VMCS_ENTRY_CONTROLS		0x4012
#define VMCS_ENTRY_MSR_LOAD_COUNT	0x4014
#define VMCS_ENTRY_INTR_INFO		0x4016
#define VMCS_ENTRY_EXCEPTION_ERROR	0x4018
#define VMCS_ENTRY_INSTRUCTION_LEN	0x401A
#define VMCS_PROC_CONTROLS2		0x401E

// 32-bit read-only data fields
#define VMCS_INSTRUCTION_ERROR		0x4400
#define VMCS_EXIT_REASON		0x4402
#define VMCS_EXIT_INTR_INFO		0x4404
#define VMCS_EXIT_INTR_ERROR		0x4406
#define VMCS_IDT_VECTORING_INFO		0x4408
#define VMCS_IDT_VECTORING_ERROR	0x440A
#define VMCS_EXIT_INSTRUCTION_LEN	0x440C
#define VMCS_EXIT_INSTRUCTION_INFO	0x440E

// 32-bit guest-state fields
#define VMCS_GUEST_ES_LIMIT		0x4800
#define VMCS_GUEST_CS_LIMIT		0x4802
#define VMCS_GUEST_SS_LIMIT		0x4804
#define VMCS_GUEST_DS_LIMIT		0x4806
#define VMCS_GUEST_FS_LIMIT		0x4808
#define VMCS_GUEST_GS_LIMIT		0x480A
#define VMCS_GUEST_LDTR_LIMIT		0x480C
#define VMCS_GUEST_TR_LIMIT		0x480E
#define VMCS_GUEST_GDTR_LIMIT		0x4810
#define VMCS_GUEST_IDTR_LIMIT		0x4812
#define VMCS_GUEST_ES_AR		0x4814
#define VMCS_GUEST_CS_AR		0x4816
#define VMCS_GUEST_SS_AR		0x4818
#define VMCS_GUEST_DS_AR		0x481A
#define VMCS_GUEST_FS_AR		0x481C
#define VMCS_GUEST_GS_AR		0x481E
#define VMCS_GUEST_LDTR_AR		0x4820
#define VMCS_GUEST_TR_AR		0x4822
#define VMCS_GUEST_INTERRUPTIBILITY	0x4824
#define VMCS_GUEST_ACTIVITY_STATE	0x4826
#define VMCS_GUEST_SYSENTER_CS		0x482A
#define VMCS_PREEMPTION_TIMER		0x482E

// 32-bit host-state field
#define VMCS_HOST_SYSENTER_CS		0x4C00

// Natural-width control fields
#define VMCS_CR0_GUEST_HOST_MASK	0x6000
#define VMCS_CR4_GUEST_HOST_MASK	0x6002
#define VMCS_CR0_READ_SHADOW		0x6004
#define VMCS_CR4_READ_SHADOW		0x6006

// Natural-width read-only data fields
#define VMCS_EXIT_QUALIFICATION		0x6400
#define VMCS_GUEST_LINEAR_ADDRESS	0x640A

// Natural-width guest-state fields
#define VMCS_GUEST_CR0			0x6800
#define VMCS_GUEST_CR3			0x6802
#define VMCS_GUEST_CR4			0x6804
#define VMCS_GUEST_ES_BASE		0x6806
#define VMCS_GUEST_CS_BASE		0x6808
#define VMCS_GUEST_SS_BASE		0x680A
#define VMCS_GUEST_DS_BASE		0x680C
#define VMCS_GUEST_FS_BASE		0x680E
#define VMCS_GUEST_GS_BASE		0x6810
#define VMCS_GUEST_LDTR_BASE		0x6812
#define VMCS_GUEST_TR_BASE		0x6814
#define VMCS_GUEST_GDTR_BASE		0x6816
#define VMCS_GUEST_IDTR_BASE		0x6818
#define VMCS_GUEST_DR7			0x681A
#define VMCS_GUEST_RSP			0x681C
#define VMCS_GUEST_RIP			0x681E
#define VMCS_GUEST_RFLAGS		0x6820
#define VMCS_GUEST_PENDING_DEBUG	0x6822
#define VMCS_GUEST_SYSENTER_ESP		0x6824
#define VMCS_GUEST_SYSENTER_EIP		0x6826

// Natural-width host-state fields
#define VMCS_HOST_CR0			0x6C00
#define VMCS_HOST_CR3			0x6C02
#define VMCS_HOST_CR4			0x6C04
#define VMCS_HOST_FS_BASE		0x6C06
#define VMCS_HOST_GS_BASE		0x6C08
#define VMCS_HOST_TR_BASE		0x6C0A
#define VMCS_HOST_GDTR_BASE		0x6C0C
#define VMCS_HOST_IDTR_BASE		0x6C0E
#define VMCS_HOST_SYSENTER_ESP		0x6C10
#define VMCS_HOST_SYSENTER_EIP		0x6C12
#define VMCS_HOST_RSP			0x6C14
#define VMCS_HOST_RIP			0x6C16

// Interruption-information fields (entry, exit, IDT vectoring).
#define INTR_INFO_VECTOR	0xFF
#define INTR_INFO_TYPE_SHIFT	8
#define INTR_INFO_HAS_ERROR	(1 << 11)
#define INTR_INFO_VALID		(1U << 31)
// Guest interruptibility: blocking by STI (bit 0) or by MOV SS (bit 1).
#define INTR_BLOCK_STI_MOVSS	0x3

// Bits 14:13 of an encoding give the field's width.
#define VMCS_WIDTH(field)	(((field) >> 13) & 3)
#define VMCS_W16		0
#define VMCS_W64		1
#define VMCS_W32		2
#define VMCS_WNATURAL		3

#ifndef __ASSEMBLER__
#include <inc/types.h>
#include <inc/assert.h>

/*
 * Report a failed VMREAD or VMWRITE of field (in vmxon.c): invalid is
 * true for VMfailInvalid, false for VMfailValid.
 */
void vmcs_fail(const char *insn, uint32_t field, bool invalid);

/* Read field of the current VMCS, checking the outcome. */
static inline uint64_t
vmcs_read(uint32_t field)
{
	uint64_t value = 0;
	uint8_t cf, zf;

	asm volatile("vmread %3, %0\n\t"
		     "setc %1\n\t"
		     "setz %2"
		     : "=r" (value), "=q" (cf), "=q" (zf)
		     : "r" ((uint64_t) field) : "cc");
	if (cf || zf) {
		vmcs_fail("vmread", field, cf);
		return 0;
	}
	return value;
}

/* Write value to field of the current VMCS, checking the outcome. */
static inline void
vmcs_write(uint32_t field, uint64_t value)
{
	uint8_t cf, zf;

	asm volatile("vmwrite %2, %3\n\t"
		     "setc %0\n\t"
		     "setz %1"
		     : "=q" (cf), "=q" (zf)
		     : "r" (value), "r" ((uint64_t) field) : "cc", "memory");
	if (cf || zf)
		vmcs_fail("vmwrite", field, cf);
}

// Typed accessors: each insists that the field has its width.

static inline uint16_t
vmcs_read16(uint32_t field)
{
	assert(VMCS_WIDTH(field) == VMCS_W16);
	return vmcs_read(field);
}

static inline uint32_t
vmcs_read32(uint32_t field)
{
	assert(VMCS_WIDTH(field) == VMCS_W32);
	return vmcs_read(field);
}

static inline uint64_t
vmcs_read64(uint32_t field)
{
	assert(VMCS_WIDTH(field) == VMCS_W64);
	return vmcs_read(field);
}

static inline uint64_t
vmcs_readnatural(uint32_t field)
{
	assert(VMCS_WIDTH(field) == VMCS_WNATURAL);
	return vmcs_read(field);
}

static inline void
vmcs_write16(uint32_t field, uint16_t value)
{
	assert(VMCS_WIDTH(field) == VMCS_W16);
	vmcs_write(field, value);
}

static inline void
vmcs_write32(uint32_t field, uint32_t value)
{
	assert(VMCS_WIDTH(field) == VMCS_W32);
	vmcs_write(field, value);
}

static inline void
vmcs_write64(uint32_t field, uint64_t value)
{
	assert(VMCS_WIDTH(field) == VMCS_W64);
	vmcs_write(field, value);
}

static inline void
vmcs_writenatural(uint32_t field, uint64_t value)
{
	assert(VMCS_WIDTH(field) == VMCS_WNATURAL);
	vmcs_write(field, value);
}

#endif	/* !__ASSEMBLER__ */

#endif
