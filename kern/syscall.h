/* System call dispatch. */
#ifndef JOS_KERN_SYSCALL_H
#define JOS_KERN_SYSCALL_H

#include <inc/syscall.h>
#include <inc/types.h>

int64_t syscall(uint64_t num, uint64_t a1, uint64_t a2, uint64_t a3,
		uint64_t a4, uint64_t a5);

#endif
