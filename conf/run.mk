# conf/run.mk: run and debug the kernel under QEMU, and grade.
# Included by the top-level GNUmakefile (after conf/env.mk).
#
#   make qemu            CGA window + serial console on this terminal
#   make qemu-nox        serial console on this terminal, no window
#   make qemu-gdb        like qemu, paused, waiting for gdb
#   make qemu-nox-gdb    like qemu-nox, paused, waiting for gdb
#   make gdb             gdb -n -x .gdbinit (connects to the two above)
#   make run-NAME[-nox][-gdb]   boot with prog=NAME (user program NAME first)
#   make print-gdbport   print the port the -gdb targets will use
#   make grade           ./grade-lab.sh
#
# Variables: CPUS (default 1), QEMUMEM (MiB, default 256), QEMUCPU (default
# qemu64,+svm,+npt: AMD SVM with nested paging, which QEMU's software
# emulation offers, so that `vmm` typed at the shell runs a guest), QEMUEXTRA (more QEMU options), GDBPORT (see below), FSIMG (second
# IDE disk, attached only when set; fs/Makefrag sets it).
#
# GDBPORT given on the command line or in the environment is used exactly
# (a grader connects to the port it asked for; a busy one is an error).
# Without it the port is the first free one from 25000 + uid % 5000, and
# print-gdbport prints the one the -gdb targets would take now.
#
# When the kernel powers off it writes to QEMU's isa-debug-exit port and QEMU
# exits with an odd status; the run targets treat that as a normal end.
# A SIGTERM to make (or to its process group) ends QEMU: the JOS grading
# library stops each test that way and boots the next on the same port.

# Keep whatever default goal the including makefile has (or will have).
run_mk_saved_default_goal := $(.DEFAULT_GOAL)

OBJDIR    ?= obj
QEMU      ?= qemu-system-x86_64
QEMUCPU   ?= qemu64,+svm,+npt
QEMUMEM   ?= 256
CPUS      ?= 1
QEMUEXTRA ?=
KERNIMG   ?= $(OBJDIR)/kern/kernel.img
FSIMG     ?=
GDB       ?= gdb
ifeq ($(origin GDBPORT),undefined)
GDBPORT   := $(shell expr 25000 + `id -u` % 5000)
run_mk_gdbport_exact :=
else
run_mk_gdbport_exact := yes
endif

# Stamp showing conf/deps.sh has installed our packages.
DEPSTAMP  := $(OBJDIR)/.deps.mk

run_mk_comma := ,

# QEMU options for booting disk image $(1). FSIMG is read when a recipe runs,
# so a later `FSIMG := ...` in fs/Makefrag counts.
qemu_opts = -cpu $(QEMUCPU) -m $(QEMUMEM) -smp $(CPUS) \
	-drive file=$(1),index=0,media=disk,format=raw \
	$(if $(FSIMG),-drive file=$(FSIMG)$(run_mk_comma)index=1$(run_mk_comma)media=disk$(run_mk_comma)format=raw) \
	-no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04 $(QEMUEXTRA)

# Shell: run QEMU with options $(1); an odd exit status (the kernel powered
# off through isa-debug-exit) counts as success.  QEMU runs in the
# background, so that this shell can pass on SIGTERM, SIGINT and SIGHUP
# (make sends SIGTERM only to its child, this shell; without the trap QEMU
# would outlive it), with the shell's stdin on fd 3 (a background command's
# stdin is /dev/null otherwise).  wait returns early when a trap runs:
# wait again until QEMU is gone, for its real status.
run_qemu = qpid= stop=; \
	trap 'stop=1; [ -z "$$qpid" ] || kill -TERM $$qpid 2>/dev/null' TERM INT HUP; \
	exec 3<&0; $(QEMU) $(1) <&3 3<&- & qpid=$$!; exec 3<&-; \
	[ -z "$$stop" ] || kill -TERM $$qpid 2>/dev/null; \
	while :; do wait $$qpid; st=$$?; kill -0 $$qpid 2>/dev/null || break; done; \
	trap - TERM INT HUP; [ $$st -eq 0 ] || [ $$((st % 2)) -eq 1 ]

# Shell: true when some socket listens on TCP port $(1) (read from
# /proc/net/tcp*, where the port is the hex after the colon of the local
# address and state 0A is LISTEN).
port_listening = awk -v re="$$(printf ':%04X$$' $(1))" \
	'$$2 ~ re && $$4 == "0A" { f = 1 } END { exit !f }' \
	/proc/net/tcp /proc/net/tcp6 2>/dev/null

# Shell: echo the first TCP port from $(1) upward that nothing listens on.
free_port = p=$(1); while $(call port_listening,$$p); do p=$$((p + 1)); done; echo $$p

# Shell: leave in $$port the port the -gdb targets use (GDBPORT itself when
# given, else the first free one from the default); a GDBPORT that is no
# port number fails here with a message.
gdb_port = case "$(GDBPORT)" in ''|*[!0-9]*) \
	echo "*** GDBPORT='$(GDBPORT)' is not a port number" 1>&2; exit 1 ;; esac; \
	$(if $(run_mk_gdbport_exact),port=$(GDBPORT),port=$$($(call free_port,$(GDBPORT))))

# Shell: pick the port, fail if something listens on it already (an exact
# GDBPORT that is busy: QEMU would fail to bind it), write .gdbinit for it,
# leave it in $$port.
make_gdbinit = $(gdb_port); \
	if $(call port_listening,$$port); then \
		echo "*** GDBPORT $$port is in use (another QEMU?); give another GDBPORT" 1>&2; \
		exit 1; fi; \
	sed "s/@GDBPORT@/$$port/g" conf/gdbinit.tmpl > .gdbinit; \
	echo "*** Now run 'make gdb'." 1>&2

gdb_opts = -S -gdb tcp:127.0.0.1:$$port

# Shell: display options for `make qemu`: a window when there is a display
# to open one on, otherwise none (the serial console still works).
qemu_display = if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then disp=; else \
	echo "*** No X or Wayland display: running without a window (like qemu-nox)." 1>&2; \
	disp="-display none"; fi

nox_opts = -display none -serial mon:stdio

# Make remakes included makefiles before anything else, so this installs
# missing packages on a fresh machine before the first compile.
ifeq ($(filter clean distclean realclean,$(MAKECMDGOALS)),)
include $(DEPSTAMP)
endif
$(DEPSTAMP): conf/deps.sh
	@mkdir -p $(@D)
	@bash conf/deps.sh
	@echo '# conf/deps.sh found all packages installed' > $@

# Prerequisites written $$(...) are expanded when make needs them, after all
# Makefrags have been read (FSIMG, KERNIMG may be set later).
.SECONDEXPANSION:

RUN_IMAGES = $(KERNIMG) $(FSIMG)

qemu: $(DEPSTAMP) $$(RUN_IMAGES)
	@$(qemu_display); $(call run_qemu,$(call qemu_opts,$(KERNIMG)) -serial mon:stdio $$disp)

qemu-nox: $(DEPSTAMP) $$(RUN_IMAGES)
	@echo "*** Use Ctrl-a x to exit qemu" 1>&2
	@$(call run_qemu,$(call qemu_opts,$(KERNIMG)) $(nox_opts))

qemu-gdb: $(DEPSTAMP) $$(RUN_IMAGES) conf/gdbinit.tmpl
	@$(make_gdbinit); $(qemu_display); \
	$(call run_qemu,$(call qemu_opts,$(KERNIMG)) -serial mon:stdio $$disp $(gdb_opts))

qemu-nox-gdb: $(DEPSTAMP) $$(RUN_IMAGES) conf/gdbinit.tmpl
	@$(make_gdbinit); echo "*** Use Ctrl-a x to exit qemu" 1>&2; \
	$(call run_qemu,$(call qemu_opts,$(KERNIMG)) $(nox_opts) $(gdb_opts))

# Without a running qemu-gdb, make a .gdbinit for GDBPORT as is.
.gdbinit: conf/gdbinit.tmpl
	sed "s/@GDBPORT@/$(GDBPORT)/g" $< > $@

gdb: .gdbinit
	$(GDB) -n -x .gdbinit

# A copy of the kernel image whose boot command line says prog=NAME.
$(OBJDIR)/run/%.img: $$(KERNIMG) conf/mkcmdline.sh
	@mkdir -p $(@D)
	cp $(KERNIMG) $@
	bash conf/mkcmdline.sh $@ "prog=$*"
.PRECIOUS: $(OBJDIR)/run/%.img

# When several patterns match, make picks the one with the shortest stem, so
# run-hello-nox-gdb uses the run-%-nox-gdb rule.
run-%: $(DEPSTAMP) $(OBJDIR)/run/%.img $$(FSIMG)
	@$(qemu_display); $(call run_qemu,$(call qemu_opts,$(OBJDIR)/run/$*.img) -serial mon:stdio $$disp)

run-%-nox: $(DEPSTAMP) $(OBJDIR)/run/%.img $$(FSIMG)
	@echo "*** Use Ctrl-a x to exit qemu" 1>&2
	@$(call run_qemu,$(call qemu_opts,$(OBJDIR)/run/$*.img) $(nox_opts))

run-%-gdb: $(DEPSTAMP) $(OBJDIR)/run/%.img $$(FSIMG) conf/gdbinit.tmpl
	@$(make_gdbinit); $(qemu_display); \
	$(call run_qemu,$(call qemu_opts,$(OBJDIR)/run/$*.img) -serial mon:stdio $$disp $(gdb_opts))

run-%-nox-gdb: $(DEPSTAMP) $(OBJDIR)/run/%.img $$(FSIMG) conf/gdbinit.tmpl
	@$(make_gdbinit); echo "*** Use Ctrl-a x to exit qemu" 1>&2; \
	$(call run_qemu,$(call qemu_opts,$(OBJDIR)/run/$*.img) $(nox_opts) $(gdb_opts))

# The port the -gdb targets use, alone on the last line (the JOS grading
# library reads it from there).
print-gdbport:
	@$(gdb_port); echo $$port

grade: $(DEPSTAMP)
	./grade-lab.sh $(GRADEFLAGS)

# For grade-lab.sh: the settings it boots QEMU with, as NAME=VALUE lines.
grade-env:
	@echo 'QEMU=$(QEMU)'
	@echo 'QEMUCPU=$(QEMUCPU)'
	@echo 'KERNIMG=$(KERNIMG)'
	@echo 'FSIMG=$(FSIMG)'

.PHONY: qemu qemu-nox qemu-gdb qemu-nox-gdb gdb print-gdbport grade grade-env

.DEFAULT_GOAL := $(run_mk_saved_default_goal)
