/*
 * The console's devices, for the console's own files: COM1 (kern/uart.c,
 * shared by the PC and the guest kernel), the CGA screen (kern/cga.c)
 * and the PS/2 keyboard (kern/kbd.c), which only a PC has.
 */
#ifndef JOS_KERN_CONSDEV_H
#define JOS_KERN_CONSDEV_H

#include <inc/types.h>

// Hand what a device read to the console's input ring; read_one
// returns a character, 0 to skip, -1 when the device is empty.
void cons_input_drain(int (*read_one)(void));

bool uart_probe(void);		// whether COM1 answers
void uart_init(void);		// 115200 8N1, receive interrupts on
void uart_write(int c);
bool uart_has_input(void);

void screen_init(void);
void screen_putc(int c);
bool screen_present(void);
// Lend the display to kern/screenmux.c (console output goes on in a
// copy) and take it back; under the output lock.
volatile uint16_t *screen_lend(void);
void screen_reclaim(void);

bool kbd_has_input(void);

#endif
