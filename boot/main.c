/*
 * Second half of the boot sector, in 32-bit protected mode: read the
 * kernel's ELF header from disk 0 (sector 1 on), load each PT_LOAD
 * segment at its physical address, and jump to the kernel's entry with
 * the multiboot magic in EAX and the information block in EBX.
 * Written for size: it must fit with boot.S in 446 bytes.
 */
#include <inc/types.h>
#include <inc/x86.h>
#include <inc/elf.h>
#include <boot/boot.h>

#define SECTSIZE	512
#define ELFHDR		((struct Elf *) 0x10000)	// scratch space

static void readseg(uint32_t pa, uint32_t count, uint32_t offset);

void __attribute__((noreturn))
bootmain(void)
{
	struct Proghdr *ph, *eph;
	struct multiboot_info *mb = (struct multiboot_info *) MB_INFO;
	const char *s;

	readseg((uint32_t) ELFHDR, SECTSIZE * 8, 0);
	if (ELFHDR->e_magic != ELF_MAGIC || ELFHDR->e_elf[0] != ELF_CLASS_64)
		goto bad;

	ph = (struct Proghdr *) ((uint8_t *) ELFHDR + (uint32_t) ELFHDR->e_phoff);
	for (eph = ph + ELFHDR->e_phnum; ph < eph; ph++) {
		if (ph->p_type != ELF_PROG_LOAD)
			continue;
		uint32_t pa = ph->p_pa, filesz = ph->p_filesz;
		readseg(pa, filesz, ph->p_offset);
		// Zero the part of the segment past the file's bytes.
		asm volatile("rep stosb" : : "D" (pa + filesz),
			     "c" ((uint32_t) ph->p_memsz - filesz), "a" (0)
			     : "memory");
	}

	mb->flags = MB_FLAG_CMDLINE | MB_FLAG_MMAP;
	mb->cmdline = BOOT_CMDLINE;
	mb->mmap_addr = MB_MMAP;
	asm volatile("jmp *%0" : : "r" ((uint32_t) ELFHDR->e_entry),
		     "a" (MB_MAGIC), "b" (MB_INFO));
bad:
	// Say so on the serial port, then stop.
	for (s = "bad kernel ELF"; *s; s++)
		outb(0x3F8, *s);
	for (;;)
		asm volatile("hlt");
}

/* Wait until the disk is ready and not busy. */
static void __attribute__((noinline))
waitdisk(void)
{
	while ((inb(0x1F7) & 0xC0) != 0x40)
		;
}

/*
 * Read 'count' bytes at 'offset' of the kernel ELF into physical address
 * pa.  Whole sectors are read, so up to one sector before pa is written too.
 * The ELF starts at disk sector 1, right after the boot sector.
 */
static void
readseg(uint32_t pa, uint32_t count, uint32_t offset)
{
	uint32_t end_pa = pa + count;
	uint32_t sect = offset / SECTSIZE + 1;

	for (pa &= ~(SECTSIZE - 1); pa < end_pa; pa += SECTSIZE, sect++) {
		waitdisk();
		// Ports 0x1F2..0x1F5: sector count 1, then LBA bits 0..23;
		// 0x1F6: LBA mode, disk 0; 0x1F7: READ SECTORS.
		asm volatile("1: outb %%al, %%dx\n\t"
			     "shrl $8, %%eax\n\t"
			     "incw %%dx\n\t"
			     "cmpb $0xF6, %%dl\n\t"
			     "jne 1b\n\t"
			     "movb $0xE0, %%al\n\t"
			     "outb %%al, %%dx\n\t"
			     "incw %%dx\n\t"
			     "movb $0x20, %%al\n\t"
			     "outb %%al, %%dx"
			     : : "a" (sect << 8 | 1), "d" (0x1F2) : "cc");
		waitdisk();
		insl(0x1F0, (void *) pa, SECTSIZE / 4);
	}
}
