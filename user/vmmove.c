/*
 * vmmove: guests on a host with two CPUs (or more).  The monitor keeps
 * a guest's state loaded on the CPU that ran it last (on VT-x its VMCS
 * stays active there) until another CPU wants the guest or it dies.
 *   move:  a guest that exits all the time (CPUID in a loop) while two
 *          children of this env keep every CPU busy: preempted again and
 *          again, it must run on more than one CPU and keep counting.
 *   away:  a guest asleep in HLT, last run on another CPU than the one
 *          this env runs on, is stopped from here: the CPU that holds
 *          its state lets it go, and every page comes back.
 * Lines "vmmove: ..."; a failed check says FAILED.
 */
#include <inc/lib.h>
#include <inc/vmx.h>
#include <inc/vmm/tinyguest.h>

#define SHARED_VA	TINYGUEST_SHARED_VA
#define COUNTER		0xfe0	// the move guest counts here
#define HALT_STAGE	0xff0	// the away guest: 1 just before its HLT
#define BUSY_MS		3000	// how long the children keep the CPUs busy

extern const char count_guest[], count_guest_end[];
extern const char sleep_guest[], sleep_guest_end[];
asm(".pushsection .rodata\n"
    ".code16\n"
    "count_guest:\n"
    "1:	movl	$0, %eax\n"
    "	cpuid\n"
    "	incl	" TG_SHARED(COUNTER) "\n"
    "	jmp	1b\n"
    "count_guest_end:\n"

    "sleep_guest:\n"
    "	movb	$1, " TG_SHARED(HALT_STAGE) "\n"
    "1:	hlt\n"
    "	jmp	1b\n"
    "sleep_guest_end:\n"
    ".code64\n"
    ".popsection\n");

/* The CPU env id last ran on (envs[] is read-only for user code). */
static int
cpu_of(envid_t id)
{
	return ((volatile struct Env *) &envs[ENVX(id)])->env_cpunum;
}

/* A child that keeps a CPU busy for BUSY_MS (preempted like any env). */
static envid_t
fork_spinner(void)
{
	envid_t child = fork();
	unsigned until;

	if (child < 0)
		panic("fork: %e", child);
	if (child == 0) {
		until = sys_time_msec() + BUSY_MS;
		while (sys_time_msec() < until)
			;
		exit();
	}
	return child;
}

/*
 * The count guest runs among busy envs for a second: record every CPU
 * it was seen on; it must have moved and kept counting.
 */
static void
test_move(void)
{
	volatile uint32_t *counter = (volatile uint32_t *) (SHARED_VA + COUNTER);
	envid_t guest = tinyguest_start(count_guest, count_guest_end);
	unsigned deadline = sys_time_msec() + 1000;
	uint32_t seen = 0, before;
	int ncpus = 0;

	sys_yield();	// let it start
	before = *counter;
	while (sys_time_msec() < deadline) {
		seen |= 1U << cpu_of(guest);
		sys_yield();
	}
	for (uint32_t m = seen; m; m &= m - 1)
		ncpus++;
	if (ncpus < 2 || *counter == before) {
		cprintf("vmmove: the busy guest ran on %d CPU(s) and counted %u (FAILED)\n",
			ncpus, *counter - before);
		expect_failures++;
	} else
		cprintf("vmmove: the busy guest ran on %d CPUs and kept counting\n", ncpus);
	sys_env_destroy(guest);
	wait(guest);
}

/*
 * The sleep guest halts with nothing to wake it (not runnable); this env
 * yields until it runs on another CPU than the guest last did, then
 * stops the guest from there.
 */
static void
test_away(void)
{
	envid_t guest = tinyguest_start(sleep_guest, sleep_guest_end);
	unsigned deadline = sys_time_msec() + 2000;
	struct guest_info gi;
	int gcpu, here;

	expect(tinyguest_wait_halted(guest, 2000, &gi), 1, "sleep guest sleeps in HLT");
	gcpu = cpu_of(guest);
	while (cpu_of(thisenv->env_id) == gcpu && sys_time_msec() < deadline)
		sys_yield();
	here = cpu_of(thisenv->env_id);
	sys_guest_stop(guest);
	wait(guest);
	if (here == gcpu) {
		cprintf("vmmove: never ran on another CPU than the guest's (FAILED)\n");
		expect_failures++;
	} else
		cprintf("vmmove: the guest that slept on CPU %d stopped from CPU %d\n", gcpu, here);
}

/*
 * Pages a CPU frees when it next schedules (the away guest's, the VMXON
 * regions) come back soon: wait up to a second for the count to be
 * before again.
 */
static int64_t
free_pages_settled(int64_t before)
{
	unsigned deadline = sys_time_msec() + 1000;
	int64_t now;

	while ((now = sys_free_pages()) != before && sys_time_msec() < deadline)
		sys_yield();
	return now;
}

void
umain(int argc, char **argv)
{
	envid_t a, b;
	int64_t before, after;

	tinyguest_begin("vmmove");
	if (!tinyguest_supported())
		return;
	// The first fork gives this env its exception stack: fork once
	// before counting, so that the page is not counted against the guests.
	if ((a = fork()) == 0)
		exit();
	wait(a);
	before = sys_free_pages();
	a = fork_spinner();
	b = fork_spinner();
	test_move();
	test_away();
	wait(a);
	wait(b);
	after = free_pages_settled(before);
	cprintf("vmmove: free pages before %ld after %ld\n", (long) before, (long) after);
	expect_report();
}
