# conf/gdb-guest-start.gdb: gdb against a guest that `vmm --gdb` holds
# before its first instruction (conf/tests/64-gdb.sh): real mode at the
# boot code, 0x7000; then a hardware breakpoint at the kernel's entry,
# and it lets the guest go.  @DIR@ is the test's
# directory, where the test looks at the console meanwhile.
set pagination off
set confirm off
set remotetimeout 600
target remote localhost:@GDBPORT@
if $cs * 16 + $pc == 0x7000
  echo GDB: held at the first instruction\n
end
shell touch @DIR@/first
shell while [ ! -e @DIR@/looked ]; do sleep 0.2; done
# A hardware breakpoint (Z1: the guest's DR0 and DR7) at the kernel's
# entry; @HW@ lines are left out where a test says so (GDB_HW).
@HW@hbreak *0x100000
@HW@continue
@HW@if $pc == 0x100000
@HW@  echo GDB: hardware breakpoint at the kernel's entry\n
@HW@end
@HW@delete
detach
echo GDB: detached\n
