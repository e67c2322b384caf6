// Golden tests for the analyzer, the mode chosen by the sibling file:
// - analysis/{ok,err}/NAME.c + NAME.diag: the findings in the TypeScript-baseline form
//   (file(line,col): severity CODE: message, caret excerpt, related and fix lines); ok/ fixtures
//   must produce an empty .diag.
// - analysis/fix/NAME.c + NAME.fixed.c: the source after applying the first fix of every finding.
// Fixtures are named after the rule they exercise. `UPDATE_GOLDEN=1 npm test` rewrites the expected
// files; review them on the diff.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze, frontEnd, kernelHeaders, toBaseline } from '../../src/core/index';
import type { TextEdit } from '../../src/core/index';

const DIR = path.join(__dirname, 'analysis');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

export function analysisBaseline(file: string): string {
  const text = fs.readFileSync(file, 'latin1');
  const fe = frontEnd({ fileName: path.basename(file), text }, kernelHeaders());
  const internal: string[] = [];
  const out = toBaseline(analyze(fe, { debug: (m) => internal.push(m) }));
  return internal.length ? `${out}internal: ${internal.join('\ninternal: ')}\n` : out;
}

/** The source with the first fix of every finding applied (edits applied from the end backwards). */
export function fixedSource(file: string): string {
  const text = fs.readFileSync(file, 'latin1');
  const fe = frontEnd({ fileName: path.basename(file), text }, kernelHeaders());
  const edits: TextEdit[] = [];
  for (const d of analyze(fe)) if (d.fixes.length) edits.push(...d.fixes[0].edits);
  edits.sort((a, b) => b.span.start - a.span.start);
  let out = text;
  for (const e of edits) out = out.slice(0, e.span.start) + e.newText + out.slice(e.span.end);
  return out;
}

describe('golden analyzer baselines', () => {
  for (const kind of ['err', 'ok']) {
    const dir = path.join(DIR, kind);
    for (const name of fs.readdirSync(dir).filter((f) => f.endsWith('.c')).sort()) {
      it(`${kind}/${name}`, () => {
        const file = path.join(dir, name);
        const diag = file.replace(/\.c$/, '.diag');
        const actual = analysisBaseline(file);
        if (UPDATE || !fs.existsSync(diag)) fs.writeFileSync(diag, actual);
        assert.equal(actual, fs.readFileSync(diag, 'utf8'));
        if (kind === 'ok') assert.equal(actual, '', 'ok/ fixtures have no findings');
        else assert.notEqual(actual, '', 'err/ fixtures have findings');
      });
    }
  }
  const fixDir = path.join(DIR, 'fix');
  for (const name of fs.readdirSync(fixDir).filter((f) => f.endsWith('.c') && !f.endsWith('.fixed.c')).sort()) {
    it(`fix/${name}`, () => {
      const file = path.join(fixDir, name);
      const fixed = file.replace(/\.c$/, '.fixed.c');
      const actual = fixedSource(file);
      if (UPDATE || !fs.existsSync(fixed)) fs.writeFileSync(fixed, actual);
      assert.equal(actual, fs.readFileSync(fixed, 'latin1'));
      assert.notEqual(actual, fs.readFileSync(file, 'latin1'), 'a fix was applied');
    });
  }
});
