/*
 * Guest-virtual to guest-physical, through the guest's own page tables
 * (vmm/gdb/walk.c): a pure function, also built for the host's tests.
 */
#ifndef JOS_VMM_GDB_WALK_H
#define JOS_VMM_GDB_WALK_H

#include <inc/types.h>

// The guest's paging state, as it sees its registers.
struct walk_mode {
	uint64_t cr0, cr3, cr4, efer;
};

// Reads size (4 or 8) bytes at guest-physical gpa into *value; 0 or -1.
typedef int (*walk_read_fn)(void *arg, uint64_t gpa, int size, uint64_t *value);

int	walk_translate(const struct walk_mode *m, uint64_t va, walk_read_fn read,
		       void *arg, uint64_t *gpa);

#endif
