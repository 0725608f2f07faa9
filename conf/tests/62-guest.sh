# conf/tests/62-guest.sh: JOS in JOS.  The host starts vmm, whose guest
# boots with no command line of its own: the guest kernel starts its
# file server, whose disk is the host file /vmm/fs.img copy-on-write
# (fs/hostdisk.c), and init, which starts the guest's shell.  Typed
# commands go to the guest that holds the console.  Each test boots a
# guest under Bochs (and again under QEMU with SVM: add_guest_test), so
# there are few, each checking several things.
G='^(\[guest [0-9a-f]{8}\] )?'

# The guest reaches its shell; `cat /motd` shows the guest's own motd and
# `ls` lists the guest's disk, not the host's.
add_guest_test --bochs-svm guest_shell --cmdline "prog=vmm exit" --timeout 300 \
	--prompt '$ ' --type 'cat /motd' --type 'ls /' \
	--expect-seq '^vmm: guest [0-9a-f]{8} starting: .* command line "disk=[0-9a-f]{8}"' \
	--expect-seq "${G}init: running sh" \
	--expect "${G}hostdisk: /vmm/disk-[0-9a-f]{8}\.img over /vmm/fs\.img" \
	--expect-seq "${G}"'This is /motd on the JOS guest.s disk\.' \
	--expect-seq "${G}"'You are inside the virtual machine' \
	--expect-seq "${G}/writemotd$" \
	--expect-seq "${G}/motd$" \
	--forbid "${G}/vmmtest$" --forbid 'Welcome to the JOS kernel, now in 64 bits'

# A guest's writes stay on its disk: from the host's shell, a guest with
# disk=keep runs writemotd (which rewrites /motd and syncs) and ends;
# the next guest with the same disk shows the new /motd in its shell.
add_guest_test guest_disk_kept --timeout 300 --prompt '$ ' \
	--type '/vmm/vmm prog=writemotd disk=keep exit' --type '/vmm/vmm disk=keep' \
	--type 'cat /motd' \
	--expect-seq "${G}hostdisk: /vmm/disk-keep\.img over /vmm/fs\.img" \
	--expect-seq "${G}writemotd: /motd rewritten" \
	--expect-seq '^vmm: guest [0-9a-f]{8} is gone' \
	--expect-seq "${G}hostdisk: /vmm/disk-keep\.img over /vmm/fs\.img" \
	--expect-seq "${G}\\\$ cat /motd" \
	--expect-seq "${G}This is the NEW message of the day!$"

# Two guests at once, each with its own disk over the same clean image:
# both start before either is gone, and both get through their work.
# Ctrl-] before vmctl: whichever guest ends last holds the console until
# then (the escape does nothing when the host has it).
add_guest_test guest_two --timeout 300 --prompt '$ ' \
	--type '/vmm/vmm prog=hello disk=a exit & /vmm/vmm prog=writemotd disk=b exit' \
	--type $'\x1d/vmctl list' \
	--expect-seq '^vmm: guest [0-9a-f]{8} starting: .*disk=[ab]' \
	--expect-seq '^vmm: guest [0-9a-f]{8} starting: .*disk=[ab]' \
	--expect-seq '^vmm: guest [0-9a-f]{8} is gone' \
	--expect "${G}hostdisk: /vmm/disk-a\.img over /vmm/fs\.img" \
	--expect "${G}hostdisk: /vmm/disk-b\.img over /vmm/fs\.img" \
	--expect "${G}hello, world" \
	--expect "${G}writemotd: /motd rewritten" \
	--expect-count 2 'vmm: guest [0-9a-f]{8} is gone' \
	--expect '^No guests\.$'

# The free pages a guest with a disk seems to keep are the host file
# server's block cache (the blocks of /vmm/fs.img and of the guest's own
# disk file it read), which vmm accounts for: nothing is left
# unexplained, and a second guest with the same disk changes nothing.
add_guest_test guest_disk_cache --timeout 300 --prompt '$ ' \
	--type '/vmm/vmm prog=hello disk=same exit' --type '/vmm/vmm prog=hello disk=same exit' \
	--expect-seq '^vmm: guest [0-9a-f]{8} is gone' \
	--expect-seq '^vmm: of which the file server.s cache and open files: [0-9]+ pages .*; not explained: 0$' \
	--expect-seq '^vmm: guest [0-9a-f]{8} is gone' \
	--expect-seq '^vmm: free pages before ([0-9]+) after \1$' \
	--expect-seq '^vmm: of which the file server.s cache and open files: 0 pages .*; not explained: 0$'

# bench on the host, then inside a guest on the same machine: bench
# finds out by itself (CPUID leaf 0x40000000) that it runs in a guest and
# adds the hypercall round trip; fsbench reads a 1 MiB file on each side.
# The figures are for reading (./grade-lab.sh -v guest_bench), not checked.
add_guest_test guest_bench --timeout 300 --prompt '$ ' \
	--type 'bench' --type '/vmm/vmm' --type 'bench' \
	--expect-seq '^bench: hypercall round trip skipped: not in a guest of the JOS monitor$' \
	--expect-seq '^fsbench: read /bench\.1m \(1024 KB, cold[^)]*\): [0-9]+ ms, [0-9]+ KB/s' \
	--expect-seq '^bench: done$' \
	--expect-seq "${G}"'bench: starting in a guest of the JOS monitor$' \
	--expect-seq "${G}"'bench: hypercall round trip \(refused IPCSEND\) +[0-9]+ cycles$' \
	--expect-seq "${G}"'fsbench: read /bench\.1m \(1024 KB, cold[^)]*\): [0-9]+ ms, [0-9]+ KB/s' \
	--expect-seq "${G}"'bench: done$'

# The console between two guests and the host.  Each guest writes its
# own /who; Ctrl-] gives the console back to the host, whose shell
# prompts again (vmm waits on in the background); the next guest gets
# the console; `vmctl next` hands it round, and `cat /who` shows which
# guest's disk answered: typed input reaches only the guest holding the
# console, and the console names the writer at each switch.  Both guests sleep (halted) at their prompts meanwhile.
add_guest_test guest_console --timeout 300 --prompt '$ ' \
	--type '/vmm/vmm disk=a' \
	--type-guest '$ ' 'echo first > /who' \
	--type-guest '$ ' $'\x1d/vmm/vmm disk=b' \
	--type-guest '$ ' 'echo second > /who' \
	--type-guest '$ ' $'\x1d/vmctl list' \
	--type-at '$ ' '/vmctl next' \
	--type-at 'has the console' 'cat /who' \
	--type-guest '$ ' $'\x1d/vmctl next' \
	--type-at 'has the console' 'cat /who' \
	--type-guest '$ ' $'\x1d/vmctl list' \
	--type-at '$ ' 'echo done' \
	--expect-seq "${G}hostdisk: /vmm/disk-a\.img" \
	--expect-seq '^console: back to the host \(guest [0-9a-f]{8} keeps running\)$' \
	--expect-seq '^vmm: guest [0-9a-f]{8} runs on without the console' \
	--expect-seq "${G}hostdisk: /vmm/disk-b\.img" \
	--expect-seq '^console: back to the host' \
	--expect-seq '^[0-9a-f]{8} +64 MiB +halted .* +$' \
	--expect-seq '^[0-9a-f]{8} +64 MiB +halted .* +$' \
	--expect-seq '^vmctl: guest [0-9a-f]{8} has the console' \
	--expect-seq '^--- guest [0-9a-f]{8} ---$' \
	--expect-seq "${G}cat /who$" \
	--expect-seq "${G}first$" \
	--expect-seq '^--- host ---$' \
	--expect-seq '^vmctl: guest [0-9a-f]{8} has the console' \
	--expect-seq '^--- guest [0-9a-f]{8} ---$' \
	--expect-seq "${G}cat /who$" \
	--expect-seq "${G}second$" \
	--expect-seq '^[0-9a-f]{8} +64 MiB +halted .* +$' \
	--expect-seq '^[0-9a-f]{8} +64 MiB +halted .* +$' \
	--forbid 'vmctl: .*: ' --forbid '^\$ cat'

# Two guests on a host with two CPUs (Bochs): guests move between CPUs
# (VMCLEAR on one, VMPTRLD on the other) and run side by side.
add_guest_test guest_two_cpus2 --cpus 2 --timeout 300 --prompt '$ ' \
	--type '/vmm/vmm prog=hello disk=a exit & /vmm/vmm prog=writemotd disk=b exit' \
	--type $'\x1d/vmctl list' \
	--expect "${G}hello, world" \
	--expect "${G}writemotd: /motd rewritten" \
	--expect-count 2 'vmm: guest [0-9a-f]{8} is gone' \
	--expect '^No guests\.$' --forbid 'Unhandled VMEXIT'

# A guest stopped from the host's shell while vmm waits in the
# background: vmctl lists it with its times in milliseconds, the stop
# prints its statistics in the same unit (from the same clock), and vmm,
# in the background, accounts for the pages without an error (its fork
# left the file server's request page copy-on-write: lib/file.c).  The
# guest is the third env the shell (00001001) makes (00001004).  vmm's
# lines race the shell's next prompt, which may begin any of them.
add_guest_test guest_stop --timeout 300 --prompt '$ ' \
	--type '/vmm/vmm disk=a' \
	--type-guest '$ ' $'\x1d/vmctl list' \
	--type-at '$ ' '/vmctl stop 00001004' \
	--type-at 'not explained' 'echo done' \
	--expect-seq '^vmm: guest 00001004 runs on without the console' \
	--expect-seq '^guest +memory +state +exits +run ms +in guest +refused +console$' \
	--expect-seq '^00001004 +64 MiB +halted +[0-9]+ +[0-9]+ +[0-9]+ +0 +$' \
	--expect-seq '^\[[0-9a-f]{8}\] destroying 00001004$' \
	--expect-seq '^vmm: guest 00001004: [0-9]+ exits, [0-9]+ ms from launch, [0-9]+ ms in the guest, 0 port accesses refused$' \
	--expect-seq 'vmm: guest 00001004 is gone$' \
	--expect-seq 'vmm: of which the file server.s cache and open files: [0-9]+ pages' \
	--expect-seq '^done$' --stop '^done$' \
	--forbid 'invalid parameter' --forbid "file server's held pages" --forbid 'vmctl: stop'

# The JOS guest has a clock: without a local APIC its kernel takes the
# scheduling tick from the PIT through the PIC (kern/pit.c), so a
# program that never yields, started in the background, leaves the
# guest's shell answering; and spin's parent gets the CPU back from
# its spinning child, kills it and ends.
add_guest_test guest_preempt --timeout 300 --prompt '$ ' \
	--type '/vmm/vmm disk=a' \
	--type-guest '$ ' 'busyloop &' \
	--type-guest 'busyloop: spinning' 'echo still answers' \
	--type-guest 'still answers' 'spin' \
	--type-guest 'Killing the child' 'echo done' \
	--expect-seq "${G}PIT tick: 100 Hz on IRQ 0 \(no local APIC\)$" \
	--expect-seq "${G}busyloop: spinning$" \
	--expect-seq "${G}still answers$" \
	--expect-seq "${G}I am the child.  Spinning" \
	--expect-seq "${G}I am the parent.  Killing the child" \
	--expect-seq "${G}done$" --stop "${G}done$" \
	--forbid 'user panic' --forbid 'Welcome to the JOS kernel monitor'

# A full guest disk is an error from the program, never a fall into the
# guest's kernel monitor: fsbench 4096 cannot fit on the guest's disk
# (about 2.2 MB free), says -E_NO_DISK and gives the space back; the
# guest's shell prompts again and its disk takes a new file.
add_guest_test guest_disk_full --timeout 300 --prompt '$ ' \
	--type '/vmm/vmm disk=full' \
	--type-guest '$ ' 'fsbench 4096' \
	--type-guest '$ ' 'echo still room > /after' \
	--type-guest '$ ' 'cat /after' \
	--expect-seq "${G}"'fsbench: read /bench\.1m \(1024 KB, cold[^)]*\): [0-9]+ ms' \
	--expect-seq "${G}"'fsbench: write /fsbench\.tmp after [0-9]+ KB: no free space on disk$' \
	--expect-seq "${G}"'\$ echo still room > /after$' \
	--expect-seq "${G}"'\$ cat /after$' \
	--expect-seq "${G}"'still room$' \
	--forbid 'user panic' --forbid 'Welcome to the JOS kernel monitor' \
	--forbid 'fsbench: write 4096 KB'

# A guest's console output in batches of up to a page per hypercall
# loses nothing and keeps its order: `cat /bench.256k` shows all 7489
# whole lines of the file and the start of the last one (which the
# guest's next line continues), then the guest's prompt.  vmctl list then
# shows the guest's exits (python3 conf/guestboot.py --cat /bench.256k
# prints how many the cat took; the figure is not checked here).  The
# echo after it: under QEMU the host's prompt (after Ctrl-]) can come
# before vmctl has printed, and the run stops at a prompt.
add_guest_test --bochs-svm guest_cat --timeout 300 --prompt '$ ' \
	--type '/vmm/vmm disk=cat' \
	--type-guest '$ ' 'cat /bench.256k' \
	--type $'\x1d/vmctl list' --type 'echo listed' \
	--expect-count 7489 "${G}"'JOS fsbench: one MiB of this line\.$' \
	--expect-seq "${G}"'JOS fsbench: one MiB of this line\.$' \
	--expect-seq "${G}"'JOS fsbench: one MiB of this \[[0-9a-f]{8}\] exiting gracefully$' \
	--expect-seq "${G}"'\$ ?$' \
	--expect-seq '^[0-9a-f]{8} +64 MiB +halted +[0-9]+ ' \
	--forbid 'Welcome to the JOS kernel monitor'

# What `make run-vmm-nox` boots (prog=vmmboot): the guest first, started
# as the host's shell would; Ctrl-] leaves the user at the host's shell,
# where vmctl lists the guest that runs on.
add_guest_test guest_vmmboot --cmdline "prog=vmmboot" --timeout 300 \
	--prompt '$ ' \
	--type-guest '$ ' $'\x1d' \
	--type-at 'vmmboot: starting sh' 'vmctl list' \
	--type-at 'run ms' 'echo host-shell' \
	--stop '^host-shell$' \
	--expect-seq '^vmm: guest [0-9a-f]{8} starting' \
	--expect-seq "${G}init: running sh" \
	--expect-seq '^console: back to the host' \
	--expect-seq '^vmm: guest [0-9a-f]{8} runs on without the console' \
	--expect-seq '^vmmboot: starting sh' \
	--expect-seq '^[0-9a-f]{8} +64 MiB ' \
	--expect-seq '^host-shell$'
