# conf/tests/50-fs.sh: the file server, the fd layer, files, spawn,
# pipes, the console and the shell (issue 5).  The kernel starts the file
# server (ENV_TYPE_FS) beside the program named on the command line; it
# checks itself at start-up, then serves.  Some tests look at the disk
# image afterwards with obj/fs/fsformat (-x: a file's bytes, -c: fsck).

# The file server's start-up self-checks, in order.
FS_CHECKS=(
	--expect-seq '^FS is running'
	--expect-seq '^FS can do I/O'
	--expect-seq '^ide: disk 1 has [0-9]+ sectors'
	--expect-seq '^block cache is good'
	--expect-seq '^superblock is good'
	--expect-seq '^bitmap is good'
	--expect-seq '^alloc_block is good'
	--expect-seq '^file_open is good'
	--expect-seq '^file_get_block is good'
	--expect-seq '^file_flush is good'
	--expect-seq '^file_truncate is good'
	--expect-seq '^file rewrite is good'
)
# Every program here ends cleanly; only the file server stays (blocked).
FS_END=(
	--expect '^No runnable environments in the system!'
	--forbid 'user panic'
	--forbid 'user fault'
	--forbid '^fs: '
)

add_test fs_selfcheck --cmdline "prog=hello exit" \
	"${FS_CHECKS[@]}" --expect '^hello, world' "${FS_END[@]}"

add_test fs_testfile --cmdline "prog=testfile exit" \
	--expect-seq '^serve_open is good' \
	--expect-seq '^file_stat is good' \
	--expect-seq '^file_read is good' \
	--expect-seq '^file_close is good' \
	--expect-seq '^stale fileid is good' \
	--expect-seq '^file_write is good' \
	--expect-seq '^file_read after file_write is good' \
	--expect-seq '^ftruncate is good' \
	--expect-seq '^file_remove is good' \
	--expect-seq '^open is good' \
	--expect-seq '^large file is good' \
	--expect-seq '^directories are good' \
	--expect-seq '^sync is good' \
	--expect-seq '^testfile: all tests passed' \
	"${FS_END[@]}"

add_test fs_testfilero --cmdline "prog=testfilero exit" \
	--expect-seq '^read-only open is good' \
	--expect-seq '^write-only open is good' \
	--expect-seq '^directory modes are good' \
	--expect-seq '^file_read is good' \
	--expect-seq '^open is good' \
	--expect-seq '^large file is good' \
	--expect-seq '^testfilero: all tests passed' \
	"${FS_END[@]}"

# Too long paths and names, and a path without its NUL sent to the server.
add_test fs_badpath --cmdline "prog=testpath exit" \
	--expect-seq '^long paths are refused' \
	--expect-seq '^long names are refused' \
	--expect-seq '^the server checks paths' \
	--expect-seq '^testpath: all tests passed' \
	--expect '^No runnable environments in the system!' \
	--forbid 'user panic' --forbid 'user fault'

# Children die holding 1440 open files in all; the table has 1024 slots.
add_test fs_openfile_leak --cmdline "prog=testfdleak exit" --timeout 60 \
	--expect-seq '^48 children opened 30 files each and died' \
	--expect-seq '^open-file slots are not leaked' \
	"${FS_END[@]}"

add_test spawnhello --cmdline "prog=spawnhello exit" \
	--expect-seq '^i am parent environment 00001000' \
	--expect-seq '^hello, world' \
	--expect-seq '^i am environment 0000[0-9a-f]{4}' \
	"${FS_END[@]}"

add_test spawn_badelf --cmdline "prog=testspawn exit" \
	--expect-seq '^spawn of a good program is good' \
	--expect-seq '^spawn /not-found: file or block not found' \
	--expect-seq '^spawn /notelf: file is not a valid executable' \
	--expect-seq '^spawn /empty: file is not a valid executable' \
	--expect-seq '^spawn /badmagic: file is not a valid executable' \
	--expect-seq '^spawn /truncated: file is not a valid executable' \
	--expect-seq '^spawn /highseg: file is not a valid executable' \
	--expect-seq '^spawn refuses bad ELF files' \
	"${FS_END[@]}"

# init checks its data, bss and arguments, then runs the shell, whose
# prompt ends the run.
INIT_LINES=(
	--expect-seq '^init: running'
	--expect-seq '^init: data seems okay'
	--expect-seq '^init: bss seems okay'
	--expect-seq "^init: args: 'init' 'initarg1' 'initarg2'"
	--expect-seq '^init: running sh'
	--expect-seq '^init: starting sh'
	--stop '^\$ '
	--forbid 'user panic' --forbid 'user fault'
)

add_test spawninit --cmdline "prog=spawninit exit" "${INIT_LINES[@]}"

add_test icode --cmdline "prog=icode exit" \
	--expect-seq '^icode: read /motd' \
	--expect-seq '^This is /motd, the message of the day\.' \
	--expect-seq '^icode: spawn /sbin/init' \
	--expect '^icode: exiting' \
	"${INIT_LINES[@]}"

add_test testpteshare --cmdline "prog=testpteshare exit" \
	--expect-seq '^fork handles PTE_SHARE right' \
	--expect-seq '^spawn handles PTE_SHARE right' \
	"${FS_END[@]}"

add_test testfdsharing --cmdline "prog=testfdsharing exit" \
	--expect-seq '^read in child succeeded' \
	--expect-seq '^read in parent succeeded' \
	--expect-seq '^fd offsets are shared' \
	"${FS_END[@]}"

add_test testpipe --cmdline "prog=testpipe exit" \
	--expect-seq '^pipe read is good' \
	--expect-seq '^pipe read closed properly' \
	--expect-seq '^pipe write closed properly' \
	"${FS_END[@]}"

add_test testpiperace --cmdline "prog=testpiperace exit" --timeout 60 \
	--expect-seq '^testing for pipeisclosed race' \
	--expect '^child done with loop' \
	--expect-seq "^race didn't happen" \
	--forbid 'RACE' "${FS_END[@]}"

add_test testpiperace2 --cmdline "prog=testpiperace2 exit" --timeout 60 \
	--expect-seq '^testing for pipeisclosed race \(2\)' \
	--expect-seq "^race didn't happen" \
	--forbid 'RACE' "${FS_END[@]}"

# 168 primes below 1000, each found by its own env.
add_test primespipe --cmdline "prog=primespipe exit" --timeout 90 \
	--expect-seq '^2$' --expect-seq '^3$' --expect-seq '^5$' \
	--expect '^541$' --expect '^997$' \
	--expect-count 168 '^[0-9]+$' \
	--expect-seq '^primespipe: done' \
	"${FS_END[@]}"

add_test testshell --cmdline "prog=testshell exit" --timeout 60 \
	--expect-seq '^shell ran correctly' \
	--forbid 'incorrect output' "${FS_END[@]}"

# Pipes between envs that really run at the same time.
add_test testshell_cpus2 --cmdline "prog=testshell exit" --cpus 2 --timeout 90 \
	--expect-seq '^shell ran correctly' \
	--forbid 'incorrect output' "${FS_END[@]}"

add_test primespipe_cpus4 --cmdline "prog=primespipe exit" --cpus 4 --timeout 120 \
	--expect '^997$' --expect-count 168 '^[0-9]+$' \
	--expect-seq '^primespipe: done' \
	"${FS_END[@]}"

# Figures only (write and read of a 4 MiB file, spawn): no time is checked.
add_test fsbench --cmdline "prog=fsbench exit" --timeout 90 \
	--expect-seq '^fsbench: read /bench\.1m \(1024 KB, cold[^)]*\): [0-9]+ ms, [0-9]+ KB/s' \
	--expect-seq '^fsbench: read /bench\.1m \(1024 KB, warm\): [0-9]+ ms, [0-9]+ KB/s' \
	--expect-seq '^fsbench: write 4096 KB file: [0-9]+ ms, [0-9]+ KB/s' \
	--expect-seq '^fsbench: read 4096 KB file: [0-9]+ ms, [0-9]+ KB/s' \
	--expect-seq '^fsbench: spawn and wait for hello: [0-9]+ us each' \
	"${FS_END[@]}"

# ------------------------------------------------------------ disk images

# fs_boot DIR LOG: boot this test's images once; the console goes to LOG.
fs_boot() {
	local dir=$1 log=$2
	: >"$dir/serial.log"
	grade_qemu_start "$dir"
	wait "$GRADE_QEMU_PID"
	GRADE_QEMU_PID=
	tr -d '\r' <"$dir/serial.log" >>"$log"
}

# fs_same IMAGE PATH FILE LOG: say in LOG whether PATH on IMAGE holds
# exactly the bytes of FILE.
fs_same() {
	if obj/fs/fsformat -x "$1" "$2" 2>>"$4" | cmp -s - "$3"; then
		echo "host: $2 is intact" >>"$4"
	else
		echo "host: $2 differs from $3" >>"$4"
	fi
}

# Fill the disk, check every file byte for byte (in the guest), remove the
# fill; then check on the host that the earlier files are intact and that
# the bitmap agrees with the files (no block lost or shared).
fs_fill_session() {
	local dir=$1 log=$2
	fs_boot "$dir" "$log"
	fs_same "$dir/fs.img" /lorem fs/lorem "$log"
	fs_same "$dir/fs.img" /motd fs/motd "$log"
	fs_same "$dir/fs.img" /hello obj/fs/bin/hello "$log"
	fs_same "$dir/fs.img" /sh obj/fs/bin/sh "$log"
	obj/fs/fsformat -c "$dir/fs.img" >>"$log" 2>&1
}

add_test fs_fill --cmdline "prog=fillfs exit" --func fs_fill_session --timeout 120 \
	--expect-seq '^fillfs: wrote [0-9]+ bytes in [0-9]+ files, then: no free space on disk' \
	--expect-seq '^fillfs: disk full is reported as E_NO_DISK' \
	--expect-seq '^fillfs: the full disk refuses more' \
	--expect-seq '^fillfs: the fill files read back right' \
	--expect-seq '^fillfs: earlier files intact' \
	--expect-seq '^fillfs: removing the files freed the space' \
	--expect-seq '^fillfs: all tests passed' \
	--expect-seq '^host: /lorem is intact' \
	--expect-seq '^host: /motd is intact' \
	--expect-seq '^host: /hello is intact' \
	--expect-seq '^host: /sh is intact' \
	--expect-seq '^fsck: [0-9]+ blocks, [0-9]+ in use, 0 leaked, 0 errors' \
	"${FS_END[@]}"

# writemotd changes /motd on the disk; a second boot of the same disk
# (icode prints /motd) shows the new one.
fs_motd_session() {
	local dir=$1 log=$2
	fs_boot "$dir" "$log"
	fs_same "$dir/fs.img" /motd fs/newmotd "$log"
	obj/fs/fsformat -c "$dir/fs.img" >>"$log" 2>&1
	echo "---- reboot ----" >>"$log"
	bash conf/mkcmdline.sh "$dir/kernel.img" "prog=icode exit" >>"$log" 2>&1
	: >"$dir/serial.log"
	grade_qemu_start "$dir"
	local n=0
	while ! grep -q '^\$ ' "$dir/serial.log" && ((n++ < 300)); do
		sleep 0.1
	done
	grade_qemu_stop
	tr -d '\r' <"$dir/serial.log" >>"$log"
}

add_test writemotd --cmdline "prog=writemotd exit" --func fs_motd_session --timeout 60 \
	--expect-seq '^OLD MOTD' \
	--expect-seq '^This is /motd, the message of the day\.' \
	--expect-seq '^NEW MOTD' \
	--expect-seq '^This is the NEW message of the day!' \
	--expect-seq '^writemotd: /motd rewritten' \
	--expect-seq '^host: /motd is intact' \
	--expect-seq '^fsck: .* 0 errors' \
	--expect-seq '^---- reboot ----' \
	--expect-seq '^icode: read /motd' \
	--expect-seq '^This is the NEW message of the day!' \
	--expect-seq '^icode: close /motd' \
	--forbid 'user panic' --forbid 'user fault'

# A disk whose super block has the wrong magic: the file server says so
# and exits; the rest of the system goes on.
fs_badmagic_session() {
	local dir=$1 log=$2
	printf '\x11\x22\x33\x44' | dd of="$dir/fs.img" bs=1 seek=4096 conv=notrunc 2>>"$log"
	fs_boot "$dir" "$log"
}

add_test fs_badmagic --cmdline "prog=hello exit" --func fs_badmagic_session \
	--expect '^fs: bad file system magic number 44332211' \
	--expect '^fs: no usable file system' \
	--expect '^\[000013ff\] exiting gracefully' \
	--expect '^hello, world' \
	--expect '^No runnable environments in the system!' \
	--forbid 'superblock is good' --forbid 'user panic' --forbid 'user fault'

# No disk 1 at all: the driver gives up (no hang), the server exits.
fs_nodisk_session() {
	local dir=$1 log=$2
	rm -f "$dir/fs.img"
	fs_boot "$dir" "$log"
}

add_test fs_nodisk --cmdline "prog=hello exit" --func fs_nodisk_session \
	--expect '^ide: no disk 1' \
	--expect '^fs: no usable file system' \
	--expect '^\[000013ff\] exiting gracefully' \
	--expect '^hello, world' \
	--expect '^No runnable environments in the system!' \
	--forbid 'user panic' --forbid 'user fault'

# ------------------------------------------------------------ typing

# fs_type DIR LOG PROMPT CMD...: boot with the serial console on fifos;
# each time one more PROMPT (a grep -E pattern) has been printed, type
# the next CMD and a return; stop at the prompt after the last one.
fs_type() {
	local dir=$1 log=$2 prompt=$3
	shift 3
	local -a cmds=("$@")
	mkfifo "$dir/serial.in" "$dir/serial.out" || return 1
	: >"$dir/serial.log"
	cat "$dir/serial.out" >"$dir/serial.log" &
	local catpid=$! infd wfd
	exec {infd}<>"$dir/serial.in"
	qemu_cmd "$GRADE_INDEX" "$dir"
	"${QCMD[@]}" -serial "pipe:$dir/serial" </dev/null >>"$dir/qemu.err" 2>&1 &
	local qpid=$! typed=0 n
	echo "$qpid" >>"$dir/pids"
	while kill -0 "$qpid" 2>/dev/null && (($(now_ms) < GRADE_DEADLINE_MS)); do
		n=$(grep -oE -- "$prompt" "$dir/serial.log" | wc -l)
		if ((n > typed)); then
			((typed == ${#cmds[@]})) && break
			printf '%s\r' "${cmds[typed]}" >&"$infd"
			typed=$((typed + 1))
		fi
		sleep 0.1
	done
	kill "$qpid" 2>/dev/null
	wait "$qpid" 2>/dev/null
	exec {infd}>&-
	exec {wfd}<>"$dir/serial.out"
	exec {wfd}>&-
	wait "$catpid" 2>/dev/null
	tr -d '\r' <"$dir/serial.log" >>"$log"
	printf '\ntyped %d of %d commands\n' "$typed" "${#cmds[@]}" >>"$log"
}

# The shell by hand: init runs sh on the console.
fs_shell_session() {
	fs_type "$1" "$2" '\$ ' \
		'ls' \
		'cat /motd' \
		'echo hi | cat' \
		'num < /lorem' \
		'ls -l -F -d / /motd /vmm' \
		'echo made by the shell > /shellout; cat /shellout' \
		'sh < /script' \
		'echo in the background &' \
		'nosuchprogram' \
		'echo done'
}

add_test sh_interactive --cmdline "prog=init exit" --func fs_shell_session --timeout 90 \
	--expect-seq '^init: running sh' \
	--expect-seq '^\$ ls$' \
	--expect-seq '^motd$' \
	--expect-seq '^testshell\.sh$' \
	--expect-seq '^\$ cat /motd$' \
	--expect-seq '^This is /motd, the message of the day\.' \
	--expect-seq '^\$ echo hi \| cat$' \
	--expect-seq '^hi$' \
	--expect-seq '^\$ num < /lorem$' \
	--expect-seq '^ +1 Lorem ipsum dolor sit amet' \
	--expect-seq '^ +20 molestie eu, feugiat in' \
	--expect-seq '^ +[0-9]+ d /$' \
	--expect-seq '^ +[0-9]+ - /motd$' \
	--expect-seq '^ +[0-9]+ d /vmm/$' \
	--expect-seq '^made by the shell$' \
	--expect-seq '^This is from the script\.' \
	--expect-seq '^ +1 Lorem ipsum' \
	--expect-seq '^fd 0: name script isdir 0 size [0-9]+ dev file' \
	--expect-seq '^fd 1: name <cons> isdir 0 size 0 dev cons' \
	--expect-seq '^This is the end of the script\.' \
	--expect '^in the background$' \
	--expect-seq '^sh: nosuchprogram: file or block not found' \
	--expect-seq '^\$ echo done$' \
	--expect-seq '^done$' \
	--expect '^typed 10 of 10 commands' \
	--forbid 'user panic' --forbid 'user fault'

# testkbd: lines typed on the console come back, and the reader sleeps
# between keys (sys_cons_wait) instead of polling.
fs_kbd_session() {
	fs_type "$1" "$2" 'Type a line: ' 'hello keyboard' 'a second line' 'quit'
}

add_test testkbd --cmdline "prog=testkbd exit" --func fs_kbd_session --timeout 60 \
	--expect-seq 'hello keyboard$' \
	--expect-seq '^typed: hello keyboard$' \
	--expect-seq '^typed: a second line$' \
	--expect-seq '^typed: quit$' \
	--expect-seq '^testkbd: slept while waiting: [0-9]+ runs for 34 keys$' \
	--expect '^No runnable environments in the system!' \
	--forbid 'user panic' --forbid 'user fault'

# The IDE driver on Bochs's disk controller (the monitor's tests run there).
add_test fs_bochs --bochs --cmdline "prog=testfile exit" --timeout 180 \
	"${FS_CHECKS[@]}" \
	--expect-seq '^large file is good' \
	--expect-seq '^testfile: all tests passed' \
	"${FS_END[@]}"

# Files over 4 MiB (issue 15, part 2): bigfile writes a 20 MiB file
# through the file server (through the double-indirect block), reads it
# back, truncates, checks and removes it, and leaves /kept.pat.  Its disk
# is one of its own, 64 cylinders (the host disk has no 20 MiB free);
# afterwards the host checks that no block leaked and that /kept.pat
# holds exactly the pattern.
fs_bigfile_session() {
	local dir=$1 log=$2 keep=$((5 * 1024 * 1024 + 1234))
	obj/fs/fsformat "$dir/fs.img" 8064 fs/motd fs/newmotd >>"$log" 2>&1 || return 1
	fs_boot "$dir" "$log"
	obj/fs/fsformat -c "$dir/fs.img" >>"$log" 2>&1
	python3 -c "$FS_LAYOUT_PY" pattern "$keep" "$dir/kept.pat" >>"$log" 2>&1
	fs_same "$dir/fs.img" /kept.pat "$dir/kept.pat" "$log"
}

add_test fs_bigfile --cmdline "prog=bigfile exit" --func fs_bigfile_session --timeout 180 \
	"${FS_CHECKS[@]}" \
	--expect-seq '^bigfile: wrote /big\.pat$' \
	--expect-seq '^bigfile: /big\.pat: 20971520 bytes of the pattern$' \
	--expect-seq '^bigfile: /big\.pat: 5244114 bytes of the pattern$' \
	--expect-seq '^bigfile: removed /big\.pat$' \
	--expect-seq '^bigfile: /kept\.pat: 5244114 bytes of the pattern$' \
	--expect-seq '^bigfile: all tests passed$' \
	--expect-seq '^No runnable environments in the system!' \
	--expect-seq '^fsck: 8064 blocks, [0-9]+ in use, 0 leaked, 0 errors$' \
	--expect-seq '^host: /kept\.pat is intact$' \
	"${FS_END[@]}"
