# conf/tests/06-devices.sh: host-side tests of the device models
# (vmm/io/*.c, pure state machines; vmm/test/DEVICE_test.c).  Each test
# first builds its model with the kernel's flags (freestanding, no SSE,
# -Werror) into obj/vmm/io/, then runs its host test program, which
# prints "NAME: N checks, M failed" at the end.

# Build vmm/io/$1.c (every model if $1 is "all") for the kernel, then
# run obj/hosttest/$2.
dev_run() {
	local model=$1 name=$2 log=$3 objs
	if [[ $model == all ]]; then
		objs=$(ls vmm/io/*.c | sed 's|^vmm/io/\(.*\)\.c$|obj/vmm/io/\1.o|')
	else
		objs="obj/vmm/io/$model.o obj/vmm/io/ioport.o obj/vmm/io/clock.o"
	fi
	make -s $objs >>"$log" 2>&1 || return 1
	make -s "obj/hosttest/$name" >>"$log" 2>&1 || return 1
	"obj/hosttest/$name" >>"$log" 2>&1
}

# add_dev_test NAME MODEL PROGRAM TIMEOUT: a test that builds MODEL and
# runs obj/hosttest/PROGRAM, which must end with "PROGRAM: N checks, 0
# failed".
declare -gA DEV_MODEL=() DEV_PROGRAM=()
dev_session() {
	local name=${T_NAME[GRADE_INDEX]}
	dev_run "${DEV_MODEL[$name]}" "${DEV_PROGRAM[$name]}" "$2"
}
add_dev_test() {
	DEV_MODEL[$1]=$2 DEV_PROGRAM[$1]=$3
	add_test "$1" --func dev_session --timeout "$4" \
		--expect "^$3: [0-9]+ checks, 0 failed\$" --forbid 'FAILED'
}

# The 8259A pair: ICWs, OCW1-3, priorities, EOI, AEOI, cascade, ELCR, poll.
add_dev_test dev_i8259 i8259 i8259_test 60

# The 8254: modes 0-4, access modes, latch, read-back, BCD, IRQ 0 edges
# and their timing, port 0x61.
add_dev_test dev_i8254 i8254 i8254_test 60

# The 16550A: registers and DLAB, RX FIFO and overrun, IIR priorities,
# the IRQ line and OUT2, loopback.
add_dev_test dev_uart uart16550 uart16550_test 60

# Random port accesses, lines, acknowledges and time steps on every
# model (3 million steps each, a fixed seed), invariants after each.
add_dev_test dev_fuzz all devfuzz_test 120

# The MC146818: time in BCD/binary and 12/24 hours, SET, the calendar,
# CMOS memory sizes and checksum, register C and IRQ 8.
add_dev_test dev_rtc rtc rtc_test 60

# The 8042 and keyboard: set 1 make/break codes from typed characters,
# controller and keyboard commands, IRQ 1, the reset line.
add_dev_test dev_i8042 i8042 i8042_test 60
