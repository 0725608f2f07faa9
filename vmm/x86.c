/*
 * The x86 rules the monitor applies to a guest (vmm/x86.h): which
 * control-register and EFER writes are valid and what they do to long
 * mode, what a refused port read returns, which events an exit must
 * deliver again, and how an exception is delivered.  Pure functions:
 * also built for the host's unit tests.
 */
#include <inc/mmu.h>
#include <vmm/x86.h>

#define EFER_WRITABLE	(EFER_SCE | EFER_LME | EFER_NXE)

/*
 * A MOV to CR0 of value while CR0 is old_cr0 (as the guest sees it),
 * with cr4 and efer as they are.  Invalid: bits above 31, PG without
 * PE, NW without CD, or entering long mode (PG on with EFER.LME) without
 * CR4.PAE.  Valid: *new_efer is efer with LMA following paging while
 * LME is set.
 */
enum x86_check
x86_cr0_write(uint64_t old_cr0, uint64_t value, uint64_t cr4, uint64_t efer,
	      uint64_t *new_efer)
{
	*new_efer = efer;
	if ((value >> 32) || ((value & CR0_PG) && !(value & CR0_PE))
	    || ((value & CR0_NW) && !(value & CR0_CD)))
		return X86_GP;
	if (!(old_cr0 & CR0_PG) && (value & CR0_PG) && (efer & EFER_LME)) {
		if (!(cr4 & CR4_PAE))
			return X86_GP;
		*new_efer = efer | EFER_LMA;
	} else if ((old_cr0 & CR0_PG) && !(value & CR0_PG) && (efer & EFER_LMA))
		*new_efer = efer & ~(uint64_t) EFER_LMA;
	return X86_OK;
}

/*
 * A MOV to CR4 of value, where allowed holds the bits the guest may
 * set (the CPU's, less the virtualization enables the monitor hides).
 */
enum x86_check
x86_cr4_write(uint64_t value, uint64_t allowed)
{
	return (value & ~allowed) ? X86_GP : X86_OK;
}

/*
 * The CR4 bits a guest may set, from allowed (what the backend lets a
 * guest's CR4 hold): OSXSAVE only where the monitor offers the guest
 * XSAVE, that is where it saves some XCR0 components for it
 * (xcr0_supported nonzero).  OSFXSR stays as allowed has it: the
 * monitor saves every guest's SSE registers.
 */
uint64_t
x86_cr4_allowed(uint64_t allowed, uint64_t xcr0_supported)
{
	if (!xcr0_supported)
		allowed &= ~(uint64_t) CR4_OSXSAVE;
	return allowed;
}

/*
 * XSETBV of value to extended control register xcr (ECX) at privilege
 * level cpl, with the guest's cr4, where xcr0_supported holds the XCR0
 * bits the monitor lets a guest enable.  As the CPU checks it: #UD
 * without CR4.OSXSAVE; #GP(0) at CPL above 0, for any register but
 * XCR0, for a bit outside xcr0_supported, with x87 (bit 0) clear, or
 * with AVX (bit 2) but not SSE (bit 1).
 */
enum x86_check
x86_xsetbv(uint64_t cr4, int cpl, uint32_t xcr, uint64_t value, uint64_t xcr0_supported)
{
	if (!(cr4 & CR4_OSXSAVE))
		return X86_UD;
	if (cpl != 0 || xcr != 0 || (value & ~xcr0_supported) || !(value & XCR0_X87)
	    || ((value & XCR0_AVX) && !(value & XCR0_SSE)))
		return X86_GP;
	return X86_OK;
}

/*
 * A WRMSR of value to EFER (old_efer now, CR0 cr0).  The guest may set
 * SCE, LME and NXE; LMA is the CPU's (it may be written back as it is);
 * LME may not change while paging is on.  Valid: *new_efer.
 */
enum x86_check
x86_efer_write(uint64_t old_efer, uint64_t value, uint64_t cr0, uint64_t *new_efer)
{
	*new_efer = old_efer;
	if (value & ~(uint64_t) (EFER_WRITABLE | EFER_LMA))
		return X86_GP;
	if ((cr0 & CR0_PG) && ((value ^ old_efer) & EFER_LME))
		return X86_GP;
	*new_efer = (value & EFER_WRITABLE) | (old_efer & EFER_LMA);
	return X86_OK;
}

/*
 * RAX after a refused IN of width bytes: the bits read are all ones,
 * as from a port nothing answers; a 32-bit IN zero-extends.
 */
uint64_t
x86_refused_in(uint64_t rax, int width)
{
	if (width == 1)
		return rax | 0xFF;
	if (width == 2)
		return rax | 0xFFFF;
	return 0xFFFFFFFF;
}

/*
 * An exit interrupted the delivery of pending (say, an EPT violation on
 * the guest's stack as it pushed an interrupt frame): the same event
 * must be delivered again at the next entry.  Software interrupts and
 * exceptions are delivered with the length of their instruction.
 * Returns whether there is one, in *ev.
 */
bool
x86_reinject(const struct vm_event *pending, uint32_t exit_insn_len, struct vm_event *ev)
{
	if (!pending->valid)
		return false;
	*ev = *pending;
	ev->insn_len = ev->type >= VM_EVENT_SOFT_INTR ? exit_insn_len : 0;
	return true;
}

/*
 * Exception vector as a fault on the current instruction, with error
 * code error if has_error, except in real mode (CR0.PE clear), which
 * delivers no error code.
 */
struct vm_event
x86_exception(int vector, bool has_error, uint32_t error, uint64_t cr0)
{
	struct vm_event ev = { .valid = true, .type = VM_EVENT_EXCEPTION, .vector = vector };

	if (has_error && (cr0 & CR0_PE)) {
		ev.has_error = true;
		ev.error = error;
	}
	return ev;
}
