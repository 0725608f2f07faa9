/*
 * Multiboot version 1: what a loader hands a kernel (EAX = MB_MAGIC,
 * EBX = the information block).  The boot sector, the guest boot code
 * and the user-level vmm write it, the kernel reads it, and the
 * monitor writes the memory-map part for its guests (HC_MBMAP).  The
 * memory map is a run of e820 entries, each after a size word.
 */
#ifndef JOS_INC_VMM_MULTIBOOT_H
#define JOS_INC_VMM_MULTIBOOT_H

#include <inc/vmm/e820.h>

#define MB_MAGIC	0x2BADB002
#define MB_FLAG_MEM	(1 << 0)	// mem_lower, mem_upper are valid
#define MB_FLAG_CMDLINE	(1 << 2)	// cmdline is valid
#define MB_FLAG_MMAP	(1 << 6)	// mmap_length, mmap_addr are valid

// Byte offsets in the information block, for assembly.
#define MB_INFO_FLAGS		0
#define MB_INFO_CMDLINE		16
#define MB_INFO_MMAP_LENGTH	44
#define MB_INFO_MMAP_ADDR	48
#define MB_INFO_SIZE		52

#ifndef __ASSEMBLER__
#include <inc/types.h>

/* The information block, up to the memory map (all that is used here). */
struct multiboot_info {
	uint32_t flags;
	uint32_t mem_lower, mem_upper;	// KiB below 640 KiB, KiB above 1 MiB
	uint32_t boot_device;
	uint32_t cmdline;		// physical address of the command line
	uint32_t mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;	// bytes and address of the map
};

/* One memory map entry: size counts the bytes after the size field. */
struct multiboot_mmap_entry {
	uint32_t size;			// E820_ENTRY_SIZE
	uint64_t base;
	uint64_t length;
	uint32_t type;			// E820_RAM, E820_RESERVED, ...
} __attribute__((packed));
#endif

#endif
