/* Per-CPU state. */
#ifndef JOS_KERN_CPU_H
#define JOS_KERN_CPU_H

#include <inc/types.h>
#include <inc/memlayout.h>
#include <inc/mmu.h>
#include <inc/env.h>

#define NCPU 8

enum {
	CPU_UNUSED = 0,
	CPU_STARTED,
	CPU_HALTED,
};

struct CpuInfo {
	uint8_t cpu_id;			// index into cpus[]
	uint8_t cpu_apic_id;		// local APIC id
	volatile unsigned cpu_status;	// CPU_*
	struct Env *cpu_env;		// the env running here, or NULL
	struct Taskstate cpu_ts;	// holds this CPU's kernel stack top
	uint64_t cpu_ticks;		// timer interrupts taken
};

extern struct CpuInfo cpus[NCPU];
extern int ncpu;			// CPUs found
extern struct CpuInfo *bootcpu;
extern physaddr_t lapicaddr;		// physical MMIO address of the local APIC
extern volatile uint32_t *lapic;	// its kernel mapping, NULL until mapped

// Kernel stacks, one per CPU, mapped at KSTACKTOP - i*(KSTKSIZE+KSTKGAP).
extern unsigned char percpu_kstacks[NCPU][KSTKSIZE];

int cpunum(void);
#define thiscpu (&cpus[cpunum()])

// Finding the CPUs (kern/acpi.c) and starting the others (kern/mp.c).
void mp_init(void);
void boot_aps(void);
void mp_main(void) __attribute__((noreturn));

#endif
