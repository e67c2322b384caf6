// Driver-facing APIs: interrupts, kfifo and network device registration. The emulated machine
// raises no interrupts yet: registrations are recorded and succeed. Character devices, procfs,
// sysfs and user copies are in fs.ts; workqueues in deferred.ts.

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
