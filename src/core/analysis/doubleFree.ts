// Rule `double-free` (KM3005): memory freed again on a path where it is already freed, for
// example an error branch that frees a buffer and then jumps to a label that frees it once more.
// Only definite cases count (freed on every path reaching the second free), so a free guarded by
// the same condition twice is not reported.

import type { Diagnostic, Related } from '../diag/diagnostic';
import type { ModuleResult } from './module';
import { Dedupe, finding, lineOf, RULES, studentFunctions } from './report';
import { Fr } from './state';

export function checkDoubleFree(m: ModuleResult): Diagnostic[] {
  const d = new Dedupe();
  for (const r of studentFunctions(m)) {
    for (const ev of r.events) {
      if (ev.k !== 'free' || ev.under || ev.facts.f !== Fr.Yes) continue;
      const at = ev.via && !ev.via.inner.file.isVirtual ? ev.via.inner : ev.span;
      const first = ev.facts.freeSite;
      const related: Related[] = [];
      if (first) related.push({ span: first, message: `first freed here${ev.facts.freeName ? ` with ${ev.facts.freeName}()` : ''}` });
      if (ev.via) related.push({ span: ev.via.callSpan, message: `${ev.via.callee}() called here` });
      const site = m.site(ev.obj);
      if (site) related.push({ span: site.span, message: `allocated with ${site.name}() here` });
      const message = `${ev.name}() frees memory that was already freed${first ? ` at line ${lineOf(first)}` : ''}`;
      d.add(`${at.start}`, finding(RULES.doubleFree, at, message, related));
    }
  }
  return d.out;
}
