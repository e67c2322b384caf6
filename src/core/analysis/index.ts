// The static analyzer's entry point: `analyze(frontEndResult)` runs the interpreter over the
// module (module.ts) and then each check, and returns their diagnostics sorted by position.
// Invariant: it never throws. A failure inside the analysis of one function or one check is a bug
// in Kernel Module Lab; it costs that part's findings and is reported on the debug channel as an
// `internal` note, never as a student diagnostic.

import type { FrontEndResult } from '../frontend';
import type { Diagnostic } from '../diag/diagnostic';
import type { SolveOptions } from './dataflow';
import type { ModuleResult } from './module';
import { analyzeModule, DEFAULT_LIMITS } from './module';
import { checkAtomicSleep } from './atomicSleep';
import { checkNullCheck } from './nullCheck';
import { checkFreeMismatch } from './freeMismatch';
import { checkLeak } from './leak';
import { checkDoubleFree } from './doubleFree';
import { checkUseAfterFree } from './useAfterFree';
import { checkStackFrame } from './stackFrame';
import { checkGfpAtomicHint } from './gfpAtomicHint';

export { FINDING_RULES, RULES } from './report';
export type { RuleName } from './report';

export interface AnalyzeOptions {
  /** Receives `internal: ...` notes about analyzer failures (bugs in Kernel Module Lab). */
  readonly debug?: (message: string) => void;
  /** Solver limits (states per node, visits per node, work budget per function). */
  readonly limits?: Partial<SolveOptions>;
}

const CHECKS: readonly { readonly name: string; readonly run: (m: ModuleResult) => Diagnostic[] }[] = [
  { name: 'atomic-sleep', run: checkAtomicSleep },
  { name: 'null-check', run: checkNullCheck },
  { name: 'free-mismatch', run: checkFreeMismatch },
  { name: 'leak', run: checkLeak },
  { name: 'double-free', run: checkDoubleFree },
  { name: 'use-after-free', run: checkUseAfterFree },
  { name: 'stack-frame', run: checkStackFrame },
  { name: 'gfp-atomic-hint', run: checkGfpAtomicHint },
];

/** Analyzes a module the front end has read; returns the findings of every check, in file order. */
export function analyze(fe: FrontEndResult, opts: AnalyzeOptions = {}): Diagnostic[] {
  const debug = opts.debug ?? (() => undefined);
  let m: ModuleResult;
  try {
    m = analyzeModule(fe.unit, { ...DEFAULT_LIMITS, ...opts.limits }, debug);
  } catch (e) {
    debug(`internal: analysis failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    return [];
  }
  const out: Diagnostic[] = [];
  for (const c of CHECKS) {
    try {
      for (const d of c.run(m)) if (!d.span.file.isVirtual) out.push(d);
    } catch (e) {
      debug(`internal: check ${c.name} failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    }
  }
  for (const r of m.results.values()) if (!r.complete) debug(`internal: analysis of ${r.fn.name}() stopped at its work budget`);
  return out.sort((a, b) => a.span.start - b.span.start || a.code.localeCompare(b.code));
}
