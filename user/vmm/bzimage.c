/*
 * Checking a Linux bzImage's setup header against the boot protocol
 * (Documentation/x86/boot.rst) before a loader copies anything: a
 * truncated, corrupted or too old image is refused with the reason.
 * Pure: it reads only the bytes it is given (through the caller's read
 * function: the user-level vmm reads the file, never all of it), so
 * that vmm and a host-side test with a fuzzer build this same file.
 */

#include "bzimage.h"

/* The little-endian value of n bytes at image + off (the caller checked
 * that they are there). */
static uint64_t
get_le(const uint8_t *image, uint32_t off, int n)
{
	uint64_t v = 0;

	while (n-- > 0)
		v = v << 8 | image[off + n];
	return v;
}

/* What the payload's first bytes say it is compressed with. */
static const char *
payload_format(const uint8_t *p, uint32_t len)
{
	if (len >= 2 && p[0] == 0x1F && p[1] == 0x8B)
		return "gzip";
	if (len >= 4 && p[0] == 0x02 && p[1] == 0x21 && p[2] == 0x4C && p[3] == 0x18)
		return "lz4";
	if (len >= 6 && p[0] == 0xFD && p[1] == '7' && p[2] == 'z' && p[3] == 'X' &&
	    p[4] == 'Z' && p[5] == 0)
		return "xz";
	if (len >= 4 && p[0] == 0x28 && p[1] == 0xB5 && p[2] == 0x2F && p[3] == 0xFD)
		return "zstd";
	if (len >= 3 && p[0] == 'B' && p[1] == 'Z' && p[2] == 'h')
		return "bzip2";
	if (len >= 3 && p[0] == 0x5D && p[1] == 0 && p[2] == 0)
		return "lzma";
	return "unknown";
}

/*
 * Where a kernel that needs init_size bytes goes in guest_mem bytes of
 * memory: at pref_address if it fits there (where the kernel was linked
 * to run), else, for a relocatable kernel, at the lowest multiple of
 * kernel_alignment from 1 MiB that fits.  BZ_OK with *at set, or why not.
 */
static enum bzimage_error
place_kernel(const struct bzimage *bz, uint64_t guest_mem, uint64_t *at)
{
	uint64_t a;

	if (bz->pref_address >= 0x100000 && bz->pref_address <= guest_mem &&
	    bz->init_size <= guest_mem - bz->pref_address) {
		*at = bz->pref_address;
		return BZ_OK;
	}
	if (!bz->relocatable)
		return BZ_NOT_RELOCATABLE;
	a = (0x100000 + (uint64_t) bz->kernel_alignment - 1) &
	    ~((uint64_t) bz->kernel_alignment - 1);
	if (a > guest_mem || bz->init_size > guest_mem - a)
		return BZ_NO_ROOM;
	*at = a;
	return BZ_OK;
}

/* bzimage_read_fn over bytes in memory. */
struct bz_mem {
	const uint8_t *image;
	size_t len;
};

static int
read_mem(void *arg, uint64_t off, void *buf, uint32_t n)
{
	const struct bz_mem *m = arg;
	uint8_t *out = buf;

	if (off > m->len || n > m->len - off)
		return -1;
	for (uint32_t i = 0; i < n; i++)
		out[i] = m->image[off + i];
	return 0;
}

enum bzimage_error
bzimage_parse(const void *image, size_t len, uint64_t guest_mem, struct bzimage *bz)
{
	struct bz_mem m = { image, len };

	return bzimage_parse_read(read_mem, &m, len, guest_mem, bz);
}

enum bzimage_error
bzimage_parse_read(bzimage_read_fn read, void *arg, uint64_t len, uint64_t guest_mem,
		   struct bzimage *bz)
{
	uint8_t image[BZ_HEADER_MIN_END], magic[8];
	uint32_t sects, jump_end, nmagic;

	*bz = (struct bzimage) { .payload_format = "unknown" };
	if (len < BZ_HEADER_MIN_END || read(arg, 0, image, sizeof(image)) < 0)
		return BZ_TOO_SHORT;
	if (get_le(image, BZ_BOOT_FLAG, 2) != 0xAA55)
		return BZ_NO_BOOT_FLAG;
	if (get_le(image, BZ_HEADER, 4) != BZ_HDRS_MAGIC)
		return BZ_NO_HDRS;
	bz->version = get_le(image, BZ_VERSION, 2);
	if (bz->version < BZ_MIN_VERSION)
		return BZ_OLD_PROTOCOL;
	// The jump at 0x200 is "jmp short": its offset byte says where the
	// header ends, which for 2.12 must cover every field read here.
	jump_end = BZ_HEADER + image[BZ_JUMP + 1];
	bz->header_end = jump_end;
	if (jump_end < BZ_HEADER_MIN_END || jump_end > len)
		return BZ_HEADER_CUT;

	bz->setup_sects = image[BZ_SETUP_SECTS];
	sects = bz->setup_sects ? bz->setup_sects : 4;
	bz->kernel_offset = (sects + 1) * 512;
	if (sects > BZ_MAX_SETUP_SECTS || bz->kernel_offset >= len ||
	    bz->kernel_offset < jump_end)
		return BZ_BAD_SETUP_SECTS;
	bz->kernel_size = len - bz->kernel_offset;
	if (len - bz->kernel_offset != (uint64_t) bz->kernel_size)
		return BZ_TRUNCATED;	// over 4 GiB: no kernel is

	bz->loadflags = image[BZ_LOADFLAGS];
	bz->xloadflags = get_le(image, BZ_XLOADFLAGS, 2);
	bz->code32_start = get_le(image, BZ_CODE32_START, 4);
	bz->initrd_addr_max = get_le(image, BZ_INITRD_ADDR_MAX, 4);
	bz->kernel_alignment = get_le(image, BZ_KERNEL_ALIGNMENT, 4);
	bz->relocatable = image[BZ_RELOCATABLE] != 0;
	bz->cmdline_size = get_le(image, BZ_CMDLINE_SIZE, 4);
	bz->payload_offset = get_le(image, BZ_PAYLOAD_OFFSET, 4);
	bz->payload_length = get_le(image, BZ_PAYLOAD_LENGTH, 4);
	bz->pref_address = get_le(image, BZ_PREF_ADDRESS, 8);
	bz->init_size = get_le(image, BZ_INIT_SIZE, 4);
	bz->syssize_bytes = (uint32_t) get_le(image, BZ_SYSSIZE, 4) * 16;

	if (!(bz->loadflags & BZ_LOADED_HIGH))
		return BZ_NOT_LOADED_HIGH;
	// syssize counts the protected-mode code (rounded up to 16 bytes).
	if (get_le(image, BZ_SYSSIZE, 4) > (bz->kernel_size + 15) / 16)
		return BZ_TRUNCATED;
	if (bz->payload_offset > bz->kernel_size ||
	    bz->payload_length > bz->kernel_size - bz->payload_offset ||
	    bz->payload_length == 0)
		return BZ_BAD_PAYLOAD;
	nmagic = bz->payload_length < sizeof(magic) ? bz->payload_length : sizeof(magic);
	if (read(arg, bz->kernel_offset + bz->payload_offset, magic, nmagic) < 0)
		return BZ_TRUNCATED;
	bz->payload_format = payload_format(magic, nmagic);
	if (bz->kernel_alignment < 4096 ||
	    (bz->kernel_alignment & (bz->kernel_alignment - 1)) != 0)
		return BZ_BAD_ALIGNMENT;
	if (bz->init_size < bz->kernel_size)
		return BZ_INIT_SIZE_SMALL;
	if (bz->cmdline_size == 0)
		return BZ_NO_CMDLINE;
	return place_kernel(bz, guest_mem, &bz->load_address);
}

static const char *const error_text[BZ_NERRORS] = {
	[BZ_OK] = "a good bzImage",
	[BZ_TOO_SHORT] = "too short for a setup header",
	[BZ_NO_BOOT_FLAG] = "no 0xAA55 boot flag at 0x1FE",
	[BZ_NO_HDRS] = "no HdrS signature at 0x202: not a bzImage",
	[BZ_OLD_PROTOCOL] = "boot protocol older than 2.12",
	[BZ_HEADER_CUT] = "the setup header is cut short",
	[BZ_BAD_SETUP_SECTS] = "setup_sects out of range",
	[BZ_NOT_LOADED_HIGH] = "not loaded high (a zImage)",
	[BZ_TRUNCATED] = "truncated: syssize says more than the file holds",
	[BZ_BAD_PAYLOAD] = "the payload lies outside the kernel",
	[BZ_BAD_ALIGNMENT] = "kernel_alignment is not a power of two of 4 KiB or more",
	[BZ_INIT_SIZE_SMALL] = "init_size is smaller than the kernel",
	[BZ_NOT_RELOCATABLE] = "not relocatable, and pref_address is outside guest memory",
	[BZ_NO_ROOM] = "no aligned place in guest memory holds init_size",
	[BZ_NO_CMDLINE] = "cmdline_size is 0",
};

const char *
bzimage_error_text(enum bzimage_error err)
{
	if ((unsigned) err >= BZ_NERRORS)
		return "unknown bzimage error";
	return error_text[err];
}
