# conf/tests/20-env.sh: user environments, traps, system calls, protection.
# Every faulting program must kill only itself; the kernel then prints the
# leak check, "No runnable environments" and enters the monitor.

ENV_END=(
	--expect-seq '^\[00001000\] free env 00001000'
	--expect-seq '^Free pages: ([0-9]+) now, \1 after boot'
	--expect-seq '^No runnable environments in the system!'
	--expect-seq '^Welcome to the JOS kernel monitor!'
)
# A user page fault's trap frame.
USER_FRAME=(
	--expect '^  rip  0x008[0-9a-f]{5}$'
	--expect '^  cs   0x----001b$'
	--expect '^  ss   0x----0023$'
)

add_test hello --cmdline "prog=hello nofs exit" \
	--expect-seq '^\[00000000\] new env 00001000' \
	--expect-seq '^hello, world' \
	--expect-seq '^i am environment 00001000' \
	--expect-seq '^\[00001000\] exiting gracefully' \
	"${ENV_END[@]}"

add_test buggyhello --cmdline "prog=buggyhello nofs exit" \
	--expect-seq '^\[00001000\] user_mem_check assertion failure for va 00000001' \
	"${ENV_END[@]}"

add_test buggyhello2 --cmdline "prog=buggyhello2 nofs exit" \
	--expect-seq '^\[00001000\] user_mem_check assertion failure for va 008[0-9a-f]{5}$' \
	"${ENV_END[@]}" --forbid 'hello, world'

add_test evilhello --cmdline "prog=evilhello nofs exit" \
	--expect-seq '^\[00001000\] user_mem_check assertion failure for va 8004[0-9a-f]{6}$' \
	"${ENV_END[@]}"

add_test divzero --cmdline "prog=divzero nofs exit" \
	--expect-seq '^TRAP frame at 0x[0-9a-f]+' \
	--expect-seq '^  trap 0x00000000 Divide error' \
	"${USER_FRAME[@]}" "${ENV_END[@]}" --forbid '1/0 is'

add_test softint --cmdline "prog=softint nofs exit" \
	--expect-seq '^  trap 0x0000000d General Protection' \
	"${USER_FRAME[@]}" "${ENV_END[@]}"

add_test badsegment --cmdline "prog=badsegment nofs exit" \
	--expect-seq '^  trap 0x0000000d General Protection' \
	"${USER_FRAME[@]}" "${ENV_END[@]}"

add_test faultread --cmdline "prog=faultread nofs exit" \
	--expect-seq '^\[00001000\] user fault va 00000000 ip 008[0-9a-f]{5}$' \
	--expect-seq '^  trap 0x0000000e Page Fault' \
	--expect-seq '^  err  0x00000004 \[user, read, not-present\]' \
	"${USER_FRAME[@]}" "${ENV_END[@]}"

add_test faultreadkernel --cmdline "prog=faultreadkernel nofs exit" \
	--expect-seq '^\[00001000\] user fault va 8004000000 ip 008[0-9a-f]{5}$' \
	--expect-seq '^  err  0x00000005 \[user, read, protection\]' \
	"${USER_FRAME[@]}" "${ENV_END[@]}"

add_test faultwrite --cmdline "prog=faultwrite nofs exit" \
	--expect-seq '^\[00001000\] user fault va 00000000 ip 008[0-9a-f]{5}$' \
	--expect-seq '^  err  0x00000006 \[user, write, not-present\]' \
	"${USER_FRAME[@]}" "${ENV_END[@]}"

add_test faultwritekernel --cmdline "prog=faultwritekernel nofs exit" \
	--expect-seq '^\[00001000\] user fault va 8004000000 ip 008[0-9a-f]{5}$' \
	--expect-seq '^  err  0x00000007 \[user, write, protection\]' \
	"${USER_FRAME[@]}" "${ENV_END[@]}"

# int3 enters the monitor with the frame on top of CPU 0's kernel stack;
# stepping runs one instruction (a Debug trap), continue finishes it.
add_test breakpoint --cmdline "prog=breakpoint nofs" \
	--type stepi --type continue \
	--expect-seq '^Incoming TRAP frame at 0x8003ffff40$' \
	--expect-seq '^Welcome to the JOS kernel monitor!' \
	--expect-seq '^  trap 0x00000003 Breakpoint' \
	--expect-seq '^K> ' \
	--expect-seq '^Incoming TRAP frame at 0x8003ffff40$' \
	--expect-seq '^  trap 0x00000001 Debug' \
	--expect-seq '^\[00001000\] exiting gracefully' \
	--expect-seq '^No runnable environments in the system!'

add_test testbss --cmdline "prog=testbss nofs exit" \
	--expect-seq '^Making sure bss works right\.\.\.' \
	--expect-seq '^Yes, good\.  Now doing a wild write off the end\.\.\.' \
	--expect-seq '^\[00001000\] user fault va 00c[0-9a-f]{5} ip 008[0-9a-f]{5}$' \
	"${ENV_END[@]}"

# Bad pointers handed to system calls: each kills only its caller.
for bad in kernel unmapped rdonly wrap noncanon; do
	add_test "badptr_$bad" --cmdline "prog=badptr_$bad nofs exit" \
		--expect-seq "^badptr_$bad: " \
		--expect-seq '^\[00001000\] user_mem_check assertion failure for va [0-9a-f]{8,}$' \
		--forbid 'survived the bad call' \
		"${ENV_END[@]}"
done

# Malformed ELF images are refused with a message; the kernel goes on.
for bad in magic phoff segment truncated; do
	add_test "badelf_$bad" --cmdline "prog=badelf_$bad nofs exit" \
		--expect-seq '^load_icode: ' \
		--expect-seq '^env_create: cannot load program: file is not a valid executable' \
		--expect-seq '^\[00000000\] free env 00001000' \
		--expect-seq '^Free pages: ([0-9]+) now, \1 after boot' \
		--expect-seq '^No runnable environments in the system!'
done

add_test noprog --cmdline "prog=nosuchprogram nofs exit" \
	--expect-seq "^No program named 'nosuchprogram' in the kernel\." \
	--expect-seq '^No runnable environments in the system!'
