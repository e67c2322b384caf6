// The catalog of diagnostic codes. Each code is stable: tests, docs and quick fixes refer to it.
// KM1xxx preprocessor and syntax, KM2xxx types and declarations, KM3xxx static analysis,
// KM4xxx runtime findings of the emulated kernel, KM9xxx limits of Kernel Module Lab itself.

export interface CodeInfo {
  readonly code: string;
  readonly title: string;
  /** One line of teaching text shown with the finding. */
  readonly teach: string;
  readonly doc?: string;
}

const entries: CodeInfo[] = [
  { code: 'KM1001', title: 'syntax error', teach: 'The C parser could not read this; fix the first error first, later ones often follow from it.' },
  { code: 'KM1002', title: 'preprocessor error', teach: 'The preprocessor runs before the compiler: #include, #define and #if are resolved here.' },
  { code: 'KM1003', title: '#error directive', teach: 'The module asked the build to stop with this message.' },
  { code: 'KM1004', title: 'missing header', teach: 'Kernel Module Lab ships the kernel headers that teaching modules use; this one is not among them.', doc: 'https://www.kernel.org/doc/html/v6.1/kernel-hacking/hacking.html' },
  { code: 'KM1005', title: 'include outside the module folder', teach: 'A module includes its own headers from its own folder (`#include "my_module.h"`); Kernel Module Lab does not read files elsewhere, so a path with `..` or an absolute path is refused.' },
  { code: 'KM2001', title: 'undeclared identifier', teach: 'Every name must be declared before use; kernel APIs come from the <linux/*.h> headers.' },
  { code: 'KM2002', title: 'type error', teach: 'C checks types at compile time; the kernel build (gcc -Werror for some warnings) rejects this.' },
  { code: 'KM2003', title: 'implicit declaration', teach: 'Since Linux 5.x kernel builds fail on implicit function declarations: include the header that declares it.' },
  { code: 'KM2004', title: 'floating point in kernel code', teach: 'Kernel code cannot use floating point: the kernel does not save the FPU registers on entry, so using them corrupts user-space state. Use integers (fixed point) instead.', doc: 'https://www.kernel.org/doc/html/v6.1/core-api/floating-point.html' },
  { code: 'KM2005', title: 'redefinition', teach: 'A name can be defined only once in a translation unit.' },
  { code: 'KM2006', title: 'warning', teach: 'gcc warns about this when building the module.' },
  { code: 'KM3001', title: 'sleeping call in atomic context', teach: 'While a spinlock is held, interrupts or preemption are off, or in an interrupt, timer or softirq callback, the CPU cannot schedule: a call that may sleep (GFP_KERNEL allocations, vmalloc, msleep, mutex_lock, copy_*_user) can deadlock the machine. Use GFP_ATOMIC or mdelay there, or move the call out of the atomic section.', doc: 'https://www.kernel.org/doc/html/v6.1/kernel-hacking/locking.html' },
  { code: 'KM3002', title: 'allocation used without a NULL check', teach: 'kmalloc(), vmalloc() and the other allocators return NULL when memory is short; dereferencing the result without checking it oopses the kernel. Check it and return -ENOMEM (or unwind) on failure.', doc: 'https://www.kernel.org/doc/html/v6.1/core-api/memory-allocation.html' },
  { code: 'KM3003', title: 'memory freed with the wrong function', teach: 'Each allocator has its own free: kmalloc() with kfree(), vmalloc() with vfree(), kmem_cache_alloc() with kmem_cache_free(), kvmalloc() with kvfree(). Mixing them corrupts the allocator\'s bookkeeping; kvfree() is right for kmalloc, vmalloc and kvmalloc memory.', doc: 'https://www.kernel.org/doc/html/v6.1/core-api/memory-allocation.html' },
  { code: 'KM3004', title: 'memory leak', teach: 'Kernel memory is not reclaimed when a module unloads or a call fails: every allocation needs a matching free on every path, including error paths and module exit. kmemleak reports what is left.', doc: 'https://www.kernel.org/doc/html/v6.1/dev-tools/kmemleak.html' },
  { code: 'KM3005', title: 'double free', teach: 'Freeing the same memory twice corrupts the allocator (the slab free list). After a free, set the pointer to NULL or make sure no other path frees it again.', doc: 'https://www.kernel.org/doc/html/v6.1/dev-tools/kasan.html' },
  { code: 'KM3006', title: 'use after free', teach: 'Memory must not be touched after it is freed: the allocator may already have handed it to someone else. Iterate with list_for_each_entry_safe() when the loop frees the current entry.', doc: 'https://www.kernel.org/doc/html/v6.1/dev-tools/kasan.html' },
  { code: 'KM3007', title: 'stack frame too large', teach: 'The kernel stack is small (16 KiB on x86_64, shared by every call on the path and by interrupts); kbuild warns above 2048 bytes per frame (-Wframe-larger-than). Put large buffers in kmalloc() memory instead.', doc: 'https://www.kernel.org/doc/html/v6.1/x86/kernel-stacks.html' },
  { code: 'KM3101', title: 'GFP_ATOMIC where sleeping is allowed', teach: 'GFP_ATOMIC allocations cannot wait for memory to be reclaimed and fail more often; in process context without locks held, GFP_KERNEL is the right choice.', doc: 'https://www.kernel.org/doc/html/v6.1/core-api/memory-allocation.html' },
  { code: 'KM9001', title: 'not supported by Kernel Module Lab', teach: 'This is valid kernel C, but the emulated kernel does not support it yet.' },
  { code: 'KM9002', title: 'limit reached', teach: 'A limit of Kernel Module Lab was reached; the settings can raise it.' },
];

export const CODES: ReadonlyMap<string, CodeInfo> = new Map(entries.map((e) => [e.code, e]));

export function registerCodes(more: CodeInfo[]): void {
  for (const e of more) (CODES as Map<string, CodeInfo>).set(e.code, e);
}
