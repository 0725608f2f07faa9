// Spins for ever without a system call: only the timer's preemption
// lets anything else run on its CPU (in the JOS guest, the PIT's tick:
// conf/tests/62-guest.sh, guest_preempt).

#include <inc/lib.h>

void
umain(int argc, char **argv)
{
	cprintf("busyloop: spinning\n");
	for (;;)
		asm volatile("" ::: "memory");
}
