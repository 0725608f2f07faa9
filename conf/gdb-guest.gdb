# conf/gdb-guest.gdb: a scripted gdb session against a running JOS guest
# through the monitor's stub on COM2 (conf/tests/64-gdb.sh).  The guest
# stops when `vmctl debug` and then typed input wake it; the script
# breaks at the guest kernel's syscall(), steps, reads memory, detaches.
set pagination off
set confirm off
# The guest answers only once the host has been told to debug it.
set remotetimeout 600
target remote localhost:@GDBPORT@
echo GDB: attached\n
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
detach
echo GDB: detached\n
