/*
 * vmevil: hostile guests, one per case, each a few real-mode
 * instructions this program writes at GUEST_BOOT_GPA, with a page it
 * shares at TINYGUEST_SHARED_GPA for the results (inc/vmm/tinyguest.h).
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
 *   stop2:  (two CPUs) the same guest, stopped twice at once while it
 *           runs on the other CPU: the second stop finds it dying, and
 *           it is freed once, by the CPU that ran it.
 * `vmevil` runs every case in turn; `vmevil CASE...` the named ones.
 * Every page the guests took must be back at the end.
 */
#include <inc/lib.h>
#include <inc/vmx.h>
#include <inc/vmm/tinyguest.h>
#include <inc/fs.h>

#define SHARED_VA	TINYGUEST_SHARED_VA
#define GIFT_VA		((volatile uint32_t *) TINYGUEST_SPARE_VA)
#define GIFT_GPA	0x6000	// where the ipc guest receives this program's page
#define GIFT_MAGIC	0xC0DEF00D
#define GIFT_VALUE	0x1234
#define CGA_GPA		0xb8000	// in the BIOS hole
#define PERM_PUW	7	// PTE_P | PTE_W | PTE_U, for the guest's IPCSEND
#define ERR_NOT_RECV	-8	// -E_IPC_NOT_RECV, for the guest's retry
#define TYPE_USER	0	// ENV_TYPE_USER (an enum: guest code needs a number)
#define TYPE_FS		1	// ENV_TYPE_FS
#define REQ_SYNC	8	// FSREQ_SYNC

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
#define R_FS_RSI	0xf48
#define R_FS_RDX	0xf4c
#define R_FS_RCX	0xf50
#define R_GIFT_RAX	0xf54	// this program's page: RAX, RSI, RDX, RCX
#define R_GIFT_RSI	0xf58
#define R_GIFT_RDX	0xf5c
#define R_GIFT_RCX	0xf60
#define R_GIFT_WORD	0xf64	// the word the guest read from it
#define R_STAGE		0xff8
#define R_COUNTER	0xfe0

// One hypercall: number, then the instruction.
#define HC(nr)		"	movl	$" HC_STR(nr) ", %eax\n	" HC_INSN "\n"
// Store EAX (the result) at offset off of the shared page.
#define KEEP(off)	"	movl	%eax, " TG_SHARED(off) "\n"

extern const char calls_guest[], calls_guest_end[];
extern const char ipc_guest[], ipc_guest_end[];
extern const char wild_guest[], wild_guest_end[];
extern const char triple_guest[], triple_guest_end[];
extern const char cli_guest[], cli_guest_end[];
asm(".pushsection .rodata\n"
    ".code16\n"
    "calls_guest:\n"
    "	movw	$" TG_CODE(calls_msg, calls_guest) ", %si\n"
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
    "	movb	%al, " TG_SHARED(R_LSR) "\n"
    "	movw	$0x3ff, %dx\n"
    "	movb	$0xa5, %al\n"
    "	outb	%al, %dx\n"
    "	movb	$0, %al\n"
    "	inb	%dx, %al\n"
    "	movb	%al, " TG_SHARED(R_SCRATCH) "\n"
    // Unknown hypercalls.
    HC(0) KEEP(R_CALL0)
    HC(0x40) KEEP(R_CALL40)
    HC(0xffffffff) KEEP(R_CALLFF)
    // IPCSEND: to a user env; unaligned; in the BIOS hole; no perm;
    // writable perm for the read-only code page.
    "	movl	$" HC_STR(TYPE_USER) ", %ebx\n"
    "	movl	$1, %ecx\n"
    "	movl	$" HC_STR(TINYGUEST_SPARE_GPA) ", %edx\n"
    "	movl	$" HC_STR(PERM_PUW) ", %esi\n"
    HC(HC_IPCSEND) KEEP(R_SEND_USER)
    "	movl	$" HC_STR(TYPE_FS) ", %ebx\n"
    "	movl	$" HC_STR(TINYGUEST_SPARE_GPA) "+1, %edx\n"
    HC(HC_IPCSEND) KEEP(R_SEND_UNAL)
    "	movl	$" HC_STR(GUEST_BIOS_HOLE) ", %edx\n"
    HC(HC_IPCSEND) KEEP(R_SEND_HOLE)
    "	movl	$" HC_STR(TINYGUEST_SPARE_GPA) ", %edx\n"
    "	movl	$0, %esi\n"
    HC(HC_IPCSEND) KEEP(R_SEND_PERM)
    "	movl	$" HC_STR(GUEST_BOOT_GPA) ", %edx\n"
    "	movl	$" HC_STR(PERM_PUW) ", %esi\n"
    HC(HC_IPCSEND) KEEP(R_SEND_RO)
    // IPCRECV: unaligned; in the BIOS hole (no blocking either time).
    "	movl	$" HC_STR(TINYGUEST_SPARE_GPA) "+1, %ebx\n"
    HC(HC_IPCRECV) KEEP(R_RECV_UNAL)
    "	movl	$" HC_STR(CGA_GPA) ", %ebx\n"
    HC(HC_IPCRECV) KEEP(R_RECV_HOLE)
    // The host's IDE disk: status, data, a read command, status.
    "	movw	$0x1f7, %dx\n"
    "	inb	%dx, %al\n"
    "	movb	%al, " TG_SHARED(R_IDE_STAT) "\n"
    "	movw	$0x1f0, %dx\n"
    "	inw	%dx, %ax\n"
    "	movw	%ax, " TG_SHARED(R_IDE_DATA) "\n"
    "	movw	$0x1f7, %dx\n"
    "	movb	$0x20, %al\n"
    "	outb	%al, %dx\n"
    "	inb	%dx, %al\n"
    "	movb	%al, " TG_SHARED(R_IDE_STAT2) "\n"
    "	movb	$" HC_STR(TG_DONE_MAGIC) ", " TG_SHARED(TG_DONE) "\n"
    HC(HC_POWEROFF)
    "4:	hlt\n"
    "	jmp	4b\n"
    "calls_msg:\n"
    "	.asciz	\"vmevil guest: hello through the emulated COM1\\n\"\n"
    "calls_guest_end:\n"

    "ipc_guest:\n"
    // FSREQ_SYNC to the file server with the spare page, never
    // touched; retry while the server is busy.
    "1:	movl	$" HC_STR(TYPE_FS) ", %ebx\n"
    "	movl	$" HC_STR(REQ_SYNC) ", %ecx\n"
    "	movl	$" HC_STR(TINYGUEST_SPARE_GPA) ", %edx\n"
    "	movl	$" HC_STR(PERM_PUW) ", %esi\n"
    HC(HC_IPCSEND)
    "	cmpl	$" HC_STR(ERR_NOT_RECV) ", %eax\n"
    "	je	1b\n"
    KEEP(R_FS_SEND)
    // Its reply, without a page (an address beyond guest memory).
    "	movl	$0xfee00000, %ebx\n"
    HC(HC_IPCRECV) KEEP(R_FS_RAX)
    "	movl	%esi, " TG_SHARED(R_FS_RSI) "\n"
    "	movl	%edx, " TG_SHARED(R_FS_RDX) "\n"
    "	movl	%ecx, " TG_SHARED(R_FS_RCX) "\n"
    "	movb	$1, " TG_SHARED(R_STAGE) "\n"
    // A page from the host program at GIFT_GPA.
    "	movl	$" HC_STR(GIFT_GPA) ", %ebx\n"
    HC(HC_IPCRECV) KEEP(R_GIFT_RAX)
    "	movl	%esi, " TG_SHARED(R_GIFT_RSI) "\n"
    "	movl	%edx, " TG_SHARED(R_GIFT_RDX) "\n"
    "	movl	%ecx, " TG_SHARED(R_GIFT_RCX) "\n"
    "	movl	" HC_STR(GIFT_GPA) ", %eax\n"
    KEEP(R_GIFT_WORD)
    "	movb	$" HC_STR(TG_DONE_MAGIC) ", " TG_SHARED(TG_DONE) "\n"
    "	movb	$1, " HC_STR(GIFT_GPA) "\n"		// read-only: it dies here
    "2:	hlt\n"
    "	jmp	2b\n"
    "ipc_guest_end:\n"

    "wild_guest:\n"
    "	lgdtl	" TG_CODE(wild_gdtdesc, wild_guest) "\n"
    "	movl	%cr0, %eax\n"
    "	orl	$1, %eax\n"
    "	movl	%eax, %cr0\n"
    "	movw	$8, %ax\n"
    "	movw	%ax, %ds\n"
    "	movl	$" HC_STR(TINYGUEST_MEM) ", %ebx\n"	// just beyond its memory
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

    "cli_guest:\n"
    "	cli\n"
    "1:	incl	" TG_SHARED(R_COUNTER) "\n"
    "	jmp	1b\n"
    "cli_guest_end:\n"
    ".code64\n"
    ".popsection\n");

/* Bad hypercalls and ports are refused; the guest powers itself off. */
static void
case_calls(void)
{
	envid_t guest = tinyguest_start(calls_guest, calls_guest_end);

	wait(guest);
	expect(SHARED_VA[TG_DONE], TG_DONE_MAGIC, "calls guest finished");
	expect(SHARED_VA[R_LSR], 0x60, "COM1 line status: ready to send, no input");
	expect(SHARED_VA[R_SCRATCH], 0xa5, "COM1 scratch register");
	expect(tinyguest_result(R_CALL0), -E_INVAL, "hypercall 0");
	expect(tinyguest_result(R_CALL40), -E_INVAL, "hypercall 0x40");
	expect(tinyguest_result(R_CALLFF), -E_INVAL, "hypercall 0xffffffff");
	expect(tinyguest_result(R_SEND_USER), -E_INVAL, "IPCSEND to a user env");
	expect(tinyguest_result(R_SEND_UNAL), -E_INVAL, "IPCSEND, unaligned page");
	expect(tinyguest_result(R_SEND_HOLE), -E_INVAL, "IPCSEND, page in the BIOS hole");
	expect(tinyguest_result(R_SEND_PERM), -E_INVAL, "IPCSEND, perm 0");
	expect(tinyguest_result(R_SEND_RO), -E_INVAL, "IPCSEND, writable read-only page");
	expect(tinyguest_result(R_RECV_UNAL), -E_INVAL, "IPCRECV, unaligned");
	expect(tinyguest_result(R_RECV_HOLE), -E_INVAL, "IPCRECV, in the BIOS hole");
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

	static_assert(ERR_NOT_RECV == -E_IPC_NOT_RECV);
	static_assert(PERM_PUW == (PTE_P | PTE_W | PTE_U));
	static_assert(TYPE_USER == ENV_TYPE_USER && TYPE_FS == ENV_TYPE_FS);
	static_assert(REQ_SYNC == FSREQ_SYNC);
	if (!fs) {
		cprintf("vmevil: ipc: no file server, skipped\n");
		return;
	}
	guest = tinyguest_start(ipc_guest, ipc_guest_end);
	deadline = sys_time_msec() + 10000;
	expect_true(tinyguest_wait(R_STAGE, 1, 10000), "ipc guest got the file server's reply");
	*GIFT_VA = GIFT_MAGIC;
	while ((r = sys_ipc_try_send(guest, GIFT_VALUE, (void *) GIFT_VA, PTE_P | PTE_U))
	       == -E_IPC_NOT_RECV && sys_time_msec() < deadline)
		sys_yield();
	expect(r, 0, "sys_ipc_try_send to the guest");
	wait(guest);
	expect(tinyguest_result(R_FS_SEND), 0, "IPCSEND of FSREQ_SYNC");
	expect(tinyguest_result(R_FS_RAX), 0, "IPCRECV from the file server: RAX");
	expect(tinyguest_result(R_FS_RSI), 0, "the file server's answer (RSI)");
	expect(tinyguest_result(R_FS_RDX), fs, "the sender (RDX)");
	expect(tinyguest_result(R_FS_RCX), 0, "no page (RCX)");
	expect(tinyguest_result(R_GIFT_RAX), 0, "IPCRECV of our page: RAX");
	expect(tinyguest_result(R_GIFT_RSI), GIFT_VALUE, "our value (RSI)");
	expect(tinyguest_result(R_GIFT_RDX), thisenv->env_id, "us, the sender (RDX)");
	expect(tinyguest_result(R_GIFT_RCX), PTE_P | PTE_U, "our perm (RCX)");
	expect((uint32_t) tinyguest_result(R_GIFT_WORD), GIFT_MAGIC, "the word in our page");
	expect(SHARED_VA[TG_DONE], TG_DONE_MAGIC, "ipc guest finished");
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
		expect_failures++;
	}
	found = guest_info_of(guest, &gi) && gi.mem_size == TINYGUEST_MEM && gi.exits > 0;
	expect_true(found, "sys_guest_info lists the guest");
	expect(sys_guest_stop(thisenv->env_id), -E_BAD_ENV, "sys_guest_stop of a non-guest");
	expect(sys_guest_stop(guest), 0, "sys_guest_stop");
	wait(guest);
	cprintf("vmevil: cli: the host ran while the guest spun with interrupts off\n");
}

/*
 * The cli guest stopped twice, back to back, while it runs on another
 * CPU: the first stop only marks it (that CPU is in it), the second
 * must do no more than that.  Needs two CPUs; with one it says so.
 */
static void
case_stop2(void)
{
	envid_t guest = tinyguest_start(cli_guest, cli_guest_end);
	volatile const struct Env *g = &envs[ENVX(guest)];
	unsigned deadline = sys_time_msec() + 5000;
	bool dying;
	int r1, r2;

	while (!(g->env_status == ENV_RUNNING && g->env_cpunum != thisenv->env_cpunum)
	       && sys_time_msec() < deadline)
		sys_yield();
	if (g->env_status != ENV_RUNNING || g->env_cpunum == thisenv->env_cpunum) {
		sys_guest_stop(guest);
		wait(guest);
		cprintf("vmevil: stop2: skipped, the guest never ran on another CPU\n");
		return;
	}
	r1 = sys_guest_stop(guest);
	dying = g->env_status == ENV_DYING && g->env_id == guest;
	r2 = sys_guest_stop(guest);
	expect(r1, 0, "sys_guest_stop while it runs elsewhere");
	// The other CPU may have freed it in between (then it is no guest).
	expect_true(r2 == 0 || r2 == -E_BAD_ENV, "sys_guest_stop again: 0 or -E_BAD_ENV");
	wait(guest);
	cprintf("vmevil: stop2: stopped twice while it ran on the other CPU (%s); freed once\n",
		dying ? "the second stop found it dying" : "gone before the second stop");
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
	else if (strcmp(name, "stop2") == 0)
		case_stop2();
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

	tinyguest_begin("vmevil");
	if (!tinyguest_supported())
		return;
	// The file server fills its cache: leave that out of the count.
	if (ipc_find_env(ENV_TYPE_FS))
		stat("/", &st);

	before = sys_free_pages();
	if (argc < 2)
		for (int i = 0; i < (int) (sizeof(all) / sizeof(all[0])); i++)
			run_case(all[i]);
	for (int i = 1; i < argc; i++)
		if (!run_case(argv[i])) {
			cprintf("vmevil: no case %s (calls, ipc, wild, triple, cli, stop2)\n", argv[i]);
			expect_failures++;
		}
	after = sys_free_pages();
	cprintf("vmevil: free pages before %ld after %ld\n", before, after);
	expect_report();
}
