/*
 * Host-side tests of a text screen as plain text (lib/textscreen.c):
 * characters only, blanks and trimming, bytes a terminal cannot show,
 * rows outside the screen.  With a file argument, prints that dump of
 * a text buffer (TEXT_SCREEN_BYTES bytes, as QEMU's pmemsave writes
 * it) as its 25 rows, as vmctl screen would (conf/tests/66-screens.sh).
 */
#include <inc/vmm/textscreen.h>
#include <vmm/test/hosttest.h>

int	strcmp(const char *a, const char *b);
int	open(const char *path, int flags, ...);
long	read(int fd, void *buf, unsigned long n);
int	close(int fd);

static uint8_t cells[TEXT_SCREEN_BYTES];

/* Write s at row, col with attribute attr. */
static void
put(int row, int col, const char *s, uint8_t attr)
{
	for (uint8_t *cell = cells + (row * TEXT_SCREEN_COLS + col) * 2; *s; s++, cell += 2) {
		cell[0] = (uint8_t) *s;
		cell[1] = attr;
	}
}

/*
 * Print the dump of a text buffer in file path as rows; 0, or 1 (with
 * a line saying why) if it is not one.
 */
static int
print_dump(const char *path)
{
	char line[TEXT_SCREEN_COLS + 1];
	long n = 0, got = 1;
	int fd = open(path, 0);

	if (fd < 0) {
		printf("textscreen_test: %s: cannot open\n", path);
		return 1;
	}
	while (n < TEXT_SCREEN_BYTES && (got = read(fd, cells + n, TEXT_SCREEN_BYTES - n)) > 0)
		n += got;
	close(fd);
	if (n != TEXT_SCREEN_BYTES) {
		printf("textscreen_test: %s: %ld bytes, not %d\n", path, n, TEXT_SCREEN_BYTES);
		return 1;
	}
	for (int row = 0; row < TEXT_SCREEN_ROWS; row++) {
		text_screen_line(cells, row, line);
		printf("%s\n", line);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	char line[TEXT_SCREEN_COLS + 1];

	if (argc == 2)
		return print_dump(argv[1]);

	// A screen never written: every row empty.
	for (int row = 0; row < TEXT_SCREEN_ROWS; row++)
		CHECK(text_screen_line(cells, row, line) == 0 && line[0] == '\0');

	// Attributes are not text; trailing blanks go, inner ones stay.
	put(0, 0, "  -*-   --*-   ", 0x0F);
	CHECK(text_screen_line(cells, 0, line) == 12 && strcmp(line, "  -*-   --*-") == 0);
	put(1, 78, "/\\", 0x07);			// the last columns count
	CHECK(text_screen_line(cells, 1, line) == 80 && line[78] == '/' && line[79] == '\\');
	CHECK(line[0] == ' ' && line[77] == ' ');

	// NUL and 0xFF are blank; control and high bytes are '.'.
	put(2, 0, "a\xff\x01\xdb", 0x07);
	put(2, 6, "b", 0x07);
	CHECK(text_screen_line(cells, 2, line) == 7 && strcmp(line, "a ..  b") == 0);
	put(3, 0, "\xff\xff  ", 0x07);			// blanks only: empty
	CHECK(text_screen_line(cells, 3, line) == 0);

	// The last row, and rows that are not on the screen.
	put(24, 0, "GAME OVER", 0x4F);
	CHECK(text_screen_line(cells, 24, line) == 9 && strcmp(line, "GAME OVER") == 0);
	CHECK(text_screen_line(cells, 25, line) == -1);
	CHECK(text_screen_line(cells, -1, line) == -1);
	return hosttest_report("textscreen_test");
}
