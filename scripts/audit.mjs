// The dependency audit of CI: `npm audit --omit=dev --audit-level=high` on what the extension ships
// (its runtime dependencies, bundled into dist/). Exits 1 only when the registry answered and
// reported a high or critical advisory. When the registry is slow or unreachable (no answer within
// 60 s, a network error, or output that is not the audit report) it says so and exits 0: an outage
// must not fail CI, and the next run audits again.

import { spawnSync } from 'node:child_process';

const TIMEOUT_MS = 60_000;
const npmCli = process.env.npm_execpath;
const [cmd, pre] = npmCli && npmCli.endsWith('.js') ? [process.execPath, [npmCli]] : ['npm', []];
const r = spawnSync(cmd, [...pre, 'audit', '--omit=dev', '--audit-level=high', '--json'], { encoding: 'utf8', timeout: TIMEOUT_MS, maxBuffer: 64 << 20 });

let report;
try {
  report = JSON.parse(r.stdout);
} catch {
  report = undefined;
}
const counts = report?.metadata?.vulnerabilities;
if (r.error || !counts) {
  const why = r.error?.code === 'ETIMEDOUT' ? `no answer within ${TIMEOUT_MS / 1000} s` : (report?.error?.summary || report?.message || r.error?.message || 'no audit report');
  console.log(`dependency audit skipped: the registry could not be asked (${why})`);
  process.exit(0);
}
const serious = (counts.high ?? 0) + (counts.critical ?? 0);
console.log(`dependency audit (runtime dependencies): ${Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ')}`);
if (serious > 0) {
  for (const [name, v] of Object.entries(report.vulnerabilities ?? {})) {
    if (v.severity === 'high' || v.severity === 'critical') console.log(`  ${v.severity}: ${name} ${v.range ?? ''}`);
  }
  process.exit(1);
}
