# conf/tests/63-platform.sh: unmodified guests on the virtual PC
# (issue 13): the multiboot v1 loader's pure part, host side.

unit_multiboot() { unit_run multiboot_test "$2"; }

# Multiboot headers (ELF32, ELF64, a.out kludge), every refusal with its
# reason, the information block, and 200000 corrupted kernels (user/vmm/multiboot.c).
add_test unit_multiboot --func unit_multiboot --timeout 60 \
	--expect '^multiboot_test: [0-9]+ checks, 0 failed$' --forbid 'FAILED'
