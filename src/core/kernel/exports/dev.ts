// Driver-facing APIs: interrupts, misc and character devices, user copies, workqueues, kfifo and
// network device registration. The emulated machine has no user process behind a file and raises
// no interrupts yet: registrations are recorded and succeed, user copies fail as they do for an
// address that is not mapped in user space, and deferred work does not run.

import type { KernelExport } from './types';
import type { Kernel } from '../kernel';
import type { CallSite } from '../../vm/machine';
import type { I64 } from '../../vm/value';
import { add64 } from '../../vm/value';
import { MIGHT_SLEEP_SITES } from '../report';

const num = (v: I64): number => (typeof v === 'number' ? v : Number(BigInt.asUintN(64, v)));

/** might_fault(): user copies may sleep (page faults on user memory). */
function mightFault(k: Kernel, site: CallSite, api: string): void {
  const s = MIGHT_SLEEP_SITES[api] ?? MIGHT_SLEEP_SITES.copy_from_user;
  k.mightSleep(site, s ? `${s.file}:${s.line}` : 'mm/memory.c:5756', api);
}

const userCopy = (name: string, proto: string, doc: string): KernelExport => ({
  name, header: 'linux/uaccess.h', proto, doc, sleeps: 'always',
  impl: (k, a, site) => {
    mightFault(k, site, name);
    // No user address space is mapped: nothing can be copied, as for a bad user pointer.
    return num(a[2]);
  },
});

export const DEV_EXPORTS: KernelExport[] = [
  {
    name: 'request_irq', header: 'linux/interrupt.h', proto: 'int request_irq(unsigned int irq, irq_handler_t handler, unsigned long flags, const char *name, void *dev)',
    doc: 'Register an interrupt handler; the handler runs in hard-interrupt context and must not sleep.', sleeps: 'always',
    impl: (k, _a, site) => {
      k.mightSleep(site, 'kernel/irq/manage.c:2176', 'request_irq');
      return 0;
    },
  },
  {
    name: 'free_irq', header: 'linux/interrupt.h', proto: 'const void *free_irq(unsigned int irq, void *dev_id)', doc: 'Unregister an interrupt handler, waiting for running handlers; may sleep.', sleeps: 'always',
    impl: (k, _a, site) => {
      k.mightSleep(site, 'kernel/irq/manage.c:1900', 'free_irq');
      return 0;
    },
  },
  {
    name: 'misc_register', header: 'linux/miscdevice.h', proto: 'int misc_register(struct miscdevice *misc)', doc: 'Register a misc character device (/dev/NAME, major 10).', sleeps: 'always', derefs: [0],
    impl: (k, a, site) => {
      k.mightSleep(site, MIGHT_SLEEP_SITES.mutex_lock ? `${MIGHT_SLEEP_SITES.mutex_lock.file}:${MIGHT_SLEEP_SITES.mutex_lock.line}` : 'kernel/locking/mutex.c:283', 'misc_register');
      if (k.mem.ld32(a[0]) === 255) k.mem.st32(a[0], 125);
      return 0;
    },
  },
  {
    name: 'misc_deregister', header: 'linux/miscdevice.h', proto: 'void misc_deregister(struct miscdevice *misc)', doc: 'Unregister a misc device.', sleeps: 'always', derefs: [0],
    impl: () => undefined,
  },
  {
    name: '__register_chrdev', header: 'linux/fs.h', proto: 'int __register_chrdev(unsigned int major, unsigned int baseminor, unsigned int count, const char *name, const struct file_operations *fops)',
    doc: 'register_chrdev(): claim a character device major number (0 asks for a free one, which is returned).',
    impl: (_k, a) => (num(a[0]) === 0 ? 240 : 0),
  },
  {
    name: '__unregister_chrdev', header: 'linux/fs.h', proto: 'void __unregister_chrdev(unsigned int major, unsigned int baseminor, unsigned int count, const char *name)', doc: 'unregister_chrdev(): release a major number.',
    impl: () => undefined,
  },
  ...['default_llseek', 'no_llseek', 'noop_llseek', 'generic_file_llseek'].map((name): KernelExport => ({
    name, header: 'linux/fs.h', proto: `loff_t ${name}(struct file *file, loff_t offset, int whence)`,
    doc: name === 'no_llseek' ? 'file_operations.llseek for files that cannot seek: -ESPIPE.' : 'A stock file_operations.llseek: move f_pos.', derefs: [0],
    impl: (k, a) => {
      if (name === 'no_llseek') return -29;
      const pos = add64(a[0], 8);
      const cur = num(k.mem.ld64(pos));
      const off = typeof a[1] === 'number' ? a[1] : 0;
      const next = Number(a[2]) === 1 ? cur + off : off;
      if (next < 0) return -22;
      if (name !== 'noop_llseek') k.mem.st64(pos, next);
      return next;
    },
  })),
  userCopy('copy_to_user', 'unsigned long copy_to_user(void __user *to, const void *from, unsigned long n)', 'Copy to user space; returns the number of bytes NOT copied. May sleep.'),
  userCopy('copy_from_user', 'unsigned long copy_from_user(void *to, const void __user *from, unsigned long n)', 'Copy from user space; returns the number of bytes NOT copied. May sleep.'),
  {
    name: 'simple_read_from_buffer', header: 'linux/fs.h', proto: 'ssize_t simple_read_from_buffer(void __user *to, size_t count, loff_t *ppos, const void *from, size_t available)',
    doc: 'Copy from a kernel buffer to user space at *ppos, advancing it; returns bytes read, 0 at the end or -EFAULT.', sleeps: 'always', derefs: [2],
    impl: (k, a, site) => {
      mightFault(k, site, 'copy_to_user');
      const pos = num(k.mem.ld64(a[2]));
      if (pos >= num(a[4]) || num(a[1]) === 0) return 0;
      return -14;
    },
  },
  {
    name: 'alloc_workqueue', header: 'linux/workqueue.h', proto: 'struct workqueue_struct *alloc_workqueue(const char *fmt, unsigned int flags, int max_active, ...)',
    doc: 'Create a workqueue; returns NULL on failure. Destroy it with destroy_workqueue().', sleeps: 'always', nullable: true,
    impl: (k, _a, site) => k.k.mm.kmalloc(256, 0xcc0 | 0x100, site),
  },
  {
    name: 'destroy_workqueue', header: 'linux/workqueue.h', proto: 'void destroy_workqueue(struct workqueue_struct *wq)', doc: 'Drain and destroy a workqueue; may sleep.', sleeps: 'always',
    impl: (k, a, site) => {
      k.mightSleep(site, 'kernel/workqueue.c:4535', 'destroy_workqueue');
      k.k.mm.kfree(a[0], site);
      return undefined;
    },
  },
  {
    name: 'flush_workqueue', header: 'linux/workqueue.h', proto: 'void flush_workqueue(struct workqueue_struct *wq)', doc: 'Wait for all queued work; sleeps.', sleeps: 'always',
    impl: (k, _a, site) => {
      k.mightSleep(site, 'kernel/workqueue.c:2826', 'flush_workqueue');
      return undefined;
    },
  },
  {
    name: 'queue_work', header: 'linux/workqueue.h', proto: 'bool queue_work(struct workqueue_struct *wq, struct work_struct *work)', doc: 'Queue work on a workqueue (it runs later, in process context).', derefs: [1],
    impl: () => 1,
  },
  {
    name: 'schedule_work', header: 'linux/workqueue.h', proto: 'bool schedule_work(struct work_struct *work)', doc: 'Queue work on the system workqueue.', derefs: [0],
    impl: () => 1,
  },
  {
    name: 'cancel_work_sync', header: 'linux/workqueue.h', proto: 'bool cancel_work_sync(struct work_struct *work)', doc: 'Cancel work and wait for it to finish; sleeps.', sleeps: 'always', derefs: [0],
    impl: () => 0,
  },
  {
    name: 'flush_work', header: 'linux/workqueue.h', proto: 'bool flush_work(struct work_struct *work)', doc: 'Wait for a work item to finish; sleeps.', sleeps: 'always', derefs: [0],
    impl: () => 0,
  },
  {
    name: '__kfifo_alloc', header: 'linux/kfifo.h', proto: 'int __kfifo_alloc(struct __kfifo *fifo, unsigned int size, size_t esize, gfp_t gfp_mask)',
    doc: 'kfifo_alloc(): allocate the fifo buffer (size rounded up to a power of two); 0 or -ENOMEM.', sleeps: 'gfp', gfpArg: 3, derefs: [0],
    impl: (k, a, site) => {
      let size = Math.max(2, num(a[1]));
      size = 2 ** Math.ceil(Math.log2(size));
      const esize = Math.max(1, num(a[2]));
      const p = k.k.mm.kmalloc(size * esize, Number(a[3]), site);
      const f = a[0];
      k.mem.st32(f, 0);
      k.mem.st32(add64(f, 4), 0);
      k.mem.st32(add64(f, 8), p === 0 ? 0 : size - 1);
      k.mem.st32(add64(f, 12), esize);
      k.mem.st64(add64(f, 16), p);
      return p === 0 ? -12 : 0;
    },
  },
  {
    name: '__kfifo_free', header: 'linux/kfifo.h', proto: 'void __kfifo_free(struct __kfifo *fifo)', doc: 'kfifo_free(): free the fifo buffer.', derefs: [0],
    impl: (k, a, site) => {
      k.k.mm.kfree(k.mem.ld64(add64(a[0], 16)), site);
      k.mem.fill(a[0], 0, 24);
      return undefined;
    },
  },
  {
    name: 'register_netdev', header: 'linux/netdevice.h', proto: 'int register_netdev(struct net_device *dev)', doc: 'Register a network device with the kernel; may sleep.', sleeps: 'always', derefs: [0],
    impl: (k, _a, site) => {
      k.mightSleep(site, 'net/core/dev.c:10274', 'register_netdev');
      return 0;
    },
  },
  {
    name: 'unregister_netdev', header: 'linux/netdevice.h', proto: 'void unregister_netdev(struct net_device *dev)', doc: 'Unregister a network device; may sleep.', sleeps: 'always', derefs: [0],
    impl: (k, _a, site) => {
      k.mightSleep(site, 'net/core/dev.c:10990', 'unregister_netdev');
      return undefined;
    },
  },
];
