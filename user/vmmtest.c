/*
 * vmmtest: small real-mode guests that exercise the monitor's exits.
 *   spin:   writes a line to COM1 (emulated), reads a refused port,
 *           makes bad hypercalls, touches memory nobody mapped (a zeroed
 *           page on demand), then spins without HLT: the host timer must
 *           still preempt it, and destroying it (perhaps while it runs on
 *           another CPU) must work.  It spins with RFLAGS.IF set (no
 *           interrupt reaches it: nothing programs its PIC), so that it
 *           runs on Bochs' SVM too, which never lets a host interrupt
 *           end a guest that runs with IF clear and makes no exit;
 *           vmevil's cli guest is that case, on the other backends.
 *   wild:   enters protected mode and reads beyond its memory: it dies
 *           of an EPT violation.
 *   triple: real mode with an empty IDT, then int3: it dies of a triple
 *           fault.
 *   halt:   halts with no input for it: it must sleep (state halted, no
 *           more exits, not past its HLT) until this env stops it.
 *   busy:   exits all the time (CPUID in a loop): its time slice must
 *           still end, so that this env gets the CPU again and again.
 *   ud:     runs the other vendor's hypercall instruction (VMMCALL on
 *           VT-x, VMCALL on SVM): the CPU raises #UD in the guest, which
 *           the guest's own handler takes (the monitor neither answers
 *           it as a hypercall nor dies of it, as a real CPU would have
 *           it), and its hypercalls still work afterwards.
 * Every page the guests took must be back at the end.
 */
#include <inc/lib.h>
#include <inc/vmx.h>
#include <inc/vmm/tinyguest.h>

#define SHARED_VA	TINYGUEST_SHARED_VA

// Offsets in the shared page that the guests fill.
#define SPIN_IN80	0xff0	// byte read from port 0x80
#define SPIN_ZERO	0xff1	// byte written to, then read from, a demand page
#define SPIN_BADCALL	0xff4	// hypercall 0x99's result
#define SPIN_BADMBMAP	0xff8	// MBMAP at an unaligned address: result
#define SPIN_COUNTER	0xfe0	// counts while the guest spins
#define HALT_STAGE	0xff0	// byte: 1 before its HLT, 2 after it
#define DEMAND_SEG	0x5000	// real-mode segment of a page nobody mapped
#define UD_COUNT	0xf00	// byte: #UDs the ud guest's handler took
#define UD_CS		0xf02	// word: CS and IP the handler found on its stack
#define UD_IP		0xf04
#define UD_CALL		0xf08	// its hypercall 0x99's result after the #UD
#define IVT_UD		(6 * 4)	// the real-mode vector of #UD

extern const char spin_guest[], spin_guest_end[];
extern const char wild_guest[], wild_guest_end[];
extern const char triple_guest[], triple_guest_end[];
extern const char halt_guest[], halt_guest_end[];
extern const char busy_guest[], busy_guest_end[];
extern const char ud_guest[], ud_site[], ud_guest_end[];
asm(".pushsection .rodata\n"
    ".code16\n"
    "spin_guest:\n"
    "	movw	$" TG_CODE(spin_msg, spin_guest) ", %si\n"
    "1:	movb	(%si), %bl\n"
    "	testb	%bl, %bl\n"
    "	jz	3f\n"
    "	movw	$0x3fd, %dx\n"			// COM1 line status
    "2:	inb	%dx, %al\n"
    "	testb	$0x20, %al\n"			// transmitter empty?
    "	jz	2b\n"
    "	movw	$0x3f8, %dx\n"
    "	movb	%bl, %al\n"
    "	outb	%al, %dx\n"
    "	incw	%si\n"
    "	jmp	1b\n"
    "3:	inb	$0x80, %al\n"			// not passed through
    "	movb	%al, " TG_SHARED(SPIN_IN80) "\n"
    "	movl	$0x99, %eax\n"			// no such hypercall
    "	" HC_INSN "\n"
    "	movl	%eax, " TG_SHARED(SPIN_BADCALL) "\n"
    "	movl	$" HC_STR(HC_MBMAP) ", %eax\n"	// unaligned
    "	movl	$" TG_SHARED(1) ", %ebx\n"
    "	" HC_INSN "\n"
    "	movl	%eax, " TG_SHARED(SPIN_BADMBMAP) "\n"
    "	movw	$" HC_STR(DEMAND_SEG) ", %ax\n"
    "	movw	%ax, %es\n"
    "	movb	$0x77, %es:0x10\n"
    "	movb	%es:0x10, %al\n"
    "	movb	%al, " TG_SHARED(SPIN_ZERO) "\n"
    "	movb	$" HC_STR(TG_DONE_MAGIC) ", " TG_SHARED(TG_DONE) "\n"
    "	sti\n"					// see the comment above
    "4:	incl	" TG_SHARED(SPIN_COUNTER) "\n"
    "	jmp	4b\n"
    "spin_msg:\n"
    "	.asciz	\"vmmtest guest: hello through COM1\\n\"\n"
    "spin_guest_end:\n"

    "wild_guest:\n"
    "	lgdtl	" TG_CODE(wild_gdtdesc, wild_guest) "\n"
    "	movl	%cr0, %eax\n"
    "	orl	$1, %eax\n"			// protected mode
    "	movl	%eax, %cr0\n"
    "	movw	$8, %ax\n"			// flat 4 GiB data
    "	movw	%ax, %ds\n"
    "	movl	$" HC_STR(GUEST_MEM_SZ) ", %ebx\n"	// far beyond its memory
    "	movb	(%ebx), %al\n"
    "	hlt\n"
    "	.p2align 3\n"
    "wild_gdt:\n"
    "	.quad	0\n"
    "	.quad	0x00cf93000000ffff\n"
    "wild_gdtdesc:\n"
    "	.word	15\n"
    "	.long	" TG_CODE(wild_gdt, wild_guest) "\n"
    "wild_guest_end:\n"

    "triple_guest:\n"
    "	lidt	" TG_CODE(triple_idt, triple_guest) "\n"
    "	int3\n"
    "	hlt\n"
    "triple_idt:\n"
    "	.word	0\n"
    "	.long	0\n"
    "triple_guest_end:\n"

    "halt_guest:\n"
    "	movb	$1, " TG_SHARED(HALT_STAGE) "\n"
    "	hlt\n"
    "	movb	$2, " TG_SHARED(HALT_STAGE) "\n"
    "1:	hlt\n"
    "	jmp	1b\n"
    "halt_guest_end:\n"

    "busy_guest:\n"
    "1:	movl	$0, %eax\n"
    "	cpuid\n"
    "	incl	" TG_SHARED(SPIN_COUNTER) "\n"
    "	jmp	1b\n"
    "busy_guest_end:\n"

    "ud_guest:\n"
    "	movw	$" TG_CODE(ud_handler, ud_guest) ", " HC_STR(IVT_UD) "\n"
    "	movw	$0, " HC_STR(IVT_UD) "+2\n"
    "ud_site:\n"
    "	vmcall\n"				// test_ud makes it the wrong one
    "	movl	$0x99, %eax\n"
    "	" HC_INSN "\n"
    "	movl	%eax, " TG_SHARED(UD_CALL) "\n"
    "	movb	$" HC_STR(TG_DONE_MAGIC) ", " TG_SHARED(TG_DONE) "\n"
    "1:	hlt\n"
    "	jmp	1b\n"
    "ud_handler:\n"				// IP, CS, FLAGS on the stack
    "	incb	" TG_SHARED(UD_COUNT) "\n"
    "	movw	%sp, %bp\n"
    "	movw	(%bp), %ax\n"
    "	movw	%ax, " TG_SHARED(UD_IP) "\n"
    "	movw	2(%bp), %ax\n"
    "	movw	%ax, " TG_SHARED(UD_CS) "\n"
    "	addw	$3, (%bp)\n"			// past the faulting instruction
    "	iret\n"
    "ud_guest_end:\n"
    ".code64\n"
    ".popsection\n");

/*
 * The spin guest: its exits leave the expected values in the shared
 * page; it and this env both progress while it spins; it can be killed.
 */
static void
test_spin(void)
{
	volatile uint32_t *counter = (volatile uint32_t *) (SHARED_VA + SPIN_COUNTER);
	envid_t guest = tinyguest_start(spin_guest, spin_guest_end);
	unsigned deadline;
	uint32_t before;

	expect_true(tinyguest_wait(TG_DONE, TG_DONE_MAGIC, 5000), "spin guest finished its checks");
	expect(SHARED_VA[SPIN_IN80], 0xff, "refused port reads all ones");
	expect(tinyguest_result(SPIN_BADCALL), -E_INVAL, "unknown hypercall");
	expect(tinyguest_result(SPIN_BADMBMAP), -E_INVAL, "MBMAP, unaligned");
	expect(SHARED_VA[SPIN_ZERO], 0x77, "memory on demand");

	// The guest spins and never halts; this env busy-waits.  Both
	// make progress only if the timer preempts each in turn.
	before = *counter;
	deadline = sys_time_msec() + 300;
	while (sys_time_msec() < deadline)
		;
	if (*counter == before) {
		cprintf("vmmtest: the spinning guest made no progress\n");
		expect_failures++;
	} else
		cprintf("vmmtest: the host runs while the guest spins\n");
	sys_env_destroy(guest);
	wait(guest);
}

/*
 * The halt guest: once it reaches its HLT with no input for it, it
 * sleeps: no exit and no step past the HLT while this env runs 200 ms.
 */
static void
test_halt(void)
{
	envid_t guest = tinyguest_start(halt_guest, halt_guest_end);
	struct guest_info gi;
	unsigned deadline;
	uint64_t exits;

	expect(tinyguest_wait_halted(guest, 5000, &gi), 1, "halt guest sleeps in HLT");
	exits = gi.exits;
	deadline = sys_time_msec() + 200;
	while (sys_time_msec() < deadline)
		sys_yield();
	if (!guest_info_of(guest, &gi))
		gi.halted = 0;
	expect(gi.halted, 1, "halt guest still sleeps 200 ms later");
	expect(gi.exits, exits, "halt guest's exits while it sleeps");
	expect(SHARED_VA[HALT_STAGE], 1, "halt guest stays before its HLT");
	cprintf("vmmtest: the halted guest sleeps: %ld exits, %ld 200 ms later\n",
		(long) exits, (long) gi.exits);
	sys_guest_stop(guest);
	wait(guest);
}

/*
 * The busy guest exits all the time; exits must not renew its slice:
 * while it runs, this env, yielding, still gets the CPU many times in
 * 500 ms (once per slice), and the guest progresses too.
 */
static void
test_busy(void)
{
	volatile uint32_t *counter = (volatile uint32_t *) (SHARED_VA + SPIN_COUNTER);
	envid_t guest = tinyguest_start(busy_guest, busy_guest_end);
	unsigned deadline;
	uint32_t before;
	int turns = 0;

	sys_yield();	// let it start
	before = *counter;
	deadline = sys_time_msec() + 500;
	while (sys_time_msec() < deadline) {
		turns++;
		sys_yield();
	}
	if (turns < 5 || *counter == before) {
		cprintf("vmmtest: busy guest: this env ran %d times in 500 ms, the guest "
			"counted %u (FAILED)\n", turns, *counter - before);
		expect_failures++;
	} else
		cprintf("vmmtest: the host runs while the guest exits all the time "
			"(%d turns in 500 ms)\n", turns);
	sys_env_destroy(guest);
	wait(guest);
}

/*
 * The ud guest: the other vendor's hypercall instruction is #UD in the
 * guest (taken by its handler, once, at that instruction), and not a
 * hypercall; the guest's own hypercalls work on.
 */
static void
test_ud(void)
{
	envid_t guest = tinyguest_load(ud_guest, ud_guest_end);
	uint32_t site = GUEST_BOOT_GPA + (ud_site - ud_guest);
	volatile uint16_t *cs = (volatile uint16_t *) (SHARED_VA + UD_CS);
	volatile uint16_t *ip = (volatile uint16_t *) (SHARED_VA + UD_IP);
	int r;

	// VMCALL (0f 01 c1) where hypercalls are VMMCALL, else VMMCALL.
	((uint8_t *) TINYGUEST_CODE_VA)[ud_site - ud_guest + 2] =
		hypercall_is_vmmcall() ? 0xc1 : HC_VMMCALL_MODRM;
	if ((r = sys_env_set_status(guest, ENV_RUNNABLE)) < 0)
		panic("sys_env_set_status: %e", r);
	expect_true(tinyguest_wait(TG_DONE, TG_DONE_MAGIC, 5000), "ud guest finished");
	expect(SHARED_VA[UD_COUNT], 1, "#UDs the ud guest took");
	expect(*cs * 16 + *ip, site, "where the #UD was");
	expect(tinyguest_result(UD_CALL), -E_INVAL, "a hypercall after the #UD");
	if (SHARED_VA[UD_COUNT] == 1 && *cs * 16 + *ip == site)
		cprintf("vmmtest: %s is #UD in the guest, which handles it\n",
			hypercall_is_vmmcall() ? "VMCALL" : "VMMCALL");
	sys_guest_stop(guest);
	wait(guest);
}

/* A guest that must kill itself: wait until the kernel has freed it. */
static void
test_dies(const char *what, const char *code, const char *end)
{
	envid_t guest = tinyguest_start(code, end);

	wait(guest);
	cprintf("vmmtest: the %s guest is gone\n", what);
}

/* The guests in turn, counting the free pages around them. */
void
umain(int argc, char **argv)
{
	int64_t before, after;

	tinyguest_begin("vmmtest");
	if (!tinyguest_supported())
		return;
	before = sys_free_pages();
	test_spin();
	test_dies("wild", wild_guest, wild_guest_end);
	test_dies("triple-faulting", triple_guest, triple_guest_end);
	test_halt();
	test_busy();
	test_ud();
	after = sys_free_pages();
	cprintf("vmmtest: free pages before %ld after %ld\n", before, after);
	expect_report();
}
