# conf/tests/66-screens.sh: guests' text screens and keyboards (issue
# 13, parts 7 and 8): `vmctl screen`, typed keys as scan codes for a
# text-screen guest, and GRUB Invaders (Debian's grub-invaders, fetched
# by conf/guest-images.sh) as a guest, alone and beside the JOS guest;
# and the host's display showing the focused guest's screen
# (kern/screenmux.c), read with QEMU's monitor or Bochs' debugger.
#
# The guest tests are conversations with pauses between keys (a
# terminal sends no key releases, so an arrow key stays down a while;
# Ctrl-] drops what the guest has not read yet), so each is a shell
# function that boots its machine itself (QEMU-SVM or Bochs-VMX, by the
# backend add_guest_test gave it), with COM1 on a TCP socket, types,
# waits, and computes what two screens have in common.  They print
# lines "screens: ..." that the patterns check.

# ---- host side: the pure parts

unit_termkeys() { dev_run termkeys termkeys_test "$2"; }

# Terminal bytes to key presses: characters, escape sequences (arrows
# E0 4B/4D/48/50, editing and F keys), a held arrow's release, ESC alone,
# unknown sequences dropped (vmm/io/termkeys.c, against vmm/io/i8042.c).
add_test unit_termkeys --func unit_termkeys --timeout 60 \
	--expect '^termkeys_test: [0-9]+ checks, 0 failed$' --forbid 'FAILED'

unit_textscreen() { unit_run textscreen_test "$2"; }

# A text screen as lines: characters only, blanks trimmed, '.' for what
# a terminal cannot show (lib/textscreen.c).
add_test unit_textscreen --func unit_textscreen --timeout 30 \
	--expect '^textscreen_test: [0-9]+ checks, 0 failed$' --forbid 'FAILED'

# ---- the conversation helpers (SCR_DIR, SCR_LOG, SCR_CON: set by scr_boot)

# scr_boot DIR LOG [monitor]: boot this test's kernel and disk in DIR
# under its backend, COM1 on a socket whose output collects in
# DIR/console.txt.  With "monitor", a way in to read the host's memory
# (scr_cga), on SCR_MON: QEMU's monitor on the pipes DIR/mon.in and
# DIR/mon.out, or Bochs' debugger reading the pipe DIR/dbg.in (after
# one "c"; scr_cga stops it with SIGINT), its answers in DIR/bochs.out.
scr_boot() {
	local dir=$1 port mon=() rc
	SCR_DIR=$1 SCR_LOG=$2 SCR_KEY_GAP=0.6 SCR_MON_KIND=
	port=$(grade_unused_port $((38000 + ($(id -u) * 16 + GRADE_INDEX * 3) % 4000)))
	if [[ -n ${T_QCPU[GRADE_INDEX]} ]]; then
		echo "screens: backend QEMU, -cpu ${T_QCPU[GRADE_INDEX]}" >>"$SCR_LOG"
		qemu_cmd "$GRADE_INDEX" "$dir"
		if [[ ${3:-} == monitor ]]; then
			rm -f "$dir/mon.in" "$dir/mon.out"
			mkfifo "$dir/mon.in" "$dir/mon.out" || return 1
			mon=(-monitor "pipe:$dir/mon")
			SCR_MON_KIND=qemu
		fi
		"${QCMD[@]}" "${mon[@]}" -serial "tcp:127.0.0.1:$port,server=on,wait=on" \
			</dev/null >>"$dir/qemu.err" 2>&1 &
	else
		echo "screens: backend Bochs, ${T_BMODEL[GRADE_INDEX]:-VT-x}" >>"$SCR_LOG"
		SCR_KEY_GAP=2
		BOCHS_MEGS=${T_MEM[GRADE_INDEX]} BOCHS_MODEL=${T_BMODEL[GRADE_INDEX]} \
			BOCHS_COM1="mode=socket-server, dev=localhost:$port" \
			bash conf/bochs.sh prepare "$dir" "$dir/kernel.img" "$dir/fs.img" >>"$SCR_LOG" 2>&1 ||
			return 1
		rc=$dir/bochs.rc
		if [[ ${3:-} == monitor ]]; then
			rm -f "$dir/dbg.in"
			mkfifo "$dir/dbg.in" || return 1
			echo c >"$dir/dbg.rc"
			rc=$dir/dbg.rc SCR_MON_KIND=bochs
		fi
		# (The pipe opened for reading and writing: the open does not wait.)
		if [[ $SCR_MON_KIND == bochs ]]; then
			bochs -q -f "$dir/bochsrc" -rc "$rc" <>"$dir/dbg.in" >"$dir/bochs.out" 2>&1 &
		else
			bochs -q -f "$dir/bochsrc" -rc "$rc" </dev/null >"$dir/bochs.out" 2>&1 &
		fi
	fi
	SCR_EMU_PID=$!
	echo $! >>"$dir/pids"
	grade_wait_listen "$port" 60 || { echo "screens: nothing listens on $port" >>"$SCR_LOG"; return 1; }
	exec {SCR_CON}<>"/dev/tcp/127.0.0.1/$port"
	: >"$dir/console.txt"
	cat <&"$SCR_CON" >"$dir/console.txt" &
	echo $! >>"$dir/pids"
	case $SCR_MON_KIND in
	qemu)
		exec {SCR_MON}<>"$dir/mon.in"
		cat <>"$dir/mon.out" >"$dir/monitor.txt" &
		echo $! >>"$dir/pids" ;;
	bochs)
		exec {SCR_MON}<>"$dir/dbg.in" ;;
	esac
}

# scr_text: the console so far, without carriage returns.
scr_text() { tr -d '\r' <"$SCR_DIR/console.txt"; }

# scr_lines: the console's lines, each as "WRITER<tab>LINE": WRITER is
# "host" or a guest's env id, from the lines "--- guest ENVID ---" and
# "--- host ---" the console prints where the writer changes (which are
# left out), or from a line's "[guest ENVID] " prefix (older kernels).
scr_lines() {
	scr_text | awk '
		BEGIN { w = "host" }
		/^--- guest [0-9a-f]+ ---$/ { w = $3; next }
		/^--- host ---$/ { w = "host"; next }
		/^\[guest [0-9a-f]+\] / { id = substr($2, 1, length($2) - 1)
			print id "\t" substr($0, length($1) + length($2) + 3); next }
		{ print w "\t" $0 }'
}

# scr_count WRITER ERE: how many lines of WRITER's match ERE.
scr_count() {
	scr_lines | awk -F '\t' -v w="$1" '$1 == w { sub(/^[^\t]*\t/, ""); print }' |
		grep -cE -- "$2"
}

# scr_wait_from WRITER COUNT ERE: wait until COUNT lines of WRITER's
# match ERE.
scr_wait_from() {
	until (($(scr_count "$1" "$3") >= $2)); do
		(($(now_ms) < GRADE_DEADLINE_MS - 10000)) || {
			echo "screens: timed out waiting for $2 lines of $1 matching: $3" >>"$SCR_LOG"
			return 1
		}
		sleep 0.2
	done
}

# scr_wait COUNT ERE: wait until COUNT lines of the console match ERE
# (giving up 10 s before the test's deadline, so that the log gets the
# console).
scr_wait() {
	until (($(scr_text | grep -cE -- "$2") >= $1)); do
		(($(now_ms) < GRADE_DEADLINE_MS - 10000)) || {
			echo "screens: timed out waiting for $1 lines matching: $2" >>"$SCR_LOG"
			return 1
		}
		sleep 0.2
	done
}

# scr_saw ERE: some line of the console matches ERE.
# (Not "scr_text | grep -q": grade-lab.sh sets pipefail, and tr may die
# of SIGPIPE once grep has seen enough.)
scr_saw() { grep -qE -- "$1" < <(scr_text); }

# scr_type TEXT: type TEXT (printf escapes) at the console, no newline.
scr_type() { printf "$1" >&"$SCR_CON"; }

# scr_cmd CMD: type the shell command CMD and a return, once the host
# shell has prompted ("$ " at the start of a host line) since the
# command before was typed (SCR_PROMPTS: the prompts seen then).
scr_cmd() {
	scr_wait_from host $((SCR_PROMPTS + 1)) '^\$ ' || {
		echo "screens: no prompt to type: $1" >>"$SCR_LOG"
		return 1
	}
	SCR_PROMPTS=$(scr_count host '^\$ ')
	printf '%s\r' "$1" >&"$SCR_CON"
}

# scr_dump N ID: type `vmctl screen ID` (no ID: none given) and put the
# screen, when it is there, in SCR_DIR/screen.N (the 25 rows).  (awk
# reads to the end: were it to exit first, tr could die of SIGPIPE, and
# with pipefail the dump would fail.)
scr_dump() {
	local n=$1 id=${2:-} have
	have=$(scr_text | grep -c '^--- screen of guest ')
	scr_cmd "vmctl screen${id:+ $id}" &&
		scr_wait $((have + 1)) '^--- screen of guest [0-9a-f]{8} ---$' &&
		scr_wait $((have + 1)) '^---$' || return 1
	scr_text | awk -v want=$((have + 1)) '
		/^--- screen of guest [0-9a-f]+ ---$/ { n++; inside = (n == want); next }
		inside && /^---$/ { inside = 0 }
		inside { print }' >"$SCR_DIR/screen.$n"
}

# scr_ship_col N: the column of the ship's cockpit ("/ \" on the last
# row of the screen GRUB Invaders draws) in screen N; empty if none.
scr_ship_col() {
	awk 'NR == 25 { i = index($0, "/ \\"); if (i) print i - 1 }' "$SCR_DIR/screen.$1"
}

# scr_invaders N: how many invaders ("-*-" or "--*-") screen N shows.
scr_invaders() {
	grep -oE -- '-?-\*-' "$SCR_DIR/screen.$1" | wc -l
}

# scr_guest_info ID: SCR_INFO is "EXITS RUN_MS" of guest ID from a
# `vmctl list` typed now (the last listing's line for ID).
scr_guest_info() {
	local have
	have=$(scr_text | grep -cE "^$1 ")
	scr_cmd "vmctl list" && scr_wait $((have + 1)) "^$1 " || return 1
	SCR_INFO=$(scr_text | grep -E "^$1 " | tail -n 1 | awk '{ print $5, $6 }')
}

# scr_finish STATUS: the console into the log (after the computed lines).
scr_finish() {
	{ echo "--- console"; scr_text; } >>"$SCR_LOG"
	if [[ ${SCR_MON_KIND:-} == bochs ]]; then
		{ echo "--- Bochs' debugger, last lines"; tail -n 12 "$SCR_DIR/bochs.out"; } >>"$SCR_LOG"
	fi
	exec {SCR_CON}>&-
	[[ -z ${SCR_MON:-} ]] || exec {SCR_MON}>&-
	return "$1"
}

# scr_invaders_ready LOG: is the Invaders image there?  Says why not.
scr_invaders_ready() {
	[[ -f obj/guests/invaders.exec ]] && return 0
	echo "screens: skipped: no GRUB Invaders image ($(cat obj/guests/invaders-unavailable 2>/dev/null ||
		echo 'conf/guest-images.sh did not run'))" >>"$1"
	return 1
}

# scr_check WHAT CONDITION...: run CONDITION; log "screens: ok: WHAT" or
# "screens: FAILED: WHAT" and count.
scr_check() {
	local what=$1
	shift
	SCR_CHECKS=$((SCR_CHECKS + 1))
	if "$@"; then
		echo "screens: ok: $what" >>"$SCR_LOG"
	else
		echo "screens: FAILED: $what" >>"$SCR_LOG"
		SCR_FAILED=$((SCR_FAILED + 1))
	fi
}

# scr_report: the last computed line, "screens: N checks, M failed".
scr_report() {
	echo "screens: $SCR_CHECKS checks, $SCR_FAILED failed" >>"$SCR_LOG"
}

# scr_arrows SEQ N: press the arrow key whose sequence is SEQ (C right,
# D left) N times, a while apart, while the guest holds the console;
# then wait until it has surely read them before Ctrl-] (which drops
# what the guest has not read).
scr_arrows() {
	local i
	for ((i = 0; i < $2; i++)); do
		scr_type "\x1b[$1"
		sleep "$SCR_KEY_GAP"
	done
	sleep "$SCR_KEY_GAP"
}

# scr_host: Ctrl-] gives the console back to the host.
scr_host() {
	local have
	have=$(scr_text | grep -c '^console: back to the host')
	scr_type '\x1d'
	scr_wait $((have + 1)) '^console: back to the host'
}

# scr_focus ID [next]: give guest ID the console with vmctl focus ID
# (or vmctl next, which must choose ID) and wait until vmctl says so.
scr_focus() {
	local have
	have=$(scr_text | grep -c "guest $1 has the console")
	scr_cmd "vmctl ${2:-focus $1}" && scr_wait $((have + 1)) "guest $1 has the console"
}

# scr_press SEQ N DUMP: give Invaders (SCR_INV) the console, press the
# arrow SEQ N times (scr_arrows), take the console back, dump its
# screen as number DUMP; SCR_COL0 is the ship's column before (SCR_COL
# as the caller set it), SCR_COL the one after.  A game that ended
# meanwhile (GAME OVER: on Bochs, whose clock runs many times faster
# than the wall's, a bomb may hit the ship within the test's minutes)
# is stopped and a new one started, and its ship pressed instead, once.
scr_press() {
	local again
	for again in 0 1; do
		SCR_COL0=$SCR_COL
		scr_focus "$SCR_INV" || return 1
		scr_arrows "$1" "$2"
		scr_host && scr_dump "$3" "$SCR_INV" || return 1
		SCR_COL=$(scr_ship_col "$3")
		grep -q 'GAME OVER' "$SCR_DIR/screen.$3" && ((!again)) || return 0
		echo "screens: game over in screen $3: a new game" >>"$SCR_LOG"
		{ scr_cmd "vmctl stop $SCR_INV" && scr_wait 1 "vmm: guest $SCR_INV is gone$" &&
			scr_start_invaders && sleep 1 && scr_host && scr_dump "$3-new" "$SCR_INV"; } || return 1
		SCR_COL=$(scr_ship_col "$3-new")
	done
}

# scr_start_invaders: start GRUB Invaders in the background at the host
# shell (it takes the console, as the newest guest does; the shell
# prompts at once) and set SCR_INV to its env id.
scr_start_invaders() {
	local have
	have=$(scr_text | grep -c 'starting: multiboot /guests/invaders.exec')
	scr_cmd "vmm --kernel /guests/invaders.exec &" &&
		scr_wait $((have + 1)) 'starting: multiboot /guests/invaders.exec' || return 1
	SCR_INV=$(scr_text | grep -oE 'vmm: guest [0-9a-f]{8} starting: multiboot /guests/invaders' |
		tail -n 1 | cut -d' ' -f3)
}

# GRUB Invaders alone: it boots and draws its invaders and ship; two
# screens 2 s apart differ (they move; the exits and milliseconds
# between them are its exits per second); arrow keys typed while it
# holds the console move the ship right, then left; vmctl screen
# refuses what is not a guest; sys_guest_read refuses every bad
# argument (testguestread).
screens_invaders_session() {
	local dir=$1 log=$2 a b col1 e1 e2
	SCR_CHECKS=0 SCR_FAILED=0 SCR_PROMPTS=0
	scr_invaders_ready "$log" || return 0
	scr_boot "$dir" "$log" || return 1
	scr_start_invaders || { scr_finish 1; return 1; }
	sleep 1
	scr_host || { scr_finish 1; return 1; }
	echo "screens: invaders is guest $SCR_INV" >>"$log"

	scr_dump 1 "$SCR_INV" || { scr_finish 1; return 1; }
	scr_check "the screen shows invaders ($(scr_invaders 1) of -*- or --*-)" \
		test "$(scr_invaders 1)" -ge 8
	col1=$(scr_ship_col 1)
	scr_check "the screen shows the ship (its cockpit at column ${col1:-none})" test -n "$col1"
	scr_guest_info "$SCR_INV" || { scr_finish 1; return 1; }
	a=$SCR_INFO
	sleep 2
	scr_guest_info "$SCR_INV" || { scr_finish 1; return 1; }
	b=$SCR_INFO
	scr_dump 2 || { scr_finish 1; return 1; }
	scr_check "vmctl screen with no ID shows the guest that had the console" \
		test "$(scr_text | grep '^--- screen' | tail -n 1)" = "--- screen of guest $SCR_INV ---"
	scr_check "two screens 2 s apart differ" eval '! cmp -s "$dir/screen.1" "$dir/screen.2"'
	read -r e1 ms1 <<<"$a"
	read -r e2 ms2 <<<"$b"
	if [[ -n $e1 && -n $e2 ]] && ((ms2 > ms1)); then
		echo "screens: invaders: $((e2 - e1)) exits in $((ms2 - ms1)) ms: $(((e2 - e1) * 1000 / (ms2 - ms1))) exits per second" >>"$log"
	fi

	SCR_COL=$(scr_ship_col 2)
	scr_press C 4 3 || { scr_finish 1; return 1; }
	scr_check "right arrows move the ship right (column $SCR_COL0 to ${SCR_COL:-none})" \
		test "${SCR_COL:-0}" -gt "${SCR_COL0:-99}"
	scr_press D 4 4 || { scr_finish 1; return 1; }
	scr_check "left arrows move it left (column $SCR_COL0 to ${SCR_COL:-none})" \
		test "${SCR_COL:-99}" -lt "${SCR_COL0:-0}"

	# What is no guest, and every bad argument of sys_guest_read.
	{ scr_cmd "vmctl screen 0000dead" && scr_cmd "vmctl screen 00001000" &&
		scr_cmd "testguestread $SCR_INV" && scr_wait 1 '^testguestread: done$' &&
		scr_cmd "vmctl stop $SCR_INV" && scr_wait 1 "vmm: guest $SCR_INV is gone$" &&
		scr_cmd "vmctl screen" && scr_cmd "echo screens-done" &&
		scr_wait 1 '^screens-done$'; } || { scr_finish 1; return 1; }
	local line
	while IFS= read -r line; do
		scr_check "the console says: $line" scr_saw "^$line\$"
	done <<'LINES'
vmctl: screen 0000dead: bad environment
vmctl: screen 00001000: bad environment
testguestread: the screen: ok
testguestread: the last byte: ok
testguestread: no such env: bad environment
testguestread: not a guest: bad environment
testguestread: past the end: invalid parameter
testguestread: far past the end: invalid parameter
testguestread: too many bytes: invalid parameter
testguestread: into the kernel: segmentation fault
testguestread: into read-only memory: segmentation fault
testguestread: into unmapped memory: segmentation fault
vmctl: screen: no guest has had the console
LINES
	scr_check "no port was refused" eval '! scr_saw "vmm: .*: refused|port [0-9a-f]{4} refused"'
	scr_report
	scr_finish 0
}

# The patterns of a session: its checks, or that it was skipped because
# the image cannot be had (the reason is in the log).
SCR_VERDICT='^screens: ([0-9]+ checks, 0 failed|skipped: no GRUB Invaders image .*)$'

add_guest_test screens_invaders --func screens_invaders_session --timeout 400 \
	--expect "$SCR_VERDICT" --forbid '^screens: FAILED'

# scr_cga N: read the host's CGA text buffer (host-physical 0xB8000,
# what the emulator's display shows) from outside, into SCR_DIR/cga.N,
# and its rows, decoded as vmctl screen decodes a guest's
# (obj/hosttest/textscreen_test FILE), into SCR_DIR/screen.cN: with
# QEMU's monitor (pmemsave), or Bochs' debugger (xp, between a SIGINT
# that stops the machine and a "c").
scr_cga() {
	local f=$SCR_DIR/cga.$1 until=$(($(now_ms) + 20000)) have
	rm -f "$f"
	if [[ $SCR_MON_KIND == bochs ]]; then
		have=$(grep -c '^0x00000000000b8f90 ' "$SCR_DIR/bochs.out")
		kill -INT "$SCR_EMU_PID"
		printf 'xp /2000hx 0xb8000\nc\n' >&"$SCR_MON"
		until (($(grep -c '^0x00000000000b8f90 ' "$SCR_DIR/bochs.out") > have)); do
			(($(now_ms) < until)) || {
				echo "screens: Bochs' debugger showed no 0xb8000" >>"$SCR_LOG"
				return 1
			}
			sleep 0.2
		done
		# Its last 250 lines of 8 words each, as the bytes in memory.
		grep -E '^0x00000000000b8[0-9a-f]{3} ' "$SCR_DIR/bochs.out" | tail -n 250 |
			python3 -c 'import sys
out = bytearray()
for line in sys.stdin:
    for w in line.split(":", 1)[1].split():
        out += int(w, 16).to_bytes(2, "little")
open(sys.argv[1], "wb").write(out)' "$f" || return 1
	else
		printf 'pmemsave 0xb8000 4000 "%s"\n' "$f" >&"$SCR_MON"
		until [[ -f $f && $(stat -c %s "$f") -eq 4000 ]]; do
			(($(now_ms) < until)) || {
				echo "screens: the monitor wrote no $f" >>"$SCR_LOG"
				return 1
			}
			sleep 0.1
		done
	fi
	obj/hosttest/textscreen_test "$f" >"$SCR_DIR/screen.c$1"
}

# scr_sendkeys KEY N: press KEY (a QEMU key name) N times on the PC's
# own keyboard (the PS/2 keyboard of QEMU's window), with the monitor's
# sendkey, a while apart.
scr_sendkeys() {
	local i
	for ((i = 0; i < $2; i++)); do
		printf 'sendkey %s\n' "$1" >&"$SCR_MON"
		sleep "$SCR_KEY_GAP"
	done
	sleep "$SCR_KEY_GAP"
}

# scr_on_cga N ERE: some row of the CGA read N matches ERE.
scr_on_cga() { grep -qE -- "$2" "$SCR_DIR/screen.c$1"; }

# The host's display follows the console (kern/screenmux.c), read
# from outside with QEMU's monitor or Bochs' debugger: the host's shell
# text is on it; once GRUB Invaders has the console its screen is
# (invaders, the ship in the column vmctl screen then shows, no host
# text), two reads a second apart differ, and the arrows (from the
# terminal, and on QEMU from the PC's keyboard, as in its window) move
# the ship there; Ctrl-] brings the host's screen back with what the
# host printed meanwhile; vmctl focus gives Invaders the display
# again, and its end while it holds the console gives the host's back.
screens_display_session() {
	local dir=$1 log=$2 col1 col2 col3
	SCR_CHECKS=0 SCR_FAILED=0 SCR_PROMPTS=0
	scr_invaders_ready "$log" || return 0
	make -s obj/hosttest/textscreen_test >>"$log" 2>&1 || return 1
	scr_boot "$dir" "$log" monitor || return 1
	{ scr_cmd "echo display-host-mark" && scr_wait 1 '^display-host-mark' &&
		sleep 0.5 && scr_cga 0; } || { scr_finish 1; return 1; }
	scr_check "the host's screen shows the host's text" scr_on_cga 0 '^display-host-mark$'

	{ scr_start_invaders && sleep 2 && scr_cga 1 && sleep 1 && scr_cga 2; } ||
		{ scr_finish 1; return 1; }
	echo "screens: invaders is guest $SCR_INV" >>"$log"
	scr_check "with Invaders holding the console the display shows invaders ($(scr_invaders c1))" \
		test "$(scr_invaders c1)" -ge 8
	col1=$(scr_ship_col c2)
	scr_check "the display shows the ship (its cockpit at column ${col1:-none})" test -n "$col1"
	scr_check "the host's text is not on it" eval '! scr_on_cga 1 display-host-mark && ! scr_on_cga 2 display-host-mark'
	scr_check "two reads a second apart differ" eval '! cmp -s "$dir/cga.1" "$dir/cga.2"'
	scr_arrows C 3
	scr_cga 3 || { scr_finish 1; return 1; }
	col2=$(scr_ship_col c3)
	scr_check "right arrows move the ship on the display (column $col1 to ${col2:-none})" \
		test "${col2:-0}" -gt "${col1:-99}"
	if [[ $SCR_MON_KIND == qemu ]]; then
		scr_sendkeys left 3
		scr_cga 3k || { scr_finish 1; return 1; }
		col1=$col2 col2=$(scr_ship_col c3k)
		scr_check "left arrows on the PC's own keyboard move it back (column $col1 to ${col2:-none})" \
			test "${col2:-99}" -lt "${col1:-0}"
	fi

	{ scr_host && scr_cga 4 && scr_dump 5 "$SCR_INV"; } || { scr_finish 1; return 1; }
	scr_check "Ctrl-]: the host's screen is back, with its earlier text" scr_on_cga 4 '^display-host-mark$'
	scr_check "and with what the host printed meanwhile" scr_on_cga 4 '^console: back to the host'
	scr_check "and no invaders ($(scr_invaders c4))" test "$(scr_invaders c4)" -eq 0
	col3=$(scr_ship_col 5)
	scr_check "the display had the ship where vmctl screen shows it (column ${col3:-none})" \
		test -n "$col3" -a "$col3" = "$col2"

	{ scr_focus "$SCR_INV" && sleep 1 && scr_cga 6; } || { scr_finish 1; return 1; }
	scr_check "vmctl focus gives Invaders the display again ($(scr_invaders c6) invaders)" \
		test "$(scr_invaders c6)" -ge 8
	# It ends while it holds the console: vmctl stop on the same line
	# (not Escape, its own way out, which once did not end it on Bochs).
	{ scr_host && scr_cmd "vmctl focus $SCR_INV; vmctl stop $SCR_INV" &&
		scr_wait 1 "vmm: guest $SCR_INV is gone$" &&
		scr_cmd "echo display-end-mark" && scr_wait 1 '^display-end-mark' &&
		sleep 0.5 && scr_cga 7; } || { scr_finish 1; return 1; }
	scr_check "Invaders' end gives the host its screen back" scr_on_cga 7 '^display-end-mark$'
	scr_check "with no invaders on it ($(scr_invaders c7))" test "$(scr_invaders c7)" -eq 0
	scr_report
	scr_finish 0
}

# (The PC's own keys only on QEMU, whose monitor types them.)
add_guest_test screens_display --func screens_display_session --timeout 400 \
	--expect "$SCR_VERDICT" --forbid '^screens: FAILED'

# scr_guest_echo ID WORD: with guest ID (the JOS guest) holding the
# console, type "echo WORD" at its shell and wait for its answer.
scr_guest_echo() {
	scr_type "echo $2\r"
	scr_wait_from "$1" 1 "^$2\$"
}

# GRUB Invaders and the JOS guest at once, the screens and the console
# switched with vmctl focus and next: the JOS guest answers at its shell
# each time it has the console, Invaders' screen moves on meanwhile and
# its ship follows the arrows once `vmctl next` gives it the console;
# the JOS guest's screen is blank (it writes nothing at 0xB8000: its
# console is COM1 and the console hypercall).
screens_two_session() {
	local dir=$1 log=$2 jos col1 col2 blank
	SCR_CHECKS=0 SCR_FAILED=0 SCR_PROMPTS=0
	scr_invaders_ready "$log" || return 0
	scr_boot "$dir" "$log" || return 1
	{ scr_cmd "vmm &" && scr_wait 1 '^vmm: guest [0-9a-f]{8} starting: ' &&
		jos=$(scr_text | grep -oE '^vmm: guest [0-9a-f]{8} starting: ' | head -n 1 | cut -d' ' -f3) &&
		scr_wait_from "$jos" 1 '^init: running sh' && scr_wait_from "$jos" 1 '^\$ ' &&
		scr_guest_echo "$jos" jos-first && scr_host &&
		scr_start_invaders && sleep 1 && scr_host; } || { scr_finish 1; return 1; }
	echo "screens: the JOS guest is $jos, invaders $SCR_INV" >>"$log"

	{ scr_dump 1 "$SCR_INV" && scr_focus "$jos" && scr_guest_echo "$jos" jos-second &&
		scr_host && scr_dump 2 && scr_dump 3 "$SCR_INV"; } || { scr_finish 1; return 1; }
	scr_check "invaders on Invaders' screen ($(scr_invaders 1))" test "$(scr_invaders 1)" -ge 8
	scr_check "vmctl screen with no ID shows the JOS guest, which had the console last" \
		test "$(scr_text | grep '^--- screen' | tail -n 2 | head -n 1)" = "--- screen of guest $jos ---"
	blank=$(grep -c '^$' "$dir/screen.2")
	scr_check "the JOS guest's screen is 25 blank rows ($blank)" test "$blank" -eq 25
	scr_check "Invaders' screen moved on while the JOS guest had the console" \
		eval '! cmp -s "$dir/screen.1" "$dir/screen.3"'

	col1=$(scr_ship_col 3)
	{ scr_focus "$SCR_INV" next && scr_arrows C 3 && scr_host &&
		scr_dump 4 "$SCR_INV"; } || { scr_finish 1; return 1; }
	col2=$(scr_ship_col 4)
	scr_check "vmctl next gave Invaders the console: the arrows moved its ship (column $col1 to ${col2:-none})" \
		test "${col2:-0}" -gt "${col1:-99}"
	{ scr_focus "$jos" next && scr_guest_echo "$jos" jos-third && scr_host &&
		scr_cmd "vmctl stop $SCR_INV" && scr_wait 1 "vmm: guest $SCR_INV is gone$" &&
		scr_cmd "vmctl stop $jos" && scr_wait 1 "vmm: guest $jos is gone$" &&
		scr_cmd "vmctl list" && scr_wait 1 '^No guests\.$'; } || { scr_finish 1; return 1; }
	scr_check "vmctl next came back round to the JOS guest, which answered" \
		test "$(scr_count "$jos" '^jos-third$')" -ge 1
	scr_check "no port was refused" eval '! scr_saw "vmm: .*: refused|port [0-9a-f]{4} refused"'
	scr_report
	scr_finish 0
}

add_guest_test screens_two --func screens_two_session --timeout 500 \
	--expect "$SCR_VERDICT" --forbid '^screens: FAILED'
