/* The host's second serial port (COM2), a polled byte channel (kern/serial2.c). */
#ifndef JOS_KERN_SERIAL2_H
#define JOS_KERN_SERIAL2_H

#include <inc/types.h>

void	serial2_init(void);
bool	serial2_present(void);
int	serial2_getc(void);
void	serial2_putc(uint8_t c);

#endif
