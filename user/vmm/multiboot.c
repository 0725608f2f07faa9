/*
 * Multiboot v1 (the pure part, user/vmm/multiboot.h): finding and
 * checking a kernel's multiboot header, working out its segments from
 * the a.out-kludge addresses or its ELF32/ELF64 program headers, and
 * writing the information block.  Built for vmm and for the host tests,
 * so it uses no library: every byte of the file comes through the
 * caller's read function and every check names what is wrong.
 */
#include <user/vmm/multiboot.h>

#define E_BAD	(-1)		// any refusal: *why says which

#define ELF_MAGIC_LE	0x464C457FU	// "\x7FELF"
#define EM_386		3
#define EM_X86_64	62
#define PT_LOAD		1
#define MB_MAX_PHNUM	64

// The guest's low memory as a PC has it.
#define LOW_RAM_END	0x9FC00		// 639 KiB, then the EBDA
#define BIOS_START	0xF0000
#define E820_RAM_TYPE	1
#define E820_RES_TYPE	2

static uint32_t
get32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t) p[3] << 24;
}

static uint64_t
get64(const uint8_t *p)
{
	return get32(p) | (uint64_t) get32(p + 4) << 32;
}

static uint16_t
get16(const uint8_t *p)
{
	return p[0] | p[1] << 8;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

static void
put64(uint8_t *p, uint64_t v)
{
	put32(p, v);
	put32(p + 4, v >> 32);
}

/* Refuse with reason: E_BAD, *why = reason. */
static int
refuse(const char **why, const char *reason)
{
	*why = reason;
	return E_BAD;
}

/*
 * Add segment (file offset, filesz, paddr, memsz) to k after checking
 * that it lies in the file and in guest memory above 1 MiB, and that it
 * shares no page with another segment.  0 or E_BAD.
 */
static int
add_segment(struct mb_kernel *k, uint64_t offset, uint64_t filesz, uint64_t paddr,
	    uint64_t memsz, uint64_t file_size, uint64_t mem_size, const char **why)
{
	uint64_t first, last;

	if (memsz == 0)
		return 0;
	if (filesz > memsz)
		return refuse(why, "a segment is larger in the file than in memory");
	if (offset > file_size || filesz > file_size - offset)
		return refuse(why, "a segment lies beyond the end of the file");
	if (paddr < MB_LOW_LIMIT)
		return refuse(why, "a segment loads below 1 MiB");
	if (paddr >= mem_size || memsz > mem_size - paddr)
		return refuse(why, "a segment does not fit in the guest's memory");
	if (k->nsegs == MB_MAX_SEGS)
		return refuse(why, "too many segments");
	first = paddr >> 12;
	last = (paddr + memsz - 1) >> 12;
	for (int i = 0; i < k->nsegs; i++) {
		uint64_t f = k->seg[i].paddr >> 12;
		uint64_t l = (k->seg[i].paddr + k->seg[i].memsz - 1) >> 12;
		if (first <= l && f <= last)
			return refuse(why, "two segments share a page");
	}
	k->seg[k->nsegs++] = (struct mb_segment) { offset, filesz, paddr, memsz };
	if (paddr + memsz > k->end)
		k->end = paddr + memsz;
	return 0;
}

/* Whether entry lies inside one of k's segments. */
static bool
entry_loaded(const struct mb_kernel *k)
{
	for (int i = 0; i < k->nsegs; i++)
		if (k->entry >= k->seg[i].paddr && k->entry - k->seg[i].paddr < k->seg[i].memsz)
			return true;
	return false;
}

/*
 * The a.out kludge: the header at file offset h (hdr, its 32 bytes)
 * says where the file goes.  0 or E_BAD.
 */
static int
parse_aout(const uint8_t *hdr, uint32_t h, uint64_t file_size, uint64_t mem_size,
	   struct mb_kernel *k, const char **why)
{
	uint32_t header_addr = get32(hdr + 12), load_addr = get32(hdr + 16);
	uint32_t load_end = get32(hdr + 20), bss_end = get32(hdr + 24);
	uint64_t offset, filesz, memsz;

	if (header_addr < load_addr || header_addr - load_addr > h)
		return refuse(why, "the header's load address is after the header");
	offset = h - (header_addr - load_addr);
	if (load_end == 0)
		filesz = file_size - offset;
	else if (load_end < load_addr)
		return refuse(why, "the header's load end is before its load address");
	else
		filesz = load_end - load_addr;
	memsz = filesz;
	if (bss_end != 0) {
		if (bss_end < load_addr + filesz)
			return refuse(why, "the header's bss end is before its load end");
		memsz = bss_end - load_addr;
	}
	k->aout = true;
	k->entry = get32(hdr + 28);
	return add_segment(k, offset, filesz, load_addr, memsz, file_size, mem_size, why);
}

/* The ELF32 or ELF64 program headers of the file.  0 or E_BAD. */
static int
parse_elf(mb_read_fn read, void *arg, uint64_t file_size, uint64_t mem_size,
	  struct mb_kernel *k, const char **why)
{
	uint8_t eh[64], ph[56];
	bool is64;
	uint64_t phoff, entry;
	uint16_t phentsize, phnum;

	if (file_size < 52 || read(arg, 0, eh, file_size < 64 ? 52 : 64) < 0)
		return refuse(why, "too short for an ELF header");
	if (get32(eh) != ELF_MAGIC_LE)
		return refuse(why, "neither ELF nor a.out-kludge addresses in the header");
	if (eh[5] != 1)
		return refuse(why, "not a little-endian ELF file");
	if (eh[4] == 1 && get16(eh + 18) == EM_386)
		is64 = false;
	else if (eh[4] == 2 && get16(eh + 18) == EM_X86_64 && file_size >= 64)
		is64 = true;
	else
		return refuse(why, "not an ELF32 i386 or ELF64 x86-64 file");
	if (get16(eh + 16) != 2)
		return refuse(why, "not an executable ELF file");
	entry = is64 ? get64(eh + 24) : get32(eh + 24);
	phoff = is64 ? get64(eh + 32) : get32(eh + 28);
	phentsize = get16(eh + (is64 ? 54 : 42));
	phnum = get16(eh + (is64 ? 56 : 44));
	if (entry > 0xFFFFFFFFULL)
		return refuse(why, "the entry point is above 4 GiB");
	if (phentsize != (is64 ? 56 : 32) || phnum == 0 || phnum > MB_MAX_PHNUM
	    || phoff > file_size || (uint64_t) phnum * phentsize > file_size - phoff)
		return refuse(why, "bad ELF program header table");
	k->elf_class = is64 ? 64 : 32;
	k->entry = entry;
	for (int i = 0; i < phnum; i++) {
		uint64_t off, filesz, paddr, memsz;
		int r;

		if (read(arg, phoff + (uint64_t) i * phentsize, ph, phentsize) < 0)
			return refuse(why, "bad ELF program header table");
		if (get32(ph) != PT_LOAD)
			continue;
		if (is64) {
			off = get64(ph + 8);
			paddr = get64(ph + 24);
			filesz = get64(ph + 32);
			memsz = get64(ph + 40);
		} else {
			off = get32(ph + 4);
			paddr = get32(ph + 12);
			filesz = get32(ph + 16);
			memsz = get32(ph + 20);
		}
		if ((r = add_segment(k, off, filesz, paddr, memsz, file_size, mem_size, why)) < 0)
			return r;
	}
	return 0;
}

/*
 * Parse the multiboot kernel that read(arg, ...) gives (file_size
 * bytes) for a guest of mem_size bytes: its header (magic, flags and
 * checksum, 4-byte aligned in the first 8 KiB), then its segments from
 * the header's addresses (flag 16) or its ELF program headers.  Fills
 * *k and returns 0; or returns a negative value with *why saying what
 * is wrong (not multiboot, a flag it does not know, segments that do
 * not fit).
 */
int
mb_parse(mb_read_fn read, void *arg, uint64_t file_size, uint64_t mem_size,
	 struct mb_kernel *k, const char **why)
{
	static uint8_t buf[MBH_SEARCH];	// not on the stack: a user stack is one page
	uint8_t *hdr = NULL;
	uint32_t n = file_size < MBH_SEARCH ? file_size : MBH_SEARCH, h;
	int r;

	*k = (struct mb_kernel) { 0 };
	if (n < 12 || read(arg, 0, buf, n) < 0)
		return refuse(why, "too short for a multiboot header");
	for (h = 0; h + 12 <= n; h += 4)
		if (get32(buf + h) == MBH_MAGIC
		    && get32(buf + h) + get32(buf + h + 4) + get32(buf + h + 8) == 0) {
			hdr = buf + h;
			break;
		}
	if (!hdr)
		return refuse(why, "no multiboot header in its first 8192 bytes");
	k->header_offset = h;
	k->flags = get32(hdr + 4);
	if (k->flags & 0xFFFF & ~MBH_KNOWN)
		return refuse(why, "the header asks for a feature this loader lacks");
	if (k->flags & MBH_AOUT) {
		if (h + 32 > n)
			return refuse(why, "the header's address fields are cut off");
		r = parse_aout(hdr, h, file_size, mem_size, k, why);
	} else
		r = parse_elf(read, arg, file_size, mem_size, k, why);
	if (r < 0)
		return r;
	if (k->nsegs == 0)
		return refuse(why, "nothing to load");
	if (!entry_loaded(k))
		return refuse(why, "the entry point is outside the loaded image");
	return 0;
}

// Where mb_build_info puts things in its buffer.
#define INFO_SIZE	120
#define MMAP_OFF	128
#define MMAP_ENTRY	24
#define MMAP_COUNT	4
#define MODS_OFF	(MMAP_OFF + MMAP_ENTRY * MMAP_COUNT)
#define MOD_ENTRY	16
#define STRINGS_OFF	(MODS_OFF + MOD_ENTRY * MB_MAX_MODS)

/* One memory map entry at p: size word 20, base, length, type. */
static void
put_mmap(uint8_t *p, uint64_t base, uint64_t length, uint32_t type)
{
	put32(p, 20);
	put64(p + 4, base);
	put64(p + 12, length);
	put32(p + 20, type);
}

/*
 * Copy string s to buf at *at (len bytes in all), NUL included; its
 * guest-physical address (gpa is buf's) in *addr.  False if no room.
 */
static bool
put_string(uint8_t *buf, uint32_t len, uint32_t *at, uint32_t gpa, const char *s,
	   uint32_t *addr)
{
	uint32_t i = 0;

	do {
		if (*at + i >= len)
			return false;
		buf[*at + i] = s[i];
	} while (s[i++]);
	*addr = gpa + *at;
	*at += i;
	return true;
}

/*
 * Write the multiboot information block for b into buf (len bytes, all
 * written: zeros where nothing goes), which the guest will see at
 * guest-physical gpa: mem_lower/mem_upper, a full memory map, the
 * command line, the modules with their strings, the boot loader's name,
 * and a text-mode screen (80x25 EGA text at 0xB8000) for a kernel that
 * asked for video.  0, or a negative value with *why.
 */
int
mb_build_info(uint8_t *buf, uint32_t len, uint32_t gpa, const struct mb_boot *b,
	      const char **why)
{
	uint32_t flags = MBI_MEM | MBI_MMAP | MBI_FRAMEBUF, at = STRINGS_OFF, addr;
	uint8_t *m;

	if (len < STRINGS_OFF)
		return refuse(why, "no room for the information block");
	if (b->mem_size < 2 * MB_LOW_LIMIT || b->mem_size > 0xFFFFFFFFULL)
		return refuse(why, "guest memory must be 2 MiB to 4 GiB");
	if (b->nmods < 0 || b->nmods > MB_MAX_MODS)
		return refuse(why, "too many modules");
	for (uint32_t i = 0; i < len; i++)
		buf[i] = 0;

	put32(buf + 4, LOW_RAM_END / 1024);
	put32(buf + 8, (b->mem_size - MB_LOW_LIMIT) / 1024);
	put32(buf + 12, 0xFFFFFFFF);		// no BIOS boot device
	m = buf + MMAP_OFF;
	put_mmap(m, 0, LOW_RAM_END, E820_RAM_TYPE);
	put_mmap(m + MMAP_ENTRY, LOW_RAM_END, 0xA0000 - LOW_RAM_END, E820_RES_TYPE);
	put_mmap(m + 2 * MMAP_ENTRY, BIOS_START, MB_LOW_LIMIT - BIOS_START, E820_RES_TYPE);
	put_mmap(m + 3 * MMAP_ENTRY, MB_LOW_LIMIT, b->mem_size - MB_LOW_LIMIT, E820_RAM_TYPE);
	put32(buf + 44, MMAP_ENTRY * MMAP_COUNT);
	put32(buf + 48, gpa + MMAP_OFF);

	if (b->cmdline) {
		if (!put_string(buf, len, &at, gpa, b->cmdline, &addr))
			return refuse(why, "the command line is too long");
		put32(buf + 16, addr);
		flags |= MBI_CMDLINE;
	}
	if (b->loader_name) {
		if (!put_string(buf, len, &at, gpa, b->loader_name, &addr))
			return refuse(why, "no room for the boot loader's name");
		put32(buf + 64, addr);
		flags |= MBI_LOADER;
	}
	for (int i = 0; i < b->nmods; i++) {
		uint8_t *e = buf + MODS_OFF + i * MOD_ENTRY;
		if (!put_string(buf, len, &at, gpa, b->mods[i].string ? b->mods[i].string : "",
				&addr))
			return refuse(why, "the module strings are too long");
		put32(e, b->mods[i].start);
		put32(e + 4, b->mods[i].end);
		put32(e + 8, addr);
	}
	if (b->nmods) {
		put32(buf + 20, b->nmods);
		put32(buf + 24, gpa + MODS_OFF);
		flags |= MBI_MODS;
	}
	// The screen: EGA text, 80 columns by 25 rows of 2 bytes.
	put64(buf + 88, 0xB8000);
	put32(buf + 96, 160);
	put32(buf + 100, 80);
	put32(buf + 104, 25);
	buf[108] = 16;
	buf[109] = 2;
	put32(buf, flags);
	return 0;
}
