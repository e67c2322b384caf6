// Renderers for diagnostics outside the editor: gcc's `file:line:col: severity: message` format,
// which editors' problem matchers and CI logs understand.

import type { Diagnostic } from './diagnostic';
import { formatSpan } from '../source/source';

export function formatDiagnostic(d: Diagnostic): string {
  const sev = d.severity === 'error' ? 'error' : d.severity === 'warning' ? 'warning' : 'note';
  const rule = d.rule ? ` [${d.rule}]` : '';
  const lines = [`${formatSpan(d.span)}: ${sev}: ${d.message}${rule}`];
  for (const r of d.related) lines.push(`${formatSpan(r.span)}: note: ${r.message}`);
  return lines.join('\n');
}

/** The source line with a caret under the span, as gcc prints it. */
export function caretExcerpt(d: Diagnostic): string {
  const f = d.span.file;
  const a = f.position(d.span.start);
  const b = f.position(Math.max(d.span.start, d.span.end - 1));
  const text = f.lineText(a.line);
  const width = b.line === a.line ? Math.max(1, b.column - a.column + 1) : Math.max(1, text.length - a.column + 1);
  return `${String(a.line).padStart(5)} | ${text}\n      | ${' '.repeat(a.column - 1)}^${'~'.repeat(width - 1)}`;
}
