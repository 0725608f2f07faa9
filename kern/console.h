/* The kernel console: CGA text screen, COM1 serial port and PS/2 keyboard. */
#ifndef JOS_KERN_CONSOLE_H
#define JOS_KERN_CONSOLE_H

void cons_init(void);
int cons_getc(void);
void kbd_intr(void);		// IRQ 1
void serial_intr(void);		// IRQ 4

#endif
