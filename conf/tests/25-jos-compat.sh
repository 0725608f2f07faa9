# conf/tests/25-jos-compat.sh: what the JOS labs' programs and graders
# expect of the kernel and library (issue 11; shared/CONVENTIONS.md):
# env ids, argc of the first program, the kernel's trap lines, malloc,
# the labs' warning flags, and how the loader maps a program.

# dumbfork with the file server present: the first program is 00001000,
# its child 00001001, and the file server takes neither id.
add_test jos_envids_dumbfork --cmdline "prog=dumbfork exit" \
	--expect-seq '^\[00000000\] new env 00001000' \
	--expect '^\[00000000\] new env 000013ff' \
	--expect-seq '^\[00001000\] new env 00001001' \
	--expect '^0: I am the parent!' \
	--expect '^9: I am the parent!' \
	--expect '^0: I am the child!' \
	--expect '^19: I am the child!' \
	--expect '^\[00001000\] exiting gracefully' \
	--expect '^\[00001000\] free env 00001000' \
	--expect '^\[00001001\] exiting gracefully' \
	--expect '^\[00001001\] free env 00001001' \
	--forbid '^\[00000000\] new env 00001001' \
	--forbid 'user panic'

# The first program gets argc 0: testpteshare tells its spawned child
# by argc != 0, as the handout's does.
add_test jos_argc0_pteshare --cmdline "prog=testpteshare exit" \
	--expect-seq '^fork handles PTE_SHARE right' \
	--expect-seq '^spawn handles PTE_SHARE right' \
	--expect-count 1 'PTE_SHARE right' --forbid 'PTE_SHARE wrong' \
	--forbid 'user panic'

# Trap lines: the incoming frame is at the top of CPU 0's stack.
add_test jos_trap_divzero --cmdline "prog=divzero nofs exit" \
	--expect-seq '^Incoming TRAP frame at 0x8003ffff40$' \
	--expect-seq '^TRAP frame at 0x[0-9a-f]+' \
	--expect-seq '^  trap 0x00000000 Divide error' \
	--expect-seq '^\[00001000\] free env 00001000' \
	--expect-seq '^Destroyed the only environment - nothing more to do!' \
	--expect-seq '^No runnable environments in the system!'

add_test jos_trap_faultread --cmdline "prog=faultread nofs exit" \
	--expect-seq '^Incoming TRAP frame at 0x8003ffff40$' \
	--expect-seq '^\[00001000\] user fault va 00000000 ip 008[0-9a-f]{5}$' \
	--expect-seq '^TRAP frame at 0x[0-9a-f]+' \
	--expect-seq '^  trap 0x0000000e Page Fault' \
	--expect-seq '^Destroyed the only environment - nothing more to do!'

add_test jos_trap_breakpoint --cmdline "prog=breakpoint nofs" \
	--type 'kerninfo' \
	--expect-seq '^Incoming TRAP frame at 0x8003ffff40$' \
	--expect-seq '^  trap 0x00000003 Breakpoint'

# Never for system calls, handled page faults or interrupts.
add_test jos_trap_quiet --cmdline "prog=faultalloc nofs exit" \
	--expect-seq '^this string was faulted in at cafebffe' \
	--expect-seq '^Destroyed the only environment - nothing more to do!' \
	--forbid 'Incoming TRAP frame' --forbid 'TRAP frame at'

add_test jos_last_env_hello --cmdline "prog=hello exit" \
	--expect-seq '^\[00001000\] exiting gracefully' \
	--expect-seq '^\[00001000\] free env 00001000' \
	--expect-seq '^Destroyed the only environment - nothing more to do!' \
	--expect-seq '^No runnable environments in the system!' \
	--forbid 'Incoming TRAP frame'

# Two envs: the line comes once, when the second one is gone.
add_test jos_last_env_fork --cmdline "prog=dumbfork nofs exit" \
	--expect-count 1 '^Destroyed the only environment' \
	--expect-seq '^\[0000100[01]\] free env 0000100[01]' \
	--expect-seq '^\[0000100[01]\] free env 0000100[01]' \
	--expect-seq '^Destroyed the only environment - nothing more to do!'

# malloc/free, and a bad free ends only the program.
add_test jos_malloc --cmdline "prog=testmalloc nofs exit" \
	--expect-seq '^malloc: 64 blocks, aligned, no overlap' \
	--expect-seq '^malloc: freed memory is merged and reused' \
	--expect-seq '^malloc: too large a request fails' \
	--expect-seq '^malloc: a forked child has its own heap' \
	--expect-seq '^testmalloc: all tests passed' \
	--expect-seq '^\[00001000\] user panic in testmalloc at lib/malloc\.c:[0-9]+: free: 0x[0-9a-f]+ was not returned by malloc' \
	--forbid 'user fault'

# The loader maps text read-only and data no-execute (PF_W, PF_X).
add_test jos_elf_text_readonly --cmdline "prog=writetext nofs exit" \
	--expect-seq '^writetext: writing to 0x80[0-9a-f]{4}$' \
	--expect-seq '^\[00001000\] user fault va 008[0-9a-f]{5} ip 008[0-9a-f]{5}$' \
	--expect-seq '^  err  0x00000007 \[user, write, protection\]' \
	--forbid 'went through'

add_test jos_elf_data_noexec --cmdline "prog=execdata nofs exit" \
	--expect-seq '^execdata: calling 0x8[0-9a-f]{5}$' \
	--expect-seq '^\[00001000\] user fault va (008[0-9a-f]{5}) ip \1$' \
	--expect-seq '^  err  0x00000015 \[user, read, protection\]' \
	--forbid 'the data ran'

# A lab program with an unused variable and a loose format builds with
# the flags user programs get (and would not with our strict ones);
# our own programs still build with the strict flags.
jos_labflags_session() {
	local dir=$1 log=$2 flags strict
	cat >"$dir/labprog.c" <<'PROG'
#include <inc/lib.h>
void
umain(int argc, char **argv)
{
	int unused;
	cprintf("%d\n", (long) argc);
}
PROG
	flags=$(make -s --no-print-directory print-user-prog-cflags 2>>"$log") || return 1
	echo "user program flags: $flags" >>"$log"
	# shellcheck disable=SC2086
	if gcc $flags -c -o "$dir/labprog.o" "$dir/labprog.c" >>"$log" 2>&1; then
		echo "lab program: builds" >>"$log"
	fi
	strict=${flags/-Wno-format -Wno-unused/}
	# shellcheck disable=SC2086
	if ! gcc $strict -c -o "$dir/strict.o" "$dir/labprog.c" >/dev/null 2>&1; then
		echo "lab program with the strict flags: refused" >>"$log"
	fi
	# The labs' divzero divides by a global zero: with these flags gcc
	# emits the division (which traps), not a folded compare.
	cat >"$dir/divzero.c" <<'PROG'
#include <inc/lib.h>
int zero;
void
umain(int argc, char **argv)
{
	zero = 0;
	cprintf("1/0 is %08x!\n", 1/zero);
}
PROG
	# shellcheck disable=SC2086
	if gcc $flags -c -o "$dir/divzero.o" "$dir/divzero.c" >>"$log" 2>&1 &&
		objdump -d "$dir/divzero.o" | grep -Eq 'idiv'; then
		echo "lab divzero: divides" >>"$log"
	fi
	make -s --no-print-directory check-user-strict >>"$log" 2>&1
}

add_test jos_lab_flags --func jos_labflags_session --timeout 120 \
	--expect '^lab program: builds$' \
	--expect '^lab program with the strict flags: refused$' \
	--expect '^lab divzero: divides$' \
	--expect '^check-user-strict: [0-9]+ programs build with USER_CFLAGS$'

# The JOS VMM lab's interface (a guest, on each backend): labvmm loads our guest
# the lab's way (no boot arguments, a disk copied under the vmdisk
# number), the guest reaches its shell; Ctrl-] gives the console back,
# vmmanager lists the guest and resumes it after a wrong answer.
G='^(\[guest [0-9a-f]{8}\] )?'
add_guest_test lab_vmm_api --timeout 400 --prompt '$ ' \
	--type 'labvmm &' \
	--type-guest '$ ' 'cat /motd' \
	--type-at 'on the JOS guest' $'\x1dvmmanager' \
	--type-at 'select a VM to resume: ' '7' \
	--type-at 'select a VM to resume: ' '1' \
	--type-at 'has the console' 'echo resumed' \
	--stop "${G}resumed$" \
	--expect-seq '^labvmm: guest [0-9a-f]{8}, disk /vmm/fs1\.img$' \
	--expect-seq "${G}init: running sh" \
	--expect-seq "${G}This is /motd on the JOS guest.s disk\." \
	--expect-seq '^1\) guest [0-9a-f]{8}, 64 MiB, (running|halted)' \
	--expect-seq '^Please enter a correct vm number$' \
	--expect-seq '^vmmanager: guest 1 has the console$' \
	--expect-seq "${G}resumed$" \
	--forbid 'labvmm: .*: ' --forbid '^2\) guest'
