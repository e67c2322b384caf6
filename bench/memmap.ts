// Memory map benchmark. Three measurements, medians of a few runs (no test asserts on time):
//
//  1. Recording cost: each workload of bench/workloads (-DSMALL sizes, config `default`) run
//     through front end, boot, insmod and rmmod without the memory map's recorder, with it (the
//     extension's worker attaches one to every Load), and with it tracing heap writes (every Load
//     after the memory map was first opened).
//  2. Snapshot build: a module with N live objects (a list of struct Person, every tenth one
//     vmalloc'd) for N = 100, 1,000, 10,000: the snapshot at the last step, the delta one step back
//     over its last allocation, and their JSON sizes.
//  3. Render: the webview bundle in headless Chromium (playwright-core from test/e2e), fed those
//     snapshots and deltas: time to build the DOM of the Objects tab and lay it out, and to apply
//     a delta and re-render. Skipped when test/e2e's node_modules or Chromium are missing.
//
//   npx tsx bench/memmap.ts [--runs N] [--write]     --write rewrites the tables in bench/MEMMAP.md
//   npx tsx bench/memmap.ts --render-only            snapshot build and render only
//
// The core is timed from an esbuild bundle (as the kernel worker runs it), not through tsx.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import type * as Core from '../src/core/index';
import type * as Memmap from '../src/core/memmap/index';
import type { MemmapDelta, MemmapSnapshot } from '../src/protocol/memoryMap';

const ROOT = path.join(__dirname, '..');

// Timed from an esbuild bundle of the core, as the extension's worker runs it (and bench/run.mjs).
const esbuild = require('esbuild') as typeof import('esbuild');
const CORE_BUNDLE = path.join(ROOT, 'bench', '.cache', 'memmap-core.cjs');
esbuild.buildSync({
  stdin: { contents: "export * from './src/core/index'; export * from './src/core/memmap/index';", resolveDir: ROOT, loader: 'ts' },
  bundle: true, platform: 'node', format: 'cjs', outfile: CORE_BUNDLE, logLevel: 'error',
});
const { bootKernel, frontEnd, insmod, kernelHeaders, rmmod, MemmapRecorder, memmapDelta, memmapSnapshot } = require(CORE_BUNDLE) as typeof Core & typeof Memmap;
const args = process.argv.slice(2);
const RUNS = Number(args[args.indexOf('--runs') + 1] || 3) || 3;
const SIZES = [100, 1_000, 10_000];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

type Recording = 'off' | 'watch' | 'trace';

/** Front end, boot, insmod (and rmmod), with no recorder, a recorder, or one tracing heap writes. */
function runOnce(text: string, fileName: string, recording: Recording, unload: boolean, defines?: Record<string, string>) {
  const t0 = process.hrtime.bigint();
  const fe = frontEnd({ fileName, text, readLocal: () => undefined, defines }, kernelHeaders());
  const booted = bootKernel({ config: 'default', softLockupSeconds: 1e12 });
  const rec = recording === 'off' ? undefined : new MemmapRecorder(booted, recording === 'trace');
  const ins = insmod(booted.kernel, fe, '');
  if (ins.status !== 0) throw new Error(`${fileName}: insmod failed: ${ins.stderr.join(' ')}`);
  if (unload) rmmod(booted.kernel, fe.moduleName);
  return { ms: ms(t0), rec, module: fe.moduleName };
}

function recordingCost(): string[] {
  const dir = path.join(ROOT, 'bench', 'workloads');
  const names = fs.readdirSync(dir).filter((n) => n.endsWith('.c') && !n.endsWith('.user.c')).sort();
  const out = [
    '| workload (-DSMALL) | no recorder ms | recorder ms (ratio) | recorder + traced writes ms (ratio) | steps | objects | versions |',
    '|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const name of names) {
    const text = fs.readFileSync(path.join(dir, name), 'latin1');
    const time = (recording: Recording) => {
      const runs = Array.from({ length: RUNS }, () => runOnce(text, name, recording, true, { SMALL: '1' }));
      return { ms: median(runs.map((r) => r.ms)), rec: runs[0].rec };
    };
    const plain = time('off').ms;
    const watch = time('watch');
    const trace = time('trace');
    const rec = watch.rec!;
    const versions = [...rec.objects.values()].reduce((n, o) => n + o.versions.length, 0);
    const cell = (t: number) => `${t.toFixed(0)} (${(t / plain).toFixed(2)})`;
    out.push(`| ${name.slice(0, -2)} | ${plain.toFixed(0)} | ${cell(watch.ms)} | ${cell(trace.ms)} | ${rec.steps.length}${rec.truncated ? ' (full)' : ''} | ${rec.objects.size} | ${versions} |`);
    console.error(out.at(-1));
  }
  return out;
}

/** A module that keeps `n` objects live: a list of struct Person, every tenth one vmalloc'd. */
function manyObjects(n: number): string {
  return `#include <linux/module.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/list.h>
#include <linux/string.h>
MODULE_LICENSE("GPL");
struct Person {
	char name[30];
	unsigned int weight;
	unsigned char gender;
	struct list_head list;
};
static LIST_HEAD(people);
static int __init many_init(void)
{
	int i;
	for (i = 0; i < ${n}; i++) {
		struct Person *p = i % 10 == 9 ? vmalloc(sizeof(*p)) : kmalloc(sizeof(*p), GFP_KERNEL);
		if (!p)
			return -ENOMEM;
		snprintf(p->name, sizeof(p->name), "person%d", i);
		p->weight = i;
		p->gender = i & 1;
		list_add_tail(&p->list, &people);
	}
	return 0;
}
static void __exit many_exit(void) { }
module_init(many_init);
module_exit(many_exit);
`;
}

interface Built {
  n: number;
  snapshot: MemmapSnapshot;
  delta: MemmapDelta;
  snapshotMs: number;
  deltaMs: number;
}

function snapshotBuild(): { table: string[]; built: Built[] } {
  const table = ['| live objects | snapshot ms | snapshot JSON | delta ms | delta JSON |', '|---:|---:|---:|---:|---:|'];
  const built: Built[] = [];
  for (const n of SIZES) {
    const { rec, module } = runOnce(manyObjects(n), 'many.c', 'trace', false);
    let snapshot!: MemmapSnapshot;
    let delta!: MemmapDelta;
    const snapTimes = Array.from({ length: RUNS }, () => {
      const t0 = process.hrtime.bigint();
      snapshot = memmapSnapshot(rec!, module);
      return ms(t0);
    });
    const lastAlloc = [...snapshot.events].reverse().find((e) => e.kind === 'alloc')!;
    const deltaTimes = Array.from({ length: RUNS }, () => {
      const t0 = process.hrtime.bigint();
      delta = memmapDelta(rec!, snapshot.at, lastAlloc.seq - 1);
      return ms(t0);
    });
    const b = { n, snapshot, delta, snapshotMs: median(snapTimes), deltaMs: median(deltaTimes) };
    built.push(b);
    const kb = (x: unknown) => `${(JSON.stringify(x).length / 1024).toFixed(0)} KiB`;
    table.push(`| ${n.toLocaleString('en')} | ${b.snapshotMs.toFixed(1)} | ${kb(snapshot)} | ${b.deltaMs.toFixed(2)} | ${kb(delta)} |`);
    console.error(table.at(-1));
  }
  return { table, built };
}

async function renderTimes(built: Built[]): Promise<string[]> {
  const e2eRequire = createRequire(path.join(ROOT, 'test', 'e2e', 'package.json'));
  let chromium: typeof import('playwright-core').chromium;
  try {
    chromium = e2eRequire('playwright-core').chromium;
  } catch (e) {
    return [`(render not measured: run test/e2e/setup.sh for playwright-core and Chromium: ${String(e).split('\n')[0]})`];
  }
  const bundle = esbuild.buildSync({ entryPoints: [path.join(ROOT, 'media', 'main.ts')], bundle: true, write: false, format: 'iife', minify: true, outdir: 'out' });
  const js = bundle.outputFiles.find((f) => f.path.endsWith('.js'))!.text;
  const css = bundle.outputFiles.find((f) => f.path.endsWith('.css'))!.text;
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', args: ['--no-sandbox'] });
  const table = ['| live objects | first render ms (Objects tab) | cards in the DOM | delta render ms |', '|---:|---:|---:|---:|'];
  try {
    for (const b of built) {
      const renders: number[] = [];
      const deltas: number[] = [];
      let cards = 0;
      for (let r = 0; r < RUNS; r++) {
        const page = await browser.newPage({ viewport: { width: 900, height: 900 } });
        await page.setContent(`<!DOCTYPE html><html><head><style>${css}</style></head><body><div id="app"></div></body></html>`);
        // tsx names the functions it compiles with an `__name` helper; the page needs it for ours.
        await page.evaluate(`window.__name = (f) => f; window.acquireVsCodeApi = () => ({ postMessage() {}, getState() { return undefined; }, setState() {} });`);
        await page.addScriptTag({ content: js });
        // A synchronous dispatch runs the webview's handler now; reading offsetHeight forces layout.
        const timing = (await page.evaluate(
          ([snapshot, delta]) => {
            const send = (data: unknown) => {
              const t0 = performance.now();
              window.dispatchEvent(new MessageEvent('message', { data }));
              void document.body.offsetHeight;
              return performance.now() - t0;
            };
            const first = send({ type: 'snapshot', snapshot });
            const step = send({ type: 'delta', delta });
            return { first, step, cards: document.querySelectorAll('.card').length };
          },
          [b.snapshot, b.delta] as const,
        )) as { first: number; step: number; cards: number };
        renders.push(timing.first);
        deltas.push(timing.step);
        cards = timing.cards;
        await page.close();
      }
      table.push(`| ${b.n.toLocaleString('en')} | ${median(renders).toFixed(1)} | ${cards} | ${median(deltas).toFixed(1)} |`);
      console.error(table.at(-1));
    }
  } finally {
    await browser.close();
  }
  return table;
}

async function main(): Promise<void> {
  if (args.includes('--render-only')) {
    console.log((await renderTimes(snapshotBuild().built)).join('\n'));
    return;
  }
  const cost = recordingCost();
  const { table: snap, built } = snapshotBuild();
  const render = await renderTimes(built);
  const text = [
    `Memory map benchmark (median of ${RUNS}; ${new Date().toISOString().slice(0, 10)})`,
    '',
    '### Recording cost',
    '',
    ...cost,
    '',
    '### Snapshot build (worker)',
    '',
    ...snap,
    '',
    '### Render (webview, headless Chromium)',
    '',
    ...render,
  ].join('\n');
  console.log(text);
  if (args.includes('--write')) {
    const file = path.join(ROOT, 'bench', 'MEMMAP.md');
    const old = fs.readFileSync(file, 'utf8');
    const start = old.indexOf('<!-- results -->');
    fs.writeFileSync(file, `${old.slice(0, start)}<!-- results -->\n\n${text}\n`);
  }
}

void main();
