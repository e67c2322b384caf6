// The kernel shell in the worker session: it runs on the machine Load kept (so `lsmod` after Load
// shows the module and the shell's rmmod unloads it), boots its own machine when there is none,
// moves to the new machine after a Load, and `dmesg -w` steps advance virtual time.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KernelSession } from '../../../src/ui/worker/session';
import type { Request } from '../../../src/ui/kernelClient';
import type { FromWorker, KernelReply, ModuleSource, ShellReply, ToWorker } from '../../../src/protocol/kernel';

const TEST_MEM = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'examples', 'test_mem.c'), 'utf8');
const MODULE: ModuleSource = { fileName: 'test_mem.c', text: TEST_MEM, locals: {} };

let nextId = 1;
function ask<T extends FromWorker>(s: KernelSession, msg: Request): T {
  const reply = s.handle({ ...msg, id: nextId++ } as ToWorker);
  assert.notEqual(reply.type, 'internal-error', (reply as { message?: string }).message);
  return reply as T;
}

const line = (s: KernelSession, text: string, modules: ModuleSource[] = [MODULE]): ShellReply =>
  ask<ShellReply>(s, { type: 'shell', line: text, modules, settings: {} });

describe('ui/worker/session: the kernel shell', function () {
  this.timeout(30000);

  it('shares the machine Load kept: lsmod shows the module, rmmod unloads it for Unload too', () => {
    const s = new KernelSession();
    ask<KernelReply>(s, { type: 'load', source: MODULE, settings: {} });
    assert.match(line(s, 'lsmod').output, /^test_mem +\d+ +0$/m);
    assert.equal(line(s, 'rmmod test_mem').status, 0);
    const unload = ask<KernelReply>(s, { type: 'unload' });
    assert.match(unload.tools[0].stderr.join('\n'), /Module test_mem is not currently loaded/);
  });

  it('boots a machine of its own when nothing was loaded, with the modules as .ko files', () => {
    const s = new KernelSession();
    const first = line(s, '');
    assert.equal(first.prompt, 'root@kmodlab:~# ');
    assert.equal(line(s, 'ls').output, 'test_mem.ko\n');
    assert.equal(line(s, 'insmod test_mem.ko').status, 0);
    assert.match(line(s, 'cat /proc/modules').output, /^test_mem \d+ 0 - Live 0xffffffffc0[0-9a-f]+ \(OE\)$/m);
  });

  it('says so when Load booted a new machine, and runs there', () => {
    const s = new KernelSession();
    line(s, 'insmod test_mem.ko');
    ask<KernelReply>(s, { type: 'load', source: MODULE, settings: {} });
    const r = line(s, 'lsmod');
    assert.match(r.output, /^kmodlab: Load Module booted a new machine/);
    assert.match(r.output, /^test_mem /m);
  });

  it('follows dmesg -w: each step moves virtual time on', () => {
    const s = new KernelSession();
    const before = line(s, 'cat /proc/uptime').output;
    assert.equal(line(s, 'dmesg -w').follow, true);
    ask<ShellReply>(s, { type: 'shell', line: '', modules: [MODULE], settings: {}, followMs: 2000 });
    const after = line(s, 'cat /proc/uptime').output;
    assert.ok(parseFloat(after) >= parseFloat(before) + 2, `${before} → ${after}`);
  });

  it('closes on exit', () => assert.equal(line(new KernelSession(), 'exit').exit, true));

  it('hands the kernel log lines to the Kernel Log once: the shell\'s, then the next Unload\'s', () => {
    const s = new KernelSession();
    ask<KernelReply>(s, { type: 'load', source: MODULE, settings: {} });
    const r = line(s, 'rmmod test_mem; insmod test_mem.ko; dmesg -c > /dev/null');
    assert.ok(r.log.some((l) => l.endsWith('kernel module unloaded: test_mem')), r.log.join('\n'));
    const unload = ask<KernelReply>(s, { type: 'unload' });
    assert.ok(unload.log.every((l) => !r.log.includes(l)), unload.log.join('\n'));
    assert.ok(unload.log.some((l) => l.endsWith('kernel module unloaded: test_mem')));
  });
});
