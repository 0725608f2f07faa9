/*
 * Port dispatch for a guest: every port exits; the monitor emulates the
 * guest's console, COM1 (its lines go to the host console after the
 * guest's prefix), and refuses every other port (exits.c counts and
 * answers those).  Also the one event HLT waits for: typed input.
 */
#include <inc/stdio.h>
#include <inc/error.h>
#include <inc/vmx.h>

#include <kern/env.h>
#include <kern/console.h>
#include <kern/vmmapi.h>
#include <vmm/vm.h>

#define COM1		0x3F8
#define COM1_PORTS	8
#define LSR_RX_READY	0x01
#define LSR_TX_EMPTY	0x60	// holding register and shifter both empty
#define LCR_DLAB	0x80
#define IIR_NONE	0x01	// no interrupt pending
#define MSR_LINES_UP	0xB0	// carrier, data set ready, clear to send

/*
 * Print what the guest has printed and not shown yet, after its line
 * prefix if it starts a line (a new one, if the host or another guest
 * printed since its last unfinished line).
 */
void
vm_cons_flush(struct vm *vm)
{
	if (vm->cons_len == 0)
		return;
	if (cons_speak_as(vm->env->env_id))
		cprintf(GUEST_CONS_PREFIX, vm->env->env_id);
	cprintf("%.*s", vm->cons_len, vm->cons_line);
	cons_speak_as(0);
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

/* Whether port (size bytes wide) is one of COM1's byte registers. */
static bool
is_com1(uint16_t port, int size)
{
	return port >= COM1 && port < COM1 + COM1_PORTS && size == 1;
}

/*
 * IN from port by the guest, size bytes wide: if the monitor emulates
 * that port (COM1), the value read in *value and true; false otherwise.
 * The UART reads as always ready to send, with data ready when the
 * host has console input for this guest.
 */
bool
vm_port_in(struct vm *vm, uint16_t port, int size, uint32_t *value)
{
	int id = vm->env->env_id;
	bool dlab = vm->uart_lcr & LCR_DLAB;

	if (!is_com1(port, size))
		return false;
	switch (port - COM1) {
	case 0:
		*value = dlab ? vm->uart_dll : cons_getc_owner(id, false);
		break;
	case 1:
		*value = dlab ? vm->uart_dlm : vm->uart_ier;
		break;
	case 2:
		*value = IIR_NONE;
		break;
	case 3:
		*value = vm->uart_lcr;
		break;
	case 4:
		*value = vm->uart_mcr;
		break;
	case 5:
		*value = LSR_TX_EMPTY | (cons_getc_owner(id, true) ? LSR_RX_READY : 0);
		break;
	case 6:
		*value = MSR_LINES_UP;
		break;
	default:
		*value = vm->uart_scr;
		break;
	}
	return true;
}

/*
 * OUT of value to port by the guest, size bytes wide: true if the
 * monitor emulates that port (COM1): a byte to the transmitter goes to
 * the host console, other registers are stored.  False otherwise.
 */
bool
vm_port_out(struct vm *vm, uint16_t port, int size, uint32_t value)
{
	bool dlab = vm->uart_lcr & LCR_DLAB;

	if (!is_com1(port, size))
		return false;
	value &= 0xFF;
	switch (port - COM1) {
	case 0:
		if (dlab)
			vm->uart_dll = value;
		else {
			vm->cons_com1_bytes++;
			vm_cons_putc(vm, value);
		}
		break;
	case 1:
		if (dlab)
			vm->uart_dlm = value;
		else
			vm->uart_ier = value;
		break;
	case 3:
		vm->uart_lcr = value;
		break;
	case 4:
		vm->uart_mcr = value;
		break;
	case 7:
		vm->uart_scr = value;
		break;
	default:			// FCR; LSR and MSR are read-only
		break;
	}
	return true;
}

/*
 * The guest halted (HLT) to wait for something to happen.  The one
 * event the monitor delivers is typed input (it injects no
 * interrupts), so the guest sleeps, not runnable, until input arrives
 * for it (sched_wake_cons_waiters) or someone stops it.  Returns false,
 * and the guest goes on, if input is there already; true if the caller
 * must stop running it.
 */
bool
vm_halt(struct vm *vm)
{
	if (cons_getc_owner(vm->env->env_id, true))
		return false;
	env_block_console(vm->env);
	return true;
}
