/*
 * Spin locks.  A CPU that wants a held lock busy-waits for it; a lock
 * must never be taken twice by the same CPU.  Locks do not touch the
 * interrupt flag: the kernel runs with interrupts off.
 */
#include <inc/x86.h>
#include <inc/memlayout.h>
#include <inc/assert.h>
#include <inc/string.h>

#include <kern/cpu.h>
#include <kern/kdebug.h>
#include <kern/spinlock.h>

/*
 * The big kernel lock.  One lock guards all kernel state (envs, pages,
 * the scheduler, the console), so at most one CPU runs kernel code at a
 * time.  The discipline:
 *   - the boot CPU takes it before it starts the other CPUs;
 *   - each application processor takes it in mp_main, before it first
 *     looks at shared state (the scheduler);
 *   - every entry from user mode (trap, interrupt, system call) takes it
 *     in trap() before touching anything;
 *   - it is released in env_run just before env_pop_tf returns to user
 *     mode, and by a CPU that has nothing to run before it halts idle
 *     (sched_halt), so that the CPUs that do have work can go on.
 * Traps from kernel mode do not take it: the trapped code holds it, or
 * is an idle CPU that halts with interrupts on after releasing it.
 */
struct spinlock kernel_lock = {
	.name = "kernel_lock"
};

/* Take the big kernel lock; see above. */
void
lock_kernel(void)
{
	spin_lock(&kernel_lock);
}

/* Release the big kernel lock; the caller holds it. */
void
unlock_kernel(void)
{
	spin_unlock(&kernel_lock);
}

/* Make lk a free lock named name. */
void
spin_initlock(struct spinlock *lk, const char *name)
{
	lk->locked = 0;
	lk->name = name;
	lk->cpu = NULL;
	memset(lk->pcs, 0, sizeof(lk->pcs));
}

/* Whether this CPU holds lk. */
bool
holding(struct spinlock *lk)
{
	return lk->locked && lk->cpu == thiscpu;
}

/*
 * Record the return addresses of the callers of the function whose
 * frame pointer is rbp, innermost first, in pcs[0..n); zeros fill what
 * is left.  Stops at the first frame pointer outside the kernel stacks
 * and image (all of them lie above MMIOLIM).
 */
static void
record_callers(uintptr_t rbp, uintptr_t *pcs, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		if (rbp < MMIOLIM || rbp % 8 != 0)
			break;
		pcs[i] = ((uintptr_t *) rbp)[1];
		rbp = ((uintptr_t *) rbp)[0];
	}
	for (; i < n; i++)
		pcs[i] = 0;
}

/*
 * Take lk, waiting as long as another CPU holds it.  Panics if this CPU
 * holds it already (that wait would never end).
 */
void
spin_lock(struct spinlock *lk)
{
	if (holding(lk))
		panic("CPU %d cannot acquire %s: already holding", cpunum(), lk->name);

	// xchg is atomic and orders the CPU's memory accesses; the empty
	// asm keeps the compiler from moving accesses to the guarded data
	// above it.
	while (xchg(&lk->locked, 1) != 0)
		pause();
	asm volatile("" : : : "memory");

	lk->cpu = thiscpu;
	record_callers(read_rbp(), lk->pcs, sizeof(lk->pcs) / sizeof(lk->pcs[0]));
}

/*
 * Release lk, which this CPU must hold; otherwise print who does and
 * where they took it, and panic.
 */
void
spin_unlock(struct spinlock *lk)
{
	if (!holding(lk)) {
		if (!lk->locked) {
			cprintf("CPU %d cannot release %s: not held\n", cpunum(), lk->name);
			panic("spin_unlock");
		}
		cprintf("CPU %d cannot release %s: held by CPU %d; acquired at:",
			cpunum(), lk->name, lk->cpu ? lk->cpu->cpu_id : -1);
		for (int i = 0; i < 10 && lk->pcs[i]; i++) {
			struct Ripdebuginfo info;
			if (debuginfo_rip(lk->pcs[i], &info) >= 0)
				cprintf("\n  %016lx %s:%d: %.*s+%lx", lk->pcs[i],
					info.rip_file, info.rip_line,
					info.rip_fn_namelen, info.rip_fn_name,
					lk->pcs[i] - info.rip_fn_addr);
			else
				cprintf("\n  %016lx", lk->pcs[i]);
		}
		cprintf("\n");
		panic("spin_unlock");
	}

	lk->pcs[0] = 0;
	lk->cpu = NULL;
	// Everything written under the lock is visible before the lock is
	// seen free: the compiler may not sink stores below the barrier,
	// and xchg does not let the CPU reorder them.
	asm volatile("" : : : "memory");
	xchg(&lk->locked, 0);
}
