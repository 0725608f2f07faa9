/*
 * The kernel console.  The input ring and its owner are kern/console.c;
 * the devices and the output are kern/cons_pc.c on a PC (CGA screen,
 * COM1, PS/2 keyboard) and guest/pv_console.c in the guest kernel.
 */
#ifndef JOS_KERN_CONSOLE_H
#define JOS_KERN_CONSOLE_H

#include <inc/types.h>

void cons_init(void);
int cons_getc(void);
void cons_flush(void);		// send what a guest kernel holds back
void cons_lock(void);		// the output lock (kern/console.c says why)
void cons_unlock(void);
// Whose text follows: 0 the host's, a guest's env id, or the console's
// own word; true if it starts a line.  Lines of different writers
// never merge.
bool cons_speak_as(int writer);
#define CONS_SPEAKER_CONSOLE	(-1)
void kbd_intr(void);		// IRQ 1
void serial_intr(void);		// IRQ 4
bool cons_input_hint(void);	// a device holds input (no lock needed)
void cons_poll(void);		// drain every input device
void cons_idle(void);		// wait a moment for input (getchar)

// Who reads typed input: the host (0) or a guest env (its id).
void cons_set_owner(int owner);
int cons_owner(void);
int cons_last_guest(void);
int cons_getc_owner(int owner, bool peek);

#endif
