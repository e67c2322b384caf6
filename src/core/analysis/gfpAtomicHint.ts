// Hint `gfp-atomic-hint` (KM3101, severity hint, not one of the seven rules): an allocation with
// GFP_ATOMIC (or another mask without direct reclaim) where sleeping is allowed: no lock or atomic
// section is held on any path to it, and the function is known to run in process context (module
// init or exit, a process-context callback such as a file operation, or a static function called
// only from such places, never under a lock).

import type { Diagnostic, Fix } from '../diag/diagnostic';
import { gfpFix } from './fixes';
import { srcText } from './interp';
import { gfpMaySleep, isAtomicHold } from './kernelApi';
import type { ModuleResult } from './module';
import { finding, RULES, studentFunctions } from './report';

/** Functions that may run in atomic context: atomic callbacks, callees under a lock, and their callees. */
export function mayBeAtomic(m: ModuleResult): Set<string> {
  const out = new Set<string>();
  for (const [fn, c] of m.cg.contexts) if (c.context !== 'process') out.add(fn);
  for (const r of m.results.values()) {
    for (const ev of r.events) if (ev.k === 'call' && ev.user && ev.holds.some((h) => isAtomicHold(h.kind))) out.add(ev.name);
  }
  const stack = [...out];
  while (stack.length) {
    const f = stack.pop()!;
    for (const c of m.cg.callees.get(f) ?? []) if (!out.has(c)) {
      out.add(c);
      stack.push(c);
    }
  }
  return out;
}

/** Functions known to run in process context. */
export function knownProcess(m: ModuleResult): Set<string> {
  const out = new Set<string>();
  if (m.cg.init) out.add(m.cg.init);
  if (m.cg.exit) out.add(m.cg.exit);
  for (const [fn, c] of m.cg.contexts) if (c.context === 'process') out.add(fn);
  for (let round = 0; round < 16; round++) {
    let changed = false;
    for (const f of m.cg.funcs.values()) {
      if (out.has(f.name) || f.fromHeader || m.cg.addressTaken.has(f.name) || m.cg.contexts.has(f.name)) continue;
      const callers = m.cg.callers.get(f.name);
      if (!callers || callers.size === 0) continue;
      if ([...callers].every((c) => out.has(c))) {
        out.add(f.name);
        changed = true;
      }
    }
    if (!changed) break;
  }
  return out;
}

export function checkGfpAtomicHint(m: ModuleResult): Diagnostic[] {
  const atomic = mayBeAtomic(m);
  const process = knownProcess(m);
  const out: Diagnostic[] = [];
  const seen = new Set<number>();
  for (const r of studentFunctions(m)) {
    if (atomic.has(r.fn.name) || !process.has(r.fn.name)) continue;
    const underLock = new Set<number>();
    for (const ev of r.events) if (ev.k === 'alloc' && ev.holds.some((h) => isAtomicHold(h.kind))) underLock.add(ev.site.span.start);
    for (const ev of r.events) {
      if (ev.k !== 'alloc' || ev.gfp === undefined || gfpMaySleep(ev.gfp)) continue;
      if (underLock.has(ev.site.span.start) || seen.has(ev.site.span.start)) continue;
      seen.add(ev.site.span.start);
      const arg = ev.site.gfpExpr;
      const text = arg ? srcText(arg.span) : undefined;
      const flag = text && /^[A-Z_]+$/.test(text) ? text : 'a mask without __GFP_DIRECT_RECLAIM';
      const fixes: Fix[] = [];
      const fx = text ? gfpFix(arg, text, 'GFP_KERNEL', 'Use GFP_KERNEL') : undefined;
      if (fx) fixes.push(fx);
      const at = arg && !arg.span.file.isVirtual ? arg.span : ev.site.span;
      out.push(finding(RULES.gfpAtomicHint, at,
        `${ev.site.name}() with ${flag} in ${r.fn.name}(), which runs in process context with no lock held: GFP_KERNEL may sleep to reclaim memory and fails less often`,
        [], fixes, 'hint'));
    }
  }
  return out;
}
