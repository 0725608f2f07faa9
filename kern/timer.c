/*
 * The timer queue: an env asks to be woken at a TSC deadline (a guest
 * asleep in HLT until its next virtual timer interrupt), and each
 * CPU's timer interrupt, which serves the queue and the scheduler's
 * tick alike.
 *
 * The local APIC's timer runs one-shot, set for the earlier of this
 * CPU's next scheduler tick (every 1/TICK_HZ s) and the queue's
 * earliest deadline, so that a deadline between two ticks is met on
 * time and an idle CPU wakes only when there is something to do.
 * Without a local APIC (the JOS guest kernel) the PIT ticks at TICK_HZ
 * (kern/pit.c), and deadlines are met at the tick after them.
 *
 * The queue is guarded by the kernel lock; its earliest deadline is
 * also read without it (a hint: idle CPUs, the run loop's slice).
 */
#include <inc/x86.h>
#include <inc/assert.h>

#include <kern/env.h>
#include <kern/cpu.h>
#include <kern/sched.h>
#include <kern/lapic.h>
#include <kern/timer.h>
#include <kern/vmmapi.h>

// One request per env at most: who and when, packed at the front.
static struct {
	envid_t env_id;
	uint64_t tsc;
} queue[NENV];
static int nqueued;
static volatile uint64_t earliest;	// the first deadline; 0: none

static uint64_t next_tick[NCPU];	// TSC of each CPU's next tick

// One kernel function called at a deadline (timer_call_at): the
// display's refresh (kern/screenmux.c).
static void (*call_fn)(void);
static uint64_t call_tsc;		// 0: none

/* Recompute earliest after a change to the queue. */
static void
queue_changed(void)
{
	uint64_t first = 0;

	for (int i = 0; i < nqueued; i++)
		if (!first || queue[i].tsc < first)
			first = queue[i].tsc;
	if (call_tsc && (!first || call_tsc < first))
		first = call_tsc;
	earliest = first;
}

/* The slot of env id in the queue, or -1. */
static int
queue_find(envid_t id)
{
	for (int i = 0; i < nqueued; i++)
		if (queue[i].env_id == id)
			return i;
	return -1;
}

/* TSC ticks between two scheduler ticks. */
static uint64_t
tick_period(void)
{
	return MAX(time_tsc_hz() / TICK_HZ, 1UL);
}

/*
 * Set this CPU's timer for the earlier of its next tick, the queue's
 * first deadline and tsc (0: none).  Nothing to set without a local
 * APIC: the PIT ticks on its own.
 */
void
timer_arm_by(uint64_t tsc)
{
	uint64_t at = next_tick[cpunum()], first = earliest, now = read_tsc();

	if (first && first < at)
		at = first;
	if (tsc && tsc < at)
		at = tsc;
	lapic_timer_oneshot(at > now ? at - now : 0);
}

/*
 * This CPU's next tick is a whole period from now (after a guest's turn,
 * during which the timer was quiet, as at boot), and the timer is set.
 */
void
timer_restart_tick(void)
{
	next_tick[cpunum()] = read_tsc() + tick_period();
	timer_arm_by(0);
}

/*
 * Env e becomes runnable (env_wake) at TSC tsc, unless something else
 * wakes it first; replaces e's earlier request.  Kernel lock held.
 */
void
timer_wake_at(struct Env *e, uint64_t tsc)
{
	int i = queue_find(e->env_id);

	if (i < 0) {
		assert(nqueued < NENV);
		i = nqueued++;
	}
	queue[i].env_id = e->env_id;
	queue[i].tsc = tsc;
	queue_changed();
	timer_arm_by(0);
}

/* Env e needs no wake-up any more (it woke otherwise).  Kernel lock held. */
void
timer_cancel(struct Env *e)
{
	int i = queue_find(e->env_id);

	if (i < 0)
		return;
	queue[i] = queue[--nqueued];
	queue_changed();
}

/*
 * Call fn (kernel lock held) at TSC tsc, from the timer interrupt or
 * the run loop's slice end, whichever CPU comes first; tsc 0 calls
 * nothing.  Replaces the earlier call: there is one slot, and one
 * user (the display's refresh), which re-arms it from fn.  A deadline
 * and not an env, so that a guest that runs alone for a long slice
 * still lets it in on time.  Kernel lock held.
 */
void
timer_call_at(void (*fn)(void), uint64_t tsc)
{
	call_fn = fn;
	call_tsc = fn ? tsc : 0;
	queue_changed();
	timer_arm_by(0);
}

/* The queue's first deadline (0: none); a hint without the kernel lock. */
uint64_t
timer_earliest(void)
{
	return earliest;
}

/* Whether a deadline has passed (a hint, without the kernel lock). */
bool
timer_due_hint(void)
{
	uint64_t first = earliest;

	return first && read_tsc() >= first;
}

/*
 * Make the call due (timer_call_at) and wake every env whose deadline
 * has passed and that still sleeps (an env gone, or woken otherwise, is
 * forgotten); the scheduler runs the first of them next.  True if one
 * woke.  Kernel lock held.
 */
bool
timer_expire(void)
{
	uint64_t now = read_tsc();
	bool woke = false;

	if (call_tsc && call_tsc <= now) {
		call_tsc = 0;
		call_fn();	// (which may call timer_call_at again)
	}
	for (int i = 0; i < nqueued; ) {
		struct Env *e = &envs[ENVX(queue[i].env_id)];

		if (queue[i].tsc > now) {
			i++;
			continue;
		}
		if (e->env_id == queue[i].env_id && e->env_status == ENV_NOT_RUNNABLE) {
			e->env_cons_waiting = false;
			env_wake(e);
			if (!woke)
				sched_prefer(e);
			woke = true;
		}
		queue[i] = queue[--nqueued];
	}
	queue_changed();
	return woke;
}

/*
 * This CPU's timer interrupt (kernel lock held): wake the envs due,
 * note the tick if it is due (always, with the PIT's tick), set the
 * timer again.  True if the scheduler should run: the tick came (the
 * running env's slice is over) or an env woke.
 */
bool
timer_interrupt(void)
{
	uint64_t now = read_tsc(), period = tick_period();
	int cpu = cpunum();
	bool woke = timer_expire(), tick = !lapic;

	// A count rounded down may end a hair early: that is the tick too.
	if (now + period / 64 >= next_tick[cpu]) {
		next_tick[cpu] = now + period;
		tick = true;
	}
	timer_arm_by(0);
	return woke || tick;
}
