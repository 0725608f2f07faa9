/* The memory map on a PC: the boot loader's own, or none (kern/bootinfo.c). */
#include <kern/bootinfo.h>

/* The boot loader has no other way to describe memory: the same block. */
physaddr_t
bootinfo_memory_map(physaddr_t info_pa)
{
	return info_pa;
}
