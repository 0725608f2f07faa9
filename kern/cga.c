/* The CGA (or MDA) text screen of a PC, 80x25, scrolling at the bottom. */
#include <inc/x86.h>
#include <inc/memlayout.h>
#include <inc/string.h>

#include <kern/consdev.h>

#define SCREEN_COLS	80
#define SCREEN_ROWS	25
#define SCREEN_CELLS	(SCREEN_COLS * SCREEN_ROWS)
#define GREY_ON_BLACK	0x0700

static volatile uint16_t *screen;	// the text buffer
static uint16_t crtc_port;		// the CRT controller's index port
static int cursor;

/* Move the hardware cursor to where the next character goes. */
static void
screen_set_cursor(void)
{
	outb(crtc_port, 14);
	outb(crtc_port + 1, cursor >> 8);
	outb(crtc_port, 15);
	outb(crtc_port + 1, cursor & 0xFF);
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
		screen = color;
		crtc_port = 0x3D4;
	} else {
		screen = (uint16_t *) (KERNBASE + 0xB0000);
		crtc_port = 0x3B4;
	}
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
