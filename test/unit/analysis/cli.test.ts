// `kmodlab check`: the three output formats and the exit status, run as a child process the way
// CI and editors run it (through tsx, so no build is needed).

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..', '..');

function kmodlab(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'cli.ts'), ...args], { cwd: ROOT, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('kmodlab check', function () {
  this.timeout(60000);

  it('prints gcc-style findings and exits 1', () => {
    const r = kmodlab('check', 'examples/test_mem.c');
    assert.equal(r.status, 1);
    const lines = r.stdout.split('\n').filter((l) => /: warning: /.test(l));
    assert.deepEqual(lines.map((l) => l.replace(/: warning: .*\[/, ' [')), [
      'examples/test_mem.c:21:1 [null-check]',
      'examples/test_mem.c:28:1 [null-check]',
      'examples/test_mem.c:35:1 [null-check]',
    ]);
    assert.match(r.stdout, /examples\/test_mem\.c:20:14: note: kmalloc\(sizeof\(\*aNewPerson\), GFP_KERNEL\) can return NULL/);
    assert.match(r.stdout, /examples\/test_mem\.c:27:43: note: .*\[gfp-atomic-hint\]/);
  });

  it('exits 0 on a clean module', () => {
    const r = kmodlab('check', 'test/corpus/fm52_matching_pairs_ok.c');
    assert.equal(r.stdout, '');
    assert.equal(r.status, 0);
  });

  it('prints one JSON array for several files, positions 1-based', () => {
    const r = kmodlab('check', '--format', 'json', 'test/corpus/fm07_helper_returns_vzalloc.c', 'test/corpus/as01_spin_kmalloc.c');
    assert.equal(r.status, 1);
    const out = JSON.parse(r.stdout) as Record<string, unknown>[];
    assert.deepEqual(out.map((f) => [f.file, f.line, f.rule, f.code]), [
      ['test/corpus/fm07_helper_returns_vzalloc.c', 27, 'free-mismatch', 'KM3003'],
      ['test/corpus/as01_spin_kmalloc.c', 25, 'atomic-sleep', 'KM3001'],
    ]);
    for (const f of out) {
      for (const k of ['file', 'line', 'column', 'endLine', 'endColumn', 'severity', 'rule', 'code', 'message', 'related', 'fixes']) assert.ok(k in f, k);
    }
    const fm = out[0] as { column: number; endColumn: number; fixes: { edits: { newText: string }[] }[] };
    assert.equal(fm.column, 2);
    assert.equal(fm.endColumn, 10);
    assert.equal(fm.fixes[0].edits[0].newText, 'vfree');
  });

  it('prints SARIF 2.1.0', () => {
    const r = kmodlab('check', '--format=sarif', 'test/corpus/as16_conditional_lock.c');
    assert.equal(r.status, 1);
    const log = JSON.parse(r.stdout);
    assert.equal(log.version, '2.1.0');
    const run = log.runs[0];
    assert.equal(run.tool.driver.name, 'kmodlab');
    assert.equal(run.tool.driver.rules[0].id, 'atomic-sleep');
    assert.match(run.tool.driver.rules[0].helpUri, /^https:\/\/www\.kernel\.org\/doc\//);
    assert.equal(run.results[0].ruleId, 'atomic-sleep');
    assert.equal(run.results[0].level, 'warning');
    assert.deepEqual(run.results[0].locations[0].physicalLocation.region, { startLine: 29, startColumn: 6, endLine: 29, endColumn: 37 });
    assert.equal(run.results[0].locations[0].physicalLocation.artifactLocation.uri, 'test/corpus/as16_conditional_lock.c');
    assert.equal(run.results[0].relatedLocations[0].physicalLocation.region.startLine, 28);
  });

  it('rejects an unknown format and a missing file', () => {
    assert.equal(kmodlab('check', '--format', 'xml', 'x.c').status, 2);
    assert.equal(kmodlab('check').status, 2);
    const r = kmodlab('check', 'no/such/file.c');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /cannot read no\/such\/file\.c/);
  });
});
