/*
 * Host-side tests of the monitor's x86 rules (vmm/x86.c): control
 * register and EFER writes, XSETBV, refused port reads, event
 * re-injection and exception delivery.
 */
#include <inc/mmu.h>
#include <vmm/x86.h>
#include <vmm/test/hosttest.h>

#define LONG_EFER	(EFER_LME | EFER_SCE | EFER_NXE)

/* MOV to CR0: the invalid combinations, and long mode following paging. */
static void
test_cr0(void)
{
	uint64_t efer;

	// Valid in real mode and protected mode; EFER untouched.
	CHECK(x86_cr0_write(CR0_ET, CR0_ET | CR0_PE, 0, 0, &efer) == X86_OK && efer == 0);
	CHECK(x86_cr0_write(CR0_PE, CR0_PE | CR0_PG, 0, 0, &efer) == X86_OK && efer == 0);
	// Invalid: bits above 31, PG without PE, NW without CD.
	CHECK(x86_cr0_write(0, 1UL << 32, 0, 0, &efer) == X86_GP);
	CHECK(x86_cr0_write(0, CR0_PG, 0, 0, &efer) == X86_GP);
	CHECK(x86_cr0_write(0, CR0_PE | CR0_NW, 0, 0, &efer) == X86_GP);
	CHECK(x86_cr0_write(0, CR0_PE | CR0_NW | CR0_CD, 0, 0, &efer) == X86_OK);
	// Paging on with LME: long mode, but only with PAE.
	CHECK(x86_cr0_write(CR0_PE, CR0_PE | CR0_PG, CR4_PAE, LONG_EFER, &efer) == X86_OK
	      && efer == (LONG_EFER | EFER_LMA));
	CHECK(x86_cr0_write(CR0_PE, CR0_PE | CR0_PG, 0, LONG_EFER, &efer) == X86_GP);
	// Paging off leaves long mode; staying on keeps it.
	CHECK(x86_cr0_write(CR0_PE | CR0_PG, CR0_PE, CR4_PAE, LONG_EFER | EFER_LMA, &efer)
	      == X86_OK && efer == LONG_EFER);
	CHECK(x86_cr0_write(CR0_PE | CR0_PG, CR0_PE | CR0_PG | CR0_WP, CR4_PAE,
			    LONG_EFER | EFER_LMA, &efer) == X86_OK
	      && efer == (LONG_EFER | EFER_LMA));
}

/* MOV to CR4: only the allowed bits. */
static void
test_cr4(void)
{
	uint64_t allowed = CR4_PAE | CR4_PSE | CR4_PGE | CR4_OSFXSR;

	CHECK(x86_cr4_write(0, allowed) == X86_OK);
	CHECK(x86_cr4_write(CR4_PAE | CR4_PGE, allowed) == X86_OK);
	CHECK(x86_cr4_write(CR4_VMXE, allowed) == X86_GP);
	CHECK(x86_cr4_write(CR4_PAE | (1UL << 40), allowed) == X86_GP);
}

/* The CR4 bits a guest may set: OSXSAVE only where it is offered XSAVE. */
static void
test_cr4_allowed(void)
{
	uint64_t hw = CR4_PAE | CR4_PGE | CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_OSXSAVE;

	CHECK(x86_cr4_allowed(hw, XCR0_X87 | XCR0_SSE | XCR0_AVX) == hw);
	CHECK(x86_cr4_allowed(hw, XCR0_X87 | XCR0_SSE) == hw);
	CHECK(x86_cr4_allowed(hw, 0) == (hw & ~(uint64_t) CR4_OSXSAVE));
	CHECK(x86_cr4_write(CR4_OSFXSR | CR4_OSXSAVE, x86_cr4_allowed(hw, XCR0_X87 | XCR0_SSE))
	      == X86_OK);
	CHECK(x86_cr4_write(CR4_OSFXSR | CR4_OSXSAVE, x86_cr4_allowed(hw, 0)) == X86_GP);
	CHECK(x86_cr4_write(CR4_OSFXSR, x86_cr4_allowed(hw, 0)) == X86_OK);
	// The backend's own refusals stay.
	CHECK(x86_cr4_write(CR4_VMXE, x86_cr4_allowed(hw, XCR0_X87 | XCR0_SSE)) == X86_GP);
}

/* XSETBV: every check the CPU makes, in the order it makes them. */
static void
test_xsetbv(void)
{
	uint64_t all = XCR0_X87 | XCR0_SSE | XCR0_AVX, cr4 = CR4_OSXSAVE | CR4_OSFXSR;

	CHECK(x86_xsetbv(cr4, 0, 0, XCR0_X87, all) == X86_OK);
	CHECK(x86_xsetbv(cr4, 0, 0, XCR0_X87 | XCR0_SSE, all) == X86_OK);
	CHECK(x86_xsetbv(cr4, 0, 0, all, all) == X86_OK);
	// Without CR4.OSXSAVE the instruction is undefined, whatever else.
	CHECK(x86_xsetbv(CR4_OSFXSR, 0, 0, all, all) == X86_UD);
	CHECK(x86_xsetbv(0, 3, 1, 0, all) == X86_UD);
	// Privilege, register number, the components and their dependencies.
	CHECK(x86_xsetbv(cr4, 3, 0, all, all) == X86_GP);
	CHECK(x86_xsetbv(cr4, 1, 0, XCR0_X87, all) == X86_GP);
	CHECK(x86_xsetbv(cr4, 0, 1, XCR0_X87, all) == X86_GP);
	CHECK(x86_xsetbv(cr4, 0, 0xFFFFFFFF, XCR0_X87, all) == X86_GP);
	CHECK(x86_xsetbv(cr4, 0, 0, 0, all) == X86_GP);
	CHECK(x86_xsetbv(cr4, 0, 0, XCR0_SSE | XCR0_AVX, all) == X86_GP);
	CHECK(x86_xsetbv(cr4, 0, 0, XCR0_X87 | XCR0_AVX, all) == X86_GP);
	CHECK(x86_xsetbv(cr4, 0, 0, all, XCR0_X87 | XCR0_SSE) == X86_GP);
	CHECK(x86_xsetbv(cr4, 0, 0, XCR0_X87 | 0xE0, all) == X86_GP);	// AVX-512: not saved
	CHECK(x86_xsetbv(cr4, 0, 0, XCR0_X87 | (1UL << 63), all) == X86_GP);
	CHECK(x86_xsetbv(cr4, 0, 0, XCR0_X87 | (1UL << 32), all) == X86_GP);
}

/* WRMSR to EFER: the writable bits, LMA kept, LME frozen while paging. */
static void
test_efer(void)
{
	uint64_t efer;

	CHECK(x86_efer_write(0, EFER_LME | EFER_SCE, 0, &efer) == X86_OK
	      && efer == (EFER_LME | EFER_SCE));
	CHECK(x86_efer_write(0, 1UL << 12, 0, &efer) == X86_GP && efer == 0);
	// LMA is the CPU's: written as 1 or 0, it stays as it was.
	CHECK(x86_efer_write(EFER_LME | EFER_LMA, EFER_LME | EFER_LMA | EFER_NXE, CR0_PG, &efer)
	      == X86_OK && efer == (EFER_LME | EFER_LMA | EFER_NXE));
	CHECK(x86_efer_write(EFER_LME | EFER_LMA, EFER_LME, CR0_PG, &efer) == X86_OK
	      && efer == (EFER_LME | EFER_LMA));
	CHECK(x86_efer_write(0, EFER_LMA, 0, &efer) == X86_OK && efer == 0);
	// LME may not change while paging is on.
	CHECK(x86_efer_write(0, EFER_LME, CR0_PE | CR0_PG, &efer) == X86_GP);
	CHECK(x86_efer_write(EFER_LME, 0, CR0_PE | CR0_PG, &efer) == X86_GP);
	CHECK(x86_efer_write(EFER_LME, 0, CR0_PE, &efer) == X86_OK && efer == 0);
}

/* A refused IN reads all ones, in its width; a 32-bit one zero-extends. */
static void
test_refused_in(void)
{
	CHECK(x86_refused_in(0x1234567812345678UL, 1) == 0x12345678123456FFUL);
	CHECK(x86_refused_in(0x1234567812345678UL, 2) == 0x123456781234FFFFUL);
	CHECK(x86_refused_in(0x1234567812345678UL, 4) == 0xFFFFFFFFUL);
}

/* What an interrupted delivery becomes, and how exceptions are delivered. */
static void
test_events(void)
{
	struct vm_event none = { .valid = false }, ev;
	struct vm_event pf = { .valid = true, .type = VM_EVENT_EXCEPTION, .vector = 14,
			       .has_error = true, .error = 2 };
	struct vm_event int80 = { .valid = true, .type = VM_EVENT_SOFT_INTR, .vector = 0x80 };
	struct vm_event irq = { .valid = true, .type = VM_EVENT_EXTINT, .vector = 0x20 };

	CHECK(!x86_reinject(&none, 3, &ev));
	CHECK(x86_reinject(&pf, 3, &ev) && ev.vector == 14 && ev.has_error && ev.error == 2
	      && ev.insn_len == 0);
	CHECK(x86_reinject(&int80, 2, &ev) && ev.type == VM_EVENT_SOFT_INTR && ev.insn_len == 2);
	CHECK(x86_reinject(&irq, 2, &ev) && ev.type == VM_EVENT_EXTINT && ev.insn_len == 0);

	ev = x86_exception(X86_VECTOR_GP, true, 0x10, CR0_PE);
	CHECK(ev.valid && ev.type == VM_EVENT_EXCEPTION && ev.vector == 13 && ev.has_error
	      && ev.error == 0x10);
	ev = x86_exception(X86_VECTOR_GP, true, 0x10, 0);	// real mode: no error code
	CHECK(ev.valid && ev.vector == 13 && !ev.has_error);
	ev = x86_exception(X86_VECTOR_UD, false, 0, CR0_PE);
	CHECK(ev.valid && ev.vector == 6 && !ev.has_error);
}

int
main(void)
{
	test_cr0();
	test_cr4();
	test_cr4_allowed();
	test_xsetbv();
	test_efer();
	test_refused_in();
	test_events();
	return hosttest_report("x86_test");
}
