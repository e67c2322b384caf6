// Golden tests for the analyzer: each analysis/{ok,err}/NAME.c is analyzed and the findings, in
// the TypeScript-baseline form (file(line,col): severity CODE: message, caret excerpt, related and
// fix lines), must equal the sibling NAME.diag. Fixtures are named after the rule they exercise;
// ok/ fixtures must produce an empty .diag. `UPDATE_GOLDEN=1 npm test` rewrites the .diag files;
// review them on the diff.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze, frontEnd, kernelHeaders, toBaseline } from '../../src/core/index';

const DIR = path.join(__dirname, 'analysis');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

export function analysisBaseline(file: string): string {
  const text = fs.readFileSync(file, 'latin1');
  const fe = frontEnd({ fileName: path.basename(file), text }, kernelHeaders());
  const internal: string[] = [];
  const out = toBaseline(analyze(fe, { debug: (m) => internal.push(m) }));
  return internal.length ? `${out}internal: ${internal.join('\ninternal: ')}\n` : out;
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
});
