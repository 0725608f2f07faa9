# conf/vmm.mk: run the monitor (included from vmm/Makefrag).
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
# VMM_EMU says where (default: the first that works here):
#   kvm        QEMU with KVM and the host CPU, where /dev/kvm is usable, the
#              CPU has VT-x or SVM and KVM offers it to its guests (its
#              module's nested parameter): nested virtualization
#   qemu-svm   QEMU's software emulation with a CPU that has AMD SVM and
#              nested paging ($(VMM_SVM_CPU)): the default without KVM
#   bochs-vmx  Bochs, whose CPU emulates VT-x with EPT (conf/bochs.sh,
#              conf/bochsrc.tmpl); no window: its display is a VNC server
#              (rfb) on port 5900 or the next free one
#   bochs-svm  Bochs' AMD model (ryzen): SVM with nested paging and next-RIP
# (bochs is bochs-vmx, as before.)
#
# The targets are explicit, so they win over run.mk's run-%-nox and run-%.

VMM_EMU ?=
VMM_SVM_CPU := qemu64,+svm,+npt

# Shell: the emulator to use, in $$emu.
vmm_pick_emu = case "$(VMM_EMU)" in \
	kvm | qemu-svm | bochs-vmx | bochs-svm) emu=$(VMM_EMU) ;; \
	bochs) emu=bochs-vmx ;; \
	"") if grep -qwE 'vmx|svm' /proc/cpuinfo && [ -r /dev/kvm ] && [ -w /dev/kvm ] && \
		grep -qsxE 'Y|1' /sys/module/kvm_intel/parameters/nested \
			/sys/module/kvm_amd/parameters/nested; \
		then emu=kvm; else emu=qemu-svm; fi ;; \
	*) echo "*** VMM_EMU=$(VMM_EMU): use kvm, qemu-svm, bochs-vmx or bochs-svm" 1>&2; exit 2 ;; \
	esac

# Shell: run the monitor's image under $$emu, QEMU with display options $(1).
vmm_run = case $$emu in \
	kvm) echo "*** VT-x or SVM and /dev/kvm: QEMU with KVM" 1>&2; \
		$(call run_qemu,$(call qemu_opts,$(OBJDIR)/run/vmmboot.img) -enable-kvm -cpu host $(1)) ;; \
	qemu-svm) echo "*** QEMU software emulation, a CPU with SVM and nested paging" 1>&2; \
		$(call run_qemu,$(call qemu_opts,$(OBJDIR)/run/vmmboot.img) -cpu $(VMM_SVM_CPU) $(1)) ;; \
	bochs-vmx) echo "*** Bochs, whose CPU emulates VT-x with EPT" 1>&2; \
		bash conf/bochs.sh run $(OBJDIR)/run/vmmboot.img $(FSIMG) ;; \
	bochs-svm) echo "*** Bochs, AMD model: SVM with nested paging" 1>&2; \
		BOCHS_MODEL=ryzen bash conf/bochs.sh run $(OBJDIR)/run/vmmboot.img $(FSIMG) ;; \
	esac

# Prerequisites written $$(...) are expanded after every makefile is read
# (DEPSTAMP and FSIMG come from conf/run.mk and fs/Makefrag).
.SECONDEXPANSION:

run-vmm-nox: $$(DEPSTAMP) $(OBJDIR)/run/vmmboot.img $$(FSIMG)
	@$(vmm_pick_emu); \
	case $$emu in kvm | qemu-svm) echo "*** Use Ctrl-a x to exit qemu" 1>&2 ;; esac; \
	$(call vmm_run,$(nox_opts))

run-vmm: $$(DEPSTAMP) $(OBJDIR)/run/vmmboot.img $$(FSIMG)
	@$(vmm_pick_emu); $(qemu_display); $(call vmm_run,-serial mon:stdio $$disp)

.PHONY: run-vmm-nox run-vmm

# The guest debugger: COM2 on a TCP port for gdb (vmm/gdb/stub.c).
GDBGUEST_PORT ?= $(shell expr 26000 + `id -u` % 5000)

run-vmm-nox-gdbguest: $$(DEPSTAMP) $(OBJDIR)/run/vmmboot.img $$(FSIMG)
	@echo "*** COM2 (the guest debugger) on port $(GDBGUEST_PORT): make gdb-guest" 1>&2
	@$(vmm_pick_emu); \
	case $$emu in kvm | qemu-svm) echo "*** Use Ctrl-a x to exit qemu" 1>&2 ;; esac; \
	export BOCHS_COM2="enabled=1, mode=socket-server, dev=localhost:$(GDBGUEST_PORT)"; \
	$(call vmm_run,$(nox_opts) -serial tcp:127.0.0.1:$(GDBGUEST_PORT)$(run_mk_comma)server$(run_mk_comma)nowait)

# gdb waits (remotetimeout) until a guest is chosen: `vmctl debug ID` on
# the host, or `vmm --gdb`.
gdb-guest: $(OBJDIR)/guest/kernel
	gdb -n -ex 'set remotetimeout 600' \
		-ex 'target remote 127.0.0.1:$(GDBGUEST_PORT)' $(OBJDIR)/guest/kernel

.PHONY: run-vmm-nox-gdbguest gdb-guest
