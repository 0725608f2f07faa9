# conf/tests/65-fpu.sh: each guest's FPU state is its own, and the
# host's is the host's (vmm/fpu.c).
G='^(\[guest [0-9a-f]{8}\] )?'

# fputest (user/fputest.c) runs two mbtest guests in their fpu mode
# (guest/mbtest/fpu.c) with different patterns in x87, MXCSR, XMM (and
# YMM where the CPU has AVX): they sleep in HLT, exit on CPUID and
# hypercalls and check their registers after every wake, while
# fputest, a host program, fills and checks the x87 registers around
# each of its yields.  Bad XSETBVs get #GP where XSAVE is offered;
# elsewhere CPUID shows no XSAVE and XSETBV is #UD.  Twice; after the
# second time the host's free pages are all back.
FPU_CHECKS=(
	--expect-count 4 "${G}mbtest: fpu [1-4]: x87, MXCSR, XMM(, YMM)? loaded; sleeping"
	--expect-count 4 "${G}mbtest: (xsetbv: 7 of 7 bad values refused with #GP, XCR0 00000001|fpu: no XSAVE: CPUID shows none, XSETBV #UD)$"
	--expect-count 4 "${G}mbtest: fpu [1-4]: registers intact after [0-9]+ wakes$"
	--expect-count 4 'reset through the keyboard controller'
	--expect-seq '^fputest: host x87 registers intact after [0-9]+ rounds beside guests 1 and 2 \([0-9]+ more moved between CPUs\)$'
	--expect-seq '^fputest: host x87 registers intact after [0-9]+ rounds beside guests 3 and 4 \([0-9]+ more moved between CPUs\)$'
	--expect-seq '^fputest: second round: 0 pages not given back$'
	--forbid 'CORRUPTED' --forbid 'SHOWS|NOT #UD|CLEAR|SIZE WRONG' --forbid 'Unhandled VMEXIT'
)
add_guest_test --bochs-svm fpu_guests --cmdline "prog=fputest exit" --timeout 300 "${FPU_CHECKS[@]}"

# The same on two CPUs: guests move between them, their state with them.
# (fputest does not check its own registers in a round where the host
# kernel moved it to the other CPU: the kernel saves no FPU state per
# env.)
add_guest_test fpu_guests_cpus2 --cpus 2 --cmdline "prog=fputest exit" --timeout 300 \
	"${FPU_CHECKS[@]}"
