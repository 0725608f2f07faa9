# conf/tests/64-gdb.sh: gdb on a running guest, through the monitor's
# stub (vmm/gdb/) on the host's COM2, on each backend.
#
# The host shell starts a guest, hands the console back (Ctrl-]), runs
# `vmctl debug ID`: the guest, idle, stops for gdb (conf/gdb-guest.gdb)
# at once, and while gdb holds it the host's shell answers a command.
# The shell gives the guest the console again and types a line to it;
# gdb breaks at the guest kernel's syscall(), backtraces, steps, reads
# memory, stops there again by a hardware breakpoint, lets it run and
# stops it with Ctrl-C, and detaches.  The guest then answers typed
# commands again.

# gdb_wait_for LOG COUNT ERE: wait until LOG has COUNT lines matching ERE.
gdb_wait_for() {
	local log=$1 count=$2 re=$3
	until (($(grep -cE -- "$re" "$log") >= count)); do
		(($(now_ms) < GRADE_DEADLINE_MS)) || return 1
		sleep 0.2
	done
}

# gdb_guest_started [WHAT]: the id of the first guest vmm said it was
# starting (WHAT: what it starts, e.g. multiboot), from the caller's
# $serial; empty if none.
gdb_guest_started() {
	grep -oE "vmm: guest [0-9a-f]{8} starting${1:+: $1}" "$serial" | head -n 1 | cut -d' ' -f3
}

# gdb_machine EMU DIR LOG: boot DIR's images under EMU (bochs or qemu)
# with COM1 and COM2 on TCP ports of their own, COM1 connected to file
# descriptor $con (its output in DIR/serial.log); $gdbport is COM2's,
# listening once this returns.  The machine starts once COM2 has its
# connection too: gdb's.
gdb_machine() {
	local emu=$1 dir=$2 log=$3 p1
	# Tests run side by side: each its own range of ports.
	p1=$(grade_unused_port $((36000 + $(id -u) % 500 * 40 + GRADE_INDEX % 10 * 4)))
	gdbport=$(grade_unused_port $((p1 + 1)))
	if [[ $emu == bochs ]]; then
		BOCHS_COM1="mode=socket-server, dev=localhost:$p1" \
			BOCHS_COM2="enabled=1, mode=socket-server, dev=localhost:$gdbport" \
			bash conf/bochs.sh prepare "$dir" "$dir/kernel.img" "$dir/fs.img" >>"$log" 2>&1 ||
			return 1
		bochs -q -f "$dir/bochsrc" -rc "$dir/bochs.rc" </dev/null >"$dir/bochs.out" 2>&1 &
	else
		qemu_cmd "$GRADE_INDEX" "$dir"
		"${QCMD[@]}" -serial "tcp:127.0.0.1:$p1,server=on,wait=on" \
			-serial "tcp:127.0.0.1:$gdbport,server=on,wait=on" </dev/null >"$dir/qemu.err" 2>&1 &
	fi
	echo $! >>"$dir/pids"
	grade_wait_listen "$p1" 60 || { echo "$emu is not listening on $p1" >>"$log"; return 1; }
	exec {con}<>"/dev/tcp/127.0.0.1/$p1" || return 1
	: >"$dir/serial.log"
	cat <&"$con" >"$dir/serial.log" &
	echo $! >>"$dir/pids"
	grade_wait_listen "$gdbport" 60 || { echo "$emu is not listening on $gdbport" >>"$log"; return 1; }
}

# guest_gdb_session DIR LOG (GDB_EMU: bochs or qemu): the scripted
# session of conf/gdb-guest.gdb against the guest of a running `vmm`.
# gdb_wait_file PATH: wait until PATH exists.
gdb_wait_file() {
	until [[ -e $1 ]]; do
		(($(now_ms) < GRADE_DEADLINE_MS)) || return 1
		sleep 0.2
	done
}

guest_gdb_session() {
	local dir=$1 log=$2 serial=$1/serial.log id gpid st
	gdb_machine "${GDB_EMU:-bochs}" "$dir" "$log" || return 1
	sed -e "s/@GDBPORT@/$gdbport/" -e "s|@DIR@|$dir|g" conf/gdb-guest.gdb >"$dir/gdb-guest.gdb"
	timeout "$(grade_time_left)" gdb -n -batch -x "$dir/gdb-guest.gdb" obj/guest/kernel \
		</dev/null >"$dir/gdb.out" 2>&1 &
	gpid=$!
	echo $gpid >>"$dir/pids"

	# The guest's file server's line: the host prints none (init's lines
	# it prints too).
	gdb_wait_for "$serial" 1 '\$ ' && printf '/vmm/vmm\r' >&"$con" &&
		gdb_wait_for "$serial" 1 '^(\[guest [0-9a-f]{8}\] )?hostdisk: /vmm/disk-' || st=1
	id=$(gdb_guest_started)
	if [[ -z ${st:-} && -n $id ]]; then
		sleep 2
		printf '\x1d' >&"$con"
		sleep 1
		printf '\rvmctl debug %s\r' "$id" >&"$con"
		# While gdb holds the guest, the host's shell answers.
		gdb_wait_for "$serial" 1 "waits for gdb on COM2" && gdb_wait_file "$dir/held" &&
			printf 'echo host-runs-while-held\r' >&"$con" &&
			gdb_wait_for "$serial" 1 '^host-runs-while-held' && touch "$dir/host-ran" &&
			printf 'vmctl focus %s\r' "$id" >&"$con" &&
			gdb_wait_for "$serial" 1 'has the console' && sleep 1 &&
			printf 'echo before\r' >&"$con" || st=1
	fi
	# Ctrl-C: gdb sends it when it gets SIGINT while the guest runs.
	if [[ -z ${st:-} ]] && gdb_wait_file "$dir/running"; then
		sleep 2
		# gdb itself, not timeout, which would pass it to gdb twice.
		kill -INT $(ps -o pid= --ppid "$gpid")
	fi
	wait "$gpid"
	st=${st:-$?}
	# Detached: the guest goes on by itself.
	printf 'echo after-detach\r' >&"$con"
	gdb_wait_for "$serial" 1 '^(\[guest [0-9a-f]{8}\] )?after-detach' || st=1
	{ echo "--- gdb"; cat "$dir/gdb.out"; echo "--- console"; tr -d '\r' <"$serial"; } >>"$log"
	exec {con}>&-
	return "$st"
}

guest_gdb_session_qemu() {
	GDB_EMU=qemu guest_gdb_session "$@"
}
guest_gdb_session_bsvm() {
	BOCHS_MODEL=ryzen guest_gdb_session "$@"
}

# What every session ends with (gdb's output, then the console's), and
# what none may say.
GDB_DETACHED=(--expect-seq '^\[Inferior 1 \(Remote target\) detached\]' --expect-seq '^GDB: detached'
	--expect-seq 'vmm: guest [0-9a-f]{8}: the debugger let go')
GDB_FORBID=(--forbid "Remote 'g' packet reply is too long" --forbid 'Cannot insert'
	--forbid 'Error in sourced command file')

# The same session, run under Bochs (VT-x), under QEMU (SVM: int3 by
# the INT n intercept, steps by RFLAGS.TF) and on Bochs' AMD model (int3
# by the #BP intercept).
GUEST_GDB_EXPECT=(
	--expect-seq '^GDB: attached' \
	--expect '^host-runs-while-held' \
	--expect-seq '^GDB: the host ran meanwhile' \
	--expect-seq '^Breakpoint 1 at 0x[0-9a-f]+: file kern/syscall.c, line [0-9]+' \
	--expect-seq '^Breakpoint 1, syscall \(.*\) at kern/syscall.c:[0-9]+' \
	--expect-seq '^#0 +syscall \(.*\) at kern/syscall.c:[0-9]+' \
	--expect-seq '^#1 +0x[0-9a-f]+ in [a-z_]+ \(.*\) at kern/[a-z_]+\.c:[0-9]+' \
	--expect-seq '^GDB: stepi moved pc' \
	--expect-seq '^0x[0-9a-f]+:.0x[0-9a-f]{16}.0x[0-9a-f]{16}' \
	--expect-seq '^rip +0x[0-9a-f]+ +0x[0-9a-f]+ <syscall\+[0-9]+>' \
	--expect-seq '^Breakpoint 1, syscall \(' \
	--expect-seq '^GDB: registers changed' \
	--expect-seq '^Hardware assisted breakpoint 2 at 0x[0-9a-f]+: file kern/syscall.c, line [0-9]+' \
	--expect-seq '^Breakpoint 2, syscall \(' \
	--expect-seq '^GDB: stopped at syscall by a hardware breakpoint' \
	--expect-seq 'received signal SIGINT' \
	--expect-seq '^GDB: interrupted' \
	--expect-seq '^rip +0x[0-9a-f]+ ' \
	"${GDB_DETACHED[@]}" \
	--expect-seq '^(\[guest [0-9a-f]{8}\] )?after-detach' \
	"${GDB_FORBID[@]}"
)
add_test guest_gdb --func guest_gdb_session --timeout 400 "${GUEST_GDB_EXPECT[@]}"
add_test guest_gdb_qsvm --backend qemu-svm --func guest_gdb_session_qemu --timeout 300 \
	"${GUEST_GDB_EXPECT[@]}"
add_test guest_gdb_bsvm --func guest_gdb_session_bsvm --timeout 400 "${GUEST_GDB_EXPECT[@]}"

# gdb_run SCRIPT DIR LOG: run gdb with conf/SCRIPT (its @GDBPORT@ and
# @DIR@ filled in) in the background, its output in DIR/SCRIPT.out; its
# pid in $gpid.
gdb_run() {
	local script=$1 dir=$2
	sed -e "s/@GDBPORT@/$gdbport/" -e "s|@DIR@|$dir|g" -e "s|^@HW@|${GDB_HW-}|" \
		"conf/$script" >"$dir/$script"
	timeout "$(grade_time_left)" gdb -n -batch -x "$dir/$script" </dev/null \
		>"$dir/$script.out" 2>&1 &
	gpid=$!
	echo $gpid >>"$dir/pids"
}

# guest_gdb_start DIR LOG: `vmm --gdb` holds the guest before its first
# instruction (nothing of it on the console until gdb lets it go), and
# a hardware breakpoint stops it at its kernel's entry; then gdb on the
# 32-bit multiboot guest mbtest, stopped by `vmctl debug`.
guest_gdb_start() {
	local dir=$1 log=$2 serial=$1/serial.log id st
	gdb_machine "${GDB_EMU:-qemu}" "$dir" "$log" || return 1
	gdb_run gdb-guest-start.gdb "$dir"
	gdb_wait_for "$serial" 1 '\$ ' && printf 'vmm --gdb prog=hello nofs exit\r' >&"$con" &&
		gdb_wait_file "$dir/first" || st=1
	if grep -qE '^(--- guest |\[guest )' "$serial"; then
		echo "TEST: the guest printed before gdb let it go" >>"$log"
	else
		echo "TEST: nothing of the guest while gdb held it" >>"$log"
	fi
	touch "$dir/looked"
	wait "$gpid" || st=1
	gdb_wait_for "$serial" 1 '^vmm: guest [0-9a-f]{8} is gone' &&
		printf 'vmm --kernel /guests/mbtest\r' >&"$con" &&
		gdb_wait_for "$serial" 1 'mbtest: .*type something' || st=1
	id=$(gdb_guest_started multiboot)
	if [[ -z ${st:-} && -n $id ]]; then
		gdb_run gdb-guest-i386.gdb "$dir"
		sleep 1
		printf '\x1d' >&"$con"
		sleep 1
		printf '\rvmctl debug %s\r' "$id" >&"$con"
		wait "$gpid" || st=1
		printf 'vmctl stop %s\r' "$id" >&"$con"
		gdb_wait_for "$serial" 2 '^vmm: guest [0-9a-f]{8} is gone' || st=1
	fi
	{ echo "--- gdb"; cat "$dir"/gdb-guest-start.gdb.out "$dir"/gdb-guest-i386.gdb.out
	  echo "--- console"; tr -d '\r' <"$serial"; } >>"$log"
	exec {con}>&-
	return "${st:-0}"
}

guest_gdb_start_qemu() {
	GDB_EMU=qemu guest_gdb_start "$@"
}
# On QEMU (SVM) only: Bochs' COM2 socket takes one connection, this test
# makes two.  The hardware breakpoint (the @HW@ lines of
# conf/gdb-guest-start.gdb; GDB_HW='# ' leaves them out) stops the
# guest because the world switch arms DR7 for QEMU 7.2, whose VMRUN
# loads the guest's DR7 without arming it (vmm/amd/debug.c).
add_test guest_gdb_start_qsvm --backend qemu-svm --func guest_gdb_start_qemu --timeout 300 \
	--expect-seq '^GDB: held at the first instruction' \
	--expect '^TEST: nothing of the guest while gdb held it' \
	--expect-seq "^GDB: hardware breakpoint at the kernel's entry" \
	--expect-seq '^GDB: detached' \
	--expect-seq 'currently "i386"' \
	--expect-seq '^eip +0x[0-9a-f]+ ' \
	--expect-seq '^eax +0x[0-9a-f]+ ' \
	--expect-seq '^GDB: a 32-bit guest in its kernel' \
	--expect-seq '^GDB: detached' \
	--expect '^(\[guest [0-9a-f]{8}\] )?hello, world' \
	--forbid "Remote 'g' packet reply is too long" --forbid 'Error in sourced command file'

# guest_gdb_mb DIR LOG: gdb on the 32-bit multiboot guest mbtest, held
# before its first instruction by `vmm --gdb --kernel`, with the i386
# registers (conf/gdb-guest-mb.gdb); once gdb
# detached, mbtest goes on counting ticks and echoes a typed key.
guest_gdb_mb() {
	local dir=$1 log=$2 serial=$1/serial.log st
	gdb_machine "${GDB_EMU:-bochs}" "$dir" "$log" || return 1
	gdb_run gdb-guest-mb.gdb "$dir"
	gdb_wait_for "$serial" 1 '\$ ' && printf 'vmm --gdb --kernel /guests/mbtest\r' >&"$con" || st=1
	wait "$gpid" || st=1
	gdb_wait_for "$serial" 1 'mbtest: ticks: 100' && printf 'x' >&"$con" &&
		gdb_wait_for "$serial" 1 'mbtest: echo: x' || st=1
	{ echo "--- gdb"; cat "$dir/gdb-guest-mb.gdb.out"
	  echo "--- console"; tr -d '\r' <"$serial"; } >>"$log"
	exec {con}>&-
	return "${st:-0}"
}
guest_gdb_mb_qemu() {
	GDB_EMU=qemu guest_gdb_mb "$@"
}

GUEST_GDB_MB_EXPECT=(
	--expect 'vmm: guest [0-9a-f]{8} waits for gdb on COM2' \
	--expect-seq 'The target architecture is set to "i386"' \
	--expect-seq "^GDB: held at the boot code's first instruction" \
	--expect-seq '^Breakpoint 1 at 0x[0-9a-f]+: file guest/mbtest/main.c, line [0-9]+' \
	--expect-seq '^Breakpoint 1, print \(fmt=.*\) at guest/mbtest/main.c:[0-9]+' \
	--expect-seq '^#0 +print \(fmt=.*\) at guest/mbtest/main.c:[0-9]+' \
	--expect-seq '^#1 +0x[0-9a-f]+ in mbmain \(magic=.*\) at guest/mbtest/main.c:[0-9]+' \
	--expect-seq '^GDB: stepi moved eip by 1, the length of push +%edi' \
	--expect-seq '^0x[0-9a-f]+ <gdt>:.0x00000000.0x00000000.0x0000ffff.0x00cf9a00$' \
	--expect-seq '^eip +0x[0-9a-f]+ +0x[0-9a-f]+ <print\+1>' \
	--expect-seq '^cs +0x[0-9a-f]+ ' \
	--expect-seq '^Breakpoint 1, print \(' \
	--expect-seq '^GDB: registers changed' \
	--expect-seq '^GDB: stopped at irq_handler by a hardware breakpoint' \
	"${GDB_DETACHED[@]}" \
	--expect-seq '^(\[guest [0-9a-f]{8}\] )?mbtest: ticks: 100' \
	--expect-seq '^(\[guest [0-9a-f]{8}\] )?mbtest: echo: x' \
	"${GDB_FORBID[@]}"
)
add_test guest_gdb_mb --func guest_gdb_mb --timeout 400 "${GUEST_GDB_MB_EXPECT[@]}"
add_test guest_gdb_mb_qsvm --backend qemu-svm --func guest_gdb_mb_qemu --timeout 300 \
	"${GUEST_GDB_MB_EXPECT[@]}"

# A peer on COM2 that never pauses (bytes outside any packet, for a
# minute) while a guest is held for gdb, under Bochs' slow clock: the
# host's shell still answers, and the guest is then stopped.
GDB_FLOOD_PY='
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.setblocking(False)
sent, end = 0, time.time() + 60
while time.time() < end:
    try:
        sent += s.send(b"x" * 4096)
    except BlockingIOError:
        time.sleep(0.001)
    try:
        s.recv(65536)
    except BlockingIOError:
        pass
print("flood: %d bytes sent" % sent)
'
guest_gdb_flood() {
	local dir=$1 log=$2 serial=$1/serial.log st id
	gdb_machine bochs "$dir" "$log" || return 1
	# The flood is COM2's connection: the machine starts with it.
	python3 -c "$GDB_FLOOD_PY" "$gdbport" >"$dir/flood.out" 2>&1 &
	echo $! >>"$dir/pids"
	gdb_wait_for "$serial" 1 '\$ ' && printf 'vmm --gdb --kernel /guests/mbtest &\r' >&"$con" &&
		gdb_wait_for "$serial" 1 'waits for gdb on COM2' || st=1
	id=$(gdb_guest_started)
	if [[ -z ${st:-} && -n $id ]]; then
		sleep 3
		printf '\x1d' >&"$con"
		sleep 1
		printf 'echo host answers\r' >&"$con"
		gdb_wait_for "$serial" 1 '^host answers' || st=1
		printf 'vmctl stop %s\r' "$id" >&"$con"
		gdb_wait_for "$serial" 1 '^vmm: guest [0-9a-f]{8} is gone' || st=1
	fi
	{ echo "--- console"; tr -d '\r' <"$serial"; } >>"$log"
	exec {con}>&-
	return "${st:-0}"
}
add_test guest_gdb_flood --func guest_gdb_flood --timeout 200 \
	--expect-seq 'vmm: guest [0-9a-f]{8} waits for gdb on COM2' \
	--expect-seq '^host answers' \
	--expect-seq '^vmm: guest [0-9a-f]{8} is gone'
