/*
 * The global descriptor table and each CPU's task state segment.
 * Long mode ignores segment bases and limits, but the CPU still needs
 * a 64-bit code segment per privilege level, data segments, and a TSS
 * per CPU to find its kernel stack on a trap from user mode.
 */
#include <inc/mmu.h>
#include <inc/x86.h>
#include <inc/assert.h>
#include <kern/env.h>
#include <kern/cpu.h>
#include <kern/trap.h>

#define SEG_CODE64(dpl) { 0, 0, 0, STA_X | STA_R, 1, dpl, 1, 0, 0, 1, 0, 0, 0 }
#define SEG_DATA(dpl)   { 0xffff, 0, 0, STA_W, 1, dpl, 1, 0xf, 0, 0, 1, 1, 0 }

/*
 * Slots: null, kernel code, kernel data, user code, user data, then a
 * 16-byte TSS descriptor (two slots) for each CPU.
 */
struct Segdesc gdt[5 + 2 * NCPU] = {
	[0] = { 0 },
	[GD_KT >> 3] = SEG_CODE64(0),
	[GD_KD >> 3] = SEG_DATA(0),
	[GD_UT >> 3] = SEG_CODE64(3),
	[GD_UD >> 3] = SEG_DATA(3),
};

struct Pseudodesc gdt_pd = {
	sizeof(gdt) - 1, (uint64_t) gdt
};

/* The selector of CPU i's TSS. */
static uint16_t
tss_selector(int i)
{
	return GD_TSS0 + 16 * i;
}

/* Fill CPU i's 16-byte TSS descriptor. */
static void
set_tss_descriptor(int i, struct Taskstate *ts)
{
	struct SystemSegdesc64 *d = (struct SystemSegdesc64 *) &gdt[tss_selector(i) >> 3];
	uint64_t base = (uint64_t) ts, limit = sizeof(struct Taskstate) - 1;

	d->sd_lim_15_0 = limit & 0xffff;
	d->sd_base_15_0 = base & 0xffff;
	d->sd_base_23_16 = (base >> 16) & 0xff;
	d->sd_type = STS_T64A;
	d->sd_s = 0;
	d->sd_dpl = 0;
	d->sd_p = 1;
	d->sd_lim_19_16 = (limit >> 16) & 0xf;
	d->sd_avl = 0;
	d->sd_rsv1 = 0;
	d->sd_g = 0;
	d->sd_base_31_24 = (base >> 24) & 0xff;
	d->sd_base_63_32 = base >> 32;
	d->sd_res = 0;
}

/*
 * Load this CPU's GDT, segment registers, TSS (with its kernel stack
 * top) and the IDT.  Runs on every CPU at start-up.
 */
void
percpu_init(void)
{
	int i = cpunum();
	struct Taskstate *ts = &cpus[i].cpu_ts;

	lgdt(&gdt_pd);
	asm volatile("movw %%ax, %%ds; movw %%ax, %%es; movw %%ax, %%ss"
		     : : "a" (GD_KD));
	asm volatile("movw %%ax, %%fs; movw %%ax, %%gs" : : "a" (GD_UD | 3));
	// Reload CS with a far return.
	asm volatile("movabsq $1f, %%rax\n\t"
		     "pushq %0\n\t"
		     "pushq %%rax\n\t"
		     "lretq\n"
		     "1:" : : "i" (GD_KT) : "rax", "memory");
	lldt(0);

	ts->ts_rsp0 = KSTACKTOP - i * (KSTKSIZE + KSTKGAP);
	ts->ts_iomb = sizeof(struct Taskstate);	// no I/O permission bitmap
	set_tss_descriptor(i, ts);
	ltr(tss_selector(i));

	lidt(&idt_pd);

	// The x87 unit as FNINIT leaves it, every exception masked: from
	// power-up its control word unmasks them all, and host programs
	// share the unit (no FPU state per env), so on a CPU nobody set up
	// the first inexact x87 result would be a #MF in a user program.
	asm volatile("fninit");
}
