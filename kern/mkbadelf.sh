#!/bin/sh
# mkbadelf.sh GOOD OUTDIR: write malformed copies of the ELF executable
# GOOD into OUTDIR, for tests that the kernel's loader refuses each one:
#   badelf_magic     wrong magic number
#   badelf_phoff     program header table far outside the file
#   badelf_segment   a loadable segment placed in the kernel (above UTOP)
#   badelf_truncated the file cut short inside its segments
set -e
good=$1
out=$2
mkdir -p "$out"

# Overwrite bytes at offset $2 of file $1 with the octal-escaped string $3.
patch() {
	printf "$3" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

cp "$good" "$out/badelf_magic"
patch "$out/badelf_magic" 0 'XELF'

cp "$good" "$out/badelf_phoff"
patch "$out/badelf_phoff" 32 '\000\000\000\000\000\377\377\377'

phoff=$(od -An -t u8 -j 32 -N 8 "$good" | tr -d ' ')
cp "$good" "$out/badelf_segment"
# p_vaddr of the first program header := 0x8004100000
patch "$out/badelf_segment" $((phoff + 16)) '\000\000\020\004\200\000\000\000'

head -c 300 "$good" > "$out/badelf_truncated"
