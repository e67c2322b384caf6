// `kmodlab run` and `kmodlab shell` as child processes, the way a student and CI run them (through
// tsx, so no build is needed): the transcript of a fixture, the sibling module, the exit status,
// and a prompt session on a pipe.

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..', '..');

function kmodlab(input: string | undefined, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'cli.ts'), ...args], { cwd: ROOT, encoding: 'utf8', input });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('kmodlab run and kmodlab shell', function () {
  this.timeout(60000);

  it('run prints a fixture\'s transcript, with the script\'s sibling .c as the module', () => {
    const r = kmodlab(undefined, 'run', 'test/fixtures/insmod_twice.sh');
    assert.equal(r.stdout, fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'insmod_twice.out'), 'utf8'));
    assert.equal(r.status, 0);
  });

  it('run exits with the status of the last line, and --module names the module', () => {
    const script = path.join(ROOT, 'test', 'fixtures', 'rmmod_not_loaded.sh');
    const r = kmodlab(undefined, 'run', script, '--module', 'test/fixtures/insmod_twice.c');
    assert.equal(r.status, 127);
    assert.match(r.stdout, /^# ls\ninsmod_twice\.ko$/m);
  });

  it('shell reads lines from a pipe, prompts, and exits with exit\'s status', () => {
    const r = kmodlab('insmod insmod_twice.ko\nlsmod\nexit 3\necho never\n', 'shell', 'test/fixtures/insmod_twice.c');
    assert.equal(r.status, 3);
    assert.match(r.stdout, /^root@kmodlab:~# root@kmodlab:~# Module {18}Size {2}Used by\ninsmod_twice +\d+ +0\nroot@kmodlab:~# $/);
  });

  it('refuses a missing script', () => {
    const r = kmodlab(undefined, 'run', 'nope.sh');
    assert.equal(r.status, 2);
    assert.equal(r.stderr, 'kmodlab: cannot read nope.sh: No such file or directory\n');
  });
});
