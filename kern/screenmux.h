/*
 * The host's display shows the screen of the text-screen guest that
 * holds the console (kern/screenmux.c).  Weak: the JOS guest kernel,
 * which has no display, links no screenmux.c, and kern/console.c, which
 * it shares, calls this only where it is there.
 */
#ifndef JOS_KERN_SCREENMUX_H
#define JOS_KERN_SCREENMUX_H

void screenmux_update(void) __attribute__((weak));

#endif
