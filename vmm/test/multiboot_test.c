/*
 * Host tests of the multiboot v1 parsing and information block
 * (user/vmm/multiboot.c): ELF32, ELF64 and a.out-kludge kernels built
 * in memory, each refusal with its reason, the information block's
 * fields, and a fuzz loop of corrupted headers (fixed seed) after which
 * every accepted kernel must still lie in its file and in guest memory.
 */
#include <vmm/test/hosttest.h>
#include <user/vmm/multiboot.h>

#define MEM	(64ULL << 20)
#define FUZZ_STEPS	200000

static uint8_t file[0x3000];

struct image {
	const uint8_t *p;
	uint64_t size;
};

static int
read_image(void *arg, uint64_t off, void *buf, uint32_t n)
{
	struct image *im = arg;
	uint8_t *b = buf;

	if (off > im->size || n > im->size - off)
		return -1;
	for (uint32_t i = 0; i < n; i++)
		b[i] = im->p[off + i];
	return 0;
}

/* Little-endian stores and loads (the host is x86 too). */
static void w16(uint8_t *p, uint16_t v) { *(uint16_t *) p = v; }
static void w32(uint8_t *p, uint32_t v) { *(uint32_t *) p = v; }
static void w64(uint8_t *p, uint64_t v) { *(uint64_t *) p = v; }
static uint32_t r32(const uint8_t *p) { return *(const uint32_t *) p; }

static void
clear(void)
{
	for (unsigned i = 0; i < sizeof(file); i++)
		file[i] = 0;
}

/* A multiboot header at off with flags (checksum right). */
static void
mb_header(uint32_t off, uint32_t flags)
{
	w32(file + off, MBH_MAGIC);
	w32(file + off + 4, flags);
	w32(file + off + 8, -(MBH_MAGIC + flags));
}

/*
 * An ELF kernel (ELF64 with is64): one segment at 0x100000 from file
 * offset 0x1000, 0x1000 bytes of file and 0x3000 in memory, the
 * multiboot header at 0x1000.  Field offsets as the two classes have them.
 */
static void
make_elf(bool is64)
{
	uint8_t *ph = file + (is64 ? 64 : 52);

	clear();
	w32(file, 0x464C457F);
	file[4] = is64 ? 2 : 1;
	file[5] = 1;
	file[6] = 1;
	w16(file + 16, 2);
	w16(file + 18, is64 ? 62 : 3);
	w64(file + 24, 0x100010);			// entry (ELF32: and phoff 0)
	w32(file + (is64 ? 32 : 28), is64 ? 64 : 52);	// phoff
	w16(file + (is64 ? 54 : 42), is64 ? 56 : 32);	// phentsize
	w16(file + (is64 ? 56 : 44), 1);		// phnum
	w32(ph, 1);					// PT_LOAD
	w32(ph + (is64 ? 8 : 4), 0x1000);		// offset
	w32(ph + (is64 ? 24 : 12), 0x100000);		// paddr
	w32(ph + (is64 ? 32 : 16), 0x1000);		// filesz
	w32(ph + (is64 ? 40 : 20), 0x3000);		// memsz
	mb_header(0x1000, is64 ? MBH_MEMINFO : MBH_PAGE_ALIGN | MBH_MEMINFO);
}

static void make_elf32(void) { make_elf(false); }
static void make_elf64(void) { make_elf(true); }

/* An a.out-kludge kernel: the whole file at 0x200000, header at 0x40. */
static void
make_aout(void)
{
	clear();
	mb_header(0x40, MBH_AOUT | MBH_MEMINFO | MBH_VIDEO);
	w32(file + 0x40 + 12, 0x200040);	// header_addr
	w32(file + 0x40 + 16, 0x200000);	// load_addr
	w32(file + 0x40 + 20, 0);		// load_end: the whole file
	w32(file + 0x40 + 24, 0x210000);	// bss_end
	w32(file + 0x40 + 28, 0x200080);	// entry
}

static int
parse(uint64_t size, uint64_t mem, struct mb_kernel *k, const char **why)
{
	struct image im = { file, size };

	*why = "";
	return mb_parse(read_image, &im, size, mem, k, why);
}

/* Whether parsing file (size bytes) is refused with a reason containing word. */
static bool
refused(uint64_t size, uint64_t mem, const char *word)
{
	struct mb_kernel k;
	const char *why;
	int r = parse(size, mem, &k, &why);

	for (const char *s = why; r < 0 && *s; s++) {
		int i = 0;
		while (word[i] && s[i] == word[i])
			i++;
		if (!word[i])
			return true;
	}
	if (r < 0)
		printf("refused, but for: %s\n", why);
	return false;
}

static void
test_good(void)
{
	struct mb_kernel k;
	const char *why;

	make_elf32();
	CHECK(parse(0x2000, MEM, &k, &why) == 0);
	CHECK(k.header_offset == 0x1000 && k.elf_class == 32 && !k.aout);
	CHECK(k.flags == (MBH_PAGE_ALIGN | MBH_MEMINFO) && k.entry == 0x100010);
	CHECK(k.nsegs == 1 && k.seg[0].offset == 0x1000 && k.seg[0].filesz == 0x1000);
	CHECK(k.seg[0].paddr == 0x100000 && k.seg[0].memsz == 0x3000 && k.end == 0x103000);

	make_elf64();
	CHECK(parse(0x2000, MEM, &k, &why) == 0);
	CHECK(k.elf_class == 64 && k.entry == 0x100010 && k.nsegs == 1);
	CHECK(k.seg[0].paddr == 0x100000 && k.seg[0].memsz == 0x3000);

	make_aout();
	CHECK(parse(0x800, MEM, &k, &why) == 0);
	CHECK(k.aout && k.entry == 0x200080 && k.nsegs == 1);
	CHECK(k.seg[0].offset == 0 && k.seg[0].filesz == 0x800);
	CHECK(k.seg[0].paddr == 0x200000 && k.seg[0].memsz == 0x10000);
	// With a load end: only that much of the file.
	w32(file + 0x40 + 20, 0x200400);
	CHECK(parse(0x800, MEM, &k, &why) == 0 && k.seg[0].filesz == 0x400);
	// The header found at the last place it may be.
	clear();
	make_aout();
	mb_header(0x40, 0);
	mb_header(MBH_SEARCH - 12, MBH_AOUT);
	w32(file + MBH_SEARCH - 12 + 12, 0x200000 + MBH_SEARCH - 12);
	w32(file + MBH_SEARCH - 12 + 16, 0x200000);
	w32(file + MBH_SEARCH - 12 + 28, 0x200000);
	file[0x40 + 8] ^= 1;		// spoil the first header's checksum
	CHECK(parse(0x3000, MEM, &k, &why) < 0);	// its address fields lie past 8 KiB
}

static void
test_refused(void)
{
	make_elf32();
	file[0x1000] ^= 1;
	CHECK(refused(0x2000, MEM, "no multiboot header"));
	make_elf32();
	file[0x1008] ^= 1;		// checksum
	CHECK(refused(0x2000, MEM, "no multiboot header"));
	make_elf32();
	mb_header(0x1002, 0);		// not 4-byte aligned
	file[0x1000] = 0;
	CHECK(refused(0x2000, MEM, "no multiboot header"));
	clear();
	mb_header(MBH_SEARCH, 0);	// beyond the first 8 KiB
	CHECK(refused(0x3000, MEM, "no multiboot header"));
	CHECK(refused(8, MEM, "too short"));
	make_elf32();
	mb_header(0x1000, 1 << 3);
	CHECK(refused(0x2000, MEM, "feature"));
	make_elf32();
	file[0] = 0;
	CHECK(refused(0x2000, MEM, "neither ELF"));
	make_elf32();
	w16(file + 18, 40);		// ARM
	CHECK(refused(0x2000, MEM, "not an ELF32"));
	make_elf32();
	w16(file + 16, 1);		// relocatable
	CHECK(refused(0x2000, MEM, "not an executable"));
	make_elf32();
	w16(file + 44, 1000);
	CHECK(refused(0x2000, MEM, "program header"));
	make_elf32();
	w32(file + 28, 0x1FF0);
	CHECK(refused(0x2000, MEM, "program header"));
	make_elf32();
	CHECK(refused(0x2000, 0x102000, "does not fit"));
	make_elf32();
	w32(file + 52 + 12, 0x8000);
	w32(file + 24, 0x8010);
	CHECK(refused(0x2000, MEM, "below 1 MiB"));
	make_elf32();
	w32(file + 52 + 16, 0x4000);
	CHECK(refused(0x2000, MEM, "larger in the file"));
	make_elf32();
	w32(file + 52 + 4, 0x1800);
	CHECK(refused(0x2000, MEM, "beyond the end of the file"));
	make_elf32();
	w32(file + 24, 0x200000);
	CHECK(refused(0x2000, MEM, "entry point"));
	make_elf32();
	w32(file + 52, 4);		// PT_NOTE only
	CHECK(refused(0x2000, MEM, "nothing to load"));
	make_elf64();
	w64(file + 24, 0x100000000ULL);
	CHECK(refused(0x2000, MEM, "above 4 GiB"));
	// Two segments in one page.
	make_elf32();
	w16(file + 44, 2);
	w32(file + 84, 1);
	w32(file + 84 + 4, 0x1000);
	w32(file + 84 + 12, 0x102800);
	w32(file + 84 + 16, 0x100);
	w32(file + 84 + 20, 0x100);
	CHECK(refused(0x2000, MEM, "share a page"));
	make_aout();
	w32(file + 0x40 + 16, 0x200080);	// load address after the header's
	CHECK(refused(0x800, MEM, "after the header"));
	make_aout();
	w32(file + 0x40 + 12, 0x300000);	// header far past the file start
	CHECK(refused(0x800, MEM, "after the header"));
	make_aout();
	w32(file + 0x40 + 20, 0x1000);
	CHECK(refused(0x800, MEM, "load end"));
	make_aout();
	w32(file + 0x40 + 24, 0x200100);
	CHECK(refused(0x800, MEM, "bss end"));
	make_aout();
	w32(file + 0x40 + 20, 0x200000 + 0x1000);
	w32(file + 0x40 + 24, 0);
	CHECK(refused(0x800, MEM, "beyond the end of the file"));
}

static void
test_info(void)
{
	static uint8_t buf[4096];
	struct mb_module mods[2] = {
		{ 0x400000, 0x400123, "first module" },
		{ 0x401000, 0x402000, NULL },
	};
	struct mb_boot b = { MEM, "console=ttyS0 hello", "JOS vmm", 2, mods };
	const char *why;
	uint32_t gpa = 0x9000, m, s;

	CHECK(mb_build_info(buf, sizeof(buf), gpa, &b, &why) == 0);
	CHECK(r32(buf) == (MBI_MEM | MBI_MMAP | MBI_FRAMEBUF | MBI_CMDLINE | MBI_MODS | MBI_LOADER));
	CHECK(r32(buf + 4) == 639 && r32(buf + 8) == (MEM - 0x100000) / 1024);
	// The command line and loader name, as strings at their addresses.
	s = r32(buf + 16) - gpa;
	CHECK(s < sizeof(buf) && buf[s] == 'c' && buf[s + 18] == 'o' && buf[s + 19] == 0);
	s = r32(buf + 64) - gpa;
	CHECK(s < sizeof(buf) && buf[s] == 'J' && buf[s + 7] == 0);
	// The memory map: four entries ending at the top of memory.
	CHECK(r32(buf + 44) == 96);
	m = r32(buf + 48) - gpa;
	CHECK(r32(buf + m) == 20 && r32(buf + m + 4) == 0 && r32(buf + m + 12) == 0x9FC00
	      && r32(buf + m + 20) == 1);
	CHECK(r32(buf + m + 72 + 4) == 0x100000 && r32(buf + m + 72 + 12) == MEM - 0x100000
	      && r32(buf + m + 72 + 20) == 1);
	CHECK(r32(buf + m + 24 + 20) == 2 && r32(buf + m + 48 + 4) == 0xF0000);
	// The modules, each with its string (empty for none).
	CHECK(r32(buf + 20) == 2);
	m = r32(buf + 24) - gpa;
	CHECK(r32(buf + m) == 0x400000 && r32(buf + m + 4) == 0x400123);
	s = r32(buf + m + 8) - gpa;
	CHECK(buf[s] == 'f' && buf[s + 12] == 0);
	CHECK(r32(buf + m + 16) == 0x401000 && r32(buf + m + 20) == 0x402000);
	s = r32(buf + m + 24) - gpa;
	CHECK(s < sizeof(buf) && buf[s] == 0);
	// Text mode: EGA text at 0xB8000, 80x25.
	CHECK(r32(buf + 88) == 0xB8000 && r32(buf + 100) == 80 && r32(buf + 104) == 25
	      && buf[109] == 2);

	b.nmods = 0;
	b.cmdline = NULL;
	CHECK(mb_build_info(buf, sizeof(buf), gpa, &b, &why) == 0);
	CHECK(!(r32(buf) & (MBI_MODS | MBI_CMDLINE)) && r32(buf + 20) == 0);
	CHECK(mb_build_info(buf, 200, gpa, &b, &why) < 0);
	b.mem_size = 1 << 20;
	CHECK(mb_build_info(buf, sizeof(buf), gpa, &b, &why) < 0);
	b.mem_size = MEM;
	b.nmods = MB_MAX_MODS + 1;
	CHECK(mb_build_info(buf, sizeof(buf), gpa, &b, &why) < 0);
	b.nmods = 0;
	char longline[4096];
	for (unsigned i = 0; i < sizeof(longline) - 1; i++)
		longline[i] = 'x';
	longline[sizeof(longline) - 1] = 0;
	b.cmdline = longline;
	CHECK(mb_build_info(buf, sizeof(buf), gpa, &b, &why) < 0);
}

static uint64_t
next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Corrupt valid kernels at random; what is accepted must still make sense. */
static void
test_fuzz(void)
{
	uint64_t seed = 0x6D62746573740001ULL, bad = 0, accepted = 0;
	struct mb_kernel k;
	const char *why;

	for (int step = 0; step < FUZZ_STEPS; step++) {
		uint64_t size, mem = (next_rand(&seed) % 64 + 1) << 20;
		int kind = step % 3, nflips = next_rand(&seed) % 8 + 1;

		if (kind == 0)
			make_elf32();
		else if (kind == 1)
			make_elf64();
		else
			make_aout();
		// Corrupt the headers most, anywhere else sometimes.
		for (int i = 0; i < nflips; i++) {
			uint64_t r = next_rand(&seed);
			uint32_t at = (r & 1) ? (r >> 8) % 128 : (r & 2) ? 0x1000 + (r >> 8) % 48
				: 0x40 + (r >> 8) % 48;
			file[at] = r >> 32;
		}
		size = (next_rand(&seed) & 3) ? (kind == 2 ? 0x800 : 0x2000)
			: next_rand(&seed) % sizeof(file);
		if (parse(size, mem, &k, &why) < 0) {
			if (!why || !*why)
				bad++;
			continue;
		}
		accepted++;
		if (k.nsegs < 1 || k.nsegs > MB_MAX_SEGS)
			bad++;
		for (int i = 0; i < k.nsegs; i++) {
			struct mb_segment *g = &k.seg[i];
			if (g->filesz > g->memsz || g->offset > size || g->filesz > size - g->offset
			    || g->paddr < MB_LOW_LIMIT || g->paddr + g->memsz > mem
			    || g->paddr + g->memsz > k.end)
				bad++;
		}
	}
	CHECK(bad == 0);
	// The corruptions leave some kernels valid: both outcomes were tried.
	printf("multiboot_test: fuzz: %lu of %d corrupted kernels accepted\n",
	       (unsigned long) accepted, FUZZ_STEPS);
	CHECK(accepted > FUZZ_STEPS / 100 && accepted < FUZZ_STEPS);
}

int
main(void)
{
	test_good();
	test_refused();
	test_info();
	test_fuzz();
	return hosttest_report("multiboot_test");
}
