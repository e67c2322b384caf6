// Rule `use-after-free` (KM3006): memory dereferenced (directly, or by a function that
// dereferences its argument) after it was freed on every path reaching the use. The classic case
// is list_for_each_entry() with kfree() of the cursor: the loop's step reads the freed entry to
// find the next one; the finding then points at the macro's use.

import type { Diagnostic, Related } from '../diag/diagnostic';
import type { ModuleResult } from './module';
import { Dedupe, finding, lineOf, RULES, studentFunctions } from './report';
import { Fr } from './state';
import type { Span } from '../source/source';

/**
 * The list iteration macro whose cursor argument starts at `span` (`list_for_each_entry(d, ...)`):
 * the macro's expansion reads the cursor there, and the student should see the macro's name.
 */
function iteratorAt(span: Span): { name: string; span: Span } | undefined {
  const text = span.file.text;
  let i = span.start;
  while (i > 0 && text[i - 1] !== '\n') i--;
  const before = text.slice(i, span.start);
  const m = /\b((?:h?list)_for_each_entry(?:_continue|_from|_reverse|_rcu)?)\s*\(\s*$/.exec(before);
  if (!m) {
    const own = /^(?:h?list)_for_each_entry\w*/.exec(text.slice(span.start, span.end));
    return own && !own[0].endsWith('_safe') ? { name: own[0], span } : undefined;
  }
  const start = i + m.index;
  return { name: m[1], span: { file: span.file, start, end: start + m[1].length } };
}

export function checkUseAfterFree(m: ModuleResult): Diagnostic[] {
  const d = new Dedupe();
  for (const r of studentFunctions(m)) {
    for (const ev of r.events) {
      if (ev.k !== 'deref' || ev.facts.f !== Fr.Yes) continue;
      const freed = ev.facts.freeSite;
      const related: Related[] = [];
      if (freed) related.push({ span: freed, message: `freed here${ev.facts.freeName ? ` with ${ev.facts.freeName}()` : ''}` });
      const loop = iteratorAt(ev.span);
      let message: string;
      let at = ev.span;
      if (loop) {
        at = loop.span;
        message = `${loop.name}() reads the entry freed at line ${freed ? lineOf(freed) : '?'} to find the next one: use ${loop.name}_safe()`;
      }
      else if (ev.via) message = `${ev.via.callee}() uses memory that was freed${freed ? ` at line ${lineOf(freed)}` : ''}`;
      else message = `use of memory that was freed${freed ? ` at line ${lineOf(freed)}` : ''}`;
      d.add(`${at.start}`, finding(RULES.useAfterFree, at, message, related));
    }
  }
  return d.out;
}
