# conf/tests/05-unit.sh: host-side unit tests of the monitor's pure
# logic (vmm/test/*_test.c, built with the host's gcc by `make
# hosttest`): no emulator, milliseconds each.  Each program prints a
# line per failed check and "NAME: N checks, M failed" at the end.

# Run host test program $1 (obj/hosttest/$1), its output into the log.
unit_run() {
	local name=$1 log=$2
	make -s "obj/hosttest/$name" >>"$log" 2>&1 || return 1
	"obj/hosttest/$name" >>"$log" 2>&1
}

unit_x86() { unit_run x86_test "$2"; }
unit_hccheck() { unit_run hccheck_test "$2"; }
unit_rsp() { unit_run rsp_test "$2"; }
unit_walk() { unit_run walk_test "$2"; }

# CR0/CR4/EFER validity and long mode, refused port reads, event
# re-injection and exception delivery (vmm/x86.c).
add_test unit_x86 --func unit_x86 --timeout 30 \
	--expect '^x86_test: [0-9]+ checks, 0 failed$' --forbid 'FAILED'

# Hypercall argument checks and the HC_MBMAP memory map (vmm/hccheck.c).
add_test unit_hccheck --func unit_hccheck --timeout 30 \
	--expect '^hccheck_test: [0-9]+ checks, 0 failed$' --forbid 'FAILED'

# The gdb remote serial protocol: framing, every command against a fake
# target, and a fuzz loop (vmm/gdb/rsp.c, cmd.c, tdesc.c).
add_test unit_rsp --func unit_rsp --timeout 30 \
	--expect '^rsp_test: [0-9]+ checks, 0 failed$' --forbid 'FAILED'

# The guest page walk the debugger reads memory through (vmm/gdb/walk.c):
# long mode, PAE, 32-bit paging, large pages, absent entries.
add_test unit_walk --func unit_walk --timeout 30 \
	--expect '^walk_test: [0-9]+ checks, 0 failed$' --forbid 'FAILED'

# The same protocol code against Debian's gdb, through a pipe to a fake
# machine (vmm/test/rsp_serve.c): gdb takes the target description and
# the register layout, reads and writes registers and memory, stops at
# a breakpoint, steps, detaches.
unit_rsp_gdb() {
	local dir=$1 log=$2
	make -s obj/hosttest/rsp_serve >>"$log" 2>&1 || return 1
	timeout 20 gdb -n -batch -x conf/gdb-rsp.gdb </dev/null >>"$log" 2>&1
}
add_test unit_rsp_gdb --func unit_rsp_gdb --timeout 30 \
	--expect-seq '^rip +0x100000 ' \
	--expect-seq '^0x100000:.0x9090909090909090.0x9090909090909090' \
	--expect-seq '^Breakpoint 1, 0x0000000000100010 in' \
	--expect-seq '^GDB: stepi moved pc' \
	--expect-seq '^\$1 = 0x1234' \
	--expect-seq '^0x100020:.0x1122334455667788' \
	--expect-seq '^\[Inferior 1 \(Remote target\) detached\]' \
	--forbid "Remote 'g' packet reply is too long" --forbid 'Error in sourced command file'
