/*
 * fputest: every guest's FPU registers are its own, and the host's
 * are the host's (vmm/fpu.c).  Two mbtest guests in their "fpu N" mode
 * (guest/mbtest/fpu.c: each fills x87, MXCSR, XMM and, with AVX, YMM
 * with its own pattern, sleeps, exits and checks them after each wake)
 * run while this program, a host program, keeps its own values in the
 * x87 registers (host programs are built without SSE) and checks them
 * around each of its yields, for as long as a guest is there.  Twice:
 * after the second time, the host's free pages must be back where they
 * were (the first fills the file server's cache and open-file pages).
 */
#include <inc/lib.h>
#include <inc/vmm/guest_info.h>
#include <inc/vmm/tinyguest.h>

#define NREGS		8
#define MAXGUESTS	16

static int32_t want[NREGS], got[NREGS];

/* Fill st0-7 with want[] (st0 is want[7]). */
static void
x87_fill(void)
{
	asm volatile("fninit\n\t"
		     "fildl 0(%0)\n\tfildl 4(%0)\n\tfildl 8(%0)\n\tfildl 12(%0)\n\t"
		     "fildl 16(%0)\n\tfildl 20(%0)\n\tfildl 24(%0)\n\tfildl 28(%0)"
		     : : "r" (want) : "memory");
}

/* Pop st0-7 into got[], in the order x87_fill pushed them. */
static void
x87_drain(void)
{
	asm volatile("fistpl 28(%0)\n\tfistpl 24(%0)\n\tfistpl 20(%0)\n\tfistpl 16(%0)\n\t"
		     "fistpl 12(%0)\n\tfistpl 8(%0)\n\tfistpl 4(%0)\n\tfistpl 0(%0)"
		     : : "r" (got) : "memory");
}

/* How many guests there are now. */
static int
nguests(void)
{
	struct guest_info info[MAXGUESTS];

	return sys_guest_info(info, MAXGUESTS);
}

/* vmm booting mbtest in its fpu mode with pattern n; its env id. */
static envid_t
start_guest(const char *n)
{
	envid_t vmm = spawnl("/bin/vmm", "vmm", "--kernel", "/guests/mbtest", "fpu", n,
			     (char *) NULL);

	if (vmm < 0)
		panic("fputest: spawn vmm: %e", vmm);
	return vmm;
}

/* The CPU this env runs on (as the kernel last set it). */
static int
cpu(void)
{
	return ((volatile const struct Env *) thisenv)->env_cpunum;
}

/*
 * The host program's part: fill, yield, check, while guests run.
 * Rounds in which the host kernel moved this env to another CPU are
 * not checked: it keeps no FPU state per env (as in JOS), so the
 * registers there are that CPU's.  Returns the rounds checked, or -1
 * after a line saying what was wrong.
 */
static int
hog(int *moved)
{
	unsigned deadline = sys_time_msec() + 60000;
	int rounds = 0, c[4];

	*moved = 0;
	while (nguests() < 2 && sys_time_msec() < deadline)
		sys_yield();
	while (nguests() > 0 && sys_time_msec() < deadline) {
		for (int i = 0; i < NREGS; i++)
			want[i] = -(rounds * 100 + i * 7 + 3);
		c[0] = cpu();
		x87_fill();
		c[1] = cpu();
		sys_yield();
		c[2] = cpu();
		x87_drain();
		c[3] = cpu();
		if (c[0] != c[1] || c[1] != c[2] || c[2] != c[3]) {
			(*moved)++;
			continue;
		}
		rounds++;
		for (int i = 0; i < NREGS; i++)
			if (got[i] != want[i]) {
				cprintf("fputest: round %d: st(%d) is %d, want %d: host registers CORRUPTED\n",
					rounds, NREGS - 1 - i, got[i], want[i]);
				return -1;
			}
	}
	return rounds;
}

/*
 * One round: guests with patterns n1 and n2 beside this program's
 * x87 work, until both are gone.  Returns the host's free pages
 * after it less before it.
 */
static int64_t
run_round(const char *n1, const char *n2)
{
	int64_t before = sys_free_pages();
	envid_t a = start_guest(n1), b = start_guest(n2);
	int moved, rounds;

	rounds = hog(&moved);

	wait(a);
	wait(b);
	if (rounds >= 0)
		cprintf("fputest: host x87 registers intact after %d rounds beside guests %s and %s "
			"(%d more moved between CPUs)\n", rounds, n1, n2, moved);
	return sys_free_pages() - before;
}

void
umain(int argc, char **argv)
{
	int64_t lost;

	binaryname = "fputest";
	tinyguest_begin("fputest");
	if (!tinyguest_supported())	// the first guest's one-time costs, not counted
		return;
	// The first round also fills the file server's block cache and
	// open-file pages; the second must give every page back.
	run_round("1", "2");
	lost = -run_round("3", "4");
	cprintf("fputest: second round: %ld pages not given back\n", (long) lost);
}
