# conf/tests/61-vmm-kernel.sh: the monitor's side of guests on a shared
# host (on each backend, as in 60-vmm.sh): the emulated console, host
# IPC, the power-off hypercall, and hostile guests (user/vmevil.c) that
# must leave the host up and every page free.

G='^(\[guest [0-9a-f]{8}\] )?'

# Every hostile case in one boot, each a fresh guest: bad hypercalls and
# the host's IDE ports refused, then a power-off; an IPC round trip with
# the file server and a read-only page from the host; reading beyond
# memory; a triple fault; a loop with interrupts off, stopped by
# sys_guest_stop.  The guest's COM1 output shows as its own (${G}).
add_guest_test vmm_evil --cmdline "prog=vmevil exit" --timeout 180 \
	--expect "${G}vmevil guest: hello through the emulated COM1$" \
	--expect-seq '^vmm: guest [0-9a-f]{8} powered off$' \
	--expect-seq '^vmm: guest [0-9a-f]{8}: .*, 4 port accesses refused$' \
	--expect-seq '^vmevil: calls: the guest powered off' \
	--expect-seq 'vmm: guest [0-9a-f]{8}: (EPT violation|nested page fault) at guest-physical 0+6000' \
	--expect-seq '^vmevil: ipc: done' \
	--expect-seq 'vmm: guest [0-9a-f]{8}: (EPT violation|nested page fault) at guest-physical 0+400000' \
	--expect-seq '^vmevil: wild: the guest is gone' \
	--expect-seq 'vmm: guest [0-9a-f]{8}: triple fault' \
	--expect-seq '^vmevil: triple: the guest is gone' \
	--expect-seq '^vmevil: cli: the host ran while the guest spun' \
	--expect-seq '^vmevil: free pages before ([0-9]+) after \1$' \
	--expect-seq '^vmevil: done' \
	--forbid 'vmevil: .*want' --forbid 'vmevil: FAILED' --forbid 'Unhandled VMEXIT'

# The same on Bochs' AMD model (the next-RIP path), every case but cli,
# typed at the host's shell: Bochs 2.7 never lets a host interrupt end
# a guest that spins with RFLAGS.IF clear (its SVM masks the APIC by the
# guest's IF), so there the host would not run again.
add_test vmm_evil_bsvm --backend bochs-svm --timeout 240 --prompt '$ ' \
	--type 'vmevil calls ipc wild triple' \
	--expect "${G}vmevil guest: hello through the emulated COM1$" \
	--expect-seq '^vmm: guest [0-9a-f]{8} powered off$' \
	--expect-seq '^vmm: guest [0-9a-f]{8}: .*, 4 port accesses refused$' \
	--expect-seq '^vmevil: calls: the guest powered off' \
	--expect-seq 'vmm: guest [0-9a-f]{8}: nested page fault at guest-physical 0+6000' \
	--expect-seq '^vmevil: ipc: done' \
	--expect-seq 'vmm: guest [0-9a-f]{8}: nested page fault at guest-physical 0+400000' \
	--expect-seq '^vmevil: wild: the guest is gone' \
	--expect-seq 'vmm: guest [0-9a-f]{8}: triple fault' \
	--expect-seq '^vmevil: triple: the guest is gone' \
	--expect-seq '^vmevil: free pages before ([0-9]+) after \1$' \
	--expect-seq '^vmevil: done' \
	--forbid 'vmevil: .*want' --forbid 'vmevil: FAILED' --forbid 'Unhandled VMEXIT'

# Hostile guests started one per run from the host's shell: after each,
# the shell still answers, and then a real guest boots and ends cleanly.
add_guest_test vmm_evil_shell --timeout 240 --prompt '$ ' \
	--type 'vmevil calls' --type 'vmevil wild' --type 'vmevil triple' \
	--type 'vmevil cli' --type '/vmm/vmm prog=hello nofs exit' \
	--type 'echo the host answers' \
	--expect-seq '^vmevil: calls: the guest powered off' \
	--expect-seq '^vmevil: free pages before ([0-9]+) after \1$' \
	--expect-seq '^vmevil: wild: the guest is gone' \
	--expect-seq '^vmevil: free pages before ([0-9]+) after \1$' \
	--expect-seq '^vmevil: triple: the guest is gone' \
	--expect-seq '^vmevil: free pages before ([0-9]+) after \1$' \
	--expect-seq '^vmevil: cli: the host ran while the guest spun' \
	--expect-seq '^vmevil: free pages before ([0-9]+) after \1$' \
	--expect-seq "${G}hello, world$" \
	--expect-seq '^vmm: guest [0-9a-f]{8} is gone' \
	--expect-seq '^vmm: free pages before ([0-9]+) after \1$' \
	--expect-seq '^the host answers$' \
	--forbid 'vmevil: .*want' --forbid 'vmevil: FAILED' --forbid 'Unhandled VMEXIT'

# vmctl with no guest (QEMU: no VT-x needed): it says so; stopping a
# non-guest is refused.
add_test vmctl_noguest --cmdline "prog=vmctl nofs exit" \
	--expect '^No guests\.$' \
	--expect-seq '^\[00001000\] exiting gracefully'

# The guest kernel prints through the console hypercall
# (VMX_VMCALL_CONSWRITE), a buffer at a time, not through COM1: its lines
# show as the guest's, bad buffers are refused, a buffer may cross a
# page, and the monitor's count shows no byte went through COM1.
add_guest_test --bochs-svm vmm_conswrite --timeout 180 --prompt '$ ' \
	--type '/vmm/vmm prog=hello nofs conscheck exit' \
	--expect-seq "${G}"'guest: JOS kernel running in (a VT-x|an AMD SVM) guest$' \
	--expect-seq "${G}"'guest: conscheck: bad buffers refused$' \
	--expect-seq "${G}"'guest: conscheck: this line crosses a page boundary$' \
	--expect-seq "${G}"'TSC: [0-9]+\.[0-9]{3} MHz \(the host.s\)$' \
	--expect-seq "${G}"'hello, world$' \
	--expect-seq '^vmm: guest [0-9a-f]{8} console: [1-9][0-9]* bytes by hypercall, 0 through COM1$' \
	--expect-seq '^vmm: guest [0-9a-f]{8} is gone' \
	--forbid 'conscheck: .*FAILED'

# Two CPUs: a guest spinning on the other CPU is stopped twice, back to
# back (as `vmctl stop` typed twice would): the second stop finds it
# dying and leaves it to the CPU that runs it, which frees it once.
add_guest_test vmm_evil_stop2 --cpus 2 --timeout 240 --prompt '$ ' \
	--type 'vmevil stop2' --type 'echo done' \
	--expect-seq '^vmevil: stop2: stopped twice while it ran on the other CPU \(.*\); freed once$' \
	--expect-seq '^vmevil: free pages before ([0-9]+) after \1$' \
	--expect-seq '^vmevil: done' \
	--expect-seq '^done$' --stop '^done$' \
	--forbid 'vmevil: .*want' --forbid 'vmevil: FAILED' --forbid 'skipped'
