/*
 * Start-up self-checks of the file system, run on the real disk.  Each
 * prints what it verified.  The disk is left as it was found, except
 * that /newmotd is rewritten with the same message it should hold.
 */

#include "fs.h"

static const char msg[] = "This is the NEW message of the day!\n";

/* Check that alloc_block takes a free block and marks it used, then free it. */
static void
test_alloc_block(void)
{
	int r;

	if ((r = alloc_block()) < 0) {
		cprintf("alloc_block skipped: %e\n", r);
		return;
	}
	assert(!block_is_free(r));
	free_block(r);
	assert(block_is_free(r));
	flush_block(&bitmap[r / 32]);
	cprintf("alloc_block is good\n");
}

/*
 * Check open, get_block, flush and truncate on /newmotd, then write
 * the message back.
 */
static void
test_newmotd(void)
{
	struct File *f;
	char *blk;
	int r;

	if ((r = file_open("/not-found", &f)) != -E_NOT_FOUND)
		panic("file_open /not-found: %e", r);
	if ((r = file_open("/newmotd", &f)) < 0) {
		cprintf("file tests skipped: file_open /newmotd: %e\n", r);
		return;
	}
	cprintf("file_open is good\n");

	if ((r = file_get_block(f, 0, &blk)) < 0)
		panic("file_get_block: %e", r);
	if (strncmp(blk, msg, strlen(msg)) != 0)
		panic("file_get_block returned wrong data");
	cprintf("file_get_block is good\n");

	*(volatile char *) blk = *(volatile char *) blk;
	assert(va_is_dirty(blk));
	file_flush(f);
	assert(!va_is_dirty(blk));
	cprintf("file_flush is good\n");

	if ((r = file_set_size(f, 0)) < 0)
		panic("file_set_size: %e", r);
	assert(f->f_direct[0] == 0);
	assert(!va_is_dirty(f));
	cprintf("file_truncate is good\n");

	if ((r = file_set_size(f, strlen(msg))) < 0)
		panic("file_set_size 2: %e", r);
	if ((r = file_get_block(f, 0, &blk)) < 0)
		panic("file_get_block 2: %e", r);
	strcpy(blk, msg);
	assert(va_is_dirty(blk));
	file_flush(f);
	assert(!va_is_dirty(blk));
	assert(!va_is_dirty(f));
	cprintf("file rewrite is good\n");
}

/* Run the start-up checks. */
void
fs_test(void)
{
	test_alloc_block();
	test_newmotd();
}
