# conf/vmm.mk: run the VT-x monitor (included from vmm/Makefrag).
#
#   make run-vmm-nox   boot the host with the vmm program first (prog=vmm),
#                      serial console on this terminal, no window
#   make run-vmm       the same, with a display where there is one
#   make run-vmm-nox-gdbguest
#                      run-vmm-nox with the host's COM2 on TCP port
#                      GDBGUEST_PORT, the guest debugger's link (vmm/gdb/);
#                      Bochs starts the machine once gdb is connected
#   make gdb-guest     gdb with the guest kernel's symbols, connected to it
#
# Where this machine has VT-x (vmx in /proc/cpuinfo) and a usable /dev/kvm,
# QEMU runs with KVM and the host CPU (nested VT-x).  Otherwise Bochs, whose
# CPU emulates VT-x with EPT (conf/bochs.sh, conf/bochsrc.tmpl); Bochs has
# no window here: its display is a VNC server (rfb) on port 5900 or the next
# free one.  VMM_EMU=bochs or VMM_EMU=kvm forces the choice.
#
# The targets are explicit, so they win over run.mk's run-%-nox and run-%.

VMM_EMU ?=

# Shell: true when QEMU with KVM can run the monitor here.
vmm_use_kvm = case "$(VMM_EMU)" in kvm) true ;; bochs) false ;; \
	*) grep -qw vmx /proc/cpuinfo && [ -r /dev/kvm ] && [ -w /dev/kvm ] ;; esac

# Shell: QEMU with KVM on the host CPU, with display options $(1).
vmm_run_kvm = echo "*** VT-x and /dev/kvm: QEMU with KVM" 1>&2; \
	$(call run_qemu,$(call qemu_opts,$(OBJDIR)/run/vmm.img) -enable-kvm -cpu host $(1))

vmm_run_bochs = echo "*** No VT-x here: Bochs, whose CPU emulates VT-x with EPT" 1>&2; \
	bash conf/bochs.sh run $(OBJDIR)/run/vmm.img $(FSIMG)

# Prerequisites written $$(...) are expanded after every makefile is read
# (DEPSTAMP and FSIMG come from conf/run.mk and fs/Makefrag).
.SECONDEXPANSION:

run-vmm-nox: $$(DEPSTAMP) $(OBJDIR)/run/vmm.img $$(FSIMG)
	@if $(vmm_use_kvm); then echo "*** Use Ctrl-a x to exit qemu" 1>&2; \
		$(call vmm_run_kvm,$(nox_opts)); \
	else $(vmm_run_bochs); fi

run-vmm: $$(DEPSTAMP) $(OBJDIR)/run/vmm.img $$(FSIMG)
	@if $(vmm_use_kvm); then $(qemu_display); \
		$(call vmm_run_kvm,-serial mon:stdio $$disp); \
	else $(vmm_run_bochs); fi

.PHONY: run-vmm-nox run-vmm

# The guest debugger: COM2 on a TCP port for gdb (vmm/gdb/stub.c).
GDBGUEST_PORT ?= $(shell expr 26000 + `id -u` % 5000)

run-vmm-nox-gdbguest: $$(DEPSTAMP) $(OBJDIR)/run/vmm.img $$(FSIMG)
	@echo "*** COM2 (the guest debugger) on port $(GDBGUEST_PORT): make gdb-guest" 1>&2
	@if $(vmm_use_kvm); then echo "*** Use Ctrl-a x to exit qemu" 1>&2; \
		$(call vmm_run_kvm,$(nox_opts) -serial tcp:127.0.0.1:$(GDBGUEST_PORT),server,nowait); \
	else export BOCHS_COM2="enabled=1, mode=socket-server, dev=localhost:$(GDBGUEST_PORT)"; \
		$(vmm_run_bochs); fi

# gdb waits (remotetimeout) until a guest is chosen: `vmctl debug ID` on
# the host, or `vmm --gdb`.
gdb-guest: $(OBJDIR)/guest/kernel
	gdb -n -ex 'set remotetimeout 600' \
		-ex 'target remote 127.0.0.1:$(GDBGUEST_PORT)' $(OBJDIR)/guest/kernel

.PHONY: run-vmm-nox-gdbguest gdb-guest
