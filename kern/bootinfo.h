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
const char *cmdline_value(const char *key);
bool cmdline_has(const char *flag);

#endif
