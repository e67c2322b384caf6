// `npm run fuzz [-- --seed N] [--seconds S] [--hang-seconds H]`: the fuzzer for longer than the test
// suite does, with any seed. It runs the pathological inputs, then mutated corpus files and
// generated modules until the time is up, and prints the report. Before each input it writes the
// input to test-results/fuzz-current.c, so an input that truly hangs (and never returns) can be
// replayed after the run is stopped. Exits 1 when anything crashed, failed internally or hung.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatReport, fuzz } from './harness';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(v) ? v : fallback;
}

const seed = flag('seed', Date.now() % 1_000_000);
const seconds = flag('seconds', 600);
const hangSeconds = flag('hang-seconds', 60);
const outDir = path.join(__dirname, '..', '..', 'test-results');
fs.mkdirSync(outDir, { recursive: true });
const current = path.join(outDir, 'fuzz-current.c');

console.log(`fuzzing with seed ${seed} for ${seconds} s (hang budget ${hangSeconds} s per input)`);
const started = Date.now();
const report = fuzz({
  seed,
  // The time limit ends the run; the counts only keep fast-check from stopping earlier.
  mutations: 1e9,
  generated: 1e9,
  pathological: true,
  hangBudgetMs: hangSeconds * 1000,
  timeLimitMs: seconds * 1000,
  onInput: (input) => fs.writeFileSync(current, input.text),
});
console.log(formatReport(report).join('\n'));
console.log(`seed ${seed}, ${Math.round((Date.now() - started) / 1000)} s`);
const failed = [...report.crashes, ...report.internalErrors].map((p) => p.input).concat(report.hangs.map((h) => h.input));
failed.slice(0, 20).forEach((input, i) => fs.writeFileSync(path.join(outDir, `fuzz-failure-${i + 1}.c`), input.text));
if (failed.length) console.log(`failing inputs written to test-results/fuzz-failure-*.c`);
process.exitCode = failed.length ? 1 : 0;
