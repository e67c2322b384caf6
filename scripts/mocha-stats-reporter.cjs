// A mocha reporter for scripts/test.mjs: prints exactly what the built-in `spec` reporter prints,
// and at the end writes the run's counts as JSON to the file named by KMODLAB_TEST_STATS, so the
// runner sums suites from numbers rather than by parsing human-readable output.
'use strict';

const fs = require('node:fs');
const Mocha = require('mocha');

const { EVENT_RUN_END } = Mocha.Runner.constants;

class StatsReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once(EVENT_RUN_END, () => {
      const out = process.env.KMODLAB_TEST_STATS;
      if (!out) return;
      const { passes, failures, pending, tests } = runner.stats;
      fs.writeFileSync(out, JSON.stringify({ passes, failures, pending, tests }));
    });
  }
}

module.exports = StatsReporter;
