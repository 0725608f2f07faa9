#!/usr/bin/env bash
# grade-lab.sh: build the kernel, boot it once per test, check what it prints.
#
#   ./grade-lab.sh [-j N] [-v] [NAME|GLOB ...]   run all tests, or those named
#   ./grade-lab.sh -l                            list the tests
#
# Tests are declared in conf/tests/*.sh (sourced in name order), one
# `add_test` call each (or `add_guest_test`, once per monitor backend);
# see add_test below for the options. Each test boots a
# fresh QEMU (or Bochs, for --bochs tests: the VT-x monitor) on its own copy
# of obj/kern/kernel.img (and of FSIMG when the
# build sets it) with the test's boot command line patched in, captures the
# serial console, and stops when the machine powers off, when a stop pattern
# appears, after the typed monitor commands are done, or at the timeout. Then
# the patterns are checked against the captured output. Patterns are
# extended regular expressions (grep -E), matched line by line, with carriage
# returns removed.
#
# Prints one line per test, `NAME: OK (1.2s)` or `NAME: FAIL (1.2s)` followed
# by the reasons, then `N passed, N failed`. Exits 1 if any test failed,
# 2 on a usage or build error. Logs of failed tests (of every test, with -v)
# stay in obj/grade-logs/; -v also prints them.
#
# Needs bash, coreutils, grep, sed, awk, procps, python3 and the emulators.

set -u
set -o pipefail

cd "$(dirname "$0")" || exit 2
ROOT=$PWD
LOGDIR=$ROOT/obj/grade-logs

die() {
	echo "grade-lab.sh: $*" >&2
	exit 2
}

# ---------------------------------------------------------------- registry

# One entry per test, all arrays indexed alike. Multi-valued fields hold one
# item per line.  registry_clear empties them (load_tests, before reading).
registry_clear() {
	T_NAME=() T_FILE=() T_CMDLINE=() T_EXPECT=() T_SEQ=() T_COUNT=() T_FORBID=()
	T_PANIC_OK=() T_TYPE=() T_STOP=() T_TIMEOUT=() T_TIMEOUT_OK=() T_CPUS=()
	T_MEM=() T_QEMUOPTS=() T_RUNNER=() T_FUNC=() T_PROMPT=() T_QCPU=() T_BMODEL=() T_BIPS=()
}

DECL_FILE=

# add_test NAME [OPTION...]: declare a test. Options (repeatable where noted):
#   --cmdline "TOKENS"   kernel boot command line (e.g. "prog=hello exit")
#   --expect RE          some line matches RE (repeatable, any order)
#   --expect-seq RE      lines matching these REs appear in this order, each
#                        after the previous one's line (repeatable)
#   --expect-count N RE  at least N lines match RE (repeatable)
#   --forbid RE          no line matches RE (repeatable); `kernel panic` is
#                        always forbidden unless --allow-panic is given
#   --allow-panic        do not forbid `kernel panic`
#   --type CMD           type CMD at the monitor: each command is typed when
#                        a `K> ` prompt has appeared since the previous one
#                        was typed; the run stops at the prompt after the
#                        last one (repeatable)
#   --prompt STRING      the prompt --type waits for instead of `K> ` (e.g.
#                        `$ ` for the shell); a fixed string, not a pattern
#   --type-at STRING CMD type CMD once STRING (fixed) appears in the output
#                        after the previous command was typed: for a
#                        conversation whose prompts differ; mixes with
#                        --type, in order (repeatable)
#   --type-guest STRING CMD  the same, but STRING must appear in a guest's
#                        output (a guest's `$ `, not the host shell's):
#                        text after a `--- guest ID ---` line and before
#                        the next `--- host ---` or `--- guest ID ---`,
#                        or on a line that begins with `[guest ID] `
#   --stop RE            stop the run as soon as a line matches RE
#   --timeout SECONDS    give up after this long (default 30); reaching it
#                        fails the test unless --timeout-ok is given
#   --timeout-ok         reaching the timeout is a normal end
#   --cpus N             CPUs (default 1)
#   --mem MIB            memory in MiB (default 256)
#   --qemu-opt "OPTS"    more QEMU options (word-split)
#   --bochs              run under Bochs instead of QEMU (its CPU emulates
#                        VT-x with EPT); --qemu-opt does not apply
#   --bochs-ips N        Bochs' emulated instructions per second of its
#                        clock (conf/bochs.sh: BOCHS_IPS), for a guest whose
#                        timer interrupts cost the monitor more exits than a
#                        4 MHz clock leaves room for (Linux: 250 Hz)
#   --backend B          where the monitor's guests run: qemu-svm (QEMU with
#                        a CPU with SVM and nested paging, SVM_QEMUCPU below),
#                        bochs-vmx (the same as --bochs) or bochs-svm (Bochs'
#                        AMD model, SVM with nested paging and next-RIP);
#                        none: QEMU's qemu64,-svm, a CPU with neither (QEMUCPU,
#                        the default, has SVM)
#   --func FUNCTION      instead of booting, call FUNCTION DIR LOG: DIR holds
#                        this test's kernel.img (command line patched in) and
#                        fs.img; FUNCTION writes its output to LOG and returns
#                        0 on success; the patterns are checked against LOG.
#                        It may use grade_qemu_start, grade_qemu_stop,
#                        grade_free_port, grade_wait_listen, grade_time_left.
add_test() {
	local name=${1:-}
	[[ $name =~ ^[A-Za-z0-9_.+-]+$ ]] || die "$DECL_FILE: add_test: bad test name '$name'"
	shift
	local n
	for n in "${T_NAME[@]}"; do
		[[ $n == "$name" ]] && die "$DECL_FILE: add_test: test '$name' declared twice"
	done
	local cmdline="" expect="" seq="" count="" forbid="" panic_ok=0 type=""
	local stop="" timeout=30 timeout_ok=0 cpus=1 mem=256 qopts="" runner=qemu func="" prompt="K> "
	local qcpu="" bmodel="" bips=""
	while (($#)); do
		local opt=$1 nargs=1
		case $opt in
		--cmdline | --expect | --expect-seq | --forbid | --type | --stop | \
			--timeout | --cpus | --mem | --qemu-opt | --func | --prompt | --backend | \
			--bochs-ips) nargs=2 ;;
		--expect-count | --type-at | --type-guest) nargs=3 ;;
		esac
		(($# >= nargs)) || die "$DECL_FILE: add_test $name: $opt needs $((nargs - 1)) argument(s)"
		case $opt in
		--cmdline) cmdline=$2 ;;
		--expect) expect+=$2$'\n' ;;
		--expect-seq) seq+=$2$'\n' ;;
		--expect-count)
			[[ $2 =~ ^[0-9]+$ ]] || die "$DECL_FILE: add_test $name: --expect-count needs a number"
			count+=$2$'\t'$3$'\n' ;;
		--forbid) forbid+=$2$'\n' ;;
		--allow-panic) panic_ok=1 ;;
		--type) type+=$'\t'$2$'\n' ;;
		--type-at)
			[[ -n $2 && $2 != *$'\t'* ]] || die "$DECL_FILE: add_test $name: bad --type-at prompt"
			type+=$2$'\t'$3$'\n' ;;
		--type-guest)
			[[ -n $2 && $2 != *$'\t'* ]] || die "$DECL_FILE: add_test $name: bad --type-guest prompt"
			type+=$'\x01'$2$'\t'$3$'\n' ;;
		--prompt) prompt=$2 ;;
		--stop) stop=$2 ;;
		--timeout) timeout=$2 ;;
		--timeout-ok) timeout_ok=1 ;;
		--cpus) cpus=$2 ;;
		--mem) mem=$2 ;;
		--qemu-opt) qopts+=" $2" ;;
		--bochs) runner=bochs ;;
		--bochs-ips)
			[[ $2 =~ ^[1-9][0-9]*$ ]] || die "$DECL_FILE: add_test $name: --bochs-ips needs a number"
			bips=$2 ;;
		--backend)
			case $2 in
			qemu-svm) runner=qemu qcpu=$SVM_QEMUCPU ;;
			bochs-vmx) runner=bochs ;;
			bochs-svm) runner=bochs bmodel=ryzen ;;
			none) runner=qemu qcpu=qemu64,-svm ;;
			*) die "$DECL_FILE: add_test $name: --backend is qemu-svm, bochs-vmx, bochs-svm or none" ;;
			esac ;;
		--func) runner=func func=$2 ;;
		*) die "$DECL_FILE: add_test $name: unknown option $opt" ;;
		esac
		shift "$nargs"
	done
	[[ $timeout =~ ^[0-9]+$ && $timeout -gt 0 ]] || die "$DECL_FILE: add_test $name: bad --timeout"
	local i=${#T_NAME[@]}
	T_NAME[i]=$name T_FILE[i]=$DECL_FILE T_CMDLINE[i]=$cmdline T_EXPECT[i]=$expect
	T_SEQ[i]=$seq T_COUNT[i]=$count T_FORBID[i]=$forbid T_PANIC_OK[i]=$panic_ok
	T_TYPE[i]=$type T_STOP[i]=$stop T_TIMEOUT[i]=$timeout T_TIMEOUT_OK[i]=$timeout_ok
	T_CPUS[i]=$cpus T_MEM[i]=$mem T_QEMUOPTS[i]=$qopts T_RUNNER[i]=$runner T_FUNC[i]=$func
	T_PROMPT[i]=$prompt T_QCPU[i]=$qcpu T_BMODEL[i]=$bmodel T_BIPS[i]=$bips
}

# The QEMU CPU of --backend qemu-svm (TCG emulates SVM with nested
# paging; plain +svm would have no NPT).
SVM_QEMUCPU=qemu64,+svm,+npt

# add_guest_test [--bochs-svm] NAME OPTION...: a test of the monitor's
# guests, declared once per backend: NAME on Bochs with VT-x (bochs-vmx),
# NAME_qsvm on QEMU with SVM (qemu-svm) and, with --bochs-svm, NAME_bsvm
# on Bochs' AMD model (bochs-svm: the next-RIP path).  The options are
# add_test's, without --bochs or --backend.
add_guest_test() {
	local bsvm=0
	[[ ${1:-} == --bochs-svm ]] && { bsvm=1; shift; }
	local name=${1:-}
	shift
	add_test "$name" --backend bochs-vmx "$@"
	add_test "${name}_qsvm" --backend qemu-svm "$@"
	((bsvm)) && add_test "${name}_bsvm" --backend bochs-svm "$@"
	return 0
}

# ---------------------------------------------------------------- helpers

now_ms() {
	local t=${EPOCHREALTIME/./}
	echo $((t / 1000))
}

# kill_tree PID [SIGNAL]: kill process PID and all its descendants
# (processes this script started), with SIGTERM or SIGNAL.
kill_tree() {
	local pid=$1 sig=${2:-TERM} child
	for child in $(ps -o pid= --ppid "$pid" 2>/dev/null); do
		kill_tree "$child" "$sig"
	done
	kill "-$sig" "$pid" 2>/dev/null
}

# grade_free_port BASE: echo the first TCP port from BASE up nothing listens on.
grade_free_port() {
	local p=$1
	while grade_port_listening "$p"; do
		p=$((p + 1))
	done
	echo "$p"
}

# grade_port_listening PORT: true if some socket listens on TCP port PORT.
grade_port_listening() {
	awk -v re="$(printf ':%04X$' "$1")" '$2 ~ re && $4 == "0A" { f = 1 } END { exit !f }' \
		/proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# grade_unused_port BASE: echo the first TCP port from BASE up that no socket
# uses at all, not even one lingering in TIME_WAIT (Bochs cannot bind those).
grade_unused_port() {
	local p=$1
	while awk -v re="$(printf ':%04X$' "$p")" '$2 ~ re { f = 1 } END { exit !f }' \
		/proc/net/tcp /proc/net/tcp6 2>/dev/null; do
		p=$((p + 1))
	done
	echo "$p"
}

# grade_wait_listen PORT SECONDS: wait until something listens on PORT.
grade_wait_listen() {
	local end=$(($(now_ms) + $2 * 1000))
	until grade_port_listening "$1"; do
		(($(now_ms) < end)) || return 1
		sleep 0.05
	done
}

# grade_time_left: whole seconds left before this test's deadline (at least 1).
grade_time_left() {
	local left=$(((GRADE_DEADLINE_MS - $(now_ms)) / 1000))
	((left > 0)) || left=1
	echo "$left"
}

# qemu_cmd I DIR: set QCMD to the QEMU command booting test I's images in DIR.
qemu_cmd() {
	local i=$1 dir=$2
	QCMD=("$QEMU" -cpu "${T_QCPU[i]:-$QEMUCPU}" -m "${T_MEM[i]}" -smp "${T_CPUS[i]}"
		-drive "file=$dir/kernel.img,index=0,media=disk,format=raw")
	[[ -f $dir/fs.img ]] && QCMD+=(-drive "file=$dir/fs.img,index=1,media=disk,format=raw")
	QCMD+=(-no-reboot -device "isa-debug-exit,iobase=0xf4,iosize=0x04"
		-display none -monitor none)
	local extra
	read -r -a extra <<<"${T_QEMUOPTS[i]}"
	QCMD+=("${extra[@]}")
}

# grade_qemu_start DIR [QEMU OPTION...]: start this test's QEMU in the
# background with its serial console written to DIR/serial.log. Sets
# GRADE_QEMU_PID.
grade_qemu_start() {
	local dir=$1
	shift
	qemu_cmd "$GRADE_INDEX" "$dir"
	"${QCMD[@]}" -serial "file:$dir/serial.log" "$@" </dev/null >>"$dir/qemu.err" 2>&1 &
	GRADE_QEMU_PID=$!
	echo "$GRADE_QEMU_PID" >>"$dir/pids"
}

# grade_qemu_stop: stop the QEMU grade_qemu_start started.
grade_qemu_stop() {
	[[ -n ${GRADE_QEMU_PID:-} ]] || return 0
	kill "$GRADE_QEMU_PID" 2>/dev/null
	wait "$GRADE_QEMU_PID" 2>/dev/null
	GRADE_QEMU_PID=
}

# Print the items of a one-per-line list, skipping empty lines.
items() {
	local line
	while IFS= read -r line; do
		[[ -n $line ]] && printf '%s\n' "$line"
	done <<<"$1"
}

# grade_guest_said LOG MARK STRING: whether STRING (fixed) appears in a
# guest's output in LOG after byte MARK.  The console names the writer
# at each switch (`--- guest ID ---`, `--- host ---`); a line that begins
# with the older `[guest ID] ` prefix is a guest's too.
grade_guest_said() {
	LC_ALL=C awk -v mark="$2" -v want="$3" '
		{ start = pos; pos += length($0) + 1; line = $0; gsub(/\r/, "", line) }
		line ~ /^--- guest [0-9a-f]+ ---$/ { guest = 1; next }
		line == "--- host ---" { guest = 0; next }
		pos <= mark { next }
		guest || line ~ /^\[guest [0-9a-f]+\] / {
			from = mark > start ? mark - start + 1 : 1
			if (index(substr($0, from), want)) { found = 1; exit }
		}
		END { exit !found }' "$1"
}

# Typing for a runner: CMDS holds the test's items (PROMPT<tab>CMD; an
# empty PROMPT means the test's --prompt), TYPED how many are typed, MARK
# the size of LOG when the last one was.  grade_type_step I LOG FD types
# the next command into FD once its prompt has appeared after MARK; it
# succeeds when every command is typed and the last one's prompt has
# appeared once more.
grade_type_step() {
	local i=$1 log=$2 fd=$3 item prompt
	item=${CMDS[TYPED < ${#CMDS[@]} ? TYPED : ${#CMDS[@]} - 1]}
	prompt=${item%%$'\t'*}
	[[ -n $prompt ]] || prompt=${T_PROMPT[i]}
	if [[ $prompt == $'\x01'* ]]; then
		grade_guest_said "$log" "$MARK" "${prompt#?}" || return 1
	else
		grep -qF -- "$prompt" < <(tail -c +$((MARK + 1)) "$log") || return 1
	fi
	((TYPED == ${#CMDS[@]})) && return 0
	MARK=$(stat -c %s "$log")
	printf '%s\r' "${item#*$'\t'}" >&"$fd"
	TYPED=$((TYPED + 1))
	return 1
}

# One look at a running test (for the runners): sets the caller's `how`
# and succeeds if the run ends now (stopped, forbidden, typed, timeout).
# Uses the caller's forbids and CMDS; FD takes the typing (empty: none).
grade_poll_end() {
	local i=$1 log=$2 fd=$3 deadline=$4 re
	if [[ -n ${T_STOP[i]} ]] && grep -Eq -- "${T_STOP[i]}" "$log"; then
		how=stopped
		return 0
	fi
	for re in "${forbids[@]}"; do
		if grep -Eq -- "$re" "$log"; then
			how=forbidden
			return 0
		fi
	done
	if ((${#CMDS[@]})) && [[ -n $fd ]] && grade_type_step "$i" "$log" "$fd"; then
		how=typed
		return 0
	fi
	if (($(now_ms) >= deadline)); then
		how=timeout
		return 0
	fi
	return 1
}

# grade_end_process PID: end an emulator this runner started: SIGTERM,
# then SIGKILL if it is still there after two seconds.  QEMU's main loop
# acts on SIGTERM only when its vCPU thread lets go of QEMU's big lock,
# and a nested guest in a tight loop can keep it from doing so for good.
grade_end_process() {
	local pid=$1 n=0 st
	kill "$pid" 2>/dev/null
	while st=$(ps -o stat= -p "$pid" 2>/dev/null) && [[ $st != Z* ]] && ((n++ < 40)); do
		sleep 0.05
	done
	kill -KILL "$pid" 2>/dev/null
}

# ---------------------------------------------------------------- runners
#
# A runner `runner_KIND I DIR` runs test I in DIR (which holds kernel.img and,
# when the build has one, fs.img), leaves the text to check in DIR/log, writes
# how the run ended to DIR/how (exited, stopped, typed, forbidden, timeout)
# and may add failure reasons to DIR/reasons.

# Boot under QEMU, serial console through the fifos DIR/serial.{in,out}.
runner_qemu() {
	local i=$1 dir=$2
	local -a CMDS
	local TYPED=0 MARK=0
	mapfile -t CMDS < <(items "${T_TYPE[i]}")
	local -a forbids
	mapfile -t forbids < <(items "${T_FORBID[i]}")
	((T_PANIC_OK[i])) || forbids+=("kernel panic")

	mkfifo "$dir/serial.in" "$dir/serial.out" || return 1
	: >"$dir/serial.log"
	cat "$dir/serial.out" >"$dir/serial.log" &
	local catpid=$!
	local infd
	exec {infd}<>"$dir/serial.in"

	qemu_cmd "$i" "$dir"
	"${QCMD[@]}" -serial "pipe:$dir/serial" </dev/null >"$dir/qemu.err" 2>&1 &
	local qpid=$!

	local deadline=$(($(now_ms) + T_TIMEOUT[i] * 1000)) how
	while :; do
		if ! kill -0 "$qpid" 2>/dev/null; then
			how=exited
			break
		fi
		grade_poll_end "$i" "$dir/serial.log" "$infd" "$deadline" && break
		sleep 0.05
	done

	if [[ $how != exited ]]; then
		grade_end_process "$qpid"
	fi
	wait "$qpid" 2>/dev/null
	echo "qemu exit status $?" >>"$dir/qemu.err"
	exec {infd}>&-
	# cat sees end of file once QEMU is gone. If QEMU never opened the fifo,
	# cat still waits in open(): open and close it once to end that.
	local wfd
	exec {wfd}<>"$dir/serial.out"
	exec {wfd}>&-
	local n=0
	while kill -0 "$catpid" 2>/dev/null && ((n++ < 40)); do
		sleep 0.05
	done
	kill "$catpid" 2>/dev/null
	wait "$catpid" 2>/dev/null
	tr -d '\r' <"$dir/serial.log" >"$dir/log"
	echo "$how" >"$dir/how"
	if [[ $how == exited && ! -s $dir/log ]]; then
		echo "QEMU ended without output: $(head -n 1 "$dir/qemu.err")" >>"$dir/reasons"
	fi
	if [[ $how == timeout ]] && ((${#CMDS[@]})); then
		echo "typed $TYPED of ${#CMDS[@]} commands before the timeout" >>"$dir/reasons"
	fi
}

# Boot under Bochs (its CPU emulates VT-x with EPT; see EMULATORS.md):
# conf/bochs.sh pads the image copies in DIR to whole cylinders and writes
# DIR/bochsrc. COM1 goes to DIR/serial.log; a test that types (--type)
# gets COM1 as a socket instead, which this runner connects to. Bochs ends
# by itself when the kernel powers off (the "Shutdown" port); its exit
# status means nothing, so only the log counts. --cpus and --mem apply,
# --qemu-opt does not.
runner_bochs() {
	local i=$1 dir=$2
	local -a CMDS
	local TYPED=0 MARK=0
	mapfile -t CMDS < <(items "${T_TYPE[i]}")
	local -a forbids
	mapfile -t forbids < <(items "${T_FORBID[i]}")
	((T_PANIC_OK[i])) || forbids+=("kernel panic")

	local fs= port= com1="mode=file, dev=$dir/serial.log"
	[[ -f $dir/fs.img ]] && fs=$dir/fs.img
	if ((${#CMDS[@]})); then
		# Spread the tests running at once over different ports.
		port=$(grade_unused_port $((32000 + ($(id -u) * 16 + i * 3) % 8000)))
		com1="mode=socket-server, dev=localhost:$port"
	fi
	if ! BOCHS_MEGS=${T_MEM[i]} BOCHS_CPUS=${T_CPUS[i]} BOCHS_COM1=$com1 BOCHS_MODEL=${T_BMODEL[i]} \
		BOCHS_IPS=${T_BIPS[i]} bash conf/bochs.sh prepare "$dir" "$dir/kernel.img" $fs >>"$dir/bochs.err" 2>&1; then
		: >"$dir/log"
		echo exited >"$dir/how"
		echo "conf/bochs.sh prepare failed: $(tail -n 1 "$dir/bochs.err")" >>"$dir/reasons"
		return
	fi
	: >"$dir/serial.log"
	bochs -q -f "$dir/bochsrc" -rc "$dir/bochs.rc" </dev/null >"$dir/bochs.out" 2>&1 &
	local bpid=$! sockfd= catpid=

	local deadline=$(($(now_ms) + T_TIMEOUT[i] * 1000)) how=
	if [[ -n $port ]]; then
		# Bochs waits for this connection before it starts the machine.
		until grade_port_listening "$port"; do
			if ! kill -0 "$bpid" 2>/dev/null || (($(now_ms) >= deadline)); then
				how=exited
				break
			fi
			sleep 0.05
		done
		if [[ -z $how ]] && exec {sockfd}<>"/dev/tcp/127.0.0.1/$port"; then
			cat <&"$sockfd" >"$dir/serial.log" &
			catpid=$!
		else
			echo "could not connect to the Bochs serial port $port" >>"$dir/reasons"
		fi
	fi
	while [[ -z $how ]]; do
		if ! kill -0 "$bpid" 2>/dev/null; then
			how=exited
			break
		fi
		grade_poll_end "$i" "$dir/serial.log" "$sockfd" "$deadline" && break
		sleep 0.1
	done

	if [[ $how != exited ]]; then
		grade_end_process "$bpid"
	fi
	wait "$bpid" 2>/dev/null
	local st=$?
	# Bochs' own chatter stays in bochs.out; its last words go to bochs.err.
	{
		grep -A1 '^Bochs is exiting with the following message:' "$dir/bochs.out"
		grep -E '^[0-9]+[ep]\[' "$dir/bochs.out" | tail -n 5
		echo "bochs exit status $st"
	} >>"$dir/bochs.err"
	if [[ -n $sockfd ]]; then
		exec {sockfd}>&-
		local n=0
		while [[ -n $catpid ]] && kill -0 "$catpid" 2>/dev/null && ((n++ < 40)); do
			sleep 0.05
		done
		[[ -n $catpid ]] && kill "$catpid" 2>/dev/null && wait "$catpid" 2>/dev/null
	fi
	rm -f "$dir"/*.lock
	tr -d '\r' <"$dir/serial.log" >"$dir/log"
	echo "$how" >"$dir/how"
	# Bochs says why it ended; anything but a power-off is worth reporting.
	local why
	why=$(grep -A1 '^Bochs is exiting with the following message:' "$dir/bochs.out" | tail -n 1)
	if [[ $how == exited && -n $why && $why != *'shutdown requested'* ]]; then
		echo "Bochs ended: $why" >>"$dir/reasons"
	fi
	if [[ $how == exited && ! -s $dir/log ]]; then
		echo "Bochs ended without output; see bochs.err in the log" >>"$dir/reasons"
	fi
	if [[ $how == timeout ]] && ((${#CMDS[@]})); then
		echo "typed $TYPED of ${#CMDS[@]} commands before the timeout" >>"$dir/reasons"
	fi
}

# Call the test's shell function with a deadline.
runner_func() {
	local i=$1 dir=$2
	local func=${T_FUNC[i]}
	declare -F "$func" >/dev/null || {
		: >"$dir/log"
		echo exited >"$dir/how"
		echo "no shell function '$func'" >>"$dir/reasons"
		return
	}
	: >"$dir/log"
	GRADE_INDEX=$i GRADE_DEADLINE_MS=$(($(now_ms) + T_TIMEOUT[i] * 1000))
	"$func" "$dir" "$dir/log" >"$dir/func.out" 2>&1 &
	local fpid=$! how=exited
	while kill -0 "$fpid" 2>/dev/null; do
		if (($(now_ms) >= GRADE_DEADLINE_MS)); then
			how=timeout
			kill_tree "$fpid"
			break
		fi
		sleep 0.05
	done
	wait "$fpid"
	local st=$?
	if [[ $how == exited && $st -ne 0 ]]; then
		echo "$func returned status $st" >>"$dir/reasons"
	fi
	# Whatever the function left running (grade_qemu_start) goes now.
	local pid
	if [[ -f $dir/pids ]]; then
		while read -r pid; do
			kill_tree "$pid"
		done <"$dir/pids"
	fi
	echo "$how" >"$dir/how"
}

# ---------------------------------------------------------------- checking

# check_log I DIR: append to DIR/reasons every pattern of test I that DIR/log
# does not satisfy.
check_log() {
	local i=$1 dir=$2 log=$2/log re n line after=0 found
	while IFS= read -r re; do
		grep -Eq -- "$re" "$log" || echo "missing: $re"
	done < <(items "${T_EXPECT[i]}")
	while IFS= read -r re; do
		line=$(tail -n +"$((after + 1))" "$log" | grep -nE -m1 -- "$re" | cut -d: -f1)
		if [[ -n $line ]]; then
			after=$((after + line))
		else
			echo "missing (in order, after line $after): $re"
		fi
	done < <(items "${T_SEQ[i]}")
	while IFS=$'\t' read -r n re; do
		found=$(grep -cE -- "$re" "$log")
		((found >= n)) || echo "expected at least $n lines matching, found $found: $re"
	done < <(items "${T_COUNT[i]}")
	{
		items "${T_FORBID[i]}"
		((T_PANIC_OK[i])) || echo "kernel panic"
	} | while IFS= read -r re; do
		line=$(grep -E -m1 -- "$re" "$log") && echo "forbidden: $re, matched: $line"
	done
} >>"$2/reasons"

# run_test I: run test I in $WORK/I and leave the verdict in $WORK/I/result:
# `OK MS` or `FAIL MS` on the first line, the reasons after it.
run_test() {
	local i=$1 dir=$WORK/$1 name=${T_NAME[$1]}
	local start
	start=$(now_ms)
	mkdir -p "$dir"
	: >"$dir/reasons"
	if cp "$KERNIMG" "$dir/kernel.img" &&
		bash conf/mkcmdline.sh "$dir/kernel.img" "${T_CMDLINE[i]}" >>"$dir/reasons" 2>&1 &&
		{ [[ -z $FSIMG ]] || cp "$FSIMG" "$dir/fs.img"; }; then
		"runner_${T_RUNNER[i]}" "$i" "$dir"
		local how
		how=$(cat "$dir/how" 2>/dev/null)
		if [[ $how == timeout ]] && ! ((T_TIMEOUT_OK[i])); then
			echo "timed out after ${T_TIMEOUT[i]}s" >>"$dir/reasons"
		fi
		check_log "$i" "$dir"
	else
		echo "could not prepare the disk images" >>"$dir/reasons"
		touch "$dir/log"
	fi
	local ms=$(($(now_ms) - start)) verdict=OK
	[[ -s $dir/reasons ]] && verdict=FAIL
	if [[ $verdict == FAIL ]] || ((VERBOSE)); then
		# Keep the evidence: what was checked, then the emulator's own words.
		{
			cat "$dir/log"
			if [[ ${T_RUNNER[i]} == func && -s $dir/serial.log ]]; then
				echo "---- serial console ----"
				tr -d '\r' <"$dir/serial.log"
			fi
			for f in func.out qemu.err bochs.err; do
				if [[ -s $dir/$f ]]; then
					echo "---- $f ----"
					cat "$dir/$f"
				fi
			done
		} >"$LOGDIR/$name.log"
	fi
	{
		echo "$verdict $ms"
		cat "$dir/reasons"
	} >"$dir/result.tmp"
	mv "$dir/result.tmp" "$dir/result"
}

# ---------------------------------------------------------------- main

usage() {
	echo "usage: $0 [-j N] [-v] [-l] [NAME|GLOB ...]" >&2
	echo "  -j N  run N tests at a time (default: number of CPUs)" >&2
	echo "  -v    print the whole log of each failed test" >&2
	echo "  -l    list the tests and exit" >&2
	exit 2
}

JOBS=$(nproc 2>/dev/null || echo 1)
LIST=0 VERBOSE=0
while getopts "j:lvh" opt; do
	case $opt in
	j) [[ $OPTARG =~ ^[1-9][0-9]*$ ]] || usage; JOBS=$OPTARG ;;
	l) LIST=1 ;;
	v) VERBOSE=1 ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))

# load_tests: (re)read the declarations in conf/tests/*.sh.  They are read
# once before the build, to list and select, and once more after it, so
# that a declaration may use what the build made (the guest images).
load_tests() {
	registry_clear
	shopt -s nullglob
	for DECL_FILE in conf/tests/*.sh; do
		# shellcheck source=/dev/null
		source "$DECL_FILE" || die "$DECL_FILE failed"
	done
	shopt -u nullglob
	DECL_FILE=
}

# select_tests PATTERN...: set SELECTED to the indexes of the tests named
# (exact names or shell globs; none: all), in declaration order.
select_tests() {
	local pat i matched
	SELECTED=()
	if (($#)); then
		for pat in "$@"; do
			matched=0
			for i in "${!T_NAME[@]}"; do
				# shellcheck disable=SC2053
				if [[ ${T_NAME[i]} == $pat ]]; then
					matched=1
					[[ " ${SELECTED[*]} " == *" $i "* ]] || SELECTED+=("$i")
				fi
			done
			((matched)) || die "no test matches '$pat' (see $0 -l)"
		done
	else
		SELECTED=("${!T_NAME[@]}")
	fi
}

load_tests
select_tests "$@"

if ((LIST)); then
	for i in "${SELECTED[@]}"; do
		printf '%-20s %s\n' "${T_NAME[i]}" "${T_FILE[i]}"
	done
	exit 0
fi
((${#SELECTED[@]})) || die "no tests declared in conf/tests/"

# Build. conf/deps.sh first, so that a fresh machine gets its packages.
bash conf/deps.sh || die "conf/deps.sh failed"
MAKELOG=$(mktemp)
if ! make >"$MAKELOG" 2>&1; then
	tail -n 40 "$MAKELOG"
	rm -f "$MAKELOG"
	echo "grade-lab.sh: make failed" >&2
	echo "0 passed, ${#SELECTED[@]} failed"
	exit 2
fi
rm -f "$MAKELOG"
load_tests
select_tests "$@"

# Where the build put things, and how it runs QEMU.
QEMU=qemu-system-x86_64 QEMUCPU=qemu64 KERNIMG=obj/kern/kernel.img FSIMG=
while IFS='=' read -r key value; do
	case $key in
	QEMU | QEMUCPU | KERNIMG | FSIMG) printf -v "$key" '%s' "$value" ;;
	esac
done < <(make -s grade-env 2>/dev/null)
[[ -f $KERNIMG ]] || die "$KERNIMG was not built"
[[ -z $FSIMG || -f $FSIMG ]] || die "$FSIMG was not built"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/grade-lab.XXXXXX") || die "mktemp failed"
mkdir -p "$LOGDIR"
for i in "${SELECTED[@]}"; do
	rm -f "$LOGDIR/${T_NAME[i]}.log"
done

declare -A WORKER_OF=()		# each started test's worker
cleanup() {
	local pid
	for pid in "${WORKER_OF[@]}"; do
		kill_tree "$pid"
	done
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'echo; echo "grade-lab.sh: interrupted" >&2; exit 130' INT TERM

PASSED=0 FAILED=0 NEXT=0 STARTED=0 DONE=0

# Print the results of the selected tests, in order, as far as they are done.
print_results() {
	local i verdict ms reason
	while ((NEXT < ${#SELECTED[@]})); do
		i=${SELECTED[NEXT]}
		[[ -f $WORK/$i/result ]] || break
		{
			read -r verdict ms
			printf '%s: %s (%d.%ds)\n' "${T_NAME[i]}" "$verdict" $((ms / 1000)) $((ms % 1000 / 100))
			while IFS= read -r reason; do
				printf '    %s\n' "$reason"
			done
		} <"$WORK/$i/result"
		if [[ $verdict == OK ]]; then
			PASSED=$((PASSED + 1))
		else
			FAILED=$((FAILED + 1))
			echo "    log: obj/grade-logs/${T_NAME[i]}.log"
		fi
		if ((VERBOSE)); then
			sed 's/^/    | /' "$LOGDIR/${T_NAME[i]}.log"
		fi
		NEXT=$((NEXT + 1))
	done
}

# watchdog I PID: a worker still going GRADE_GRACE_S (60) seconds past
# its test's timeout is stuck in the harness itself (an emulator that
# would not end, a reader that would not close); end it, and fail the
# test saying so.
watchdog() {
	local i=$1 pid=$2 started
	[[ -f $WORK/$i/result ]] && return
	started=$(cat "$WORK/started.$i" 2>/dev/null) || return
	(($(now_ms) - started > (T_TIMEOUT[i] + GRADE_GRACE_S) * 1000)) || return
	kill_tree "$pid" KILL
	wait "$pid" 2>/dev/null
	mkdir -p "$WORK/$i"
	{
		echo "FAIL $(($(now_ms) - started))"
		echo "the harness did not end this run $((T_TIMEOUT[i] + GRADE_GRACE_S))s after it began (its timeout is ${T_TIMEOUT[i]}s)"
	} >"$WORK/$i/result"
	[[ -f $WORK/$i/serial.log ]] && tr -d '\r' <"$WORK/$i/serial.log" >"$LOGDIR/${T_NAME[i]}.log"
}

GRADE_GRACE_S=${GRADE_GRACE_S:-60}
while ((NEXT < ${#SELECTED[@]})); do
	DONE=0
	for i in "${SELECTED[@]:0:STARTED}"; do
		[[ -f $WORK/$i/result ]] && DONE=$((DONE + 1))
	done
	if ((STARTED < ${#SELECTED[@]} && STARTED - DONE < JOBS)); then
		i=${SELECTED[STARTED]}
		now_ms >"$WORK/started.$i"
		run_test "$i" >"$WORK/worker.$i.out" 2>&1 &
		WORKER_OF[$i]=$!
		STARTED=$((STARTED + 1))
		continue
	fi
	for i in "${SELECTED[@]:NEXT:STARTED-NEXT}"; do
		watchdog "$i" "${WORKER_OF[$i]}"
	done
	print_results
	((NEXT < ${#SELECTED[@]})) && sleep 0.1
done
wait

echo "$PASSED passed, $FAILED failed"
((FAILED == 0))
