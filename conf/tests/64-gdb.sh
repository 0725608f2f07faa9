# conf/tests/64-gdb.sh: gdb on a running guest, through the monitor's
# stub (vmm/gdb/) on the host's COM2, under Bochs (VT-x).
#
# The host shell starts a guest, hands the console back (Ctrl-]), runs
# `vmctl debug ID`, and gives the guest the console again; a line typed
# to the guest wakes it and it stops for gdb (conf/gdb-guest.gdb), which
# breaks at the guest kernel's syscall(), backtraces, steps, reads
# memory and detaches.  The guest then answers typed commands again.

# gdb_wait_for LOG COUNT ERE: wait until LOG has COUNT lines matching ERE.
gdb_wait_for() {
	local log=$1 count=$2 re=$3
	until (($(grep -cE -- "$re" "$log") >= count)); do
		(($(now_ms) < GRADE_DEADLINE_MS)) || return 1
		sleep 0.2
	done
}

guest_gdb_session() {
	local dir=$1 log=$2 p1 p2 serial=$1/serial.log id gpid st
	p1=$(grade_unused_port $((36000 + $(id -u) % 2000 * 2)))
	p2=$(grade_unused_port $((p1 + 1)))
	BOCHS_COM1="mode=socket-server, dev=localhost:$p1" \
		BOCHS_COM2="enabled=1, mode=socket-server, dev=localhost:$p2" \
		bash conf/bochs.sh prepare "$dir" "$dir/kernel.img" "$dir/fs.img" >>"$log" 2>&1 || return 1
	bochs -q -f "$dir/bochsrc" -rc "$dir/bochs.rc" </dev/null >"$dir/bochs.out" 2>&1 &
	echo $! >>"$dir/pids"
	grade_wait_listen "$p1" 60 || { echo "Bochs is not listening on $p1" >>"$log"; return 1; }
	exec {con}<>"/dev/tcp/127.0.0.1/$p1"
	: >"$serial"
	cat <&"$con" >"$serial" &
	echo $! >>"$dir/pids"
	# Bochs starts the machine once COM2 has its connection too: gdb's.
	grade_wait_listen "$p2" 60 || { echo "Bochs is not listening on $p2" >>"$log"; return 1; }
	sed "s/@GDBPORT@/$p2/" conf/gdb-guest.gdb >"$dir/gdb-guest.gdb"
	timeout "$(grade_time_left)" gdb -n -batch -x "$dir/gdb-guest.gdb" obj/guest/kernel \
		</dev/null >"$dir/gdb.out" 2>&1 &
	gpid=$!
	echo $gpid >>"$dir/pids"

	# The guest's file server's line: the host prints none (init's lines
	# it prints too).
	gdb_wait_for "$serial" 1 '\$ ' && printf '/vmm/vmm\r' >&"$con" &&
		gdb_wait_for "$serial" 1 '^(\[guest [0-9a-f]{8}\] )?hostdisk: /vmm/disk-' || st=1
	id=$(grep -oE 'vmm: guest [0-9a-f]{8} starting' "$serial" | head -n 1 | cut -d' ' -f3)
	if [[ -z ${st:-} && -n $id ]]; then
		sleep 2
		printf '\x1d' >&"$con"
		sleep 1
		printf '\rvmctl debug %s\r' "$id" >&"$con"
		gdb_wait_for "$serial" 1 "waits for gdb on COM2" &&
			printf 'vmctl focus %s\r' "$id" >&"$con" &&
			gdb_wait_for "$serial" 1 'has the console' && sleep 1 &&
			printf 'echo before\r' >&"$con" || st=1
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

add_test guest_gdb --func guest_gdb_session --timeout 400 \
	--expect-seq '^GDB: attached' \
	--expect-seq '^Breakpoint 1 at 0x[0-9a-f]+: file kern/syscall.c, line [0-9]+' \
	--expect-seq '^Breakpoint 1, syscall \(.*\) at kern/syscall.c:[0-9]+' \
	--expect-seq '^#0 +syscall \(.*\) at kern/syscall.c:[0-9]+' \
	--expect-seq '^#1 +0x[0-9a-f]+ in [a-z_]+ \(.*\) at kern/[a-z_]+\.c:[0-9]+' \
	--expect-seq '^GDB: stepi moved pc' \
	--expect-seq '^0x[0-9a-f]+:.0x[0-9a-f]{16}.0x[0-9a-f]{16}' \
	--expect-seq '^rip +0x[0-9a-f]+ +0x[0-9a-f]+ <syscall\+[0-9]+>' \
	--expect-seq '^Breakpoint 1, syscall \(' \
	--expect-seq '^GDB: registers changed' \
	--expect-seq '^\[Inferior 1 \(Remote target\) detached\]' \
	--expect-seq '^GDB: detached' \
	--expect-seq 'vmm: guest [0-9a-f]{8}: the debugger let go' \
	--expect-seq '^(\[guest [0-9a-f]{8}\] )?after-detach' \
	--forbid "Remote 'g' packet reply is too long" --forbid 'Cannot insert' \
	--forbid 'Error in sourced command file'
