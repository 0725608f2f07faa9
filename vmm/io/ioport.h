/*
 * Port I/O for the device models (vmm/io/): a guest's IN or OUT of 1, 2
 * or 4 bytes, split into byte accesses at port, port+1, ... the way an
 * ISA bus splits a wide access to 8-bit chips.
 */
#ifndef JOS_VMM_IO_IOPORT_H
#define JOS_VMM_IO_IOPORT_H

#include <inc/types.h>

/*
 * One byte access to a device: a write of *byte, or a read into *byte.
 * Returns 0, or -E_INVAL when port is not one of the device's.
 */
typedef int (*io_byte_fn)(void *dev, uint16_t port, bool write, uint8_t *byte);

int	io_split(void *dev, io_byte_fn fn, uint16_t port, int width,
		 bool write, uint32_t *val);

#endif
