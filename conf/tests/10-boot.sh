# conf/tests/10-boot.sh: boot, memory self-checks, backtrace, monitor, gdb.
# Sourced by grade-lab.sh; see add_test there for the options.

# Patterns reused below.
FRAME_RE='rbp +[0-9a-f]{16} +rip +[0-9a-f]{16} +args +[0-9]+'
SRCLINE_RE='kern/[a-z_0-9]+\.c:[0-9]+: +[a-zA-Z_][a-zA-Z_0-9]*\+[0-9]+'
MEMCHECKS=(
	--expect-seq 'check_page_alloc\(\) succeeded!'
	--expect-seq 'check_page\(\) succeeded!'
	--expect-seq 'check_boot_pml4e\(\) succeeded!'
)

add_test printf --cmdline "prog=hello nofs exit" \
	--expect '6828 decimal is 15254 octal!'

add_test memory_checks --cmdline "prog=hello nofs exit" "${MEMCHECKS[@]}"

add_test mem_128m --cmdline "prog=hello nofs exit" --mem 128 "${MEMCHECKS[@]}"

add_test mem_1g --cmdline "prog=hello nofs exit" --mem 1024 "${MEMCHECKS[@]}"

# test_backtrace(5) recurses down to 0, where it runs the monitor's
# backtrace: the frames of test_backtrace(0) .. test_backtrace(5), with the
# argument as first value, and i386_init, each with its source line.
add_test backtrace --cmdline "test_backtrace prog=hello nofs exit" \
	--expect-seq 'entering test_backtrace 5' \
	--expect-seq 'entering test_backtrace 4' \
	--expect-seq 'entering test_backtrace 3' \
	--expect-seq 'entering test_backtrace 2' \
	--expect-seq 'entering test_backtrace 1' \
	--expect-seq 'entering test_backtrace 0' \
	--expect-seq 'leaving test_backtrace 0' \
	--expect-seq 'leaving test_backtrace 1' \
	--expect-seq 'leaving test_backtrace 2' \
	--expect-seq 'leaving test_backtrace 3' \
	--expect-seq 'leaving test_backtrace 4' \
	--expect-seq 'leaving test_backtrace 5' \
	--expect-count 8 "$FRAME_RE" \
	--expect-count 1 "$SRCLINE_RE" \
	--expect-count 6 'kern/init\.c:[0-9]+: +test_backtrace\+[0-9]+' \
	--expect 'kern/init\.c:[0-9]+: +i386_init\+[0-9]+' \
	--expect "$FRAME_RE +0{15}0( |\$)" \
	--expect "$FRAME_RE +0{15}1( |\$)" \
	--expect "$FRAME_RE +0{15}2( |\$)" \
	--expect "$FRAME_RE +0{15}3( |\$)" \
	--expect "$FRAME_RE +0{15}4( |\$)" \
	--expect "$FRAME_RE +0{15}5( |\$)"

# Type at the monitor; the run ends at the prompt after the last command.
add_test monitor --cmdline "prog=hello nofs" \
	--type help --type kerninfo --type backtrace --type nosuchcmd \
	--expect-seq 'Welcome to the JOS kernel monitor!' \
	--expect-seq "Type 'help' for a list of commands\." \
	--expect '^ *help +- ' \
	--expect '^ *kerninfo +- ' \
	--expect '^ *backtrace +- ' \
	--expect '^ *etext +(0x)?[0-9a-f]+' \
	--expect '^ *edata +(0x)?[0-9a-f]+' \
	--expect '^ *end +(0x)?[0-9a-f]+' \
	--expect '[Ff]ootprint:? +[0-9]+ *[KM]i?B' \
	--expect-count 1 "$FRAME_RE" \
	--expect "$SRCLINE_RE" \
	--expect "Unknown command 'nosuchcmd'"

# A scripted gdb session (conf/gdb-test.gdb) against QEMU started with -S:
# the .gdbinit recipe from conf/gdbinit.tmpl, hardware breakpoints on
# i386_init and monitor (reached once no env is left to run), next/step,
# locals, backtraces with source lines.
gdb_session() {
	local dir=$1 log=$2 port
	port=$(grade_free_port $((30000 + $(id -u) % 5000)))
	sed "s/@GDBPORT@/$port/g" conf/gdbinit.tmpl >"$dir/gdbinit"
	grade_qemu_start "$dir" -S -gdb "tcp:127.0.0.1:$port"
	if ! grade_wait_listen "$port" 10; then
		echo "QEMU is not listening on port $port" >>"$log"
		return 1
	fi
	timeout "$(grade_time_left)" gdb -n -batch -x "$dir/gdbinit" -x conf/gdb-test.gdb \
		</dev/null >>"$log" 2>&1
	local st=$?
	grade_qemu_stop
	return $st
}

add_test gdb --func gdb_session --timeout 60 --cmdline "prog=hello nofs" \
	--expect-seq '[Bb]reakpoint 1, (0x[0-9a-f]+ in )?i386_init \(' \
	--expect-seq '^i386_init in section' \
	--expect-seq '^#[0-9]+ +(0x[0-9a-f]+ in )?i386_init \(.*\) at kern/init\.c:[0-9]+' \
	--expect-seq '[Bb]reakpoint 2, (0x[0-9a-f]+ in )?monitor \(' \
	--expect-seq '^#0 +(0x[0-9a-f]+ in )?monitor \(.*\) at kern/monitor\.c:[0-9]+' \
	--forbid "Remote 'g' packet reply is too long" \
	--forbid 'Cannot insert' \
	--forbid 'Error in sourced command file'
