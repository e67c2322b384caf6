// Rule `null-check` (KM3002): the result of an allocator that can return NULL is dereferenced, or
// passed to a function that dereferences it (strcpy, memset, list_add_tail, INIT_LIST_HEAD, or a
// helper of the module), on a path where it was not checked. The facts live on the allocation
// object, so aliases, struct fields, globals and helper returns are covered, and a check of a
// different variable does not count. One finding per allocation: the first use, with the
// allocation as related information and a fix that inserts the check.

import type { Diagnostic, Fix, Related } from '../diag/diagnostic';
import { nullCheckFix } from './fixes';
import type { ModuleResult } from './module';
import { Dedupe, finding, RULES, siteDesc, studentFunctions } from './report';
import { Nul } from './state';

export function checkNullCheck(m: ModuleResult): Diagnostic[] {
  const d = new Dedupe();
  const found: { site: string; start: number; diag: Diagnostic }[] = [];
  for (const r of studentFunctions(m)) {
    for (const ev of r.events) {
      if (ev.k !== 'deref') continue;
      if (ev.facts.n !== Nul.Maybe && ev.facts.n !== Nul.Yes) continue;
      const site = m.site(ev.obj);
      if (!site || !site.nullable) continue;
      const what = `the result of ${siteDesc(site, r.fn.name)}`;
      const state = ev.facts.n === Nul.Yes ? 'is NULL on this path' : 'may be NULL (it is not checked)';
      let message: string;
      const related: Related[] = [{ span: site.span, message: `${site.text} can return NULL` }];
      if (ev.via && ev.via.callee) {
        message = `${ev.via.callee}() dereferences ${what}, which ${state}`;
        if (ev.via.inner !== ev.span && !ev.via.inner.file.isVirtual) related.push({ span: ev.via.inner, message: `${ev.via.callee}() dereferences its argument here` });
      } else {
        message = `dereference of ${what}, which ${state}`;
      }
      const fixes: Fix[] = [];
      const home = m.results.get(site.fn);
      if (home && !home.fn.fromHeader) {
        const fx = nullCheckFix(home.fn, site.span);
        if (fx) fixes.push(fx);
      }
      found.push({ site: site.id, start: ev.span.start, diag: finding(RULES.nullCheck, ev.span, message, related, fixes) });
    }
  }
  // The first use of each allocation in the file is the one to fix.
  found.sort((a, b) => a.start - b.start);
  for (const f of found) d.add(f.site, f.diag);
  return d.out.sort((a, b) => a.span.start - b.span.start);
}
