/*
 * eptcheck: sys_env_mkguest and sys_ept_map refuse each bad argument
 * with the right error; then (where the CPU has VT-x) a tiny real-mode
 * guest, mapped page by page with sys_ept_map, asks for its memory map
 * in a page this program shares with it, and the map shows up here.
 * Finally every page the guest took is back.
 */
#include <inc/lib.h>
#include <inc/vmx.h>

#define GUEST_SIZE	TINYGUEST_MEM
#define GUEST_SHARED	0x8000			// the page both see
#define CODE_VA		TINYGUEST_CODE_VA
#define SHARED_VA	((void *) (UTEMP + PGSIZE))
#define RO_VA		((void *) (UTEMP + 2 * PGSIZE))
#define DONE_MAGIC	0x5a

/*
 * The guest, for 0x7000: hypercall MBMAP at GUEST_SHARED, keep the
 * result and CPUID.1:ECX near the end of that page, say it is done,
 * halt forever.
 */
extern const char eptcheck_guest[], eptcheck_guest_end[];
asm(".pushsection .rodata\n"
    ".code16\n"
    "eptcheck_guest:\n"
    "	movl	$1, %eax\n"			// VMX_VMCALL_MBMAP
    "	movl	$0x8000, %ebx\n"
    "	vmcall\n"
    "	movl	%eax, 0x8ff0\n"
    "	movl	$1, %eax\n"
    "	cpuid\n"
    "	movl	%ecx, 0x8ff4\n"
    "	movb	$0x5a, 0x8ffc\n"
    "1:	hlt\n"
    "	jmp	1b\n"
    "eptcheck_guest_end:\n"
    ".code64\n"
    ".popsection\n");

static int failures;

/* Check that what a call returned is what it should have. */
static void
expect(int64_t got, int64_t want, const char *what)
{
	if (got != want) {
		cprintf("eptcheck: %s: got %ld (%e), want %ld\n", what, got, (int) got, want);
		failures++;
	}
}

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
	expect(sys_ept_map(0, SHARED_VA, foreign, (void *) 0x9000, __EPTE_FULL),
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

	expect(sys_ept_map(0, SHARED_VA + 1, guest, (void *) 0x9000, __EPTE_FULL), -E_INVAL,
	       "srcva not page-aligned");
	expect(sys_ept_map(0, (void *) UTOP, guest, (void *) 0x9000, __EPTE_READ), -E_INVAL,
	       "srcva at UTOP");
	expect(sys_ept_map(0, (void *) (UTEMP + 8 * PGSIZE), guest, (void *) 0x9000, __EPTE_FULL),
	       -E_INVAL, "srcva not mapped");
	expect(sys_ept_map(0x7ffff000, SHARED_VA, guest, (void *) 0x9000, __EPTE_FULL),
	       -E_BAD_ENV, "no such source env");
	expect(sys_ept_map(0, SHARED_VA, 0x7ffff000, (void *) 0x9000, __EPTE_FULL),
	       -E_BAD_ENV, "no such guest");
	expect(sys_ept_map(0, SHARED_VA, 0, (void *) 0x9000, __EPTE_FULL),
	       -E_BAD_ENV, "guest is not a guest");
	expect(sys_ept_map(0, SHARED_VA, guest, (void *) 0x9001, __EPTE_FULL),
	       -E_INVAL, "guest_pa not page-aligned");
	expect(sys_ept_map(0, SHARED_VA, guest, (void *) GUEST_SIZE, __EPTE_FULL),
	       -E_INVAL, "guest_pa beyond guest memory");
	expect(sys_ept_map(0, SHARED_VA, guest, (void *) -PGSIZE, __EPTE_FULL),
	       -E_INVAL, "guest_pa far beyond guest memory");
	expect(sys_ept_map(0, SHARED_VA, guest, (void *) 0x9000, 0),
	       -E_INVAL, "perm 0");
	expect(sys_ept_map(0, SHARED_VA, guest, (void *) 0x9000, __EPTE_FULL | 0x8),
	       -E_INVAL, "perm with a non-EPT bit");
	expect(sys_ept_map(0, SHARED_VA, guest, (void *) 0x9000, __EPTE_WRITE),
	       -E_INVAL, "perm write without read");
	expect(sys_ept_map(0, RO_VA, guest, (void *) 0x9000, __EPTE_FULL),
	       -E_INVAL, "writable mapping of a read-only page");
	expect(sys_ept_map(0, RO_VA, guest, (void *) 0x9000, __EPTE_READ | __EPTE_EXEC),
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
	volatile uint8_t *shared = SHARED_VA;
	const uint32_t *mb = SHARED_VA;
	const uint8_t *map = (const uint8_t *) SHARED_VA + 52;
	uint64_t base, len;
	unsigned deadline;

	expect(sys_env_set_status(guest, ENV_RUNNABLE), 0, "sys_env_set_status");
	deadline = sys_time_msec() + 5000;
	while (shared[0xffc] != DONE_MAGIC && sys_time_msec() < deadline)
		sys_yield();
	if (shared[0xffc] != DONE_MAGIC) {
		cprintf("eptcheck: the guest never finished\n");
		failures++;
		return;
	}
	expect(*(volatile uint32_t *) (shared + 0xff0), 0, "MBMAP hypercall result");
	expect(mb[0] & (1 << 6), 1 << 6, "multiboot flags: memory map");
	expect(mb[11], 3 * 24, "mmap_length");
	expect(mb[12], GUEST_SHARED + 52, "mmap_addr");
	memmove(&base, map + 4, 8);
	memmove(&len, map + 12, 8);
	expect(base == 0 && len == GUEST_LOW_MEM_END, 1, "e820 low memory");
	memmove(&base, map + 48 + 4, 8);
	memmove(&len, map + 48 + 12, 8);
	expect(base == 0x100000 && len == GUEST_SIZE - 0x100000, 1, "e820 memory above 1 MiB");
	expect(*(volatile uint32_t *) (shared + 0xff4) & (1 << 5), 0, "guest CPUID.1:ECX.VMX");
	if (!failures)
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

	guest = sys_env_mkguest(GUEST_SIZE, GUEST_BOOT_GPA);
	if (guest == -E_NOT_SUPP) {
		cprintf("eptcheck: no guests on this machine: %e\n", guest);
		return;
	}
	if (guest < 0)
		panic("sys_env_mkguest: %e", guest);
	if ((r = sys_page_alloc(0, CODE_VA, PTE_P | PTE_U | PTE_W)) < 0
	    || (r = sys_page_alloc(0, SHARED_VA, PTE_P | PTE_U | PTE_W)) < 0
	    || (r = sys_page_alloc(0, RO_VA, PTE_P | PTE_U)) < 0)
		panic("sys_page_alloc: %e", r);
	memmove(CODE_VA, eptcheck_guest, eptcheck_guest_end - eptcheck_guest);

	// A guest that never runs: the arguments.
	map_guest(guest);
	check_bad_arguments(guest);
	if (failures == 0)
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
	cprintf("eptcheck: %s\n", failures ? "FAILED" : "done");
}
