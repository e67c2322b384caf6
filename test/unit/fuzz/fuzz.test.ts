// The fuzzer in the test suite: a fixed seed and a bounded number of inputs, so every run tries the
// same inputs on every machine. No input may crash the core, report an internal error, or run past
// the hang budget (generous: a failure criterion for endless work, not a speed requirement).
// `npm run fuzz` runs the same harness longer with any seed; the README's Fuzzing section has the
// figures. Each pathological input that once broke the core has its own regression test below.

import { strict as assert } from 'node:assert';
import { formatReport, fuzz, newReport, tryInput } from '../../fuzz/harness';
import type { FuzzReport } from '../../fuzz/harness';
import { pathologicalInputs } from '../../fuzz/inputs';

/** Generous: the slowest input (the 100,000-case switch) takes a few seconds on a loaded CI machine. */
const HANG_BUDGET_MS = 60_000;

function assertClean(r: FuzzReport): void {
  const summary = formatReport(r).join('\n');
  assert.deepEqual(r.crashes.map((c) => `${c.stage} on ${c.input.name}: ${c.message}`), [], summary);
  assert.deepEqual(r.internalErrors.map((c) => `${c.stage} on ${c.input.name}: ${c.message}`), [], summary);
  assert.deepEqual(r.hangs.map((h) => h.input.name), [], summary);
}

describe('fuzzing the core (fixed seed)', function () {
  this.timeout(600_000);

  it('mutated corpus files and generated modules: no crash, internal error or hang', () => {
    const r = fuzz({ seed: 20261125, mutations: 80, generated: 40, pathological: false, hangBudgetMs: HANG_BUDGET_MS });
    assert.equal(r.inputs, 120);
    assertClean(r);
  });

  for (const input of pathologicalInputs()) {
    it(`pathological: ${input.name}`, () => {
      const r = newReport();
      tryInput(input, r, HANG_BUDGET_MS, 22);
      assertClean(r);
    });
  }
});
