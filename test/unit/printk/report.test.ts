// Golden comparisons of the report builders (src/core/kernel/report.ts) with the real output of
// Debian's 6.1.0-56-amd64 kernel, copied into test/oracle. Timestamps, addresses, hashes, offsets
// and `Code:` bytes differ per boot, and the `? ` frames are stack-scanning noise, so both sides are
// normalised before comparing; everything else (wording, order, spacing, taints, levels of detail)
// must match line for line. Builders the oracle cannot show (DEBUG_ATOMIC_SLEEP, kmemleak, soft
// lockups) are checked against the kernel source's format strings.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SourceFile, span } from '../../../src/core/source/source';
import { INSMOD_TAIL } from '../../../src/core/kernel/trace';
import type { Frame } from '../../../src/core/kernel/trace';
import type { KLine, ReportContext } from '../../../src/core/kernel/report';
import * as R from '../../../src/core/kernel/report';
import { errname, ERRNO_TABLE, errnoValue, insmodErrorLine, RMMOD_MESSAGES, strerror } from '../../../src/core/kernel/errno';
import type { Kernel } from '../../../src/core/kernel/kernel';

const FIDELITY = path.resolve(__dirname, '../../oracle');
const haveOracle = fs.existsSync(FIDELITY);

function oracle(name: string): string[] {
  return fs.readFileSync(path.join(FIDELITY, name), 'latin1').replace(/\n$/, '').split('\n');
}

/** Lines from the first match of `from` (after `skip` earlier matches) to the first match of `to`. */
function block(lines: string[], from: RegExp, to: RegExp, skip = 0): string[] {
  let start = -1;
  for (let i = 0, seen = 0; i < lines.length; i++) {
    if (from.test(lines[i]) && seen++ === skip) {
      start = i;
      break;
    }
  }
  assert.ok(start >= 0, `no ${from} in oracle file`);
  for (let i = start; i < lines.length; i++) if (to.test(lines[i])) return lines.slice(start, i + 1);
  assert.fail(`no ${to} after ${from}`);
}

/** Make a real and an emulated report comparable. */
function norm(lines: string[]): string[] {
  return lines
    .map((l) => l.replace(/^\[\s*\d+\.\d{6}\] /, ''))
    .filter((l) => !/^ \? /.test(l))
    .map((l) => (l.startsWith('Code: ') ? 'Code: …' : l))
    .map((l) => l.replace(/\b[0-9a-f]{16}\b/g, 'H16').replace(/0x[0-9a-f]+/g, '0xH').replace(/PID: \d+|pid: \d+|insmod\/\d+\//g, 'PID'));
}

const text = (lines: KLine[]): string[] => R.reportText(lines);

function ctxFor(mod: string, taints = 'OE', state: 'coming' | 'live' | 'going' = 'coming'): ReportContext {
  return { task: { pid: 93, comm: 'insmod' }, taints, modules: [{ name: mod, taints: 'OE', state }], decode: false };
}

const mf = (fn: string, mod: string, off: number, size: number): Frame => R.moduleFrame(fn, mod, off, size);

describe('report: golden comparisons with the oracle', function () {
  before(function () {
    if (!haveOracle) this.skip();
  });

  it('page-fault Oops (bug_kfree_vmalloc)', () => {
    const real = block(oracle('bug_kfree_vmalloc.dmesg'), /BUG: unable to handle page fault/, /note: insmod/);
    const ours = R.pageFaultOops(ctxFor('bug_kfree_vmalloc'), {
      address: 0xfffd4c6df7001348n,
      rip: R.KFRAMES.kfree,
      ripAddr: 0xffffffffa9a5e06bn,
      regs: { rsp: 0xff6d936100637c58n, eflags: 0x282 },
      callers: [mf('init_module', 'bug_kfree_vmalloc', 0x2a, 0x3e), R.addressFrame(0xffffffffc028c000n), ...INSMOD_TAIL],
    });
    assert.deepEqual(norm(text(ours)), norm(real));
  });

  it('WARNINGs of vfree() on kmalloc memory, W taint after the first (bug_vfree_kmalloc)', () => {
    const lines = oracle('bug_vfree_kmalloc.dmesg');
    const callers = (off: number): Frame[] => [mf('init_module', 'bug_vfree_kmalloc', off, 0x8c), R.addressFrame(0xffffffffc05b4000n), ...INSMOD_TAIL];
    const first = R.vfreeWarning(ctxFor('bug_vfree_kmalloc'), 'bad-address', 0xff17bf34df675180n, { callers: callers(0x50), ripAddr: 0xffffffff95bd2f5an, regs: { eflags: 0x282 } });
    assert.deepEqual(norm(text(first)), norm(block(lines, /cut here/, /end trace/)));
    const second = R.vfreeWarning(ctxFor('bug_vfree_kmalloc', 'OEW'), 'nonexistent', 0xff17bf34df655000n, { callers: callers(0x67), ripAddr: 0xffffffff95bd2cben, regs: { eflags: 0x282 } });
    assert.deepEqual(norm(text(second)), norm(block(lines, /cut here/, /end trace/, 1)));
    assert.equal(second[1].level, 3, 'WARN(1, KERN_ERR "Trying to vfree() nonexistent vm area ...")');
  });

  it('scheduling while atomic, then the initcall imbalance WARNING (bug_sleep_spinlock)', () => {
    const lines = oracle('bug_sleep_spinlock.dmesg');
    const ctx = ctxFor('bug_sleep_spinlock');
    const sched = R.schedulingWhileAtomic(ctx, {
      preemptCount: 1,
      irqsDisabled: false,
      rcuDepth: 0,
      path: R.SCHEDULE_PATHS.msleep,
      callers: [mf('init_module', 'bug_sleep_spinlock', 0x27, 0x46), ...INSMOD_TAIL],
    });
    assert.deepEqual(norm(text(sched)), norm(block(lines, /scheduling while atomic/, / <\/TASK>/)));
    assert.equal(text(sched)[0], 'BUG: scheduling while atomic: insmod/93/0x00000002');
    const warn = R.initcallImbalance({ ...ctx, taints: 'OEW' }, { name: 'init_module', offset: 0, size: 0x46, module: 'bug_sleep_spinlock' }, 'preemption imbalance ', { ripAddr: 0xffffffff81e01227n, regs: { eflags: 0x286 } });
    assert.deepEqual(norm(text(warn)), norm(block(lines, /cut here/, /end trace/)));
    assert.equal(text(warn)[1], 'initcall init_module+0x0/0x46 [bug_sleep_spinlock] returned with preemption imbalance ');
  });

  it('init returning a positive value (init_err.positive)', () => {
    const real = block(oracle('init_err.positive.dmesg'), /suspiciously returned/, / <\/TASK>/);
    const ours = R.suspiciousInit(ctxFor('init_err'), 'init_err', 1);
    assert.deepEqual(norm(text(ours)), norm(real));
    assert.equal(ours[0].text.split('\n').length, 2, 'one record: both lines share a timestamp');
  });

  it('BUG() in the slab allocator, no exit note (bug_double_free.nodebug)', () => {
    const lines = oracle('bug_double_free.nodebug.dmesg');
    const start = lines.findIndex((l) => /cut here/.test(l));
    const end = lines.map((l) => /PKRU/.test(l)).lastIndexOf(true);
    const real = lines.slice(start, end + 1);
    const ours = R.bugReport(ctxFor('bug_double_free'), 'mm/slub.c', 419, {
      rip: R.KFRAMES.kmem_cache_free_bug,
      ripAddr: 0xffffffffa4a1e2b4n,
      callers: [mf('init_module', 'bug_double_free', 0x4a, 0x5e), R.addressFrame(0xffffffffc028a000n), ...INSMOD_TAIL],
    });
    const oursText = text(ours);
    assert.deepEqual(norm(oursText), norm(real));
    assert.ok(!oursText.some((l) => l.startsWith('note:')));
  });

  it('taint lines of the first module load (every oracle file)', () => {
    for (const f of fs.readdirSync(FIDELITY).filter((n) => n.endsWith('.dmesg'))) {
      const lines = oracle(f).slice(0, 2).map((l) => l.replace(/^\[\s*\d+\.\d{6}\] /, ''));
      const mod = lines[0].split(':')[0];
      const ours = R.moduleLoadTaintLines(mod, 'GPL', 0, true);
      assert.deepEqual(text(ours.lines), lines, f);
      assert.equal(ours.add, 'OE');
      assert.deepEqual(ours.lines.map((l) => l.level), [4, 5]);
    }
  });

  it('kmod insmod errors (init_err, init_err.einval)', () => {
    assert.equal(insmodErrorLine('init_err.ko', -12), oracle('init_err.dmesg')[3]);
    assert.equal(insmodErrorLine('init_err.ko', 22), oracle('init_err.einval.dmesg')[3]);
  });

  it('the banner with a B taint (bug_double_free)', () => {
    const real = oracle('bug_double_free.dmesg').find((l) => /CPU: 0 PID: 90 Comm: insmod Tainted: G {4}B/.test(l)) ?? '';
    assert.equal(R.cpuLine({ task: { pid: 90, comm: 'insmod' }, taints: new Set(['O', 'E', 'B']), modules: '' }), real.replace(/^\[\s*\d+\.\d{6}\] /, ''));
  });

  it('hex dump rows as SLUB (and kmemleak) print them (bug_double_free)', () => {
    const lines = oracle('bug_double_free.dmesg');
    const row = (prefix: string): string => (lines.find((l) => l.includes(prefix)) ?? '').split(prefix)[1];
    assert.equal(R.hexDumpRow([...new Array(15).fill(0x6b), 0xa5]), row('Object   ff3169dd9f6a7210: '));
    assert.equal(R.hexDumpRow(new Array(8).fill(0xbb)), row('Redzone  ff3169dd9f6a7220: '));
    assert.equal(R.hexDumpRow(new Array(12).fill(0x5a)), row('Padding  ff3169dd9f6a7274: '));
  });
});

describe('report: formats from the kernel source', () => {
  const ctx = ctxFor('test_mem');

  it('print_tainted() and module flags', () => {
    assert.equal(R.printTainted(0), 'Not tainted');
    assert.equal(R.printTainted('OE'), 'Tainted: G           OE     ');
    assert.equal(R.printTainted('POEW'), 'Tainted: P        W  OE     ');
    assert.equal(R.taintMask('OE'), 12288, '/proc/sys/kernel/tainted after an unsigned out-of-tree module');
    assert.equal(R.modulesLinkedIn([{ name: 'a', taints: 'OE', state: 'going' }, { name: 'b', taints: 0, state: 'live' }], { name: 'c', taints: 'POE' }), 'Modules linked in: a(OE-) b [last unloaded: c(POE)]');
    assert.equal(R.modulesLinkedIn([]), 'Modules linked in:');
  });

  it('decodes module frames the way decode_stacktrace.sh does, raw on request', () => {
    const file = new SourceFile('test_mem.c', 'int x;\nint init_module(void)\n{\n\treturn *(int *)0;\n}\n');
    const f = R.moduleFrame('init_module', 'test_mem', 0x15, 0x60, span(file, 36, 45));
    assert.equal(R.frameLine(f), ' init_module (test_mem.c:4) test_mem');
    assert.equal(R.frameLine(f, false), ' init_module+0x15/0x60 [test_mem]');
    assert.equal(R.frameLine({ ...f, unreliable: true }), ' ? init_module (test_mem.c:4) test_mem');
    assert.equal(R.frameLine(R.addressFrame(0xffffffffc028c000n)), ' ? 0xffffffffc028c000');
    assert.equal(text(R.kernelRegsLines({ ...ctx, decode: true }, { rip: f }))[0], 'RIP: 0010:init_module (test_mem.c:4) test_mem');
  });

  it('sleeping function called from invalid context (kernel/sched/core.c __might_resched)', () => {
    const site = R.MIGHT_SLEEP_SITES.kmalloc;
    const lines = R.sleepingInAtomic(ctx, {
      file: site.file,
      line: site.line,
      preemptCount: 1,
      irqsDisabled: false,
      rcuDepth: 0,
      disabledAt: { frame: mf('init_module', 'test_mem', 0x1a, 0x60), addr: 0xffffffffc0a1b01an },
      kernelFrames: [R.KFRAMES.kmem_cache_alloc_node, R.KFRAMES.kmalloc_trace],
      callers: [mf('init_module', 'test_mem', 0x2f, 0x60), ...INSMOD_TAIL],
    });
    assert.deepEqual(text(lines).slice(0, 9), [
      'BUG: sleeping function called from invalid context at include/linux/sched/mm.h:274',
      'in_atomic(): 1, irqs_disabled(): 0, non_block: 0, pid: 93, name: insmod',
      'preempt_count: 1, expected: 0',
      'RCU nest depth: 0, expected: 0',
      'Preemption disabled at:',
      '[<ffffffffc0a1b01a>] init_module+0x1a/0x60 [test_mem]',
      'CPU: 0 PID: 93 Comm: insmod Tainted: G           OE      6.1.0-56-amd64 #1  Debian 6.1.192-2',
      'Hardware name: QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.16.2-debian-1.16.2-1 04/01/2014',
      'Call Trace:',
    ]);
    assert.deepEqual(text(lines).slice(10, 14), [' dump_stack_lvl+0x44/0x5c', ' __might_resched.cold+0xcc/0xe0', ' __kmem_cache_alloc_node+0x2c9/0x310', ' kmalloc_trace+0x26/0x90']);
    assert.deepEqual(lines.slice(0, 6).map((l) => l.level), [3, 3, 3, 3, 3, 3]);
    const rcu = R.sleepingInAtomic(ctx, { file: 'kernel/locking/mutex.c', line: 283, preemptCount: 0, irqsDisabled: false, rcuDepth: 1, callers: INSMOD_TAIL });
    assert.deepEqual(text(rcu).slice(1, 5), ['in_atomic(): 0, irqs_disabled(): 0, non_block: 0, pid: 93, name: insmod', 'preempt_count: 0, expected: 0', 'RCU nest depth: 1, expected: 0', 'CPU: 0 PID: 93 Comm: insmod Tainted: G           OE      6.1.0-56-amd64 #1  Debian 6.1.192-2']);
  });

  it('soft lockup (kernel/watchdog.c)', () => {
    const lines = text(R.softLockup(ctx, 22, { rip: mf('init_module', 'test_mem', 0x10, 0x20), callers: INSMOD_TAIL }));
    assert.equal(lines[0], 'watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [insmod:93]');
    assert.equal(lines[1], 'Modules linked in: test_mem(OE+)');
    assert.equal(lines[4], 'RIP: 0010:init_module+0x10/0x20 [test_mem]');
    assert.equal(lines[5], 'RSP: 0018:0000000000000000 EFLAGS: 00000246');
    assert.ok(lines.includes(' <TASK>') && !lines.includes(' <IRQ>'));
  });

  it('general protection fault on LIST_POISON (arch/x86/kernel/traps.c)', () => {
    const lines = text(R.generalProtection(ctx, { address: 0xdead000000000108n, rip: mf('cleanup_module', 'test_mem', 0x20, 0x40), callers: [] }));
    assert.equal(lines[0], 'general protection fault, probably for non-canonical address 0xdead000000000108: 0000 [#1] PREEMPT SMP NOPTI');
    assert.ok(!lines.some((l) => l.startsWith('CR2: ') && !l.includes('CR3')), 'no executive CR2 line for #GP');
    assert.equal(R.isNonCanonical(0xffff888000000000n), false);
    assert.equal(R.isNonCanonical(0xdead000000000100n), true);
  });

  it('list corruption (lib/list_debug.c with BUG_ON_DATA_CORRUPTION)', () => {
    const lines = text(R.listCorruption(ctx, { kind: 'del-poison1', entry: 0xff3169dd9f6a7228n }, { callers: INSMOD_TAIL }));
    assert.deepEqual(lines.slice(0, 4), [
      'list_del corruption, ff3169dd9f6a7228->next is LIST_POISON1 (dead000000000100)',
      '------------[ cut here ]------------',
      'kernel BUG at lib/list_debug.c:55!',
      'invalid opcode: 0000 [#1] PREEMPT SMP NOPTI',
    ]);
    const add = R.listCorruptionMessage({ kind: 'add-prev-next', next: 0x1000, prevNext: 0x2000, prev: 0x3000 });
    assert.equal(add.message, 'list_add corruption. prev->next should be next (0000000000001000), but was 0000000000002000. (prev=0000000000003000).');
    assert.equal(add.line, 32);
  });

  it('stack guard page overflow ends in a panic (arch/x86/kernel/traps.c)', () => {
    const lines = text(R.stackOverflow({ ...ctx, hashKey: { k0: 1n, k1: 2n } }, { rip: mf('recurse', 'test_mem', 0x8, 0x30), callers: [], guardAddr: 0xff41862d00633ff8n, stackBegin: 0xff41862d00634000n, stackEnd: 0xff41862d00638000n }));
    assert.match(lines[0], /^BUG: TASK stack guard page was hit at 00000000[0-9a-f]{8} \(stack is 00000000[0-9a-f]{8}\.\.00000000[0-9a-f]{8}\)$/);
    assert.equal(lines[1], 'stack guard page: 0000 [#1] PREEMPT SMP NOPTI');
    assert.deepEqual(lines.slice(-3), [
      'Kernel panic - not syncing: Fatal exception in interrupt',
      'Kernel Offset: 0x24c00000 from 0xffffffff81000000 (relocation range: 0xffffffff80000000-0xffffffffbfffffff)',
      '---[ end Kernel panic - not syncing: Fatal exception in interrupt ]---',
    ]);
  });

  it('NULL pointer dereference header and a user-half page table line', () => {
    const lines = text(R.pageFaultOops(ctx, { address: 0, write: true, rip: mf('init_module', 'test_mem', 0x1c, 0x40), callers: INSMOD_TAIL }));
    assert.deepEqual(lines.slice(0, 5), [
      'BUG: kernel NULL pointer dereference, address: 0000000000000000',
      '#PF: supervisor write access in kernel mode',
      '#PF: error_code(0x0002) - not-present page',
      'PGD 8000000004c6e067 P4D 0 ',
      'Oops: 0002 [#1] PREEMPT SMP NOPTI',
    ]);
  });

  it('kmemleak (mm/kmemleak.c print_unreferenced, verbose and debugfs)', () => {
    const bytes = Uint8Array.from([...'roman1'].map((c) => c.charCodeAt(0)).concat(new Array(58).fill(0)));
    const r = R.kmemleakScan(ctx, [{
      addr: 0xffff888003b4e300n, size: 64, comm: 'insmod', pid: 93, jiffies: R.jiffiesAt(2.33e9), ageMs: 8276, bytes,
      backtrace: [{ frame: R.KFRAMES.kmalloc_trace, addr: 0xffffffff8136f0a6n }, { frame: mf('init_module', 'test_mem', 0x4c, 0x200), addr: 0xffffffffc0a1b04cn }],
    }], { verbose: true });
    assert.deepEqual(r.debugfs.slice(0, 6), [
      'unreferenced object 0xffff888003b4e300 (size 64):',
      '  comm "insmod", pid 93, jiffies 4294892878 (age 8.276s)',
      '  hex dump (first 32 bytes):',
      '    72 6f 6d 61 6e 31 00 00 00 00 00 00 00 00 00 00  roman1..........',
      '    00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  ................',
      '  backtrace:',
    ]);
    assert.match(r.debugfs[6], /^ {4}\[<00000000[0-9a-f]{8}>\] kmalloc_trace\+0x26\/0x90$/);
    assert.equal(text(r.dmesg)[0], 'kmemleak: unreferenced object 0xffff888003b4e300 (size 64):');
    assert.equal(text(r.dmesg).at(-1), 'kmemleak: 1 new suspected memory leaks (see /sys/kernel/debug/kmemleak)');
    assert.deepEqual(text(R.kmemleakScan(ctx, [], {}).dmesg), []);
  });

  it('module loader messages', () => {
    const m = R.MODULE_MESSAGES;
    assert.equal(m.invalidParameter('init_err', 'abc', 'ret').text, "init_err: `abc' invalid for parameter `ret'");
    assert.equal(m.unknownSymbol('x', 'foo').text, 'x: Unknown symbol foo (err -2)');
    const p = R.moduleLoadTaintLines('x', undefined, 0, false);
    assert.deepEqual(text(p.lines), [
      "x: module license 'unspecified' taints kernel.",
      'Disabling lock debugging due to kernel taint',
      'x: loading out-of-tree module taints kernel.',
      'x: module verification failed: signature and/or required key missing - tainting kernel',
    ]);
    assert.deepEqual(text(R.moduleLoadTaintLines('y', 'GPL', 'OE', true).lines), [], 'once per boot');
  });
});

describe('errno', () => {
  it('has glibc 2.36 messages and the kernel names', () => {
    assert.equal(ERRNO_TABLE.length, 133);
    assert.equal(strerror(12), 'Cannot allocate memory');
    assert.equal(strerror(133), 'Memory page has hardware error');
    assert.equal(strerror(41), 'Unknown error 41');
    assert.equal(strerror(512), 'Unknown error 512');
    assert.equal(errnoValue('EWOULDBLOCK'), 11);
    assert.equal(errnoValue('ERESTARTSYS'), 512);
    assert.equal(errname(-95), '-EOPNOTSUPP');
  });

  it('kmod wording', () => {
    assert.equal(insmodErrorLine('m.ko', -2), 'insmod: ERROR: could not insert module m.ko: Unknown symbol in module');
    assert.equal(insmodErrorLine('m.ko', -17), 'insmod: ERROR: could not insert module m.ko: File exists');
    assert.equal(insmodErrorLine('m.ko', -8), 'insmod: ERROR: could not insert module m.ko: Invalid module format');
    assert.equal(insmodErrorLine('m.ko', -512), 'insmod: ERROR: could not insert module m.ko: Unknown error 512');
    assert.equal(RMMOD_MESSAGES.notLoaded('m'), 'rmmod: ERROR: Module m is not currently loaded');
    assert.equal(RMMOD_MESSAGES.couldNotRemove('m', 16), 'rmmod: ERROR: could not remove module m: Device or resource busy');
  });
});

describe('report: the Kernel adapter', () => {
  it('builds reports from a Kernel', () => {
    const fake = {
      task: { pid: 93, comm: 'insmod' },
      taints: new Set(['O', 'E']),
      modulesLinkedIn: () => 'test_mem(OE+)',
      options: { seed: 0 },
      current: { module: 'test_mem', phase: 'init' },
      trace: (): Frame[] => [mf('init_module', 'test_mem', 0x27, 0x46)],
      machine: { sp: 0, stackLimit: 0x1000, stackTop: 0x5000 },
      ctx: { raw: 1, irqsDisabled: false, rcuDepth: 0, disabledAt: undefined },
    } as unknown as Kernel;
    const reports = R.createKernelReports({ decode: false });
    const d = reports.dumpStack(fake);
    assert.equal(d[0], 'CPU: 0 PID: 93 Comm: insmod Tainted: G           OE      6.1.0-56-amd64 #1  Debian 6.1.192-2');
    assert.deepEqual(d.slice(4, 7), [' dump_stack_lvl+0x44/0x5c', ' init_module+0x27/0x46 [test_mem]', ' do_one_initcall+0x59/0x220']);
    assert.equal(reports.schedulingWhileAtomic(fake, 'schedule')[0], 'BUG: scheduling while atomic: insmod/93/0x00000002');
    assert.equal(reports.sleepingInAtomic(fake, 'include/linux/sched/mm.h:274')[0], 'BUG: sleeping function called from invalid context at include/linux/sched/mm.h:274');
    assert.equal(reports.bug(fake, 'lib/list_debug.c', 55)[1], 'kernel BUG at lib/list_debug.c:55!');
  });
});
