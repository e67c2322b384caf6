// The kernel client against real worker threads (src/ui/kernelWorker.ts, bundled here as the
// extension's build bundles it): requests are answered in order, a burst of Loads runs one Load,
// an endless loop in the module leaves this thread free and ends in the soft-lockup report, and a
// worker that does not answer in time is replaced. Waits are on replies, never on sleeps.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { Cancelled, KernelClient, WorkerTimeout } from '../../../src/ui/kernelClient';
import { nodeWorker } from '../../../src/ui/nodeWorker';
import type { KernelReply, LoadRequest, ModuleSource } from '../../../src/protocol/kernel';

const ROOT = path.join(__dirname, '..', '..', '..');
const TEST_MEM = fs.readFileSync(path.join(ROOT, 'examples', 'test_mem.c'), 'utf8');
const source = (text: string): ModuleSource => ({ fileName: 'test_mem.c', text, locals: {} });
const load = (text: string, softLockupSeconds?: number): Omit<LoadRequest, 'id'> => ({ type: 'load', source: source(text), settings: { softLockupSeconds } });
/** An endless loop the soft-lockup watchdog stops after `seconds` of virtual time. */
const LOOPING = TEST_MEM.replace('return 0;', 'while (1) { }\nreturn 0;');

describe('ui/kernelClient with worker threads', function () {
  this.timeout(120000);
  let dir: string;
  let workerFile: string;
  const clients: KernelClient[] = [];
  const client = () => {
    const c = new KernelClient(() => nodeWorker(workerFile));
    clients.push(c);
    return c;
  };

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmodlab-worker-'));
    workerFile = path.join(dir, 'kernelWorker.js');
    await esbuild.build({ entryPoints: [path.join(ROOT, 'src', 'ui', 'kernelWorker.ts')], outfile: workerFile, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'silent' });
  });

  after(() => {
    for (const c of clients) c.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('loads test_mem.c in a worker thread and unloads it from the kept machine', async () => {
    const c = client();
    const l = await c.request(load(TEST_MEM));
    assert.equal(l.state, 'live');
    assert.ok(l.log.some((x) => x.endsWith('Person: roman1; weight: 130; gender: Male')));
    const u = await c.request({ type: 'unload' });
    assert.ok(u.log.some((x) => x.endsWith('freeing node roman3')));
    assert.equal(c.started, 1);
  });

  it('runs one Load for ten quick presses: the earlier ones are cancelled', async () => {
    const c = client();
    const settled: Promise<KernelReply | Error>[] = [];
    for (let i = 0; i < 10; i++) {
      // What ModuleRunner.load does before each request.
      if (c.busyWith) c.restart('a newer Load Module started');
      else c.cancelQueued(() => true);
      settled.push(c.request(load(TEST_MEM.replace('"roman1"', `"run${i}"`))).catch((e: Error) => e));
    }
    const results = await Promise.all(settled);
    const replies = results.filter((r): r is KernelReply => !(r instanceof Error));
    assert.equal(replies.length, 1);
    assert.ok(results.slice(0, 9).every((r) => r instanceof Cancelled));
    assert.ok(replies[0].log.some((x) => x.endsWith('Person: run9; weight: 130; gender: Male')));
    assert.equal(replies[0].state, 'live');
  });

  it('keeps this thread responsive while the module loops, and the loop ends in the soft-lockup report', async () => {
    const c = client();
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    try {
      const r = await c.request(load(LOOPING, 120));
      assert.equal(r.findings[0]?.rule, 'soft-lockup');
      // The event loop ran the whole time the emulated CPU was stuck.
      assert.ok(ticks > 5, `only ${ticks} ticks`);
    } finally {
      clearInterval(timer);
    }
  });

  it('answers analysis on a second worker while the kernel worker is busy', async () => {
    const kernel = client();
    const analysis = client();
    const looping = kernel.request(load(LOOPING, 600)).catch((e: Error) => e);
    const a = await analysis.request({ type: 'analyze', document: 'x', source: source(TEST_MEM), analyze: true });
    assert.equal(a.diagnostics.filter((d) => d.rule === 'null-check').length, 3);
    assert.equal(kernel.busyWith, 'load');
    kernel.restart('test over');
    assert.ok((await looping) instanceof Cancelled);
  });

  it('replaces a worker that does not answer in time, and the next request works', async () => {
    const c = client();
    await assert.rejects(c.request(load(LOOPING, 3600), 300), WorkerTimeout);
    const r = await c.request(load(TEST_MEM));
    assert.equal(r.state, 'live');
    assert.equal(c.started, 2);
  });

  it('drops a queued request that a newer one replaced', async () => {
    const c = client();
    const first = c.request({ type: 'analyze', document: 'a', source: source(TEST_MEM), analyze: false });
    const stale = c.request({ type: 'analyze', document: 'a', source: source(TEST_MEM), analyze: true }).catch((e: Error) => e);
    c.cancelQueued((m) => m.type === 'analyze' && m.document === 'a');
    const fresh = c.request({ type: 'analyze', document: 'a', source: source(TEST_MEM), analyze: true });
    assert.equal((await first).analyzed, false);
    assert.ok((await stale) instanceof Cancelled);
    assert.equal((await fresh).analyzed, true);
  });
});
