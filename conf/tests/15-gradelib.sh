# conf/tests/15-gradelib.sh: the interface the JOS grading library drives.
# Sourced by grade-lab.sh; see add_test there for the options.

# conf/gradelib_check.py does what the labs' gradelib.py does, against the
# build tree's make targets: make print-gdbport; then, on that port, two
# runs in a row (run-hello-nox-gdb and qemu-nox-gdb: gdb remote protocol,
# a hardware breakpoint at the kernel's readline and at sys_cons_wait,
# continue, stop, registers, output matched, SIGTERM to make's process
# group, then to make alone: QEMU must be gone and the port free); then
# run-hello-nox ended by SIGTERM, and qemu-nox booting this test's
# kernel.img (prog=hello exit) that powers off: make must exit with 0.
# Each run boots a fresh copy of obj/fs/clean-fs.img in DIR, so tests
# using obj/fs/fs.img are not disturbed; the port is one nobody uses.
gradelib_session() {
	local dir=$1 log=$2 port
	port=$(grade_free_port $((27000 + $(id -u) % 2000)))
	timeout "$(grade_time_left)" python3 conf/gradelib_check.py \
		--port "$port" --dir "$dir" </dev/null >>"$log" 2>&1
}

add_test gradelib --func gradelib_session --timeout 180 --cmdline "prog=hello exit" \
	--expect-seq '^print-gdbport: [0-9]+$' \
	--expect-seq '^run-hello-nox-gdb: stopped at readline \(rip 0x[0-9a-f]+\), stop reply T05' \
	--expect-seq '^run-hello-nox-gdb: output matched: hello, world' \
	--expect-seq '^run-hello-nox-gdb: SIGTERM to the process group: make ended .*, QEMU .* is gone' \
	--expect-seq '^run-hello-nox-gdb: port [0-9]+ is free again' \
	--expect-seq '^qemu-nox-gdb: stopped at sys_cons_wait \(rip 0x[0-9a-f]+\), stop reply T05' \
	--expect-seq '^qemu-nox-gdb: output matched: init: running sh' \
	--expect-seq '^qemu-nox-gdb: SIGTERM to make alone: make ended .*, QEMU .* is gone' \
	--expect-seq '^qemu-nox-gdb: port [0-9]+ is free again' \
	--expect-seq '^run-hello-nox: SIGTERM to make alone: make ended .*, QEMU .* is gone' \
	--expect-seq '^qemu-nox: the kernel powered off; make exited with status 0' \
	--expect-seq '^gradelib_check: all steps passed' \
	--forbid '^FAIL'

# The lab programs' paths on the disk: every program as /NAME and
# /bin/NAME (vmm, whose /vmm is the guest's folder, as /bin/vmm and
# /vmm/vmm), init also as /sbin/init, each byte for byte the stripped
# program; the image passes fsformat's check.
lab_paths_session() {
	local dir=$1 log=$2 prog name n=0 bad=0
	for prog in obj/fs/bin/*; do
		name=${prog##*/}
		for path in "/bin/$name" "$([[ $name == vmm ]] && echo /vmm/vmm || echo "/$name")"; do
			if obj/fs/fsformat -x "$dir/fs.img" "$path" 2>>"$log" | cmp -s - "$prog"; then
				n=$((n + 1))
			else
				echo "host: $path differs from $prog" >>"$log"
				bad=1
			fi
		done
	done
	if obj/fs/fsformat -x "$dir/fs.img" /sbin/init 2>>"$log" | cmp -s - obj/fs/bin/init; then
		echo "host: /sbin/init is init" >>"$log"
	else
		echo "host: /sbin/init differs from obj/fs/bin/init" >>"$log"
		bad=1
	fi
	echo "host: $n program paths intact" >>"$log"
	cmp -s obj/fs/clean-fs.img "$dir/fs.img" && echo "host: fs.img is clean-fs.img" >>"$log"
	obj/fs/fsformat -c "$dir/fs.img" >>"$log" 2>&1 && ((!bad))
}

add_test lab_paths --func lab_paths_session --timeout 120 \
	--expect '^host: [0-9]+ program paths intact$' \
	--expect '^host: /sbin/init is init$' \
	--expect '^fsck: [0-9]+ blocks, [0-9]+ in use, 0 leaked, 0 errors$' \
	--forbid 'differs'

# The shell runs programs by the labs' paths, and bare names as before.
add_test lab_paths_sh --prompt '$ ' \
	--type '/bin/echo from /bin/echo' --type 'ls /sbin' \
	--type '/bin/ls -d /bin' --type 'echo bare name' \
	--expect-seq '^from /bin/echo$' \
	--expect-seq '/sbin/init$' \
	--expect-seq '/bin$' \
	--expect-seq '^bare name$' \
	--forbid 'sh: '
