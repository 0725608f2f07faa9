/*
 * A polling IDE (ATA PIO) driver for the primary channel.  Only the
 * file server runs this: it alone has I/O privilege.  Device interrupts
 * are switched off; every wait is bounded, so a missing or stuck disk
 * is reported instead of hanging the server.
 */

#include <inc/x86.h>
#include "fs.h"

#define IDE_DATA	0x1F0
#define IDE_ERROR	0x1F1
#define IDE_NSECT	0x1F2
#define IDE_LBA0	0x1F3
#define IDE_LBA1	0x1F4
#define IDE_LBA2	0x1F5
#define IDE_DRIVE	0x1F6
#define IDE_CMD		0x1F7	// status when read
#define IDE_CTRL	0x3F6

#define IDE_BSY		0x80
#define IDE_DRDY	0x40
#define IDE_DF		0x20
#define IDE_DRQ		0x08
#define IDE_ERR		0x01

#define CMD_READ	0x20
#define CMD_WRITE	0x30
#define CMD_IDENTIFY	0xEC

#define CTRL_NIEN	0x02	// no interrupts from the drive

// Status polls before a wait gives up (seconds, even under emulation).
#define IDE_TIMEOUT	5000000

static int diskno = 1;
static uint32_t disk_nsectors;

/*
 * Wait until the drive is not busy and is ready.  Returns the last
 * status, or -1 after IDE_TIMEOUT polls.
 */
static int
ide_wait_ready(void)
{
	int i, r;

	for (i = 0; i < IDE_TIMEOUT; i++) {
		r = inb(IDE_CMD);
		if ((r & (IDE_BSY | IDE_DRDY)) == IDE_DRDY)
			return r;
	}
	return -1;
}

/*
 * Wait until the drive wants to move a sector of data.  Returns 0, or
 * -1 (after printing why) on an error status or a timeout.
 */
static int
ide_wait_data(const char *what, uint32_t secno)
{
	int i, r;

	for (i = 0; i < IDE_TIMEOUT; i++) {
		r = inb(IDE_CMD);
		if (r & IDE_BSY)
			continue;
		if (r & (IDE_ERR | IDE_DF)) {
			cprintf("ide: %s sector %u: status %02x error %02x\n",
				what, secno, r, inb(IDE_ERROR));
			return -1;
		}
		if (r & IDE_DRQ)
			return 0;
	}
	cprintf("ide: %s sector %u: timed out\n", what, secno);
	return -1;
}

/* Select the current disk and aim at secno; the drive must be ready. */
static int
ide_select(uint32_t secno, size_t nsecs)
{
	outb(IDE_DRIVE, 0xE0 | ((diskno & 1) << 4) | ((secno >> 24) & 0x0F));
	if (ide_wait_ready() < 0)
		return -1;
	outb(IDE_CTRL, CTRL_NIEN);
	outb(IDE_NSECT, nsecs);
	outb(IDE_LBA0, secno & 0xFF);
	outb(IDE_LBA1, (secno >> 8) & 0xFF);
	outb(IDE_LBA2, (secno >> 16) & 0xFF);
	return 0;
}

/*
 * Is there an ATA disk 1 (the slave of the primary channel)?  If so it
 * becomes the current disk and its size is learned.
 */
bool
ide_probe_disk1(void)
{
	uint16_t id[SECTSIZE / 2];
	int r;

	outb(IDE_DRIVE, 0xE0 | (1 << 4));
	r = inb(IDE_CMD);
	if (r == 0x00 || r == 0xFF || ide_wait_ready() < 0) {
		cprintf("ide: no disk 1 (status %02x)\n", r);
		return false;
	}
	outb(IDE_CTRL, CTRL_NIEN);
	outb(IDE_CMD, CMD_IDENTIFY);
	if (ide_wait_data("identify", 0) < 0)
		return false;
	insw(IDE_DATA, id, SECTSIZE / 2);
	disk_nsectors = id[60] | ((uint32_t) id[61] << 16);
	ide_set_disk(1);
	cprintf("ide: disk 1 has %u sectors\n", disk_nsectors);
	return true;
}

/* Use disk d (0 or 1) from now on. */
void
ide_set_disk(int d)
{
	if (d != 0 && d != 1)
		panic("bad disk number %d", d);
	diskno = d;
}

/* Sectors on disk 1, as it reported them (0 if unknown). */
uint32_t
ide_nsectors(void)
{
	return disk_nsectors;
}

/* Read nsecs sectors from secno into dst.  Returns 0, or -1 on failure. */
int
ide_read(uint32_t secno, void *dst, size_t nsecs)
{
	char *p = dst;

	if (nsecs == 0 || nsecs > 256)
		panic("ide_read: %zu sectors", nsecs);
	if (ide_select(secno, nsecs) < 0) {
		cprintf("ide: read sector %u: disk not ready\n", secno);
		return -1;
	}
	outb(IDE_CMD, CMD_READ);
	for (; nsecs > 0; nsecs--, secno++, p += SECTSIZE) {
		if (ide_wait_data("read", secno) < 0)
			return -1;
		insl(IDE_DATA, p, SECTSIZE / 4);
	}
	return 0;
}

/* Write nsecs sectors from src to secno.  Returns 0, or -1 on failure. */
int
ide_write(uint32_t secno, const void *src, size_t nsecs)
{
	const char *p = src;

	if (nsecs == 0 || nsecs > 256)
		panic("ide_write: %zu sectors", nsecs);
	if (ide_select(secno, nsecs) < 0) {
		cprintf("ide: write sector %u: disk not ready\n", secno);
		return -1;
	}
	outb(IDE_CMD, CMD_WRITE);
	for (; nsecs > 0; nsecs--, secno++, p += SECTSIZE) {
		if (ide_wait_data("write", secno) < 0)
			return -1;
		outsl(IDE_DATA, p, SECTSIZE / 4);
	}
	if (ide_wait_ready() < 0 || (inb(IDE_CMD) & (IDE_ERR | IDE_DF))) {
		cprintf("ide: write ending at sector %u failed\n", secno);
		return -1;
	}
	return 0;
}
