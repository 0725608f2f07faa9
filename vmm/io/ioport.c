/*
 * Wide port accesses to byte-wide device models (vmm/io/ioport.h).
 */
#include <inc/error.h>
#include <vmm/io/ioport.h>

/*
 * Perform an access of width bytes (1, 2 or 4) at port on dev through
 * its byte handler fn: byte i of *val goes to (or comes from) port + i.
 * The first byte must be the device's; bytes beyond its ports read as
 * 0xFF (a floating bus) and their writes are dropped.  Returns 0, or
 * -E_INVAL for a bad width or a port that is not the device's (then
 * *val is unchanged and the device untouched).
 */
int
io_split(void *dev, io_byte_fn fn, uint16_t port, int width, bool write, uint32_t *val)
{
	uint32_t out = 0;

	if (width != 1 && width != 2 && width != 4)
		return -E_INVAL;
	for (int i = 0; i < width; i++) {
		uint8_t b = write ? (uint8_t) (*val >> (8 * i)) : 0xFF;
		int r = fn(dev, (uint16_t) (port + i), write, &b);

		if (r < 0 && i == 0)
			return r;
		if (r < 0)
			b = 0xFF;
		out |= (uint32_t) b << (8 * i);
	}
	if (!write)
		*val = out;
	return 0;
}
