#!/usr/bin/env bash
# conf/mkcmdline.sh IMG "TOKENS": write the kernel command line TOKENS into the
# boot sector of disk image IMG, in place (patch a copy, not obj/kern/kernel.img).
#
# The boot sector keeps a 64-byte area at byte offset 446 (0x1BE..0x1FD, just
# before the 0x55AA signature) holding a NUL-terminated ASCII string of
# space-separated tokens, e.g. "prog=hello exit". The string may be at most
# 63 bytes; the rest of the area is zero-filled. An empty TOKENS clears it.
set -eu

if [ $# -ne 2 ]; then
	echo "usage: $0 IMG \"TOKENS\"" >&2
	exit 2
fi
img=$1
cmdline=$2

if [ ! -f "$img" ]; then
	echo "$0: $img: no such file" >&2
	exit 1
fi
size=$(stat -c %s -- "$img")
if [ "$size" -lt 512 ]; then
	echo "$0: $img: smaller than a boot sector" >&2
	exit 1
fi
len=$(printf '%s' "$cmdline" | LC_ALL=C wc -c)
if [ "$len" -gt 63 ]; then
	echo "$0: command line is $len bytes, at most 63 fit: $cmdline" >&2
	exit 1
fi
if printf '%s' "$cmdline" | LC_ALL=C grep -q '[^ -~]'; then
	echo "$0: command line must be printable ASCII: $cmdline" >&2
	exit 1
fi

{
	printf '%s' "$cmdline"
	head -c $((64 - len)) /dev/zero
} | dd of="$img" bs=1 seek=446 count=64 conv=notrunc status=none
