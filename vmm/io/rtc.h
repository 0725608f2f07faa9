/*
 * The virtual MC146818 real-time clock and CMOS memory of a PC (index
 * port 0x70, data port 0x71).  A pure state machine on the host's
 * time, passed in as nanoseconds since the Unix epoch: the guest reads
 * that time (in BCD or binary, 12 or 24 hours, as register B says)
 * until it sets its own, which then runs on at the host's pace.  The
 * memory-size bytes describe the guest's memory.  IRQ 8 carries the
 * periodic and update-ended interrupts (no alarm interrupt).
 */
#ifndef JOS_VMM_IO_RTC_H
#define JOS_VMM_IO_RTC_H

#include <inc/types.h>

#define RTC_INDEX	0x70
#define RTC_DATA	0x71
#define RTC_IRQ		8
#define RTC_NEVER	(~(uint64_t) 0)
#define RTC_CMOS_SIZE	128

struct rtc {
	uint8_t		ram[RTC_CMOS_SIZE];	// registers and CMOS memory
	uint8_t		index;			// register the data port reaches
	int64_t		offset;			// guest's time minus the host's, seconds
	uint64_t	now_ns;			// the latest time seen
	uint64_t	c_read_ns;		// when register C was last read
};

void		rtc_init(struct rtc *r, uint64_t now_ns, uint64_t mem_bytes);
int		rtc_io(struct rtc *r, uint64_t now_ns, uint16_t port, int width,
		       bool write, uint32_t *val);
bool		rtc_irq(struct rtc *r, uint64_t now_ns);
uint64_t	rtc_next_event_ns(const struct rtc *r);

#endif
