/* The kernel console: CGA text screen, COM1 serial port and PS/2 keyboard. */
#ifndef JOS_KERN_CONSOLE_H
#define JOS_KERN_CONSOLE_H

#include <inc/types.h>

void cons_init(void);
int cons_getc(void);
void cons_flush(void);		// send what a guest kernel holds back
#ifdef VMM_GUEST
int64_t cons_hypercall_write(uint64_t gpa, uint64_t len);
#endif
void kbd_intr(void);		// IRQ 1
void serial_intr(void);		// IRQ 4
bool cons_input_hint(void);	// a device holds input (no lock needed)
void cons_poll(void);		// drain every input device

// Who reads typed input: the host (0) or a guest env (its id).
void cons_set_owner(int owner);
int cons_owner(void);
int cons_getc_owner(int owner, bool peek);

#endif
