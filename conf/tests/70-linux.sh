# conf/tests/70-linux.sh: Debian's Linux as a guest (issue 15).  The
# images come from conf/guest-images.sh (fetched by make into obj/guests/);
# where they could not be had, these tests fail and say why.
# Uses fs_same from 50-fs.sh and fs_layout from 51-fsformat.sh.

# linux_have_images LOG: are the images there?  Says why not in LOG.
linux_have_images() {
	if [[ -f obj/guests/vmlinuz && -f obj/guests/initrd.gz ]]; then
		return 0
	fi
	echo "linux: no guest images: $(cat obj/guests/unavailable 2>/dev/null ||
		echo 'conf/guest-images.sh did not run')" >>"$1"
	return 1
}

# What the initramfs holds, from the outside: its cpio entries (newc),
# read by this Python: "MODE PATH" for each, the device of a node, and
# for /init whether it is a script that mounts /proc and starts a shell.
LINUX_CPIO_PY=$(
	cat <<'EOF'
import gzip, stat, sys
d, off = gzip.open(sys.argv[1]).read(), 0
while True:
    if d[off:off + 6] != b'070701':
        sys.exit('cpio: no newc header at %d' % off)
    f = [int(d[off + 6 + 8 * k:off + 14 + 8 * k], 16) for k in range(13)]
    mode, size, rmaj, rmin, namesize = f[1], f[6], f[9], f[10], f[11]
    name = d[off + 110:off + 110 + namesize - 1].decode()
    data_at = (off + 110 + namesize + 3) & ~3
    data = d[data_at:data_at + size]
    off = (data_at + size + 3) & ~3
    if name == 'TRAILER!!!':
        break
    extra = ''
    if stat.S_ISCHR(mode):
        extra = ' char %d:%d' % (rmaj, rmin)
    elif stat.S_ISREG(mode):
        extra = ' %d bytes' % size
    print('cpio: %06o /%s%s' % (mode, name, extra))
    if name == 'init':
        text = data.decode(errors='replace')
        print('cpio: /init is a busybox script: %s, mounts proc and sys: %s, starts a shell: %s'
              % (text.startswith('#!/bin/busybox sh'),
                 'mount -t proc' in text and 'mount -t sysfs' in text,
                 'sh -l' in text))
print('cpio: %d bytes, ends with the trailer' % off)
EOF
)

# The images on the host disk: the same bytes as built (fsformat -x, and
# the Python layout reader through the double-indirect block), a bzImage
# ("HdrS" at 0x202), an initramfs with /init, busybox and a console.
linux_images_session() {
	local dir=$1 log=$2
	linux_have_images "$log" || return 1
	echo "linux: release $(cat obj/guests/kernel-release)" >>"$log"
	fs_same "$dir/fs.img" /guests/vmlinuz obj/guests/vmlinuz "$log"
	fs_same "$dir/fs.img" /guests/initrd.gz obj/guests/initrd.gz "$log"
	fs_layout check "$dir/fs.img" /guests/vmlinuz=obj/guests/vmlinuz >>"$log"
	echo "linux: vmlinuz magic at 0x202: $(dd if=obj/guests/vmlinuz bs=1 skip=514 count=4 2>/dev/null)" >>"$log"
	python3 -c "$LINUX_CPIO_PY" obj/guests/initrd.gz >>"$log" 2>&1
	obj/fs/fsformat -c "$dir/fs.img" >>"$log" 2>&1
}

add_test linux_images --func linux_images_session \
	--expect-seq '^linux: release 6\.[0-9]+\.[0-9]+-[0-9]+-cloud-amd64$' \
	--expect-seq '^host: /guests/vmlinuz is intact$' \
	--expect-seq '^host: /guests/initrd\.gz is intact$' \
	--expect-seq '^layout: /guests/vmlinuz: [0-9]+ bytes, type 0, [0-9]+ blocks \(1024 through the indirect block, [0-9]+ through [0-9]+ under the double-indirect block\), all in use, same bytes as obj/guests/vmlinuz: good$' \
	--expect-seq '^linux: vmlinuz magic at 0x202: HdrS$' \
	--expect '^cpio: 040755 /dev$' \
	--expect '^cpio: 020600 /dev/console char 5:1$' \
	--expect '^cpio: 100755 /bin/busybox [0-9]+ bytes$' \
	--expect '^cpio: 120777 /bin/sh' \
	--expect '^cpio: /init is a busybox script: True, mounts proc and sys: True, starts a shell: True$' \
	--expect-seq '^cpio: [0-9]+ bytes, ends with the trailer$' \
	--expect-seq '^fsck: [0-9]+ blocks, [0-9]+ in use, 0 leaked, 0 errors$' \
	--forbid 'FAIL' --forbid 'Traceback' --forbid 'differs'

# linux_bare_qemu: the same kernel and initramfs booted bare on QEMU
# (TCG) with the legacy-devices command line of the issue; commands are
# typed at each busybox prompt.  Proves the initramfs, and gives the
# "bare" figure of part 7 (milliseconds from start to the first prompt:
# printed, never checked).
LINUX_CMDLINE="console=ttyS0 noapic nolapic acpi=off pci=off tsc=reliable"

linux_bare_session() {
	local dir=$1 log=$2
	local -a cmds=('uname -r' 'ls /' 'echo $((6 * 7)) ok' 'poweroff')
	linux_have_images "$log" || return 1
	mkfifo "$dir/linux.in" || return 1
	local infd start typed=0 n first=
	exec {infd}<>"$dir/linux.in"
	start=$(now_ms)
	"$QEMU" -m 128 -kernel obj/guests/vmlinuz -initrd obj/guests/initrd.gz \
		-append "$LINUX_CMDLINE" -display none -monitor none -no-reboot \
		-serial stdio <&"$infd" >"$dir/linux.out" 2>>"$dir/qemu.err" &
	local qpid=$!
	echo "$qpid" >>"$dir/pids"
	# Without ACPI, poweroff halts the CPU ("reboot: System halted") and
	# QEMU stays: that line ends the run.
	while kill -0 "$qpid" 2>/dev/null && ! grep -q 'reboot: ' "$dir/linux.out"; do
		n=$(grep -c '/ # ' "$dir/linux.out")
		if ((n > typed && typed < ${#cmds[@]})); then
			[[ -n $first ]] || first=$(($(now_ms) - start))
			printf '%s\r' "${cmds[typed]}" >&"$infd"
			typed=$((typed + 1))
		fi
		sleep 0.2
	done
	sleep 0.2
	kill "$qpid" 2>/dev/null
	wait "$qpid" 2>/dev/null
	exec {infd}>&-
	tr -d '\r' <"$dir/linux.out" | sed 's/\x1b\[[0-9;]*[a-zA-Z]//g' >>"$log"
	printf '\nlinux: typed %d of %d commands; bare QEMU boot to the first prompt: %s ms\n' \
		"$typed" "${#cmds[@]}" "${first:-none}" >>"$log"
}

# A command's echo may start a line of its own: the kernel's own late
# messages (the clocksource switch, ~2 s in) can come between the
# shell's prompt and the echo.
add_test linux_bare_qemu --func linux_bare_session --timeout 240 \
	--expect-seq '^\[ *[0-9.]+\] Linux version 6\.' \
	--expect-seq '^\[ *[0-9.]+\] Run /init as init process' \
	--expect-seq '^JOS-guest initramfs: busybox shell$' \
	--expect-seq '^(/ # )?uname -r$' \
	--expect-seq '^6\.[0-9]+\.[0-9]+-[0-9]+-cloud-amd64$' \
	--expect-seq '^(/ # )?ls /$' \
	--expect-seq 'init' \
	--expect-seq '^(/ # )?echo \$\(\(6 \* 7\)\) ok$' \
	--expect-seq '^42 ok$' \
	--expect-seq '^(/ # )?poweroff$' \
	--expect-seq 'reboot: (System halted|Power down)' \
	--expect-seq '^linux: typed 4 of 4 commands; bare QEMU boot to the first prompt: [0-9]+ ms$' \
	--forbid 'Kernel panic' --forbid 'not syncing'

# What the zero-page checks (user/vmm/linuxboot.c, in bzimage_test) print
# for either image: the layout, the page, refusals, the layout fuzz.
LINUXBOOT_EXPECT=(
	--expect-seq '^linuxboot: [a-z]+: kernel 0x1000000-0x[0-9a-f]+, initrd 0x7f00000-0x8000000 in 128 MiB$'
	--expect-seq '^linuxboot: [a-z]+: zero page: setup header to 0x26c, type_of_loader 0xff, e820 3 entries$'
	--expect-seq '^linuxboot: [a-z]+: a 127 MiB initrd in 128 MiB: the initrd does not fit'
	--expect-seq '^linuxboot: [a-z]+: a command line of 2048 characters: the command line is longer than the kernel takes$'
	--expect-seq '^linuxboot: [a-z]+: layout fuzz: 100000 rounds, [1-9][0-9]* accepted, 0 broke an invariant$'
)

# The bzImage setup-header checks (user/vmm/bzimage.c, issue 15 part 3),
# on the host: a synthetic image, cut and corrupted field by field, and a
# fuzz loop (built with the sanitizers: a bad read fails the test) ...
add_test bzimage_unit --func bzimage_unit_session \
	--expect-seq '^bzimage: synthetic: a good bzImage$' \
	--expect-seq '^bzimage: synthetic: protocol 2\.15, setup_sects 4, kernel 62976 bytes at 2560' \
	--expect-seq '^bzimage: synthetic cut to 611 bytes: too short for a setup header$' \
	--expect-seq '^bzimage: synthetic cut to half: truncated: syssize says more than the file holds$' \
	--expect-seq '^bzimage: synthetic with HdrS spelt HdrT: no HdrS signature at 0x202: not a bzImage$' \
	--expect-seq '^bzimage: synthetic with protocol 2\.11: boot protocol older than 2\.12$' \
	--expect-seq '^bzimage: synthetic with setup_sects 255: setup_sects out of range$' \
	--expect-seq '^bzimage: synthetic, not relocatable, pref_address 256 MiB: not relocatable, and pref_address is outside guest memory$' \
	--expect-seq '^bzimage: fuzz: 200000 rounds, [1-9][0-9]* accepted, 0 broke an invariant$' \
	"${LINUXBOOT_EXPECT[@]}" \
	--expect-seq '^bzimage: 45 checks, 0 failed$' \
	--expect-seq '^exit status 0$' \
	--forbid 'FAIL' --forbid 'Sanitizer' --forbid 'runtime error'

bzimage_unit_session() {
	obj/bzimage/bzimage_test >>"$2" 2>&1
	echo "exit status $?" >>"$2"
}

# ... and Debian's vmlinuz, with truncated and corrupted copies of it.
linux_bzimage_session() {
	linux_have_images "$2" || return 1
	obj/bzimage/bzimage_test obj/guests/vmlinuz >>"$2" 2>&1
	echo "exit status $?" >>"$2"
}

add_test linux_bzimage --func linux_bzimage_session \
	--expect-seq '^bzimage: vmlinuz: a good bzImage$' \
	--expect-seq '^bzimage: vmlinuz: protocol 2\.(1[2-9]|[2-9][0-9]), setup_sects [0-9]+, kernel [0-9]+ bytes at [0-9]+, loadflags 0x[0-9a-f]*[13579bdf], ' \
	--expect-seq '^bzimage: vmlinuz: relocatable, kernel_alignment 0x[0-9a-f]+, pref_address 0x1000000, init_size 0x[0-9a-f]+, initrd_addr_max 0x[0-9a-f]+, cmdline_size [0-9]+, lz4 payload of [0-9]+ bytes; load at 0x1000000 in 128 MiB$' \
	--expect-seq '^bzimage: vmlinuz in 64 MiB: load at 0x200000$' \
	--expect-seq '^bzimage: vmlinuz cut to half: truncated: syssize says more than the file holds$' \
	--expect-seq '^bzimage: vmlinuz without its last 4 KiB: truncated: syssize says more than the file holds$' \
	--expect-seq '^bzimage: vmlinuz with setup_sects 64: setup_sects out of range$' \
	--expect-seq '^bzimage: fuzz: 200000 rounds, [1-9][0-9]* accepted, 0 broke an invariant$' \
	"${LINUXBOOT_EXPECT[@]}" \
	--expect-seq '^bzimage: 45 checks, 0 failed$' \
	--expect-seq '^exit status 0$' \
	--forbid 'FAIL' --forbid 'Sanitizer' --forbid 'runtime error'

# vmm's options and .boot files (user/vmm/bootcfg.c, issue 13 part 6), on
# the host: good ones, refusals with the reason and line number, a fuzz
# loop (with the sanitizers).
bootcfg_unit_session() {
	obj/bzimage/bootcfg_test >>"$2" 2>&1
	echo "exit status $?" >>"$2"
}

add_test bootcfg_unit --func bootcfg_unit_session \
	--expect-seq '^bootcfg: vmm -m 128 --kernel K --initrd I console=ttyS0 noapic: console=ttyS0 noapic$' \
	--expect-seq '^bootcfg: vmm --bogus: --bogus: unknown option' \
	--expect-seq '^bootcfg: a good file: every key, comments, a section, blanks, CRLF' \
	--expect-seq '^bootcfg: file with a line without =: line 3: the line: not KEY=VALUE$' \
	--expect-seq '^bootcfg: file with a NUL byte: line 2: the line: holds a NUL byte$' \
	--expect-seq '^bootcfg: vmm -m 64 -f FILE quiet: -m and the words win over the file: quiet$' \
	--expect-seq '^bootcfg: fuzz: 200000 rounds, [1-9][0-9]* accepted, 0 broke an invariant$' \
	--expect-seq '^bootcfg: 30 checks, 0 failed$' \
	--expect-seq '^exit status 0$' \
	--forbid 'FAIL' --forbid 'Sanitizer' --forbid 'runtime error'

# What a guest reads of the CPU (issue 15 part 4), on the host: CPUID
# (vmm/cpuid.c: the hypervisor bit and signature leaf, VMX/SVM, x2APIC,
# the APIC and the rest hidden, leaves beyond the host's highest as
# zeros) and the MSRs that exit (vmm/msr.c: per-guest copies, fixed
# answers, EFER's rules, #GP for every other one in a sweep of the
# Intel and AMD ranges).  unit_run is 05-unit.sh's.
unit_cpuid() { unit_run cpuid_test "$2"; }
unit_msr() { unit_run msr_test "$2"; }
add_test unit_cpuid --func unit_cpuid --timeout 30 \
	--expect '^cpuid_test: [0-9]+ checks, 0 failed$' --forbid 'FAILED'
add_test unit_msr --func unit_msr --timeout 30 \
	--expect '^msr_test: [0-9]+ checks, 0 failed$' --forbid 'FAILED'

# ---- Linux as a guest of the monitor (issue 15 parts 3-6) ----

# A guest's line: a writer's '--- guest ENVID ---' line comes before its
# lines, which may also carry the older per-line prefix.
LG='^(\[guest [0-9a-f]{8}\] )?'

# The release the packaged kernel reports (uname -r), from the .deb's name.
LINUX_RELEASE=$(ls obj/debian/ 2>/dev/null | sed -nE 's/^linux-image-([0-9][^_]*)_.*\.deb$/\1/p' | head -1)
LINUX_RELEASE_RE=${LINUX_RELEASE//./\\.}

# linux_boot: vmm -f /guests/linux.boot at the host shell boots Debian's
# kernel to the busybox prompt; commands typed there answer; poweroff
# ends the guest and the host's pages come back.  On Bochs-VMX
# (linux_boot) and QEMU-SVM (linux_boot_qsvm).
#
# Bochs runs at 100 M emulated instructions per second of its clock
# (its TSC rate): at the default 4 M, each of Linux's 250 Hz PIT ticks
# (an interrupt window, then IMR and EOI writes: five exits of some 3700
# emulated instructions of monitor each) costs more than the 16000
# instructions between two ticks, and the guest kept 12% of the CPU
# (measured: 188 ticks injected and 950 exits per emulated second; no
# prompt after 1200 emulated seconds).  At 100 M the ticks take some
# 5%: the prompt comes after about 15 s of emulated time.
LINUX_BOCHS_IPS=100000000
# What no Linux guest may print.
LINUX_FORBID=(--forbid 'Kernel panic' --forbid 'Unhandled VMEXIT' --forbid 'unchecked MSR access')
add_guest_test linux_boot --bochs-ips "$LINUX_BOCHS_IPS" --timeout 900 --mem 512 --prompt '$ ' \
	--type '/vmm/vmm -f /guests/linux.boot' \
	--type-at '/ # ' 'uname -r' \
	--type-at '/ # ' 'grep -c hypervisor /proc/cpuinfo' \
	--type-at '/ # ' 'ls /' \
	--type-at '/ # ' 'poweroff' \
	--type-at 'free pages before' 'echo the host answers' \
	--expect-seq '^vmm: guest [0-9a-f]{8} starting: Linux /guests/vmlinuz, boot protocol 2\.[0-9]+, lz4 payload, kernel at 1000000, initrd /guests/initrd\.gz, 128 MiB, command line "console=ttyS0 .* tsc_early_khz=[0-9]+"$' \
	--expect-seq "${LG}"'JOS-guest initramfs: busybox shell$' \
	--expect-seq "${LG}"'/ # .*uname -r$' \
	--expect-seq "${LG}${LINUX_RELEASE_RE:-no-kernel-release}\$" \
	--expect-seq "${LG}"'/ # .*grep -c hypervisor /proc/cpuinfo$' \
	--expect-seq "${LG}"'1$' \
	--expect-seq "${LG}"'/ # .*ls /$' \
	--expect-seq "${LG}"'.*init' \
	--expect-seq "${LG}"'/ # .*poweroff$' \
	--expect-seq '^vmm: guest ([0-9a-f]{8}) powered off \(HLT with interrupts off\)$' \
	--expect-seq '^vmm: guest [0-9a-f]{8} is gone$' \
	--expect-seq '^vmm: free pages before ([0-9]+) after \1$' \
	--expect-seq '^the host answers$' --stop '^the host answers$' \
	"${LINUX_FORBID[@]}" \
	--forbid 'refused: '

# linux_concurrent: a shell loop counts in the Linux guest (in the
# background there: this console is no controlling tty, so Ctrl-C could
# not stop it) while the JOS guest boots and ends and a host program runs
# (Ctrl-] gave the console back to the host); the loop goes on meanwhile
# (a count after vmctl's listing); poweroff ends the guest and its vmm,
# waiting in the background, says so.  (Pages are counted in linux_boot:
# here the JOS guest's disk file and the file server's cache change the
# count too.)  On each backend, Bochs at LINUX_BOCHS_IPS as for
# linux_boot.
add_guest_test linux_concurrent --bochs-ips "$LINUX_BOCHS_IPS" --timeout 900 --mem 512 --prompt '$ ' \
	--type '/vmm/vmm -f /guests/linux.boot' \
	--type-at '/ # ' '(i=0; while true; do i=$((i+1)); [ $((i % 200)) = 0 ] && echo count $i; done) &' \
	--type-at 'count 200' $'\x1d' \
	--type-at '$ ' '/vmm/vmm prog=hello exit & yield' \
	--type-at 'not explained' '/vmctl list' \
	--type-at '$ ' '/vmctl focus 00001004' \
	--type-at 'has the console' 'poweroff' \
	--type-at 'not explained' 'echo done' \
	--expect-seq "${LG}"'JOS-guest initramfs: busybox shell$' \
	--expect-seq 'count 200$' \
	--expect-seq '^vmm: guest 00001004 runs on without the console' \
	--expect "${LG}hello, world$" \
	--expect '^All done in environment [0-9a-f]{8}\.$' \
	--expect-seq '^vmm: guest [0-9a-f]{8} starting: /vmm/kernel' \
	--expect-seq 'not explained: 0$' \
	--expect-seq '^00001004 +128 MiB ' \
	--expect-seq 'count [0-9]+$' \
	--expect-seq '^vmctl: guest 00001004 has the console' \
	--expect-seq '^vmm: guest 00001004 powered off \(HLT with interrupts off\)$' \
	--expect-seq '^vmm: guest 00001004 is gone$' \
	--expect-seq '^done$' --stop '^done$' \
	"${LINUX_FORBID[@]}"

# linux_two: two Linux guests at once, each from its own vmm (00001006
# and 00001007: the shell's two children spawn the two vmms, which make
# one guest each); both reach the busybox prompt; the newer one holds the
# console, answers and powers off; the other runs on until vmctl stops
# it.  uname -r is typed at the newer one's banner, before its prompt,
# so poweroff waits for the release uname prints, not for a "/ # "
# (the echo of uname's own line has one).  The host's free pages are
# not compared here: the other guest still takes pages as it touches
# its memory while the first goes (linux_boot_qsvm checks that every
# page of a lone guest comes back).
add_guest_test linux_two --bochs-ips "$LINUX_BOCHS_IPS" --timeout 900 --mem 768 --prompt '$ ' \
	--type '/vmm/vmm -f /guests/linux.boot & /vmm/vmm -m 96 -f /guests/linux.boot' \
	--type-at 'JOS-guest initramfs' '' \
	--type-at 'JOS-guest initramfs' 'uname -r' \
	--type-at '-cloud-amd64' 'poweroff' \
	--type-at 'not explained' '/vmctl list' \
	--type-at '$ ' '/vmctl stop 00001006' \
	--type-at 'not explained' 'echo done' \
	--expect '^--- guest 00001006 ---$' --expect '^--- guest 00001007 ---$' \
	--expect-count 2 "${LG}JOS-guest initramfs: busybox shell$" \
	--expect-seq "${LG}${LINUX_RELEASE_RE:-no-kernel-release}\$" \
	--expect-seq '^vmm: guest 00001007 powered off \(HLT with interrupts off\)$' \
	--expect-seq '^vmm: free pages before [0-9]+ after [0-9]+$' \
	--expect-seq '^00001006 +(128|96) MiB ' \
	--expect-seq '^vmm: guest 00001006 is gone$' \
	--expect-seq '^done$' --stop '^done$' \
	"${LINUX_FORBID[@]}"

# linux_reboot: the PIT wakes a sleeping shell (sleep 1), then busybox
# reboot: without ACPI Linux pulses the reset line through the 8042
# (command 0xFE), which ends the guest as a reset would; the host goes on
# with every page back.
add_guest_test linux_reboot --bochs-ips "$LINUX_BOCHS_IPS" --timeout 600 --mem 512 --prompt '$ ' \
	--type '/vmm/vmm -f /guests/linux.boot' \
	--type-at '/ # ' 'sleep 1; echo slept' \
	--type-at 'slept' 'reboot' \
	--type-at 'not explained' 'echo done' \
	--expect-seq "${LG}slept$" \
	--expect-seq '^vmm: guest [0-9a-f]{8}: reset through the keyboard controller$' \
	--expect-seq '^vmm: guest [0-9a-f]{8} is gone$' \
	--expect-seq '^vmm: free pages before ([0-9]+) after \1$' \
	--expect-seq '^done$' --stop '^done$' \
	"${LINUX_FORBID[@]}"

# Bad kernels and bad options are refused with the reason, before any
# guest is made; the host's shell goes on.
add_test linux_refused --backend qemu-svm --timeout 120 --prompt '$ ' \
	--type '/vmm/vmm --kernel /guests/vmlinuz-cut' \
	--type '/vmm/vmm -m 16 --kernel /guests/vmlinuz --initrd /guests/initrd.gz' \
	--type '/vmm/vmm --kernel /guests/vmlinuz --modules /motd' \
	--type '/vmm/vmm -f /motd' \
	--type '/vmm/vmm -m 4096' \
	--type '/vmm/vmm --help' \
	--type 'echo done' \
	--expect-seq '^vmm: /guests/vmlinuz-cut: refused: truncated: syssize says more than the file holds$' \
	--expect-seq '^vmm: /guests/vmlinuz: refused: no aligned place in guest memory holds init_size$' \
	--expect-seq '^vmm: /guests/vmlinuz: a Linux kernel takes --initrd, not --modules$' \
	--expect-seq '^vmm: /motd: line 1: the line: not KEY=VALUE$' \
	--expect-seq '^vmm: -m: more than 1024 MiB$' \
	--expect-seq '^usage: vmm \[-m MIB\] \[--kernel PATH\] \[--initrd PATH\] \[--modules A,B,...\]$' \
	--expect-seq '^  -f FILE.boot ' \
	--expect-seq '^done$' --stop '^done$' \
	--forbid 'new env 00001004' --forbid 'kernel panic'

# ---- Figures (issue 15 part 7): printed, never checked against a time ----

# linux_bench_wait LOG TEXT [N]: wait until TEXT (a fixed string) is on N
# lines of LOG (default 1), or the test's time is up; echo the time it
# appeared (now_ms), or fail.
linux_bench_wait() {
	local log=$1 text=$2 n=${3:-1}
	while (($(now_ms) < GRADE_DEADLINE_MS)); do
		if (($(grep -cF -- "$text" "$log" 2>/dev/null) >= n)); then
			now_ms
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# linux_bench_guest OUT INFD: with a host booting (its console into file
# OUT, what is written to fd INFD typed at it), type vmm -f
# /guests/linux.boot at its shell once the shell prompts, and poweroff
# at the guest's first busybox prompt, then wait for vmm's figures.
# Echoes the milliseconds from typing vmm to that prompt (nothing if it
# never came).
linux_bench_guest() {
	local out=$1 infd=$2 t0 t1
	linux_bench_wait "$out" '$ ' >/dev/null || return 0
	t0=$(now_ms)
	printf '/vmm/vmm -f /guests/linux.boot\r' >&"$infd"
	t1=$(linux_bench_wait "$out" '/ # ') || return 0
	printf 'poweroff\r' >&"$infd"
	linux_bench_wait "$out" 'not explained' >/dev/null
	echo $((t1 - t0))
}

# linux_bench_figures NAME OUT: the guest's start, exits by reason and
# totals from console OUT, under a line naming where it ran.
linux_bench_figures() {
	echo "linux: the guest on $1:"
	tr -d '\r' <"$2" | grep -E '^vmm: guest [0-9a-f]{8}(:| exits:| starting:| timer:)'
}

# linux_bench: Debian's kernel and initramfs booted to their first
# busybox prompt: bare on QEMU (-kernel, the command line of
# /guests/linux.boot), and as a guest of the monitor on QEMU-SVM and on
# Bochs-VMX (at LINUX_BOCHS_IPS, as linux_boot): vmm -f
# /guests/linux.boot at the host's shell, timed from the moment it is
# typed; the guest's exits by reason are the monitor's statistics when
# poweroff ends it; the ratio guest/bare on QEMU.  (Bochs cannot boot a
# bzImage bare without a boot loader: no ratio there.)
linux_bench_session() {
	local dir=$1 log=$2 cmdline bare_ms qsvm_ms bochs_ms t0 t1 infd qpid port bpid
	linux_have_images "$log" || return 1
	cmdline=$(sed -n 's/^commandline=//p' fs/linux.boot)

	# Bare: the same kernel, initramfs and command line on QEMU TCG.
	mkfifo "$dir/bare.in" || return 1
	exec {infd}<>"$dir/bare.in"
	t0=$(now_ms)
	"$QEMU" -m 128 -kernel obj/guests/vmlinuz -initrd obj/guests/initrd.gz \
		-append "$cmdline" -display none -monitor none -no-reboot \
		-serial stdio <&"$infd" >"$dir/bare.out" 2>>"$dir/qemu.err" &
	qpid=$!
	echo "$qpid" >>"$dir/pids"
	t1=$(linux_bench_wait "$dir/bare.out" '/ # ') && bare_ms=$((t1 - t0))
	kill "$qpid" 2>/dev/null
	wait "$qpid" 2>/dev/null
	exec {infd}>&-

	# On QEMU-SVM: the host booted on QEMU with SVM, vmm typed at its shell.
	mkfifo "$dir/serial.in" "$dir/serial.out" || return 1
	: >"$dir/serial.log"
	cat "$dir/serial.out" >"$dir/serial.log" &
	echo "$!" >>"$dir/pids"
	exec {infd}<>"$dir/serial.in"
	qemu_cmd "$GRADE_INDEX" "$dir"
	"${QCMD[@]}" -serial "pipe:$dir/serial" </dev/null >>"$dir/qemu.err" 2>&1 &
	qpid=$!
	echo "$qpid" >>"$dir/pids"
	qsvm_ms=$(linux_bench_guest "$dir/serial.log" "$infd")
	kill "$qpid" 2>/dev/null
	wait "$qpid" 2>/dev/null
	exec {infd}>&-

	# On Bochs-VMX: the same, COM1 on a socket (Bochs waits for it).
	port=$(grade_unused_port $((39000 + ($(id -u) * 16 + GRADE_INDEX * 3) % 4000)))
	BOCHS_MEGS=${T_MEM[GRADE_INDEX]} BOCHS_IPS=$LINUX_BOCHS_IPS \
		BOCHS_COM1="mode=socket-server, dev=localhost:$port" \
		bash conf/bochs.sh prepare "$dir/bochs" "$dir/kernel.img" "$FSIMG" >>"$log" 2>&1 ||
		return 1
	bochs -q -f "$dir/bochs/bochsrc" -rc "$dir/bochs/bochs.rc" </dev/null \
		>"$dir/bochs/bochs.out" 2>&1 &
	bpid=$!
	echo "$bpid" >>"$dir/pids"
	: >"$dir/bochs.log"
	if grade_wait_listen "$port" 60 && exec {infd}<>"/dev/tcp/127.0.0.1/$port"; then
		cat <&"$infd" >"$dir/bochs.log" &
		echo "$!" >>"$dir/pids"
		bochs_ms=$(linux_bench_guest "$dir/bochs.log" "$infd")
		exec {infd}>&-
	fi
	kill "$bpid" 2>/dev/null
	wait "$bpid" 2>/dev/null

	linux_bench_figures QEMU-SVM "$dir/serial.log" >>"$log"
	linux_bench_figures "Bochs-VMX (ips=$LINUX_BOCHS_IPS)" "$dir/bochs.log" >>"$log"
	printf 'linux: command line "%s"\n' "$cmdline" >>"$log"
	printf 'linux: bare QEMU boot to the first prompt: %s ms\n' "${bare_ms:-none}" >>"$log"
	printf 'linux: guest on QEMU-SVM, from typing vmm to the first prompt: %s ms\n' \
		"${qsvm_ms:-none}" >>"$log"
	printf 'linux: guest on Bochs-VMX, from typing vmm to the first prompt: %s ms\n' \
		"${bochs_ms:-none}" >>"$log"
	if [[ -n ${bare_ms:-} && -n ${qsvm_ms:-} ]]; then
		awk -v g="$qsvm_ms" -v b="$bare_ms" \
			'BEGIN { printf "linux: ratio guest/bare on QEMU: %.1f\n", g / b }' >>"$log"
	fi
}

add_test linux_bench --backend qemu-svm --func linux_bench_session --timeout 900 --mem 512 \
	--expect-seq '^linux: the guest on QEMU-SVM:$' \
	--expect-seq '^vmm: guest [0-9a-f]{8} starting: Linux /guests/vmlinuz' \
	--expect-seq '^vmm: guest [0-9a-f]{8} exits: [0-9]+ I/O instruction' \
	--expect-seq '^vmm: guest [0-9a-f]{8}: [0-9]+ exits, [0-9]+ ms from launch' \
	--expect-seq '^linux: the guest on Bochs-VMX \(ips=[0-9]+\):$' \
	--expect-seq '^vmm: guest [0-9a-f]{8} starting: Linux /guests/vmlinuz' \
	--expect-seq '^vmm: guest [0-9a-f]{8} exits: [0-9]+ I/O instruction' \
	--expect-seq '^vmm: guest [0-9a-f]{8}: [0-9]+ exits, [0-9]+ ms from launch' \
	--expect-seq '^linux: bare QEMU boot to the first prompt: [0-9]+ ms$' \
	--expect-seq '^linux: guest on QEMU-SVM, from typing vmm to the first prompt: [0-9]+ ms$' \
	--expect-seq '^linux: guest on Bochs-VMX, from typing vmm to the first prompt: [0-9]+ ms$' \
	--expect-seq '^linux: ratio guest/bare on QEMU: [0-9.]+$'
