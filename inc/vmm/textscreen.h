/*
 * A PC's VGA text screen as a guest leaves it in its memory: 80x25
 * cells at guest-physical 0xB8000, each a character byte (code page
 * 437) and an attribute byte.  vmctl screen reads it (sys_guest_read)
 * and prints it as text (lib/textscreen.c).
 */
#ifndef JOS_INC_VMM_TEXTSCREEN_H
#define JOS_INC_VMM_TEXTSCREEN_H

#include <inc/types.h>

#define TEXT_SCREEN_GPA		0xB8000
#define TEXT_SCREEN_COLS	80
#define TEXT_SCREEN_ROWS	25
#define TEXT_SCREEN_BYTES	(TEXT_SCREEN_COLS * TEXT_SCREEN_ROWS * 2)

int	text_screen_line(const uint8_t *cells, int row, char *line);

#endif
