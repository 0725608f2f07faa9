/*
 * Host-side tests of the guest page walk (vmm/gdb/walk.c): long mode
 * with 4 KiB, 2 MiB and 1 GiB pages, PAE, 32-bit paging with and
 * without 4 MiB pages, paging off, and entries that are not present.
 * The guest's physical memory is a 64 KiB array.
 */
#include <inc/string.h>
#include <vmm/gdb/walk.h>
#include <vmm/test/hosttest.h>

static uint8_t phys[65536];

static int
read_phys(void *arg, uint64_t gpa, int size, uint64_t *value)
{
	if (gpa + size > sizeof(phys))
		return -1;
	*value = 0;
	memcpy(value, phys + gpa, size);
	return 0;
}

static void
put64(uint64_t gpa, uint64_t v)
{
	memcpy(phys + gpa, &v, 8);
}

static void
put32(uint64_t gpa, uint32_t v)
{
	memcpy(phys + gpa, &v, 4);
}

static bool
translates(const struct walk_mode *m, uint64_t va, uint64_t want)
{
	uint64_t gpa = ~0ULL;

	return walk_translate(m, va, read_phys, NULL, &gpa) == 0 && gpa == want;
}

static bool
faults(const struct walk_mode *m, uint64_t va)
{
	uint64_t gpa;

	return walk_translate(m, va, read_phys, NULL, &gpa) < 0;
}

#define P	1
#define W	2
#define PS	0x80

/* Long mode: PML4 at 0x1000, PDPT 0x2000, PD 0x3000, PT 0x4000. */
static void
test_long_mode(void)
{
	struct walk_mode m = { 0x80000001, 0x1000, 0x20, 0x500 };	// PG|PE, PAE, LME|LMA
	uint64_t va = 0x8004123456ULL;	// PML4 1, PDPT 0, PD 32, PT 0x123

	memset(phys, 0, sizeof(phys));
	put64(0x1000 + 1 * 8, 0x2000 | P | W);
	put64(0x2000 + 0 * 8, 0x3000 | P | W);
	put64(0x3000 + 32 * 8, 0x4000 | P | W);
	put64(0x4000 + 0x123 * 8, 0x7000 | P);
	CHECK(translates(&m, va, 0x7456));
	// A 2 MiB page in PD entry 33, a 1 GiB page in PDPT entry 1.
	put64(0x3000 + 33 * 8, 0x40000000ULL | PS | P);
	CHECK(translates(&m, 0x8004212345ULL, 0x40012345ULL));
	put64(0x2000 + 1 * 8, 0x80000000ULL | PS | P);
	CHECK(translates(&m, 0x8047654321ULL, 0x87654321ULL));
	// Not present at each level.
	CHECK(faults(&m, 0x0000123456ULL));		// PML4 entry 0
	CHECK(faults(&m, 0x8084123456ULL));		// PDPT entry 2
	CHECK(faults(&m, 0x8004423456ULL));		// PD entry 34
	CHECK(faults(&m, 0x8004124456ULL));		// PT entry 0x124
	// A table beyond guest memory cannot be read.
	put64(0x4000 + 0x125 * 8, 0x7000 | P);
	put64(0x3000 + 35 * 8, 0x100000000ULL | P);
	CHECK(faults(&m, 0x8004600000ULL));
	// Paging off: the address itself.
	m.cr0 = 1;
	CHECK(translates(&m, 0x12345, 0x12345));
}

/* PAE: a 4-entry table at 0x1020, PD 0x3000, PT 0x4000. */
static void
test_pae(void)
{
	struct walk_mode m = { 0x80000001, 0x1020, 0x20, 0 };

	memset(phys, 0, sizeof(phys));
	put64(0x1020 + 3 * 8, 0x3000 | P);		// 0xC0000000 and up
	put64(0x3000 + 1 * 8, 0x4000 | P);
	put64(0x4000 + 2 * 8, 0x9000 | P);
	CHECK(translates(&m, 0xC0202abcULL, 0x9abc));
	put64(0x3000 + 2 * 8, 0x600000 | PS | P);	// a 2 MiB page
	CHECK(translates(&m, 0xC0412345ULL, 0x612345));
	CHECK(faults(&m, 0x00001000));
}

/* 32-bit paging: page directory at 0x2000, a page table at 0x5000. */
static void
test_32bit(void)
{
	struct walk_mode m = { 0x80000001, 0x2000, 0, 0 };

	memset(phys, 0, sizeof(phys));
	put32(0x2000 + 0x300 * 4, 0x5000 | P);		// 0xC0000000
	put32(0x5000 + 0x10 * 4, 0x8000 | P);
	CHECK(translates(&m, 0xC0010123, 0x8123));
	put32(0x2000 + 0x301 * 4, 0x00400000 | PS | P);
	CHECK(faults(&m, 0xC0412345));			// PS without CR4.PSE: a table at 4 MiB
	m.cr4 = 0x10;
	CHECK(translates(&m, 0xC0412345, 0x412345));
	CHECK(faults(&m, 0x00000000));
}

int
main(void)
{
	test_long_mode();
	test_pae();
	test_32bit();
	return hosttest_report("walk_test");
}
