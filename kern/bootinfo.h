/* What the boot sector handed over: memory map and command line. */
#ifndef JOS_KERN_BOOTINFO_H
#define JOS_KERN_BOOTINFO_H

#include <inc/types.h>
#include <inc/vmm/e820.h>

#define E820_USABLE	E820_RAM
#define MAX_MEM_RANGES	64

struct mem_range {
	uint64_t base;
	uint64_t length;
	uint32_t type;		// E820_USABLE or another e820 type
};

extern struct mem_range mem_ranges[MAX_MEM_RANGES];
extern int n_mem_ranges;
extern char boot_cmdline[64];

void bootinfo_init(uint32_t magic, physaddr_t info);
// The multiboot block with a memory map, for one at info_pa that has
// none: the same one on a PC (kern/bootinfo_loader.c), one the monitor
// fills in for a guest kernel (guest/pv_bootinfo.c).
physaddr_t bootinfo_memory_map(physaddr_t info_pa);
const char *cmdline_value(const char *key);
bool cmdline_has(const char *flag);

#endif
