/*
 * The console's input side, the same on a PC and in a guest kernel:
 * characters the devices deliver (their interrupt handlers or polls)
 * collect in one input ring, which belongs to the host or to one guest.
 * Output and the devices themselves differ: kern/cons_pc.c on a PC,
 * guest/pv_console.c in the guest kernel, linked in its place.
 */
#include <inc/stdio.h>

#include <inc/vmx.h>

#include <kern/console.h>
#include <kern/consdev.h>
#include <kern/sched.h>
#include <kern/screenmux.h>
#include <kern/spinlock.h>

#define INPUT_RING_SIZE 512

static uint8_t input_ring[INPUT_RING_SIZE];
static uint32_t input_head;	// next slot to read
static uint32_t input_tail;	// next slot to fill
static int input_owner;		// who reads it: 0 the host, else a guest's env id
static int input_last_guest;	// the guest that held it last (0: none yet)

/*
 * The output lock.  The kernel prints under the kernel lock, except the
 * monitor's console exits (a guest's COM1 writes and console-write
 * hypercalls, vmm/ports.c), which print without it so that guest output
 * neither waits for the kernel lock nor holds other CPUs off it.  So
 * every print takes this lock too (vcprintf), and a writer takes it
 * around its marker and its text: lines of two writers never mix.  It
 * guards the output side only: the writer bookkeeping (cons_speak_as)
 * and the devices' transmit side; input stays under the kernel lock,
 * and nobody takes the kernel lock while holding this one.  A CPU that
 * holds it may take it again (a warning or panic while printing).
 */
static struct spinlock output_lock = { .name = "console output" };
static int output_depth;	// how often the holder took it

/* Take the output lock (again, if this CPU holds it). */
void
cons_lock(void)
{
	if (holding(&output_lock)) {
		output_depth++;
		return;
	}
	spin_lock(&output_lock);
	output_depth = 1;
}

/* Give back one cons_lock. */
void
cons_unlock(void)
{
	if (--output_depth == 0)
		spin_unlock(&output_lock);
}

/*
 * Drain a device: read_one returns a character, 0 to skip, -1 when
 * empty.  Whoever sleeps waiting for input wakes up when some arrives.
 */
void
cons_input_drain(int (*read_one)(void))
{
	int c, arrived = 0;

	while ((c = read_one()) != -1) {
		if (c == 0)
			continue;
		// The escape takes the console back from a guest (inc/vmx.h);
		// when the host holds it already, it does nothing.
		if (c == GUEST_CONS_ESCAPE) {
			if (input_owner) {
				cons_lock();
				cons_speak_as(CONS_SPEAKER_CONSOLE);	// on a line of its own
				cprintf("console: back to the host (guest %08x keeps running)\n",
					input_owner);
				cons_speak_as(0);
				cons_unlock();
				cons_set_owner(0);
			}
			continue;
		}
		input_ring[input_tail] = c;
		input_tail = (input_tail + 1) % INPUT_RING_SIZE;
		if (input_tail == input_head)	// full: drop the oldest
			input_head = (input_head + 1) % INPUT_RING_SIZE;
		arrived = 1;
	}
	if (arrived)
		sched_wake_cons_waiters(input_owner);
}

/*
 * Give the typed input to owner from now on: a guest's env id, or 0 for
 * the host.  What was typed for the previous owner and not read yet is
 * dropped.  When the host gets it back, whoever waits for a guest wakes
 * up (sys_env_wait): vmm then gives its shell the prompt back.  The
 * host's display follows the owner (kern/screenmux.c, on a PC).
 */
void
cons_set_owner(int owner)
{
	int previous = input_owner;

	input_owner = owner;
	input_head = input_tail;
	if (owner)
		input_last_guest = owner;
	if (previous && owner == 0)
		sched_wake_guest_waiters();
	if (screenmux_update)
		screenmux_update();
}

/* The guest that holds the console input, or held it last; 0 if none did. */
int
cons_last_guest(void)
{
	return input_last_guest;
}

/* Who reads the typed input: 0 for the host, else a guest's env id. */
int
cons_owner(void)
{
	return input_owner;
}

/*
 * The next character typed for owner (0: the host), or 0 when there is
 * none or the input is someone else's; with peek, it stays in the ring.
 * Never blocks.
 */
int
cons_getc_owner(int owner, bool peek)
{
	int c;

	// Whoever asks for input has seen the prompt before it.
	cons_flush();
	// Poll as well, so the monitor gets input with interrupts off.
	cons_poll();
	if (input_owner != owner || input_head == input_tail)
		return 0;
	c = input_ring[input_head];
	if (!peek)
		input_head = (input_head + 1) % INPUT_RING_SIZE;
	return c;
}

/* The next character typed for the host, or 0 when there is none.  Never blocks. */
int
cons_getc(void)
{
	return cons_getc_owner(0, false);
}

/* Wait for a typed character (the kernel monitor). */
int
getchar(void)
{
	int c;

	while ((c = cons_getc()) == 0)
		cons_idle();
	return c;
}

/* The kernel console is always a terminal (readline echoes). */
int
iscons(int fdnum)
{
	return 1;
}
