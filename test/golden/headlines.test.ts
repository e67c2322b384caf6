// The seed's classic bugs must each produce the report a debug-enabled Linux 6.1 prints, with the
// headline line exact and the student's file and line named. This table holds the headlines
// independently of the golden transcripts, so regenerating goldens cannot hide a wrong report.

import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { transcript } from './transcript';

const DIR = path.join(__dirname, 'fixtures');

/** Strip the `[    2.330372] ` prefix. */
const body = (line: string) => line.replace(/^\[\s*\d+\.\d{6}\] /, '');

const CASES: { fixture: string; lines: (string | RegExp)[] }[] = [
  {
    fixture: 'test_mem',
    lines: [
      'test_mem: loading out-of-tree module taints kernel.',
      'test_mem: module verification failed: signature and/or required key missing - tainting kernel',
      'initialize kernel module: test_mem',
      'allocate memory using kmalloc with GFP_KERNEL for first node',
      'allocate memory using kmalloc with GFP_ATOMIC for 2nd node',
      'allocate memory using vmalloc for 3rd node',
      'traversing the list using list_for_each_entry()',
      'Person: roman1; weight: 130; gender: Male',
      'Person: roman2; weight: 260; gender: Male',
      'Person: roman3; weight: 390; gender: Male',
      '',
      'kernel module unloaded: test_mem',
      'freeing node roman1',
      'freeing node roman2',
      'freeing node roman3',
      'insmod exit status: 0',
      'rmmod exit status: 0',
    ],
  },
  { fixture: 'kfree_vmalloc', lines: [/^BUG: unable to handle page fault for address: [0-9a-f]{16}$/, 'RIP: 0010:kfree+0x4b/0x110', /kfree_vmalloc\.c:\d+/] },
  { fixture: 'vfree_kmalloc', lines: [/^Trying to vfree\(\) (bad address|nonexistent vm area) \([0-9a-f]{16}\)$/, /^WARNING: CPU: 0 PID: 94 at mm\/vmalloc\.c:27(52|58) __vunmap\+0x[0-9a-f]+\/0x340$/] },
  // 6.1 names the slab function (syzbot's 6.1 reports: `double-free in __kmem_cache_free+0x.../...`).
  { fixture: 'double_free', lines: [/^BUG: KASAN: double-free in __kmem_cache_free\+0x[0-9a-f]+\/0x[0-9a-f]+$/, /^Free of addr [0-9a-f]{16} by task rmmod\/94$/, /double_free\.c:\d+/] },
  { fixture: 'use_after_free', lines: [/^BUG: KASAN: use-after-free in cleanup_module\+0x[0-9a-f]+\/0x[0-9a-f]+ \[use_after_free\]$/, /^Read of size 4 at addr [0-9a-f]{16} by task rmmod\/94$/] },
  { fixture: 'null_deref_failnth', lines: [/^BUG: kernel NULL pointer dereference, address: 0000000000000000$/, /null_deref_failnth\.c:\d+/] },
  { fixture: 'gfp_kernel_spinlock', lines: [/^BUG: sleeping function called from invalid context at include\/linux\/sched\/mm\.h:\d+$/, 'in_atomic(): 1, irqs_disabled(): 0, non_block: 0, pid: 93, name: insmod'] },
  { fixture: 'leak_rmmod', lines: [/^kmemleak: 2 new suspected memory leaks \(see \/sys\/kernel\/debug\/kmemleak\)$/] },
  { fixture: 'endless_loop', lines: [/^watchdog: BUG: soft lockup - CPU#0 stuck for \d+s! \[insmod:93\]$/] },
  { fixture: 'stack_overflow', lines: [/^BUG: TASK stack guard page was hit at [0-9a-f]{16} \(stack is [0-9a-f]{16}\.\.[0-9a-f]{16}\)$/, 'Kernel panic - not syncing: Fatal exception in interrupt', /stack_overflow\.c:12/] },
  { fixture: 'init_enomem', lines: ['insmod: ERROR: could not insert module init_enomem.ko: Cannot allocate memory', 'insmod exit status: 1'] },
];

describe('classic bugs give the real kernel report', () => {
  for (const c of CASES) {
    it(c.fixture, function () {
      this.timeout(20000);
      const lines = transcript(path.join(DIR, `${c.fixture}.c`)).split('\n').map(body);
      if (c.fixture === 'test_mem') {
        // The seed's output, in order, and nothing else.
        assert.deepEqual(lines.filter((l, i) => l !== '' || i < lines.length - 1), c.lines);
        return;
      }
      for (const want of c.lines) {
        const ok = lines.some((l) => (typeof want === 'string' ? l === want : want.test(l)));
        assert.ok(ok, `expected a line ${String(want)} in:\n${lines.join('\n')}`);
      }
    });
  }
});
