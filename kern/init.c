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
#include <kern/platform.h>
#include <kern/timer.h>

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
 * server when the kernel carries one, with argv[0] from fs_argv0.
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
	env_create(user_program("fs", &size), size, ENV_TYPE_FS, fs_argv0());
}

/*
 * Called from entry.S on the boot stack, in long mode at KERNBASE, with
 * the multiboot magic and the physical address of the information block.
 */
void
i386_init(uint32_t mb_magic, physaddr_t mb_info)
{
	cons_init();
	boot_banner();
	cprintf("6828 decimal is %o octal!\n", 6828);

	bootinfo_init(mb_magic, mb_info);
	if (boot_cmdline[0])
		cprintf("Boot command line: %s\n", boot_cmdline);

	mem_init();
	boot_selfcheck();

	if (cmdline_has("test_backtrace"))
		test_backtrace(5);

	env_init();
	trap_init();

	time_init();
	mp_init();
	lapic_init();
	boot_irq_init();
	// No local APIC (a guest): the PIT gives the scheduling tick.
	if (!lapic)
		pit_tick_start();

	// From here on, the kernel lock guards all kernel state.
	lock_kernel();
	boot_aps();

	boot_free_pages = page_free_count();
	start_first_envs();
	sched_yield();
}
