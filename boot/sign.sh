#!/bin/sh
# Pad a boot sector to 512 bytes and add the 0x55AA signature.  The code
# must end before the 64-byte command line area at offset 446.
set -e
f=$1
size=$(wc -c < "$f")
if [ "$size" -gt 446 ]; then
	echo "boot sector code is $size bytes; the limit is 446 (command line at 446..509)" >&2
	exit 1
fi
echo "boot sector code is $size bytes (limit 446)"
dd if=/dev/zero of="$f" bs=1 count=$((510 - size)) seek="$size" conv=notrunc status=none
printf '\125\252' | dd of="$f" bs=1 seek=510 conv=notrunc status=none
