// Quick fixes, computed in the core as text edits on the student's file: insert a NULL check after
// an allocation (returning -ENOMEM, or jumping to the function's existing error label), rename a
// free call to the matching one, swap a gfp flag. The UI only converts and applies them.
// Invariant: an edit is offered only when the text it replaces is exactly what the fix expects.

import type { Expr, Func, Stmt } from '../c/ast';
import type { Fix } from '../diag/diagnostic';
import type { Span } from '../source/source';
import { srcText } from './interp';

function contains(outer: Span, inner: Span): boolean {
  return outer.file === inner.file && outer.start <= inner.start && inner.end <= outer.end;
}

/** The innermost expression or declaration statement of `f` that contains `span`. */
function statementAt(f: Func, span: Span): Stmt | undefined {
  let best: Stmt | undefined;
  const visit = (s: Stmt): void => {
    if (!contains(s.span, span)) return;
    if (s.k === 'expr' || s.k === 'decl') {
      if (!best || contains(best.span, s.span)) best = s;
      return;
    }
    switch (s.k) {
      case 'block': for (const x of s.stmts) visit(x); break;
      case 'if': visit(s.t); if (s.f) visit(s.f); break;
      case 'while': case 'do': visit(s.body); break;
      case 'for': if (s.init) visit(s.init); visit(s.body); break;
      case 'switch': case 'case': case 'default': case 'label': visit(s.body); break;
      default: break;
    }
  };
  if (f.body) visit(f.body);
  return best;
}

function indentOf(span: Span): string {
  const text = span.file.text;
  let i = span.start;
  while (i > 0 && text[i - 1] !== '\n') i--;
  const m = /^[ \t]*/.exec(text.slice(i, span.start));
  return m ? m[0] : '';
}

/** The statement's span extended to its `;` (the parser's span may stop before it). */
function endOfStatement(s: Stmt): number {
  const text = s.span.file.text;
  let i = s.span.end;
  while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  return text[i] === ';' ? i + 1 : text[i - 1] === ';' ? i : s.span.end;
}

function strip(e: Expr): Expr {
  while (e.k === 'cast') e = e.e;
  return e;
}

/**
 * `if (!p) return -ENOMEM;` after the statement that allocates at `allocSpan`, or
 * `if (!p) { ret = -ENOMEM; goto err; }` when the function already has an error label and a
 * return-code variable.
 */
export function nullCheckFix(f: Func, allocSpan: Span): Fix | undefined {
  const s = statementAt(f, allocSpan);
  if (!s || s.span.file.isVirtual) return undefined;
  let name: string | undefined;
  if (s.k === 'decl') name = s.v.name;
  else if (s.k === 'expr') {
    const e = strip(s.e);
    if (e.k === 'assign' && contains(e.value.span, allocSpan)) name = srcText(e.target.span)?.trim();
  }
  if (!name || name.includes('\n')) return undefined;
  const ret = f.type.ret;
  const indent = indentOf(s.span);
  const unit = indent.includes('\t') || indent === '' ? '\t' : '    ';
  let action: string;
  let title: string;
  const label = [...f.labels.entries()].filter(([, sp]) => sp.start > s.span.end).sort((a, b) => a[1].start - b[1].start)[0];
  const errVar = f.locals.find((v) => /^(ret|err|rc|retval|error|status)$/.test(v.name) && v.type.kind === 'int');
  if (ret.kind === 'void') {
    action = 'return;';
    title = `Return early when ${name} is NULL`;
  } else if (ret.kind === 'ptr') {
    action = 'return NULL;';
    title = `Return NULL when ${name} is NULL`;
  } else if (label && errVar) {
    action = `{\n${indent}${unit}${errVar.name} = -ENOMEM;\n${indent}${unit}goto ${label[0]};\n${indent}}`;
    title = `Jump to ${label[0]} with -ENOMEM when ${name} is NULL`;
    return { title, edits: [{ span: { file: s.span.file, start: endOfStatement(s), end: endOfStatement(s) }, newText: `\n${indent}if (!${name}) ${action}` }] };
  } else {
    action = 'return -ENOMEM;';
    title = `Return -ENOMEM when ${name} is NULL`;
  }
  const at = endOfStatement(s);
  return { title, edits: [{ span: { file: s.span.file, start: at, end: at }, newText: `\n${indent}if (!${name})\n${indent}${unit}${action}` }] };
}

/** Renames the function called at `callSpan` (`kfree(p)` → `vfree(p)`). */
export function renameCallFix(callSpan: Span, from: string, to: string, title: string): Fix | undefined {
  const t = srcText(callSpan);
  if (!t || !t.startsWith(from) || !/^\s*\(/.test(t.slice(from.length))) return undefined;
  return { title, edits: [{ span: { file: callSpan.file, start: callSpan.start, end: callSpan.start + from.length }, newText: to }] };
}

/** Replaces a gfp flag written as an identifier (`GFP_KERNEL`) by another. */
export function gfpFix(arg: Expr | undefined, from: string, to: string, title: string): Fix | undefined {
  if (!arg) return undefined;
  const t = srcText(arg.span);
  if (t !== from) return undefined;
  return { title, edits: [{ span: arg.span, newText: to }] };
}
