/*
 * vmevil: hostile guests, one per case, each a few real-mode
 * instructions this program writes at guest-physical 0x7000, with a
 * page it shares at 0x8000 for the results.
 *   calls:  prints through the emulated COM1, makes unknown hypercalls
 *           and IPC hypercalls with bad arguments (wrong destination,
 *           unaligned or BIOS-hole addresses, bad permissions), reads
 *           and commands the host's IDE disk ports, then powers off.
 *   ipc:    a round trip with the host's file server (the page it sends
 *           was never touched: the monitor supplies it), then a page
 *           from this program, read-only, which it then tries to write:
 *           it dies of an EPT violation.  Needs the file server.
 *   wild:   reads beyond its memory in protected mode: it dies.
 *   triple: a triple fault: it dies.
 *   cli:    spins with interrupts off: this env keeps running, and
 *           stops it with sys_guest_stop.
 * `vmevil` runs every case in turn; `vmevil CASE...` the named ones.
 * Every page the guests took must be back at the end.
 */
#include <inc/lib.h>
#include <inc/vmx.h>
#include <inc/fs.h>

#define GUEST_SIZE	TINYGUEST_MEM
#define CODE_VA		TINYGUEST_CODE_VA
#define SHARED_VA	TINYGUEST_SHARED_VA
#define GIFT_VA		((volatile uint32_t *) (UTEMP + 2 * PGSIZE))
#define DONE_MAGIC	0x5a
#define GIFT_MAGIC	0xC0DEF00D
#define GIFT_VALUE	0x1234

// Where the guests leave results: offsets in the shared page.
#define R_LSR		0xf00	// byte: COM1 line status
#define R_SCRATCH	0xf01	// byte: COM1 scratch register read back
#define R_CALL0		0xf04	// unknown hypercalls 0, 0x40, 0xffffffff
#define R_CALL40	0xf08
#define R_CALLFF	0xf0c
#define R_SEND_USER	0xf10	// IPCSEND to a user env
#define R_SEND_UNAL	0xf14	// IPCSEND, unaligned page
#define R_SEND_HOLE	0xf18	// IPCSEND, page in the BIOS hole
#define R_SEND_PERM	0xf1c	// IPCSEND, no permission bits
#define R_SEND_RO	0xf20	// IPCSEND, writable perm for a read-only page
#define R_RECV_UNAL	0xf24	// IPCRECV, unaligned
#define R_RECV_HOLE	0xf28	// IPCRECV, in the BIOS hole
#define R_IDE_STAT	0xf30	// byte: IDE status
#define R_IDE_DATA	0xf32	// word: IDE data
#define R_IDE_STAT2	0xf34	// byte: IDE status after a read command
#define R_FS_SEND	0xf40	// IPCSEND of FSREQ_SYNC
#define R_FS_RAX	0xf44	// its reply: RAX, RSI, RDX, RCX
#define R_GIFT_RAX	0xf54	// this program's page: RAX, RSI, RDX, RCX
#define R_GIFT_WORD	0xf64	// the word the guest read from it
#define R_STAGE		0xff8
#define R_DONE		0xffc
#define R_COUNTER	0xfe0

// Offsets in guest code are written as absolute guest-physical addresses.
extern const char calls_guest[], calls_guest_end[];
extern const char ipc_guest[], ipc_guest_end[];
extern const char wild_guest[], wild_guest_end[];
extern const char triple_guest[], triple_guest_end[];
extern const char cli_guest[], cli_guest_end[];
asm(".pushsection .rodata\n"
    ".code16\n"
    "calls_guest:\n"
    "	movw	$(calls_msg - calls_guest + 0x7000), %si\n"
    "1:	movb	(%si), %bl\n"
    "	testb	%bl, %bl\n"
    "	jz	3f\n"
    "	movw	$0x3fd, %dx\n"
    "2:	inb	%dx, %al\n"
    "	testb	$0x20, %al\n"
    "	jz	2b\n"
    "	movw	$0x3f8, %dx\n"
    "	movb	%bl, %al\n"
    "	outb	%al, %dx\n"
    "	incw	%si\n"
    "	jmp	1b\n"
    "3:	movw	$0x3fd, %dx\n"
    "	inb	%dx, %al\n"
    "	movb	%al, 0x8f00\n"
    "	movw	$0x3ff, %dx\n"
    "	movb	$0xa5, %al\n"
    "	outb	%al, %dx\n"
    "	movb	$0, %al\n"
    "	inb	%dx, %al\n"
    "	movb	%al, 0x8f01\n"
    // Unknown hypercalls.
    "	movl	$0, %eax\n"
    "	vmcall\n"
    "	movl	%eax, 0x8f04\n"
    "	movl	$0x40, %eax\n"
    "	vmcall\n"
    "	movl	%eax, 0x8f08\n"
    "	movl	$0xffffffff, %eax\n"
    "	vmcall\n"
    "	movl	%eax, 0x8f0c\n"
    // IPCSEND: to a user env; unaligned; in the BIOS hole; no perm;
    // writable perm for the read-only code page.
    "	movl	$2, %eax\n"
    "	movl	$0, %ebx\n"
    "	movl	$1, %ecx\n"
    "	movl	$0x9000, %edx\n"
    "	movl	$7, %esi\n"
    "	vmcall\n"
    "	movl	%eax, 0x8f10\n"
    "	movl	$2, %eax\n"
    "	movl	$1, %ebx\n"
    "	movl	$0x9001, %edx\n"
    "	vmcall\n"
    "	movl	%eax, 0x8f14\n"
    "	movl	$2, %eax\n"
    "	movl	$0xa0000, %edx\n"
    "	vmcall\n"
    "	movl	%eax, 0x8f18\n"
    "	movl	$2, %eax\n"
    "	movl	$0x9000, %edx\n"
    "	movl	$0, %esi\n"
    "	vmcall\n"
    "	movl	%eax, 0x8f1c\n"
    "	movl	$2, %eax\n"
    "	movl	$0x7000, %edx\n"
    "	movl	$7, %esi\n"
    "	vmcall\n"
    "	movl	%eax, 0x8f20\n"
    // IPCRECV: unaligned; in the BIOS hole (no blocking either time).
    "	movl	$3, %eax\n"
    "	movl	$0x9001, %ebx\n"
    "	vmcall\n"
    "	movl	%eax, 0x8f24\n"
    "	movl	$3, %eax\n"
    "	movl	$0xb8000, %ebx\n"
    "	vmcall\n"
    "	movl	%eax, 0x8f28\n"
    // The host's IDE disk: status, data, a read command, status.
    "	movw	$0x1f7, %dx\n"
    "	inb	%dx, %al\n"
    "	movb	%al, 0x8f30\n"
    "	movw	$0x1f0, %dx\n"
    "	inw	%dx, %ax\n"
    "	movw	%ax, 0x8f32\n"
    "	movw	$0x1f7, %dx\n"
    "	movb	$0x20, %al\n"
    "	outb	%al, %dx\n"
    "	inb	%dx, %al\n"
    "	movb	%al, 0x8f34\n"
    "	movb	$0x5a, 0x8ffc\n"
    "	movl	$4, %eax\n"			// power off
    "	vmcall\n"
    "4:	hlt\n"
    "	jmp	4b\n"
    "calls_msg:\n"
    "	.asciz	\"vmevil guest: hello through the emulated COM1\\n\"\n"
    "calls_guest_end:\n"

    "ipc_guest:\n"
    // FSREQ_SYNC to the file server with the page at 0x9000, never
    // touched; retry while the server is busy.
    "1:	movl	$2, %eax\n"
    "	movl	$1, %ebx\n"
    "	movl	$8, %ecx\n"
    "	movl	$0x9000, %edx\n"
    "	movl	$7, %esi\n"
    "	vmcall\n"
    "	cmpl	$-8, %eax\n"
    "	je	1b\n"
    "	movl	%eax, 0x8f40\n"
    // Its reply, without a page (an address beyond guest memory).
    "	movl	$3, %eax\n"
    "	movl	$0xfee00000, %ebx\n"
    "	vmcall\n"
    "	movl	%eax, 0x8f44\n"
    "	movl	%esi, 0x8f48\n"
    "	movl	%edx, 0x8f4c\n"
    "	movl	%ecx, 0x8f50\n"
    "	movb	$1, 0x8ff8\n"
    // A page from the host program at 0x6000.
    "	movl	$3, %eax\n"
    "	movl	$0x6000, %ebx\n"
    "	vmcall\n"
    "	movl	%eax, 0x8f54\n"
    "	movl	%esi, 0x8f58\n"
    "	movl	%edx, 0x8f5c\n"
    "	movl	%ecx, 0x8f60\n"
    "	movl	0x6000, %eax\n"
    "	movl	%eax, 0x8f64\n"
    "	movb	$0x5a, 0x8ffc\n"
    "	movb	$1, 0x6000\n"			// read-only: it dies here
    "2:	hlt\n"
    "	jmp	2b\n"
    "ipc_guest_end:\n"

    "wild_guest:\n"
    "	lgdtl	(wild_gdtdesc - wild_guest + 0x7000)\n"
    "	movl	%cr0, %eax\n"
    "	orl	$1, %eax\n"
    "	movl	%eax, %cr0\n"
    "	movw	$8, %ax\n"
    "	movw	%ax, %ds\n"
    "	movl	$0x400000, %ebx\n"		// its size: just beyond its memory
    "	movb	(%ebx), %al\n"
    "	hlt\n"
    "	.p2align 3\n"
    "wild_gdt:\n"
    "	.quad	0\n"
    "	.quad	0x00cf93000000ffff\n"
    "wild_gdtdesc:\n"
    "	.word	15\n"
    "	.long	wild_gdt - wild_guest + 0x7000\n"
    "wild_guest_end:\n"

    "triple_guest:\n"
    "	lidt	(triple_idt - triple_guest + 0x7000)\n"
    "	int3\n"
    "	hlt\n"
    "triple_idt:\n"
    "	.word	0\n"
    "	.long	0\n"
    "triple_guest_end:\n"

    "cli_guest:\n"
    "	cli\n"
    "1:	incl	0x8fe0\n"
    "	jmp	1b\n"
    "cli_guest_end:\n"
    ".code64\n"
    ".popsection\n");

static int failures;

/* Check that what a guest or a call left is what it should have. */
static void
expect(int64_t got, int64_t want, const char *what)
{
	if (got != want) {
		cprintf("vmevil: %s: got %lx, want %lx\n", what, got, want);
		failures++;
	}
}

/* The 32-bit result a guest left at offset off of the shared page. */
static int32_t
result(int off)
{
	return *(volatile int32_t *) (SHARED_VA + off);
}

/* Bad hypercalls and ports are refused; the guest powers itself off. */
static void
case_calls(void)
{
	envid_t guest = tinyguest_start(calls_guest, calls_guest_end);

	wait(guest);
	expect(SHARED_VA[R_DONE], DONE_MAGIC, "calls guest finished");
	expect(SHARED_VA[R_LSR], 0x60, "COM1 line status: ready to send, no input");
	expect(SHARED_VA[R_SCRATCH], 0xa5, "COM1 scratch register");
	expect(result(R_CALL0), -E_INVAL, "hypercall 0");
	expect(result(R_CALL40), -E_INVAL, "hypercall 0x40");
	expect(result(R_CALLFF), -E_INVAL, "hypercall 0xffffffff");
	expect(result(R_SEND_USER), -E_INVAL, "IPCSEND to a user env");
	expect(result(R_SEND_UNAL), -E_INVAL, "IPCSEND, unaligned page");
	expect(result(R_SEND_HOLE), -E_INVAL, "IPCSEND, page in the BIOS hole");
	expect(result(R_SEND_PERM), -E_INVAL, "IPCSEND, perm 0");
	expect(result(R_SEND_RO), -E_INVAL, "IPCSEND, writable read-only page");
	expect(result(R_RECV_UNAL), -E_INVAL, "IPCRECV, unaligned");
	expect(result(R_RECV_HOLE), -E_INVAL, "IPCRECV, in the BIOS hole");
	expect(SHARED_VA[R_IDE_STAT], 0xff, "IDE status");
	expect(*(volatile uint16_t *) (SHARED_VA + R_IDE_DATA), 0xffff, "IDE data");
	expect(SHARED_VA[R_IDE_STAT2], 0xff, "IDE status after a command");
	cprintf("vmevil: calls: the guest powered off\n");
}

/* A round trip with the file server, then a read-only page from us. */
static void
case_ipc(void)
{
	envid_t fs = ipc_find_env(ENV_TYPE_FS), guest;
	unsigned deadline;
	int r;

	static_assert(FSREQ_SYNC == 8);
	if (!fs) {
		cprintf("vmevil: ipc: no file server, skipped\n");
		return;
	}
	guest = tinyguest_start(ipc_guest, ipc_guest_end);
	deadline = sys_time_msec() + 10000;
	while (SHARED_VA[R_STAGE] != 1 && sys_time_msec() < deadline)
		sys_yield();
	expect(SHARED_VA[R_STAGE], 1, "ipc guest got the file server's reply");
	*GIFT_VA = GIFT_MAGIC;
	while ((r = sys_ipc_try_send(guest, GIFT_VALUE, (void *) GIFT_VA, PTE_P | PTE_U))
	       == -E_IPC_NOT_RECV && sys_time_msec() < deadline)
		sys_yield();
	expect(r, 0, "sys_ipc_try_send to the guest");
	wait(guest);
	expect(result(R_FS_SEND), 0, "IPCSEND of FSREQ_SYNC");
	expect(result(R_FS_RAX), 0, "IPCRECV from the file server: RAX");
	expect(result(R_FS_RAX + 4), 0, "the file server's answer (RSI)");
	expect(result(R_FS_RAX + 8), fs, "the sender (RDX)");
	expect(result(R_FS_RAX + 12), 0, "no page (RCX)");
	expect(result(R_GIFT_RAX), 0, "IPCRECV of our page: RAX");
	expect(result(R_GIFT_RAX + 4), GIFT_VALUE, "our value (RSI)");
	expect(result(R_GIFT_RAX + 8), thisenv->env_id, "us, the sender (RDX)");
	expect(result(R_GIFT_RAX + 12), PTE_P | PTE_U, "our perm (RCX)");
	expect((uint32_t) result(R_GIFT_WORD), GIFT_MAGIC, "the word in our page");
	expect(SHARED_VA[R_DONE], DONE_MAGIC, "ipc guest finished");
	expect(*GIFT_VA, GIFT_MAGIC, "our page after the guest tried to write it");
	cprintf("vmevil: ipc: done, the guest died writing our read-only page\n");
}

/* A guest that must kill itself: wait until the kernel has freed it. */
static void
case_dies(const char *what, const char *code, const char *end)
{
	envid_t guest = tinyguest_start(code, end);

	wait(guest);
	cprintf("vmevil: %s: the guest is gone\n", what);
}

/*
 * A guest spinning with interrupts off: this env still runs and sees
 * it progress, sys_guest_info lists it, sys_guest_stop ends it.
 */
static void
case_cli(void)
{
	volatile uint32_t *counter = (volatile uint32_t *) (SHARED_VA + R_COUNTER);
	envid_t guest = tinyguest_start(cli_guest, cli_guest_end);
	struct guest_info gi;
	unsigned deadline = sys_time_msec() + 5000;
	uint32_t before;
	int found;

	while (*counter == 0 && sys_time_msec() < deadline)
		sys_yield();
	before = *counter;
	deadline = sys_time_msec() + 300;
	while (sys_time_msec() < deadline)
		;
	if (*counter == before) {
		cprintf("vmevil: cli: the guest made no progress\n");
		failures++;
	}
	found = guest_info_of(guest, &gi) && gi.mem_size == GUEST_SIZE && gi.exits > 0;
	expect(found, 1, "sys_guest_info lists the guest");
	expect(sys_guest_stop(thisenv->env_id), -E_BAD_ENV, "sys_guest_stop of a non-guest");
	expect(sys_guest_stop(guest), 0, "sys_guest_stop");
	wait(guest);
	cprintf("vmevil: cli: the host ran while the guest spun with interrupts off\n");
}

/* Run case name; false if there is no such case. */
static bool
run_case(const char *name)
{
	if (strcmp(name, "calls") == 0)
		case_calls();
	else if (strcmp(name, "ipc") == 0)
		case_ipc();
	else if (strcmp(name, "wild") == 0)
		case_dies("wild", wild_guest, wild_guest_end);
	else if (strcmp(name, "triple") == 0)
		case_dies("triple", triple_guest, triple_guest_end);
	else if (strcmp(name, "cli") == 0)
		case_cli();
	else
		return false;
	return true;
}

void
umain(int argc, char **argv)
{
	static const char *const all[] = { "calls", "ipc", "wild", "triple", "cli" };
	struct Stat st;
	int64_t before, after;
	int r;

	if ((r = sys_page_alloc(0, CODE_VA, PTE_P | PTE_U | PTE_W)) < 0
	    || (r = sys_page_alloc(0, (void *) SHARED_VA, PTE_P | PTE_U | PTE_W)) < 0
	    || (r = sys_page_alloc(0, (void *) GIFT_VA, PTE_P | PTE_U | PTE_W)) < 0)
		panic("sys_page_alloc: %e", r);
	// The first guest runs the kernel's EPT self-test, and the file
	// server fills its cache: leave both out of the count.
	r = sys_env_mkguest(GUEST_SIZE, GUEST_BOOT_GPA);
	if (r == -E_NOT_SUPP) {
		cprintf("vmevil: no guests on this machine: %e\n", r);
		return;
	}
	if (r < 0)
		panic("sys_env_mkguest: %e", r);
	sys_env_destroy(r);
	wait(r);
	if (ipc_find_env(ENV_TYPE_FS))
		stat("/", &st);

	before = sys_free_pages();
	if (argc < 2)
		for (int i = 0; i < (int) (sizeof(all) / sizeof(all[0])); i++)
			run_case(all[i]);
	for (int i = 1; i < argc; i++)
		if (!run_case(argv[i])) {
			cprintf("vmevil: no case %s (calls, ipc, wild, triple, cli)\n", argv[i]);
			failures++;
		}
	after = sys_free_pages();
	cprintf("vmevil: free pages before %ld after %ld\n", before, after);
	cprintf("vmevil: %s\n", failures ? "FAILED" : "done");
}
