/*
 * The virtual PC around a guest's CPU: the device models of vmm/io/
 * (state in struct vm), their clock, the interrupt lines between them
 * and the PIC, and what the core does with the PIC's requests at each
 * entry: inject the highest pending vector when the guest can take it,
 * or ask the backend for an interrupt-window exit.
 *
 * Time: the models run on the host's TSC turned into nanoseconds, so a
 * guest's PIT counts at real speed; the RTC adds the host's wall time
 * read once from the host's own CMOS clock.  A guest in HLT with
 * interrupts on sleeps until its next PIT or RTC interrupt on an
 * unmasked line is due or input arrives for it.
 *
 * The tick's holdoff: each timer interrupt costs the monitor exits
 * (the injection's window, the guest's EOI), and that time counts on
 * the guest's PIT as well.  When the PIT runs faster than the monitor
 * can serve it (a count of 2, or 1 kHz under Bochs, whose emulated
 * CPU spends more than a millisecond on two exits), the next edge is
 * always due by the time the guest's IRET opens the window: the guest
 * would run nothing but its handler, for ever.  So a PIT edge reaches
 * the PIC only once the guest has run TICK_MIN_GUEST_US of its own
 * time since its previous timer interrupt was done (or has halted
 * since); edges meanwhile merge into one, as lost ticks do on a PC.
 * A guest whose handler is short next to its period never waits.
 *
 * Input: what is typed while the guest holds the console goes to COM1
 * for a serial guest and to the keyboard, as scan codes (termkeys.c),
 * for a text-screen guest.  Which one a guest is, the guest says by
 * what it reads: one that has looked for input on COM1 (read a COM1
 * register or enabled its receive interrupt, as every serial console
 * driver does: the JOS guest, mbtest, Linux with console=ttyS0) is a
 * serial guest from then on; one that reads its keyboard controller
 * and never COM1 (GRUB Invaders) is a text-screen guest.  A guest that
 * has read neither yet gets nothing: what is typed waits in the console.
 */
#include <inc/x86.h>
#include <inc/mmu.h>
#include <inc/stdio.h>

#include <kern/env.h>
#include <kern/console.h>
#include <kern/lapic.h>
#include <kern/vmmapi.h>
#include <vmm/vm.h>
#include <vmm/io/clock.h>

#define UART_IER_RX	0x01
#define TICK_MIN_GUEST_US 100		// guest time between two timer interrupts
#define TICK_BUSY	(~(uint64_t) 0)	// tick_holdoff: the last tick is not done
#define HOST_RTC_INDEX	0x70
#define HOST_RTC_DATA	0x71

static int64_t unix_offset_ns;		// wall time minus vm_now_ns()
static bool unix_known;

/* TSC ticks per second (a guess until the clock is calibrated). */
static uint64_t
tsc_hz(void)
{
	uint64_t hz = time_tsc_hz();

	return hz ? hz : NS_PER_S;
}

/* The models' clock: nanoseconds of host TSC. */
uint64_t
vm_now_ns(void)
{
	return clock_ns(read_tsc(), tsc_hz());
}

/* Host CMOS register reg, BCD turned into binary when bcd. */
static int
host_cmos(int reg, bool bcd)
{
	int v;

	outb(HOST_RTC_INDEX, reg);
	v = inb(HOST_RTC_DATA);
	return bcd ? (v & 0x0F) + (v >> 4) * 10 : v;
}

/* Days from 1970-01-01 to year-month-day (proleptic Gregorian). */
static int64_t
days_since_epoch(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/*
 * Read the host's CMOS clock once: the offset from vm_now_ns() to Unix
 * time.  A host clock that reads nonsense (no RTC) gives 2000-01-01.
 */
static void
learn_unix_time(void)
{
	int sec, min, hour, day, mon, year, b;
	bool bcd;

	for (int i = 0; i < 100000 && (host_cmos(0x0A, false) & 0x80); i++)
		;
	b = host_cmos(0x0B, false);
	bcd = !(b & 0x04);
	sec = host_cmos(0x00, bcd);
	min = host_cmos(0x02, bcd);
	hour = host_cmos(0x04, false);
	day = host_cmos(0x07, bcd);
	mon = host_cmos(0x08, bcd);
	year = host_cmos(0x09, bcd);
	if (!(b & 0x02)) {			// 12-hour clock: bit 7 is PM
		bool pm = hour & 0x80;
		hour = bcd ? ((hour & 0x7F) & 0x0F) + ((hour & 0x70) >> 4) * 10 : hour & 0x7F;
		hour = hour % 12 + (pm ? 12 : 0);
	} else if (bcd)
		hour = (hour & 0x0F) + (hour >> 4) * 10;
	if (sec > 59 || min > 59 || hour > 23 || day < 1 || day > 31 || mon < 1 || mon > 12
	    || year > 99) {
		sec = min = hour = 0;
		day = mon = 1;
		year = 0;
	}
	unix_offset_ns = ((days_since_epoch(2000 + year, mon, day) * 86400
			   + hour * 3600 + min * 60 + sec) * (int64_t) NS_PER_S)
		- (int64_t) vm_now_ns();
	unix_known = true;
}

/* The host's wall time, in ns since the Unix epoch (the RTC's clock). */
uint64_t
vm_unix_ns(void)
{
	if (!unix_known)
		learn_unix_time();
	return vm_now_ns() + unix_offset_ns;
}

/* The 8042 pulsed the reset line: the guest ends, as a CPU reset would. */
static void
kbd_reset(void *arg)
{
	struct vm *vm = arg;

	vm->reset = true;
}

/* COM1 sent byte: it is the guest's console output. */
static void
com1_tx(void *arg, uint8_t byte)
{
	struct vm *vm = arg;

	vm->cons_com1_bytes++;
	vm_cons_putc(vm, byte);
}

/* A new guest's devices, as a PC BIOS leaves them (vmm/io/ says how). */
void
vm_platform_init(struct vm *vm)
{
	pic_reset(&vm->pic);
	pit_init(&vm->pit, vm_now_ns());
	rtc_init(&vm->rtc, vm_unix_ns(), vm->mem_size);
	i8042_init(&vm->kbd, kbd_reset, vm);
	uart16550_init(&vm->com1, UART_COM1, com1_tx, vm);
	termkeys_init(&vm->keys);
	vm->tick_idle = true;
	vm->tick_next_ns = pit_next_irq0_ns(&vm->pit);
}

/*
 * For a text-screen guest (see the top of this file): move what is
 * typed for it into its keyboard, one key at a time as the guest reads
 * them, and let a held key go up when its time is over.
 */
static void
keyboard_input(struct vm *vm)
{
	uint64_t now = vm_now_ns();
	int c;

	termkeys_advance(&vm->keys, &vm->kbd, now);
	// (cons_owner first: looking for input polls the host's devices.)
	if (vm->input_serial || !vm->kbd.looked || cons_owner() != vm->env->env_id)
		return;
	while (termkeys_ready(&vm->keys, &vm->kbd)
	       && (c = cons_getc_owner(vm->env->env_id, false)) != 0)
		termkeys_byte(&vm->keys, &vm->kbd, c, now);
}

/* TICK_MIN_GUEST_US in TSC ticks. */
static uint64_t
tick_min_guest_tsc(void)
{
	return tsc_hz() / 1000000 * TICK_MIN_GUEST_US;
}

/*
 * TSC ticks the guest must still run before a PIT edge may reach the
 * PIC (the holdoff in the header); 0 if it may now, TICK_BUSY while
 * the last tick is not done (the holdoff has not begun).  Notes first
 * whether the last tick is done: IRQ 0 no longer requested nor in
 * service since the previous look (for a guest in auto-EOI mode, the
 * first look after its injection).
 */
static uint64_t
tick_holdoff(struct vm *vm)
{
	const struct pic_chip *m = &vm->pic.chip[0];
	uint64_t ran;

	if (vm->tick_busy)
		vm->tick_done = vm->vcpu.tsc_in_guest;
	vm->tick_busy = (m->irr | m->isr) & 1;
	if (!vm->tick_busy && vm->tick_injected) {
		vm->ticks_done++;
		vm->tick_service_tsc += read_tsc() - vm->tick_injected;
		vm->tick_injected = 0;
	}
	if (vm->tick_idle)
		return 0;
	if (vm->tick_busy)
		return TICK_BUSY;
	ran = vm->vcpu.tsc_in_guest - vm->tick_done;
	return ran >= tick_min_guest_tsc() ? 0 : tick_min_guest_tsc() - ran;
}

/* IRQ 0: the PIT's edges since the last look, once the holdoff allows. */
static void
tick_update(struct vm *vm)
{
	uint64_t edges = pit_advance(&vm->pit, vm_now_ns());

	if (edges) {
		vm->tick_edges += edges;
		if (!vm->tick_owed && vm->tick_next_ns != PIT_NEVER)
			vm->tick_due = clock_ticks(vm->tick_next_ns, tsc_hz());
		vm->tick_owed = true;
	}
	vm->tick_next_ns = pit_next_irq0_ns(&vm->pit);
	if (!vm->tick_owed || tick_holdoff(vm))
		return;
	vm->tick_owed = vm->tick_idle = false;
	pic_set_irq(&vm->pic, 0, 1);
	pic_set_irq(&vm->pic, 0, 0);
	vm->tick_busy = true;
}

/*
 * Bring the devices to now and their interrupt lines to the PIC: the
 * PIT's IRQ 0 edges (tick_update), the RTC's IRQ 8, the keyboard's
 * IRQ 1 and 12, and COM1's IRQ 4 (after moving typed input into its
 * receiver when the guest takes it by interrupt).
 */
void
vm_platform_update(struct vm *vm)
{
	tick_update(vm);
	pic_set_irq(&vm->pic, RTC_IRQ, rtc_irq(&vm->rtc, vm_unix_ns()));
	keyboard_input(vm);
	pic_set_irq(&vm->pic, I8042_IRQ_KBD, i8042_irq1(&vm->kbd));
	pic_set_irq(&vm->pic, I8042_IRQ_AUX, i8042_irq12(&vm->kbd));
	if (vm->com1.ier & UART_IER_RX)
		vm_com1_pull(vm);
	pic_set_irq(&vm->pic, UART_COM1_IRQ, uart_irq(&vm->com1));
}

/* Whether a request on irq would reach the CPU: unmasked all the way. */
static bool
line_open(const struct vm *vm, int irq)
{
	const struct pic_chip *m = &vm->pic.chip[0], *s = &vm->pic.chip[1];

	if (irq < 8)
		return !(m->imr & (1 << irq));
	return !(m->imr & (1 << PIC_CASCADE)) && !(s->imr & (1 << (irq - 8)));
}

/*
 * The TSC at which the next PIT or RTC interrupt, or held key's
 * release, on an open line is due; 0 if none is coming (nothing but
 * input can wake the guest).
 */
uint64_t
vm_platform_deadline(struct vm *vm)
{
	uint64_t pit = 0, rtc = 0, key, ns, hold;

	// A tick requested or in service ends with an exit of its own (the
	// window, the EOI) after which the holdoff starts: no deadline.
	if (line_open(vm, 0) && (hold = tick_holdoff(vm)) != TICK_BUSY) {
		ns = pit_next_irq0_ns(&vm->pit);
		if (!vm->tick_owed && ns != PIT_NEVER)
			pit = clock_ticks(ns, tsc_hz()) + 1;
		// An edge held back, or the next one, waits for the holdoff.
		if ((vm->tick_owed || pit) && hold)
			pit = MAX(pit, read_tsc() + hold);
	}
	if (line_open(vm, RTC_IRQ) && (ns = rtc_next_event_ns(&vm->rtc)) != RTC_NEVER
	    && ns >= (uint64_t) unix_offset_ns)
		rtc = clock_ticks(ns - unix_offset_ns, tsc_hz()) + 1;
	if (line_open(vm, I8042_IRQ_KBD) && (key = termkeys_deadline(&vm->keys)))
		rtc = tsc_earlier(rtc, clock_ticks(key, tsc_hz()) + 1);
	return tsc_earlier(pit, rtc);
}

/* IRQ 0's vector goes in: the tick's statistics. */
static void
tick_went_in(struct vm *vm)
{
	uint64_t now = read_tsc();

	vm->ticks++;
	if (vm->tick_due && vm->tick_due <= now)
		vm->tick_wait_tsc += now - vm->tick_due;
	vm->tick_due = 0;
	vm->tick_injected = now;
}

/*
 * One line of the guest's timer figures, if it took ticks: the PIT's
 * edges and the ticks injected (fewer when edges merged: the guest or
 * the host was late), and in TSC ticks (Bochs: emulated instructions)
 * the mean time from a tick's due time to its injection and from its
 * injection to its end (the guest's EOI, or its first exit after an
 * auto-EOI injection).
 */
void
vm_platform_print_stats(struct vm *vm)
{
	if (!vm->ticks)
		return;
	cprintf("vmm: guest %08x timer: %lu PIT edges, %lu ticks injected, mean cycles "
		"%lu from due to injected, %lu from injected to done\n", vm->env->env_id,
		vm->tick_edges, vm->ticks, vm->tick_wait_tsc / vm->ticks,
		vm->ticks_done ? vm->tick_service_tsc / vm->ticks_done : 0);
}

/*
 * Before an entry: if the PIC requests an interrupt and the guest can
 * take it (RFLAGS.IF, no interrupt shadow, no event already waiting),
 * deliver the vector the PIC's acknowledge gives; while a request
 * remains that cannot go in, ask for an interrupt-window exit.
 */
void
vm_platform_inject(struct vm *vm)
{
	struct vcpu *v = &vm->vcpu;
	bool want = pic_pending_vector(&vm->pic) != PIC_NONE;

	if (want && !vmm->event_pending(v) && (vmm->get_reg(v, VM_REG_RFLAGS) & FL_IF)
	    && !vmm->get_reg(v, VM_REG_INTR_SHADOW)) {
		struct vm_event ev = {
			.valid = true, .type = VM_EVENT_EXTINT, .vector = pic_ack(&vm->pic),
		};
		vmm->inject(v, &ev);
		vm->nirqs++;
		if (ev.vector == vm->pic.chip[0].base)
			tick_went_in(vm);
		want = pic_pending_vector(&vm->pic) != PIC_NONE;
	}
	if (want != vm->window) {
		vmm->intr_window(v, want);
		vm->window = want;
	}
}

/* Whether input for the guest waits in COM1 or on the console. */
static bool
input_waiting(struct vm *vm)
{
	return vm->com1.rx_count > 0 || cons_getc_owner(vm->env->env_id, true);
}

/*
 * Whether the guest's HLT is its last instruction: a 64-bit kernel
 * that never made a hypercall (an unmodified one: Linux) halting with
 * interrupts off waits for nothing this PC can send (it has no NMI
 * source).  That is how Linux without ACPI powers off: it masks the
 * PICs, then halts.  Paravirtual guests (the JOS guest, whose idle HLT
 * input ends) and the 16- and 32-bit test kernels (which halt to wait
 * for typed input, or to be stopped) keep sleeping until input comes.
 */
static bool
halted_for_good(struct vm *vm)
{
	struct vcpu *v = &vm->vcpu;
	uint64_t calls = 0;

	if ((vmm->get_reg(v, VM_REG_RFLAGS) & FL_IF) || !(vmm->get_reg(v, VM_REG_EFER) & EFER_LMA))
		return false;
	for (int i = 0; i < HC_COUNT; i++)
		calls += vm->nhypercalls[i];
	return calls == 0;
}

/*
 * The guest executed HLT (already skipped).  With interrupts off, or
 * none that can come but from input, it sleeps, not runnable, until
 * input arrives for it (VM_BLOCK), as the JOS guest's idle loop
 * expects; with an interrupt due later, VM_HALT: the run loop keeps it
 * asleep until vm_halt_over.  VM_RESUME if it need not wait.
 */
enum vm_action
vm_halt(struct vm *vm)
{
	struct vcpu *v = &vm->vcpu;

	if (halted_for_good(vm)) {
		cprintf("vmm: guest %08x powered off (HLT with interrupts off)\n",
			vm->env->env_id);
		return VM_KILL;
	}
	if (input_waiting(vm))
		return VM_RESUME;
	if (vmm->get_reg(v, VM_REG_RFLAGS) & FL_IF) {
		vm->tick_idle = true;		// it waits: no holdoff
		vm_platform_update(vm);
		if (pic_pending_vector(&vm->pic) != PIC_NONE)
			return VM_RESUME;
		if (vm_platform_deadline(vm)) {
			vm->halted = true;
			return VM_HALT;
		}
	}
	env_block_console(vm->env);
	return VM_BLOCK;
}

/* Whether a guest asleep in HLT (VM_HALT) has something to wake up for. */
bool
vm_halt_over(struct vm *vm)
{
	vm_platform_update(vm);
	return pic_pending_vector(&vm->pic) != PIC_NONE || input_waiting(vm)
		|| !vm_platform_deadline(vm);
}
