/*
 * eptcheck: sys_env_mkguest and sys_ept_map refuse each bad argument
 * with the right error; then (where the CPU has VT-x) a tiny real-mode
 * guest, mapped page by page with sys_ept_map, asks for its memory map
 * in a page this program shares with it, and the map shows up here.
 * Finally every page the guest took is back.
 */
#include <inc/lib.h>
#include <inc/vmx.h>
#include <inc/vmm/tinyguest.h>
#include <inc/vmm/multiboot.h>

#define GUEST_SIZE	TINYGUEST_MEM
#define GUEST_SHARED	TINYGUEST_SHARED_GPA	// the page both see
#define CODE_VA		TINYGUEST_CODE_VA
#define SHARED_VA	((void *) TINYGUEST_SHARED_VA)
#define RO_VA		TINYGUEST_SPARE_VA	// read-only here
#define SPARE_GPA	((void *) TINYGUEST_SPARE_GPA)
#define R_MBMAP		0xff0	// the MBMAP hypercall's result
#define R_CPUID1_ECX	0xff4	// CPUID.1:ECX as the guest sees it

/*
 * The guest: hypercall MBMAP at GUEST_SHARED, keep the result and
 * CPUID.1:ECX near the end of that page, say it is done, halt forever.
 */
extern const char eptcheck_guest[], eptcheck_guest_end[];
asm(".pushsection .rodata\n"
    ".code16\n"
    "eptcheck_guest:\n"
    "	movl	$" HC_STR(HC_MBMAP) ", %eax\n"
    "	movl	$" HC_STR(TINYGUEST_SHARED_GPA) ", %ebx\n"
    "	" HC_INSN "\n"
    "	movl	%eax, " TG_SHARED(R_MBMAP) "\n"
    "	movl	$1, %eax\n"
    "	cpuid\n"
    "	movl	%ecx, " TG_SHARED(R_CPUID1_ECX) "\n"
    "	movb	$" HC_STR(TG_DONE_MAGIC) ", " TG_SHARED(TG_DONE) "\n"
    "1:	hlt\n"
    "	jmp	1b\n"
    "eptcheck_guest_end:\n"
    ".code64\n"
    ".popsection\n");

/* A guest made by a child of ours: not ours to map into. */
static void
check_foreign_guest(void)
{
	envid_t child, foreign;

	if ((child = fork()) < 0)
		panic("fork: %e", child);
	if (child == 0) {
		foreign = sys_env_mkguest(GUEST_SIZE, GUEST_BOOT_GPA);
		ipc_send(thisenv->env_parent_id, foreign, NULL, 0);
		ipc_recv(NULL, NULL, NULL);	// keep it until the parent is done
		sys_env_destroy(foreign);
		exit();
	}
	foreign = ipc_recv(NULL, NULL, NULL);
	if (foreign < 0)
		panic("child's sys_env_mkguest: %e", foreign);
	expect(sys_ept_map(0, SHARED_VA, foreign, SPARE_GPA, __EPTE_FULL),
	       -E_BAD_ENV, "guest of another env");
	ipc_send(child, 0, NULL, 0);
	wait(child);
	wait(foreign);
}

/* Every bad argument of sys_env_mkguest and sys_ept_map, one by one. */
static void
check_bad_arguments(envid_t guest)
{
	expect(sys_env_mkguest(0x100000, GUEST_BOOT_GPA), -E_INVAL, "memory of 1 MiB");
	expect(sys_env_mkguest(GUEST_SIZE + 1, GUEST_BOOT_GPA), -E_INVAL, "memory not page-aligned");
	expect(sys_env_mkguest((uint64_t) GUEST_MEM_MAX + PGSIZE, GUEST_BOOT_GPA), -E_INVAL,
	       "memory above the maximum");
	expect(sys_env_mkguest(GUEST_SIZE, 0x100000), -E_INVAL, "start above 1 MiB");

	expect(sys_ept_map(0, SHARED_VA + 1, guest, SPARE_GPA, __EPTE_FULL), -E_INVAL,
	       "srcva not page-aligned");
	expect(sys_ept_map(0, (void *) UTOP, guest, SPARE_GPA, __EPTE_READ), -E_INVAL,
	       "srcva at UTOP");
	expect(sys_ept_map(0, (void *) (UTEMP + 8 * PGSIZE), guest, SPARE_GPA, __EPTE_FULL),
	       -E_INVAL, "srcva not mapped");
	expect(sys_ept_map(0x7ffff000, SHARED_VA, guest, SPARE_GPA, __EPTE_FULL),
	       -E_BAD_ENV, "no such source env");
	expect(sys_ept_map(0, SHARED_VA, 0x7ffff000, SPARE_GPA, __EPTE_FULL),
	       -E_BAD_ENV, "no such guest");
	expect(sys_ept_map(0, SHARED_VA, 0, SPARE_GPA, __EPTE_FULL),
	       -E_BAD_ENV, "guest is not a guest");
	expect(sys_ept_map(0, SHARED_VA, guest, (void *) (TINYGUEST_SPARE_GPA + 1), __EPTE_FULL),
	       -E_INVAL, "guest_pa not page-aligned");
	expect(sys_ept_map(0, SHARED_VA, guest, (void *) GUEST_SIZE, __EPTE_FULL),
	       -E_INVAL, "guest_pa beyond guest memory");
	expect(sys_ept_map(0, SHARED_VA, guest, (void *) -PGSIZE, __EPTE_FULL),
	       -E_INVAL, "guest_pa far beyond guest memory");
	expect(sys_ept_map(0, SHARED_VA, guest, SPARE_GPA, 0),
	       -E_INVAL, "perm 0");
	expect(sys_ept_map(0, SHARED_VA, guest, SPARE_GPA, __EPTE_FULL | 0x8),
	       -E_INVAL, "perm with a non-EPT bit");
	expect(sys_ept_map(0, SHARED_VA, guest, SPARE_GPA, __EPTE_WRITE),
	       -E_INVAL, "perm write without read");
	expect(sys_ept_map(0, RO_VA, guest, SPARE_GPA, __EPTE_FULL),
	       -E_INVAL, "writable mapping of a read-only page");
	expect(sys_ept_map(0, RO_VA, guest, SPARE_GPA, __EPTE_READ | __EPTE_EXEC),
	       0, "read-only mapping of a read-only page");
	check_foreign_guest();
}

/*
 * Run the tiny guest and check what it left in the shared page: the
 * hypercall's result, the multiboot block and e820 map, CPUID without VMX.
 */
static void
check_guest_run(envid_t guest)
{
	const struct multiboot_info *mb = SHARED_VA;
	const struct multiboot_mmap_entry *map = (const void *) (mb + 1);

	expect(sys_env_set_status(guest, ENV_RUNNABLE), 0, "sys_env_set_status");
	if (!tinyguest_wait(TG_DONE, TG_DONE_MAGIC, 5000)) {
		cprintf("eptcheck: the guest never finished\n");
		expect_failures++;
		return;
	}
	expect(tinyguest_result(R_MBMAP), 0, "MBMAP hypercall result");
	expect(mb->flags & MB_FLAG_MMAP, MB_FLAG_MMAP, "multiboot flags: memory map");
	expect(mb->mmap_length, 3 * sizeof(*map), "mmap_length");
	expect(mb->mmap_addr, GUEST_SHARED + sizeof(*mb), "mmap_addr");
	expect_true(map[0].base == 0 && map[0].length == GUEST_LOW_MEM_END
		    && map[0].type == E820_RAM, "e820 low memory");
	expect_true(map[1].base == GUEST_LOW_MEM_END && map[1].type == E820_RESERVED,
		    "e820 BIOS hole reserved");
	expect_true(map[2].base == GUEST_HIGH_MEM && map[2].length == GUEST_SIZE - GUEST_HIGH_MEM
		    && map[2].type == E820_RAM, "e820 memory above 1 MiB");
	expect(tinyguest_result(R_CPUID1_ECX) & CPUID_VMX_BIT, 0, "guest CPUID.1:ECX.VMX");
	if (!expect_failures)
		cprintf("eptcheck: guest read its memory map through the EPT; VMX hidden\n");
}

/* Map the guest's code at GUEST_BOOT_GPA and the shared page into guest. */
static void
map_guest(envid_t guest)
{
	expect(sys_ept_map(0, CODE_VA, guest, (void *) GUEST_BOOT_GPA, __EPTE_READ | __EPTE_EXEC),
	       0, "map the code");
	expect(sys_ept_map(0, SHARED_VA, guest, (void *) GUEST_SHARED, __EPTE_FULL),
	       0, "map the shared page");
}

/*
 * A guest that never runs faces the bad arguments; a second one runs,
 * and the pages must all be back once it is gone.
 */
void
umain(int argc, char **argv)
{
	int64_t free_before, free_after;
	envid_t guest;
	int r;

	tinyguest_begin("eptcheck");
	if (!tinyguest_supported())
		return;
	if ((guest = sys_env_mkguest(GUEST_SIZE, GUEST_BOOT_GPA)) < 0)
		panic("sys_env_mkguest: %e", guest);
	if ((r = sys_page_alloc(0, RO_VA, PTE_P | PTE_U)) < 0)
		panic("sys_page_alloc: %e", r);
	memmove(CODE_VA, eptcheck_guest, eptcheck_guest_end - eptcheck_guest);
	hypercall_fix_sites(CODE_VA, eptcheck_guest, eptcheck_guest_end);	// VMMCALL on AMD

	// A guest that never runs: the arguments.
	map_guest(guest);
	check_bad_arguments(guest);
	if (expect_failures == 0)
		cprintf("eptcheck: all bad arguments refused\n");
	sys_env_destroy(guest);
	wait(guest);

	// A guest that runs: what it sees, and what it leaves behind.
	// (fork left our pages copy-on-write, so read-only: copy the
	// shared one now, for a writable mapping.)
	*(volatile uint8_t *) SHARED_VA = 0;
	free_before = sys_free_pages();
	if ((guest = sys_env_mkguest(GUEST_SIZE, GUEST_BOOT_GPA)) < 0)
		panic("sys_env_mkguest: %e", guest);
	map_guest(guest);
	check_guest_run(guest);
	sys_env_destroy(guest);
	wait(guest);
	free_after = sys_free_pages();
	cprintf("eptcheck: free pages before the guest %ld, after it %ld\n",
		free_before, free_after);
	expect_report();
}
