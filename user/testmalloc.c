/*
 * malloc and free: blocks are aligned and do not overlap, freed memory
 * is reused and merged, a request larger than the heap fails cleanly,
 * and a forked child has its own copy of the heap.
 */
#include <inc/lib.h>

#define NBLOCKS	64

static void
fill(unsigned char *p, size_t n, int seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char) (seed + i * 7);
}

static bool
check(const unsigned char *p, size_t n, int seed)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != (unsigned char) (seed + i * 7))
			return false;
	return true;
}

void
umain(int argc, char **argv)
{
	unsigned char *blocks[NBLOCKS];
	size_t sizes[NBLOCKS];
	void *first, *again, *big;
	envid_t child;

	// Many sizes, each filled with its own pattern, all still intact
	// after the others were written: no overlap.
	for (int i = 0; i < NBLOCKS; i++) {
		sizes[i] = 1 + (i * 397) % 9000;
		blocks[i] = malloc(sizes[i]);
		if (!blocks[i] || (uintptr_t) blocks[i] % 16)
			panic("malloc(%ld) gave %p", (long) sizes[i], blocks[i]);
		fill(blocks[i], sizes[i], i);
	}
	for (int i = 0; i < NBLOCKS; i++)
		if (!check(blocks[i], sizes[i], i))
			panic("block %d was overwritten", i);
	cprintf("malloc: %d blocks, aligned, no overlap\n", NBLOCKS);

	// Free every other block, then the rest: the heap merges back
	// into one piece, so a block as large as all of them fits where
	// the first one was.
	first = blocks[0];
	for (int i = 0; i < NBLOCKS; i += 2)
		free(blocks[i]);
	for (int i = 1; i < NBLOCKS; i += 2)
		free(blocks[i]);
	again = malloc(200000);
	if (again != first)
		panic("freed blocks were not merged: %p, want %p", again, first);
	free(again);
	cprintf("malloc: freed memory is merged and reused\n");

	// More than the heap holds: NULL, and the heap still works.
	if ((big = malloc(256 << 20)) != NULL)
		panic("malloc of 256 MiB gave %p", big);
	if (malloc(0) != NULL)
		panic("malloc(0) is not NULL");
	free(NULL);
	cprintf("malloc: too large a request fails\n");

	// A child's heap is its own copy.
	blocks[0] = malloc(64);
	strcpy((char *) blocks[0], "parent");
	if ((child = fork()) < 0)
		panic("fork: %e", child);
	if (child == 0) {
		strcpy((char *) blocks[0], "child");
		free(malloc(100));
		exit();
	}
	wait(child);
	if (strcmp((char *) blocks[0], "parent") != 0)
		panic("the child changed the parent's heap: %s", blocks[0]);
	cprintf("malloc: a forked child has its own heap\n");
	cprintf("testmalloc: all tests passed\n");

	// Last: a pointer malloc never returned ends the program.
	free(blocks[0] + 8);
}
