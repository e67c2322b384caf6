// `npm test`: the build, the type check, the lint and every mocha suite, in that order, each run
// even when an earlier one failed so one run shows every problem. The last line printed is always
// `N passed, N failed`: the mocha tests of all suites plus one test per static check (build,
// typecheck, lint). Exits non-zero if anything failed or if no mocha test ran at all.
//
// A suite whose files cannot even be loaded (a test importing a module that does not compile yet)
// is re-run file by file, so one broken file costs one failure instead of hiding the whole suite.
// Environment: UPDATE_GOLDEN=1 is passed through to the golden tests; KMODLAB_SUITE_TIMEOUT (seconds,
// default 600) bounds each mocha run, so an endless loop in the interpreter cannot stall CI.
// KMODLAB_E2E=1 (set by .ci/run) also runs the e2e suite (`npm run test:e2e`: the packaged
// extension in a real VS Code, code-server + Chromium; it installs them on first use) and adds its
// tests to the summary; without it the summary says the e2e suite was skipped.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MOCHA = path.join(ROOT, 'node_modules', 'mocha', 'bin', 'mocha.js');
const REPORTER = path.join(ROOT, 'scripts', 'mocha-stats-reporter.cjs');
const SUITE_TIMEOUT_MS = Number(process.env.KMODLAB_SUITE_TIMEOUT || 600) * 1000;
/** The e2e run: a cold install of code-server and Chromium takes minutes, the tests under one. */
const E2E_TIMEOUT_MS = 15 * 60 * 1000;

/** Mocha suites: a name and the folder whose `*.test.ts` files (recursively) it runs. */
const SUITES = [
  ['unit', 'test/unit'],
  ['golden', 'test/golden'],
];

/** Static checks, one test each in the summary. `npm run` keeps package.json the one definition. */
const CHECKS = [
  ['build', ['run', '--silent', 'build']],
  ['typecheck', ['run', '--silent', 'typecheck']],
  ['lint', ['run', '--silent', 'lint']],
];

/** Runs npm with `args`, reusing the npm that started us when there is one. */
function npm(args) {
  const npmCli = process.env.npm_execpath;
  const [cmd, argv] = npmCli && npmCli.endsWith('.js') ? [process.execPath, [npmCli, ...args]] : ['npm', args];
  return spawnSync(cmd, argv, { cwd: ROOT, stdio: 'inherit', shell: process.platform === 'win32' });
}

/** Every `*.test.ts` under `dir`, sorted, as paths relative to the project root. */
function testFiles(dir) {
  const abs = path.join(ROOT, dir);
  if (!fs.existsSync(abs)) return [];
  const out = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.test.ts')) out.push(path.relative(ROOT, p));
    }
  };
  walk(abs);
  return out.sort();
}

/**
 * Runs mocha on `files` and returns its counts, or `undefined` when mocha never got to run tests
 * (a file failed to load) or was killed for taking too long (then `timedOut` is set).
 */
function mocha(files, statsFile) {
  fs.rmSync(statsFile, { force: true });
  const r = spawnSync(process.execPath, [MOCHA, '--reporter', REPORTER, ...files], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, KMODLAB_TEST_STATS: statsFile },
    timeout: SUITE_TIMEOUT_MS,
    killSignal: 'SIGKILL',
  });
  if (r.error?.code === 'ETIMEDOUT' || r.signal) return { timedOut: true };
  if (!fs.existsSync(statsFile)) return undefined;
  const stats = JSON.parse(fs.readFileSync(statsFile, 'utf8'));
  // Mocha exits non-zero on failures it already counted; any other non-zero exit is a failure too.
  if (r.status !== 0 && stats.failures === 0) stats.failures = 1;
  return stats;
}

const results = [];
let passed = 0;
let failed = 0;
let mochaTests = 0;

for (const [name, args] of CHECKS) {
  console.log(`\n> ${name}`);
  const r = npm(args);
  const ok = r.status === 0;
  results.push(`${name.padEnd(10)} ${ok ? 'ok' : 'FAILED'}`);
  if (ok) passed++;
  else failed++;
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kmodlab-test-'));
try {
  for (const [name, dir] of SUITES) {
    const files = testFiles(dir);
    console.log(`\n> mocha ${name} (${files.length} files)`);
    if (files.length === 0) {
      results.push(`${name.padEnd(10)} no test files`);
      continue;
    }
    const statsFile = path.join(tmp, `${name}.json`);
    let stats = mocha(files, statsFile);
    const notes = [];
    if (stats === undefined) {
      // A file threw while loading: run each file alone to see which, and keep the others' results.
      console.log(`\n> mocha ${name}: a file failed to load; running the ${files.length} files one by one`);
      stats = { passes: 0, failures: 0, pending: 0 };
      for (const f of files) {
        const s = mocha([f], statsFile);
        if (s === undefined || s.timedOut) {
          stats.failures++;
          notes.push(`${s?.timedOut ? 'timed out' : 'failed to load'}: ${f}`);
          continue;
        }
        stats.passes += s.passes;
        stats.failures += s.failures;
        stats.pending += s.pending;
      }
    } else if (stats.timedOut) {
      stats = { passes: 0, failures: 1, pending: 0 };
      notes.push(`timed out after ${SUITE_TIMEOUT_MS / 1000} s`);
    }
    passed += stats.passes;
    failed += stats.failures;
    mochaTests += stats.passes + stats.failures;
    const pending = stats.pending ? `, ${stats.pending} pending` : '';
    results.push(`${name.padEnd(10)} ${stats.passes} passed, ${stats.failures} failed${pending}`);
    for (const n of notes) results.push(`${''.padEnd(10)} ${n}`);
  }
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}

// The e2e suite: its own runner (node --test) reports its counts through a stats file.
if (process.env.KMODLAB_E2E === '1') {
  console.log('\n> e2e (test/e2e: the packaged extension in code-server + Chromium)');
  const statsFile = path.join(os.tmpdir(), `kmodlab-e2e-${process.pid}.json`);
  fs.rmSync(statsFile, { force: true });
  const r = spawnSync(process.execPath, [path.join(ROOT, 'test', 'e2e', 'run.mjs')], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, KMODLAB_E2E_STATS: statsFile },
    timeout: E2E_TIMEOUT_MS,
    killSignal: 'SIGKILL',
  });
  const stats = fs.existsSync(statsFile) ? JSON.parse(fs.readFileSync(statsFile, 'utf8')) : { passes: 0, failures: 1 };
  fs.rmSync(statsFile, { force: true });
  if (r.signal && stats.failures === 0) stats.failures = 1;
  passed += stats.passes;
  failed += stats.failures;
  results.push(`${'e2e'.padEnd(10)} ${stats.passes} passed, ${stats.failures} failed${r.signal ? ` (stopped after ${E2E_TIMEOUT_MS / 1000} s)` : ''}`);
} else {
  results.push(`${'e2e'.padEnd(10)} skipped (KMODLAB_E2E=1 runs it; npm run test:e2e alone)`);
}

if (mochaTests === 0) {
  results.push('no mocha test ran');
  failed++;
}

console.log('\nSummary');
for (const line of results) console.log(`  ${line}`);
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
