/* Where the boot sector leaves what it hands to the kernel. */
#ifndef JOS_BOOT_BOOT_H
#define JOS_BOOT_BOOT_H

#include <inc/vmm/multiboot.h>

#define MB_INFO		0x5000		// multiboot information block
#define MB_MMAP		0x5100		// e820 entries, multiboot layout
#define BOOT_CMDLINE	(0x7c00 + 446)	// command line area in this sector
#define BOOT_CMDLINE_SIZE 64

#endif
