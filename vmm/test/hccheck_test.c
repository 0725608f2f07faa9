/*
 * Host-side tests of the hypercalls' argument checks (vmm/hccheck.c)
 * and of the memory map HC_MBMAP writes.
 */
#include <inc/mmu.h>
#include <inc/vmm/hypercall.h>
#include <inc/vmm/layout.h>
#include <vmm/hccheck.h>
#include <vmm/test/hosttest.h>

#define MEM	(64UL << 20)

/* Who may make which hypercall. */
static void
test_allowed(void)
{
	for (uint64_t nr = 0; nr < HC_COUNT + 2; nr++)
		CHECK(hc_allowed(nr, 0));
	CHECK(hc_allowed(HC_IPCSEND, 3) && hc_allowed(HC_IPCRECV, 3));
	CHECK(!hc_allowed(HC_MBMAP, 3) && !hc_allowed(HC_POWEROFF, 3));
	CHECK(!hc_allowed(HC_CONSWRITE, 1) && !hc_allowed(HC_TSC_HZ, 3));
	CHECK(!hc_allowed(0x99, 3));
}

/* IPC addresses: a page of guest memory, or none beyond it. */
static void
test_ipc_gpa(void)
{
	bool page;

	CHECK(hc_ipc_gpa_ok(MEM, 0x9000, &page) && page);
	CHECK(hc_ipc_gpa_ok(MEM, GUEST_HIGH_MEM, &page) && page);
	CHECK(!hc_ipc_gpa_ok(MEM, 0x9001, &page));
	CHECK(!hc_ipc_gpa_ok(MEM, GUEST_LOW_MEM_END, &page));
	CHECK(!hc_ipc_gpa_ok(MEM, GUEST_BIOS_HOLE, &page));
	CHECK(!hc_ipc_gpa_ok(MEM, 0xb8000, &page));
	CHECK(!hc_ipc_gpa_ok(MEM, MEM - PGSIZE + 8, &page));
	CHECK(hc_ipc_gpa_ok(MEM, MEM, &page) && !page);
	CHECK(hc_ipc_gpa_ok(MEM, HC_NO_PAGE, &page) && !page);
	CHECK(hc_ipc_gpa_ok(MEM, 0xfee00001, &page) && !page);	// beyond: unchecked
}

/* IPC page permissions. */
static void
test_ipc_perm(void)
{
	CHECK(hc_ipc_perm_ok(PTE_P | PTE_U));
	CHECK(hc_ipc_perm_ok(PTE_P | PTE_U | PTE_W));
	CHECK(hc_ipc_perm_ok(PTE_P | PTE_U | PTE_W | PTE_AVAIL));
	CHECK(!hc_ipc_perm_ok(0));
	CHECK(!hc_ipc_perm_ok(PTE_P | PTE_W));
	CHECK(!hc_ipc_perm_ok(PTE_U | PTE_W));
	CHECK(!hc_ipc_perm_ok(PTE_P | PTE_U | PTE_PS));
	CHECK(!hc_ipc_perm_ok(PTE_P | PTE_U | PTE_NX));
}

/* Console writes: bounded, inside guest memory, no overflow. */
static void
test_conswrite(void)
{
	CHECK(hc_conswrite_ok(MEM, 0x100000, 1));
	CHECK(hc_conswrite_ok(MEM, 0x100000, HC_CONSWRITE_MAX));
	CHECK(hc_conswrite_ok(MEM, MEM - 10, 10));
	CHECK(hc_conswrite_ok(MEM, MEM, 0));
	CHECK(!hc_conswrite_ok(MEM, 0x100000, HC_CONSWRITE_MAX + 1));
	CHECK(!hc_conswrite_ok(MEM, MEM - 10, 11));
	CHECK(!hc_conswrite_ok(MEM, MEM + 1, 0));
	CHECK(!hc_conswrite_ok(MEM, ~0UL - 4, 10));
}

/* The memory map: where it may go, and what it says. */
static void
test_mbmap(void)
{
	struct multiboot_mmap_entry map[HC_E820_ENTRIES];
	struct multiboot_info info;

	CHECK(hc_mbmap_ok(MEM, 0x6000));
	CHECK(hc_mbmap_ok(MEM, 0x6000 + PGSIZE - 52 - 3 * 24));
	CHECK(!hc_mbmap_ok(MEM, 0x6000 + PGSIZE - 52 - 3 * 24 + 4));
	CHECK(!hc_mbmap_ok(MEM, 0x8001));
	CHECK(!hc_mbmap_ok(MEM, MEM));

	hc_mbmap_fill(MEM, 0x6000, &info, map);
	CHECK(info.flags == (MB_FLAG_MEM | MB_FLAG_MMAP));
	CHECK(info.mem_lower == GUEST_LOW_MEM_END / 1024);
	CHECK(info.mem_upper == (MEM - GUEST_HIGH_MEM) / 1024);
	CHECK(info.mmap_length == 3 * 24 && info.mmap_addr == 0x6000 + 52);
	CHECK(map[0].size == 20 && map[0].base == 0 && map[0].length == GUEST_LOW_MEM_END
	      && map[0].type == E820_RAM);
	CHECK(map[1].base == GUEST_LOW_MEM_END && map[1].base + map[1].length == GUEST_HIGH_MEM
	      && map[1].type == E820_RESERVED);
	CHECK(map[2].base == GUEST_HIGH_MEM && map[2].base + map[2].length == MEM
	      && map[2].type == E820_RAM);
}

int
main(void)
{
	test_allowed();
	test_ipc_gpa();
	test_ipc_perm();
	test_conswrite();
	test_mbmap();
	return hosttest_report("hccheck_test");
}
