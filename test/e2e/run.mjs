// `npm run test:e2e`: installs what the e2e suite needs (setup.sh, idempotent), packages the
// extension (npm run package → kmodlab.vsix) and runs the UI test in code-server + Chromium.
// Prints the node test runner's report, writes test-results/e2e-junit.xml, and ends with
// `N passed, N failed`. With KMODLAB_E2E_STATS=<file> it also writes {passes, failures} there,
// which is how scripts/test.mjs (npm test) adds the e2e tests to its summary.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const ARTIFACTS = path.resolve(process.env.E2E_ARTIFACTS || path.join(ROOT, 'test-results'));
const TESTS = ['test/e2e/ui.test.mjs', 'test/e2e/abuse.test.mjs', 'test/e2e/memmap.test.mjs', 'test/e2e/escape.test.mjs', 'test/e2e/debug.test.mjs', 'test/e2e/exthost.test.mjs'];

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, E2E_ARTIFACTS: ARTIFACTS } });
  return r.status === 0;
}

function finish(passes, failures) {
  if (process.env.KMODLAB_E2E_STATS) fs.writeFileSync(process.env.KMODLAB_E2E_STATS, JSON.stringify({ passes, failures }));
  console.log(`${passes} passed, ${failures} failed`);
  process.exitCode = failures > 0 || passes === 0 ? 1 : 0;
}

fs.mkdirSync(ARTIFACTS, { recursive: true });
const started = Date.now();
if (!run('bash', [path.join(HERE, 'setup.sh')])) {
  console.error('e2e: setup failed (apt chromium, npm ci of code-server and playwright-core)');
  finish(0, 1);
} else if (!run('npm', ['run', '--silent', 'package'])) {
  console.error('e2e: npm run package failed');
  finish(0, 1);
} else {
  const tap = path.join(ARTIFACTS, 'e2e.tap');
  fs.rmSync(tap, { force: true });
  run(process.execPath, [
    '--test',
    '--test-concurrency=1',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${tap}`,
    '--test-reporter=junit',
    `--test-reporter-destination=${path.join(ARTIFACTS, 'e2e-junit.xml')}`,
    ...TESTS,
  ]);
  const text = fs.existsSync(tap) ? fs.readFileSync(tap, 'utf8') : '';
  const count = (name) => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
  const failures = count('fail') + count('cancelled') + (text ? 0 : 1);
  console.log(`e2e took ${Math.round((Date.now() - started) / 1000)} s; screenshots and logs in ${path.relative(ROOT, ARTIFACTS) || '.'}/`);
  finish(count('pass'), failures);
}
