/*
 * A guest's VGA text screen as plain text (inc/vmm/textscreen.h): for
 * vmctl screen, and pure, so that a host test checks it.
 */
#include <inc/vmm/textscreen.h>

/*
 * Row row (0-24) of the text screen whose cells (TEXT_SCREEN_BYTES
 * bytes: character, attribute, ...) are at cells, as a NUL-terminated
 * string in line (TEXT_SCREEN_COLS + 1 bytes): its characters only;
 * NUL, space and 0xFF, which a VGA draws blank, as spaces; every other
 * byte that is not printable ASCII as '.'; trailing blanks trimmed.
 * Returns the string's length, or -1 for a row outside the screen.
 */
int
text_screen_line(const uint8_t *cells, int row, char *line)
{
	const uint8_t *cell;
	int len = 0;

	if (row < 0 || row >= TEXT_SCREEN_ROWS)
		return -1;
	cell = cells + row * TEXT_SCREEN_COLS * 2;
	for (int col = 0; col < TEXT_SCREEN_COLS; col++) {
		uint8_t c = cell[col * 2];

		if (c == 0 || c == 0xFF)
			c = ' ';
		else if (c < 0x20 || c > 0x7E)
			c = '.';
		line[col] = c;
		if (c != ' ')
			len = col + 1;
	}
	line[len] = '\0';
	return len;
}
