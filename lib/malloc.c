/*
 * malloc and free for user programs: a first-fit allocator over a heap
 * of pages mapped on demand in [UHEAP, UHEAPTOP).  Every block starts
 * with a header giving its size; free blocks sit on one list in address
 * order, so that free can merge a block with its free neighbours.  The
 * heap is ordinary memory of the env: fork copies it (copy-on-write),
 * spawn does not.  Not thread-safe (sfork'd envs share it: don't).
 */
#include <inc/lib.h>

#define UHEAP		0x08000000UL	// the heap's first byte
#define UHEAPTOP	0x10000000UL	// and its end (128 MiB)
#define BLOCK_ALIGN	16
#define BLOCK_MAGIC	0x6d616c6cUL	// "mall": header of a block in use
#define FREE_MAGIC	0x66726565UL	// "free": header of a free block

struct block {
	size_t size;		// bytes, header included, BLOCK_ALIGN-aligned
	uint64_t magic;		// BLOCK_MAGIC or FREE_MAGIC
	struct block *next;	// next free block by address (free blocks only)
};

#define HEADER		BLOCK_ALIGN	// bytes before the caller's memory
_Static_assert(offsetof(struct block, next) == HEADER, "the header is HEADER bytes");

static struct block *free_list;		// by address
static uintptr_t heap_end = UHEAP;	// pages below are mapped

/*
 * Map fresh pages so that the heap ends at least at new_end.
 * Returns 0 or -E_NO_MEM (the heap stays as it was).
 */
static int
heap_grow(uintptr_t new_end)
{
	uintptr_t end = ROUNDUP(new_end, PGSIZE);

	if (new_end < heap_end || end > UHEAPTOP)
		return -E_NO_MEM;
	for (uintptr_t va = heap_end; va < end; va += PGSIZE)
		if (sys_page_alloc(0, (void *) va, PTE_P | PTE_U | PTE_W) < 0) {
			for (uintptr_t undo = heap_end; undo < va; undo += PGSIZE)
				sys_page_unmap(0, (void *) undo);
			return -E_NO_MEM;
		}
	heap_end = end;
	return 0;
}

/*
 * Put block b on the free list in address order and merge it with a
 * free block that ends where it starts or starts where it ends.
 */
static void
free_list_insert(struct block *b)
{
	struct block **link = &free_list, *prev = NULL;

	while (*link && *link < b) {
		prev = *link;
		link = &(*link)->next;
	}
	b->magic = FREE_MAGIC;
	b->next = *link;
	*link = b;
	if (b->next && (uintptr_t) b + b->size == (uintptr_t) b->next) {
		b->size += b->next->size;
		b->next = b->next->next;
	}
	if (prev && (uintptr_t) prev + prev->size == (uintptr_t) b) {
		prev->size += b->size;
		prev->next = b->next;
	}
}

/*
 * n bytes of memory aligned to 16, or NULL when the heap (128 MiB) or
 * the machine's memory cannot hold them.  The memory is not zeroed.
 */
void *
malloc(size_t n)
{
	struct block **link, *b;
	size_t need;

	if (n == 0 || n > UHEAPTOP - UHEAP)
		return NULL;
	need = ROUNDUP(n + HEADER, BLOCK_ALIGN);
	for (;;) {
		for (link = &free_list; (b = *link) != NULL; link = &b->next)
			if (b->size >= need)
				break;
		if (b)
			break;
		// No block is big enough: add pages at the end (merging
		// with a free block that ends there), then look again.
		uintptr_t start = heap_end;
		if (heap_grow(heap_end + need) < 0)
			return NULL;
		b = (struct block *) start;
		b->size = heap_end - start;
		free_list_insert(b);
	}
	if (b->size - need >= HEADER + BLOCK_ALIGN) {
		struct block *rest = (struct block *) ((uintptr_t) b + need);
		rest->size = b->size - need;
		rest->magic = FREE_MAGIC;
		rest->next = b->next;
		b->size = need;
		*link = rest;
	} else
		*link = b->next;
	b->magic = BLOCK_MAGIC;
	return (char *) b + HEADER;
}

/*
 * Give back memory that malloc returned; free(NULL) does nothing.  A
 * pointer malloc did not return, or one freed twice, ends the program
 * with a panic rather than corrupting the heap.
 */
void
free(void *p)
{
	struct block *b;

	if (!p)
		return;
	b = (struct block *) ((uintptr_t) p - HEADER);
	if ((uintptr_t) p < UHEAP + HEADER || (uintptr_t) p >= heap_end
	    || (uintptr_t) p % BLOCK_ALIGN || b->magic != BLOCK_MAGIC)
		panic("free: %p was not returned by malloc (or was freed already)", p);
	free_list_insert(b);
}
