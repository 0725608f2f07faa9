/* The kernel's C entry and the start-up sequence. */
#include <inc/stdio.h>
#include <inc/string.h>
#include <inc/assert.h>
#include <inc/x86.h>
#include <inc/error.h>
#include <inc/vmx.h>

#include <kern/console.h>
#include <kern/monitor.h>
#include <kern/bootinfo.h>
#include <kern/pmap.h>
#include <kern/env.h>
#include <kern/trap.h>
#include <kern/picirq.h>
#include <kern/sched.h>
#include <kern/spinlock.h>
#include <kern/lapic.h>
#include <kern/cpu.h>

void mp_init(void);

// Free pages before the first env, for the leak check in sched_halt.
size_t boot_free_pages;
void boot_aps(void);

/*
 * The classic recursion that exercises the monitor's backtrace: each
 * level is a real stack frame with its argument in its slot.
 */
void
test_backtrace(int x)
{
	cprintf("entering test_backtrace %d\n", x);
	if (x > 0)
		test_backtrace(x - 1);
	else
		mon_backtrace(0, 0, 0);
	cprintf("leaving test_backtrace %d\n", x);
}

/*
 * Start the embedded program name as an env of the given type.
 * Returns 0, or a negative error after saying what went wrong.
 */
static int
start_program(const char *name, enum EnvType type)
{
	size_t size;
	const uint8_t *binary = user_program(name, &size);

	if (!binary) {
		cprintf("No program named '%s' in the kernel.\n", name);
		return -1;
	}
	return env_create(binary, size, type, name);
}

/*
 * The first envs: the program named by "prog=NAME" on the boot command
 * line (default: init, or hello when there is no init), then the file
 * server when the kernel carries one.  A guest kernel's file server
 * gets argv[0] = "fs:NAME" from "disk=NAME": the name of its own disk
 * file on the host (fs/hostdisk.c).
 */
static void
start_first_envs(void)
{
	const char *prog = cmdline_value("prog");
	size_t size;

	if (!prog || !*prog)
		prog = user_program("init", &size) ? "init" : "hello";
	start_program(prog, ENV_TYPE_USER);
	// "nofs": leave the file server out (leak checks count every page).
	if (!user_program("fs", &size) || cmdline_has("nofs"))
		return;
#ifdef VMM_GUEST
	const uint8_t *binary = user_program("fs", &size);
	const char *disk = cmdline_value("disk");
	char name[40];

	snprintf(name, sizeof(name), "fs:%s", disk && *disk ? disk : "0");
	env_create(binary, size, ENV_TYPE_FS, name);
#else
	start_program("fs", ENV_TYPE_FS);
#endif
}

#ifdef VMM_GUEST
/*
 * Say that this is the guest kernel, so that its lines can be told from
 * the host's on a shared console, and whether the monitor hides VT-x.
 */
static void
guest_banner(void)
{
	uint32_t ecx;

	cprintf("guest: JOS kernel running in a VT-x guest\n");
	cpuid(1, NULL, NULL, &ecx, NULL);
	cprintf("guest: CPUID.1:ECX.VMX is %s\n", (ecx & (1 << 5)) ? "set" : "clear");
	cprintf("guest: the monitor %s itself (CPUID leaf 0x40000000)\n",
		in_jos_guest() ? "names" : "does not name");
}

/*
 * Boot flag "conscheck": the monitor's console hypercall refuses
 * buffers too long, beyond guest memory or wrapping around, and prints
 * one that crosses a page boundary.  Says what it found, one line each.
 */
static void
guest_conscheck(void)
{
	static char pages[2 * PGSIZE] __attribute__((aligned(PGSIZE)));
	static const char msg[] = "guest: conscheck: this line crosses a page boundary\n";
	char *p = pages + PGSIZE - 10;
	int bad = 0;

	cons_flush();
	bad += cons_hypercall_write(0x100000, VMX_CONSWRITE_MAX + 1) != -E_INVAL;
	bad += cons_hypercall_write(GUEST_MEM_MAX, 1) != -E_INVAL;
	bad += cons_hypercall_write(~0UL - 3, 8) != -E_INVAL;
	cprintf("guest: conscheck: %s\n", bad ? "a bad buffer was printed (FAILED)"
		: "bad buffers refused");
	memmove(p, msg, sizeof(msg) - 1);
	if (cons_hypercall_write(PADDR(p), sizeof(msg) - 1) != sizeof(msg) - 1)
		cprintf("guest: conscheck: the crossing line was refused (FAILED)\n");
}
#endif

/*
 * Called from entry.S on the boot stack, in long mode at KERNBASE, with
 * the multiboot magic and the physical address of the information block.
 */
void
i386_init(uint32_t mb_magic, physaddr_t mb_info)
{
	cons_init();
#ifdef VMM_GUEST
	guest_banner();
#endif
	cprintf("6828 decimal is %o octal!\n", 6828);

	bootinfo_init(mb_magic, mb_info);
	if (boot_cmdline[0])
		cprintf("Boot command line: %s\n", boot_cmdline);

	mem_init();
#ifdef VMM_GUEST
	if (cmdline_has("conscheck"))
		guest_conscheck();
#endif

	if (cmdline_has("test_backtrace"))
		test_backtrace(5);

	env_init();
	trap_init();

	time_init();
	mp_init();
	lapic_init();
#ifndef VMM_GUEST
	pic_init();	// the 8259A belongs to the host, not to a guest
#endif

	// From here on, the kernel lock guards all kernel state.
	lock_kernel();
	boot_aps();

	boot_free_pages = page_free_count();
	start_first_envs();
	sched_yield();
}
