/*
 * The CGA (or MDA) text screen of a PC, 80x25, scrolling at the bottom.
 * The console draws on it; it may lend the display to someone else
 * (kern/screenmux.c: a guest's screen), and then draws on a copy kept
 * here, which goes back on the display when it is reclaimed.
 */
#include <inc/x86.h>
#include <inc/memlayout.h>
#include <inc/string.h>

#include <kern/consdev.h>

#define SCREEN_COLS	80
#define SCREEN_ROWS	25
#define SCREEN_CELLS	(SCREEN_COLS * SCREEN_ROWS)
#define GREY_ON_BLACK	0x0700

static volatile uint16_t *screen;	// where the console draws
static volatile uint16_t *display;	// the text buffer the adapter shows
static uint16_t crtc_port;		// the CRT controller's index port
static int cursor;
static uint16_t kept[SCREEN_CELLS];	// the console's screen while lent

/* Put the hardware cursor at cell pos (past the last cell: none shows). */
static void
crtc_cursor(int pos)
{
	outb(crtc_port, 14);
	outb(crtc_port + 1, pos >> 8);
	outb(crtc_port, 15);
	outb(crtc_port + 1, pos & 0xFF);
}

/* Move the hardware cursor to where the next character goes (not while lent). */
static void
screen_set_cursor(void)
{
	if (screen == display)
		crtc_cursor(cursor);
}

/* Use the color buffer at 0xB8000 if memory answers there, else mono. */
void
screen_init(void)
{
	volatile uint16_t *color = (uint16_t *) (KERNBASE + 0xB8000);
	uint16_t saved = *color;

	*color = 0x5AA5;
	if (*color == 0x5AA5) {
		*color = saved;
		display = color;
		crtc_port = 0x3D4;
	} else {
		display = (uint16_t *) (KERNBASE + 0xB0000);
		crtc_port = 0x3B4;
	}
	screen = display;
	outb(crtc_port, 14);
	cursor = inb(crtc_port + 1) << 8;
	outb(crtc_port, 15);
	cursor |= inb(crtc_port + 1);
	if (cursor >= SCREEN_CELLS)
		cursor = 0;
}

/* Draw c at the cursor (newline, return, backspace and tab move it). */
void
screen_putc(int c)
{
	c &= 0xFF;
	if (c == '\n')
		cursor += SCREEN_COLS - cursor % SCREEN_COLS;
	else if (c == '\r')
		cursor -= cursor % SCREEN_COLS;
	else if (c == '\b') {
		if (cursor > 0)
			screen[--cursor] = GREY_ON_BLACK | ' ';
	} else if (c == '\t') {
		do
			screen[cursor++] = GREY_ON_BLACK | ' ';
		while (cursor % 8 && cursor < SCREEN_CELLS);
	} else
		screen[cursor++] = GREY_ON_BLACK | c;

	if (cursor >= SCREEN_CELLS) {
		memmove((void *) screen, (void *) (screen + SCREEN_COLS),
			(SCREEN_CELLS - SCREEN_COLS) * 2);
		for (int i = SCREEN_CELLS - SCREEN_COLS; i < SCREEN_CELLS; i++)
			screen[i] = GREY_ON_BLACK | ' ';
		cursor -= SCREEN_COLS;
	}
	screen_set_cursor();
}

/* Whether screen_init found the screen (nothing is drawn before). */
bool
screen_present(void)
{
	return screen != NULL;
}

/*
 * Lend the display: the console's screen and cursor are kept aside and
 * what it prints meanwhile is drawn there; the hardware cursor is
 * parked past the last cell, where it does not show.  Returns the text
 * buffer the adapter shows, the borrower's to draw on, or NULL if there
 * is no screen.  Output lock held (cons_lock).
 */
volatile uint16_t *
screen_lend(void)
{
	if (!screen)
		return NULL;
	if (screen == display) {
		for (int i = 0; i < SCREEN_CELLS; i++)
			kept[i] = display[i];
		screen = kept;
		crtc_cursor(SCREEN_CELLS);
	}
	return display;
}

/*
 * Take the display back: the console's screen as it is now (with what
 * was printed while lent) and its cursor return.  Output lock held.
 */
void
screen_reclaim(void)
{
	if (!screen || screen == display)
		return;
	for (int i = 0; i < SCREEN_CELLS; i++)
		display[i] = kept[i];
	screen = display;
	crtc_cursor(cursor);
}
