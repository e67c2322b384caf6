#!/usr/bin/env node
// Kernel Module Lab against gcc -O0 on kernel-style workloads. Each workload is a kernel module
// (bench/workloads/NAME.c) with a user-space twin of identical logic (NAME.user.c, built against
// kshim.h). Both are run in the same invocation and the ratio kmodlab / gcc -O0 is reported, since
// absolute times on shared machines are noisy. The checksum line of both must be identical.
//
//   node bench/run.mjs [--small] [--runs N] [--only NAME] [--config full|default] [--json FILE]
//
// kmodlab is timed in-process (front end + boot + insmod + rmmod of the module, via the core's
// runModule) from an esbuild bundle of src/core; gcc's binary is timed as a process, with the
// start-up of an empty C program subtracted. Medians of N runs. No timing assertions anywhere.

import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const WORK = path.join(HERE, 'workloads');
const CACHE = path.join(HERE, '.cache');

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const small = args.includes('--small');
const runs = Number(opt('--runs', '3'));
const only = opt('--only', undefined);
const config = opt('--config', 'default');
const jsonOut = opt('--json', undefined);

fs.mkdirSync(CACHE, { recursive: true });

// Bundle the core once (esbuild is a devDependency).
const bundle = path.join(CACHE, 'core.cjs');
const require = createRequire(import.meta.url);
const esbuild = require('esbuild');
esbuild.buildSync({ entryPoints: [path.join(ROOT, 'src/core/index.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: bundle, logLevel: 'error' });
const core = require(bundle);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function timeProcess(exe) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(exe, [], { encoding: 'utf8' });
  const t1 = process.hrtime.bigint();
  if (r.status !== 0) throw new Error(`${exe} exited ${r.status}: ${r.stderr}`);
  return { secs: Number(t1 - t0) / 1e9, out: r.stdout };
}

function gccBuild(src, out, flags) {
  execFileSync('gcc', [...flags, ...(small ? ['-DSMALL'] : []), '-I', WORK, '-o', out, src], { stdio: 'inherit' });
}

function kmodlabRun(file) {
  const text = fs.readFileSync(file, 'latin1');
  const t0 = process.hrtime.bigint();
  const r = core.runModule({ fileName: path.basename(file), text, unload: true, config, softLockupSeconds: 1e12, defines: small ? { SMALL: '1' } : undefined });
  const t1 = process.hrtime.bigint();
  if (r.buildErrors.length) throw new Error(`${file}: ${r.buildErrors.map((d) => d.message).join('; ')}`);
  const log = r.booted.log('dmesg').map((l) => l.replace(/^\[\s*\d+\.\d+\] /, ''));
  const findings = r.booted.kernel.findings.map((f) => f.message);
  return { secs: Number(t1 - t0) / 1e9, log, findings };
}

const empty = path.join(CACHE, 'empty.c');
fs.writeFileSync(empty, 'int main(void) { return 0; }\n');
gccBuild(empty, path.join(CACHE, 'empty'), ['-O0']);
const startup = median(Array.from({ length: 5 }, () => timeProcess(path.join(CACHE, 'empty')).secs));

const emptyModule = path.join(CACHE, 'empty_module.c');
fs.writeFileSync(emptyModule, '#include <linux/module.h>\nMODULE_LICENSE("GPL");\nint init_module(void) { return 0; }\nvoid cleanup_module(void) { }\n');
const overhead = median(Array.from({ length: 3 }, () => kmodlabRun(emptyModule).secs));

const names = fs.readdirSync(WORK).filter((n) => n.endsWith('.c') && !n.endsWith('.user.c')).map((n) => n.slice(0, -2)).filter((n) => !only || n === only).sort();
const rows = [];
for (const name of names) {
  const exe = path.join(CACHE, `${name}${small ? '.small' : ''}.O0`);
  gccBuild(path.join(WORK, `${name}.user.c`), exe, ['-O0']);
  const exe2 = path.join(CACHE, `${name}${small ? '.small' : ''}.O2`);
  gccBuild(path.join(WORK, `${name}.user.c`), exe2, ['-O2']);
  const g = Array.from({ length: runs }, () => timeProcess(exe));
  const g2 = Array.from({ length: runs }, () => timeProcess(exe2));
  const k = Array.from({ length: runs }, () => kmodlabRun(path.join(WORK, `${name}.c`)));
  const want = g[0].out.trim().split('\n').find((l) => /checksum=/.test(l));
  const got = k[0].log.find((l) => /checksum=/.test(l));
  const gccS = Math.max(1e-6, median(g.map((x) => x.secs)) - startup);
  const gccO2 = Math.max(1e-6, median(g2.map((x) => x.secs)) - startup);
  const kS = median(k.map((x) => x.secs));
  rows.push({
    name, gccO0: gccS, gccO2, kmodlab: kS, kmodlabRun: Math.max(1e-6, kS - overhead),
    ratio: kS / gccS, ratioRun: Math.max(1e-6, kS - overhead) / gccS,
    check: want === got ? 'ok' : `MISMATCH gcc:"${want}" kmodlab:"${got}"`, findings: k[0].findings,
  });
}

const fmt = (x, d = 3) => x.toFixed(d).padStart(9);
console.log(`Kernel Module Lab vs gcc -O0 (${small ? 'small' : 'full'} sizes, median of ${runs}, kernel config '${config}')`);
console.log(`process start-up subtracted from gcc: ${(startup * 1000).toFixed(1)} ms; kmodlab fixed cost (front end, boot, insmod/rmmod of an empty module): ${(overhead * 1000).toFixed(1)} ms`);
console.log('');
console.log('workload          gcc -O0 s  gcc -O2 s  kmodlab s   x gcc-O0  x gcc-O0 (run only)  check');
for (const r of rows) {
  console.log(`${r.name.padEnd(16)}${fmt(r.gccO0)}  ${fmt(r.gccO2)}  ${fmt(r.kmodlab)}  ${fmt(r.ratio, 1)}  ${fmt(r.ratioRun, 1)}            ${r.check}`);
}
const geo = (xs) => Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);
console.log(`${'geometric mean'.padEnd(16)}${' '.repeat(33)}${fmt(geo(rows.map((r) => r.ratio)), 1)}  ${fmt(geo(rows.map((r) => r.ratioRun)), 1)}`);
for (const r of rows) if (r.findings.length) console.log(`note: ${r.name}: the emulated kernel reported: ${r.findings.join(' | ')}`);
if (jsonOut) fs.writeFileSync(jsonOut, JSON.stringify({ small, runs, config, startup, overhead, rows }, null, 1));
if (rows.some((r) => r.check !== 'ok')) process.exitCode = 1;
