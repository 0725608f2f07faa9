#!/bin/sh
# Emit assembly that embeds each user program given on the command line
# and a table user_programs[] of {name, start, end}, ended by a zero row.
echo '.section .rodata'
echo '.p2align 3'
echo '.globl user_programs'
echo 'user_programs:'
i=0
for f in "$@"; do
	echo "	.quad prog_name_$i, prog_start_$i, prog_end_$i"
	i=$((i + 1))
done
echo '	.quad 0, 0, 0'
i=0
for f in "$@"; do
	echo "prog_name_$i: .asciz \"$(basename "$f")\""
	echo '.p2align 3'
	echo "prog_start_$i: .incbin \"$f\""
	echo "prog_end_$i:"
	i=$((i + 1))
done
