// The kernel worker's session, called directly (no thread): Load keeps the machine so Unload runs
// rmmod on it, Reload runs rmmod + insmod on it, findings and log lines come back once each, the
// parse facts locate the init/exit functions, and nothing it is given makes it throw.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KernelSession } from '../../../src/ui/worker/session';
import type { Request } from '../../../src/ui/kernelClient';
import type { AnalyzeReply, FromWorker, KernelReply, ModuleSource, ToWorker } from '../../../src/protocol/kernel';

const TEST_MEM = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'examples', 'test_mem.c'), 'utf8');
/** The walkthrough's broken variant: the vmalloc'd node freed with kfree(). */
const BROKEN = TEST_MEM.replace(/vfree\(aPerson\);/, 'kfree(aPerson);');

const source = (text: string, fileName = 'test_mem.c', locals: Record<string, string> = {}): ModuleSource => ({ fileName, text, locals });

let nextId = 1;
function ask<T extends FromWorker>(s: KernelSession, msg: Request): T {
  const reply = s.handle({ ...msg, id: nextId++ } as ToWorker);
  assert.notEqual(reply.type, 'internal-error', (reply as { message?: string }).message);
  return reply as T;
}

describe('ui/worker/session', function () {
  this.timeout(30000);

  it('loads test_mem.c: the log shows the three people and the module is live', () => {
    const s = new KernelSession();
    const r = ask<KernelReply>(s, { type: 'load', source: source(TEST_MEM), settings: {} });
    assert.equal(r.booted, true);
    assert.equal(r.state, 'live');
    assert.deepEqual(r.tools, [{ tool: 'insmod', status: 0, stderr: [] }]);
    assert.ok(r.log.some((l) => l.endsWith('Person: roman1; weight: 130; gender: Male')), r.log.join('\n'));
    assert.ok(r.log.some((l) => l.endsWith('Person: roman3; weight: 390; gender: Male')));
    assert.deepEqual(r.findings, []);
  });

  it('applies the limits settings: parser nesting for analysis, the kernel stack for Load', () => {
    const s = new KernelSession();
    const nested = `int f(int x) { return ${'('.repeat(40)}x${')'.repeat(40)}; }`;
    const a = ask<AnalyzeReply>(s, { type: 'analyze', document: 'd', source: source(nested, 'n.c'), analyze: true, limits: { maxNesting: 32 } });
    assert.ok(a.diagnostics.some((d) => d.code === 'KM9002' && d.message.startsWith('nesting deeper than 32 levels')), JSON.stringify(a.diagnostics));
    const deep = '#include <linux/module.h>\nMODULE_LICENSE("GPL");\nstatic int f(int n) { volatile char b[256]; b[0] = n; return n ? f(n - 1) + b[0] : 0; }\nint init_module(void) { return f(40) > 0 ? 0 : -1; }\nvoid cleanup_module(void) { }\n';
    const big = ask<KernelReply>(s, { type: 'load', source: source(deep, 'deep.c'), settings: {} });
    assert.deepEqual(big.findings.map((f) => f.rule), []);
    const small = ask<KernelReply>(s, { type: 'load', source: source(deep, 'deep.c'), settings: { stackBytes: 4096 } });
    assert.deepEqual(small.findings.map((f) => f.rule).slice(0, 1), ['stack-overflow']);
  });

  it('unloads on the same machine: only the new log lines come back', () => {
    const s = new KernelSession();
    const load = ask<KernelReply>(s, { type: 'load', source: source(TEST_MEM), settings: {} });
    const r = ask<KernelReply>(s, { type: 'unload' });
    assert.equal(r.booted, false);
    assert.equal(r.state, 'not-loaded');
    assert.equal(r.log[0].endsWith('kernel module unloaded: test_mem'), true, r.log.join('\n'));
    assert.ok(r.log.every((l) => !load.log.includes(l)));
    const again = ask<KernelReply>(s, { type: 'unload' });
    assert.equal(again.tools[0].status, 1);
    assert.match(again.tools[0].stderr.join('\n'), /not currently loaded/);
  });

  it('reports the kfree() of vmalloc memory at rmmod as a finding at the student line', () => {
    const s = new KernelSession();
    ask<KernelReply>(s, { type: 'load', source: source(BROKEN), settings: {} });
    const r = ask<KernelReply>(s, { type: 'unload' });
    assert.equal(r.state, 'failed');
    assert.equal(r.findings.length, 1);
    const f = r.findings[0];
    assert.equal(f.rule, 'oops');
    assert.match(f.message, /^BUG: unable to handle page fault/);
    const line = BROKEN.split('\n').findIndex((l, i) => i > 50 && l.startsWith('kfree(aPerson);') && BROKEN.split('\n')[i + 1] === '}') + 1;
    assert.equal(f.range?.start.line, line);
    assert.ok(f.report.some((l) => l.includes(`cleanup_module (test_mem.c:${line}) test_mem`)));
    assert.ok(f.docUrl);
  });

  it('reloads on the same machine (rmmod, then insmod of the new text)', () => {
    const s = new KernelSession();
    ask<KernelReply>(s, { type: 'load', source: source(TEST_MEM), settings: {} });
    const r = ask<KernelReply>(s, { type: 'reload', source: source(TEST_MEM.replace('"roman1"', '"roman9"')), settings: {} });
    assert.equal(r.booted, false);
    assert.deepEqual(r.tools.map((t) => [t.tool, t.status]), [['rmmod', 0], ['insmod', 0]]);
    assert.ok(r.log.some((l) => l.endsWith('freeing node roman1')));
    assert.ok(r.log.some((l) => l.endsWith('Person: roman9; weight: 130; gender: Male')));
    assert.equal(r.state, 'live');
  });

  it('ends an endless loop in the soft-lockup report', () => {
    const s = new KernelSession();
    const r = ask<KernelReply>(s, { type: 'load', source: source(TEST_MEM.replace('return 0;', 'while (1) { }\nreturn 0;')), settings: { softLockupSeconds: 5 } });
    assert.equal(r.state, 'failed');
    assert.equal(r.findings[0]?.rule, 'soft-lockup');
    assert.match(r.findings[0].message, /BUG: soft lockup - CPU#0 stuck for \d+s!/);
  });

  it('fails a Load of a module that does not build without booting, and keeps the machine on a failed Reload', () => {
    const s = new KernelSession();
    const bad = ask<KernelReply>(s, { type: 'load', source: source('#include <linux/module.h>\nint init_module(void) { return x; }\n'), settings: {} });
    assert.equal(bad.state, 'failed');
    assert.equal(bad.tools.length, 0);
    assert.ok(bad.buildErrors.length > 0);
    ask<KernelReply>(s, { type: 'load', source: source(TEST_MEM), settings: {} });
    const r = ask<KernelReply>(s, { type: 'reload', source: source('int init_module(void) { return x; }\n'), settings: {} });
    assert.equal(r.state, 'live');
    assert.ok(r.buildErrors.length > 0);
  });

  it('injects an allocation failure with failNth', () => {
    const s = new KernelSession();
    const r = ask<KernelReply>(s, { type: 'load', source: source(TEST_MEM), settings: { failNth: 1 } });
    assert.ok(r.findings.some((f) => /NULL pointer dereference/.test(f.message)), r.findings.map((f) => f.message).join('\n'));
  });

  it('analyses: diagnostics with fixes and doc links, entry points, allocation sizes', () => {
    const s = new KernelSession();
    const r = ask<AnalyzeReply>(s, { type: 'analyze', document: 'file:///test_mem.c', source: source(TEST_MEM), analyze: true });
    assert.equal(r.analyzed, true);
    const nullChecks = r.diagnostics.filter((d) => d.rule === 'null-check');
    assert.deepEqual(nullChecks.map((d) => d.range.start.line), [21, 28, 35]);
    assert.ok(nullChecks.every((d) => d.code === 'KM3002' && d.fixes.length > 0 && d.docUrl));
    assert.deepEqual([r.init?.start, r.exit?.start], [{ line: 15, column: 5 }, { line: 48, column: 6 }]);
    assert.deepEqual(r.allocations.map((a) => [a.fn, a.size, a.family, a.range.start.line]), [
      ['kmalloc', 56, 'kmalloc', 20],
      ['kmalloc', 56, 'kmalloc', 27],
      ['vmalloc', 56, 'vmalloc', 34],
    ]);
    const facts = ask<AnalyzeReply>(s, { type: 'analyze', document: 'file:///test_mem.c', source: source(TEST_MEM), analyze: false });
    assert.equal(facts.analyzed, false);
    assert.equal(facts.diagnostics.filter((d) => d.rule).length, 0);
  });

  it('finds module_init()/module_exit() functions and reads local includes', () => {
    const s = new KernelSession();
    const text = '#include <linux/module.h>\n#include "p.h"\nstatic int __init\nhello_init(void) { return P; }\nstatic void __exit hello_exit(void) {}\nmodule_init(hello_init);\nmodule_exit(hello_exit);\nMODULE_LICENSE("GPL");\n';
    const r = ask<AnalyzeReply>(s, { type: 'analyze', document: 'x', source: source(text, 'hello.c', { 'p.h': '#define P 0\n' }), analyze: true });
    assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error'), []);
    assert.deepEqual([r.init?.start.line, r.init?.start.column, r.exit?.start.line], [4, 1, 5]);
  });

  it('sends the API table for hovers', () => {
    const r = ask<FromWorker & { type: 'api-table' }>(new KernelSession(), { type: 'api-table' });
    const kmalloc = r.apis.find((a) => a.name === 'kmalloc');
    assert.equal(kmalloc?.header, 'linux/slab.h');
    assert.equal(kmalloc?.sleeps, 'gfp');
  });

  it('has a snapshot only while a machine is kept', () => {
    const s = new KernelSession();
    assert.equal(ask<FromWorker & { type: 'snapshot' }>(s, { type: 'snapshot' }).snapshot, undefined);
    ask<KernelReply>(s, { type: 'load', source: source(TEST_MEM), settings: {} });
    const snap = ask<FromWorker & { type: 'snapshot' }>(s, { type: 'snapshot' }).snapshot as { ramBytes: number };
    assert.equal(snap.ramBytes, 128 << 20);
  });

  it('never throws on garbage: any text gets a reply', () => {
    const s = new KernelSession();
    for (const text of ['', '}}}{{{', '#include <linux/module.h>\nint init_module(void) { int *p = 0; return *p; }\n', '\u0000\uffff']) {
      const a = s.handle({ type: 'analyze', id: 1, document: 'x', source: source(text), analyze: true });
      assert.equal(a.type, 'analyze');
      const l = s.handle({ type: 'load', id: 2, source: source(text), settings: {} });
      assert.equal(l.type, 'kernel');
    }
  });
});
