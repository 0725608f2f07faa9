# Debian's unmodified Linux as a guest of the JOS monitor:
#   vmm -f /guests/linux.boot
# The command line fits the virtual PC (vmm/platform.c):
#   console=ttyS0  the kernel's console on the emulated 16550 at COM1
#   noapic nolapic there is no local or I/O APIC: interrupts come
#                  through the 8259 pair, the timer tick from the 8254
#   acpi=off       no ACPI tables (nor anything behind them)
#   pci=off        no PCI bus (its ports answer "no device" anyway)
#   tsc=reliable   the TSC is the clock, without the watchdog that would
#                  check it against a second clock every half second
#   quiet          boot messages only for warnings: each character on
#                  the emulated UART costs the guest two exits
# vmm adds tsc_early_khz= (the TSC's rate, which Linux cannot measure
# against a PIT whose every read is an exit).
kernel=/guests/vmlinuz
initramfs=/guests/initrd.gz
memory=128
commandline=console=ttyS0 noapic nolapic acpi=off pci=off tsc=reliable quiet
