/*
 * Per CPU: SVM turned on (EFER.SVME), the host save area VMRUN writes
 * the host's state to (VM_HSAVE_PA), and a page the host's other state
 * is VMSAVEd to around each entry.  Made when a CPU first runs a guest;
 * freed with the last guest, so that no page stays taken (a CPU then
 * makes new ones when it next runs a guest).
 */
#include <inc/x86.h>
#include <inc/mmu.h>
#include <inc/error.h>
#include <inc/stdio.h>

#include <kern/cpu.h>
#include <kern/pmap.h>
#include <vmm/vm.h>
#include <vmm/amd/svm.h>

struct svm_cpu {
	void *hsave;		// the host save area (VM_HSAVE_PA)
	void *host_vmcb;	// VMSAVE/VMLOAD of the host's FS, GS, TR, LDTR, MSRs
};

static struct svm_cpu svm_cpus[NCPU];

/*
 * Make this CPU ready for VMRUN: EFER.SVME set, a host save area named
 * in VM_HSAVE_PA, a page for the host's VMSAVE.  Kernel lock held.
 * Returns 0 or -E_NO_MEM (after a line saying so).
 */
int
svm_cpu_enable(void)
{
	struct svm_cpu *c = &svm_cpus[cpunum()];

	if (!c->hsave) {
		c->hsave = page_alloc_kva();
		c->host_vmcb = page_alloc_kva();
		if (!c->hsave || !c->host_vmcb) {
			page_free_kva(c->hsave);
			page_free_kva(c->host_vmcb);
			c->hsave = c->host_vmcb = NULL;
			cprintf("svm: CPU %d: no memory for its host save area\n", cpunum());
			return -E_NO_MEM;
		}
	}
	// Written each time: another guest's end may have freed the pages
	// of an earlier turn and this CPU's MSR still names them.
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
	wrmsr(MSR_VM_HSAVE_PA, PADDR(c->hsave));
	return 0;
}

/* The page this CPU VMSAVEs the host's state to (svm_cpu_enable made it). */
physaddr_t
svm_host_save_pa(void)
{
	return PADDR(svm_cpus[cpunum()].host_vmcb);
}

/*
 * The last guest is gone: every CPU's pages go back.  No CPU runs a
 * guest now, and each sets its MSR again before it next does.
 */
void
svm_cpu_free_all(void)
{
	for (int i = 0; i < NCPU; i++) {
		page_free_kva(svm_cpus[i].hsave);
		page_free_kva(svm_cpus[i].host_vmcb);
		svm_cpus[i].hsave = svm_cpus[i].host_vmcb = NULL;
	}
}
