/*
 * Host-side test of bzimage.c.  Without arguments: a small synthetic
 * bzImage built here (good, then cut short and corrupted field by field)
 * and a fuzz loop over random corruptions and lengths.  With a file
 * argument (Debian's vmlinuz): the real image's header, then truncated
 * and corrupted copies of it.  Prints one line per check and
 * "bzimage: N checks, 0 failed" at the end; the exit status is 1 if any
 * check failed.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "user/vmm/bzimage.h"

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

static uint64_t rng = 0x9E3779B97F4A7C15ULL;

/* xorshift64: a repeatable sequence, so that a failure can be rerun. */
static uint64_t
next_random(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
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
	}
	printf("bzimage: %d checks, %d failed\n", nchecks, nfailed);
	free(image);
	return nfailed ? 1 : 0;
}
