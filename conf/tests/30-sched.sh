# conf/tests/30-sched.sh: several CPUs, preemption, fork, user-level page
# faults, IPC, the syscall fuzzer and the leak check.  ENV_END (the leak
# check and the end of all envs) comes from 20-env.sh.

SMP_LINES=(
	--expect-seq '^SMP: CPU 1 starting'
	--expect-seq '^SMP: CPU 2 starting'
	--expect-seq '^SMP: CPU 3 starting'
)

add_test smp --cmdline "prog=hello nofs exit" --cpus 4 \
	"${SMP_LINES[@]}" "${ENV_END[@]}"

add_test dumbfork --cmdline "prog=dumbfork nofs exit" \
	--expect '^0: I am the parent!' \
	--expect '^9: I am the parent!' \
	--expect '^0: I am the child!' \
	--expect '^19: I am the child!' \
	--expect '^\[00001001\] exiting gracefully' \
	--expect-seq '^Free pages: ([0-9]+) now, \1 after boot'

# forktree makes a binary tree of 15 envs: the leak check covers them all.
for cpus in 1 4; do
	add_test "forktree_cpus$cpus" --cmdline "prog=forktree nofs exit" --cpus "$cpus" \
		--expect-count 15 "^[0-9a-f]{4}: I am '[01]{0,3}'$" \
		--expect "^[0-9a-f]{4}: I am ''$" \
		--expect "^[0-9a-f]{4}: I am '111'$" \
		--expect-seq '^Free pages: ([0-9]+) now, \1 after boot' \
		--expect-seq '^No runnable environments in the system!'
done

# The same under Bochs with two CPUs, where the monitor's tests run.
add_test forktree_bochs_cpus2 --bochs --cpus 2 --cmdline "prog=forktree nofs exit" \
	--timeout 200 \
	--expect-count 15 "^[0-9a-f]{4}: I am '[01]{0,3}'$" \
	--expect-seq '^Free pages: ([0-9]+) now, \1 after boot' \
	--expect-seq '^No runnable environments in the system!'

add_test faultdie --cmdline "prog=faultdie nofs exit" \
	--expect-seq '^i faulted at va deadbeef, err 6' \
	--expect-seq '^\[00001000\] exiting gracefully' "${ENV_END[@]}"

add_test faultregs --cmdline "prog=faultregs nofs exit" \
	--expect-seq '^Registers in UTrapframe OK' \
	--expect-seq '^Registers after page-fault OK' \
	--forbid 'MISMATCH' "${ENV_END[@]}"

add_test faultalloc --cmdline "prog=faultalloc nofs exit" \
	--expect-seq '^fault deadbeef' \
	--expect-seq '^this string was faulted in at deadbeef' \
	--expect-seq '^fault cafebffe' \
	--expect-seq '^fault cafec000' \
	--expect-seq '^this string was faulted in at cafebffe' "${ENV_END[@]}"

add_test faultallocbad --cmdline "prog=faultallocbad nofs exit" \
	--expect-seq '^\[00001000\] user_mem_check assertion failure for va deadbeef' \
	"${ENV_END[@]}"

add_test faultnostack --cmdline "prog=faultnostack nofs exit" \
	--expect-seq '^\[00001000\] user_mem_check assertion failure for va ef7ff[0-9a-f]{3}$' \
	"${ENV_END[@]}"

add_test faultbadhandler --cmdline "prog=faultbadhandler nofs exit" \
	--expect-seq '^\[00001000\] user_mem_check assertion failure for va deadbeef' \
	"${ENV_END[@]}"

add_test faultevilhandler --cmdline "prog=faultevilhandler nofs exit" \
	--expect-seq '^\[00001000\] user_mem_check assertion failure for va f0100020$' \
	"${ENV_END[@]}"

# Preemption: the child spins forever; the parent can only kill it if the
# timer takes the CPU away from the child.
for cpus in 1 4; do
	add_test "spin_cpus$cpus" --cmdline "prog=spin nofs exit" --cpus "$cpus" \
		--expect-seq '^I am the parent\.  Running the child\.\.\.' \
		--expect-seq '^I am the child\.  Spinning\.\.\.' \
		--expect-seq '^I am the parent\.  Killing the child\.\.\.' \
		--expect-seq '^\[00001000\] destroying 00001001' \
		--expect-seq '^\[00001000\] exiting gracefully' \
		--expect-seq '^Free pages: ([0-9]+) now, \1 after boot'
done

add_test yield --cmdline "prog=yield nofs exit" \
	--expect-seq '^Hello, I am environment 00001000' \
	--expect-seq '^Back in environment 00001000, iteration 4' \
	--expect-seq '^All done in environment 00001000\.' "${ENV_END[@]}"

add_test yield_cpus4 --cmdline "prog=yield nofs exit" --cpus 4 \
	"${SMP_LINES[@]}" \
	--expect '^All done in environment 00001000\.' \
	--expect-seq '^Free pages: ([0-9]+) now, \1 after boot'

# wait() sleeps in sys_env_wait until the child is gone (no polling);
# the leak check shows the child's pages all came back.
add_test testwait --cmdline "prog=testwait nofs exit" \
	--expect-seq '^testwait: the child is gone$' \
	--expect-seq '^testwait: the parent slept: it ran [0-9]+ times while its child yielded 500$' \
	--expect-seq '^testwait: waiting for itself: invalid parameter$' \
	--expect-seq '^testwait: waiting for a gone env: 0$' "${ENV_END[@]}"

add_test stresssched --cmdline "prog=stresssched nofs exit" --cpus 4 --timeout 60 \
	--expect-count 20 '^\[[0-9a-f]{8}\] stresssched on CPU [0-3]$' \
	--expect-seq '^Free pages: ([0-9]+) now, \1 after boot' \
	--forbid 'stresssched: .* (wrong|bad|FAIL)'

add_test sendpage --cmdline "prog=sendpage nofs exit" \
	--expect '^1000 got message : hello child environment! how are you\?$' \
	--expect "^1001 got message : hello parent environment! I'm good\\.$" \
	--expect 'child received correct message' \
	--expect 'parent received correct message' \
	--expect-seq '^Free pages: ([0-9]+) now, \1 after boot'

add_test pingpong --cmdline "prog=pingpong nofs exit" \
	--expect '^1001 got 0 from 1000' \
	--expect '^1000 got 1 from 1001' \
	--expect '^1001 got 10 from 1000' \
	--expect-seq '^Free pages: ([0-9]+) now, \1 after boot'

add_test pingpongs --cmdline "prog=pingpongs nofs exit" \
	--expect '^1000 got 9 from 1001' \
	--expect '^1001 got 10 from 1000' \
	--expect-seq '^Free pages: ([0-9]+) now, \1 after boot'

# primes forks a filter per prime until it runs out of environments.
add_test primes --cmdline "prog=primes nofs exit" --timeout 150 \
	--expect '^CPU [0-9]+: 2 \[00001001\] new env 00001002$' \
	--expect '^CPU [0-9]+: 3 \[00001002\] new env 00001003$' \
	--expect '^CPU [0-9]+: 97 \[00001019\] new env 0000101a$' \
	--expect '^CPU [0-9]+: 7919 ' \
	--expect 'user panic in primes at user/primes\.c:[0-9]+: fork: out of environments'

# 100 000 random system calls from forked children; no panic, no leak.
for cpus in 1 4; do
	add_test "sysfuzz_cpus$cpus" --cmdline "prog=sysfuzz nofs exit" --cpus "$cpus" --timeout 120 \
		--expect-seq '^sysfuzz: [0-9]+ calls \([0-9]+ refused\)' \
		--expect-seq '^sysfuzz: free pages before ([0-9]+) after \1$' \
		--expect-seq '^Free pages: ([0-9]+) now, \1 after boot' \
		--expect-seq '^No runnable environments in the system!'
done

# The monitor reports the free page count.
add_test freepages_cmd --cmdline "nofs prog=hello" --type freepages \
	--expect-seq '^No runnable environments in the system!' \
	--expect-seq '^free pages: [0-9]+$'
