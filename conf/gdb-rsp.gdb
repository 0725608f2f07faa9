# conf/gdb-rsp.gdb: the real gdb against the protocol code alone
# (obj/hosttest/rsp_serve, a fake machine; conf/tests/05-unit.sh).
set pagination off
set confirm off
target remote | obj/hosttest/rsp_serve
info registers rip rsp eflags
x/4gx 0x100000
break *0x100010
continue
set $before = $pc
stepi
if $pc != $before
  echo GDB: stepi moved pc\n
end
set var $rbx = 0x1234
p/x $rbx
set {long}0x100020 = 0x1122334455667788
x/1gx 0x100020
detach
