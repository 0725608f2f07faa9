# conf/gdb-guest-mb.gdb: gdb against the 32-bit multiboot guest mbtest
# (guest/mbtest/), which `vmm --gdb --kernel /guests/mbtest` holds at
# the boot code's first instruction, in real mode at 0x7000, with the
# i386 register layout (conf/tests/64-gdb.sh); mbtest itself runs in
# protected mode with paging off.  The script breaks at print(),
# backtraces into mbmain, steps one instruction,
# reads mbtest's GDT (a known global), runs on to the next print(),
# stops at irq_handler by a hardware breakpoint (the @HW@ lines), and
# detaches.
set pagination off
set confirm off
set remotetimeout 600
file obj/guest/mbtest/mbtest
set architecture i386
target remote localhost:@GDBPORT@
if $cs * 16 + $eip == 0x7000
  echo GDB: held at the boot code's first instruction\n
end
break print
continue
bt
# One instruction: eip moves by that instruction's length.
python
pc = int(gdb.parse_and_eval("$pc"))
insn = gdb.selected_frame().architecture().disassemble(pc)[0]
gdb.execute("stepi")
if int(gdb.parse_and_eval("$pc")) == pc + insn["length"]:
    print("GDB: stepi moved eip by %d, the length of %s" % (insn["length"], insn["asm"]))
end
x/4wx &gdt
info registers eip eflags cs ss ds
set $a = $eax
set $b = $ecx
set $c = $edx
set $d = $esi
set $e = $edi
continue
if $eax != $a || $ecx != $b || $edx != $c || $esi != $d || $edi != $e
  echo GDB: registers changed\n
end
bt 1
delete
# A hardware breakpoint (Z1: DR0 and the guest's DR7).
@HW@hbreak irq_handler
@HW@continue
@HW@if $pc == (unsigned) irq_handler
@HW@  echo GDB: stopped at irq_handler by a hardware breakpoint\n
@HW@end
@HW@delete
detach
echo GDB: detached\n
