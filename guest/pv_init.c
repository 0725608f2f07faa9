/*
 * The guest kernel's start-up hooks (kern/platform.h), linked in place
 * of kern/init_pc.c.
 */
#include <inc/stdio.h>
#include <inc/string.h>
#include <inc/x86.h>
#include <inc/error.h>
#include <inc/vmm/cpuid.h>
#include <inc/vmm/layout.h>
#include <inc/vmm/hypercall.h>

#include <kern/bootinfo.h>
#include <kern/console.h>
#include <kern/pmap.h>
#include <kern/platform.h>
#include <kern/picirq.h>
#include <guest/pv.h>

/*
 * Say that this is the guest kernel, and on what (the CPU vendor the
 * monitor passes through picks VT-x or AMD SVM, as it picks the
 * hypercall instruction), so that its lines can be told from the
 * host's on a shared console; and whether the monitor hides VT-x.
 */
void
boot_banner(void)
{
	uint32_t ecx;

	cprintf("guest: JOS kernel running in %s guest\n",
		cpu_vendor_amd() ? "an AMD SVM" : "a VT-x");
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
conscheck(void)
{
	static char pages[2 * PGSIZE] __attribute__((aligned(PGSIZE)));
	static const char msg[] = "guest: conscheck: this line crosses a page boundary\n";
	char *p = pages + PGSIZE - 10;
	int bad = 0;

	cons_flush();
	bad += cons_hypercall_write(0x100000, HC_CONSWRITE_MAX + 1) != -E_INVAL;
	bad += cons_hypercall_write(GUEST_MEM_MAX, 1) != -E_INVAL;
	bad += cons_hypercall_write(~0UL - 3, 8) != -E_INVAL;
	cprintf("guest: conscheck: %s\n", bad ? "a bad buffer was printed (FAILED)"
		: "bad buffers refused");
	memmove(p, msg, sizeof(msg) - 1);
	if (cons_hypercall_write(PADDR(p), sizeof(msg) - 1) != sizeof(msg) - 1)
		cprintf("guest: conscheck: the crossing line was refused (FAILED)\n");
}

/* The guest's self-checks, by boot flag. */
void
boot_selfcheck(void)
{
	if (cmdline_has("conscheck"))
		conscheck();
}

/*
 * The monitor's virtual PC has an 8259A pair of the guest's own: it
 * carries the PIT's tick (kern/pit.c), the guest's only interrupt.
 */
void
boot_irq_init(void)
{
	pic_init();
}

/*
 * The guest's file server gets argv[0] = "fs:NAME" from "disk=NAME":
 * the name of its own disk file on the host (fs/hostdisk.c).
 */
const char *
fs_argv0(void)
{
	static char name[40];
	const char *disk = cmdline_value("disk");

	snprintf(name, sizeof(name), "fs:%s", disk && *disk ? disk : "0");
	return name;
}
