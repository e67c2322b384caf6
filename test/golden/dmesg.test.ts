// Golden tests for whole runs: each fixtures/NAME.c is loaded (and unloaded) as its `// @run:`
// line says, and the kernel log plus insmod/rmmod's messages must equal fixtures/NAME.dmesg.
// `UPDATE_GOLDEN=1 npm test` rewrites the .dmesg files; review them on the diff.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runModule } from '../../src/core/index';
import type { RunOptions } from '../../src/core/index';

const DIR = path.join(__dirname, 'fixtures');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

/** Turn `// @run: --unload --fail-nth 1 --param a=1` into run options. */
export function runOptions(text: string): Partial<RunOptions> {
  const m = /^\/\/ @run:(.*)$/m.exec(text);
  const words = (m?.[1] ?? '').trim().split(/\s+/).filter(Boolean);
  const opts: { -readonly [K in keyof RunOptions]?: RunOptions[K] } = {};
  const params: string[] = [];
  for (let i = 0; i < words.length; i++) {
    switch (words[i]) {
      case '--unload': opts.unload = true; break;
      case '--fail-nth': opts.failNth = Number(words[++i]); break;
      case '--param': params.push(words[++i]); break;
      case '--config': opts.config = words[++i] as RunOptions['config']; break;
      default: throw new Error(`unknown @run option ${words[i]}`);
    }
  }
  if (params.length) opts.params = params.join(' ');
  return opts;
}

export function transcript(file: string): string {
  const text = fs.readFileSync(file, 'latin1');
  const r = runModule({ fileName: path.basename(file), text, ...runOptions(text) });
  const out: string[] = [];
  for (const d of r.buildErrors) out.push(`build error: ${d.message}`);
  out.push(...(r.booted?.log('dmesg') ?? []));
  if (r.insmod) {
    out.push(...r.insmod.stderr);
    out.push(`insmod exit status: ${r.insmod.status}`);
  }
  if (r.rmmod) {
    out.push(...r.rmmod.stderr);
    out.push(`rmmod exit status: ${r.rmmod.status}`);
  }
  return out.join('\n') + '\n';
}

describe('golden dmesg transcripts', () => {
  for (const f of fs.readdirSync(DIR).filter((n) => n.endsWith('.c')).sort()) {
    it(f, function () {
      this.timeout(20000);
      const file = path.join(DIR, f);
      const golden = file.replace(/\.c$/, '.dmesg');
      const got = transcript(file);
      if (UPDATE || !fs.existsSync(golden)) {
        if (!UPDATE) assert.fail(`missing golden file ${path.basename(golden)} (run with UPDATE_GOLDEN=1 to create it)`);
        fs.writeFileSync(golden, got);
        return;
      }
      assert.equal(got, fs.readFileSync(golden, 'latin1'));
    });
  }
});
