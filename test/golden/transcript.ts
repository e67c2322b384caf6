// Runs a golden fixture as its `// @run:` line says and returns the transcript the golden files
// hold: the kernel log, then insmod's and rmmod's messages and exit statuses.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { runModule } from '../../src/core/index';
import type { RunOptions } from '../../src/core/index';

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

/** The run's transcript; `overrides` replace what the `// @run:` line says (the kernel config). */
export function transcript(file: string, overrides: Partial<RunOptions> = {}): string {
  const text = fs.readFileSync(file, 'latin1');
  const r = runModule({ fileName: path.basename(file), text, ...runOptions(text), ...overrides });
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
