// Which C type each allocation of a module holds, read from the source: the pointee type of the
// pointer the allocation call's result is stored to or cast to. `p = kmalloc(...)` with
// `struct Person *p`, `struct Person *p = kmalloc(...)` and `(struct Person *)vmalloc(...)` all make
// the call's memory a `struct Person`. The kernel reports an allocation with the span of the call
// expression, so the map is keyed by that span; a call whose result goes nowhere typed (a `void *`,
// an argument) has no entry and the memory map shows its bytes.

import type { Expr, TranslationUnit } from '../c/ast';
import type { CType } from '../c/types';
import type { Span } from '../source/source';
import { walkStmt } from '../analysis/walk';

/** Pointee types by allocation call, keyed by `spanKey` of the call expression. */
export type AllocTypes = ReadonlyMap<string, CType>;

export function spanKey(s: Span): string {
  return `${s.file.name}:${s.start}:${s.end}`;
}

/** The pointee type given to each call result in the module's own functions (header inlines excluded). */
export function allocationTypes(unit: TranslationUnit): AllocTypes {
  const out = new Map<string, CType>();
  const note = (value: Expr, ptrType: CType): void => {
    const call = unwrapToCall(value, (t) => (ptrType = t));
    if (!call || ptrType.kind !== 'ptr') return;
    const pointee = ptrType.to;
    if (pointee.kind === 'void' || pointee.kind === 'func') return;
    if (!out.has(spanKey(call.span))) out.set(spanKey(call.span), pointee);
  };
  const visit = (e: Expr): void => {
    if (e.k === 'assign') note(e.value, e.target.type);
    else if (e.k === 'cast' && e.type.kind === 'ptr') note(e.e, e.type);
  };
  for (const f of unit.funcs) {
    if (f.fromHeader || !f.body) continue;
    walkStmt(f.body, visit);
    // `walkStmt` visits an initializer's expressions but not the variable they initialise.
    for (const v of f.locals) {
      const leaf = v.init?.leaves[0];
      if (leaf && 'expr' in leaf && v.type.kind === 'ptr') note(leaf.expr, v.type);
    }
  }
  return out;
}

/**
 * The call under implicit conversions and pointer casts, or undefined. An explicit pointer cast on
 * the way (`(struct Person *)vmalloc(n)` assigned to a `void *`) is the more precise type: `cast`
 * reports it.
 */
function unwrapToCall(e: Expr, cast: (t: CType) => void): Extract<Expr, { k: 'call' }> | undefined {
  while (e.k === 'cast') {
    if (e.type.kind === 'ptr' && e.type.to.kind !== 'void') cast(e.type);
    e = e.e;
  }
  return e.k === 'call' ? e : undefined;
}
