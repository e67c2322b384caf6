// Every labelled corpus module builds, loads and unloads in the emulated kernel. A runtime finding
// is fine where the module has a bug; "not supported" and internal errors are failures. Modules
// whose bug kills insmod or rmmod (an Oops, as on Linux) are listed with the reason.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runModule } from '../../../src/core/index';

const DIR = path.join(__dirname, '..', '..', 'corpus');

/** Modules whose own bug ends a tool with an Oops: module → [insmod status, rmmod status]. */
const KILLED: Record<string, [number, number | undefined, string]> = {
  'fm01_vmalloc_kfree_global.c': [0, 137, 'exit kfree()s a vmalloc pointer: page fault in kfree'],
  'fm07_helper_returns_vzalloc.c': [137, undefined, 'init kfree()s a vzalloc pointer: page fault in kfree'],
  'uaf01_list_foreach_kfree.c': [0, 137, 'exit reads a freed list node: KASAN report, then the poisoned pointer faults'],
};

describe('corpus modules run in the emulated kernel', () => {
  const files = fs.existsSync(DIR) ? fs.readdirSync(DIR).filter((f) => f.endsWith('.c')).sort() : [];
  it('has the corpus', () => assert.ok(files.length >= 20, `expected the labelled corpus in ${DIR}`));
  for (const f of files) {
    it(f, () => {
      const r = runModule({ fileName: f, text: fs.readFileSync(path.join(DIR, f), 'latin1'), unload: true });
      assert.deepEqual(r.buildErrors.map((d) => d.message), [], 'builds');
      const findings = r.booted?.kernel.findings ?? [];
      assert.deepEqual(findings.filter((x) => x.rule === 'internal-error').map((x) => x.message), []);
      const [ins, rm] = KILLED[f] ?? [0, 0];
      assert.equal(r.insmod?.status, ins, 'insmod status');
      assert.equal(r.rmmod?.status, rm, 'rmmod status');
    });
  }
});
