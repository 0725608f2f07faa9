# conf/tests/63-platform.sh: unmodified guests on the virtual PC
# (issue 13): the multiboot v1 loader's pure part, host side.

unit_multiboot() { unit_run multiboot_test "$2"; }

# Multiboot headers (ELF32, ELF64, a.out kludge), every refusal with its
# reason, the information block, and 200000 corrupted kernels (user/vmm/multiboot.c).
add_test unit_multiboot --func unit_multiboot --timeout 60 \
	--expect '^multiboot_test: [0-9]+ checks, 0 failed$' --forbid 'FAILED'

# What every well-behaved mbtest run shows: its timer figures when it
# is stopped; no interrupt it did not ask for, no access refused.
MB_TIMER_SAID=(--expect-seq '^vmm: guest 00001004 timer: [0-9]+ PIT edges, [0-9]+ ticks injected, ')
MB_CLEAN=(--forbid 'unexpected interrupts' --forbid 'vmm: .*: refused')

# mbtest (guest/mbtest/), our own multiboot kernel, booted by
# vmm --kernel with two modules and a command line: every field the
# loader gives, the RTC, PIT ticks through the PIC, typed input echoed
# by COM1's receive interrupt; then stopped.  (The page count after it
# includes the env that waits for the guest once the host has the
# console, as in guest_stop.)
add_guest_test platform_mbtest --timeout 300 --prompt '$ ' \
	--type 'vmm --kernel /guests/mbtest --module /motd,/lorem hello world' \
	--type-at 'type something' 'ab' \
	--type-at 'echo: newline' $'\x1d/vmctl list' \
	--type-at '$ ' '/vmctl stop 00001004' \
	--type-at 'free pages before' 'echo done' \
	--expect-seq '^vmm: guest 00001004 starting: multiboot /guests/mbtest ELF32, entry 0010000c, 1 segment, 2 modules, command line "/guests/mbtest hello world"$' \
	--expect-seq "${G}mbtest: magic 2badb002, info at 00008010$" \
	--expect-seq "${G}mbtest: flags 0000124d$" \
	--expect-seq "${G}mbtest: mem_lower 639 KiB, mem_upper 64512 KiB$" \
	--expect-seq "${G}mbtest: cmdline \"/guests/mbtest hello world\"$" \
	--expect-seq "${G}mbtest: module 0: 0010[0-9a-f]000-[0-9a-f]{8} \"/motd\" [0-9]+ bytes, sum [0-9a-f]{8}$" \
	--expect-seq "${G}mbtest: module 1: [0-9a-f]{8}-[0-9a-f]{8} \"/lorem\" [0-9]+ bytes, sum [0-9a-f]{8}$" \
	--expect-seq "${G}mbtest: mmap 0000000000000000 \+000000000009fc00 type 1$" \
	--expect-seq "${G}mbtest: mmap 000000000009fc00 \+0000000000000400 type 2$" \
	--expect-seq "${G}mbtest: mmap 00000000000f0000 \+0000000000010000 type 2$" \
	--expect-seq "${G}mbtest: mmap 0000000000100000 \+0000000003f00000 type 1$" \
	--expect-seq "${G}mbtest: loader \"JOS vmm\"$" \
	--expect-seq "${G}mbtest: framebuffer 000b8000 type 2, 80x25$" \
	--expect-seq "${G}mbtest: rtc 20[0-9]{2}-[01][0-9]-[0-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-5][0-9]$" \
	--expect-seq "${G}mbtest: ticks: 100$" \
	--expect-seq "${G}mbtest: echo: a$" \
	--expect-seq "${G}mbtest: echo: b$" \
	--expect-seq "${G}mbtest: echo: newline$" \
	--expect-seq '^00001004 +64 MiB +halted +[0-9]+ +[0-9]+ +[0-9]+ +0 ' \
	--expect-seq '^\[[0-9a-f]{8}\] destroying 00001004$' \
	"${MB_TIMER_SAID[@]}" \
	--expect-seq '^vmm: guest 00001004: [0-9]+ exits, [0-9]+ ms from launch, [0-9]+ ms in the guest, 0 port accesses refused$' \
	--expect-seq '^(\$ )?vmm: guest 00001004 is gone$' \
	--expect-seq 'vmm: free pages before [0-9]+ after [0-9]+$' \
	--expect-seq '^done$' --stop '^done$' \
	"${MB_CLEAN[@]}"

# Time: mbtest with its PIT at 1 kHz sleeps in HLT between its ticks
# (vmctl: halted) while a second mbtest never halts (it spins, taking
# its 100 Hz ticks): both make progress, the spinning one's slices end,
# the host's shell answers, and the stop prints the sleeper's timer
# figures (PIT edges against ticks injected, the cycles from a tick's
# due time to its injection and to the guest's EOI: ./grade-lab.sh -v
# platform_timer; not checked).
add_guest_test platform_timer --timeout 300 --prompt '$ ' \
	--type 'vmm --kernel /guests/mbtest fast idle &' \
	--type-at 'ticks: 1000' $'\x1d/vmm/vmm --kernel /guests/mbtest spin &' \
	--type-at 'ticks: 300' $'\x1d/vmctl list' \
	--type-at 'ticks: 11000' '/vmctl list' \
	--type-at 'run ms' '/vmctl stop 00001004' \
	--type-at 'free pages before' 'echo host answers' \
	--expect-seq "${G}mbtest: PIT at 1000 Hz, waiting for ticks$" \
	--expect-seq "${G}mbtest: ticks: 1000$" \
	--expect-seq "${G}mbtest: PIT at 100 Hz, spinning$" \
	--expect-seq "${G}mbtest: ticks: 300$" \
	--expect-seq '^00001004 +64 MiB +(halted|runnable) ' \
	--expect-seq "${G}mbtest: ticks: 11000$" \
	--expect '^[0-9a-f]{8} +64 MiB +(runnable|running) ' \
	"${MB_TIMER_SAID[@]}" \
	--expect-seq '^(\$ )?vmm: guest 00001004 is gone$' \
	--expect-seq '^host answers$' --stop '^host answers$' \
	"${MB_CLEAN[@]}"

# The figures of an idle guest with a 100 Hz PIT: mbtest in HLT between
# its ticks, listed by vmctl 5 s apart (its exits and run ms: exits per
# second), then its timer figures when stopped.  Not checked:
# ./grade-lab.sh -v platform_idle.
add_guest_test platform_idle --timeout 300 --prompt '$ ' \
	--type 'vmm --kernel /guests/mbtest idle' \
	--type-at 'ticks: 600' $'\x1d/vmctl list' \
	--type-at 'ticks: 1100' '/vmctl list' \
	--type-at 'run ms' '/vmctl stop 00001004' \
	--type-at 'free pages before' 'echo done' \
	--expect '^00001004 +64 MiB +halted ' --expect-count 2 '^00001004 +64 MiB +(halted|runnable) ' \
	"${MB_TIMER_SAID[@]}" \
	--expect-seq '^done$' --stop '^done$' \
	"${MB_CLEAN[@]}"

# The hostile variant: a flood of timer interrupts (the running 100 Hz
# tick reprogrammed to counts 2 and 1, then 1 kHz: each phase ends, so
# the guest runs between its interrupts), nonsense to the PIC, PIT,
# UART and RTC ports, then everything masked and HLT with interrupts
# off.  It harms only itself: the host shell
# answers, vmctl stop ends it, and the host's pages come back as for
# the JOS guest in guest_stop.
add_guest_test platform_hostile --timeout 150 --prompt '$ ' \
	--type 'vmm --kernel /guests/mbtest hostile' \
	--type-at 'masked and halted' $'\x1d/vmctl list' \
	--type-at '$ ' '/vmctl stop 00001004' \
	--type-at 'free pages before' 'echo done' \
	--expect-seq "${G}mbtest: cmdline \"/guests/mbtest hostile\"$" \
	--expect-seq "${G}mbtest: hostile: flood of 900 ticks at counts 2, 1 and 1193 taken$" \
	--expect-seq "${G}mbtest: hostile: nonsense to the devices, then masked and halted$" \
	--expect-seq '^00001004 +64 MiB +(runnable|running|halted) ' \
	--expect-seq '^\[[0-9a-f]{8}\] destroying 00001004$' \
	--expect-seq '^vmm: guest 00001004: [0-9]+ exits, [0-9]+ ms from launch, [0-9]+ ms in the guest, [0-9]+ port accesses refused$' \
	--expect-seq '^(\$ )?vmm: guest 00001004 is gone$' \
	--expect-seq 'vmm: free pages before [0-9]+ after [0-9]+$' \
	--expect-seq '^done$' --stop '^done$' \
	--forbid 'vmm: .*: refused' --forbid 'triple fault'

# Files that are not multiboot kernels, or do not fit, are refused with
# the file's name and the reason; the shell goes on.
add_guest_test platform_refused --timeout 120 --prompt '$ ' \
	--type 'vmm --kernel /motd' \
	--type 'vmm --kernel /vmm/kernel' \
	--type 'vmm --kernel /nonexistent' \
	--type 'echo done' \
	--expect-seq '^vmm: /motd: refused: no multiboot header in its first 8192 bytes$' \
	--expect-seq '^vmm: /vmm/kernel: refused: ' \
	--expect-seq '^vmm: /nonexistent: ' \
	--expect-seq '^done$' --stop '^done$' --forbid 'starting: multiboot'
