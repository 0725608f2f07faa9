# conf/run.mk: run and debug the kernel under QEMU, and grade.
# Included by the top-level GNUmakefile (after conf/env.mk).
#
#   make qemu            CGA window + serial console on this terminal
#   make qemu-nox        serial console on this terminal, no window
#   make qemu-gdb        like qemu, paused, waiting for gdb
#   make qemu-nox-gdb    like qemu-nox, paused, waiting for gdb
#   make gdb             gdb -n -x .gdbinit (connects to the two above)
#   make run-NAME[-nox][-gdb]   boot with prog=NAME (user program NAME first)
#   make grade           ./grade-lab.sh
#
# Variables: CPUS (default 1), QEMUMEM (MiB, default 256), QEMUCPU (default
# qemu64), QEMUEXTRA (more QEMU options), GDBPORT (default 25000 + uid % 5000;
# the next free port is taken if that one is busy), FSIMG (second IDE disk,
# attached only when set; fs/Makefrag sets it).
#
# When the kernel powers off it writes to QEMU's isa-debug-exit port and QEMU
# exits with an odd status; the run targets treat that as a normal end.

# Keep whatever default goal the including makefile has (or will have).
run_mk_saved_default_goal := $(.DEFAULT_GOAL)

OBJDIR    ?= obj
QEMU      ?= qemu-system-x86_64
QEMUCPU   ?= qemu64
QEMUMEM   ?= 256
CPUS      ?= 1
QEMUEXTRA ?=
KERNIMG   ?= $(OBJDIR)/kern/kernel.img
FSIMG     ?=
GDB       ?= gdb
ifndef GDBPORT
GDBPORT   := $(shell expr 25000 + `id -u` % 5000)
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
# off through isa-debug-exit) counts as success.
run_qemu = $(QEMU) $(1); st=$$?; [ $$st -eq 0 ] || [ $$((st % 2)) -eq 1 ]

# Shell: echo the first TCP port from $(1) upward that nothing listens on
# (read from /proc/net/tcp*, where the port is the hex after the colon of the
# local address and state 0A is LISTEN).
free_port = p=$(1); while awk -v re="$$(printf ':%04X$$' $$p)" \
	'$$2 ~ re && $$4 == "0A" { f = 1 } END { exit !f }' \
	/proc/net/tcp /proc/net/tcp6 2>/dev/null; do p=$$((p + 1)); done; echo $$p

# Shell: pick a free port from GDBPORT, write .gdbinit for it, leave it in $$port.
make_gdbinit = port=$$($(call free_port,$(GDBPORT))); \
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

grade: $(DEPSTAMP)
	./grade-lab.sh $(GRADEFLAGS)

# For grade-lab.sh: the settings it boots QEMU with, as NAME=VALUE lines.
grade-env:
	@echo 'QEMU=$(QEMU)'
	@echo 'QEMUCPU=$(QEMUCPU)'
	@echo 'KERNIMG=$(KERNIMG)'
	@echo 'FSIMG=$(FSIMG)'

.PHONY: qemu qemu-nox qemu-gdb qemu-nox-gdb gdb grade grade-env

.DEFAULT_GOAL := $(run_mk_saved_default_goal)
