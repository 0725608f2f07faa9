# Build settings a user may change (or override on the make command line).

# Number of CPUs the emulated machine has.
CPUS ?= 1
# Memory of the emulated machine, in MiB.
QEMUMEM ?= 256
# Optimisation of kernel and user code.  -O0 keeps every argument in its
# stack slot so that the monitor's backtrace can show it.
OPTFLAGS ?= -O0
# Cross-tool prefix; empty for Debian's native x86-64 tools.
GCCPREFIX ?=
