/*
 * The Linux boot protocol's pure part (Documentation/x86/boot.rst,
 * "32-bit boot protocol"): a loader that enters the kernel in 32-bit
 * protected mode skips the real-mode setup code, so it writes the zero
 * page itself: the setup header from the file, with the fields a loader
 * owns filled in, and the memory map the BIOS would have given.
 */
#include "linuxboot.h"
#if __STDC_HOSTED__
#include <string.h>
#else
#include <inc/string.h>
#endif
#include <inc/vmm/linux.h>
#include <inc/vmm/e820.h>
#include <inc/vmm/layout.h>

#define PAGE		4096ULL

static void
put_le(uint8_t *p, uint32_t off, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[off + i] = v >> (8 * i);
}

/* Refuse with reason: -1, *why = reason. */
static int
refuse(const char **why, const char *reason)
{
	*why = reason;
	return -1;
}

int
lx_layout(const struct bzimage *bz, uint64_t mem_size, uint64_t initrd_size,
	  struct lx_layout *l, const char **why)
{
	uint64_t top;

	*l = (struct lx_layout) {
		.mem_size = mem_size,
		.kernel_gpa = bz->load_address,
		.kernel_end = bz->load_address + bz->init_size,
		.zero_page_gpa = LX_ZERO_PAGE_GPA,
		.cmdline_gpa = LX_CMDLINE_GPA,
	};
	if (l->kernel_gpa < GUEST_HIGH_MEM || l->kernel_end > mem_size)
		return refuse(why, "the kernel does not fit in the guest's memory");
	if (initrd_size == 0)
		return 0;
	// initrd_addr_max is the highest address the initrd's last byte may have.
	top = mem_size;
	if ((uint64_t) bz->initrd_addr_max + 1 < top)
		top = (uint64_t) bz->initrd_addr_max + 1;
	if (initrd_size > top || ((top - initrd_size) & ~(PAGE - 1)) < l->kernel_end)
		return refuse(why, "the initrd does not fit between the kernel and "
			      "initrd_addr_max or the end of memory");
	l->initrd_gpa = (top - initrd_size) & ~(PAGE - 1);
	l->initrd_size = initrd_size;
	return 0;
}

/* Whether word (a "key=" prefix) begins one of the words of s. */
static bool
has_word(const char *s, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = s; *p; p++)
		if ((p == s || p[-1] == ' ') && strncmp(p, word, n) == 0)
			return true;
	return false;
}

int
lx_add_tsc_khz(char *buf, size_t size, uint64_t tsc_hz)
{
	char digits[24];
	size_t len = strlen(buf), n = 0, i;
	uint64_t khz = tsc_hz / 1000;
	const char *key = "tsc_early_khz=";

	if (has_word(buf, key) || khz == 0)
		return 0;
	do
		digits[n++] = '0' + khz % 10;
	while ((khz /= 10) && n < sizeof(digits));
	if (len + 1 + strlen(key) + n >= size)
		return -1;
	if (len > 0)
		buf[len++] = ' ';
	memcpy(buf + len, key, strlen(key));
	len += strlen(key);
	for (i = 0; i < n; i++)
		buf[len++] = digits[n - 1 - i];
	buf[len] = '\0';
	return 0;
}

/* Append e820 entry (base, len, type) to the zero page's table. */
static void
add_e820(uint8_t *zp, uint64_t base, uint64_t len, uint32_t type)
{
	uint32_t n = zp[LX_ZP_E820_ENTRIES], off = LX_ZP_E820_TABLE + n * E820_ENTRY_SIZE;

	put_le(zp, off, base, 8);
	put_le(zp, off + 8, len, 8);
	put_le(zp, off + 16, type, 4);
	zp[LX_ZP_E820_ENTRIES] = n + 1;
}

int
lx_zero_page(uint8_t *zp, const uint8_t *header, const struct bzimage *bz,
	     const struct lx_layout *l, uint32_t cmdline_len, const char **why)
{
	uint8_t loadflags;

	if (bz->header_end <= LX_ZP_SETUP_HEADER || bz->header_end > LX_ZP_E820_TABLE)
		return refuse(why, "the setup header runs past its place in the zero page");
	if (cmdline_len > bz->cmdline_size || cmdline_len >= LX_CMDLINE_MAX)
		return refuse(why, "the command line is longer than the kernel takes");
	memset(zp, 0, LX_ZP_SIZE);
	memcpy(zp + LX_ZP_SETUP_HEADER, header + LX_ZP_SETUP_HEADER,
	       bz->header_end - LX_ZP_SETUP_HEADER);

	// The fields a boot loader writes (boot.rst: "write" and "modify").
	zp[LX_ZP_TYPE_OF_LOADER] = LX_LOADER_UNKNOWN;
	loadflags = zp[LX_ZP_LOADFLAGS] & ~LX_LF_CAN_USE_HEAP;	// no real-mode heap
	zp[LX_ZP_LOADFLAGS] = loadflags;
	put_le(zp, LX_ZP_CODE32_START, l->kernel_gpa, 4);
	put_le(zp, LX_ZP_HEAP_END_PTR, 0, 2);
	put_le(zp, LX_ZP_CMD_LINE_PTR, l->cmdline_gpa, 4);
	put_le(zp, LX_ZP_RAMDISK_IMAGE, l->initrd_gpa, 4);
	put_le(zp, LX_ZP_RAMDISK_SIZE, l->initrd_size, 4);
	put_le(zp, LX_ZP_EXT_RAMDISK_IMAGE, l->initrd_gpa >> 32, 4);
	put_le(zp, LX_ZP_EXT_RAMDISK_SIZE, l->initrd_size >> 32, 4);
	put_le(zp, LX_ZP_HARDWARE_SUBARCH, 0, 4);
	put_le(zp, LX_ZP_SETUP_DATA, 0, 8);

	// The guest's memory as a PC BIOS would map it: low memory up to
	// the EBDA, the legacy hole (EBDA, VGA, option and BIOS ROMs)
	// reserved, then everything from 1 MiB to the end.
	add_e820(zp, 0, GUEST_LOW_MEM_END, E820_RAM);
	add_e820(zp, GUEST_LOW_MEM_END, GUEST_HIGH_MEM - GUEST_LOW_MEM_END, E820_RESERVED);
	add_e820(zp, GUEST_HIGH_MEM, l->mem_size - GUEST_HIGH_MEM, E820_RAM);
	return 0;
}
