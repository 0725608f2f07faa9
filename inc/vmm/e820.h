/*
 * The BIOS memory map (INT 15h, EAX=E820h): range types.  The boot
 * sector collects the map, the monitor writes one for each guest, the
 * kernel reads it (kern/bootinfo.c, kern/pmap.c).
 */
#ifndef JOS_INC_VMM_E820_H
#define JOS_INC_VMM_E820_H

#define E820_RAM	1	// usable memory
#define E820_RESERVED	2
#define E820_ENTRY_SIZE	20	// bytes of one entry: base, length, type

#endif
