// Driver-facing APIs: interrupts, workqueues, kfifo and network device registration. The emulated
// machine raises no interrupts yet: registrations are recorded and succeed. Character devices,
// procfs, sysfs and user copies are in fs.ts.

import type { KernelExport } from './types';
import type { I64 } from '../../vm/value';
import { add64 } from '../../vm/value';

const num = (v: I64): number => (typeof v === 'number' ? v : Number(BigInt.asUintN(64, v)));

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
