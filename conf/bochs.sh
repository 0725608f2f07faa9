#!/usr/bin/env bash
# conf/bochs.sh: run the kernel under Bochs, whose CPU emulates VT-x with EPT
# (our machines have no VT-x; see shared/EMULATORS.md).
#
#   bash conf/bochs.sh prepare DIR KERNEL.IMG [FS.IMG]
#       Put in DIR: kernel.img and fs.img, copies padded to whole cylinders
#       (an image already in DIR is padded in place), DIR/bochsrc made from
#       conf/bochsrc.tmpl, and DIR/bochs.rc, the debugger commands that run
#       the machine and quit when it stops.  Environment: BOCHS_MEGS (256),
#       BOCHS_CPUS (1), BOCHS_COM1 (default: mode=file, dev=DIR/serial.log),
#       BOCHS_CLOCK (default sync=none: the TSC counts instructions),
#       BOCHS_MODEL (the CPU: corei7_haswell_4770, VT-x; ryzen for AMD SVM),
#       BOCHS_IPS (4000000: emulated instructions per second, which with
#       sync=none is also the TSC's rate; a guest whose timer ticks cost
#       the monitor more exits than 4 MHz leaves room for takes more),
#       BOCHS_COM2 (default: enabled=0; the guest debugger's link).
#   bash conf/bochs.sh run KERNEL.IMG [FS.IMG]
#       Boot interactively: the serial console on this terminal (COM1 is a
#       socket that this script connects the terminal to), no window.
#       Ctrl-C stops the machine.  Work files go to obj/bochs/ (BOCHS_DIR).
#
# Bochs is started as `bochs -q -f DIR/bochsrc -rc DIR/bochs.rc`; it ends when
# the kernel writes "Shutdown" to port 0x8900 (power-off).
set -eu

TOP=$(cd "$(dirname "$0")/.." && pwd)
CYL_BYTES=$((16 * 63 * 512))	# one cylinder: 16 heads, 63 sectors of 512 bytes

die() {
	echo "conf/bochs.sh: $*" >&2
	exit 1
}

# pad IMG: grow IMG to a whole number of cylinders (at least one); echo
# the number of cylinders.
pad() {
	local size cyl
	size=$(stat -c %s -- "$1")
	cyl=$(((size + CYL_BYTES - 1) / CYL_BYTES))
	((cyl > 0)) || cyl=1
	truncate -s $((cyl * CYL_BYTES)) -- "$1"
	echo "$cyl"
}

# disk_line IMG CYL: the bochsrc value for a flat disk image.
disk_line() {
	echo "type=disk, path=\"$1\", mode=flat, cylinders=$2, heads=16, spt=63"
}

# prepare DIR KERNEL.IMG [FS.IMG]: see the header.
prepare() {
	local dir=$1 kern=$2 fs=${3:-}
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	[[ -f $kern ]] || die "$kern: no such file"
	[[ $kern -ef $dir/kernel.img ]] || cp -- "$kern" "$dir/kernel.img"
	local disk0 disk1="# no file system disk"
	disk0=$(disk_line "$dir/kernel.img" "$(pad "$dir/kernel.img")")
	if [[ -n $fs ]]; then
		[[ -f $fs ]] || die "$fs: no such file"
		[[ $fs -ef $dir/fs.img ]] || cp -- "$fs" "$dir/fs.img"
		disk1="ata0-slave: $(disk_line "$dir/fs.img" "$(pad "$dir/fs.img")")"
	fi
	rm -f "$dir/kernel.img.lock" "$dir/fs.img.lock"
	local com1=${BOCHS_COM1:-"mode=file, dev=$dir/serial.log"}
	[[ ${BOCHS_IPS:-4000000} =~ ^[1-9][0-9]*$ ]] || die "BOCHS_IPS=$BOCHS_IPS: not a number"
	# | cannot occur in these values (paths come from mktemp and obj/).
	sed -e "s|@MEGS@|${BOCHS_MEGS:-256}|" -e "s|@CPUS@|${BOCHS_CPUS:-1}|" \
		-e "s|@MODEL@|${BOCHS_MODEL:-corei7_haswell_4770}|" \
		-e "s|@IPS@|${BOCHS_IPS:-4000000}|" \
		-e "s|@DISK0@|$disk0|" -e "s|@DISK1@|$disk1|" \
		-e "s|@COM1@|$com1|" -e "s|@COM2@|${BOCHS_COM2:-enabled=0}|" \
		-e "s|@LOG@|$dir/bochs.log|" \
		-e "s|@CLOCK@|${BOCHS_CLOCK:-sync=none}|" \
		"$TOP/conf/bochsrc.tmpl" >"$dir/bochsrc"
	# A CPU panic is only reported (bochsrc.tmpl), and Bochs' debugger
	# then stops: each further c goes on.  Bochs 2.7 panics at a guest's
	# triple fault under SVM before it looks at the SHUTDOWN intercept.
	{ printf 'c\n%.0s' {1..64}; printf 'quit\n'; } >"$dir/bochs.rc"
}

# port_state PORT STATE: true if some socket on local TCP port PORT is in
# STATE (hex, as /proc/net/tcp writes it: 0A is LISTEN), or in any state
# when STATE is empty.
port_state() {
	awk -v re="$(printf ':%04X$' "$1")" -v st="$2" \
		'$2 ~ re && (st == "" || $4 == st) { f = 1 } END { exit !f }' \
		/proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# running PID: true while process PID exists and is not a zombie.
running() {
	local st
	st=$(ps -o stat= -p "$1" 2>/dev/null) && [[ $st != Z* ]]
}

# run KERNEL.IMG [FS.IMG]: see the header.
run() {
	local dir=${BOCHS_DIR:-$TOP/obj/bochs} port
	port=$((31000 + $(id -u) % 5000))
	# A port still in TIME_WAIT cannot be bound by Bochs either.
	while port_state "$port" ""; do
		port=$((port + 1))
	done
	# Interactive: the emulated clock keeps in step with the wall clock,
	# so guests' timers and `vmctl list` times mean real seconds (tests
	# keep sync=none, which runs faster).
	BOCHS_CLOCK=sync=realtime BOCHS_COM1="mode=socket-server, dev=localhost:$port" \
		prepare "$dir" "$@"
	dir=$(cd "$dir" && pwd)

	# Bochs in its own session, so that Ctrl-C reaches only this script.
	setsid bochs -q -f "$dir/bochsrc" -rc "$dir/bochs.rc" </dev/null >"$dir/bochs.out" 2>&1 &
	# Globals, not locals: the EXIT trap runs after run has returned.
	bpid=$! inpid= outpid= saved= rundir=$dir
	finish() {
		set +e	# whatever is already gone, clean up the rest
		trap - EXIT INT TERM
		[[ -n $saved ]] && stty "$saved" 2>/dev/null
		[[ -n $inpid ]] && kill "$inpid" 2>/dev/null
		[[ -n $outpid ]] && kill "$outpid" 2>/dev/null
		# Bochs may take a moment over SIGTERM; then it gets SIGKILL.
		if [[ -n $bpid ]]; then
			kill "$bpid" 2>/dev/null
			local n=0
			while running "$bpid" && ((n++ < 40)); do
				sleep 0.05
			done
			kill -KILL "$bpid" 2>/dev/null
			wait "$bpid" 2>/dev/null
		fi
		rm -f "$rundir"/*.lock
		echo
		echo "*** Bochs stopped; its log is $rundir/bochs.log"
	}
	trap finish EXIT
	trap 'exit 130' INT TERM

	local n=0
	until port_state "$port" 0A; do
		kill -0 "$bpid" 2>/dev/null || { cat "$dir/bochs.out" >&2; die "bochs did not start"; }
		((n++ < 200)) || die "bochs is not listening on port $port"
		sleep 0.05
	done
	echo "*** Bochs: serial console on this terminal (port $port); Ctrl-C stops it." >&2
	exec 3<>"/dev/tcp/127.0.0.1/$port"
	cat <&3 &
	outpid=$!
	if [[ -t 0 ]]; then
		saved=$(stty -g)
		stty -icanon -echo min 1
	fi
	cat <&0 >&3 &
	inpid=$!
	wait "$bpid" 2>/dev/null || true
	bpid=	# gone by itself (powered off)
}

cmd=${1:-}
shift || true
case $cmd in
prepare)
	(($# == 2 || $# == 3)) || die "usage: conf/bochs.sh prepare DIR KERNEL.IMG [FS.IMG]"
	prepare "$@" ;;
run)
	(($# == 1 || $# == 2)) || die "usage: conf/bochs.sh run KERNEL.IMG [FS.IMG]"
	run "$@" ;;
*)
	die "usage: conf/bochs.sh prepare|run ..." ;;
esac
