// Golden tests for whole runs: each fixtures/NAME.c is loaded (and unloaded) as its `// @run:`
// line says, and the kernel log plus insmod/rmmod's messages must equal fixtures/NAME.dmesg.
// `UPDATE_GOLDEN=1 npm test` rewrites the .dmesg files; review them on the diff.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { transcript } from './transcript';

const DIR = path.join(__dirname, 'fixtures');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

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
