# conf/gdb-guest.gdb: a scripted gdb session against a running JOS guest
# through the monitor's stub on COM2 (conf/tests/64-gdb.sh).  The guest
# stops at `vmctl debug`; the script
# breaks at the guest kernel's syscall(), steps, reads memory, stops
# there again by a hardware breakpoint, is interrupted by Ctrl-C,
# detaches.  @DIR@ is the test's directory.
set pagination off
set confirm off
# The guest answers only once the host has been told to debug it.
set remotetimeout 600
target remote localhost:@GDBPORT@
echo GDB: attached\n
# Held for gdb, the guest sleeps and the host runs on: the test types
# at the host's shell meanwhile, then lets this script go on.
shell touch @DIR@/held
shell while [ ! -e @DIR@/host-ran ]; do sleep 0.2; done
echo GDB: the host ran meanwhile\n
break syscall
continue
bt
set $before = $pc
stepi
if $pc != $before
  echo GDB: stepi moved pc\n
end
x/4gx $sp
info registers rip
set $a = $rdi
set $b = $rsi
set $c = $rdx
set $d = $rsp
continue
if $rdi != $a || $rsi != $b || $rdx != $c || $rsp != $d
  echo GDB: registers changed\n
end
bt 1
delete
# A hardware breakpoint (Z1: DR0 and the guest's DR7) stops it too.
hbreak syscall
continue
if $pc == $before
  echo GDB: stopped at syscall by a hardware breakpoint\n
end
delete
# Running free, the guest stops at Ctrl-C (the test sends gdb SIGINT).
shell touch @DIR@/running
continue
echo GDB: interrupted\n
info registers rip
detach
echo GDB: detached\n
