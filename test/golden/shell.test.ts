// Golden shell sessions: each test/fixtures/NAME.sh runs on a fresh machine whose /root holds
// NAME.ko (built from NAME.c, when there is one), exactly as `kmodlab run NAME.sh` does, and the
// transcript (every line echoed as `# line`, then its output) must equal NAME.out.
// `UPDATE_GOLDEN=1 npm test` rewrites the .out files; review them on the diff.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bootShell, runScript } from '../../src/core/index';
import type { ShellModule } from '../../src/core/index';

const DIR = path.join(__dirname, '..', 'fixtures');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

/** The transcript of `NAME.sh` with `NAME.c` as the module, as `kmodlab run` prints it. */
export function shellTranscript(script: string): string {
  const source = script.replace(/\.sh$/, '.c');
  const modules: ShellModule[] = fs.existsSync(source) ? [{ fileName: path.basename(source), text: fs.readFileSync(source, 'latin1') }] : [];
  return runScript(bootShell(modules), fs.readFileSync(script, 'utf8')).transcript;
}

describe('golden shell sessions (test/fixtures/*.sh)', () => {
  const scripts = fs.existsSync(DIR) ? fs.readdirSync(DIR).filter((n) => n.endsWith('.sh')).sort() : [];
  for (const f of scripts) {
    it(f, function () {
      this.timeout(30000);
      const script = path.join(DIR, f);
      const golden = script.replace(/\.sh$/, '.out');
      const got = shellTranscript(script);
      if (UPDATE) {
        fs.writeFileSync(golden, got);
        return;
      }
      if (!fs.existsSync(golden)) assert.fail(`missing golden file ${path.basename(golden)} (run with UPDATE_GOLDEN=1 to create it)`);
      assert.equal(got, fs.readFileSync(golden, 'utf8'));
    });
  }
});
