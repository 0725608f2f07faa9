/*
 * The virtual 8254 programmable interval timer of a PC (ports 0x40-0x43)
 * and system control port B (0x61: channel 2's gate and output, the
 * speaker enable, the refresh toggle).  A pure state machine on a clock
 * the caller passes in as nanoseconds (from the host TSC): channels
 * count the 1.193182 MHz input clock derived from it.  Channel 0's
 * output drives IRQ 0: pit_advance says how many rising edges it made,
 * pit_next_irq0_ns when the next is due, so the core can sleep till then.
 */
#ifndef JOS_VMM_IO_I8254_H
#define JOS_VMM_IO_I8254_H

#include <inc/types.h>

#define PIT_HZ		1193182		// input clock of every channel
#define PIT_NEVER	(~(uint64_t) 0)	// pit_next_irq0_ns: no edge coming
#define PIT_CH0		0x40
#define PIT_CH2		0x42
#define PIT_CTRL	0x43
#define PIT_PORT_B	0x61

#define PIT_B_GATE2	0x01		// port 0x61: channel 2 gate (read/write)
#define PIT_B_SPEAKER	0x02		// speaker data enable (read/write)
#define PIT_B_REFRESH	0x10		// refresh request toggle (read only)
#define PIT_B_OUT2	0x20		// channel 2 output (read only)

/* One counter.  Times are in input clocks ("ticks"). */
struct pit_channel {
	uint8_t		mode;		// as programmed, 0-7 (6 and 7 act as 2 and 3)
	uint8_t		access;		// read/write: 1 low byte, 2 high byte, 3 both
	bool		bcd;		// counts in 4 decimal digits
	bool		gate;		// GATE input (tied high but on channel 2)
	bool		armed;		// a count was written since the control word
	bool		running;	// counting now (gate and trigger allow)
	bool		triggered;	// modes 1 and 5: a gate edge started a count
	bool		pending;	// modes 2 and 3: a new count waits for the period's end
	bool		null_count;	// a written count is not in use yet
	bool		write_hi;	// both bytes: the next write is the high byte
	bool		read_hi;	// both bytes: the next read is the high byte
	bool		status_latched;	// read-back latched the status byte
	uint8_t		status;
	uint8_t		latch_left;	// bytes of a latched count still to read
	uint16_t	latch;		// the latched count
	uint8_t		low;		// the low byte written, waiting for the high
	uint32_t	count;		// the count in use: 1-65536 (BCD: 1-10000)
	uint32_t	written;	// the count written last
	uint64_t	switch_at;	// pending: elapsed clocks when it takes over
	uint64_t	elapsed;	// clocks counted before run_start in this count
	uint64_t	run_start;	// tick when counting last (re)started
	uint64_t	seen;		// elapsed clocks whose edges are in edges
	uint64_t	edges;		// rising edges of OUT not yet reported
};

struct pit {
	struct pit_channel	ch[3];
	uint64_t		now_ns;		// the latest time seen
	uint64_t		now;		// the same in ticks
	uint8_t			port_b;		// port 0x61 bits 0-3, as written
};

void		pit_init(struct pit *p, uint64_t now_ns);
uint64_t	pit_advance(struct pit *p, uint64_t now_ns);
uint64_t	pit_next_irq0_ns(const struct pit *p);
int		pit_io(struct pit *p, uint64_t now_ns, uint16_t port, int width,
		       bool write, uint32_t *val);

#endif
