/*
 * Booting a Linux bzImage, the pure part (user/vmm/linuxboot.c): where
 * the kernel, the initrd, the zero page and the command line go in the
 * guest's memory, and the zero page itself.  No system calls and no
 * library, so that the user-level vmm and host tests build this file.
 */
#ifndef JOS_USER_VMM_LINUXBOOT_H
#define JOS_USER_VMM_LINUXBOOT_H

#include "bzimage.h"

#define LX_ZERO_PAGE_GPA	0x9000	// low memory Linux keeps (its first 64 KiB)
#define LX_CMDLINE_GPA		0xA000	// one page, below the EBDA
#define LX_CMDLINE_MAX		4096	// with the NUL; the kernel's cmdline_size may say less

/* Where each piece goes in a guest. */
struct lx_layout {
	uint64_t mem_size;		// guest memory, bytes from 0
	uint64_t kernel_gpa;		// the protected-mode code (bz->load_address)
	uint64_t kernel_end;		// kernel_gpa + init_size: what it may use
	uint64_t initrd_gpa;		// 0 without an initrd
	uint64_t initrd_size;
	uint32_t zero_page_gpa;
	uint32_t cmdline_gpa;
};

/*
 * The layout for the parsed kernel bz (bzimage_parse said BZ_OK for
 * mem_size) and an initrd of initrd_size bytes (0: none): the initrd at
 * the highest page boundary that leaves it below initrd_addr_max and
 * the end of memory, above what the kernel uses.  0, or -1 with *why.
 */
int	lx_layout(const struct bzimage *bz, uint64_t mem_size, uint64_t initrd_size,
		  struct lx_layout *l, const char **why);

/*
 * Fill zp (LX_ZP_SIZE bytes) as the zero page for the layout l: the
 * setup header as the file has it (header, the file's bytes from 0 up
 * to bz->header_end), an e820 table of the guest's memory, the initrd,
 * the command line's address (cmdline_len bytes without the NUL, at
 * most bz->cmdline_size), type_of_loader 0xFF.  0, or -1 with *why.
 */
int	lx_zero_page(uint8_t *zp, const uint8_t *header, const struct bzimage *bz,
		     const struct lx_layout *l, uint32_t cmdline_len, const char **why);

/*
 * Append " tsc_early_khz=KHZ" (the guest's TSC rate, tsc_hz) to the
 * command line in buf (size bytes) unless it names one already: Linux
 * cannot time its TSC against the PIT when every PIT read is an exit.
 * 0, or -1 if it does not fit (buf unchanged).
 */
int	lx_add_tsc_khz(char *buf, size_t size, uint64_t tsc_hz);

#endif
