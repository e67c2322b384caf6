// Our kernel against the real one. test/oracle/ holds small modules and the exact dmesg that
// Debian's 6.1.0-56-amd64 kernel printed for them under QEMU (recorded with the oracle in
// shared/oracle). Each module is run here with the same boot options (`default` = the stock
// Debian kernel, `slub_debug` for slub_debug=FZPU) and parameters, and every line the real kernel
// printed must appear, in order, in ours, once the values that differ on every real boot are
// masked: timestamps, addresses (KASLR), hashed pointers, code offsets, and the `? ` frames that
// the real unwinder finds by scanning the stack. Module frames print decoded in ours
// (`init_module (x.c:12) x`); they are compared in the kernel's raw form.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bootShell, runModule, runScript } from '../../src/core/index';
import type { KernelConfigName } from '../../src/core/index';

const DIR = path.join(__dirname, '..', 'oracle');
/** Modules recorded with a guest command keep their source with their shell session in test/fixtures. */
const FIXTURES = path.join(__dirname, '..', 'fixtures');

export function normalize(line: string): string {
  return line
    .replace(/^\[\s*\d+\.\d{6}\] ?/, '')
    .replace(/^ (\w[\w.]*) \([\w.-]+\.c:\d+\) (\w+)$/, ' $1+X/X [$2]')
    .replace(/^RIP: 0010:(\w[\w.]*) \([\w.-]+\.c:\d+\) (\w+)$/, 'RIP: 0010:$1+X/X [$2]')
    .replace(/\+0x[0-9a-f]+\/0x[0-9a-f]+/g, '+X/X')
    .replace(/\b(0x)?[0-9a-f]{8,16}\b/g, 'H')
    .replace(/PID: \d+|pid: \d+|pid=\d+|insmod\/\d+|(?:insmod|cat|sh)\[\d+\]/g, (m) => m.replace(/\d+/, 'N'))
    // make_task_dead()'s note names any task (a kernel thread too) by its pid, which differs between boots.
    .replace(/^(note: [^[]+)\[\d+\]/, '$1[N]')
    // The oracle guest's shell is busybox sh; Kernel Module Lab's is bash (a builtin's task is the shell).
    .replace(/\bbash(?=\[N\]| Tainted:)/g, 'sh')
    .replace(/age=\d+/, 'age=N')
    // dump_pagetable()'s entries are physical addresses of one boot.
    .replace(/\b(PGD|P4D|PUD|PMD|PTE) [0-9a-f]+/g, '$1 H')
    .replace(/@offset=\d+/, '@offset=N')
    .replace(/used=\d+/, 'used=N')
    .replace(/\s+$/, '');
}

/**
 * Drop the free track SLUB keeps from the object's previous life during boot (`Freed in
 * test_acomp+0x41a/0x550 age=341 ...` and its stack): history of the real machine's boot, not of the module.
 */
function withoutBootHistory(lines: string[], module: string): string[] {
  const out: string[] = [];
  let skipping = false;
  for (const l of lines) {
    if (/^Freed in /.test(l) && !l.includes(`[${module}]`)) skipping = true;
    else if (skipping && !l.startsWith(' ')) skipping = false;
    if (!skipping) out.push(l);
  }
  return out;
}

/** Lines that differ between any two real runs, or that Kernel Module Lab cannot reproduce (machine code). */
function comparable(line: string): boolean {
  return !/^ \? /.test(line) && !/^Code: /.test(line) && line !== '';
}

interface Case {
  readonly module: string;
  readonly variant?: string;
  readonly config: KernelConfigName;
  readonly params?: string;
  /** Compare the real log only up to the line matching this (what follows is not modelled; the test says why). */
  readonly until?: RegExp;
  /**
   * The recording's guest command (its `## guest-cmd:` line), as the kernel shell runs it between
   * insmod and rmmod; the module's source is then test/fixtures/MODULE.c.
   */
  readonly script?: string;
  /** Recorded with --no-unload: no rmmod after the script. */
  readonly noUnload?: boolean;
}

const CASES: Case[] = [
  { module: 'test_mem', config: 'default' },
  { module: 'init_err', config: 'default' },
  { module: 'init_err', variant: 'einval', config: 'default', params: 'ret=-22' },
  { module: 'init_err', variant: 'positive', config: 'default', params: 'ret=1' },
  { module: 'null_frees', config: 'default' },
  { module: 'bug_leak', config: 'default' },
  { module: 'bug_gfp_spinlock', config: 'default' },
  { module: 'bug_sleep_spinlock', config: 'default' },
  { module: 'bug_vfree_kmalloc', config: 'default' },
  { module: 'bug_kfree_vmalloc', config: 'default' },
  { module: 'bug_double_free', variant: 'nodebug', config: 'default' },
  // After the report, a later free by the kernel itself into the corrupted slab makes SLUB print a
  // second BUG (`Wrong object count`); Kernel Module Lab does not model the kernel's own allocations.
  { module: 'bug_double_free', config: 'slub_debug', until: /still running after double free/ },
  { module: 'bug_uaf', config: 'slub_debug' },
  { module: 'bug_redzone', config: 'slub_debug' },
  { module: 'bug_redzone64', config: 'slub_debug' },
  // Modules' user-space interfaces, driven through the kernel shell (test/fixtures/NAME.c).
  { module: 'procfs_read', config: 'default', script: 'cat /proc/helloworld; cat /proc/helloworld; ls /proc/helloworld' },
  // The read size in the next lines is cat's (busybox asks 65536, coreutils 131072), not the kernel's.
  { module: 'procfs_write', config: 'default', script: 'echo hello kernel > /proc/buffer1k; cat /proc/buffer1k', until: /wrote 13 bytes/ },
  { module: 'seq_iter', config: 'default', script: 'cat /proc/iter > /tmp/x; head -2 /tmp/x; tail -1 /tmp/x' },
  { module: 'seq_single', config: 'default', script: 'cat /proc/kmodlab/status; cat /proc/kmodlab/status; ls /proc/kmodlab' },
  { module: 'chardev', config: 'default', script: 'cat /dev/chardev; cat /dev/chardev; echo hi > /dev/chardev; cat /proc/devices; ls /dev/chardev; ls /sys/class/chardev' },
  { module: 'chardev_ioctl', config: 'default', script: 'cat /dev/kmodlab_ioctl; ls /sys/class/kmodlab; cat /sys/class/kmodlab/kmodlab_ioctl/dev' },
  // The real guest held /dev/busy open in the background while rmmod failed; the log is the same.
  { module: 'chardev_busy', config: 'default', script: 'mknod /dev/busy c 246 0; cat /dev/busy' },
  { module: 'misc_dev', config: 'default', script: 'cat /dev/kmodlab_misc; echo hello misc > /dev/kmodlab_misc; cat /dev/kmodlab_misc; cat /proc/misc' },
  { module: 'sysfs_attr', config: 'default', script: 'ls /sys/kernel/mymodule; cat /sys/kernel/mymodule/myvariable; echo 32 > /sys/kernel/mymodule/myvariable; cat /sys/kernel/mymodule/myvariable; cat /sys/kernel/mymodule/about; echo abc > /sys/kernel/mymodule/threshold; cat /sys/kernel/mymodule/threshold' },
  { module: 'uaccess_badptr', config: 'default', script: '' },
  // The Oops leaves the entry in use, so the real rmmod hung in remove_proc_entry(); not modelled.
  { module: 'user_deref', config: 'default', script: 'echo hi > /proc/user_deref', noUnload: true },
  { module: 'user_deref_read', config: 'default', script: 'cat /proc/user_deref_read', noUnload: true },
  { module: 'proc_forget', config: 'default', script: 'rmmod proc_forget; insmod proc_forget.ko; cat /proc/forgotten', noUnload: true },
  // Real hardware: the oracle's PC has no GPIO lines (Kernel Module Lab adds its 'not emulated' note).
  { module: 'gpio_led', config: 'default', script: '' },
  // Time and concurrency: the guest slept 2 s between insmod and rmmod (its `sleep 2` took longer under
  // TCG; the modules finish their work well within 2 s, so the log does not depend on it).
  { module: 'kthread_ticks', config: 'default', script: 'sleep 2' },
  { module: 'timer_rearm', config: 'default', script: 'sleep 2' },
  { module: 'hrtimer_periodic', config: 'default', script: 'sleep 2' },
  { module: 'delayed_work', config: 'default', script: 'sleep 2' },
  { module: 'workqueue_flush', config: 'default', script: 'sleep 2' },
  { module: 'tasklet_demo', config: 'default', script: 'sleep 2' },
  { module: 'completion_crank', config: 'default', script: 'sleep 2' },
  { module: 'waitqueue_timer', config: 'default', script: 'sleep 2' },
  { module: 'mutex_handoff', config: 'default', script: 'sleep 2' },
  { module: 'spinlock_timer', config: 'default', script: 'sleep 2' },
  { module: 'rwlock_sem', config: 'default', script: 'sleep 2' },
  { module: 'atomic_refcount', config: 'default', script: 'sleep 2' },
  { module: 'lockdep_abba', config: 'default', script: 'sleep 2' },
  // Silent on the stock kernel (no DEBUG_ATOMIC_SLEEP); the `full` configuration reports the sleep in softirq context.
  { module: 'timer_gfp_kernel', config: 'default', script: 'sleep 2' },
  // An Oops in a kernel thread ends only that thread; rmmod works (the module never stops it).
  { module: 'kthread_oops', config: 'default', script: 'sleep 2' },
];

export function ours(c: Case): string[] {
  if (c.script !== undefined) return oursThroughShell(c, c.script);
  const file = path.join(DIR, `${c.module}.c`);
  const r = runModule({ fileName: `${c.module}.c`, text: fs.readFileSync(file, 'latin1'), config: c.config, params: c.params, unload: true });
  const out = [...(r.booted?.log('dmesg') ?? []), ...r.buildErrors.map((d) => `build error: ${d.message}`)];
  if (r.insmod && r.insmod.status !== 0) out.push(...r.insmod.stderr.filter((l) => l.startsWith('insmod:')), `insmod exit status: ${r.insmod.status}${r.insmod.status === 137 ? ' (killed by signal 9, SIGKILL)' : r.insmod.status === 139 ? ' (killed by signal 11, SIGSEGV)' : ''}`);
  return out;
}

/** The log of insmod, the recording's guest command in the kernel shell, and rmmod. */
function oursThroughShell(c: Case, script: string): string[] {
  const fileName = `${c.module}.c`;
  const sh = bootShell([{ fileName, text: fs.readFileSync(path.join(FIXTURES, fileName), 'latin1') }], { config: c.config });
  const ins = sh.run(`insmod ${c.module}.ko`);
  if (ins.status !== 0) return [...sh.machine.log('dmesg'), ...ins.output.split('\n').filter((l) => l.startsWith('insmod:')), `insmod exit status: ${ins.status}`];
  runScript(sh, [script, c.noUnload ? '' : `rmmod ${c.module}`].join('\n'));
  return sh.machine.log('dmesg');
}

/** The recorded log without the guest command's own output (`## guest-cmd:` and what follows). */
function recordedLog(text: string): string[] {
  const lines = text.split('\n');
  const cmd = lines.findIndex((l) => l.startsWith('## guest-cmd:'));
  return cmd < 0 ? lines : lines.slice(0, cmd);
}

describe('the emulated kernel prints what Linux 6.1 printed (oracle recordings)', () => {
  for (const c of CASES) {
    const name = c.variant ? `${c.module}.${c.variant}` : c.module;
    it(name, function () {
      this.timeout(20000);
      const real = withoutBootHistory(recordedLog(fs.readFileSync(path.join(DIR, `${name}.dmesg`), 'latin1')).map(normalize), c.module).filter(comparable);
      if (c.until) {
        const at = real.findIndex((l) => c.until!.test(l));
        assert.ok(at >= 0, 'the cut-off line is in the recording');
        real.length = at + 1;
      }
      const got = ours(c).map(normalize).filter(comparable);
      // Every real line, in order, must appear in ours.
      let j = 0;
      for (let i = 0; i < real.length; i++) {
        while (j < got.length && got[j] !== real[i]) j++;
        if (j >= got.length) assert.fail(`line ${i + 1} of ${name}.dmesg not found (in order) in our output:\n  ${real[i]}\nours:\n${got.join('\n')}`);
        j++;
      }
    });
  }
});
