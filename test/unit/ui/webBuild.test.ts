// The web build (package.json `browser`): the extension and its kernel Web Worker must run without
// Node. The worker bundle is run here in a bare V8 context that has only a Web Worker's `self`
// (no require, process, Buffer or module), and it must load test_mem.c; the web extension bundle
// may require nothing but `vscode`.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vm from 'node:vm';
import * as esbuild from 'esbuild';
import type { FromWorker, KernelReply, ToWorker } from '../../../src/protocol/kernel';

const ROOT = path.join(__dirname, '..', '..', '..');

async function bundle(entry: string, format: 'iife' | 'cjs'): Promise<string> {
  const r = await esbuild.build({ entryPoints: [path.join(ROOT, entry)], bundle: true, write: false, platform: 'browser', format, target: 'es2022', external: ['vscode'], logLevel: 'silent' });
  return r.outputFiles[0].text;
}

describe('ui/web build', function () {
  this.timeout(60000);

  it('runs the kernel Web Worker without Node: test_mem.c loads', async () => {
    const code = await bundle('src/ui/web/kernelWorker.ts', 'iife');
    const replies: FromWorker[] = [];
    const self: { onmessage: ((ev: { data: ToWorker }) => void) | null; postMessage(m: FromWorker): void } = {
      onmessage: null,
      postMessage: (m) => replies.push(m),
    };
    // Only what a dedicated worker scope offers that the bundle could use.
    const context = vm.createContext({ self, console, TextEncoder, TextDecoder });
    vm.runInContext(code, context);
    assert.equal(typeof self.onmessage, 'function');
    const text = fs.readFileSync(path.join(ROOT, 'examples', 'test_mem.c'), 'utf8');
    self.onmessage!({ data: { type: 'load', id: 7, source: { fileName: 'test_mem.c', text, locals: {} }, settings: {} } });
    const reply = replies[0] as KernelReply;
    assert.equal(reply.inReplyTo, 7);
    assert.ok(reply.log.some((l) => l.endsWith('Person: roman3; weight: 390; gender: Male')), JSON.stringify(reply).slice(0, 500));
  });

  it('the web extension bundle requires nothing but vscode', async () => {
    const code = await bundle('src/ui/web/extension.ts', 'cjs');
    const required = new Set([...code.matchAll(/\brequire\(["']([^"']+)["']\)/g)].map((m) => m[1]));
    assert.deepEqual([...required], ['vscode']);
  });
});
