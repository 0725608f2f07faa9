# conf/gdb-guest-i386.gdb: gdb against a 32-bit guest (guest/mbtest,
# stopped by `vmctl debug`; conf/tests/64-gdb.sh): the stub's i386
# target description gives gdb eip and eax, not rip.
set pagination off
set confirm off
set remotetimeout 600
target remote localhost:@GDBPORT@
show architecture
info registers eip eax eflags
if $eip > 0x100000
  echo GDB: a 32-bit guest in its kernel\n
end
detach
echo GDB: detached\n
