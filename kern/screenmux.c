/*
 * The display follows the console: while a text-screen guest holds the
 * console input, the host's CGA text buffer shows that guest's 80x25
 * screen (its memory at 0xB8000), redrawn SCREEN_HZ times a second;
 * when the console goes back to the host (Ctrl-], vmctl focus 0, the
 * guest's end) or to a serial guest, the host's own screen and cursor
 * return, with what the host printed meanwhile (kern/cga.c kept it).
 * A serial guest's text reaches the display through the console, as
 * before; a guest that has not shown which kind it is yet (it read
 * neither COM1 nor its keyboard) leaves the host's screen up and is
 * looked at again every UNKNOWN_MS.
 *
 * Why here, a kern/ file of its own: the display is the host's device
 * and the console's (kern/cga.c), and the console's owner decides what
 * it shows (kern/console.c), while the monitor only answers two
 * questions through its hooks: what kind of console a guest has
 * (guest_screen_kind) and what its memory holds (guest_read_mem, the
 * accessor sys_guest_read uses).  The JOS guest kernel has no display
 * and does not link this file (guest/Makefrag).
 *
 * The hardware cursor: the virtual PC absorbs the guest's CRTC writes
 * and keeps no cursor, so while a guest's screen is up the cursor is
 * parked past the last cell, where it does not show (screen_lend).
 *
 * Everything here runs with the kernel lock held: the focus changes
 * (cons_set_owner) and the refresh (the timer's call, timer_call_at).
 */
#include <inc/x86.h>
#include <inc/string.h>
#include <inc/vmm/textscreen.h>

#include <kern/env.h>
#include <kern/console.h>
#include <kern/consdev.h>
#include <kern/lapic.h>
#include <kern/screenmux.h>
#include <kern/timer.h>
#include <kern/vmmapi.h>

#define SCREEN_CELLS	(TEXT_SCREEN_COLS * TEXT_SCREEN_ROWS)
#define CELLS_PER_WORD	4		// compared 64 bits at a time: cheap under Bochs
#define SCREEN_WORDS	(SCREEN_CELLS / CELLS_PER_WORD)
#define SCREEN_HZ	20		// refreshes a second: Invaders moves smoothly
#define UNKNOWN_MS	200		// how often an undecided guest is looked at again

static envid_t shown;			// whose screen the display shows; 0: the host's
static volatile uint16_t *display;	// the adapter's text buffer, while lent
static uint64_t cells[SCREEN_WORDS];	// the guest's screen, just read
static uint64_t drawn[SCREEN_WORDS];	// what the display holds since the last draw
static bool drawn_valid;		// drawn describes the display

/* TSC ticks in ms milliseconds. */
static uint64_t
ms_tsc(uint64_t ms)
{
	return time_tsc_hz() / 1000 * ms;
}

/* The host's screen returns to the display (if a guest's was up). */
static void
show_host(void)
{
	if (!shown)
		return;
	cons_lock();
	screen_reclaim();
	cons_unlock();
	shown = 0;
	display = NULL;
}

/*
 * Put guest e's screen on the display, drawing only the cells that
 * changed since the last draw.  A screen outside its memory (a guest
 * smaller than 0xB8000 and the screen) shows as blank.  False if there
 * is no display.
 */
static bool
show_guest(struct Env *e)
{
	if (shown != e->env_id) {
		if (!shown) {
			cons_lock();
			display = screen_lend();
			cons_unlock();
			if (!display)
				return false;
		}
		shown = e->env_id;
		drawn_valid = false;
	}
	if (guest_read_mem(e, TEXT_SCREEN_GPA, cells, sizeof(cells)) < 0)
		memset(cells, 0, sizeof(cells));
	for (int i = 0; i < SCREEN_WORDS; i++) {
		if (drawn_valid && cells[i] == drawn[i])
			continue;
		for (int j = 0; j < CELLS_PER_WORD; j++)
			display[i * CELLS_PER_WORD + j] = cells[i] >> (16 * j);
		drawn[i] = cells[i];
	}
	drawn_valid = true;
	return true;
}

/*
 * Bring the display in line with the console's owner, and say when to
 * look again: soon while a text-screen guest's screen is up, now and
 * then while the owner is a guest that has not said what it is, never
 * otherwise (the next focus change calls again).  Called by the
 * console when its input gets a new owner (so the display follows at
 * once) and by the timer.  Kernel lock held.
 */
void
screenmux_update(void)
{
	envid_t owner = cons_owner();
	enum guest_screen kind = GUEST_SCREEN_SERIAL;
	struct Env *e = NULL;

	if (owner && envid2env(owner, &e, 0) == 0)
		kind = guest_screen_kind(e);
	if (owner && kind == GUEST_SCREEN_TEXT && show_guest(e)) {
		timer_call_at(screenmux_update, read_tsc() + ms_tsc(1000 / SCREEN_HZ));
		return;
	}
	show_host();
	if (owner && kind == GUEST_SCREEN_UNKNOWN)
		timer_call_at(screenmux_update, read_tsc() + ms_tsc(UNKNOWN_MS));
	else
		timer_call_at(NULL, 0);
}
