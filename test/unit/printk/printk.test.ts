// The kernel log (src/core/kernel/printk.ts) and the virtual clock (src/core/kernel/clock.ts):
// level prefixes, KERN_CONT, multi-line records, timestamps, the dmesg/console/messages renderers.

import { strict as assert } from 'node:assert';
import { Clock, DEFAULT_BOOT_DONE_NANOS, HZ, INITIAL_JIFFIES, jiffiesToMsecs, msecsToJiffies, msleepNanos } from '../../../src/core/kernel/clock';
import type { PrintkEvent } from '../../../src/core/kernel/printk';
import { formatTimestamp, KERN_CONT, KERN_ERR, KERN_INFO, KERN_WARNING, LOG_LINE_MAX, parsePrefix, Printk, syslogTime } from '../../../src/core/kernel/printk';

function setup(): { clock: Clock; log: Printk } {
  const clock = new Clock();
  return { clock, log: new Printk({ clock }) };
}

describe('clock', () => {
  it('starts when the emulated machine has booted, with 64-bit jiffies from INITIAL_JIFFIES', () => {
    const c = new Clock();
    assert.equal(c.nanos(), DEFAULT_BOOT_DONE_NANOS);
    assert.equal(INITIAL_JIFFIES, 4294892296, '(unsigned long)(unsigned int)(-300*HZ) at HZ=250');
    assert.equal(c.jiffies, 4294892296 + 575);
    assert.equal(HZ, 250);
  });

  it('only moves forward', () => {
    const c = new Clock({ startNanos: 0 });
    c.advance(1500);
    c.advance(-10);
    c.advance(Number.NaN);
    c.advance(Number.POSITIVE_INFINITY);
    assert.equal(c.nanos(), 1500);
    c.advanceTo(1000);
    assert.equal(c.nanos(), 1500);
  });

  it('converts like the kernel at HZ=250', () => {
    assert.equal(msecsToJiffies(1), 1);
    assert.equal(msecsToJiffies(10), 3);
    assert.equal(jiffiesToMsecs(3), 12);
    // msleep(10) at a tick boundary: 3 + 1 jiffies.
    assert.equal(msleepNanos(4_000_000, 10), 16_000_000);
    assert.equal(msleepNanos(5_000_000, 10), 15_000_000);
  });

  it('wraps the 32-bit jiffies five minutes after boot', () => {
    const c = new Clock({ startNanos: 300e9 });
    assert.equal(c.jiffies32, 0);
  });
});

describe('printk: levels and records', () => {
  it('parses KERN_SOH prefixes: first level wins, c is KERN_CONT', () => {
    assert.deepEqual(parsePrefix(`${KERN_INFO}hello`), { level: 6, cont: false, length: 2 });
    assert.deepEqual(parsePrefix(`${KERN_ERR}${KERN_INFO}x`), { level: 3, cont: false, length: 4 });
    assert.deepEqual(parsePrefix(`${KERN_CONT}x`), { level: -1, cont: true, length: 2 });
    assert.deepEqual(parsePrefix('\x01dx'), { level: -1, cont: false, length: 0 }, 'KERN_DEFAULT is "" in 6.1; \\001d is not a prefix');
    assert.deepEqual(parsePrefix('\x01'), { level: -1, cont: false, length: 0 });
  });

  it('stores the level, strips the prefix and the newline, returns the stored length', () => {
    const { log } = setup();
    assert.equal(log.printk(`${KERN_INFO}hello\n`), 5);
    assert.equal(log.printk('no level\n'), 8);
    const [a, b] = log.all();
    assert.deepEqual([a.level, a.text, a.final], [6, 'hello', true]);
    assert.deepEqual([b.level, b.text], [4, 'no level'], 'the default message loglevel is 4');
  });

  it('an empty KERN_INFO "\\n" is an empty record (test_mem.dmesg line 11)', () => {
    const { log } = setup();
    log.printk(`${KERN_INFO}\n`);
    assert.deepEqual(log.dmesg(), ['[    2.300000] ']);
  });

  it('KERN_CONT continues an unfinished record from the same caller, keeping its timestamp', () => {
    const { clock, log } = setup();
    log.printk(`${KERN_INFO}a=`);
    clock.advance(5000);
    log.printk(`${KERN_CONT}1`);
    log.printk(`${KERN_CONT} b=2\n`);
    log.printk(`${KERN_CONT}after newline\n`);
    assert.deepEqual(log.dmesg(), ['[    2.300000] a=1 b=2', '[    2.300005] after newline']);
    assert.equal(log.all()[1].cont, true);
  });

  it('a record without a newline is closed by the next ordinary printk', () => {
    const { log } = setup();
    log.printk('one');
    log.printk('two');
    log.printk(`${KERN_CONT}+`);
    assert.deepEqual(log.all().map((r) => r.text), ['one', 'two+']);
  });

  it('KERN_CONT from another caller starts its own record', () => {
    const { log } = setup();
    log.printk('from 93', { caller: 93 });
    log.printk(`${KERN_CONT}from irq\n`, { caller: 'C0' });
    assert.deepEqual(log.all().map((r) => r.text), ['from 93', 'from irq']);
  });

  it('embedded newlines make one record whose lines share the timestamp', () => {
    const { log } = setup();
    log.printk(`${KERN_WARNING}do_init_module: 'x'->init suspiciously returned 1, it should follow 0/-E convention\ndo_init_module: loading module anyway...\n`);
    log.printk(`${KERN_ERR}-----\n\n`);
    assert.equal(log.all().length, 2);
    assert.deepEqual(log.dmesg(), [
      "[    2.300000] do_init_module: 'x'->init suspiciously returned 1, it should follow 0/-E convention",
      '[    2.300000] do_init_module: loading module anyway...',
      '[    2.300000] -----',
      '[    2.300000] ',
    ]);
  });

  it('cuts a message at LOG_LINE_MAX - 1 characters', () => {
    const { log } = setup();
    const n = log.printk(`${KERN_INFO}${'x'.repeat(2000)}\n`);
    assert.equal(n, LOG_LINE_MAX - 1 - 2);
    assert.equal(log.all()[0].text.length, 989);
    assert.equal(log.all()[0].final, false, 'the newline was cut off with the rest');
  });

  it('drops the oldest records when the buffer is full', () => {
    const clock = new Clock();
    const log = new Printk({ clock, bufferBytes: 4096 });
    for (let i = 0; i < 100; i++) log.printk(`${KERN_INFO}message number ${i} ${'.'.repeat(40)}\n`);
    assert.ok(log.dropped > 0);
    assert.equal(log.all()[log.all().length - 1].seq, 99);
    assert.ok(log.all().length < 100);
  });

  it('never throws on odd input', () => {
    const { log } = setup();
    log.printk('');
    log.printk('\x01');
    log.printk('\x01c');
    log.log(99, 'level out of range');
    log.log(Number.NaN, 'nan');
    // A lone \x01 is not a prefix (printk_get_level needs a second byte); the KERN_CONT continues it.
    assert.deepEqual(log.all().map((r) => [r.level, r.text]), [[4, ''], [4, '\x01'], [7, 'level out of range'], [4, 'nan']]);
  });
});

describe('printk: readers', () => {
  it('formats timestamps as %5lu.%06lu', () => {
    assert.equal(formatTimestamp(2_330_372_123), '[    2.330372]');
    assert.equal(formatTimestamp(44607_251_090_000), '[44607.251090]');
    assert.equal(formatTimestamp(123456_000_000_000), '[123456.000000]');
    assert.equal(formatTimestamp(0), '[    0.000000]');
  });

  it('dmesg --level, -r, -t, -c', () => {
    const { clock, log } = setup();
    log.printk(`${KERN_INFO}info\n`);
    clock.advance(1000);
    log.printk(`${KERN_ERR}err\n`);
    assert.deepEqual(log.dmesg({ levels: ['err'] }), ['[    2.300001] err']);
    assert.deepEqual(log.dmesg({ levels: [6], raw: true }), ['<6>[    2.300000] info']);
    assert.deepEqual(log.dmesg({ noTime: true }), ['info', 'err']);
    assert.deepEqual(log.readClear(), ['[    2.300000] info', '[    2.300001] err']);
    assert.deepEqual(log.dmesg(), []);
    log.printk('later\n');
    assert.deepEqual(log.dmesg(), ['[    2.300001] later']);
    assert.equal(log.all().length, 3, 'the records stay in the buffer');
  });

  it('the console shows levels below the console loglevel', () => {
    const { log } = setup();
    log.consoleLoglevel = 4;
    log.printk(`${KERN_INFO}quiet\n`);
    log.printk(`${KERN_ERR}loud\n`);
    assert.deepEqual(log.consoleLines(), ['[    2.300000] loud']);
  });

  it('/var/log/messages in the seed tutorial\'s format', () => {
    const clock = new Clock({ startNanos: 44607_251_090_000 });
    const log = new Printk({ clock });
    log.printk(`${KERN_INFO}initialize kernel module: test_mem\n`);
    log.printk(`${KERN_INFO}\n`);
    log.printk(`${KERN_ERR}not in messages on Debian\n`);
    const boot = Date.UTC(2011, 6, 29, 11, 52, 45) - 0; // 44607 s before Jul 30 00:16:12
    assert.deepEqual(log.messages({ hostname: 'roman10-laptop', bootWallMs: boot }), [
      'Jul 30 00:16:12 roman10-laptop kernel: [44607.251090] initialize kernel module: test_mem',
      'Jul 30 00:16:12 roman10-laptop kernel: [44607.251090]',
    ]);
    assert.equal(syslogTime(Date.UTC(2024, 6, 3, 4, 5, 6)), 'Jul  3 04:05:06');
  });

  it('listeners hear records, appends and clears; a throwing listener is ignored', () => {
    const { log } = setup();
    const seen: string[] = [];
    log.subscribe(() => {
      throw new Error('UI bug');
    });
    const off = log.subscribe((e: PrintkEvent) => seen.push(e.kind === 'clear' ? 'clear' : `${e.kind}:${e.record.text}`));
    log.printk('a');
    log.printk(`${KERN_CONT}b\n`);
    log.clear();
    off();
    log.printk('c\n');
    assert.deepEqual(seen, ['record:a', 'append:ab', 'clear']);
  });
});
