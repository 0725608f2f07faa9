/* The two cascaded 8259A interrupt controllers. */
#ifndef JOS_KERN_PICIRQ_H
#define JOS_KERN_PICIRQ_H

#include <inc/types.h>
#include <inc/trap.h>

void pic_init(void);
void irq_enable(int irq);
void irq_disable(int irq);
void irq_eoi(int irq);

#endif
