// Whole programs: the interpreter's output must equal what the same C code printed when compiled
// by gcc -O0 for user space (fixtures/NAME.c with fixtures/NAME.gcc.txt).

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runModule } from '../../../src/core/index';

const DIR = path.join(__dirname, 'fixtures');

describe('vm: programs print what gcc -O0 builds print', () => {
  for (const f of fs.readdirSync(DIR).filter((n) => n.endsWith('.c'))) {
    it(f, () => {
      const body = fs.readFileSync(path.join(DIR, f), 'latin1');
      const text = `#include <linux/module.h>\nMODULE_LICENSE("GPL");\n#define OUT(fmt, ...) printk(KERN_INFO fmt "\\n", ##__VA_ARGS__)\n${body}\nint init_module(void) { run(); return 0; }\nvoid cleanup_module(void) { }\n`;
      const r = runModule({ fileName: f, text });
      assert.deepEqual(r.buildErrors.map((d) => d.message), []);
      const out = (r.booted?.log('dmesg') ?? []).map((l) => l.replace(/^\[\s*\d+\.\d+\] /, '')).filter((l) => !/taints kernel|tainting kernel/.test(l));
      const want = fs.readFileSync(path.join(DIR, f.replace(/\.c$/, '.gcc.txt')), 'latin1').trimEnd().split('\n');
      assert.deepEqual(out, want);
    });
  }
});
