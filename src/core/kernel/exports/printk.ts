// printk and the kernel's self-reporting: _printk (what printk() and pr_*() expand to),
// dump_stack, BUG() and WARN() as the module calls them.

import type { KernelExport } from './types';

export const PRINTK_EXPORTS: KernelExport[] = [
  {
    name: '_printk', header: 'linux/printk.h', proto: 'int _printk(const char *fmt, ...)', doc: 'printk(): format a message into the kernel log; the KERN_* prefix sets its level.', derefs: [0],
    impl: (k, a, site) => {
      const fmt = k.cstring(a[0], 1 << 16);
      if (fmt === null) return 0;
      const text = k.k.format(fmt, a.slice(1));
      k.spend(120_000);
      return k.k.printk.printk(text, site.span);
    },
  },
  {
    name: 'dump_stack', header: 'linux/printk.h', proto: 'void dump_stack(void)', doc: 'Print the current call trace to the log.',
    impl: (k) => {
      k.dumpStack();
      return undefined;
    },
  },
  {
    name: '__kmodlab_bug', header: 'linux/bug.h', proto: 'void __kmodlab_bug(const char *file, int line)', doc: 'BUG(): the kernel prints an Oops and kills the current task.',
    impl: (k, a, site) => k.bug(k.cstring(a[0]) ?? '?', Number(a[1]), site.span),
  },
  {
    name: '__kmodlab_warn', header: 'linux/bug.h', proto: 'void __kmodlab_warn(const char *file, int line, const char *fmt, ...)', doc: 'WARN()/WARN_ON(): print a warning with a call trace and carry on.',
    impl: (k, a, site) => {
      const fmt = a[2] === 0 ? undefined : k.cstring(a[2]);
      const msg = fmt === undefined || fmt === null ? undefined : k.k.format(fmt, a.slice(3));
      k.warnAt(k.cstring(a[0]) ?? '?', Number(a[1]), msg, site.span);
      return undefined;
    },
  },
];
