# conf/tests/60-vmm.sh: the monitor.  Our machines have neither VT-x nor
# SVM: each guest test (add_guest_test) runs under Bochs, whose CPU
# emulates VMX with EPT and unrestricted guest, and again under QEMU with
# SVM and nested paging (NAME_qsvm), and a few on Bochs' AMD model
# (NAME_bsvm: SVM with next-RIP; its real-mode tiny guests do not pass
# there yet); QEMU tests on a CPU without either check the refusal.
#
# "prog=vmm exit": the host starts user/vmm first, which loads /vmm/kernel
# and /vmm/boot from the host disk into a guest.  "/vmm/vmm prog=hello
# nofs exit" typed at the host shell gives the guest that command line:
# the guest kernel boots, runs hello, and at its monitor ends itself (the
# power-off hypercall); vmm then compares the host's free pages.
# Guest lines follow vmm's "starting" line and the guest's banner.  The
# monitor emulates the guest's COM1 and prints guest lines as they are,
# after a line "--- guest ENVID ---" where the writer changes (kernels
# before that put "[guest ENVID] " before each guest line: $G below
# matches both); --type-guest waits for a guest's prompt.
G='^(\[guest [0-9a-f]{8}\] )?'

# The Bochs path itself: the host kernel boots and powers off under Bochs.
add_test bochs_boot --bochs --cmdline "prog=hello nofs exit" \
	--expect-seq '^6828 decimal is 15254 octal!' \
	--expect-seq 'check_page_alloc\(\) succeeded!' \
	--expect-seq '^hello, world' \
	--expect-seq '^\[00001000\] exiting gracefully' \
	--expect-seq '^Free pages: ([0-9]+) now, \1 after boot' \
	--expect-seq '^Welcome to the JOS kernel monitor!'

# Typing at the monitor through Bochs' serial socket.
add_test bochs_monitor --bochs --cmdline "prog=hello nofs" --type help \
	--expect-seq '^Welcome to the JOS kernel monitor!' \
	--expect '^ *kerninfo +- '

GUEST_START=(
	--expect-seq '^vmm: guest [0-9a-f]{8} starting: /vmm/kernel, entry 00100000'
	--expect-seq '^--- guest [0-9a-f]{8} ---$'
	--expect-seq "${G}guest: JOS kernel running in a VT-x guest$"
)

# The host finds VT-x with EPT and unrestricted guest, and the kernel's
# EPT self-test passes (it runs when the first guest is made).
add_test vmm_detect --bochs --cmdline "prog=vmm exit" \
	--expect '^vmx: VT-x with EPT' \
	--expect '^ept_selftest: .*succeeded' \
	--stop "${G}guest: " --timeout 40 \
	--forbid '^vmx: .*not (supported|usable)'

# The guest kernel boots inside the VM: memory self-checks, printf, and a
# user program of its own; then it ends and the host goes on.  vmm's
# default guest boots to the guest's shell (62-guest.sh); here the host
# shell runs vmm with a guest command line that runs hello without the
# guest's file server and ends the guest.
VMM_HELLO=(--prompt '$ ' --type '/vmm/vmm prog=hello nofs exit')
add_guest_test --bochs-svm vmm_guest_boot --timeout 180 "${VMM_HELLO[@]}" \
	"${GUEST_START[@]}" \
	--expect-seq "${G}"'6828 decimal is 15254 octal!' \
	--expect-seq "${G}"'Boot command line: prog=hello nofs exit' \
	--expect-seq "${G}"'check_page_alloc\(\) succeeded!' \
	--expect-seq "${G}"'check_page\(\) succeeded!' \
	--expect-seq "${G}"'check_boot_pml4e\(\) succeeded!' \
	--expect-seq "${G}"'hello, world' \
	--expect-seq "${G}"'guest: powering off' \
	--expect-seq '^vmm: guest [0-9a-f]{8}: [0-9]+ exits, [0-9]+ ms from launch, [0-9]+ ms in the guest, ' \
	--expect-seq '^vmm: guest [0-9a-f]{8} is gone' \
	--forbid 'Unhandled VMEXIT' --forbid 'vmm: guest [0-9a-f]{8}: (EPT violation|nested page fault) at' \
	--forbid 'VM entry failed'

# The guest sees no VMX in CPUID (the monitor hides it), and the
# monitor's signature at leaf 0x40000000 (inc/vmx.h: in_jos_guest).
add_guest_test vmm_guest_cpuid --cmdline "prog=vmm exit" --timeout 40 \
	"${GUEST_START[@]}" \
	--expect-seq "${G}"'guest: CPUID\.1:ECX\.VMX is clear$' \
	--expect-seq "${G}"'guest: the monitor names itself \(CPUID leaf 0x40000000\)$' \
	--stop "${G}guest: the monitor" --forbid 'VMX is set'

# Every page the guest took (its memory, EPT tables, VMCS) comes back.
# vmm reads its files through once before counting, so that the file
# server's block cache is not counted against the guest.
add_guest_test vmm_guest_pages --timeout 180 "${VMM_HELLO[@]}" \
	"${GUEST_START[@]}" \
	--expect-seq '^vmm: guest [0-9a-f]{8} is gone' \
	--expect-seq '^vmm: free pages before ([0-9]+) after \1$'

# sys_env_mkguest and sys_ept_map refuse bad arguments; a tiny guest
# mapped with sys_ept_map reads its memory map (user/eptcheck.c).
add_guest_test vmm_eptcheck --cmdline "prog=eptcheck nofs exit" --timeout 40 \
	--expect 'eptcheck: all bad arguments refused' \
	--expect 'eptcheck: guest read its memory map through the EPT' \
	--expect '^eptcheck: free pages before the guest ([0-9]+), after it \1$' \
	--expect-seq '^eptcheck: done' \
	--forbid 'eptcheck: .*want' --forbid 'eptcheck: FAILED'

# Exits one by one (user/vmmtest.c): COM1 emulated, other ports
# refused, bad hypercalls answered, demand-zero memory, a guest that spins
# without HLT still preempted, an access beyond guest memory and a triple
# fault each kill only their guest, a guest halted with no input sleeps
# (no exits), a guest exiting all the time still loses the CPU at the end
# of its slice; every page comes back.
add_guest_test vmm_exits --cmdline "prog=vmmtest nofs exit" --timeout 120 \
	--expect "${G}vmmtest guest: hello through COM1" \
	--expect 'vmmtest: the host runs while the guest spins' \
	--expect 'vmm: guest [0-9a-f]{8}: (EPT violation|nested page fault) at guest-physical' \
	--expect 'vmmtest: the wild guest is gone' \
	--expect 'vmm: guest [0-9a-f]{8}: triple fault' \
	--expect 'vmmtest: the triple-faulting guest is gone' \
	--expect '^vmmtest: the halted guest sleeps: ([0-9]+) exits, \1 200 ms later$' \
	--expect '^vmmtest: the host runs while the guest exits all the time \([0-9]+ turns in 500 ms\)$' \
	--expect '^vmmtest: free pages before ([0-9]+) after \1$' \
	--expect-seq '^vmmtest: done' \
	--forbid 'vmmtest: .*want' --forbid 'vmmtest: FAILED'

# The same on AMD SVM, QEMU's (no next-RIP) and Bochs' AMD model (with
# it): the backend found, the nested page tables' self-test.
for be in qsvm:qemu-svm bsvm:bochs-svm; do
	add_test "vmm_detect_${be%%:*}" --backend "${be#*:}" --cmdline "prog=vmm exit" \
		--expect '^svm: AMD SVM revision [0-9]+ with nested paging, [0-9]+ ASIDs' \
		--expect '^npt_selftest: .*succeeded' \
		--stop "${G}guest: " --timeout 40 --forbid '^svm: not supported'
done

# On a CPU with neither VT-x nor SVM (QEMU's qemu64 without KVM): vmm
# says so, each backend naming what is missing, and exits, and the host
# goes on (here: to its monitor, the file server still serving).
add_test vmm_not_supported --backend none --cmdline "prog=vmm exit" \
	--expect-seq '^svm: not supported: CPUID 0x80000001:ECX\.SVM is clear$' \
	--expect-seq '^vmx: VT-x not supported' \
	--expect-seq '^vmm: VT-x not supported \(operation not supported\)$' \
	--expect-seq '^\[00001000\] exiting gracefully' \
	--expect-seq '^No runnable environments in the system!' \
	--forbid 'guest: JOS kernel'

# The same from the shell, which carries on afterwards.
add_test vmm_not_supported_sh --backend none --prompt '$ ' \
	--type '/vmm/vmm' --type 'echo the shell goes on' \
	--expect-seq '^vmm: VT-x not supported \(operation not supported\)$' \
	--expect-seq '^the shell goes on$'

# "vmm" typed as a bare name: the shell finds /bin/vmm.
add_test vmm_bare_name --backend none --prompt '$ ' \
	--type 'vmm' --type 'echo the shell goes on' \
	--expect-seq '^vmm: VT-x not supported \(operation not supported\)$' \
	--expect-seq '^the shell goes on$' \
	--forbid 'sh: vmm: '

# Guests on two CPUs (user/vmmove.c): the monitor keeps a guest's state
# loaded on the CPU that ran it last (on VT-x its VMCS stays active
# there while other envs run).  A guest among busy host envs still runs
# on both CPUs (the holder lets its state go when the other CPU wants
# it), and a guest asleep on one CPU, stopped from the other, is freed
# only after the holder let it go (on VT-x: VMCLEAR there first); every
# page comes back.
VMM_MOVE=(--cpus 2 --cmdline "prog=vmmove nofs exit" --timeout 120
	--expect '^vmmove: the busy guest ran on [2-9] CPUs and kept counting$'
	--expect '^vmmove: the guest that slept on CPU [0-9]+ stopped from CPU [0-9]+$'
	--expect '^vmmove: free pages before ([0-9]+) after \1$'
	--expect-seq '^vmmove: done' --forbid 'vmmove: .*FAILED')
add_test vmm_move --backend bochs-vmx "${VMM_MOVE[@]}" \
	--expect '^vmx: guest [0-9a-f]{8}: its VMCS is active on CPU [0-9]+, which clears it before'
add_test vmm_move_qsvm --backend qemu-svm "${VMM_MOVE[@]}"
