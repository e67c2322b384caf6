// Runs fuzz inputs through the whole core (front end, analyzer, insmod and rmmod in a fresh kernel)
// and counts what went wrong. A crash is an exception escaping the core's API (DESIGN invariant 1:
// the core never throws on student input); an internal error is one the core caught and reported
// as its own bug (an analyzer note or an `internal-error` finding); a hang is an input that took
// longer than the budget. Each is kept with its input so it can be replayed. Both the mocha suite
// (fixed seed, bounded) and `npm run fuzz` (longer, any seed) use this file.

import fc from 'fast-check';
import { analyze, frontEnd, kernelHeaders, runModule } from '../../src/core/index';
import type { FuzzInput } from './inputs';
import { generatedModules, mutatedInputs, pathologicalInputs, seedFiles } from './inputs';

export type Stage = 'frontEnd' | 'analyze' | 'runModule';

export interface Problem {
  readonly input: FuzzInput;
  readonly stage: Stage;
  readonly message: string;
}

export interface FuzzReport {
  inputs: number;
  readonly crashes: Problem[];
  readonly internalErrors: Problem[];
  readonly hangs: { readonly input: FuzzInput; readonly ms: number }[];
  /** The largest `process.memoryUsage()` figures seen after an input, in bytes. */
  maxRss: number;
  maxHeapUsed: number;
  /** The slowest input, for the report. */
  slowest: { name: string; ms: number };
}

export interface FuzzOptions {
  readonly seed: number;
  /** Mutated seed files to try (fast-check runs). */
  readonly mutations: number;
  /** Generated modules to try. */
  readonly generated: number;
  /** Include the pathological inputs (each once). */
  readonly pathological: boolean;
  /** An input taking longer than this is a hang, in ms. */
  readonly hangBudgetMs: number;
  /** Stop the mutation and generation runs after this long, in ms (undefined: after the counts). */
  readonly timeLimitMs?: number;
  /** Called before each input (the `npm run fuzz` watchdog saves it, so a real hang can be replayed). */
  readonly onInput?: (input: FuzzInput) => void;
}

/** Virtual seconds before the soft-lockup report: short, so generated endless loops end quickly. */
const FUZZ_SOFT_LOCKUP_SECONDS = 2;

/** An analyzer note that reports its own bug (not the work budget, a limit it states as a note). */
function isInternalError(note: string): boolean {
  return note.startsWith('internal') && !note.includes('work budget');
}

export function newReport(): FuzzReport {
  return { inputs: 0, crashes: [], internalErrors: [], hangs: [], maxRss: 0, maxHeapUsed: 0, slowest: { name: '', ms: 0 } };
}

/** Runs one input through every stage; true when nothing went wrong. */
export function tryInput(input: FuzzInput, report: FuzzReport, hangBudgetMs: number, softLockupSeconds = FUZZ_SOFT_LOCKUP_SECONDS): boolean {
  const start = Date.now();
  const problems = report.crashes.length + report.internalErrors.length;
  const readLocal = (name: string) => input.locals?.[name];
  const stage = <T>(name: Stage, fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (e) {
      report.crashes.push({ input, stage: name, message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
      return undefined;
    }
  };
  report.inputs++;
  const fe = stage('frontEnd', () => frontEnd({ fileName: 'fuzz.c', text: input.text, readLocal }, kernelHeaders()));
  if (fe) {
    stage('analyze', () =>
      analyze(fe, { debug: (m) => isInternalError(m) && report.internalErrors.push({ input, stage: 'analyze', message: m }) }),
    );
  }
  const run = stage('runModule', () => runModule({ fileName: 'fuzz.c', text: input.text, readLocal, unload: true, softLockupSeconds }));
  for (const f of run?.booted?.kernel.findings ?? []) {
    if (f.rule === 'internal-error') report.internalErrors.push({ input, stage: 'runModule', message: f.message });
  }
  const ms = Date.now() - start;
  if (ms > hangBudgetMs) report.hangs.push({ input, ms });
  if (ms > report.slowest.ms) report.slowest = { name: input.name, ms };
  const mem = process.memoryUsage();
  report.maxRss = Math.max(report.maxRss, mem.rss);
  report.maxHeapUsed = Math.max(report.maxHeapUsed, mem.heapUsed);
  return ms <= hangBudgetMs && report.crashes.length + report.internalErrors.length === problems;
}

/**
 * Runs the three kinds of input. Mutations and generated programs go through fast-check, so a
 * failing input is shrunk before the run stops; every input tried, shrinking included, is counted.
 */
export function fuzz(opts: FuzzOptions, report = newReport()): FuzzReport {
  const attempt = (input: FuzzInput, softLockupSeconds?: number) => {
    opts.onInput?.(input);
    return tryInput(input, report, opts.hangBudgetMs, softLockupSeconds);
  };
  if (opts.pathological) {
    // The default soft-lockup budget: the endless loops must end in the kernel's own report.
    for (const input of pathologicalInputs()) attempt(input, 22);
  }
  const deadline = opts.timeLimitMs === undefined ? undefined : Date.now() + opts.timeLimitMs;
  /** Runs `arb`, within `share` of the time left when there is a time limit. */
  const check = (arb: fc.Arbitrary<FuzzInput>, numRuns: number, seed: number, share: number) => {
    if (numRuns <= 0) return;
    const left = deadline === undefined ? undefined : Math.max(1, (deadline - Date.now()) * share);
    fc.check(
      fc.property(arb, (input) => attempt(input)),
      { seed, numRuns, interruptAfterTimeLimit: left, markInterruptAsFailure: false, endOnFailure: false },
    );
  };
  check(mutatedInputs(seedFiles()), opts.mutations, opts.seed, 0.5);
  check(generatedModules, opts.generated, opts.seed + 1, 1);
  return report;
}

/** The report as the lines `npm run fuzz` prints and the README quotes. */
export function formatReport(r: FuzzReport): string[] {
  const mib = (b: number) => `${Math.round(b / 1024 / 1024)} MiB`;
  const first = (ps: readonly Problem[]) => ps.slice(0, 5).map((p) => `    ${p.stage} on ${p.input.name}: ${p.message.split('\n').slice(0, 3).join(' | ')}`);
  return [
    `inputs tried:     ${r.inputs}`,
    `crashes:          ${r.crashes.length}`,
    ...first(r.crashes),
    `internal errors:  ${r.internalErrors.length}`,
    ...first(r.internalErrors),
    `hangs:            ${r.hangs.length}`,
    ...r.hangs.slice(0, 5).map((h) => `    ${h.input.name}: ${h.ms} ms`),
    `largest memory:   ${mib(r.maxRss)} resident, ${mib(r.maxHeapUsed)} JS heap`,
    `slowest input:    ${r.slowest.name} (${r.slowest.ms} ms)`,
  ];
}
