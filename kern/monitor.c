/*
 * The kernel monitor: a line-oriented command interpreter on the console,
 * for looking at the machine and controlling a user env that trapped in.
 */
#include <inc/stdio.h>
#include <inc/string.h>
#include <inc/memlayout.h>
#include <inc/assert.h>
#include <inc/x86.h>

#include <kern/console.h>
#include <kern/monitor.h>
#include <kern/bootinfo.h>
#include <kern/pmap.h>
#include <kern/env.h>
#include <kern/trap.h>
#include <kern/vmmapi.h>

#define MAXARGS 16

struct Command {
	const char *name;
	const char *desc;
	// Returns -1 to leave the monitor (resuming the trapped env).
	int (*func)(int argc, char **argv, struct Trapframe *tf);
};

static int mon_continue(int argc, char **argv, struct Trapframe *tf);
static int mon_stepi(int argc, char **argv, struct Trapframe *tf);
static int mon_freepages(int argc, char **argv, struct Trapframe *tf);
static int mon_guests(int argc, char **argv, struct Trapframe *tf);

static struct Command commands[] = {
	{ "help", "Display this list of commands", mon_help },
	{ "kerninfo", "Display information about the kernel", mon_kerninfo },
	{ "backtrace", "Display the kernel stack, one frame a line", mon_backtrace },
	{ "continue", "Resume the trapped user environment (also: c)", mon_continue },
	{ "c", "Same as continue", mon_continue },
	{ "stepi", "Execute one instruction of the trapped environment (also: si)", mon_stepi },
	{ "si", "Same as stepi", mon_stepi },
	{ "freepages", "Display the number of free physical pages", mon_freepages },
	{ "guests", "List the guest envs: memory, state, VM exits, cycles (Ctrl-] takes the console back from a guest)", mon_guests },
};
#define NCOMMANDS ((int) (sizeof(commands) / sizeof(commands[0])))

int
mon_help(int argc, char **argv, struct Trapframe *tf)
{
	for (int i = 0; i < NCOMMANDS; i++)
		cprintf("%s - %s\n", commands[i].name, commands[i].desc);
	return 0;
}

int
mon_kerninfo(int argc, char **argv, struct Trapframe *tf)
{
	extern char _start[], entry[], etext[], edata[], end[];

	cprintf("Special kernel symbols:\n");
	cprintf("  _start  %016lx (phys)\n", (uint64_t) _start);
	cprintf("  entry   %016lx (virt)  %016lx (phys)\n",
		(uint64_t) entry, (uint64_t) entry - KERNBASE);
	cprintf("  etext   %016lx (virt)  %016lx (phys)\n",
		(uint64_t) etext, (uint64_t) etext - KERNBASE);
	cprintf("  edata   %016lx (virt)  %016lx (phys)\n",
		(uint64_t) edata, (uint64_t) edata - KERNBASE);
	cprintf("  end     %016lx (virt)  %016lx (phys)\n",
		(uint64_t) end, (uint64_t) end - KERNBASE);
	cprintf("Kernel executable memory footprint: %luKB\n",
		(uint64_t) ROUNDUP(end - entry, 1024) / 1024);
	return 0;
}

/* Whether tf is a user env's frame the monitor may resume. */
static bool
resumable(struct Trapframe *tf)
{
	if (!tf || (tf->tf_cs & 3) != 3) {
		cprintf("No user environment to resume.\n");
		return false;
	}
	return true;
}

static int
mon_continue(int argc, char **argv, struct Trapframe *tf)
{
	if (!resumable(tf))
		return 0;
	tf->tf_eflags &= ~FL_TF;
	return -1;
}

static int
mon_stepi(int argc, char **argv, struct Trapframe *tf)
{
	if (!resumable(tf))
		return 0;
	tf->tf_eflags |= FL_TF;		// the CPU traps after one instruction
	return -1;
}

static int
mon_freepages(int argc, char **argv, struct Trapframe *tf)
{
	cprintf("free pages: %lu\n", (uint64_t) page_free_count());
	return 0;
}

/* The guest envs, with their VM exits and cycles (vmm/stats.c). */
static int
mon_guests(int argc, char **argv, struct Trapframe *tf)
{
	guest_list();
	return 0;
}

/* Split buf into words and run the command they name. */
static int
runcmd(char *buf, struct Trapframe *tf)
{
	char *argv[MAXARGS];
	int argc = 0;

	for (;;) {
		while (*buf && strchr(" \t\r\n", *buf))
			*buf++ = 0;
		if (*buf == 0)
			break;
		if (argc == MAXARGS - 1) {
			cprintf("Too many arguments (max %d)\n", MAXARGS);
			return 0;
		}
		argv[argc++] = buf;
		while (*buf && !strchr(" \t\r\n", *buf))
			buf++;
	}
	argv[argc] = 0;
	if (argc == 0)
		return 0;
	for (int i = 0; i < NCOMMANDS; i++)
		if (strcmp(argv[0], commands[i].name) == 0)
			return commands[i].func(argc, argv, tf);
	cprintf("Unknown command '%s'\n", argv[0]);
	return 0;
}

void
monitor(struct Trapframe *tf)
{
	char *buf;

	cprintf("Welcome to the JOS kernel monitor!\n");
	cprintf("Type 'help' for a list of commands.\n");

	if (tf != NULL)
		print_trapframe(tf);

	// Unattended runs end here instead of waiting for a user.
	if (cmdline_has("exit"))
		machine_poweroff();

	for (;;) {
		buf = readline("K> ");
		if (buf != NULL && runcmd(buf, tf) < 0)
			break;
	}
}
