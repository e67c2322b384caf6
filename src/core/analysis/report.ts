// Shared pieces of the checks: the rule table (stable rule names and catalog codes), building a
// Diagnostic, and describing allocation sites and locks the same way in every message.

import type { Diagnostic, Fix, Related, Severity } from '../diag/diagnostic';
import type { Span } from '../source/source';
import type { AllocSite } from './interp';
import type { FnResult, ModuleResult } from './module';

export const RULES = {
  atomicSleep: { rule: 'atomic-sleep', code: 'KM3001' },
  nullCheck: { rule: 'null-check', code: 'KM3002' },
  freeMismatch: { rule: 'free-mismatch', code: 'KM3003' },
  leak: { rule: 'leak', code: 'KM3004' },
  doubleFree: { rule: 'double-free', code: 'KM3005' },
  useAfterFree: { rule: 'use-after-free', code: 'KM3006' },
  stackFrame: { rule: 'stack-frame', code: 'KM3007' },
  gfpAtomicHint: { rule: 'gfp-atomic-hint', code: 'KM3101' },
} as const;

export type RuleName = (typeof RULES)[keyof typeof RULES]['rule'];

/** The seven rules that count as findings (the GFP_ATOMIC hint is advice, not a finding). */
export const FINDING_RULES: readonly RuleName[] = ['atomic-sleep', 'null-check', 'free-mismatch', 'leak', 'double-free', 'use-after-free', 'stack-frame'];

export function lineOf(s: Span): number {
  return s.file.position(s.start).line;
}

export function finding(
  r: { rule: string; code: string },
  span: Span,
  message: string,
  related: Related[] = [],
  fixes: Fix[] = [],
  severity: Severity = 'warning',
): Diagnostic {
  return { code: r.code, rule: r.rule, severity, span, message, related: related.filter((x) => !x.span.file.isVirtual || related.length === 1), fixes };
}

/** The functions the student wrote (header inlines are analyzed for summaries, never reported). */
export function studentFunctions(m: ModuleResult): FnResult[] {
  return [...m.results.values()].filter((r) => !r.fn.fromHeader);
}

/** "kmalloc() at line 20" or "vzalloc() in alloc_table() at line 14". */
export function siteDesc(site: AllocSite, here: string | undefined): string {
  const where = site.fn !== here ? ` in ${site.fn}()` : '';
  return `${site.name}()${where} at line ${lineOf(site.span)}`;
}

/** Keeps the first diagnostic per key. */
export class Dedupe {
  private readonly seen = new Set<string>();
  readonly out: Diagnostic[] = [];
  add(key: string, d: Diagnostic): void {
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.out.push(d);
  }
  has(key: string): boolean {
    return this.seen.has(key);
  }
}
