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

add_test linux_bare_qemu --func linux_bare_session --timeout 240 \
	--expect-seq '^\[ *[0-9.]+\] Linux version 6\.' \
	--expect-seq '^\[ *[0-9.]+\] Run /init as init process' \
	--expect-seq '^JOS-guest initramfs: busybox shell$' \
	--expect-seq '^/ # uname -r$' \
	--expect-seq '^6\.[0-9]+\.[0-9]+-[0-9]+-cloud-amd64$' \
	--expect-seq '^/ # ls /$' \
	--expect-seq 'init' \
	--expect-seq '^/ # echo \$\(\(6 \* 7\)\) ok$' \
	--expect-seq '^42 ok$' \
	--expect-seq '^/ # poweroff$' \
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

# ---- Linux as a guest of the monitor (issue 15 parts 3-6) ----

LG='^\[guest [0-9a-f]{8}\] '

# The release the packaged kernel reports (uname -r), from the .deb's name.
LINUX_RELEASE=$(ls obj/debian/ 2>/dev/null | sed -nE 's/^linux-image-([0-9][^_]*)_.*\.deb$/\1/p' | head -1)
LINUX_RELEASE_RE=${LINUX_RELEASE//./\\.}

# linux_boot: vmm -f /guests/linux.boot at the host shell boots Debian's
# kernel to the busybox prompt; commands typed there answer; poweroff
# ends the guest and the host's pages come back.
add_guest_test linux_boot --timeout 400 --mem 512 --prompt '$ ' \
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
	--forbid 'Kernel panic' --forbid 'Unhandled VMEXIT' --forbid 'unchecked MSR access' \
	--forbid 'refused: '
