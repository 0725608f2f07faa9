/*
 * Host-side test of bzimage.c.  Without arguments: a small synthetic
 * bzImage built here (good, then cut short and corrupted field by field)
 * and a fuzz loop over random corruptions and lengths.  With a file
 * argument (Debian's vmlinuz): the real image's header, then truncated
 * and corrupted copies of it.  Prints one line per check and
 * "bzimage: N checks, 0 failed" at the end; the exit status is 1 if any
 * check failed.  Then the zero page linuxboot.c writes for the image:
 * the layout (kernel, initrd near the top of memory), the setup header
 * copied, the loader's fields and the e820 table, refusals, and a
 * fuzz loop over memory and initrd sizes.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "user/vmm/bzimage.h"
#include "user/vmm/test/testrand.h"
#include "user/vmm/linuxboot.h"
#include "inc/vmm/linux.h"

#define MiB (1024 * 1024ULL)

static int nchecks, nfailed;

/* Check that parsing len bytes of image for guest_mem gives want. */
static void
expect(const char *what, const uint8_t *image, size_t len, uint64_t guest_mem,
       enum bzimage_error want)
{
	struct bzimage bz;
	enum bzimage_error got = bzimage_parse(image, len, guest_mem, &bz);

	nchecks++;
	if (got != want)
		nfailed++;
	printf("bzimage: %s: %s%s%s\n", what, bzimage_error_text(got),
	       got == want ? "" : ", FAIL: want ", got == want ? "" : bzimage_error_text(want));
}

static void
put_le(uint8_t *p, uint32_t off, uint64_t v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		p[off + i] = v >> (8 * i);
}

/*
 * A synthetic bzImage of len bytes: 4 setup sectors after the boot
 * sector, protocol 2.15, relocatable, an lz4 payload; what a real one
 * would have in the fields the parser reads.
 */
static uint8_t *
make_synthetic(size_t len)
{
	uint8_t *p = calloc(1, len);
	uint32_t koff = 5 * 512, ksize = len - koff;

	p[BZ_SETUP_SECTS] = 4;
	put_le(p, BZ_SYSSIZE, (ksize + 15) / 16, 4);
	put_le(p, BZ_BOOT_FLAG, 0xAA55, 2);
	p[BZ_JUMP] = 0xEB;
	p[BZ_JUMP + 1] = 0x6A;
	put_le(p, BZ_HEADER, BZ_HDRS_MAGIC, 4);
	put_le(p, BZ_VERSION, 0x020F, 2);
	p[BZ_LOADFLAGS] = BZ_LOADED_HIGH;
	put_le(p, BZ_CODE32_START, 0x100000, 4);
	put_le(p, BZ_INITRD_ADDR_MAX, 0x7FFFFFFF, 4);
	put_le(p, BZ_KERNEL_ALIGNMENT, 0x200000, 4);
	p[BZ_RELOCATABLE] = 1;
	put_le(p, BZ_XLOADFLAGS, BZ_XLF_KERNEL_64, 2);
	put_le(p, BZ_CMDLINE_SIZE, 2047, 4);
	put_le(p, BZ_PAYLOAD_OFFSET, 0x100, 4);
	put_le(p, BZ_PAYLOAD_LENGTH, ksize - 0x200, 4);
	put_le(p, BZ_PREF_ADDRESS, 0x1000000, 8);
	put_le(p, BZ_INIT_SIZE, 4 * MiB, 4);
	memcpy(p + koff + 0x100, "\x02\x21\x4c\x18", 4);
	return p;
}

/* A copy of image with n bytes of v (little-endian) at off. */
static uint8_t *
patched(const uint8_t *image, size_t len, uint32_t off, uint64_t v, int n)
{
	uint8_t *p = malloc(len);

	memcpy(p, image, len);
	put_le(p, off, v, n);
	return p;
}

/* Corruptions of one field each, with the error each must give. */
static void
corruptions(const char *name, const uint8_t *image, size_t len)
{
	static const struct {
		const char *what;
		uint32_t off;
		uint64_t v;
		int n;
		enum bzimage_error want;
	} c[] = {
		{ "boot flag 0x55AA", BZ_BOOT_FLAG, 0x55AA, 2, BZ_NO_BOOT_FLAG },
		{ "HdrS spelt HdrT", BZ_HEADER + 3, 'T', 1, BZ_NO_HDRS },
		{ "protocol 2.11", BZ_VERSION, 0x020B, 2, BZ_OLD_PROTOCOL },
		{ "protocol 1.0", BZ_VERSION, 0x0100, 2, BZ_OLD_PROTOCOL },
		{ "header end 0x240", BZ_JUMP + 1, 0x3E, 1, BZ_HEADER_CUT },
		{ "setup_sects 64", BZ_SETUP_SECTS, 64, 1, BZ_BAD_SETUP_SECTS },
		{ "setup_sects 255", BZ_SETUP_SECTS, 255, 1, BZ_BAD_SETUP_SECTS },
		{ "loadflags 0", BZ_LOADFLAGS, 0, 1, BZ_NOT_LOADED_HIGH },
		{ "syssize 0xFFFFFFFF", BZ_SYSSIZE, 0xFFFFFFFF, 4, BZ_TRUNCATED },
		{ "payload_offset past the end", BZ_PAYLOAD_OFFSET, 0xFFFFFFF0, 4, BZ_BAD_PAYLOAD },
		{ "payload_length past the end", BZ_PAYLOAD_LENGTH, 0xFFFFFFF0, 4, BZ_BAD_PAYLOAD },
		{ "kernel_alignment 0x300000", BZ_KERNEL_ALIGNMENT, 0x300000, 4, BZ_BAD_ALIGNMENT },
		{ "kernel_alignment 0", BZ_KERNEL_ALIGNMENT, 0, 4, BZ_BAD_ALIGNMENT },
		{ "init_size 16", BZ_INIT_SIZE, 16, 4, BZ_INIT_SIZE_SMALL },
		{ "init_size 4 GiB - 1", BZ_INIT_SIZE, 0xFFFFFFFF, 4, BZ_NO_ROOM },
		{ "cmdline_size 0", BZ_CMDLINE_SIZE, 0, 4, BZ_NO_CMDLINE },
	};
	char what[160];
	uint8_t *p, *q;
	size_t i;

	for (i = 0; i < sizeof c / sizeof c[0]; i++) {
		p = patched(image, len, c[i].off, c[i].v, c[i].n);
		snprintf(what, sizeof what, "%s with %s", name, c[i].what);
		expect(what, p, len, 128 * MiB, c[i].want);
		free(p);
	}
	// Not relocatable: pref_address must hold the kernel in guest memory.
	p = patched(image, len, BZ_RELOCATABLE, 0, 1);
	snprintf(what, sizeof what, "%s, not relocatable, in 128 MiB", name);
	expect(what, p, len, 128 * MiB, BZ_OK);
	q = patched(p, len, BZ_PREF_ADDRESS, 0x10000000, 8);
	snprintf(what, sizeof what, "%s, not relocatable, pref_address 256 MiB", name);
	expect(what, q, len, 128 * MiB, BZ_NOT_RELOCATABLE);
	free(q);
	snprintf(what, sizeof what, "%s, not relocatable, in 16 MiB", name);
	expect(what, p, len, 16 * MiB, BZ_NOT_RELOCATABLE);
	free(p);
}

/* Cut copies: each length must be refused, with the reason given. */
static void
truncations(const char *name, const uint8_t *image, size_t len)
{
	struct bzimage bz;
	size_t cut[] = { 0, 1, 0x1F0, 0x200, 0x263 };
	char what[160];
	size_t i;

	bzimage_parse(image, len, 128 * MiB, &bz);
	for (i = 0; i < sizeof cut / sizeof cut[0]; i++) {
		snprintf(what, sizeof what, "%s cut to %zu bytes", name, cut[i]);
		expect(what, image, cut[i], 128 * MiB, BZ_TOO_SHORT);
	}
	snprintf(what, sizeof what, "%s cut to its setup", name);
	expect(what, image, bz.kernel_offset, 128 * MiB, BZ_BAD_SETUP_SECTS);
	snprintf(what, sizeof what, "%s cut to half", name);
	expect(what, image, len / 2, 128 * MiB, BZ_TRUNCATED);
	snprintf(what, sizeof what, "%s without its last 4 KiB", name);
	expect(what, image, len - 4096, 128 * MiB, BZ_TRUNCATED);
}


/*
 * Random corruptions of the header bytes and random lengths; whatever
 * the parser accepts must keep what the loader will rely on.
 */
static void
fuzz(const uint8_t *image, size_t len, int rounds)
{
	uint8_t *p = malloc(len);
	struct bzimage bz;
	int r, k, accepted = 0, broken = 0;
	size_t n;

	memcpy(p, image, len);
	for (r = 0; r < rounds; r++) {
		// Only the header bytes change: put them back each round.
		memcpy(p + 0x1F0, image + 0x1F0, 0x270 - 0x1F0);
		for (k = next_random() % 6; k >= 0; k--)
			p[0x1F0 + next_random() % (0x270 - 0x1F0)] = next_random();
		n = next_random() % 3 ? len : next_random() % (len + 1);
		if (bzimage_parse(p, n, (next_random() % 256) * MiB, &bz) != BZ_OK)
			continue;
		accepted++;
		if (bz.version < BZ_MIN_VERSION || bz.kernel_offset + (size_t) bz.kernel_size != n ||
		    bz.kernel_offset > 32768 || bz.syssize_bytes > bz.kernel_size + 15 ||
		    (bz.kernel_alignment & (bz.kernel_alignment - 1)) ||
		    bz.payload_offset + (uint64_t) bz.payload_length > bz.kernel_size ||
		    bz.init_size < bz.kernel_size || bz.load_address < 0x100000)
			broken++;
	}
	nchecks++;
	if (broken || accepted == 0)
		nfailed++;
	printf("bzimage: fuzz: %d rounds, %d accepted, %d broke an invariant%s\n",
	       rounds, accepted, broken, broken || accepted == 0 ? ": FAIL" : "");
	free(p);
}

/* Print the fields of a good image. */
static void
describe(const char *name, const uint8_t *image, size_t len)
{
	struct bzimage bz;

	if (bzimage_parse(image, len, 128 * MiB, &bz) != BZ_OK)
		return;
	printf("bzimage: %s: protocol %d.%02d, setup_sects %u, kernel %u bytes at %u, "
	       "loadflags %#x, xloadflags %#x, code32_start %#x\n",
	       name, bz.version >> 8, bz.version & 0xFF, bz.setup_sects, bz.kernel_size,
	       bz.kernel_offset, bz.loadflags, bz.xloadflags, bz.code32_start);
	printf("bzimage: %s: %s, kernel_alignment %#x, pref_address %#llx, init_size %#x, "
	       "initrd_addr_max %#x, cmdline_size %u, %s payload of %u bytes; "
	       "load at %#llx in 128 MiB\n",
	       name, bz.relocatable ? "relocatable" : "not relocatable", bz.kernel_alignment,
	       (unsigned long long) bz.pref_address, bz.init_size, bz.initrd_addr_max,
	       bz.cmdline_size, bz.payload_format, bz.payload_length,
	       (unsigned long long) bz.load_address);
}

/* Check cond, counting it; say what when it fails. */
static void
check(bool cond, const char *name, const char *what)
{
	nchecks++;
	if (!cond) {
		nfailed++;
		printf("linuxboot: %s: FAIL: %s\n", name, what);
	}
}

static uint64_t
get_le(const uint8_t *p, uint32_t off, int n)
{
	uint64_t v = 0;

	while (n-- > 0)
		v = v << 8 | p[off + n];
	return v;
}

/* Whether the zero page's e820 entry i is (base, len, type). */
static bool
e820_is(const uint8_t *zp, int i, uint64_t base, uint64_t len, uint32_t type)
{
	uint32_t off = LX_ZP_E820_TABLE + 20 * i;

	return get_le(zp, off, 8) == base && get_le(zp, off + 8, 8) == len &&
	       get_le(zp, off + 16, 4) == type;
}

/*
 * The zero page for image (parsed for 128 MiB) with a 1 MiB initrd:
 * every byte of the setup header as the file has it but the fields
 * the loader owns, and those as the protocol says.
 */
static void
zero_page_checks(const char *name, const uint8_t *image, size_t len)
{
	static uint8_t zp[LX_ZP_SIZE];
	struct bzimage bz;
	struct lx_layout l;
	const char *why = NULL;
	const char *cmdline = "console=ttyS0 quiet";
	char line[64] = "console=ttyS0", small[20] = "console=ttyS0";
	bool same = true;
	uint32_t off;
	int accepted = 0, broken = 0;

	if (bzimage_parse(image, len, 128 * MiB, &bz) != BZ_OK)
		return;
	check(lx_layout(&bz, 128 * MiB, 1 * MiB, &l, &why) == 0, name, "layout in 128 MiB");
	check(l.kernel_gpa == bz.load_address && l.kernel_end == bz.load_address + bz.init_size,
	      name, "the kernel at its load address");
	check(l.initrd_gpa % 4096 == 0 && l.initrd_gpa >= l.kernel_end &&
	      l.initrd_gpa + l.initrd_size <= 128 * MiB && l.initrd_gpa + 1 * MiB + 4096 > 128 * MiB,
	      name, "the initrd on the highest page boundary below the end of memory");
	printf("linuxboot: %s: kernel %#llx-%#llx, initrd %#llx-%#llx in 128 MiB\n", name,
	       (unsigned long long) l.kernel_gpa, (unsigned long long) l.kernel_end,
	       (unsigned long long) l.initrd_gpa,
	       (unsigned long long) (l.initrd_gpa + l.initrd_size));
	check(lx_zero_page(zp, image, &bz, &l, strlen(cmdline), &why) == 0, name, "zero page");
	for (off = LX_ZP_SETUP_HEADER; off < bz.header_end; off++) {
		bool owned = off == LX_ZP_TYPE_OF_LOADER || off == LX_ZP_LOADFLAGS ||
			     (off >= LX_ZP_CODE32_START && off < LX_ZP_CODE32_START + 4) ||
			     (off >= LX_ZP_RAMDISK_IMAGE && off < LX_ZP_RAMDISK_SIZE + 4) ||
			     (off >= LX_ZP_HEAP_END_PTR && off < LX_ZP_HEAP_END_PTR + 2) ||
			     (off >= LX_ZP_CMD_LINE_PTR && off < LX_ZP_CMD_LINE_PTR + 4) ||
			     (off >= LX_ZP_HARDWARE_SUBARCH && off < LX_ZP_HARDWARE_SUBARCH + 4) ||
			     (off >= LX_ZP_SETUP_DATA && off < LX_ZP_SETUP_DATA + 8);
		if (!owned && zp[off] != image[off])
			same = false;
	}
	check(same, name, "the setup header copied from the file");
	check(zp[LX_ZP_SENTINEL] == 0 && get_le(zp, 0, 8) == 0, name, "the rest of the page zero");
	check(zp[LX_ZP_TYPE_OF_LOADER] == 0xFF && !(zp[LX_ZP_LOADFLAGS] & LX_LF_CAN_USE_HEAP) &&
	      (zp[LX_ZP_LOADFLAGS] & BZ_LOADED_HIGH), name, "type_of_loader and loadflags");
	check(get_le(zp, LX_ZP_CMD_LINE_PTR, 4) == LX_CMDLINE_GPA &&
	      get_le(zp, LX_ZP_RAMDISK_IMAGE, 4) == l.initrd_gpa &&
	      get_le(zp, LX_ZP_RAMDISK_SIZE, 4) == 1 * MiB &&
	      get_le(zp, LX_ZP_CODE32_START, 4) == l.kernel_gpa, name,
	      "cmd_line_ptr, ramdisk_image, ramdisk_size, code32_start");
	check(zp[LX_ZP_E820_ENTRIES] == 3 && e820_is(zp, 0, 0, 0x9FC00, 1) &&
	      e820_is(zp, 1, 0x9FC00, 0x100000 - 0x9FC00, 2) &&
	      e820_is(zp, 2, 0x100000, 127 * MiB, 1), name,
	      "e820: low memory, the legacy hole reserved, the rest from 1 MiB");
	printf("linuxboot: %s: zero page: setup header to %#x, type_of_loader 0xff, "
	       "e820 %d entries\n", name, bz.header_end, zp[LX_ZP_E820_ENTRIES]);

	// Refusals, each with its reason.
	check(lx_layout(&bz, 128 * MiB, 127 * MiB, &l, &why) < 0, name, "a 127 MiB initrd refused");
	printf("linuxboot: %s: a 127 MiB initrd in 128 MiB: %s\n", name, why);
	lx_layout(&bz, 128 * MiB, 1 * MiB, &l, &why);
	check(lx_zero_page(zp, image, &bz, &l, bz.cmdline_size + 1, &why) < 0, name,
	      "a command line over cmdline_size refused");
	printf("linuxboot: %s: a command line of %u characters: %s\n", name,
	       bz.cmdline_size + 1, why);

	// tsc_early_khz: added once, never twice, never past the buffer.
	check(lx_add_tsc_khz(line, sizeof line, 2400123456ULL) == 0 &&
	      strcmp(line, "console=ttyS0 tsc_early_khz=2400123") == 0 &&
	      lx_add_tsc_khz(line, sizeof line, 1000000) == 0 &&
	      strcmp(line, "console=ttyS0 tsc_early_khz=2400123") == 0, name,
	      "tsc_early_khz= added once");
	check(lx_add_tsc_khz(small, sizeof small, 2400123456ULL) < 0 &&
	      strcmp(small, "console=ttyS0") == 0, name, "tsc_early_khz= that does not fit");

	// Random memory and initrd sizes: accepted layouts keep every
	// piece inside memory, page aligned, apart from the kernel.
	for (int r = 0; r < 100000; r++) {
		uint64_t mem = (next_random() % 1024 + 1) * MiB;
		uint64_t isize = next_random() % 3 ? next_random() % (64 * MiB) : next_random();
		struct bzimage b = bz;

		if (next_random() % 4 == 0)
			b.initrd_addr_max = next_random();
		if (bzimage_parse(image, len, mem, &b) != BZ_OK ||
		    lx_layout(&b, mem, isize, &l, &why) < 0)
			continue;
		accepted++;
		if (l.kernel_end > mem || (isize && (l.initrd_gpa % 4096 ||
		    l.initrd_gpa < l.kernel_end || l.initrd_gpa + isize > mem ||
		    l.initrd_gpa + isize - 1 > b.initrd_addr_max)))
			broken++;
	}
	check(accepted > 0 && broken == 0, name, "layout fuzz");
	printf("linuxboot: %s: layout fuzz: 100000 rounds, %d accepted, %d broke an invariant\n",
	       name, accepted, broken);
}

/* Read the whole file path into memory; its length in *len. */
static uint8_t *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *p;
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0) {
		perror(path);
		exit(2);
	}
	rewind(f);
	p = malloc(n ? n : 1);
	if (fread(p, 1, n, f) != (size_t) n) {
		fprintf(stderr, "%s: short read\n", path);
		exit(2);
	}
	fclose(f);
	*len = n;
	return p;
}

int
main(int argc, char **argv)
{
	struct bzimage bz;
	const char *name = "synthetic";
	uint8_t *image;
	size_t len;

	if (argc > 2) {
		fprintf(stderr, "usage: %s [BZIMAGE]\n", argv[0]);
		return 2;
	}
	if (argc == 2) {
		name = "vmlinuz";
		image = slurp(argv[1], &len);
	} else {
		len = 64 * 1024;
		image = make_synthetic(len);
	}
	expect(name, image, len, 128 * MiB, BZ_OK);
	describe(name, image, len);
	if (bzimage_parse(image, len, 128 * MiB, &bz) == BZ_OK) {
		char what[160];

		snprintf(what, sizeof what, "%s in 64 MiB", name);
		expect(what, image, len, 64 * MiB, BZ_OK);
		bzimage_parse(image, len, 64 * MiB, &bz);
		printf("bzimage: %s in 64 MiB: load at %#llx\n", name,
		       (unsigned long long) bz.load_address);
		snprintf(what, sizeof what, "%s in 1 MiB", name);
		expect(what, image, len, 1 * MiB, BZ_NO_ROOM);
		truncations(name, image, len);
		corruptions(name, image, len);
		fuzz(image, len, 200000);
		zero_page_checks(name, image, len);
	}
	printf("bzimage: %d checks, %d failed\n", nchecks, nfailed);
	free(image);
	return nfailed ? 1 : 0;
}
