# conf/gdb-test.gdb: the scripted session of grade-lab.sh's `gdb` test.
#
# Run after a .gdbinit made from conf/gdbinit.tmpl has connected to a QEMU
# started with -S (paused at the reset vector), as
#   gdb -n -batch -x GDBINIT -x conf/gdb-test.gdb
# The grader checks the output for the breakpoint stops and for frames that
# name i386_init at kern/init.c:LINE and monitor at kern/monitor.c:LINE.
# In batch mode an error ends this file, so keep every command safe.

set pagination off
set confirm off

# Hardware breakpoint: the kernel is not loaded or mapped yet.
hbreak i386_init
continue
echo +++ stopped at:\n
info symbol $pc
# The breakpoint sits before the prologue; step into the body.
next
next
step
echo +++ locals:\n
info locals
echo +++ backtrace:\n
backtrace
echo +++ frame 0:\n
frame 0

# The monitor runs once no environment is left to run (no `exit` token).
hbreak monitor
continue
echo +++ backtrace in monitor:\n
backtrace
kill
