/* The host's second serial port (COM2), a byte channel for the guest debugger (kern/serial2.c). */
#ifndef JOS_KERN_SERIAL2_H
#define JOS_KERN_SERIAL2_H

#include <inc/types.h>

#define IRQ_COM2	3

void	serial2_init(void);
bool	serial2_present(void);
void	serial2_set_notify(void (*fn)(void));
void	serial2_intr(void);
int	serial2_getc(void);
void	serial2_putc(uint8_t c);

#endif
