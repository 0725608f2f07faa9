/*
 * Port dispatch for a guest: every port exits, and each reaches one of
 * the virtual PC's device models (vmm/io/, state in struct vm), is
 * absorbed (delay ports, VGA registers, PCI configuration answering "no
 * device"), or is refused (exits.c counts and answers those).  COM1's
 * model is the guest's console: what it sends goes to the host console
 * as the guest's text, and it receives what is typed while the
 * guest holds the console.
 */
#include <inc/stdio.h>
#include <inc/error.h>
#include <inc/vmx.h>

#include <kern/env.h>
#include <kern/console.h>
#include <kern/vmmapi.h>
#include <vmm/vm.h>

#define PORT_DELAY	0x80	// POST code / delay port
#define PORT_DELAY2	0xED	// the other delay port kernels use
#define PCI_ADDR	0xCF8
#define PCI_DATA	0xCFC
#define VGA_FIRST	0x3B0
#define VGA_LAST	0x3DF
#define VGA_STATUS_MONO	0x3BA
#define VGA_STATUS	0x3DA
#define VGA_RETRACE	0x09	// input status 1: display disabled, vertical retrace

/*
 * Print what the guest has printed and not shown yet, as its text: the
 * console names the guest on a line of its own when the host or
 * another guest printed last (kern/cons_pc.c says why).
 */
void
vm_cons_flush(struct vm *vm)
{
	if (vm->cons_len == 0)
		return;
	// The console's output lock, not the kernel lock: a guest's console
	// exits print without the latter (vm_com1_write_unlocked).
	cons_lock();
	cons_speak_as(vm->env->env_id);
	cprintf("%.*s", vm->cons_len, vm->cons_line);
	cons_speak_as(0);
	cons_unlock();
	vm->cons_len = 0;
}

/* The guest prints character c on its console. */
void
vm_cons_putc(struct vm *vm, char c)
{
	vm->cons_line[vm->cons_len++] = c;
	if (c == '\n' || vm->cons_len == sizeof(vm->cons_line))
		vm_cons_flush(vm);
}

/*
 * Move what is typed for this guest into COM1's receiver, as much as
 * fits; the rest stays in the console until the guest reads on.
 */
void
vm_com1_pull(struct vm *vm)
{
	int id = vm->env->env_id, c;

	vm->input_serial = true;	// typed input goes to COM1 (platform.c)
	while (uart_rx_space(&vm->com1) > 0 && (c = cons_getc_owner(id, true)) != 0) {
		cons_getc_owner(id, false);
		uart_input(&vm->com1, c);
	}
}

/*
 * OUT of size bytes of value to COM1's port, without the kernel lock:
 * the UART model and its interrupt line are the guest's own, and what
 * it sends is printed under the console's output lock.  (Reads may take
 * typed input from the console, which the kernel lock guards: those go
 * through vm_port_io.)  Returns false for any other access.
 */
bool
vm_com1_write_unlocked(struct vm *vm, uint16_t port, int size, uint32_t value)
{
	if (port < UART_COM1 || port >= UART_COM1 + UART_PORTS)
		return false;
	if (uart_io(&vm->com1, port, size, true, &value) < 0)
		return false;
	pic_set_irq(&vm->pic, UART_COM1_IRQ, uart_irq(&vm->com1));
	return true;
}

/* Ports absorbed without a model: reads give all ones, writes vanish. */
static bool
is_absorbed(uint16_t port)
{
	return port == PORT_DELAY || port == PORT_DELAY2
		|| (port >= VGA_FIRST && port <= VGA_LAST)
		|| (port >= PCI_DATA && port < PCI_DATA + 4);
}

/*
 * The ports no model answers: the PCI address register (kept, so that
 * a probe reads back what it wrote), the VGA input status register
 * (its retrace bits toggle at each read, so that polling loops end),
 * and the absorbed ports.  Returns false for any other port.
 */
static bool
misc_io(struct vm *vm, uint16_t port, int size, bool write, uint32_t *value)
{
	if (port == PCI_ADDR && size == 4) {
		if (write)
			vm->pci_addr = *value;
		else
			*value = vm->pci_addr;
		return true;
	}
	if ((port == VGA_STATUS || port == VGA_STATUS_MONO) && !write) {
		vm->vga_status ^= VGA_RETRACE;
		*value = vm->vga_status;
		return true;
	}
	if (!is_absorbed(port))
		return false;
	if (!write)
		*value = 0xFFFFFFFF;
	return true;
}

/*
 * IN (write false: into *value) or OUT (of *value) of size bytes at
 * port by the guest.  True if a device model or the absorbed ports
 * answered; false if the port is none of the virtual PC's (the caller
 * refuses it).
 */
bool
vm_port_io(struct vm *vm, uint16_t port, int size, bool write, uint32_t *value)
{
	int r;

	switch (port) {
	case PIC_MASTER_CMD: case PIC_MASTER_DATA:
	case PIC_SLAVE_CMD: case PIC_SLAVE_DATA:
	case PIC_ELCR_MASTER: case PIC_ELCR_SLAVE:
		r = pic_io(&vm->pic, port, size, write, value);
		break;
	case PIT_CH0 ... PIT_CTRL: case PIT_PORT_B:
		r = pit_io(&vm->pit, vm_now_ns(), port, size, write, value);
		break;
	case RTC_INDEX: case RTC_DATA:
		r = rtc_io(&vm->rtc, vm_unix_ns(), port, size, write, value);
		break;
	case I8042_DATA: case I8042_CMD:
		r = i8042_io(&vm->kbd, port, size, write, value);
		break;
	case UART_COM1 ... UART_COM1 + UART_PORTS - 1:
		if (!write)
			vm_com1_pull(vm);
		r = uart_io(&vm->com1, port, size, write, value);
		break;
	default:
		return misc_io(vm, port, size, write, value);
	}
	// A write may have raised or lowered a line, or unmasked one: the
	// run loop brings the lines to the PIC before the next entry
	// (vm_platform_update), and HLT before it sleeps (vm_halt).  Not
	// here as well: that second update cost each port exit about a
	// quarter of its ~3700 instructions under Bochs (measured).
	return r >= 0;
}
