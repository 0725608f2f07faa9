/*
 * The guest kernel's console.  Output goes to the host's console in
 * hypercalls (HC_CONSWRITE), many bytes in one exit instead of
 * two exits a byte at COM1; input comes from COM1, which the monitor
 * emulates, when the guest polls it.  There is no screen or keyboard.
 * Linked in place of kern/cons_pc.c.
 */
#include <inc/x86.h>
#include <inc/vmm/hypercall.h>

#include <kern/console.h>
#include <kern/consdev.h>
#include <kern/pmap.h>
#include <kern/lapic.h>
#include <guest/pv.h>

/*
 * What the guest kernel printed and did not send yet: up to a page, the
 * most one hypercall prints.  cons_flush sends it when it is full, when
 * someone reads input (cons_getc_owner), when the guest idles, powers
 * off or panics, and at the end of a line once its first byte has
 * waited OUT_DELAY_MS (cons_flush_stale, also before each scheduling).
 */
#define OUT_DELAY_MS	50

static char guest_out[HC_CONSWRITE_MAX] __attribute__((aligned(PGSIZE)));
static int guest_out_len;
static uint64_t guest_out_since;	// TSC when its first byte came
static bool guest_out_com1;	// the monitor refused the hypercall: use COM1

/* COM1 is the host's, set up already: only look whether it is there. */
void
cons_init(void)
{
	uart_probe();
}

/* COM1 interrupts nothing in the guest (its tick only), so no input is ever pending unseen. */
bool
cons_input_hint(void)
{
	return false;
}

/* COM1 is the guest's only input device. */
void
cons_poll(void)
{
	serial_intr();
}

/* A guest has no keyboard; IRQ 1 never comes. */
void
kbd_intr(void)
{
}

/*
 * Wait for input: halt, since each look at COM1 costs a VM exit, and
 * the monitor ends the HLT when input arrives for this guest (inc/vmx.h).
 */
void
cons_idle(void)
{
	asm volatile("hlt");
}

/* The monitor prints the len bytes at gpa: len, or a negative error (guest/pv.h). */
int64_t
cons_hypercall_write(uint64_t gpa, uint64_t len)
{
	return hypercall2(HC_CONSWRITE, gpa, len);
}

/*
 * Print (on the host console) everything the guest kernel printed and
 * did not send yet; on a monitor without the hypercall, through COM1.
 */
void
cons_flush(void)
{
	if (guest_out_len == 0)
		return;
	if (!guest_out_com1
	    && cons_hypercall_write(PADDR(guest_out), guest_out_len) != guest_out_len)
		guest_out_com1 = true;	// nothing was printed
	if (guest_out_com1)
		for (int i = 0; i < guest_out_len; i++)
			uart_write(guest_out[i]);
	guest_out_len = 0;
}

/* Send the held output if its first byte has waited OUT_DELAY_MS or more. */
void
cons_flush_stale(void)
{
	if (guest_out_len && read_tsc() - guest_out_since >= time_tsc_hz() / 1000 * OUT_DELAY_MS)
		cons_flush();
}

/* A guest's own console has one speaker: nothing to tell apart. */
bool
cons_speak_as(int writer)
{
	return true;
}

/* Print c: into the buffer, sent when it is full or has waited long enough. */
void
cputchar(int c)
{
	if (guest_out_len == 0)
		guest_out_since = read_tsc();
	guest_out[guest_out_len++] = c;
	if (guest_out_len == sizeof(guest_out))
		cons_flush();
	else if (c == '\n')
		cons_flush_stale();
}
